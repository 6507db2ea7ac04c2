/**
 * The insight commands in-process over a temp store (SFS_HOME, HOME and XDG dirs point into a temp
 * dir): summary, audit with verdicts, show --cost, list --json costs, and --narrative / --judge against
 * a loopback LLM endpoint written here (Anthropic Messages and OpenAI-compatible chat completions).
 */
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import audit from '../../source/commands/audit.js';
import list from '../../source/commands/list.js';
import show from '../../source/commands/show.js';
import summary from '../../source/commands/summary.js';
import {Store} from '../../source/engine/store.js';
import {SessionBuilder} from './build.js';

type Recorded = {path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown>};
let server: http.Server;
let baseUrl: string;
const requests: Recorded[] = [];
let nextReply: (request: Recorded) => string;

beforeAll(async () => {
	server = http.createServer((req, res) => {
		let raw = '';
		req.on('data', chunk => (raw += chunk));
		req.on('end', () => {
			const request = {path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Record<string, unknown>};
			requests.push(request);
			const text = nextReply(request);
			res.setHeader('content-type', 'application/json');
			if (request.path === '/v1/messages') res.end(JSON.stringify({id: 'msg_stub', type: 'message', role: 'assistant', model: request.body.model, content: [{type: 'text', text}], stop_reason: 'end_turn'}));
			else if (request.path === '/v1/chat/completions') res.end(JSON.stringify({id: 'chatcmpl', model: request.body.model, choices: [{index: 0, message: {role: 'assistant', content: text}, finish_reason: 'stop'}]}));
			else {
				res.statusCode = 404;
				res.end('{}');
			}
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise(resolve => server.close(resolve));
});

let root: string;
const saved: Record<string, string | undefined> = {};
const ENV_KEYS = ['HOME', 'SFS_HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'SFS_LLM_API_KEY', 'NO_COLOR'];

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-insight-cmd-'));
	for (const key of ENV_KEYS) saved[key] = process.env[key];
	process.env.HOME = path.join(root, 'home');
	process.env.SFS_HOME = path.join(root, 'sfs');
	process.env.XDG_DATA_HOME = path.join(root, 'home', '.local', 'share');
	process.env.XDG_CONFIG_HOME = path.join(root, 'home', '.config');
	process.env.XDG_CACHE_HOME = path.join(root, 'home', '.cache');
	process.env.XDG_STATE_HOME = path.join(root, 'home', '.local', 'state');
	process.env.NO_COLOR = '1';
	delete process.env.SFS_LLM_API_KEY;
	requests.length = 0;
});

afterEach(() => {
	for (const key of ENV_KEYS) {
		if (saved[key] === undefined) delete process.env[key];
		else process.env[key] = saved[key];
	}

	vi.restoreAllMocks();
	fs.rmSync(root, {recursive: true, force: true});
});

async function run(module: {run(argv: string[]): Promise<number>}, argv: string[]): Promise<{code: number; stdout: string}> {
	let stdout = '';
	vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
		stdout += String(chunk);
		return true;
	});
	vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
	try {
		const code = await module.run(argv);
		return {code, stdout};
	} finally {
		vi.restoreAllMocks();
	}
}

function writeConfig(config: unknown): void {
	fs.mkdirSync(process.env.SFS_HOME!, {recursive: true});
	fs.writeFileSync(path.join(process.env.SFS_HOME!, 'config.json'), JSON.stringify(config));
}

/** A parent session with a failing test run, a false claim and a sub-agent transcript. */
function seed(): Store {
	const store = new Store(process.env);
	store.init();
	const b = new SessionBuilder('claude-code', '2026-03-20T10:00:00.000Z', '/work/demo');
	b.user('Fix the parser.');
	b.call('Edit', {file_path: '/work/demo/src/parser.ts', old_string: 'a\n', new_string: 'b\nc\n'}, {content: 'ok'});
	b.bash('npm test', 'Tests:       1 failed, 3 passed, 4 total', 1);
	b.say('Fixed. All tests pass.');
	b.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 100}, {api_message_id: 'msg_p1'});
	b.usage('acme-coder-9', {input_tokens: 50, output_tokens: 5});
	const parent = b.session('ses_parent');
	store.createSession(parent);
	const child = new SessionBuilder('claude-code', '2026-03-20T10:00:05.000Z', '/work/demo');
	child.usage('claude-haiku-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'msg_c1'});
	const sub = child.session('ses_child', 'claude-haiku-4-5');
	sub.manifest.parent_session_id = 'ses_parent';
	sub.manifest.metadata = {...sub.manifest.metadata, subagent: {parent_native_id: 'native-parent', agent_id: 'agent-1'}};
	store.createSession(sub);
	return store;
}

