/**
 * Where and how each coding agent keeps its MCP servers (checked 2026-11-25 against the tools'
 * docs and, for Claude Code, Codex and Gemini CLI, their own `mcp list`):
 * - Claude Code: user scope in `~/.claude.json` (`$CLAUDE_CONFIG_DIR/.claude.json` when set), project
 *   scope in `.mcp.json`; key `mcpServers`, entries `{type: "stdio", command, args, env}`.
 * - Codex: `$CODEX_HOME/config.toml` (default ~/.codex), table `[mcp_servers.<name>]` with `command`, `args`;
 *   project scope `.codex/config.toml` (read in trusted projects).
 * - Gemini CLI: `~/.gemini/settings.json` (home from GEMINI_CLI_HOME), project `.gemini/settings.json`; `mcpServers`.
 * - Copilot CLI: `$COPILOT_HOME/mcp-config.json` (default ~/.copilot); `mcpServers`, entries `{type: "local", command, args, tools: ["*"]}`;
 *   workspace servers from `.mcp.json` or `.github/mcp.json` in trusted folders (`copilot mcp list`, 1.0.102: `.mcp.json` wins).
 * - Cursor: `~/.cursor/mcp.json`, project `.cursor/mcp.json`; `mcpServers`.
 * - Amp: `~/.config/amp/settings.json` (XDG_CONFIG_HOME), project `.amp/settings.json`; the flat key `"amp.mcpServers"`.
 * - Cline: the VS Code extension's `globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json` (per
 *   editor), and the Cline CLI's `~/.cline/data/settings/cline_mcp_settings.json` (CLINE_MCP_SETTINGS_PATH,
 *   CLINE_DATA_DIR); `mcpServers`, entries with `disabled`.
 * - Roo Code: `globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json` (per editor), project `.roo/mcp.json`.
 * Every one of these entries takes an `env` object (Codex: the `[mcp_servers.<name>.env]` table, which is what
 * `codex mcp add --env` writes); install pins the store there (store-env.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import {editorUserDirs, CLINE_EXTENSION_ID, ROO_CODE_EXTENSION_ID} from '../adapters/vscode-tasks.js';
import {SfsError} from '../engine/errors.js';
import {homeDir} from '../engine/paths.js';

export const INSTALL_TOOLS = ['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp', 'cline', 'roo-code'] as const;
export type InstallTool = (typeof INSTALL_TOOLS)[number];
export type Scope = 'user' | 'project';

/** How the server is started: an absolute executable, its arguments and the environment pinned for it (store-env.ts). */
export type ServerCommand = {command: string; args: string[]; env?: Record<string, string>};

export type Place = {env: NodeJS.ProcessEnv; cwd: string; platform: NodeJS.Platform};

export type Target = {
	tool: InstallTool;
	name: string;
	format: 'json' | 'toml';
	/** JSON: the key holding the servers (one key, which may itself contain a dot); TOML: the table path. */
	key: string[];
	/** The files to write for a scope (several for editor extensions installed in several editors). */
	files(scope: Scope, place: Place): string[];
	/** The server entry in this tool's own shape. */
	entry(server: ServerCommand, scope: Scope): Record<string, unknown>;
};

const pinnedEnv = (server: ServerCommand) => (server.env && Object.keys(server.env).length > 0 ? {env: server.env} : {});
const stdio = (server: ServerCommand) => ({command: server.command, args: server.args, ...pinnedEnv(server)});
/** Claude Code's shape (also Copilot's in the shared `.mcp.json`): `env` always present. */
const claudeEntry = (server: ServerCommand) => ({type: 'stdio', command: server.command, args: server.args, env: server.env ?? {}});

function unsupported(tool: string, scope: Scope): never {
	throw new SfsError('USAGE', `${tool} has no ${scope}-scope MCP configuration`, {hint: 'use --scope user'});
}

function xdgConfig(env: NodeJS.ProcessEnv): string {
	return env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : path.join(homeDir(env), '.config');
}

/** The extension's settings file in every editor it is installed in; VS Code's when none. */
function extensionSettings(place: Place, extensionId: string, fileName: string): string[] {
	const dirs = editorUserDirs({env: place.env, home: homeDir(place.env), platform: place.platform} as Parameters<typeof editorUserDirs>[0]);
	const installed = dirs.filter(dir => fs.existsSync(path.join(dir, 'globalStorage', extensionId)));
	return (installed.length > 0 ? installed : dirs.slice(0, 1)).map(dir => path.join(dir, 'globalStorage', extensionId, 'settings', fileName));
}

