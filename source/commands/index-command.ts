import {SfsError} from '../engine/errors.js';
import {rebuildEngineIndex} from '../engine/open-engine.js';
import {humanBytes, note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs index rebuild    Rebuild index.db from the store (the store is the truth)
		  $ sfs index status     Sessions and messages in the index, its size and health (reads every page: ~5 s per GB)

		Options
		  --json   Machine-readable output

		Examples
		  $ sfs index rebuild
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('index', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		const [action, extra] = input;
		if (extra !== undefined) throw new SfsError('USAGE', `index: unexpected argument ${JSON.stringify(extra)}`);
		if (action === 'rebuild') {
			const started = Date.now();
			const sessions = await withEngine(engine => rebuildEngineIndex(engine, note));
			const result = {sessions, duration_ms: Date.now() - started};
			if (flags.json) printJson(result);
			else note(`sfs: indexed ${sessions} session(s) in ${result.duration_ms} ms`);
			return 0;
		}

		if (action === 'status' || action === undefined) {
			const status = await withEngine(engine => {
				const stats = engine.index.stats();
				// Every page is read (SQLite's and FTS5's integrity checks): seconds per GB, so say so first.
				note(`sfs index: checking every page of the index (${humanBytes(stats.bytes)}) …`);
				return {path: engine.index.path, ...stats, ok: engine.index.integrityOk()};
			});
			if (flags.json) printJson(status);
			else {
				print(`index     ${status.path}`);
				print(`sessions  ${status.sessions}`);
				print(`messages  ${status.messages}`);
				print(`bytes     ${status.bytes}`);
				print(`healthy   ${status.ok ? 'yes' : 'no (run: sfs index rebuild)'}`);
			}

			return status.ok ? 0 : 1;
		}

		throw new SfsError('USAGE', `index: unknown action ${JSON.stringify(action)}`, {hint: 'use: sfs index rebuild, or sfs index status'});
	},
};

export default command;
