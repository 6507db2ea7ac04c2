import {TOOL_IDS, type ToolId} from '../engine/types.js';
import {note, print, printJson, progressLine, warn} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs import <path>
		  $ sfs import <handoff bundle>
		  $ sfs import --from <tool> [path]

		<path> is an .sfs session directory (or a folder of them), a .sfs.tar.gz archive (written by
		sfs or SessionFS), or a backup from "sfs export --all". Every session is checked against the
		.sfs v0.1.0 schemas first; a bad one refuses the whole import. Imported sessions keep their ids;
		sessions already in the store are left as they are.

		A handoff bundle ("sfs handoff <ref> --bundle FILE") is recognised by its content: its ed25519
		signature is verified (a changed file is refused), the signer's key fingerprint is shown as
		"first seen" or "known" (keys are remembered in known-signers.json in the sfs config folder)
		with the email the sender stated, and what differs here from the sender's workspace (git
		remote, branch, commit, rules hash) is listed, like "sfs pull-handoff" does.

		With --from, <path> is a native session file or folder of that tool (a copied transcript, a
		backup of its store); without a path, the tool's own store is captured (like sfs capture --tool).

		Options
		  --from <tool>  Import native sessions of this tool (claude-code, codex, gemini, copilot,
		                 cursor, amp, cline, roo-code)
		  --json         {"imported": […], "skipped": [{"session_id", "reason"}]}; for a bundle also
		                 "signer", "message", "folder", "differences"

		Examples
		  $ sfs import ./ses_3f2a.sfs.tar.gz
		  $ sfs import ~/backups/sfs-backup.tar.gz
		  $ sfs import ~/Downloads/handoff.sfs-bundle
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
		const {looksLikeBundle} = await import('../sync/bundle.js');
		if (looksLikeBundle(input[0]!)) return importHandoffBundle(input[0]!, flags.json === true);
		const {importSessions, manifestForIndex} = await import('../engine/archive.js');
		const progress = process.stderr.isTTY ? progressLine() : undefined;
		const result = await withEngine(async engine => {
			try {
				return await importSessions(
					engine.store,
					input[0]!,
					(id, manifest, messages) => {
						engine.index.transaction(() => {
							engine.index.removeSession(id);
							engine.index.upsertSession(manifestForIndex(manifest, messages));
							engine.index.addMessages(id, messages, 1);
						});
					},
					progress && (({phase, done, total}) => progress.update(phase, done, total)),
				);
			} finally {
				progress?.done();
			}
		});
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

/** `sfs import <bundle>`: verify, say who signed, take the session, list what differs here. */
async function importHandoffBundle(file: string, json: boolean): Promise<number> {
	const {importBundle} = await import('../sync/bundle-transfer.js');
	const {trustWords} = await import('../sync/known-signers.js');
	const result = await withEngine(async engine => importBundle(engine, file, process.cwd()));
	for (const line of result.warnings) warn(line);
	if (json) {
		const {workspace: _workspace, ...rest} = result;
		// Taken before with nothing new: skipped, as a directory or archive import reports it.
		const unchanged = !result.created && result.added === 0;
		printJson({imported: unchanged ? [] : [result.session_id], skipped: unchanged ? [{session_id: result.session_id, reason: 'already in the store'}] : [], ...rest});
		return 0;
	}

	const {signer} = result;
	print(`${result.session_id} from ${signer.email ?? 'unknown'} (${result.message_count} message(s), ${result.added} new)`);
	print(`signed by ${signer.fingerprint} (${trustWords(signer.trust)})${signer.email ? `; the sender says they are ${signer.email}` : ''}`);
	if (result.message) print(`message: ${result.message}`);
	if (result.differences.length === 0) print(`workspace: same as the sender's (${result.folder})`);
	else for (const line of result.differences) print(`differs: ${line}`);
	note(`sfs: continue with: sfs resume ${result.session_id}`);
	return 0;
}

/** `sfs import --from <tool> [path]`: capture native sessions from a file or folder (or the tool's store). */
async function importNative(tool: ToolId, input: string[], json: boolean): Promise<number> {
	expectArgs('import', input, 0, 1, 'a native file or folder');
	const [{runCapture, plainAdapterContext}, {nativeSessionsAt}] = await Promise.all([import('../engine/capture-run.js'), import('../adapters/import-paths.js')]);
	const natives = input[0] === undefined ? undefined : await nativeSessionsAt(tool, input[0], plainAdapterContext(process.env));
	if (natives?.length === 0) note(`sfs: no ${tool} sessions found in ${input[0]}`);
	const report = await withEngine(async engine => runCapture(engine, {tools: [tool], natives}));
	const skipped = report.skipped.map(entry => ({session_id: entry.path, reason: entry.reason}));
	if (json) printJson({imported: report.changed_sessions, skipped, unchanged: report.unchanged, empty: report.empty});
	else {
		for (const id of report.changed_sessions) print(id);
		for (const skip of report.skipped) note(`sfs: skipped ${skip.path}: ${skip.reason}`);
		const empty = report.empty > 0 ? `; ${report.empty} held no messages (not imported)` : '';
		note(`sfs: imported ${report.new} new and ${report.updated} updated ${tool} session(s)${report.unchanged > 0 ? `, ${report.unchanged} unchanged` : ''}${empty}`);
	}

	return 0;
}
