/**
 * The MCP server under the SDK's own client (in-memory transport), every tool called against
 * sessions captured from fixtures, with content and bounds asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {BIG_CWD, BIG_EDITED_FILE, BIG_SESSION_NATIVE_ID, BIG_TOOL_OUTPUT_CHARS, type CapturedHome, capturedHome} from './captured-home.js';
import {connectedClient} from './connected-client.js';

type Result = {content: Array<{type: string; text: string}>; structuredContent?: Record<string, any>; isError?: boolean};

let home: CapturedHome;
let client: Client;
let bigId: string;

async function call(name: string, args: Record<string, unknown> = {}): Promise<Result> {
	return (await client.callTool({name, arguments: args})) as Result;
}

async function ok(name: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> {
	const result = await call(name, args);
	if (result.isError) throw new Error(`${name} failed: ${result.content[0]?.text}`);
	expect(result.structuredContent).toBeDefined();
	// The text block carries the same JSON, for clients that read only text.
	expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
	return result.structuredContent!;
}

beforeAll(async () => {
	home = await capturedHome();
	client = await connectedClient({engine: home.engine, now: () => new Date('2026-11-26T00:00:00Z')});
	bigId = home.engine.index.findByNativeId(BIG_SESSION_NATIVE_ID)[0]!;
}, 120_000);

afterAll(async () => {
	await client?.close();
	home?.cleanup();
});

describe('tool list', () => {
	test('every tool is listed with a description and an input schema', async () => {
		const {tools} = await client.listTools();
		const names = tools.map(tool => tool.name).sort();
		expect(names).toEqual([
			'add_knowledge', 'find_related_sessions', 'get_audit_report', 'get_file_history', 'get_project_context', 'get_rules',
			'get_session', 'get_session_messages', 'get_session_summary', 'list_recent_sessions', 'search_project_knowledge', 'search_sessions',
		]);
		for (const tool of tools) {
			expect(tool.description!.length).toBeGreaterThan(60);
			expect(tool.inputSchema.type).toBe('object');
		}

		const search = tools.find(tool => tool.name === 'search_sessions')!;
		expect(search.inputSchema.required).toEqual(['query']);
		expect(search.annotations?.readOnlyHint).toBe(true);
		expect(tools.find(tool => tool.name === 'add_knowledge')!.annotations?.readOnlyHint).toBe(false);
	});
});

describe('search_sessions', () => {
	test('finds a session by a word in it, with snippets and positions', async () => {
		const out = await ok('search_sessions', {query: 'zebrafish'});
		expect(out.results).toHaveLength(1);
		const [result] = out.results;
		expect(result).toMatchObject({session_id: bigId, tool: 'claude-code', cwd: BIG_CWD});
		expect(result.match_count).toBeGreaterThan(3);
		expect(result.hits).toHaveLength(3); // capped per session
		for (const hit of result.hits) {
			expect(hit.snippet.toLowerCase()).toContain('zebrafish');
			expect(hit.snippet).not.toMatch(/[\u0001\u0002]/);
			expect(hit.position).toBeGreaterThan(0);
		}
	});

	test('filters by tool and since, and limits sessions', async () => {
		const codex = await ok('search_sessions', {query: 'missing.txt', tool: 'codex'});
		expect(codex.results.length).toBeGreaterThan(0);
		for (const result of codex.results) expect(result.tool).toBe('codex');
		const claude = await ok('search_sessions', {query: 'missing.txt', tool: 'claude-code'});
		for (const result of claude.results) expect(result.tool).toBe('claude-code');
		expect((await ok('search_sessions', {query: 'missing.txt', since: '2099-01-01'})).results).toEqual([]);
		const limited = await ok('search_sessions', {query: 'the', limit: 2});
		expect(limited.results.length).toBeLessThanOrEqual(2);
	});

	test('invalid arguments are tool errors', async () => {
		const empty = await call('search_sessions', {query: ''});
		expect(empty.isError).toBe(true);
		expect(empty.content[0]!.text).toMatch(/Input validation error/);
		expect((await call('search_sessions', {query: 'x', tool: 'notepad'})).isError).toBe(true);
		expect((await call('search_sessions', {query: 'x', limit: 0})).isError).toBe(true);
		const since = await call('search_sessions', {query: 'x', since: 'last tuesday'});
		expect(since.isError).toBe(true);
		expect(since.content[0]!.text).toMatch(/cannot read "last tuesday" as a time/);
	});
});

describe('list_recent_sessions', () => {
	test('newest first, filtered by tool and project, limited', async () => {
		const all = await ok('list_recent_sessions');
		const ids = all.sessions.map((row: any) => row.session_id);
		expect(ids.length).toBe(home.engine.index.listSessions({}).length);
		const updated = all.sessions.map((row: any) => Date.parse(row.updated_at));
		expect(updated).toEqual([...updated].sort((a, b) => b - a));
		const codex = await ok('list_recent_sessions', {tool: 'codex'});
		expect(codex.sessions.length).toBeGreaterThan(0);
		for (const row of codex.sessions) expect(row.tool).toBe('codex');
		const project = await ok('list_recent_sessions', {project: 'bigapp'});
		expect(project.sessions.map((row: any) => row.session_id)).toEqual([bigId]);
		expect((await ok('list_recent_sessions', {limit: 2})).sessions).toHaveLength(2);
		for (const row of all.sessions) expect(row.title === null || row.title.length <= 120).toBe(true);
	});
});

describe('sessions of every captured tool', () => {
	test.each(['claude-code', 'codex', 'gemini', 'copilot'])('%s: listed, described and read', async tool => {
		const listed = await ok('list_recent_sessions', {tool});
		expect(listed.sessions.length).toBeGreaterThan(0);
		for (const row of listed.sessions) {
			expect(row.tool).toBe(tool);
			const described = await ok('get_session', {session: row.session_id});
			expect(described.session).toMatchObject({session_id: row.session_id, tool});
			const read = await ok('get_session_messages', {session: row.session_id, max_chars: 4000});
			expect(read.total_messages).toBe(home.engine.store.readMessages(row.session_id).messages.length);
			expect(read.chars).toBeLessThanOrEqual(4000);
			expect(read.messages.length).toBeGreaterThan(0);
			expect(read.messages.some((message: any) => message.text.trim().length > 0)).toBe(true);
		}
	});
});

describe('get_session', () => {
	test('metadata and an overview, no message bodies, bounded even for a 5 MB session', async () => {
		const result = await call('get_session', {session: BIG_SESSION_NATIVE_ID});
		expect(result.isError).toBeFalsy();
		const out = result.structuredContent!;
		expect(out.session).toMatchObject({session_id: bigId, tool: 'claude-code', native_id: BIG_SESSION_NATIVE_ID, cwd: BIG_CWD, git_branch: 'main'});
		expect(out.overview.tool_calls).toEqual({Edit: 3, Bash: 1});
		expect(out.overview.files_edited).toEqual([{path: `${BIG_CWD}/${BIG_EDITED_FILE}`, edits: 3, lines_added: 6, lines_removed: 3, actions: ['edited']}]);
		expect(out.overview.last_assistant_text).toMatch(/^Answer 40/);
		expect(out.session.first_prompt.length).toBeLessThanOrEqual(520);
		expect(result.content[0]!.text.length).toBeLessThan(20_000);
	});

	test('a ref that matches nothing is a tool error', async () => {
		const result = await call('get_session', {session: 'no-such-session'});
		expect(result.isError).toBe(true);
		expect(result.content[0]!.text).toMatch(/no session matches "no-such-session"/);
	});
});

describe('get_session_messages', () => {
	test('a range of messages as text, tool output left out by default', async () => {
		const out = await ok('get_session_messages', {session: bigId, from: 1, to: 3});
		expect(out.total_messages).toBe(home.engine.store.readMessages(bigId).messages.length);
		expect(out.messages.map((message: any) => message.position)).toEqual([1, 2, 3]);
		expect(out.messages[0]).toMatchObject({role: 'user'});
		expect(out.messages[0].text).toContain('Please fix the token bucket');
		expect(out.messages[1].text).toContain('[tool_use Edit]');
		expect(out.messages[2].text).toMatch(/\[tool_result: \d+ chars, not included\]/);
		expect(out.next_cursor).toBeNull();
		// A reversed range is a mistake to say, not an empty page.
		const reversed = await call('get_session_messages', {session: bigId, from: 5, to: 3});
		expect(reversed.isError).toBe(true);
		expect(reversed.content[0]!.text).toBe('to (3) is before from (5) (to is the last position wanted, inclusive)');
	});

	test('roles filter', async () => {
		const out = await ok('get_session_messages', {session: bigId, roles: ['assistant'], max_chars: 100_000});
		expect(out.messages.length).toBeGreaterThan(40);
		for (const message of out.messages) expect(message.role).toBe('assistant');
	});

	test('a 5 MB tool output is cut to the budget and continues through the cursor, exactly', async () => {
		const messages = home.engine.store.readMessages(bigId).messages;
		const bigPosition = messages.findIndex(message => message.content.some(block => block.type === 'tool_result' && (block as {content?: string}).content!.length >= BIG_TOOL_OUTPUT_CHARS)) + 1;
		expect(bigPosition).toBeGreaterThan(0);
		const first = await call('get_session_messages', {session: bigId, from: bigPosition, to: bigPosition, include_tool_output: true, max_chars: 2000});
		const out = first.structuredContent!;
		expect(first.content[0]!.text.length).toBeLessThan(3000);
		expect(out.chars).toBeLessThanOrEqual(2000);
		expect(out.messages[0].truncated).toBe(true);
		expect(out.next_cursor).toEqual(expect.any(String));
		// Tool output is cut per block (4000 chars), so the whole message renders to a bounded text.
		const second = await ok('get_session_messages', {session: bigId, to: bigPosition, include_tool_output: true, max_chars: 2000, cursor: out.next_cursor});
		expect(second.messages[0].position).toBe(bigPosition);
		expect(second.messages[0].continued_from_char).toBe(out.messages[0].text.length);
		const whole = await ok('get_session_messages', {session: bigId, from: bigPosition, to: bigPosition, include_tool_output: true, max_chars: 100_000});
		const joined = out.messages[0].text + second.messages[0].text + (second.next_cursor ? '' : '');
		expect(whole.messages[0].text.startsWith(joined)).toBe(true);
		expect(whole.messages[0].text).toContain('more chars]');
		expect(whole.messages[0].text.length).toBeLessThan(5000);
	});

	test('paging through a whole session with the cursor returns every message once', async () => {
		const seen: number[] = [];
		let cursor: string | undefined;
		let pages = 0;
		do {
			const page = await ok('get_session_messages', {session: bigId, max_chars: 3000, ...(cursor ? {cursor} : {})});
			expect(page.chars).toBeLessThanOrEqual(3000);
			for (const message of page.messages) if (!message.continued_from_char) seen.push(message.position);
			cursor = page.next_cursor ?? undefined;
			pages++;
		} while (cursor && pages < 200);
		const total = home.engine.store.readMessages(bigId).messages.length;
		expect(seen).toEqual(Array.from({length: total}, (_, index) => index + 1));
		expect(pages).toBeGreaterThan(3);
	});

	test('the cursor alone carries the call\'s options; the budget counts each entry with its ids', async () => {
		const first = await ok('get_session_messages', {session: bigId, roles: ['user'], from: 10, max_chars: 1000});
		expect(first.next_cursor).toEqual(expect.any(String));
		expect(JSON.stringify(first.messages).length).toBeLessThan(1200);
		expect(first.chars).toBeLessThanOrEqual(1000);
		const second = await ok('get_session_messages', {session: bigId, cursor: first.next_cursor, max_chars: 1000});
		expect(second.messages.length).toBeGreaterThan(0);
		for (const message of second.messages) expect(message.role).toBe('user');
		expect(second.messages[0].position).toBeGreaterThan(first.messages.at(-1).position - 1);
	});

	test('bad cursors and ranges are tool errors', async () => {
		expect((await call('get_session_messages', {session: bigId, cursor: 'garbage!'})).isError).toBe(true);
		const other = await ok('get_file_history', {path: BIG_EDITED_FILE, limit: 1});
		expect(other).toBeDefined();
		expect((await call('get_session_messages', {session: bigId, from: 0})).isError).toBe(true);
		expect((await call('get_session_messages', {session: bigId, max_chars: 10})).isError).toBe(true);
		expect((await call('get_session_messages', {session: bigId, max_chars: 10_000_000})).isError).toBe(true);
	});
});

describe('get_file_history and find_related_sessions', () => {
	test('the sessions that edited a file, with the edits and their diffs', async () => {
		for (const asked of [BIG_EDITED_FILE, `${BIG_CWD}/${BIG_EDITED_FILE}`, 'rateLimiter.ts']) {
			const out = await ok('get_file_history', {path: asked});
			expect(out.sessions.map((session: any) => session.session_id)).toEqual([bigId]);
			const [session] = out.sessions;
			expect(session.edit_count).toBe(3);
			expect(session.edits[0]).toMatchObject({action: 'edited', tool: 'Edit', failed: false, lines_added: 2, lines_removed: 1});
			expect(session.edits[0].diff).toContain('-const refill = 1;');
			expect(session.edits[0].diff).toContain('+const refill = 2;');
		}

		expect((await ok('get_file_history', {path: 'src/never/touched.ts'})).sessions).toEqual([]);
	});

	test('file history from a Codex apply_patch (Add File)', async () => {
		const codex = await ok('get_file_history', {path: 'gamma.txt'});
		expect(codex.sessions.length).toBeGreaterThan(0);
		expect(codex.sessions[0].tool).toBe('codex');
		expect(codex.sessions[0].edits[0]).toMatchObject({action: 'created', tool: 'apply_patch'});
	});

	test('related to a file, a query, a session; exactly one is required', async () => {
		const byFile = await ok('find_related_sessions', {file_path: BIG_EDITED_FILE});
		expect(byFile.sessions[0]).toMatchObject({session_id: bigId, reason: 'edited the file 3 time(s)'});
		const byQuery = await ok('find_related_sessions', {query: 'zebrafish'});
		expect(byQuery.sessions[0].session_id).toBe(bigId);
		const parentful = home.engine.index.listSessions({includeSubagents: true}).find(row => row.parent_session_id);
		if (parentful) {
			const bySession = await ok('find_related_sessions', {session: parentful.session_id});
			expect(bySession.sessions.map((row: any) => row.session_id)).toContain(parentful.parent_session_id);
		}

		const none = await call('find_related_sessions', {});
		expect(none.isError).toBe(true);
		expect(none.content[0]!.text).toMatch(/exactly one of file_path, query or session/);
		expect((await call('find_related_sessions', {query: 'a', session: bigId})).isError).toBe(true);
	});
});

describe('results stay bounded', () => {
	test('no tool returns more than its budget for the large session', async () => {
		const calls: Array<[string, Record<string, unknown>]> = [
			['get_session', {session: bigId}],
			['get_session_messages', {session: bigId}],
			['get_session_messages', {session: bigId, include_tool_output: true, include_thinking: true}],
			['search_sessions', {query: 'x*', limit: 50}],
			['list_recent_sessions', {limit: 100}],
			['get_file_history', {path: BIG_EDITED_FILE}],
		];
		for (const [name, args] of calls) {
			const result = await call(name, args);
			expect(result.isError, name).toBeFalsy();
			expect(result.content[0]!.text.length, name).toBeLessThan(60_000);
		}
	});
});
