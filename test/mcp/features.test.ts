/**
 * The tools over other features: summaries and audit (engine/insight), rules (engine/rules), project
 * context (engine/project-context), and the DLP gate on every result (engine/dlp).
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {setPolicy} from '../../source/engine/dlp/policy.js';
import {BIG_EDITED_FILE, BIG_SESSION_NATIVE_ID, CLAIM_SESSION_NATIVE_ID, type CapturedHome, capturedHome, SECRET} from './captured-home.js';
import {connectedClient} from './connected-client.js';

type Result = {content: Array<{type: string; text: string}>; structuredContent?: Record<string, any>; isError?: boolean};

let home: CapturedHome;
let client: Client;
let repo: string;
const logged: string[] = [];

async function call(name: string, args: Record<string, unknown> = {}): Promise<Result> {
	return (await client.callTool({name, arguments: args})) as Result;
}

async function ok(name: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> {
	const result = await call(name, args);
	if (result.isError) throw new Error(`${name} failed: ${result.content[0]?.text}`);
	return result.structuredContent!;
}

beforeAll(async () => {
	home = await capturedHome({claimSession: true});
	repo = path.join(home.root, 'repo');
	fs.mkdirSync(path.join(repo, '.sfs', 'rules'), {recursive: true});
	execFileSync('git', ['init', '-q', repo]);
	fs.writeFileSync(path.join(repo, '.sfs', 'rules', 'config.json'), JSON.stringify({version: 1, tools: ['claude-code', 'codex', 'gemini']}));
	fs.writeFileSync(path.join(repo, '.sfs', 'rules', 'testing.md'), '# Testing\n\nRun `npm test` before every commit.\n');
	client = await connectedClient({engine: home.engine, cwd: repo, now: () => new Date('2026-11-25T12:00:00Z'), log: line => logged.push(line)});
}, 120_000);

afterAll(async () => {
	await client?.close();
	home?.cleanup();
});

describe('summary and audit', () => {
	test('get_session_summary: files, commands, turns and tokens from the tool calls', async () => {
		const out = await ok('get_session_summary', {session: BIG_SESSION_NATIVE_ID});
		expect(out.summary.files).toEqual([
			expect.objectContaining({path: BIG_EDITED_FILE, action: 'edited', lines_added: 6, lines_removed: 3}),
			expect.objectContaining({path: 'huge.log', action: 'read'}), // by `cat huge.log`
		]);
		expect(out.summary.commands).toEqual([expect.objectContaining({command: 'cat huge.log'})]);
		expect(out.summary.turns).toBeGreaterThanOrEqual(41);
		expect(out.summary.tokens.total).toBeGreaterThan(0);
		expect(out.narrative).toBeNull();
		expect(JSON.stringify(out).length).toBeLessThan(60_000);
	});

	test('get_session carries the same summary', async () => {
		const out = await ok('get_session', {session: BIG_SESSION_NATIVE_ID});
		expect(out.summary_source).toBe('sfs summary');
		expect(out.summary.files[0].path).toBe(BIG_EDITED_FILE);
	});

	test('get_audit_report: a claimed edit that never happened is a finding with evidence', async () => {
		setPolicy('secrets', 'redact', null, home.env);
		try {
			const out = await ok('get_audit_report', {session: CLAIM_SESSION_NATIVE_ID});
			expect(out.finding_count).toBe(out.findings.length);
			const finding = out.findings.find((item: any) => String(item.claim).includes('ghost.ts'));
			expect(finding).toMatchObject({severity: expect.any(String), status: 'open', evidence: expect.arrayContaining([expect.any(String)])});
			expect(finding.confidence).toBeGreaterThan(0);
			const clean = await ok('get_audit_report', {session: BIG_SESSION_NATIVE_ID});
			expect(clean.findings.filter((item: any) => String(item.claim).includes('rateLimiter'))).toEqual([]);
		} finally {
			setPolicy('secrets', 'block', null, home.env);
		}
	});

	test('unknown sessions are tool errors', async () => {
		expect((await call('get_session_summary', {session: 'nope'})).isError).toBe(true);
		expect((await call('get_audit_report', {})).isError).toBe(true);
	});
});

describe('rules', () => {
	test('the canonical rules and the file each tool gets them in', async () => {
		const codex = await ok('get_rules', {tool: 'codex'});
		expect(codex).toMatchObject({project_root: repo, tool: 'codex', targeted: true, target_file: 'AGENTS.md', rule_files: ['testing.md']});
		expect(codex.rules).toContain('Run `npm test` before every commit.');
		expect(codex.rules_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(codex).toMatchObject({delivery: 'full', compiled_block: expect.stringContaining('npm test')});
		// The project's plan: AGENTS.md carries the rules, CLAUDE.md imports it; the rules themselves come in full either way.
		const claude = await ok('get_rules', {tool: 'claude-code'});
		expect(claude).toMatchObject({target_file: 'CLAUDE.md', delivery: 'import', compiled_block: expect.stringContaining('AGENTS.md')});
		expect(claude.rules).toContain('npm test');
		const cursor = await ok('get_rules', {tool: 'cursor'});
		expect(cursor.targeted).toBe(false);
		expect(cursor.rules).toContain('npm test');
	});

	test('a project without rules, and a bad tool, are errors', async () => {
		const other = path.join(home.root, 'norules');
		fs.mkdirSync(other);
		const none = await call('get_rules', {tool: 'codex', project: other});
		expect(none.isError).toBe(true);
		expect(none.content[0]!.text).toMatch(/no canonical rules/);
		expect((await call('get_rules', {tool: 'emacs'})).isError).toBe(true);
	});
});

describe('project context and knowledge', () => {
	test('no document yet: get is an error; search finds nothing', async () => {
		const missing = await call('get_project_context');
		expect(missing.isError).toBe(true);
		expect(missing.content[0]!.text).toMatch(/no project context/);
		expect((await ok('search_project_knowledge', {query: 'retries'})).matches).toEqual([]);
	});

	test('add_knowledge appends dated notes; get and search read them back', async () => {
		const first = await ok('add_knowledge', {note: 'The flaky upload test needs `--runInBand`; parallel runs share a temp dir.'});
		expect(first).toMatchObject({added: true, created_document: true, root: fs.realpathSync(repo)});
		await ok('add_knowledge', {note: 'Retries: the HTTP client retries 3 times with jitter (see src/http.ts).'});
		const context = await ok('get_project_context');
		expect(context.context).toContain('## Note (2026-11-25, added by an agent)');
		expect(context.context.indexOf('runInBand')).toBeLessThan(context.context.indexOf('jitter'));
		const found = await ok('search_project_knowledge', {query: 'retries jitter'});
		expect(found.matches[0].text).toContain('retries 3 times');
		expect(found.matches).toHaveLength(1);
		const cut = await ok('get_project_context', {max_chars: 500});
		expect(cut.context.length).toBeLessThanOrEqual(500);
		expect(cut.chars).toBe(context.chars);
		expect((await call('add_knowledge', {note: ''})).isError).toBe(true);
		// Notes added at the same time are all kept.
		await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map(async word => ok('add_knowledge', {note: `concurrent note ${word}`})));
		const all = (await ok('get_project_context', {max_chars: 100_000})).context as string;
		for (const word of ['alpha', 'beta', 'gamma', 'delta']) expect(all).toContain(`concurrent note ${word}`);
	});

	test('add_knowledge refuses a note holding a secret (default policy), so get_project_context keeps working; under redact it stores placeholders', async () => {
		const refused = await call('add_knowledge', {note: `Staging deploys use the key ${SECRET}.`});
		expect(refused.isError).toBe(true);
		expect(refused.content[0]!.text).toMatch(/^mcp blocked: the note contains 1 secret\(s\) \(aws-access-key ×1\); the note was not added/);
		expect(refused.content[0]!.text).not.toContain(SECRET);
		const context = await ok('get_project_context', {max_chars: 100_000});
		expect(context.context).not.toContain('Staging deploys');

		setPolicy('secrets', 'redact', null, home.env);
		try {
			const added = await ok('add_knowledge', {note: `Staging deploys use the key ${SECRET}.`});
			expect(added).toMatchObject({added: true, redacted: 1});
			const after = (await ok('get_project_context', {max_chars: 100_000})).context as string;
			expect(after).toContain('Staging deploys use the key [REDACTED:aws-access-key].');
		} finally {
			setPolicy('secrets', 'block', null, home.env);
		}
	});
});

describe('DLP gate on results', () => {
	test('default policy (block secrets): a single result holding a secret is not sent', async () => {
		const result = await call('get_session', {session: CLAIM_SESSION_NATIVE_ID});
		expect(result.isError).toBe(true);
		expect(result.content[0]!.text).toMatch(/mcp blocked/);
		expect(result.content[0]!.text).toMatch(/aws-access-key/);
		expect(result.content[0]!.text).not.toContain(SECRET);
		expect(result.structuredContent).toBeUndefined();
	});

	test('default policy: in a list, only the items holding the secret are withheld (ids kept)', async () => {
		const messages = await call('get_session_messages', {session: CLAIM_SESSION_NATIVE_ID});
		expect(messages.isError).toBeFalsy();
		expect(messages.content[0]!.text).not.toContain(SECRET);
		const [first, second] = messages.structuredContent!.messages;
		expect(first).toEqual({position: 1, msg_id: expect.any(String), role: 'user', timestamp: expect.any(String), withheld: expect.stringMatching(/mcp blocked.*aws-access-key/)});
		expect(second.text).toContain('ghost.ts');
		expect(messages.structuredContent!.dlp).toEqual({action: 'block', withheld: 1});
		const listed = await call('list_recent_sessions', {limit: 100});
		expect(listed.content[0]!.text).not.toContain(SECRET);
		const rows = listed.structuredContent!.sessions as Array<Record<string, unknown>>;
		expect(rows.filter(row => row.withheld)).toHaveLength(1);
		expect(rows.filter(row => !row.withheld).length).toBe(rows.length - 1);
		expect(rows.find(row => row.withheld)!.tool).toBe('claude-code');
	});

	test('redact policy: the secret is replaced by a typed placeholder in text and structured content', async () => {
		setPolicy('secrets', 'redact', null, home.env);
		try {
			const result = await call('get_session_messages', {session: CLAIM_SESSION_NATIVE_ID});
			expect(result.isError).toBeFalsy();
			expect(result.content[0]!.text).not.toContain(SECRET);
			expect(JSON.stringify(result.structuredContent)).not.toContain(SECRET);
			expect(result.structuredContent!.messages[0].text).toMatch(/\[REDACTED:aws-access-key[^\]]*\]/);
			expect(result.structuredContent!.dlp).toMatchObject({action: 'redact'});
			expect(logged.some(line => /redacted/.test(line))).toBe(true);
			// The store keeps the original.
			expect(fs.readFileSync(path.join(home.env.SFS_HOME!, 'sessions', home.engine.index.findByNativeId(CLAIM_SESSION_NATIVE_ID)[0]!, 'messages.jsonl'), 'utf8')).toContain(SECRET);
		} finally {
			setPolicy('secrets', 'block', null, home.env);
		}
	});

	test('results without secrets pass unchanged', async () => {
		const result = await call('get_session_messages', {session: BIG_SESSION_NATIVE_ID, to: 2});
		expect(result.isError).toBeFalsy();
		expect(result.structuredContent!.dlp).toBeUndefined();
	});
});
