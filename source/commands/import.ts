import {TOOL_IDS, type ToolId} from '../engine/types.js';
import {note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs import <path>
		  $ sfs import --from <tool> [path]

		<path> is an .sfs session directory (or a folder of them), a .sfs.tar.gz archive (written by
		sfs or SessionFS), or a backup from "sfs export --all". Every session is checked against the
		.sfs v0.1.0 schemas first; a bad one refuses the whole import. Imported sessions keep their ids;
		sessions already in the store are left as they are.

		With --from, <path> is a native session file or folder of that tool (a copied transcript, a
		backup of its store); without a path, the tool's own store is captured (like sfs capture --tool).

		Options
		  --from <tool>  Import native sessions of this tool (claude-code, codex, gemini, copilot,
		                 cursor, amp, cline, roo-code)
		  --json         {"imported": […], "skipped": [{"session_id", "reason"}]}

		Examples
		  $ sfs import ./ses_3f2a.sfs.tar.gz
		  $ sfs import ~/backups/sfs-backup.tar.gz
		  $ sfs import --from claude-code ~/old-laptop/.claude/projects
	`,
	flags: {json: {type: 'boolean'}, from: {type: 'string', choices: [...TOOL_IDS]}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('import', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		if (flags.from) return importNative(flags.from as ToolId, input, flags.json === true);
		expectArgs('import', input, 1, 1, 'a <path> to import');
		const {importSessions, manifestForIndex} = await import('../engine/archive.js');
		const result = await withEngine(engine =>
			importSessions(engine.store, input[0]!, (id, manifest, messages) => {
				engine.index.transaction(() => {
					engine.index.removeSession(id);
					engine.index.upsertSession(manifestForIndex(manifest, messages));
					engine.index.addMessages(id, messages, 1);
				});
			}),
		);
		for (const skip of result.skipped) note(`sfs: skipped ${skip.session_id}: ${skip.reason}`);
		if (flags.json) printJson({imported: result.imported, skipped: result.skipped});
		else {
			for (const id of result.imported) print(id);
			note(`sfs: imported ${result.imported.length} session(s)${result.skipped.length > 0 ? `, skipped ${result.skipped.length}` : ''}`);
		}

		return 0;
	},
};

export default command;

/** `sfs import --from <tool> [path]`: capture native sessions from a file or folder (or the tool's store). */
async function importNative(tool: ToolId, input: string[], json: boolean): Promise<number> {
	expectArgs('import', input, 0, 1, 'a native file or folder');
	const [{runCapture, plainAdapterContext}, {nativeSessionsAt}] = await Promise.all([import('../engine/capture-run.js'), import('../adapters/import-paths.js')]);
	const natives = input[0] === undefined ? undefined : await nativeSessionsAt(tool, input[0], plainAdapterContext(process.env));
	if (natives?.length === 0) note(`sfs: no ${tool} sessions found in ${input[0]}`);
	const report = await withEngine(async engine => runCapture(engine, {tools: [tool], natives}));
	const skipped = report.skipped.map(entry => ({session_id: entry.path, reason: entry.reason}));
	if (json) printJson({imported: report.changed_sessions, skipped, unchanged: report.unchanged});
	else {
		for (const id of report.changed_sessions) print(id);
		for (const skip of report.skipped) note(`sfs: skipped ${skip.path}: ${skip.reason}`);
		note(`sfs: imported ${report.new} new and ${report.updated} updated ${tool} session(s)${report.unchanged > 0 ? `, ${report.unchanged} unchanged` : ''}`);
	}

	return 0;
}
