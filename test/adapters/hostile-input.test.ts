/**
 * Hostile native input, across adapters: what a corrupted or crafted file does to a read. Each case
 * keeps the good records, says what it left out in one warning, and returns messages the engine can
 * store (JSON.stringify is what the engine does first with them).
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ampAdapter} from '../../source/adapters/amp.js';
import {claudeCodeAdapter} from '../../source/adapters/claude-code.js';
import {clineAdapter} from '../../source/adapters/cline.js';
import {codexAdapter} from '../../source/adapters/codex.js';
import {copilotAdapter} from '../../source/adapters/copilot.js';
import {cursorAdapter} from '../../source/adapters/cursor.js';
import {geminiAdapter} from '../../source/adapters/gemini.js';
import {CUT_MARKER, MAX_JSON_DEPTH, cutDeepNesting} from '../../source/adapters/json-depth.js';
import type {Adapter, AdapterContext, ReadResult} from '../../source/adapters/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

let home: string;

function context(): AdapterContext {
	const store = new Map<string, unknown>();
	return {
		env: {HOME: home},
		home,
		platform: 'linux',
		now: () => new Date('2026-11-25T12:00:00Z'),
		cache: {get: key => store.get(key), set: (key, value) => store.set(key, value)},
	};
}

async function readOnly(adapter: Adapter): Promise<ReadResult> {
	const ctx = context();
	const sessions = await adapter.discover(ctx);
	expect(sessions).toHaveLength(1);
	return adapter.read({session: sessions[0]!}, ctx);
}

/** A JSON value nested `levels` deep (arrays), as text: JSON.parse takes it, JSON.stringify of it overflows the stack. */
function deepText(levels: number): string {
	return '['.repeat(levels) + ']'.repeat(levels);
}

function insertLine(file: string, at: number, line: string): void {
	const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
	lines.splice(at, 0, line);
	fs.writeFileSync(file, lines.join('\n') + '\n');
}

