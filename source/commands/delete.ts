import {errorLine, SfsError} from '../engine/errors.js';
import {note, printable, printJson} from '../output.js';
import {assertCanConfirm, confirm, type CommandModule, type CommandSpec, expectArgs, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs delete <ref> [--yes]

		Deletes the session from sfs (the tool's own files are not touched). A tombstone is kept so that
		capture does not bring it back. Asks first unless --yes.

		Options
		  --yes    Do not ask
		  --json   {"deleted": "<session_id>"}

		Examples
		  $ sfs delete ses_3f2a --yes
	`,
	flags: {yes: {type: 'boolean', shortFlag: 'y'}, json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('delete', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('delete', input, 1, 1, 'a session <ref>');
		assertCanConfirm(flags.yes === true);
		const deleted = await withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			// A damaged manifest (which doctor says to delete) is described from the index's row instead.
			const row = engine.index.getSession(id);
			let shown: {title?: string | null; tool?: string; messages?: number};
			try {
				const manifest = engine.store.readManifest(id);
				shown = {title: manifest.title, tool: manifest.source.tool, messages: manifest.stats?.message_count};
			} catch (error) {
				if (!(error instanceof SfsError && error.code === 'INVALID_SESSION')) throw error;
				note(`sfs: ${errorLine(error)}`);
				shown = {title: row?.title, tool: row?.tool, messages: row?.message_count};
			}

			note(`sfs: will delete ${id} "${printable(shown.title ?? '(untitled)')}" (${shown.tool ?? 'unknown tool'}, ${shown.messages ?? '?'} messages)`);
			if (!(await confirm('Delete this session?', flags.yes === true))) return undefined;
			engine.store.delete(id, {tool: row?.tool, native_id: row?.native_id});
			engine.index.removeSession(id);
			return id;
		});
		if (!deleted) {
			note('sfs: nothing deleted');
			return 1;
		}

		if (flags.json) printJson({deleted});
		else note(`sfs: deleted ${deleted}`);
		return 0;
	},
};

export default command;
