import {SfsError} from '../engine/errors.js';
import {upsertManifest} from '../engine/open-engine.js';
import {print, printJson, relativeTime, table} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs checkpoint <ref> <name>            Save the session as it is now under <name>
		  $ sfs checkpoint list <ref>              List its checkpoints
		  $ sfs checkpoint restore <ref> <name>    Make a new session from a checkpoint

		Restoring never rewrites the original: it creates a new session whose parent is <ref>.
		("list" and "restore" are always read as subcommands.)

		Options
		  --json   Machine-readable output

		Examples
		  $ sfs checkpoint rate-limit-fix before-refactor
		  $ sfs checkpoint restore rate-limit-fix before-refactor
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('checkpoint', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		const [first, second, third, ...rest] = input;
		const usage = (what: string) => new SfsError('USAGE', `checkpoint: ${what}`, {hint: 'see: sfs checkpoint --help'});
		if (rest.length > 0) throw usage(`unexpected argument ${JSON.stringify(rest[0])}`);
		if (first === 'list') {
			if (!second || third) throw usage(second ? `unexpected argument ${JSON.stringify(third)}` : 'missing a session <ref>');
			const {id, checkpoints} = await withEngine(async engine => {
				const id = await resolveSession(engine, second);
				return {id, checkpoints: engine.store.listCheckpoints(id)};
			});
			if (flags.json) printJson(checkpoints);
			else if (checkpoints.length === 0) process.stderr.write(`sfs: ${id} has no checkpoints (make one: sfs checkpoint ${second} <name>)\n`);
			else for (const line of table([{header: 'NAME'}, {header: 'CREATED'}, {header: 'MSGS', align: 'right'}], checkpoints.map(c => [c.name, relativeTime(c.created_at), String(c.message_count)]))) print(line);
			return 0;
		}

		if (first === 'restore') {
			if (!second || !third) throw usage(second ? 'missing a checkpoint <name>' : 'missing a session <ref>');
			const manifest = await withEngine(async engine => {
				const id = await resolveSession(engine, second);
				const created = engine.store.restoreCheckpoint(id, third);
				const {messages} = engine.store.readMessages(created.session_id);
				engine.index.transaction(() => {
					upsertManifest(engine, created);
					engine.index.addMessages(created.session_id, messages, 1);
				});
				return created;
			});
			if (flags.json) printJson({session_id: manifest.session_id, parent_session_id: manifest.parent_session_id ?? null, checkpoint: third});
			else print(manifest.session_id);
			return 0;
		}

		if (!first) throw usage('missing a session <ref>');
		if (!second || third) throw usage(second ? `unexpected argument ${JSON.stringify(third)}` : 'missing a checkpoint <name>');
		const result = await withEngine(async engine => {
			const id = await resolveSession(engine, first);
			engine.store.checkpoint(id, second);
			upsertManifest(engine, engine.store.readManifest(id));
			return {session_id: id, checkpoint: second};
		});
		if (flags.json) printJson(result);
		else process.stderr.write(`sfs: saved checkpoint ${second} of ${result.session_id}\n`);
		return 0;
	},
};

export default command;
