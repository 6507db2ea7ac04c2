/**
 * The compiled rules in the real CLIs (pinned, offline against the loopback endpoint): each tool's first
 * model request carries the rules exactly once — the hub reaches it, and the pointers, imports and copies
 * do not make a second copy.
 */
import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadRules, saveConfig} from '../../source/engine/rules/canonical.js';
import {compileRules} from '../../source/engine/rules/compile.js';
import {RULES_TOOLS, type RulesTool} from '../../source/engine/rules/tools.js';
import {startModelEndpoint, type ModelEndpoint} from '../support/model-endpoint.js';
import {createGitRepo, createToolHome, ensureClis, runTool, TOOL_IDS, type ToolHome, type ToolId} from '../support/real-clis.js';

const MARKER = 'sfs-rule-marker-7f3a';
const RULE = `# House rules\n\nEvery answer ends with the word ${MARKER}.\n`;

let endpoint: ModelEndpoint;
const homes: ToolHome[] = [];

beforeAll(async () => {
	await ensureClis(TOOL_IDS);
	endpoint = await startModelEndpoint({defaultText: 'Noted.'});
}, 900_000);

afterAll(async () => {
	await endpoint?.close();
	await Promise.all(homes.map(async home => rm(home.root, {recursive: true, force: true})));
});

/** Every target (Claude Code and Gemini CLI get identical copies), and a set without Copilot (they import AGENTS.md). */
const TARGET_SETS: Array<[string, RulesTool[]]> = [
	['every target compiled', [...RULES_TOOLS]],
	['no Copilot among the targets', ['claude-code', 'codex', 'gemini', 'cline']],
];

describe.each(TOOL_IDS.flatMap(tool => TARGET_SETS.filter(([, tools]) => tools.includes(tool)).map(([name, tools]) => [tool, name, tools] as const)))('%s, %s', (tool: ToolId, _name: string, tools: RulesTool[]) => {
	it('reads the compiled rules exactly once', async () => {
		endpoint.clearRequests();
		const home = await createToolHome(tool, {endpointUrl: endpoint.url});
		homes.push(home);
		const cwd = await createGitRepo(join(home.root, 'repo'), {'.sfs/rules/01-house.md': RULE});
		saveConfig(cwd, {version: 1, tools});
		expect(compileRules(loadRules(cwd)!).written.length).toBeGreaterThan(0);

		const run = await runTool(tool, {home, cwd, prompt: 'Say hello [sfs-rules-probe]', timeoutMs: 120_000});
		expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
		const first = endpoint.conversationRequests().find(request => JSON.stringify(request.body).includes('sfs-rules-probe'));
		expect(first, endpoint.requests.map(request => `${request.path}:${request.replyKind}`).join(' ')).toBeDefined();
		const body = JSON.stringify(first!.body);
		expect(body.split(MARKER).length - 1).toBe(1);
	});
});
