import {SfsError} from '../engine/errors.js';
import {type Engine, upsertManifest} from '../engine/open-engine.js';
import {print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs fork <ref> [--at <msg_id>]

		Makes a new session with the messages of <ref> (up to and including --at). The original is
		untouched; the fork records its parent in parent_session_id and metadata.fork.

		Options
		  --at <msg_id>   Fork at this message (default: the last one)
		  --json          {"session_id": …, "parent_session_id": …, "at_msg_id": …}

		Examples
		  $ sfs fork rate-limit-fix --at msg-0042
	`,
	flags: {at: {type: 'string'}, json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('fork', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('fork', input, 1, 1, 'a session <ref>');
		const manifest = await withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			const created = forkAt(engine, id, flags.at as string | undefined, input[0]!);
			const {messages} = engine.store.readMessages(created.session_id);
			engine.index.transaction(() => {
				upsertManifest(engine, created);
				engine.index.addMessages(created.session_id, messages, 1);
			});
			return created;
		});
		const fork = manifest.metadata?.fork;
		if (flags.json) printJson({session_id: manifest.session_id, parent_session_id: manifest.parent_session_id ?? null, at_msg_id: fork?.at_msg_id ?? null});
		else print(manifest.session_id);
		return 0;
	},
};

export default command;

/** The store's fork; an --at that is no message id of the session says what --at takes (a position like 3 is not one). */
function forkAt(engine: Engine, id: string, at: string | undefined, ref: string) {
	try {
		return engine.store.fork(id, at);
	} catch (error) {
		if (!(at !== undefined && error instanceof SfsError && error.code === 'NOT_FOUND')) throw error;
		const {messages} = engine.store.readMessages(id);
		const position = /^#?\d+$/.test(at) ? messages[Number(at.replace('#', '')) - 1] : undefined;
		const example = position?.msg_id ?? messages.at(-1)?.msg_id;
		throw new SfsError('NOT_FOUND', `message ${at} not found in ${id}`, {
			hint: `--at takes a message id, the last field of each heading of sfs show ${ref}${example ? `${position ? `; message #${at.replace('#', '')} is` : ', e.g.'} --at ${example}` : ''}`,
		});
	}
}
