/**
 * End to end with the real agents: after `sfs mcp install --for <tool>`, a real prompt run (offline,
 * against the loopback model endpoint) starts `sfs mcp serve`, and the agent offers the sfs tools to
 * the model, under each tool's own naming: Claude Code `mcp__sfs__<tool>` (deferred behind ToolSearch), Gemini CLI
 * `mcp_sfs_<tool>`, Copilot CLI `sfs-<tool>`; Codex 0.169 defers MCP tools and lists the `mcp__sfs`
 * namespace with the server's instructions. And one real tool call: Claude Code, driven by a scripted
 * model, loads and calls `search_sessions`, and the hit travels back to the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {type ModelEndpoint, startModelEndpoint} from '../support/model-endpoint.js';
import {cliBinaryPath, createToolHome, ensureClis, runTool, type ToolHome} from '../support/real-clis.js';
import {startToolCallingEndpoint} from './tool-calling-endpoint.js';
import {cliPath} from '../cli/run-sfs.js';

const TOOLS = ['claude-code', 'codex', 'gemini', 'copilot'] as const;
type Tool = (typeof TOOLS)[number];
const TOOL_NAMES = ['search_sessions', 'get_session_messages', 'get_file_history', 'add_knowledge'];
const naming: Record<Exclude<Tool, 'codex'>, (name: string) => string> = {
	'claude-code': name => `mcp__sfs__${name}`,
	gemini: name => `mcp_sfs_${name}`,
	copilot: name => `sfs-${name}`,
};

let endpoint: ModelEndpoint;
const homes: ToolHome[] = [];

beforeAll(async () => {
	await ensureClis([...TOOLS]);
	endpoint = await startModelEndpoint({defaultText: 'ok'});
}, 900_000);

afterAll(async () => {
	await endpoint?.close();
	for (const home of homes) fs.rmSync(home.root, {recursive: true, force: true});
});

describe.each(TOOLS.map(tool => [tool]))('%s', (tool: Tool) => {
	test('runs the installed server and offers its tools to the model', async () => {
		const first = await createToolHome(tool, {endpointUrl: endpoint.url});
		homes.push(first);
		const project = path.join(first.root, 'project');
		fs.mkdirSync(project);
		const home = await createToolHome(tool, {endpointUrl: endpoint.url, root: first.root, trustedDirs: [project]});
		const installed = await execa(process.execPath, [cliPath, 'mcp', 'install', '--for', tool], {env: {...home.env, SFS_HOME: path.join(home.root, 'sfs')}, extendEnv: false, reject: false, stdin: 'ignore'});
		expect(installed.exitCode, installed.stderr).toBe(0);

		endpoint.clearRequests();
		const run = await runTool(tool, {home, cwd: project, prompt: `hello from the sfs mcp test (${tool})`, timeoutMs: 120_000});
		expect(run.timedOut).toBe(false);
		const bodies = endpoint.conversationRequests().map(request => JSON.stringify(request.body));
		expect(bodies.length).toBeGreaterThan(0);
		const all = bodies.join('\n');
		if (tool === 'codex') {
			expect(/Deferred tool namespaces:[^"]*- mcp__sfs: Past coding-agent sessions/.test(all), 'mcp__sfs namespace').toBe(true);
		} else {
			// Claude Code 2.1.332 defers MCP tools behind ToolSearch (names listed, schemas on demand); the others send schemas.
			for (const name of TOOL_NAMES) expect(all.includes(tool === 'claude-code' ? `\\n${naming[tool](name)}\\n` : `"name":"${naming[tool](name)}"`), naming[tool](name)).toBe(true);
		}
	}, 300_000);
});

describe('claude-code calls an sfs tool', () => {
	test('the model asks for search_sessions; Claude Code runs it through sfs mcp serve and returns the hit to the model', async () => {
		const tools = await startToolCallingEndpoint('mcp__sfs__search_sessions', {query: 'zebrafish'});
		try {
			const first = await createToolHome('claude-code', {endpointUrl: tools.url});
			homes.push(first);
			const project = path.join(first.root, 'project');
			fs.mkdirSync(project);
			const home = await createToolHome('claude-code', {endpointUrl: tools.url, root: first.root, trustedDirs: [project]});
			// A native session for sfs to capture and find (sfs's data dir follows the agent's XDG_DATA_HOME).
			const nativeId = '12345678-1234-4123-8123-123456789abc';
			const dir = path.join(home.nativeRoot, 'projects', '-work-zoo');
			fs.mkdirSync(dir, {recursive: true});
			const base = {isSidechain: false, userType: 'external', cwd: '/work/zoo', sessionId: nativeId, version: '2.1.332'};
			fs.writeFileSync(path.join(dir, `${nativeId}.jsonl`), [
				{...base, parentUuid: null, type: 'user', uuid: 'a0000000-0000-4000-8000-000000000001', timestamp: '2026-11-20T09:00:00.000Z', message: {role: 'user', content: 'How do we feed the zebrafish?'}},
				{...base, parentUuid: 'a0000000-0000-4000-8000-000000000001', type: 'assistant', uuid: 'a0000000-0000-4000-8000-000000000002', timestamp: '2026-11-20T09:00:05.000Z', message: {id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'text', text: 'Twice a day, flakes.'}], stop_reason: 'end_turn', usage: {input_tokens: 1, output_tokens: 1}}},
			].map(line => JSON.stringify(line)).join('\n') + '\n');
			const sfsRun = async (args: string[]) => execa(process.execPath, [cliPath, ...args], {env: home.env, extendEnv: false, reject: false, stdin: 'ignore'});
			expect((await sfsRun(['capture'])).exitCode).toBe(0);
			expect((await sfsRun(['mcp', 'install', '--for', 'claude-code'])).exitCode).toBe(0);

			const run = await execa(cliBinaryPath('claude-code'), ['-p', 'find the zebrafish session', '--allowedTools', 'mcp__sfs__search_sessions', 'ToolSearch', '--output-format', 'json'], {env: home.env, extendEnv: false, cwd: project, reject: false, stdin: 'ignore', timeout: 120_000});
			expect(run.exitCode, run.stderr).toBe(0);
			expect(tools.toolResults).toHaveLength(1);
			const sent = JSON.parse(tools.toolResults[0]!.content.split('\n\n<system-reminder>')[0]!) as {results: Array<{title: string; cwd: string; hits: Array<{snippet: string}>}>};
			// The server's start-up capture may also have picked up this very run's transcript ("find the zebrafish session").
			const hit = sent.results.find(result => result.cwd === '/work/zoo');
			expect(hit).toMatchObject({title: 'How do we feed the zebrafish?'});
			expect(hit!.hits[0]!.snippet).toContain('zebrafish');
		} finally {
			await tools.close();
		}
	}, 300_000);
});
