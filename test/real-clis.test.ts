/**
 * End to end: the pinned real CLIs, installed outside the project if missing (CI runs `npx tsx scripts/install-clis.ts`
 * first), run offline against the loopback endpoint; each records a tool call and is then resumed non-interactively.
 */
import {existsSync, readFileSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {flattenConversation, startModelEndpoint, type ModelEndpoint} from './support/model-endpoint.js';
import {
	createGitRepo, createToolHome, ensureClis, listNativeSessionIds, nativeSessionFiles, resumeTool, runTool, TOOL_IDS, type ToolHome, type ToolId,
} from './support/real-clis.js';

const FIRST = {match: 'sfs-e2e-one', prompt: 'Show the greeting file [sfs-e2e-one]', thinking: 'Reading greeting.txt.', text: 'Printing it.', command: 'cat greeting.txt', followUp: 'It says hello-e2e.'};
const SECOND = {match: 'sfs-e2e-two', prompt: 'Thanks [sfs-e2e-two]', text: 'You are welcome.'};

let endpoint: ModelEndpoint;
const homes: ToolHome[] = [];

beforeAll(async () => {
	await ensureClis(TOOL_IDS);
	endpoint = await startModelEndpoint({script: [FIRST, SECOND]});
}, 900_000);

afterAll(async () => {
	await endpoint?.close();
	await Promise.all(homes.map(async home => rm(home.root, {recursive: true, force: true})));
});

describe.each(TOOL_IDS.map(tool => [tool]))('%s', (tool: ToolId) => {
	it('runs offline with a shell tool call, then resumes the same native session with its history', async () => {
		endpoint.clearRequests();
		const home = await createToolHome(tool, {endpointUrl: endpoint.url});
		homes.push(home);
		const cwd = await createGitRepo(join(home.root, 'repo'), {'greeting.txt': 'hello-e2e\n'});

		const first = await runTool(tool, {home, cwd, prompt: FIRST.prompt, timeoutMs: 120_000});
		expect(first.timedOut, first.stderr).toBe(false);
		expect(first.exitCode, `${first.stdout}\n${first.stderr}`).toBe(0);
		expect(first.sessionId).toBeTruthy();
		expect(listNativeSessionIds(tool, home.home)).toContain(first.sessionId);

		// The tool really ran the command and sent its output back.
		const followUp = endpoint.requests.find(request => request.replyKind === 'follow-up');
		expect(followUp, endpoint.requests.map(request => `${request.path}:${request.replyKind}`).join(' ')).toBeDefined();
		const toolResult = flattenConversation(followUp!.protocol, followUp!.body).findLast(entry => entry.kind === 'tool_result');
		expect(toolResult?.text).toContain('hello-e2e');

		const second = await resumeTool(tool, {home, cwd, id: first.sessionId!, prompt: SECOND.prompt, timeoutMs: 120_000});
		expect(second.exitCode, `${second.stdout}\n${second.stderr}`).toBe(0);
		const resumed = endpoint.requests.find(request => request.replyKind === 'step' && request.step?.match === SECOND.match);
		expect(resumed).toBeDefined();
		const history = flattenConversation(resumed!.protocol, resumed!.body);
		const texts = history.map(entry => entry.text);
		const order = [FIRST.prompt, FIRST.command, 'hello-e2e', FIRST.followUp, SECOND.prompt].map(fact => texts.findIndex(text => text.includes(fact)));
		expect(order.every(index => index >= 0), JSON.stringify(history.map(entry => `${entry.role}:${entry.kind}:${entry.text.slice(0, 60)}`))).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);

		// Both turns went to the one native session.
		const files = nativeSessionFiles(tool, home.home, first.sessionId!);
		expect(files.length).toBeGreaterThan(0);
		const stored = files.filter(file => existsSync(file)).map(file => readFileSync(file, 'utf8')).join('\n');
		expect(stored).toContain('sfs-e2e-one');
		expect(stored).toContain('sfs-e2e-two');
		expect(stored).toContain(SECOND.text);
	}, 300_000);
});
