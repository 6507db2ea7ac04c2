import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const MINIMAL = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const SUBAGENT = 'c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f';
const LIST_KEYS = ['session_id', 'alias', 'title', 'tool', 'native_id', 'cwd', 'model', 'created_at', 'updated_at', 'message_count', 'input_tokens', 'output_tokens'];

type Row = Record<string, unknown> & {session_id: string};
type Hit = {session_id: string; msg_id: string; role: string; snippet: string; score: number};

let box: Sandbox;

function storedMessages(id: string): unknown[] {
	return fs
		.readFileSync(path.join(box.sfsHome, 'sessions', id, 'messages.jsonl'), 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line) as unknown);
}

function storedManifest(id: string): unknown {
	return JSON.parse(fs.readFileSync(path.join(box.sfsHome, 'sessions', id, 'manifest.json'), 'utf8'));
}

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

describe('list', () => {
	test('--json is an array of sessions with the documented keys', async () => {
		const rows = parseJson<Row[]>(await sfs(box, ['list', '--json']));
		expect(rows.map(row => row.session_id)).toEqual([SUBAGENT, COMPLETE, MINIMAL]); // newest updated first
		for (const row of rows) for (const key of LIST_KEYS) expect(row).toHaveProperty(key);
		expect(rows.find(row => row.session_id === COMPLETE)).toMatchObject({tool: 'claude-code', native_id: 'e420cbd4-abcd-1234-5678-ef0123456789', message_count: 8});
		expect(typeof rows[0]!.input_tokens).toBe('number');
	});

	test('filters, sort and limit', async () => {
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--tool', 'codex']))).toEqual([]);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--tag', 'auth'])).map(row => row.session_id)).toEqual([COMPLETE]);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--sort', 'messages'])).map(row => row.session_id)).toEqual([COMPLETE, SUBAGENT, MINIMAL]);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--limit', '1']))).toHaveLength(1);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--since', '2026-03-20T15:00:00Z'])).map(row => row.session_id)).toEqual([SUBAGENT]);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--until', '2026-03-20T11:00:00Z'])).map(row => row.session_id)).toEqual([MINIMAL]);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--since', '1d']))).toEqual([]);
		const ids = await sfs(box, ['list', '--ids']);
		expect(ids.stdout.trim().split('\n')).toHaveLength(3);
	});
});

describe('show', () => {
	test('--json is {manifest, messages} exactly as stored', async () => {
		const shown = parseJson<{manifest: unknown; messages: unknown[]}>(await sfs(box, ['show', COMPLETE, '--json']));
		expect(Object.keys(shown)).toEqual(['manifest', 'messages']);
		expect(shown.manifest).toEqual(storedManifest(COMPLETE));
		expect(shown.messages).toEqual(storedMessages(COMPLETE));
	});

	test('--from/--to and --no-tools drop whole messages, never blocks', async () => {
		const all = storedMessages(COMPLETE) as Array<{msg_id: string; role: string}>;
		const window = parseJson<{messages: unknown[]}>(await sfs(box, ['show', COMPLETE, '--json', '--from', '2', '--to', '3']));
		expect(window.messages).toEqual(all.slice(1, 3));
		const noTools = parseJson<{messages: Array<{role: string}>}>(await sfs(box, ['show', COMPLETE, '--json', '--no-tools']));
		expect(noTools.messages.length).toBeLessThan(all.length);
		expect(noTools.messages.some(message => message.role === 'tool')).toBe(false);
		for (const message of noTools.messages) expect(all).toContainEqual(message);
	});

	test('text output shows the header and messages; thinking only with --thinking', async () => {
		const plain = await sfs(box, ['show', COMPLETE]);
		expect(plain.exitCode).toBe(0);
		expect(plain.stdout).toContain('Add user validation to signup endpoint');
		expect(plain.stdout).toContain('#1 user');
		expect(plain.stdout).not.toContain('[thinking]');
		const thinking = await sfs(box, ['show', COMPLETE, '--thinking']);
		expect(thinking.stdout).toContain('[thinking] I need to read the current auth.py');
	});

	test('refs: alias, native id and unique prefix resolve; an ambiguous prefix lists candidates', async () => {
		expect((await sfs(box, ['alias', MINIMAL, 'hello'])).exitCode).toBe(0);
		for (const ref of ['hello', '12fa89c0-1234-5678-abcd-ef0123456789', 'a1b2']) {
			const shown = parseJson<{manifest: {session_id: string}}>(await sfs(box, ['show', ref, '--json']));
			expect(shown.manifest.session_id, ref).toBe(MINIMAL);
		}

		const first = parseJson<{session_id: string}>(await sfs(box, ['fork', MINIMAL, '--json']));
		const second = parseJson<{session_id: string}>(await sfs(box, ['fork', MINIMAL, '--json']));
		const ambiguous = await sfs(box, ['show', 'ses_']);
		expect(ambiguous.exitCode).toBe(1);
		expectOneLineError(ambiguous, /^sfs: "ses_" matches 2 sessions by id prefix/);
		expect(ambiguous.stderr).toContain(first.session_id);
		expect(ambiguous.stderr).toContain(second.session_id);
		for (const id of [first.session_id, second.session_id]) expect((await sfs(box, ['delete', id, '--yes'])).exitCode).toBe(0);
	});
});

