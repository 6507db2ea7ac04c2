import {SfsError} from '../engine/errors.js';
import {upsertManifest} from '../engine/open-engine.js';
import {print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs, printHelp, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs tag <ref> [+tag | -tag | tag]...

		Adds (+tag or a bare tag) and removes (-tag) tags; with no changes, prints the tags.

		Options
		  --json   {"session_id": …, "tags": […]}

		Examples
		  $ sfs tag ses_3f2a +auth +bug -wip
		  $ sfs list --tag auth
	`,
	flags: {json: {type: 'boolean'}},
};

const ALWAYS_FLAGS = new Set(['--json', '--help', '-h', '--no-color', '--color']);

const TAG = /^[\p{L}\p{N}][\p{L}\p{N}._:/-]{0,63}$/u;

const command: CommandModule = {
	spec,
	async run(argv) {
		// `-wip` is a removal, not a flag: only --json, --help, -h and --[no-]color are read as flags
		// here; after `--` every word is a change.
		const ops: string[] = [];
		const flagArgs: string[] = [];
		let seenRef = false;
		let flagsEnded = false;
		for (const token of argv) {
			if (token === '--' && !flagsEnded) flagsEnded = true;
			else if (!flagsEnded && (ALWAYS_FLAGS.has(token) || (!seenRef && token.startsWith('--')))) flagArgs.push(token);
			else if (seenRef) ops.push(token);
			else {
				seenRef = true;
				ops.push(token);
			}
		}

		if (flagArgs.includes('--help') || flagArgs.includes('-h')) {
			printHelp(spec.help);
			return 0;
		}

		const parsed = parseArgs('tag', flagArgs, spec);
		if (!parsed) return 0;
		const [ref, ...changes] = ops;
		if (!ref) throw new SfsError('USAGE', 'tag: missing a session <ref>', {hint: 'see: sfs tag --help'});
		const add: string[] = [];
		const remove: string[] = [];
		for (const change of changes) {
			const name = change.replace(/^[+-]/, '');
			if (!TAG.test(name)) throw new SfsError('USAGE', `not a valid tag: ${JSON.stringify(change)}`, {hint: 'tags start with a letter or digit; then letters, digits, . _ : / -'});
			(change.startsWith('-') ? remove : add).push(name);
		}

		const result = await withEngine(async engine => {
			const id = await resolveSession(engine, ref);
			if (add.length === 0 && remove.length === 0) return {session_id: id, tags: engine.store.readManifest(id).tags ?? []};
			const manifest = engine.store.updateManifest(id, current => {
				const tags = (current.tags ?? []).filter(tag => !remove.includes(tag));
				for (const tag of add) if (!tags.includes(tag)) tags.push(tag);
				return {...current, tags};
			});
			upsertManifest(engine, manifest);
			return {session_id: id, tags: manifest.tags ?? []};
		});
		if (parsed.flags.json) printJson(result);
		else for (const tag of result.tags) print(tag);
		return 0;
	},
};

export default command;