// Parent: 1000×$3/M + 100×$15/M = 4500 µ$; sub-agent: 1000×$1/M = 1000 µ$.
const PARENT_WITH_CHILD = 0.0055;

describe('sfs summary', () => {
	it('prints the summary JSON with the sub-agent in the cost', async () => {
		seed();
		const {code, stdout} = await run(summary, ['ses_parent', '--json']);
		expect(code).toBe(0);
		const json = JSON.parse(stdout) as Record<string, unknown>;
		expect(Object.keys(json)).toEqual(['files', 'commands', 'tests', 'packages', 'errors', 'duration_ms', 'turns', 'tokens', 'cost_usd']);
		expect(json.files).toEqual([{path: 'src/parser.ts', action: 'edited', lines_added: 2, lines_removed: 1}]);
		expect(json.tests).toEqual([{command: 'npm test', passed: 3, failed: 1, exit_code: 1}]);
		expect(json.cost_usd).toBe(PARENT_WITH_CHILD);
	});

	it('prints a readable summary with the unpriced model named', async () => {
		seed();
		const {stdout} = await run(summary, ['ses_parent']);
		expect(stdout).toContain('edited   src/parser.ts');
		expect(stdout).toContain('npm test: 3 passed, 1 failed (exit 1)');
		expect(stdout).toMatch(/acme-coder-9 .*unpriced/);
	});

	it('summarises a period per day and project', async () => {
		seed();
		const {stdout} = await run(summary, ['--since', '2026-03-19', '--until', '2026-03-21', '--json']);
		const json = JSON.parse(stdout) as {days: Array<{projects: Array<{project: string; sessions: string[]}>}>; totals: {sessions: number; cost_usd: number}};
		expect(json.days).toHaveLength(1);
		expect(json.days[0]!.projects.map(project => [project.project, project.sessions])).toEqual([['/work/demo', ['ses_child', 'ses_parent']]]);
		expect(json.totals).toMatchObject({sessions: 2, cost_usd: PARENT_WITH_CHILD});
	});

	it('refuses --narrative without a configured provider, with the fix', async () => {
		seed();
		await expect(run(summary, ['ses_parent', '--narrative'])).rejects.toThrow(/no LLM provider configured/);
	});

	it('--narrative through an Anthropic provider: stored with the session and shown when present', async () => {
		const store = seed();
		writeConfig({llm: {provider: 'anthropic', base_url: baseUrl, model: 'claude-haiku-4-5'}});
		process.env.SFS_LLM_API_KEY = 'test-key';
		nextReply = () => '```json\n{"what_happened": "Edited the parser and ran the tests.", "key_decisions": ["Kept the old API"], "outcome": "Tests still fail.", "open_issues": ["1 failing test"]}\n```';
		const {stdout} = await run(summary, ['ses_parent', '--narrative', '--json']);
		const json = JSON.parse(stdout) as {narrative: unknown};
		expect(json.narrative).toEqual({what_happened: 'Edited the parser and ran the tests.', key_decisions: ['Kept the old API'], outcome: 'Tests still fail.', open_issues: ['1 failing test']});
		expect(requests).toHaveLength(1);
		expect(requests[0]!.headers['x-api-key']).toBe('test-key');
		expect(requests[0]!.headers['anthropic-version']).toBe('2023-06-01');
		expect(requests[0]!.body.model).toBe('claude-haiku-4-5');
		expect(JSON.stringify(requests[0]!.body.messages)).toContain('All tests pass.');
		expect(fs.existsSync(path.join(store.dir('ses_parent'), 'meta', 'summary.json'))).toBe(true);

		// Shown from then on without asking the LLM again.
		const again = await run(summary, ['ses_parent']);
		expect(again.stdout).toContain('Edited the parser and ran the tests.');
		expect(again.stdout).toContain('Open issues:');
		expect(again.stdout).not.toContain('came after it');
		expect(requests).toHaveLength(1);

		// Messages captured after the narrative was written: it says so.
		store.appendMessages('ses_parent', [{msg_id: 'later', role: 'user', content: [{type: 'text', text: 'one more thing'}], timestamp: '2026-03-20T11:00:00.000Z'}], store.readManifest('ses_parent'));
		expect((await run(summary, ['ses_parent'])).stdout).toContain('1 message(s) came after it, refresh with --narrative');
	});
});

