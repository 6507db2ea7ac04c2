import {SfsError} from '../engine/errors.js';
import {note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs mcp serve                      Run the MCP server on stdio (what agents launch)
		  $ sfs mcp install --for <tool>       Register it in a coding agent's MCP config
		  $ sfs mcp uninstall [--for <tool>]   Remove it again (default: from every tool)

		Tools: claude-code, codex, gemini, copilot, cursor, amp, cline, roo-code, or all
		(comma-separate several). The agent runs sfs by absolute path, so PATH does not matter.
		A second install changes nothing; a stale entry is repaired; other servers are kept;
		every changed file gets a backup next to it (<file>.sfs-backup-<time>).

		The entry pins this shell's store in the server's env, because some agents do not
		pass their environment on (Codex passes only HOME, PATH and a few more): SFS_HOME,
		XDG_DATA_HOME, XDG_CONFIG_HOME and the agents' homes (CLAUDE_CONFIG_DIR, CODEX_HOME,
		COPILOT_HOME, GEMINI_CLI_HOME, CLINE_DIR, CLINE_DATA_DIR, CLINE_SESSION_DATA_DIR),
		each when set to other than its default. Nothing is pinned for a default set-up. An
		entry pinning another store is repaired; run install again after moving the store.

		Options
		  --for <tool>       Which agent(s) to configure
		  --scope <scope>    user (default) or project (the current directory's config)
		  --no-capture       serve: skip the capture pass at start-up
		  --json             install/uninstall: print what changed as JSON (install: "pinned")

		Examples
		  $ sfs mcp install --for claude-code
		  $ sfs mcp install --for all --scope project
		  $ sfs mcp uninstall --for codex
	`,
	flags: {
		for: {type: 'string'},
		scope: {type: 'string', choices: ['user', 'project']},
		capture: {type: 'boolean'},
		json: {type: 'boolean'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('mcp', argv, spec);
		if (!parsed) return 0;
		const {input, flags} = parsed;
		const action = input[0];
		if (action === 'serve') {
			expectArgs('mcp serve', input.slice(1), 0, 0, '');
			if (flags.for !== undefined || flags.scope !== undefined || flags.json !== undefined) throw new SfsError('USAGE', 'mcp serve takes only --no-capture');
			const {serveStdio} = await import('../mcp/serve.js');
			await serveStdio({capture: flags.capture !== false, version: await packageVersion()});
			return 0;
		}

		if (action === 'install' || action === 'uninstall') {
			expectArgs(`mcp ${action}`, input.slice(1), 0, 0, '');
			if (flags.capture !== undefined) throw new SfsError('USAGE', '--no-capture is for mcp serve');
			const forTools = typeof flags.for === 'string' ? flags.for : action === 'uninstall' ? 'all' : undefined;
			if (!forTools) throw new SfsError('USAGE', 'mcp install: missing --for <tool>', {hint: 'e.g. sfs mcp install --for claude-code (or --for all)'});
			const {install, uninstall, toolsFor} = await import('../mcp/install.js');
			const options = {scope: (flags.scope as 'user' | 'project' | undefined) ?? 'user', place: {env: process.env, cwd: process.cwd(), platform: process.platform}};
			const tools = toolsFor(forTools);
			const changes = action === 'install' ? install(tools, options) : uninstall(tools, options);
			if (flags.json) printJson(changes);
			else {
				for (const change of changes) print(`${change.tool.padEnd(12)} ${change.action.padEnd(9)} ${change.file}${change.backup ? `  (backup: ${change.backup})` : ''}`);
				const pinned = changes.find(change => change.pinned && Object.keys(change.pinned).length > 0)?.pinned;
				if (pinned) print(`pinned in the server's env: ${Object.entries(pinned).map(([name, value]) => `${name}=${value}`).join(' ')}`);
			}
			const failed = changes.filter(change => change.action === 'failed');
			for (const change of failed) note(`sfs: ${change.tool}: ${change.error}`);
			return failed.length > 0 ? 1 : 0;
		}

		if (action === undefined) throw new SfsError('USAGE', 'mcp: missing serve, install or uninstall', {hint: 'see: sfs mcp --help'});
		throw new SfsError('USAGE', `mcp: unknown action ${JSON.stringify(action)}`, {hint: 'use serve, install or uninstall'});
	},
};

export default command;

async function packageVersion(): Promise<string> {
	const [fs, path, {fileURLToPath}] = await Promise.all([import('node:fs'), import('node:path'), import('node:url')]);
	try {
		const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
		return (JSON.parse(fs.readFileSync(file, 'utf8')) as {version?: string}).version ?? '0.0.0';
	} catch {
		return '0.0.0';
	}
}