function copyInto(source: string, target: string): string {
	fs.mkdirSync(path.dirname(target), {recursive: true});
	fs.copyFileSync(source, target);
	fs.chmodSync(target, 0o644);
	return target;
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-hostile-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('cutDeepNesting', () => {
	it('replaces what lies below MAX_JSON_DEPTH by a marker and leaves shallower values alone', () => {
		const shallow = {a: [{b: 1}], c: 'x'};
		expect(cutDeepNesting(shallow)).toBe(0);
		expect(shallow).toEqual({a: [{b: 1}], c: 'x'});

		const deep = {keep: 1, nested: JSON.parse(deepText(MAX_JSON_DEPTH + 50)) as unknown};
		expect(cutDeepNesting(deep)).toBe(1);
		expect(deep.keep).toBe(1);
		expect(() => JSON.stringify(deep)).not.toThrow();
		expect(JSON.stringify(deep)).toContain(CUT_MARKER);
		// The cut is at MAX_JSON_DEPTH: that many levels of containers are kept.
		let depth = 0;
		let node: unknown = deep;
		while (typeof node === 'object' && node !== null) {
			depth++;
			node = Array.isArray(node) ? node[0] : (node as {nested: unknown}).nested;
		}

		expect(depth).toBe(MAX_JSON_DEPTH);
		expect(node).toBe(CUT_MARKER);
	});
});

describe('a line nested thousands of levels deep', () => {
	it('claude-code: the session is read, the line cut with a warning, the records after it kept', async () => {
		const file = copyInto(
			path.join(fixtures, 'claude-code', 'projects', '-home-user-project', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01.jsonl'),
			path.join(home, '.claude', 'projects', '-home-user-project', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01.jsonl'),
		);
		const before = await readOnly(claudeCodeAdapter);
		insertLine(file, 3, `{"type":"user","uuid":"deep-1","timestamp":"2026-03-29T16:30:00.000Z","message":{"role":"user","content":[{"type":"text","text":"deep","x":${deepText(20_000)}}]}}`);

		const result = await readOnly(claudeCodeAdapter);
		expect(() => JSON.stringify(result.messages)).not.toThrow();
		expect(result.messages).toHaveLength(before.messages.length + 1);
		expect(result.warnings).toEqual([expect.stringMatching(/line 4: nested deeper than 200 levels, 1 part\(s\) cut/)]);
		expect(result.messages.at(-1)?.msg_id).toBe(before.messages.at(-1)?.msg_id);
	});

	it('codex: a rollout line, and tool arguments whose JSON string is nested that deep', async () => {
		const file = copyInto(
			path.join(fixtures, 'codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl'),
			path.join(home, '.codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl'),
		);
		const before = await readOnly(codexAdapter);
		insertLine(file, 3, JSON.stringify({timestamp: '2026-01-02T03:04:07.500Z', type: 'response_item', payload: {type: 'function_call', name: 'x', arguments: deepText(20_000), call_id: 'deep-args'}}));
		insertLine(file, 4, `{"timestamp":"2026-01-02T03:04:07.600Z","type":"future_deep","payload":${deepText(20_000)}}`);

		const result = await readOnly(codexAdapter);
		expect(() => JSON.stringify(result.messages)).not.toThrow();
		expect(result.messages.length).toBe(before.messages.length + 2);
		expect(result.warnings).toEqual([expect.stringMatching(/line 5: nested deeper than 200 levels/)]);
	});

	it('copilot: an events.jsonl line', async () => {
		const source = path.join(fixtures, 'copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl');
		const file = copyInto(source, path.join(home, '.copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl'));
		const before = await readOnly(copilotAdapter);
		insertLine(file, 2, `{"type":"future.deep","id":"deep-1","timestamp":"2026-01-01T00:00:00.000Z","data":${deepText(20_000)}}`);

		const result = await readOnly(copilotAdapter);
		expect(() => JSON.stringify(result.messages)).not.toThrow();
		expect(result.messages.length).toBeGreaterThan(before.messages.length);
		expect(result.warnings).toEqual([expect.stringMatching(/line 3: nested deeper than 200 levels/)]);
	});

	it('amp: a thread file (read whole) keeps its messages, with one warning', async () => {
		const source = path.join(fixtures, 'amp', 'threads-export', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.excerpt.json');
		const thread = JSON.parse(fs.readFileSync(source, 'utf8')) as {messages: Array<Record<string, unknown>>};
		const before = thread.messages.length;
		thread.messages[0]!.deep = '@DEEP@';
		const file = path.join(home, '.local', 'share', 'amp', 'threads', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, JSON.stringify(thread).replace('"@DEEP@"', deepText(20_000)));

		const result = await readOnly(ampAdapter);
		expect(() => JSON.stringify(result.messages)).not.toThrow();
		expect(result.messages.length).toBeGreaterThanOrEqual(before);
		expect(result.warnings).toEqual([expect.stringMatching(/nested deeper than 200 levels, 1 part\(s\) cut/)]);
	});

	it('cline: a task file (read whole) keeps its messages, with one warning', async () => {
		const task = path.join(home, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'tasks', '1763800000000');
		fs.cpSync(path.join(fixtures, 'cline', 'extension-layout', 'tasks', '1763800000000'), task, {recursive: true});
		const before = await readOnly(clineAdapter);
		const apiFile = path.join(task, 'api_conversation_history.json');
		const api = JSON.parse(fs.readFileSync(apiFile, 'utf8')) as Array<Record<string, unknown>>;
		api[0]!.deep = '@DEEP@';
		fs.writeFileSync(apiFile, JSON.stringify(api).replace('"@DEEP@"', deepText(20_000)));

		const result = await readOnly(clineAdapter);
		expect(() => JSON.stringify(result.messages)).not.toThrow();
		expect(result.messages).toHaveLength(before.messages.length);
		expect(result.warnings.filter(warning => warning.includes('nested deeper'))).toEqual([expect.stringMatching(/^api_conversation_history\.json: nested deeper than 200 levels, 1 part\(s\) cut$/)]);
	});
});

describe('a Cursor transcript full of bad lines', () => {
	it('warns once per line (counting its malformed blocks) and counts the lines past the first twenty', async () => {
		const id = 'aaaaaaaa-0000-0000-0000-000000000001';
		const file = path.join(home, '.cursor', 'projects', 'proj', 'agent-transcripts', id, `${id}.jsonl`);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const fiveBadBlocks = JSON.stringify({role: 'assistant', message: {content: [null, 5, 's', {type: 'text', text: null}, {type: 'tool_use', name: null}]}});
		const lines = [fiveBadBlocks, ...Array.from({length: 30}, () => '{not json'), '{"role":"assistant","message":{"content":[{"type":"text","text":"kept"}]}}'];
		fs.writeFileSync(file, lines.join('\n') + '\n');

		const result = await readOnly(cursorAdapter);
		expect(result.warnings).toHaveLength(21);
		expect(result.warnings[0]).toBe(`${id}.jsonl: line at byte 0: 5 malformed content block(s) kept as invalid_block`);
		expect(result.warnings[1]).toBe(`${id}.jsonl: line 2: invalid JSON, skipped`);
		expect(result.warnings[20]).toBe(`${id}.jsonl: 11 more bad lines`);
		expect(result.messages.at(-1)?.content).toEqual([{type: 'text', text: 'kept'}]);
	});
});

describe('warnings about a whole-file store name the file once', () => {
	// Capture prefixes each warning with the session's path; the adapter's part says only the file's base name.
	it('amp, gemini (legacy JSON) and copilot (legacy document)', async () => {
		const amp = path.join(home, '.local', 'share', 'amp', 'threads', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json');
		fs.mkdirSync(path.dirname(amp), {recursive: true});
		fs.writeFileSync(amp, '{"id": "T-019fa4db');
		expect((await readOnly(ampAdapter)).warnings).toEqual(['T-019fa4db-29cf-70c9-8d9b-81524df70e52.json: invalid JSON (file may be mid-write), skipped']);

		const gemini = path.join(home, '.gemini', 'tmp', 'p', 'chats', 'session-2026-09-01T10-00-cccccccc.json');
		fs.mkdirSync(path.dirname(gemini), {recursive: true});
		fs.writeFileSync(gemini, '');
		expect((await readOnly(geminiAdapter)).warnings).toEqual(['session-2026-09-01T10-00-cccccccc.json: empty file']);

		const copilot = path.join(home, '.copilot', 'history-session-state', 'old.json');
		fs.mkdirSync(path.dirname(copilot), {recursive: true});
		fs.writeFileSync(copilot, '{"sessionId": "old", "chatMessages": [');
		expect((await readOnly(copilotAdapter)).warnings).toEqual(['old.json: invalid JSON (file may be mid-write), skipped']);
	});
});

describe('native strings named like Object.prototype members', () => {
	it('count as record types like any other ("constructor", "toString", "__proto__")', async () => {
		const file = copyInto(
			path.join(fixtures, 'codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl'),
			path.join(home, '.codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl'),
		);
		for (const type of ['constructor', 'toString', '__proto__', 'constructor']) fs.appendFileSync(file, JSON.stringify({timestamp: '2026-01-02T03:05:00.000Z', type, payload: {}}) + '\n');

		const result = await readOnly(codexAdapter);
		expect(Object.entries(result.unknownRecords)).toEqual(expect.arrayContaining([['constructor', 2], ['toString', 1], ['__proto__', 1]]));
		expect(JSON.parse(JSON.stringify(result.unknownRecords))).toMatchObject({constructor: 2, toString: 1, __proto__: 1});
	});

	it('cline: a files_in_context record_source of "constructor" is a referenced file, not a session that fails validation', async () => {
		const task = path.join(home, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'tasks', '1763800000000');
		fs.cpSync(path.join(fixtures, 'cline', 'extension-layout', 'tasks', '1763800000000'), task, {recursive: true});
		const metadataFile = path.join(task, 'task_metadata.json');
		const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as {files_in_context: unknown[]};
		metadata.files_in_context.push({path: 'src/odd.ts', record_source: 'constructor', record_state: 'active'});
		fs.writeFileSync(metadataFile, JSON.stringify(metadata));

		const result = await readOnly(clineAdapter);
		expect(result.workspace?.files).toContainEqual({path: 'src/odd.ts', role: 'referenced'});
		for (const file of result.workspace?.files ?? []) expect(typeof file.role).toBe('string');
	});
});

describe('native ids named like Object.prototype members', () => {
	it('gemini: messages with ids "constructor" and "__proto__" chain like any other, on a first and a continued read', async () => {
		const file = path.join(home, '.gemini', 'tmp', 'p', 'chats', 'session-2026-09-01T10-00-aaaaaaaa.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const line = (id: string, type: string, text: string) => JSON.stringify({id, timestamp: '2026-09-01T10:00:00.000Z', type, content: [{text}]});
		fs.writeFileSync(file, [JSON.stringify({sessionId: 'aaaaaaaa-0000', kind: 'main'}), line('constructor', 'user', 'one'), line('__proto__', 'gemini', 'two')].join('\n') + '\n');
		const ctx = context();
		const [session] = await geminiAdapter.discover(ctx);
		const first = await geminiAdapter.read({session: session!}, ctx);
		expect(first.messages.map(message => [message.msg_id, message.parent_msg_id])).toEqual([
			['constructor', null],
			['__proto__', 'constructor'],
		]);

		fs.appendFileSync(file, line('toString', 'user', 'three') + '\n');
		const state = JSON.parse(JSON.stringify(first.state)) as unknown;
		const next = await geminiAdapter.read({session: session!, cursors: first.cursors, state}, ctx);
		expect(next.messages.map(message => [message.msg_id, message.parent_msg_id])).toEqual([['toString', '__proto__']]);
	});

	it('copilot: events of type "hasOwnProperty" or "valueOf" are unknown records, not a session that cannot be read', async () => {
		const file = path.join(home, '.copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl');
		copyInto(path.join(fixtures, 'copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl'), file);
		for (const type of ['hasOwnProperty', 'valueOf']) fs.appendFileSync(file, JSON.stringify({type, data: {}, id: type, timestamp: '2026-03-26T17:53:00.000Z'}) + '\n');
		const result = await readOnly(copilotAdapter);
		expect(result.unknownRecords).toEqual({hasOwnProperty: 1, valueOf: 1});
		expect(result.messages.filter(message => message.role === 'user')).not.toHaveLength(0);
	});

	it('copilot: a tool call id "constructor" is matched to its own start, and a result without one is an orphan', async () => {
		const file = path.join(home, '.copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const event = (id: string, type: string, data: unknown) => JSON.stringify({type, data, id, timestamp: '2026-03-26T17:50:35.000Z'});
		fs.writeFileSync(file, [event('e1', 'session.start', {sessionId: 'aaaabbbb-1111-2222-3333-ccccddddeeee', copilotVersion: '1.0.11'}), event('e2', 'tool.execution_complete', {toolCallId: 'constructor', success: true, result: {content: 'x'}})].join('\n') + '\n');
		const result = await readOnly(copilotAdapter);
		const toolResult = result.messages.find(message => message.role === 'tool');
		expect(toolResult?.metadata).toMatchObject({orphan_result: true});
	});
});

describe('times a Date cannot hold', () => {
	it('cline task: a ui_messages ts of 1e308 is no time at all (the task was unreadable)', async () => {
		const task = path.join(home, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'tasks', '1700001234567');
		fs.cpSync(path.join(fixtures, 'cline', 'extension-layout', 'tasks', '1700001234567'), task, {recursive: true});
		const before = await readOnly(clineAdapter);
		const uiFile = path.join(task, 'ui_messages.json');
		const ui = JSON.parse(fs.readFileSync(uiFile, 'utf8')) as Array<Record<string, unknown>>;
		for (const entry of ui) entry.ts = 1e308;
		fs.writeFileSync(uiFile, JSON.stringify(ui));

		const result = await readOnly(clineAdapter);
		expect(result.messages).toHaveLength(before.messages.length);
		for (const message of result.messages) expect(Number.isNaN(Date.parse(message.timestamp))).toBe(false);
	});

	it('cline SDK session: a message ts and a started_at of 1e308 fall back like missing ones', async () => {
		const dir = path.join(home, '.cline', 'data', 'sessions', '1784094124598_rruoq');
		fs.cpSync(path.join(fixtures, 'cline', 'sdk-layout', 'dot-cline', 'data', 'sessions', '1784094124598_rruoq'), dir, {recursive: true});
		const before = await readOnly(clineAdapter);
		const messagesFile = path.join(dir, '1784094124598_rruoq.messages.json');
		const transcript = JSON.parse(fs.readFileSync(messagesFile, 'utf8')) as {messages: Array<Record<string, unknown>>};
		for (const message of transcript.messages) message.ts = 1e308;
		fs.writeFileSync(messagesFile, JSON.stringify(transcript));
		const manifestFile = path.join(dir, '1784094124598_rruoq.json');
		fs.writeFileSync(manifestFile, JSON.stringify({...(JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as object), started_at: 1e308}));

		const result = await readOnly(clineAdapter);
		expect(result.messages).toHaveLength(before.messages.length);
		for (const message of result.messages) expect(Number.isNaN(Date.parse(message.timestamp))).toBe(false);
	});
});

describe('a UTF-8 byte order mark at the start of a file', () => {
	const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

	it('claude-code (JSONL): the first line is read like the others', async () => {
		const source = path.join(fixtures, 'claude-code', 'projects', '-home-user-project', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01.jsonl');
		const file = copyInto(source, path.join(home, '.claude', 'projects', '-home-user-project', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01.jsonl'));
		const plain = await readOnly(claudeCodeAdapter);
		fs.writeFileSync(file, Buffer.concat([BOM, fs.readFileSync(source)]));
		const result = await readOnly(claudeCodeAdapter);
		expect(result.warnings).toEqual([]);
		// Ids derived from byte offsets move by the mark's three bytes; the messages are the same.
		expect(result.messages.map(message => message.content)).toEqual(plain.messages.map(message => message.content));
	});

	it('amp (whole JSON file): the thread is read', async () => {
		const source = path.join(fixtures, 'amp', 'threads-export', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.excerpt.json');
		const file = path.join(home, '.local', 'share', 'amp', 'threads', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, Buffer.concat([BOM, fs.readFileSync(source)]));
		const result = await readOnly(ampAdapter);
		expect(result.warnings).toEqual([]);
		expect(result.messages.length).toBeGreaterThan(0);
	});
});

describe('a native value {"toString": 1} where a string was expected', () => {
	// String() and template literals find no callable toString on such an object and throw.
	const HOSTILE = '{"toString":1}';

	it('codex: a record type is an unknown record, not a session that cannot be read', async () => {
		const file = copyInto(
			path.join(fixtures, 'codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl'),
			path.join(home, '.codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl'),
		);
		fs.appendFileSync(file, `{"timestamp":"2026-01-02T03:05:00.000Z","type":${HOSTILE},"payload":{}}\n`);
		const result = await readOnly(codexAdapter);
		expect(result.unknownRecords).toMatchObject({'[object]': 1});
	});

	it('amp: a messageId', async () => {
		const source = path.join(fixtures, 'amp', 'threads-export', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.excerpt.json');
		const thread = JSON.parse(fs.readFileSync(source, 'utf8')) as {messages: Array<Record<string, unknown>>};
		thread.messages[1]!.messageId = '@HOSTILE@';
		const file = path.join(home, '.local', 'share', 'amp', 'threads', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, JSON.stringify(thread).replace('"@HOSTILE@"', HOSTILE));
		const result = await readOnly(ampAdapter);
		expect(result.messages.length).toBeGreaterThanOrEqual(thread.messages.length);
	});

	it('cline: a message role', async () => {
		const task = path.join(home, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'tasks', '1700001234567');
		fs.cpSync(path.join(fixtures, 'cline', 'extension-layout', 'tasks', '1700001234567'), task, {recursive: true});
		const apiFile = path.join(task, 'api_conversation_history.json');
		const api = JSON.parse(fs.readFileSync(apiFile, 'utf8')) as Array<Record<string, unknown>>;
		api[1]!.role = '@HOSTILE@';
		fs.writeFileSync(apiFile, JSON.stringify(api).replace('"@HOSTILE@"', HOSTILE));
		const result = await readOnly(clineAdapter);
		expect(result.unknownRecords).toMatchObject({'role:[object]': 1});
		expect(result.messages).toHaveLength(api.length);
	});
});

describe('timestamps that look like RFC 3339 but are not dates', () => {
	const impossible = ['2026-13-45T99:99:99Z', '2026-02-30T10:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:00:00+25:00'];

	it('gemini: such a message takes the time before it and stays valid', async () => {
		const file = path.join(home, '.gemini', 'tmp', 'p', 'chats', 'session-2026-09-01T10-00-aaaaaaaa.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const lines = [JSON.stringify({sessionId: 'aaaaaaaa-0000', kind: 'main'}), JSON.stringify({id: 'm0', timestamp: '2026-09-01T10:00:00.000Z', type: 'user', content: [{text: 'first'}]})];
		for (const [index, timestamp] of impossible.entries()) lines.push(JSON.stringify({id: `m${index + 1}`, timestamp, type: 'user', content: [{text: 'x'}]}));
		fs.writeFileSync(file, lines.join('\n') + '\n');
		const result = await readOnly(geminiAdapter);
		expect(result.messages).toHaveLength(impossible.length + 1);
		for (const message of result.messages) {
			expect(validateMessage(message).errors).toEqual([]);
			expect(message.timestamp).toBe('2026-09-01T10:00:00.000Z');
		}
	});

	it('copilot: such an event takes the time before it and stays valid', async () => {
		const file = path.join(home, '.copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const event = (id: string, timestamp: string, content: string) => JSON.stringify({type: 'user.message', data: {content}, id, timestamp});
		const lines = [JSON.stringify({type: 'session.start', data: {sessionId: 'aaaabbbb-1111-2222-3333-ccccddddeeee', startTime: '2026-13-01T00:00:00Z'}, id: 'e0', timestamp: '2026-03-26T17:50:34.263Z'}), event('e1', '2026-03-26T17:50:35.000Z', 'first')];
		for (const [index, timestamp] of impossible.entries()) lines.push(event(`e${index + 2}`, timestamp, `x${index}`));
		fs.writeFileSync(file, lines.join('\n') + '\n');
		const result = await readOnly(copilotAdapter);
		const users = result.messages.filter(message => message.role === 'user');
		expect(users).toHaveLength(impossible.length + 1);
		for (const message of result.messages) expect(validateMessage(message).errors).toEqual([]);
		for (const message of users) expect(message.timestamp).toBe('2026-03-26T17:50:35.000Z');
		expect(result.info.createdAt === undefined || !Number.isNaN(Date.parse(result.info.createdAt))).toBe(true);
	});
});

describe('session times that are not dates', () => {
	it('gemini: a startTime or lastUpdated that is not a date is left out of the session info (the manifest rejected it)', async () => {
		const file = path.join(home, '.gemini', 'tmp', 'p', 'chats', 'session-2026-09-01T10-00-aaaaaaaa.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(
			file,
			[
				JSON.stringify({sessionId: 'aaaaaaaa-0000', startTime: 'garbage', lastUpdated: '2026-02-30T10:00:00Z', kind: 'main'}),
				JSON.stringify({id: 'm0', timestamp: '2026-09-01T10:00:00.000Z', type: 'user', content: [{text: 'first'}]}),
			].join('\n') + '\n',
		);
		const result = await readOnly(geminiAdapter);
		expect(result.info.createdAt).toBeUndefined();
		expect(result.info.updatedAt).toBeUndefined();
		expect(result.messages).toHaveLength(1);
	});

	it('copilot: a workspace.yaml created_at that is not a date is left out', async () => {
		const dir = path.join(home, '.copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee');
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(path.join(dir, 'events.jsonl'), JSON.stringify({type: 'user.message', data: {content: 'hi'}, id: 'e1', timestamp: 'not a date'}) + '\n');
		fs.writeFileSync(path.join(dir, 'workspace.yaml'), 'created_at: not a date\nupdated_at: 2026-13-01T00:00:00Z\n');
		const result = await readOnly(copilotAdapter);
		expect(result.info.createdAt).toBeUndefined();
		expect(result.messages).toHaveLength(1);
	});
});

describe('a compressed Codex rollout with a line past the line limit', () => {
	it('skips that line with a warning and keeps the lines around it (it used to be decompressed whole)', async () => {
		const name = 'rollout-2026-01-06T00-00-00-55555555-5555-4555-8555-555555555555.jsonl.zst';
		copyInto(path.join(fixtures, 'codex', 'hostile', name), path.join(home, '.codex', 'sessions', '2026', '01', '06', name));
		const ctx = context();
		const sessions = await codexAdapter.discover(ctx);
		expect(sessions.map(session => session.nativeId)).toEqual(['55555555-5555-4555-8555-555555555555']);
		const result = await codexAdapter.read({session: sessions[0]!}, ctx);
		expect(result.warnings).toEqual([`${name}: line 2: longer than 64 MB, skipped`]);
		expect(result.info.cwd).toBe('/work/zstd-bomb');
		expect(result.messages.at(-1)?.content).toEqual([{type: 'text', text: 'after the huge line'}]);
	});
});

describe('line numbers in warnings of an incremental read', () => {
	it('count from the start of the file, not from the cursor', async () => {
		const source = path.join(fixtures, 'codex', 'sessions', '2026', '01', '02', 'rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl');
		const file = copyInto(source, path.join(home, '.codex', 'sessions', '2026', '01', '02', path.basename(source)));
		const linesBefore = fs.readFileSync(source, 'utf8').trimEnd().split('\n').length;
		const ctx = context();
		const [session] = await codexAdapter.discover(ctx);
		const first = await codexAdapter.read({session: session!}, ctx);
		fs.appendFileSync(file, '{"timestamp":"2026-01-02T03:06:00.000Z","type":"event_msg","payload":{"type":"agent_message","message":"more"}}\n{broken\n');

		const next = await codexAdapter.read({session: session!, cursors: first.cursors, state: first.state}, ctx);
		expect(next.mode).toBe('incremental');
		expect(next.warnings).toEqual([`${path.basename(source)}: line ${linesBefore + 2}: invalid JSON, skipped`]);
	});

	it('copilot too', async () => {
		const source = path.join(fixtures, 'copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl');
		const file = copyInto(source, path.join(home, '.copilot', 'session-state', 'aaaabbbb-1111-2222-3333-ccccddddeeee', 'events.jsonl'));
		const linesBefore = fs.readFileSync(source, 'utf8').trimEnd().split('\n').length;
		const ctx = context();
		const [session] = await copilotAdapter.discover(ctx);
		const first = await copilotAdapter.read({session: session!}, ctx);
		fs.appendFileSync(file, '{broken\n');

		const next = await copilotAdapter.read({session: session!, cursors: first.cursors, state: first.state}, ctx);
		expect(next.warnings).toEqual([`aaaabbbb-1111-2222-3333-ccccddddeeee/events.jsonl: line ${linesBefore + 1}: invalid JSON, skipped`]);
	});
});

describe('an Amp message with many malformed blocks', () => {
	it('gets one warning per kind of problem, with the count', async () => {
		const thread = {id: 'T-019fa4db-29cf-70c9-8d9b-81524df70e52', created: 1747300000000, messages: [{role: 'assistant', messageId: 1, content: [5, null, 'x', {type: 'text'}, {type: 'text', text: 'kept'}]}]};
		const file = path.join(home, '.local', 'share', 'amp', 'threads', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, JSON.stringify(thread));
		const result = await readOnly(ampAdapter);
		expect(result.warnings).toEqual([
			'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json: message 1: content block without a type kept as invalid_block (3 blocks)',
			'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json: message 1: malformed text block kept as invalid_block',
		]);
	});
});

describe('import --from with a path that is not a regular file', () => {
	it('finds no sessions in a FIFO or a device (opening a FIFO blocked for good)', async () => {
		const {nativeSessionsAt} = await import('../../source/adapters/import-paths.js');
		const fifo = path.join(home, 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json');
		execFileSync('mkfifo', [fifo]);
		for (const tool of ['amp', 'claude-code', 'codex', 'gemini', 'copilot', 'cursor'] as const) {
			expect(await nativeSessionsAt(tool, fifo, context())).toEqual([]);
			expect(await nativeSessionsAt(tool, '/dev/zero', context())).toEqual([]);
		}
	});
});