describe('search', () => {
	test('--json gives hits best first with plain snippets', async () => {
		const hits = parseJson<Hit[]>(await sfs(box, ['search', 'email validation', '--json']));
		expect(hits.length).toBeGreaterThan(0);
		for (const hit of hits) {
			expect(Object.keys(hit)).toEqual(expect.arrayContaining(['session_id', 'msg_id', 'role', 'snippet', 'score']));
			expect(hit.snippet).not.toMatch(/[\u0001\u0002]/);
			expect(hit.session_id).toBe(COMPLETE);
		}

		const scores = hits.map(hit => hit.score);
		expect([...scores].sort((a, b) => b - a)).toEqual(scores);
	});

	test.each([
		['a path', 'src/api/auth.py', COMPLETE],
		['an identifier', 'EMAIL_PATTERN', COMPLETE],
		['a camelCase identifier', 'AsyncClient', COMPLETE],
		['a prefix', 'SQLAlch*', SUBAGENT],
		['a phrase', '"signup endpoint"', COMPLETE],
	])('finds %s (%s)', async (_kind, query, session) => {
		const hits = parseJson<Hit[]>(await sfs(box, ['search', query, '--json']));
		expect(hits.map(hit => hit.session_id)).toContain(session);
	});

	test('user input never breaks the query syntax', async () => {
		for (const query of ['C++', 'node:fs', '"unterminated', 'NOT', '50%', 'foo-bar AND (']) {
			const run = await sfs(box, ['search', query, '--json']);
			expect(run.exitCode, query).toBe(0);
			expect(Array.isArray(JSON.parse(run.stdout))).toBe(true);
		}
	});

	test('--tool and --limit narrow; text mode groups by session', async () => {
		expect(parseJson<Hit[]>(await sfs(box, ['search', 'signup', '--json', '--tool', 'codex']))).toEqual([]);
		expect(parseJson<Hit[]>(await sfs(box, ['search', 'signup', '--json', '--limit', '1']))).toHaveLength(1);
		const text = await sfs(box, ['search', 'signup']);
		expect(text.exitCode).toBe(0);
		expect(text.stdout.split('\n')[0]).toContain(COMPLETE);
		expect(text.stdout).toMatch(/#\d+ (user|assistant):/);
	});
});

describe('alias, tag, fork, checkpoint, delete', () => {
	test('alias: show, set, refuse a taken one, clear', async () => {
		expect((await sfs(box, ['alias', COMPLETE, 'signup'])).exitCode).toBe(0);
		expect((await sfs(box, ['alias', 'signup'])).stdout).toBe('signup\n');
		const taken = await sfs(box, ['alias', SUBAGENT, 'signup']);
		expect(taken.exitCode).toBe(1);
		expectOneLineError(taken, /already used by/);
		expect((storedManifest(COMPLETE) as {metadata: {alias: string}}).metadata.alias).toBe('signup');
		expect(parseJson(await sfs(box, ['alias', 'signup', '--clear', '--json']))).toEqual({session_id: COMPLETE, alias: null});
		expect((storedManifest(COMPLETE) as {metadata?: {alias?: string}}).metadata?.alias).toBeUndefined();
	});

	test('tag adds and removes; list --tag sees it', async () => {
		const tagged = parseJson<{tags: string[]}>(await sfs(box, ['tag', SUBAGENT, '+urgent', 'later', '-database', '--json']));
		expect(tagged.tags).toEqual(['refactor', 'urgent', 'later']);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json', '--tag', 'urgent'])).map(row => row.session_id)).toEqual([SUBAGENT]);
		expect((await sfs(box, ['tag', SUBAGENT, '+bad tag'])).exitCode).toBe(2);
	});

	test('fork --at makes a new session with lineage; the original is untouched', async () => {
		const before = storedMessages(COMPLETE);
		const fork = parseJson<{session_id: string; parent_session_id: string; at_msg_id: string}>(await sfs(box, ['fork', COMPLETE, '--at', 'msg-003', '--json']));
		expect(fork.session_id).toMatch(/^ses_[0-9a-f]{16}$/);
		expect(fork).toMatchObject({parent_session_id: COMPLETE, at_msg_id: 'msg-003'});
		expect(storedMessages(fork.session_id)).toEqual(before.slice(0, 3));
		expect(storedMessages(COMPLETE)).toEqual(before);
		const row = parseJson<Row[]>(await sfs(box, ['list', '--json'])).find(each => each.session_id === fork.session_id);
		expect(row).toMatchObject({parent_session_id: COMPLETE, message_count: 3});
		const missing = await sfs(box, ['fork', COMPLETE, '--at', 'msg-999']);
		expect(missing.exitCode).toBe(1);
		expectOneLineError(missing, /message msg-999 not found/);
	});

	test('checkpoint, checkpoint list, checkpoint restore', async () => {
		expect((await sfs(box, ['checkpoint', MINIMAL, 'first'])).exitCode).toBe(0);
		const list = parseJson<Array<{name: string; message_count: number}>>(await sfs(box, ['checkpoint', 'list', MINIMAL, '--json']));
		expect(list).toMatchObject([{name: 'first', message_count: 3}]);
		const restored = parseJson<{session_id: string; parent_session_id: string}>(await sfs(box, ['checkpoint', 'restore', MINIMAL, 'first', '--json']));
		expect(restored.parent_session_id).toBe(MINIMAL);
		expect(storedMessages(restored.session_id)).toEqual(storedMessages(MINIMAL));
		const again = await sfs(box, ['checkpoint', MINIMAL, 'first']);
		expect(again.exitCode).toBe(1);
		const missing = await sfs(box, ['checkpoint', 'restore', MINIMAL, 'nope']);
		expect(missing.exitCode).toBe(1);
		expectOneLineError(missing, /checkpoint nope not found/);
	});

	test('delete asks first (refuses without a terminal), --yes deletes and leaves a tombstone', async () => {
		const fork = parseJson<{session_id: string}>(await sfs(box, ['fork', MINIMAL, '--json']));
		const refused = await sfs(box, ['delete', fork.session_id]);
		expect(refused.exitCode).toBe(2);
		expectOneLineError(refused, /pass --yes/);
		expect(fs.existsSync(path.join(box.sfsHome, 'sessions', fork.session_id))).toBe(true);
		const deleted = await sfs(box, ['delete', fork.session_id, '--yes']);
		expect(deleted.exitCode).toBe(0);
		expect(fs.existsSync(path.join(box.sfsHome, 'sessions', fork.session_id))).toBe(false);
		expect(fs.readFileSync(path.join(box.sfsHome, 'tombstones.jsonl'), 'utf8')).toContain(fork.session_id);
		expect(parseJson<Row[]>(await sfs(box, ['list', '--json'])).map(row => row.session_id)).not.toContain(fork.session_id);
		expect((await sfs(box, ['show', fork.session_id])).exitCode).toBe(1);
	});
});
