/**
 * End to end with the real agents: after `sfs mcp install --for <tool>`, a real prompt run (offline,
 * against the loopback model endpoint) starts `sfs mcp serve`, and the agent offers the sfs tools to
 * the model, under each tool's own naming: Claude Code `mcp__sfs__<tool>` (deferred behind ToolSearch), Gemini CLI
 * `mcp_sfs_<tool>`, Copilot CLI `sfs-<tool>`; Codex 0.169 defers MCP tools and lists the `mcp__sfs`
 * namespace with the server's instructions.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {type ModelEndpoint, startModelEndpoint} from '../support/model-endpoint.js';
import {createToolHome, ensureClis, runTool, type ToolHome} from '../support/real-clis.js';
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
