import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {writeFileAtomic} from '../engine/fs-atomic.js';
import {note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs, readUsableSession, resolveSession, withEngine} from './common.js';

const FORMATS = ['md', 'json', 'sfs'];

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs export <ref> [--format md|json|sfs] [-o PATH]
		  $ sfs export --all [-o PATH]

		md (the default) and json go to stdout unless -o is given. sfs writes <session_id>.sfs.tar.gz
		to -o PATH (a file, or a folder; default: the current folder). --all writes a backup of the
		whole store that "sfs import" restores.

		Options
		  --format <fmt>     md, json or sfs (default md)
		  -o, --output PATH  Where to write
		  --all              Back up every session (a .tar.gz)
		  --thinking         md: include thinking blocks
		  --no-tools         md: leave out tool calls and results
		  --json             For sfs and --all: print {"path": …, "sessions": […]} 

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
		if (flags.all) {
			if (input.length > 0) throw new SfsError('USAGE', 'export --all takes no <ref>', {hint: 'see: sfs export --help'});
			if (flags.format !== undefined && flags.format !== 'sfs') throw new SfsError('USAGE', 'export --all writes a .tar.gz backup; --format does not apply');
			const result = await withEngine(engine => archive.exportBackup(engine.store, directoryOrFile(output)));
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
		return withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			if (format === 'sfs') {
				const result = await archive.exportSessionArchive(engine.store, id, directoryOrFile(output));
				if (flags.json) printJson({path: path.resolve(result.path), sessions: result.sessions});
				else print(path.resolve(result.path));
				return 0;
			}

			const session = await readUsableSession(engine, id);
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