describe('sfs audit', () => {
	it('reports findings as JSON and stores verdicts', async () => {
		const store = seed();
		const first = await run(audit, ['ses_parent', '--json']);
		const {findings} = JSON.parse(first.stdout) as {findings: Array<{id: string; rule: string; status: string; evidence: string[]}>};
		expect(findings.map(finding => [finding.rule, finding.status])).toEqual([['tests-pass', 'open']]);
		expect(Object.keys(findings[0]!)).toEqual(expect.arrayContaining(['id', 'rule', 'severity', 'confidence', 'claim', 'evidence', 'status']));

		const dismissed = await run(audit, ['ses_parent', '--dismiss', findings[0]!.id]);
		expect(dismissed.stdout.trim()).toBe(`${findings[0]!.id}: dismissed`);
		const after = JSON.parse((await run(audit, ['ses_parent', '--json'])).stdout) as {findings: Array<{status: string}>};
		expect(after.findings[0]!.status).toBe('dismissed');
		await run(audit, ['ses_parent', '--confirm', findings[0]!.id]);
		expect((JSON.parse((await run(audit, ['ses_parent', '--json'])).stdout) as {findings: Array<{status: string}>}).findings[0]!.status).toBe('confirmed');
		expect(JSON.parse(fs.readFileSync(path.join(store.dir('ses_parent'), 'meta', 'audit.json'), 'utf8')).verdicts[findings[0]!.id].status).toBe('confirmed');
	});

	it('refuses a verdict on an unknown finding', async () => {
		seed();
		await expect(run(audit, ['ses_parent', '--dismiss', 'f_0000000000'])).rejects.toThrow(/no finding f_0000000000/);
	});

	it('--judge through an OpenAI-compatible provider adds cited findings and drops uncited ones', async () => {
		seed();
		writeConfig({llm: {provider: 'openai-compatible', base_url: `${baseUrl}/v1`, model: 'judge-model'}});
		process.env.SFS_LLM_API_KEY = 'judge-key';
		nextReply = () =>
			JSON.stringify({
				findings: [
					{claim: 'Fixed.', evidence: ['<m4>', 'm5'], severity: 'medium', confidence: 70, reason: 'the parser test still fails'},
					{claim: 'made up', evidence: ['no-such-message'], severity: 'high', confidence: 99, reason: 'x'},
				],
			});
		const {stdout} = await run(audit, ['ses_parent', '--judge', '--json']);
		const {findings} = JSON.parse(stdout) as {findings: Array<{rule: string; claim: string; evidence: string[]; confidence: number}>};
		expect(findings.map(finding => finding.rule)).toEqual(['tests-pass', 'judge']);
		expect(findings[1]).toMatchObject({claim: 'Fixed.', evidence: ['m4', 'm5'], confidence: 70});
		expect(requests[0]!.path).toBe('/v1/chat/completions');
		expect(requests[0]!.headers.authorization).toBe('Bearer judge-key');
		// Stored: a later audit shows the judge's finding without another request.
		const later = JSON.parse((await run(audit, ['ses_parent', '--json'])).stdout) as {findings: unknown[]};
		expect(later.findings).toHaveLength(2);
		expect(requests).toHaveLength(1);
	});
});

describe('cost in sfs show and sfs list', () => {
	it('show --cost lists models, sub-agents included, and the unpriced model with its tokens', async () => {
		seed();
		const {stdout} = await run(show, ['ses_parent', '--cost']);
		expect(stdout).toContain('cost       $0.0055 (3 API response(s))');
		expect(stdout).toContain('claude-haiku-4-5: $0.001');
		expect(stdout).toContain('acme-coder-9: unpriced · 50 in, 5 out');
		const json = JSON.parse((await run(show, ['ses_parent', '--cost', '--json'])).stdout) as {cost: {cost_usd: number; unpriced_models: Array<{model: string}>}};
		expect(json.cost.cost_usd).toBe(PARENT_WITH_CHILD);
		expect(json.cost.unpriced_models.map(model => model.model)).toEqual(['acme-coder-9']);
		const plain = JSON.parse((await run(show, ['ses_parent', '--json'])).stdout) as Record<string, unknown>;
		expect(Object.keys(plain)).toEqual(['manifest', 'messages']);
	});

	it('list --json carries cost_usd and unpriced_models, and honours price overrides', async () => {
		seed();
		const rows = JSON.parse((await run(list, ['--json'])).stdout) as Array<{session_id: string; cost_usd: number | null; unpriced_models: Array<{model: string; tokens: {input: number}}>}>;
		expect(rows.map(row => row.session_id)).toEqual(['ses_parent']);
		expect(rows[0]!.cost_usd).toBe(PARENT_WITH_CHILD);
		expect(rows[0]!.unpriced_models).toEqual([{model: 'acme-coder-9', responses: 1, tokens: {input: 50, output: 5, cache_read: 0, cache_write: 0, reasoning: 0}}]);

		writeConfig({prices: {models: {'acme-coder-9': {input: 1e-6, output: 2e-6}}}});
		const priced = JSON.parse((await run(list, ['--json'])).stdout) as Array<{cost_usd: number; unpriced_models: unknown[]}>;
		expect(priced[0]!.unpriced_models).toEqual([]);
		expect(priced[0]!.cost_usd).toBe(0.00556);
	});
});
