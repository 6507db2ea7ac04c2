/**
 * find_related_sessions for a session reads each candidate session once, and never the session
 * itself again for each of its files (a long session made the call take seconds).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {afterAll, beforeAll, expect, test, vi} from 'vitest';
import {runCapture} from '../../source/engine/capture-run.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {homeEnv} from './captured-home.js';
import {connectedClient} from './connected-client.js';

const MAIN = '77770000-0000-4000-8000-00000000000a';
const OTHER = '77770000-0000-4000-8000-00000000000b';
const CWD = '/work/shop';

let root: string;
let engine: Engine;
let client: Client;

/** A Claude Code transcript in CWD that edits `files` (one Edit call each). */
function writeEditingSession(projects: string, sessionId: string, files: string[]): void {
	const dir = path.join(projects, '-work-shop');
	fs.mkdirSync(dir, {recursive: true});
	const base = {isSidechain: false, userType: 'external', cwd: CWD, sessionId, version: '2.1.332'};
	const lines: string[] = [];
	let parent: string | null = null;
	const push = (type: 'user' | 'assistant', message: unknown) => {
		const uuid = `${sessionId.slice(0, 24)}${String(lines.length + 1).padStart(12, '0')}`;
		lines.push(JSON.stringify({...base, parentUuid: parent, type, uuid, timestamp: new Date(Date.UTC(2026, 10, 20, 10, 0, lines.length)).toISOString(), message}));
		parent = uuid;
	};

	push('user', {role: 'user', content: `Tidy up ${files.join(', ')}.`});
	for (const [index, file] of files.entries()) {
		const id = `toolu_${sessionId.slice(-1)}_${index}`;
		push('assistant', {id: `msg_${lines.length}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'tool_use', id, name: 'Edit', input: {file_path: `${CWD}/${file}`, old_string: 'let a = 1;', new_string: 'const a = 1;'}}], stop_reason: 'tool_use', usage: {input_tokens: 3, output_tokens: 2}});
		push('user', {role: 'user', content: [{type: 'tool_result', tool_use_id: id, content: `The file ${CWD}/${file} has been updated.`}]});
	}

	fs.writeFileSync(path.join(dir, `${sessionId}.jsonl`), `${lines.join('\n')}\n`);
}

beforeAll(async () => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-mcp-related-'));
	const home = path.join(root, 'home');
	const env = homeEnv(root);
	const projects = path.join(home, '.claude', 'projects');
	writeEditingSession(projects, MAIN, ['src/cart.ts', 'src/price.ts', 'src/tax.ts', 'src/ship.ts', 'src/user.ts', 'src/order.ts']);
	writeEditingSession(projects, OTHER, ['src/cart.ts', 'src/price.ts']);
	engine = openEngine({env});
	await runCapture(engine, {tools: ['claude-code']});
	client = await connectedClient({engine, cwd: root, log() {}});
}, 120_000);

afterAll(async () => {
	await client?.close();
	engine?.close();
	fs.rmSync(root, {recursive: true, force: true});
});

test('related to a session: the session sharing two edited files ranks first, and each session is read once', async () => {
	const main = engine.index.listSessions({}).find(row => row.title?.startsWith('Tidy up src/cart.ts, src/price.ts, src/tax.ts'))!.session_id;
	const other = engine.index.listSessions({}).find(row => row.session_id !== main)!.session_id;
	const reads = vi.spyOn(engine.store, 'readMessages');
	try {
		const result = (await client.callTool({name: 'find_related_sessions', arguments: {session: main}})) as {structuredContent?: Record<string, any>; isError?: boolean};
		expect(result.isError).toBeFalsy();
		const [first] = result.structuredContent!.sessions;
		expect(first).toMatchObject({session_id: other, score: 7});
		expect(first.reason).toContain('also edited /work/shop/src/cart.ts');
		expect(first.reason).toContain('also edited /work/shop/src/price.ts');
		const readsOf = (id: string) => reads.mock.calls.filter(([read]) => read === id).length;
		expect(readsOf(other)).toBe(1);
		expect(readsOf(main)).toBeLessThanOrEqual(1);
	} finally {
		reads.mockRestore();
	}
});
