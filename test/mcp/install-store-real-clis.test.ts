/**
 * The real agents serve the user's own store. Codex gives its MCP servers only HOME, LANG, PATH, PWD,
 * TERM, TMPDIR and USER (0.169); Gemini CLI, under GitHub Actions (GITHUB_SHA set), only a short
 * allow-list (0.61). So a store moved by SFS_HOME or the XDG dirs reaches the server only through the
 * entry's pinned env. A session captured into the moved store (its native file then deleted, so no
 * start-up capture can find it anywhere else) is found by a real run whose model (a loopback
 * endpoint) calls `search_sessions`; the same run with the entry's env removed (an install from
 * before the pin) gets no hit, because the server opens the default store.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliBinaryPath, createToolHome, ensureClis, runTool, type ToolHome} from '../support/real-clis.js';
import {cliPath} from '../cli/run-sfs.js';
import {startGeminiToolEndpoint} from './gemini-tool-endpoint.js';
import {startResponsesToolEndpoint} from './responses-tool-endpoint.js';

const homes: ToolHome[] = [];
const NATIVE_ID = '12345678-1234-4123-8123-123456789abc';
type Result = {title: string; cwd: string; hits: Array<{snippet: string}>};

beforeAll(async () => {
	await ensureClis(['codex', 'gemini']);
}, 900_000);

afterAll(() => {
	for (const home of homes) fs.rmSync(home.root, {recursive: true, force: true});
});

/** A Claude Code transcript about zebrafish, in the fake HOME's ~/.claude; returns its file. */
function writeZebrafishSession(home: string): string {
	const dir = path.join(home, '.claude', 'projects', '-work-zoo');
	fs.mkdirSync(dir, {recursive: true});
	const base = {isSidechain: false, userType: 'external', cwd: '/work/zoo', sessionId: NATIVE_ID, version: '2.1.332'};
	const file = path.join(dir, `${NATIVE_ID}.jsonl`);
	fs.writeFileSync(file, [
		{...base, parentUuid: null, type: 'user', uuid: 'a0000000-0000-4000-8000-000000000001', timestamp: '2026-11-20T09:00:00.000Z', message: {role: 'user', content: 'How do we feed the zebrafish?'}},
		{...base, parentUuid: 'a0000000-0000-4000-8000-000000000001', type: 'assistant', uuid: 'a0000000-0000-4000-8000-000000000002', timestamp: '2026-11-20T09:00:05.000Z', message: {id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'text', text: 'Twice a day, flakes.'}], stop_reason: 'end_turn', usage: {input_tokens: 1, output_tokens: 1}}},
	].map(line => JSON.stringify(line)).join('\n') + '\n');
	return file;
}

/** The search results inside what the agent handed back to the model, however it wrapped the tool's text. */
function resultsIn(value: unknown): Result[] | undefined {
	if (typeof value === 'string') {
		// Codex prefixes `Wall time: …\nOutput:\n`; Gemini CLI wraps the text in <untrusted_context> tags.
		const start = value.indexOf('{');
		if (start === -1) return undefined;
		try {
			return resultsIn(JSON.parse(value.slice(start, value.lastIndexOf('}') + 1)));
		} catch {
			return undefined;
		}
	}

	if (Array.isArray(value)) return value.map(item => resultsIn(item)).find(Boolean);
	if (!value || typeof value !== 'object') return undefined;
	const object = value as Record<string, unknown>;
	if (Array.isArray(object.results)) return object.results as Result[];
	return Object.values(object).map(item => resultsIn(item)).find(Boolean);
}

type Agent = {
	tool: 'codex' | 'gemini';
	/** Variables the agent's own environment needs for its filtering to apply. */
	extraEnv: Record<string, string>;
	start(): Promise<{url: string; outputs: string[]; close(): Promise<void>}>;
	/** The env the agent's config holds for the sfs entry. */
	configuredEnv(home: ToolHome, shell: Record<string, string>, cwd: string): Promise<unknown>;
	/** Rewrites the entry as an install from before the pin wrote it. */
	unpin(home: ToolHome): void;
	/** Settings a user might add to the entry, applied after install. */
	tune?(home: ToolHome): void;
};