export const TARGETS: Record<InstallTool, Target> = {
	'claude-code': {
		tool: 'claude-code',
		name: 'Claude Code',
		format: 'json',
		key: ['mcpServers'],
		files(scope, {env, cwd}) {
			if (scope === 'project') return [path.join(cwd, '.mcp.json')];
			const dir = env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.length > 0 ? env.CLAUDE_CONFIG_DIR : homeDir(env);
			return [path.join(dir, '.claude.json')];
		},
		entry: claudeEntry,
	},
	codex: {
		tool: 'codex',
		name: 'Codex',
		format: 'toml',
		key: ['mcp_servers', 'sfs'],
		files(scope, {env, cwd}) {
			if (scope === 'project') return [path.join(cwd, '.codex', 'config.toml')];
			return [path.join(env.CODEX_HOME && env.CODEX_HOME.length > 0 ? env.CODEX_HOME : path.join(homeDir(env), '.codex'), 'config.toml')];
		},
		entry: stdio,
	},
	gemini: {
		tool: 'gemini',
		name: 'Gemini CLI',
		format: 'json',
		key: ['mcpServers'],
		files(scope, {env, cwd}) {
			const home = env.GEMINI_CLI_HOME && env.GEMINI_CLI_HOME.length > 0 ? env.GEMINI_CLI_HOME : homeDir(env);
			return [path.join(scope === 'project' ? cwd : home, '.gemini', 'settings.json')];
		},
		entry: stdio,
	},
	copilot: {
		tool: 'copilot',
		name: 'Copilot CLI',
		format: 'json',
		key: ['mcpServers'],
		files(scope, {env, cwd}) {
			// Workspace servers: `.mcp.json` (which wins over `.github/mcp.json`), shared with Claude Code.
			if (scope === 'project') return [path.join(cwd, '.mcp.json')];
			return [path.join(env.COPILOT_HOME && env.COPILOT_HOME.length > 0 ? env.COPILOT_HOME : path.join(homeDir(env), '.copilot'), 'mcp-config.json')];
		},
		// In the shared `.mcp.json` the entry is Claude Code's (Copilot reads `stdio` as local, all tools), so the two never fight over it.
		entry: (server, scope) => (scope === 'project' ? claudeEntry(server) : {type: 'local', ...stdio(server), tools: ['*']}),
	},
	cursor: {
		tool: 'cursor',
		name: 'Cursor',
		format: 'json',
		key: ['mcpServers'],
		files: (scope, {env, cwd}) => [path.join(scope === 'project' ? cwd : homeDir(env), '.cursor', 'mcp.json')],
		entry: stdio,
	},
	amp: {
		tool: 'amp',
		name: 'Amp',
		format: 'json',
		key: ['amp.mcpServers'],
		files(scope, {env, cwd}) {
			const dir = scope === 'project' ? path.join(cwd, '.amp') : path.join(xdgConfig(env), 'amp');
			const plain = path.join(dir, 'settings.json');
			const withComments = path.join(dir, 'settings.jsonc');
			return [!fs.existsSync(plain) && fs.existsSync(withComments) ? withComments : plain];
		},
		entry: stdio,
	},
	cline: {
		tool: 'cline',
		name: 'Cline',
		format: 'json',
		key: ['mcpServers'],
		files(scope, place) {
			if (scope === 'project') unsupported('Cline', scope);
			const {env} = place;
			const files = extensionSettings(place, CLINE_EXTENSION_ID, 'cline_mcp_settings.json');
			const dataDir = env.CLINE_DATA_DIR && env.CLINE_DATA_DIR.length > 0 ? env.CLINE_DATA_DIR : path.join(homeDir(env), '.cline', 'data');
			const cli = env.CLINE_MCP_SETTINGS_PATH && env.CLINE_MCP_SETTINGS_PATH.length > 0 ? env.CLINE_MCP_SETTINGS_PATH : path.join(dataDir, 'settings', 'cline_mcp_settings.json');
			// The Cline CLI only when it is installed (its data dir exists), so a VS Code-only user gets no stray file.
			if (fs.existsSync(dataDir) || fs.existsSync(cli)) files.push(cli);
			return files;
		},
		entry: server => ({...stdio(server), disabled: false}),
	},
	'roo-code': {
		tool: 'roo-code',
		name: 'Roo Code',
		format: 'json',
		key: ['mcpServers'],
		files(scope, place) {
			if (scope === 'project') return [path.join(place.cwd, '.roo', 'mcp.json')];
			return extensionSettings(place, ROO_CODE_EXTENSION_ID, 'mcp_settings.json');
		},
		entry: server => ({...stdio(server), disabled: false}),
	},
};
