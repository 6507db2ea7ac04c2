import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {writeFileAtomic} from '../engine/fs-atomic.js';
import {RESUME_TARGETS, type ResumeTarget} from '../engine/types.js';
import {note, print, printJson, progressLine, warn} from '../output.js';
import type {Engine} from '../engine/open-engine.js';
import {type CommandModule, type CommandSpec, parseArgs, readUsableSession, resolveSession, withEngine} from './common.js';

const FORMATS = ['md', 'json', 'sfs', ...RESUME_TARGETS];

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs export <ref> [--format md|json|sfs|<tool>] [-o PATH]
		  $ sfs export --all [-o PATH]

		md (the default) and json go to stdout unless -o is given. sfs writes <session_id>.sfs.tar.gz
		to -o PATH (a file, or a folder; default: the current folder). --all writes a backup of the
		whole store that "sfs import" restores. A tool name (claude-code, codex, gemini, copilot)
		writes the session in that tool's native format under the folder -o PATH.

		Everything exported passes the DLP gate (sfs dlp policy show): secrets block the export by
		default; under "redact" the exported copy holds [REDACTED:<kind>] placeholders instead.

		Options
		  --format <fmt>     md, json, sfs or a tool's native format (default md)
		  -o, --output PATH  Where to write
		  --all              Back up every session (a .tar.gz)
		  --thinking         md: include thinking blocks
		  --no-tools         md: leave out tool calls and results
		  --json             For sfs and --all: print {"path": …, "sessions": […]} (the session itself: --format json) 
		  --allow-secrets    Export secrets unredacted this once, whatever the DLP policy says

		Examples
		  $ sfs export rate-limit-fix > fix.md
		  $ sfs export ses_3f2a --format sfs -o ~/shared/
		  $ sfs export --all -o backup.tar.gz
	`,
	flags: {
		format: {type: 'string', choices: FORMATS},
		output: {type: 'string', shortFlag: 'o'},
		all: {type: 'boolean'},
		thinking: {type: 'boolean'},
		tools: {type: 'boolean'},
		json: {type: 'boolean'},
		allowSecrets: {type: 'boolean'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('export', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		const output = flags.output as string | undefined;
		const archive = await import('../engine/archive.js');
		const {enforce, gateSession} = await import('../engine/dlp/gate.js');
		const {gateStoredSessions} = await import('../engine/dlp/gate-store.js');
		const gateContext = {egress: 'export', allowSecrets: flags.allowSecrets === true};
		if (flags.all) {
			if (input.length > 0) throw new SfsError('USAGE', 'export --all takes no <ref>', {hint: 'see: sfs export --help'});
			if (flags.format !== undefined && flags.format !== 'sfs') throw new SfsError('USAGE', 'export --all writes a .tar.gz backup; --format does not apply');
			const progress = process.stderr.isTTY ? progressLine() : undefined;
			const result = await withEngine(async engine => {
				const gated = gateStoredSessions(engine.store, engine.store.listIds(), gateContext, progress && ((done, total) => progress.update('dlp check', done, total)));
				try {
					progress?.done();
					enforce(gated.outcome, warn);
					return await archive.exportBackup(gated.store, directoryOrFile(output), undefined, progress && ((done, total) => progress.update(done < total ? 'validating' : 'packing', done, total)));
				} finally {
					progress?.done();
					gated.cleanup();
				}
			});
			for (const skip of result.skipped) note(`sfs: skipped session ${skip.session_id}: ${skip.reason}`);
			if (flags.json) printJson({path: path.resolve(result.path), sessions: result.sessions, skipped: result.skipped});
			else {
				print(path.resolve(result.path));
				note(`sfs: backed up ${result.sessions.length} session(s)`);
			}

			return 0;
		}

		if (input.length !== 1) {
			throw new SfsError('USAGE', input.length === 0 ? 'export: missing a session <ref>' : `export: unexpected argument ${JSON.stringify(input[1])}`, {hint: 'or --all for a backup'});
		}

		const format = (flags.format as string | undefined) ?? 'md';
		// --json describes what an archive export wrote; on md it would silently print Markdown into `| jq`.
		if (flags.json && format !== 'sfs' && format !== 'json') {
			throw new SfsError('USAGE', `export: --json goes with --format sfs or --all (--format ${format} prints ${format === 'md' ? 'Markdown' : 'the paths it wrote'})`, {
				hint: 'for the session as JSON: sfs export <ref> --format json',
			});
		}

		return withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			if (format === 'sfs') {
				const gated = gateStoredSessions(engine.store, [id], gateContext);
				let result: Awaited<ReturnType<typeof archive.exportSessionArchive>>;
				try {
					enforce(gated.outcome, warn);
					result = await archive.exportSessionArchive(gated.store, id, directoryOrFile(output));
				} finally {
					gated.cleanup();
				}

				if (flags.json) printJson({path: path.resolve(result.path), sessions: result.sessions});
				else print(path.resolve(result.path));
				return 0;
			}

			if ((RESUME_TARGETS as readonly string[]).includes(format)) return exportNative(engine, id, format as ResumeTarget, output, gateContext.allowSecrets);
			const read = await readUsableSession(engine, id);
			const gated = gateSession({manifest: read.manifest, messages: read.messages, workspace: read.workspace, tools: read.tools}, gateContext);
			enforce(gated, warn);
			const session = gated.session;
			let text: string;
			if (format === 'json') {
				text = `${JSON.stringify({manifest: session.manifest, messages: session.messages}, null, 2)}\n`;
			} else {
				const {sessionToMarkdown} = await import('../engine/markdown-export.js');
				text = sessionToMarkdown(session.manifest, session.messages, {thinking: flags.thinking === true, tools: flags.tools !== false});
			}

			if (output) {
				const file = isDirectoryTarget(output) ? path.join(output, `${id}.${format}`) : output;
				writeFileAtomic(file, text);
				note(`sfs: wrote ${path.resolve(file)}`);
			} else process.stdout.write(text);
			return 0;
		});
	},
};

export default command;

/** The session as a new native session of `target`, written under the folder `output` (resume's writer, gated there). */
async function exportNative(engine: Engine, id: string, target: ResumeTarget, output: string | undefined, allowSecrets: boolean): Promise<number> {
	const {planResume} = await import('../engine/resume.js');
	const {loadWriter} = await import('../adapters/writers.js');
	const {plainAdapterContext} = await import('../engine/capture-run.js');
	const outDir = path.resolve(output ?? process.cwd());
	fs.mkdirSync(outDir, {recursive: true, mode: 0o700});
	const recorded = engine.store.readManifest(id).metadata?.cwd;
	// The export goes to a folder, not a launch: a session whose directory is gone is still exportable.
	const cwd = typeof recorded === 'string' && fs.existsSync(recorded) ? undefined : process.cwd();
	const plan = await planResume(engine, id, {target, outDir, cwd, allowSecrets}, loadWriter, plainAdapterContext(process.env));
	for (const line of plan.warnings) warn(line);
	for (const file of plan.files) print(path.resolve(file));
	return 0;
}

/** An existing folder, or a path ending in a slash (created). */
function isDirectoryTarget(target: string): boolean {
	if (/[/\\]$/.test(target)) {
		fs.mkdirSync(target, {recursive: true, mode: 0o700});
		return true;
	}

	return fs.existsSync(target) && fs.statSync(target).isDirectory();
}

/** Where archives go: the current folder by default; a folder target is created when written with a trailing slash. */
function directoryOrFile(output: string | undefined): string {
	if (output === undefined) return process.cwd();
	isDirectoryTarget(output);
	return output;
}