const AGENTS: Agent[] = [
	{
		tool: 'codex',
		extraEnv: {},
		async start() {
			const endpoint = await startResponsesToolEndpoint('mcp__sfs', 'search_sessions', {query: 'zebrafish'});
			return {url: endpoint.url, outputs: endpoint.toolOutputs, close: endpoint.close};
		},
		async configuredEnv(_home, shell, cwd) {
			const get = await execa(cliBinaryPath('codex'), ['mcp', 'get', 'sfs', '--json'], {env: shell, extendEnv: false, cwd, reject: false, stdin: 'ignore', timeout: 60_000});
			expect(get.exitCode, get.stderr).toBe(0);
			return (JSON.parse(get.stdout) as {transport: {env: Record<string, string>}}).transport.env;
		},
		tune(home) {
			// A server starting on a fresh store captures everything first, which on a loaded machine can
			// outlast Codex's 10 s default; then Codex drops the server's tools for the run.
			const config = path.join(home.nativeRoot, 'config.toml');
			fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('[mcp_servers.sfs]\n', '[mcp_servers.sfs]\nstartup_timeout_sec = 120\n'));
		},
		unpin(home) {
			const config = path.join(home.nativeRoot, 'config.toml');
			const unpinned = fs.readFileSync(config, 'utf8').replace(/\n\[mcp_servers\.sfs\.env\]\n(?:[A-Z_]+ = .*\n)+/, '');
			expect(unpinned).not.toContain('[mcp_servers.sfs.env]');
			fs.writeFileSync(config, unpinned);
		},
	},
	{
		tool: 'gemini',
		// Gemini CLI's strict sanitization (GitHub Actions): only its allow-list reaches MCP servers.
		extraEnv: {GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567'},
		async start() {
			const endpoint = await startGeminiToolEndpoint('mcp_sfs_search_sessions', {query: 'zebrafish'});
			return {url: endpoint.url, outputs: endpoint.toolResponses, close: endpoint.close};
		},
		async configuredEnv(home) {
			return (JSON.parse(fs.readFileSync(path.join(home.nativeRoot, 'settings.json'), 'utf8')) as {mcpServers: {sfs: {env?: unknown}}}).mcpServers.sfs.env;
		},
		unpin(home) {
			const file = path.join(home.nativeRoot, 'settings.json');
			const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as {mcpServers: {sfs: {env?: unknown}}};
			delete settings.mcpServers.sfs.env;
			fs.writeFileSync(file, JSON.stringify(settings, null, 2));
		},
	},
];

const STORES: Array<[string, (root: string) => Record<string, string>]> = [
	['SFS_HOME', root => ({SFS_HOME: path.join(root, 'my store')})],
	['XDG_DATA_HOME and XDG_CONFIG_HOME', root => ({XDG_DATA_HOME: path.join(root, 'xdg', 'data'), XDG_CONFIG_HOME: path.join(root, 'xdg', 'config')})],
];

describe.each(AGENTS.flatMap(agent => STORES.map(([name, env]) => [agent.tool, name, agent, env] as const)))('%s, a store moved by %s', (_tool, _name, agent, storeEnv) => {
	test('the entry pins it, and a real run gets its answer from that store (and, unpinned, does not)', async () => {
		const endpoint = await agent.start();
		try {
			const first = await createToolHome(agent.tool, {endpointUrl: endpoint.url});
			homes.push(first);
			const project = path.join(first.root, 'project');
			fs.mkdirSync(project);
			const home = await createToolHome(agent.tool, {endpointUrl: endpoint.url, root: first.root, trustedDirs: [project]});
			const pins = storeEnv(home.root);
			// The user's shell: everything the agent needs, plus the moved store.
			const shell = {...home.env, ...agent.extraEnv, ...pins};
			const sfsRun = async (args: string[]) => execa(process.execPath, [cliPath, ...args], {env: shell, extendEnv: false, cwd: project, reject: false, stdin: 'ignore'});

			const native = writeZebrafishSession(home.home);
			const captured = await sfsRun(['capture']);
			expect(captured.exitCode, captured.stderr).toBe(0);
			fs.rmSync(native);
			const installed = await sfsRun(['mcp', 'install', '--for', agent.tool, '--json']);
			expect(installed.exitCode, installed.stderr).toBe(0);
			expect(JSON.parse(installed.stdout)).toMatchObject([{tool: agent.tool, action: 'added', pinned: pins}]);
			agent.tune?.(home);
			expect(await agent.configuredEnv(home, shell, project)).toEqual(pins);

			const run = await runTool(agent.tool, {home: {...home, env: shell}, cwd: project, prompt: 'look up how the fish were fed', timeoutMs: 120_000});
			expect(run.timedOut).toBe(false);
			expect(run.exitCode, run.stderr).toBe(0);
			expect(endpoint.outputs).toHaveLength(1);
			const hit = resultsIn(endpoint.outputs[0])?.find(result => result.cwd === '/work/zoo');
			expect(hit, endpoint.outputs[0]).toMatchObject({title: 'How do we feed the zebrafish?'});
			expect(hit!.hits[0]!.snippet).toContain('zebrafish');

			agent.unpin(home);
			const unpinned = await runTool(agent.tool, {home: {...home, env: shell}, cwd: project, prompt: 'look up how the fish were fed, again', timeoutMs: 120_000});
			expect(unpinned.exitCode, unpinned.stderr).toBe(0);
			expect(endpoint.outputs).toHaveLength(2);
			const results = resultsIn(endpoint.outputs[1]);
			expect(results, endpoint.outputs[1]).toBeDefined();
			expect(results!.filter(result => result.cwd === '/work/zoo')).toEqual([]);
		} finally {
			await endpoint.close();
		}
	}, 300_000);
});
