import {SfsError} from '../engine/errors.js';
import {upsertManifest} from '../engine/open-engine.js';
import {print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs alias <ref> [name]
		  $ sfs alias <ref> --clear

		Without a name, prints the session's alias. Aliases are unique; use one anywhere a <ref> goes.

		Options
		  --clear   Remove the alias
		  --json    {"session_id": …, "alias": …}

		Examples
		  $ sfs alias ses_3f2a rate-limit-fix
		  $ sfs show rate-limit-fix
	`,
	flags: {clear: {type: 'boolean'}, json: {type: 'boolean'}},
};

const ALIAS = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$/u;

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('alias', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('alias', input, 1, 2, 'a session <ref>');
		const wanted = input[1];
		if (wanted !== undefined && flags.clear) throw new SfsError('USAGE', 'alias: give a name or --clear, not both');
		if (wanted !== undefined && !ALIAS.test(wanted)) {
			throw new SfsError('USAGE', `not a valid alias: ${JSON.stringify(wanted)}`, {hint: 'start with a letter or digit; then letters, digits, . _ - (up to 64)'});
		}

		const result = await withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			if (wanted === undefined && !flags.clear) {
				const alias = engine.store.readManifest(id).metadata?.alias;
				return {session_id: id, alias: typeof alias === 'string' ? alias : null};
			}

			if (wanted !== undefined) {
				const holders = engine.index.findByAlias(wanted).filter(other => other !== id);
				if (holders.length > 0) {
					throw new SfsError('CONFLICT', `alias ${JSON.stringify(wanted)} is already used by ${holders[0]}`, {hint: `clear it first: sfs alias ${holders[0]} --clear`});
				}

				if (engine.store.exists(wanted) || engine.index.getSession(wanted)) {
					throw new SfsError('CONFLICT', `alias ${JSON.stringify(wanted)} is a session id`, {hint: 'pick another name'});
				}
			}

			const manifest = engine.store.updateManifest(id, current => {
				const {alias: _old, ...rest} = current.metadata ?? {};
				return {...current, metadata: wanted === undefined ? rest : {...rest, alias: wanted}};
			});
			upsertManifest(engine, manifest);
			return {session_id: id, alias: wanted ?? null};
		});
		if (flags.json) printJson(result);
		else if (result.alias) print(result.alias);
		else if (wanted === undefined && !flags.clear) process.stderr.write(`sfs: ${result.session_id} has no alias\n`);
		return 0;
	},
};

export default command;
