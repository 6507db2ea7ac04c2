import {randomUUID} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {copilotAdapter, copilotSessionForFile} from '../../source/adapters/copilot.js';
import {parseWorkspaceYaml} from '../../source/adapters/copilot-discover.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import {SfsError} from '../../source/engine/errors.js';
import type {ContentBlock, Message} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'copilot');
const dirSessionId = 'aaaabbbb-1111-2222-3333-ccccddddeeee';

let home: string;
let copilotHome: string;

function context(env: NodeJS.ProcessEnv = {}): AdapterContext {
	const store = new Map<string, unknown>();
	return {
		env: {HOME: home, ...env},
		home,
		platform: 'linux',
		now: () => new Date('2026-11-25T12:00:00Z'),
		cache: {get: key => store.get(key), set: (key, value) => store.set(key, value)},
	};
}

function expectAllValid(messages: Message[]) {
	for (const message of messages) {
		const result = validateMessage(message);
		expect(result.errors, `${message.msg_id}: ${result.errors.join('; ')}`).toEqual([]);
	}
}

function blocks<T extends ContentBlock['type']>(messages: Message[], type: T): Array<Extract<ContentBlock, {type: T}>> {
	return messages.flatMap(message => message.content.filter(block => block.type === type)) as Array<Extract<ContentBlock, {type: T}>>;
}

function expectPairedExceptOrphans(messages: Message[]) {
	const uses = new Set<string>();
	for (const message of messages) {
		for (const block of message.content) {
			if (block.type === 'tool_use') uses.add(block.tool_use_id as string);
			if (block.type === 'tool_result' && message.metadata?.orphan_result !== true) expect(uses.has(block.tool_use_id as string), `unpaired ${block.tool_use_id as string}`).toBe(true);
		}
	}
}

function flat(name: string): string {
	return path.join(copilotHome, 'session-state', `${name}.jsonl`);
}

async function readSession(nativeId: string, ctx = context({COPILOT_HOME: copilotHome})): Promise<ReadResult> {
	const session = (await copilotAdapter.discover(ctx)).find(candidate => candidate.nativeId === nativeId);
	if (!session) throw new Error(`no session ${nativeId}`);
	return copilotAdapter.read({session}, ctx);
}

const workspaceYaml = `id: ${dirSessionId}
cwd: /tmp/project
git_root: /tmp/project
repository: example/repo
host_type: github
branch: main
client_name: github/cli
name: "List Directory Contents #1"
user_named: false
summary_count: 0
created_at: 2026-03-26T17:50:34.263Z
updated_at: 2026-03-26T17:50:37.100Z
`;

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-copilot-'));
	copilotHome = path.join(home, 'copilot-home');
	fs.cpSync(path.join(fixtures, 'session-state'), path.join(copilotHome, 'session-state'), {recursive: true});
	for (const name of ['small', 'large', 'schema_drift']) fs.copyFileSync(path.join(fixtures, 'flat-samples', `${name}.jsonl`), flat(name));
	fs.writeFileSync(path.join(copilotHome, 'session-state', dirSessionId, 'workspace.yaml'), workspaceYaml);
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('copilot roots and discovery', () => {
	it('roots follow HOME and COPILOT_HOME', () => {
		expect(copilotAdapter.roots(context())).toEqual([path.join(home, '.copilot', 'session-state'), path.join(home, '.copilot', 'history-session-state')]);
		expect(copilotAdapter.roots(context({COPILOT_HOME: '/x'}))).toEqual(['/x/session-state', '/x/history-session-state']);
	});

	it('finds nothing, without throwing, when the root is missing', async () => {
		expect(await copilotAdapter.discover(context())).toEqual([]);
	});

	it('lists session directories, flat event logs and legacy documents, skipping empty directories', async () => {
		fs.mkdirSync(path.join(copilotHome, 'session-state', 'empty-dir-left-by-resume'));
		fs.mkdirSync(path.join(copilotHome, 'history-session-state'));
		fs.writeFileSync(path.join(copilotHome, 'history-session-state', 'legacy-1.json'), JSON.stringify({sessionId: 'legacy-1', startTime: '2025-09-01T10:00:00Z', chatMessages: [{role: 'user', content: 'hi'}]}));
		const sessions = new Map((await copilotAdapter.discover(context({COPILOT_HOME: copilotHome}))).map(session => [session.nativeId, session]));
		expect([...sessions.keys()].sort()).toEqual([dirSessionId, 'large', 'legacy-1', 'schema_drift', 'small']);
		expect(sessions.get(dirSessionId)?.files.map(file => path.basename(file))).toEqual(['events.jsonl', 'workspace.yaml']);
		expect(sessions.get(dirSessionId)?.growth).toBe('append');
		expect(sessions.get('legacy-1')?.growth).toBe('rewrite');
	});
});

describe('copilot session-state/<id>/events.jsonl', () => {
	let read: ReadResult;
	beforeEach(async () => {
		read = await readSession(dirSessionId);
	});

	it('maps the turn to user, assistant tool call, tool result and answer', () => {
		expectAllValid(read.messages);
		expect(read.messages.map(message => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
		expect(read.messages[0].content).toEqual([{type: 'text', text: 'List the files'}]);
		expect(read.messages[1].content).toEqual([{type: 'tool_use', tool_use_id: 'call_1', name: 'bash', input: {command: 'ls', description: 'List files'}}]);
		expect(read.messages[1]).toMatchObject({stop_reason: 'tool_use', usage: {output_tokens: 12}, turn_id: 'int-0001'});
		expect(read.messages[2].content).toEqual([{type: 'tool_result', tool_use_id: 'call_1', content: 'file1\nfile2\n'}]);
		expect(read.messages[2].metadata?.execution_start).toMatchObject({toolName: 'bash', arguments: {command: 'ls'}});
		expect(read.messages[3].content).toEqual([{type: 'text', text: 'The directory contains file1 and file2.'}]);
		expect(read.messages[3].stop_reason).toBe('end_turn');
		expect(read.messages.slice(1).map(message => message.parent_msg_id)).toEqual(read.messages.slice(0, -1).map(message => message.msg_id));
	});

	it('takes session info from session.start and workspace.yaml', () => {
		expect(read.info).toMatchObject({
			title: 'List Directory Contents #1',
			cwd: '/tmp/project',
			gitBranch: 'main',
			gitCommit: '0000000000000000000000000000000000000000',
			toolVersion: '1.0.11',
			createdAt: '2026-03-26T17:50:34.263Z',
			updatedAt: '2026-03-26T17:50:37.100Z',
			interface: 'cli',
		});
		expect(Object.keys(read.cursors).map(file => path.basename(file)).sort()).toEqual(['events.jsonl', 'workspace.yaml']);
	});

	it('parses nothing when read again from its cursors', async () => {
		const ctx = context({COPILOT_HOME: copilotHome});
		const session = (await copilotAdapter.discover(ctx)).find(candidate => candidate.nativeId === dirSessionId)!;
		const again = await copilotAdapter.read({session, cursors: read.cursors, state: read.state}, ctx);
		expect(again).toMatchObject({mode: 'incremental', recordsParsed: 0, messages: []});
		expect(again.info.title).toBe('List Directory Contents #1');
	});
});

describe('copilot flat samples', () => {
	it('small.jsonl: string arguments, system prompt, models, meta events, sub-agent messages', async () => {
		const read = await readSession('small');
		expectAllValid(read.messages);
		expectPairedExceptOrphans(read.messages);
		expect(read.unknownRecords).toEqual({});
		const system = read.messages.find(message => message.role === 'system' && message.metadata?.copilot_event_type === 'system.message');
		expect(system).toMatchObject({is_meta: true, content: [{type: 'text', text: '[trimmed for fixture]'}]});
		const call = blocks(read.messages, 'tool_use')[0];
		expect(call).toEqual({type: 'tool_use', tool_use_id: 'call-1', name: 'shell', input: {command: 'ls'}});
		const result = blocks(read.messages, 'tool_result')[0];
		expect(result).toEqual({type: 'tool_result', tool_use_id: 'call-1', content: 'a.txt\nb.txt\n', duration_ms: 4});
		const firstAnswer = read.messages.find(message => message.role === 'assistant')!;
		expect(firstAnswer).toMatchObject({model: 'gpt-5-mini', provider: 'openai', turn_id: 'int-1'});
		expect(firstAnswer.metadata?.tool_requests).toEqual([{type: 'function', intentionSummary: 'List the directory', arguments: '{"command":"ls"}'}]);
		expect(read.info).toMatchObject({model: 'gpt-5-mini', reasoningEffort: 'medium', toolVersion: '1.0.77'});
		const meta = read.messages.filter(message => message.is_meta && message.role === 'system');
		expect(meta.map(message => message.metadata?.copilot_event_type)).toEqual(expect.arrayContaining(['session.model_change', 'session.info', 'session.error', 'hook.start', 'session.shutdown', 'subagent.started', 'abort', 'session.truncation']));
		expect(meta.find(message => message.metadata?.copilot_event_type === 'session.error')?.content).toEqual([{type: 'text', text: 'session.error: Example model error'}]);
		const sidechain = read.messages.filter(message => message.is_sidechain);
		expect(sidechain.length).toBeGreaterThan(0);
		expect(sidechain.every(message => message.agent_id === '[trimmed for fixture]')).toBe(true);
		expect(blocks(read.messages, 'thinking').some(block => block.signature === '[trimmed for fixture]')).toBe(true);
	});

	it('schema_drift.jsonl: a payload that lost its fields is kept raw and counted; tool results still pair', async () => {
		const read = await readSession('schema_drift');
		expectAllValid(read.messages);
		expect(read.unknownRecords).toEqual({'session.truncation': 1});
		const raw = read.messages.find(message => message.content[0].type === 'native_record')!;
		expect(raw).toMatchObject({role: 'system', is_meta: true, content: [{type: 'native_record', record: {type: 'session.truncation', data: {reason: 'context_limit', droppedTokens: 1234}}}]});
		const results = read.messages.filter(message => message.role === 'tool');
		expect(results.map(message => [(message.content[0] as {tool_use_id: string}).tool_use_id, message.metadata?.orphan_result ?? false])).toEqual([
			['call_1', false],
			['call_2', true],
		]);
		expect(results[1].content[0]).toMatchObject({is_error: true, content: 'exit code: 1\n'});
		expect(read.info.model).toBe('gpt-4.1');
		expect((read.info.extra?.shutdowns as unknown[]).length).toBe(1);
	});

	it('large.jsonl: every record is accounted for', async () => {
		const read = await readSession('large');
		expectAllValid(read.messages);
		expect(read.recordsParsed).toBe(18);
		expect(read.messages.filter(message => message.role === 'user').map(message => (message.content[0] as {text: string}).text)).toEqual(['Step 1', 'Step 2', 'Step 3']);
		expect(blocks(read.messages, 'tool_result')).toEqual([{type: 'tool_result', tool_use_id: 'call_1', content: 'line1\nline2\nline3\n'}]);
		expect(read.unknownRecords).toEqual({'session.truncation': 1});
		// call_2 started but never completed: not a message yet, but not dropped either.
		expect(read.info.extra?.pendingToolExecutions).toEqual([{toolCallId: 'call_2', toolName: 'bash', arguments: {command: 'echo hi'}, event: 'tool.execution_start'}]);
	});
});

describe('copilot event details', () => {
	function event(type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
		return JSON.stringify({type, data, id: randomUUID(), timestamp: '2026-11-01T10:00:00.000Z', parentId: null, ...extra});
	}

	async function readLines(lines: string[]): Promise<ReadResult> {
		const file = path.join(home, 'one', 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, `${lines.join('\n')}\n`);
		return copilotAdapter.read({session: await copilotSessionForFile(file)}, context());
	}

	it('uses native UUID event ids as msg_ids and keeps unknown event types as counted native records', async () => {
		const user = event('user.message', {content: 'hi', attachments: [{type: 'blob', mimeType: 'image/png', data: 'iVBORw0KGgo=', displayName: 'shot.png'}]});
		const future = event('future.thing', {x: 1});
		const read = await readLines([event('session.start', {sessionId: 's', version: 1, copilotVersion: '1.0.102', startTime: '2026-11-01T10:00:00.000Z', context: {cwd: '/w'}}), user, future]);
		expectAllValid(read.messages);
		expect(read.messages[0].msg_id).toBe((JSON.parse(user) as {id: string}).id);
		expect(read.messages[0].content).toEqual([
			{type: 'text', text: 'hi'},
			{type: 'image', source: {type: 'base64', data: 'iVBORw0KGgo=', media_type: 'image/png'}},
		]);
		expect(read.unknownRecords).toEqual({'future.thing': 1});
		expect(read.messages[1]).toMatchObject({msg_id: (JSON.parse(future) as {id: string}).id, role: 'system', is_meta: true, content: [{type: 'native_record', record: {type: 'future.thing', data: {x: 1}}}]});
	});

	it('keeps valid JSON that is not an event (null, numbers, arrays, objects without a type) as counted native records', async () => {
		const read = await readLines(['null', '42', '[1,2]', '{"no":"type"}']);
		expectAllValid(read.messages);
		expect(read.unknownRecords).toEqual({null: 1, number: 1, array: 1, '(no type)': 1});
		expect(read.messages.map(message => (message.content[0] as {record: unknown}).record)).toEqual([null, 42, [1, 2], {no: 'type'}]);
		expect(new Set(read.messages.map(message => message.msg_id)).size).toBe(4);
	});

	it('keeps reasoning with its signature once, and flattens structured tool results', async () => {
		const read = await readLines([
			event('assistant.reasoning', {reasoningId: 'r1', content: 'Think first.'}),
			event('assistant.message', {messageId: 'm1', content: '', reasoningText: 'Think first.', reasoningOpaque: 'sig-1', toolRequests: [{toolCallId: 't1', name: 'view', arguments: {path: 'a.png'}}], model: 'claude-sonnet-4'}),
			event('tool.execution_complete', {toolCallId: 't1', success: false, error: {message: 'denied', code: 'EPERM'}, result: {contents: [{type: 'text', text: 'partial'}, {type: 'shell_exit', exitCode: 2}, {type: 'image', mimeType: 'image/png', data: 'AAAA'}]}}),
		]);
		expectAllValid(read.messages);
		expect(blocks(read.messages, 'thinking')).toEqual([{type: 'thinking', text: 'Think first.'}]);
		expect(read.messages[1]).toMatchObject({model: 'claude-sonnet-4', provider: 'anthropic', metadata: {reasoning_signature: 'sig-1', reasoning_msg_id: read.messages[0].msg_id}});
		expect(read.messages[2].content).toEqual([
			{type: 'tool_result', tool_use_id: 't1', content: 'partial', is_error: true, exit_code: 2},
			{type: 'image', source: {type: 'base64', data: 'AAAA', media_type: 'image/png'}},
		]);
		expect(read.messages[2].metadata?.copilot).toMatchObject({error: {message: 'denied', code: 'EPERM'}});
	});

	it('synthesizes the tool_use for a tool the user ran directly', async () => {
		const read = await readLines([
			event('tool.user_requested', {toolCallId: 'u1', toolName: 'bash', arguments: {command: 'pwd'}}),
			event('tool.execution_complete', {toolCallId: 'u1', success: true, result: {content: '/w\n'}}),
		]);
		expectAllValid(read.messages);
		expect(read.messages.map(message => message.content[0].type)).toEqual(['tool_use', 'tool_result']);
		expect(read.messages[0]).toMatchObject({role: 'assistant', metadata: {synthesized_from: 'tool.user_requested'}});
	});
});

describe('copilot incremental reads', () => {
	it('returns only appended events, leaves a half-written line, and restarts in full after a rewind truncation', async () => {
		const source = fs.readFileSync(path.join(fixtures, 'session-state', dirSessionId, 'events.jsonl'), 'utf8').trimEnd().split('\n');
		const file = path.join(home, 'inc', dirSessionId, 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, `${source.slice(0, 3).join('\n')}\n${source[3].slice(0, 40)}`);
		const ctx = context();
		const session: NativeSession = await copilotSessionForFile(file);
		const first = await copilotAdapter.read({session}, ctx);
		expect(first.recordsParsed).toBe(3);
		expect(first.messages.map(message => message.role)).toEqual(['user']);

		fs.appendFileSync(file, `${source[3].slice(40)}\n${source.slice(4).join('\n')}\n`);
		const second = await copilotAdapter.read({session, cursors: first.cursors, state: first.state}, ctx);
		expect(second.mode).toBe('incremental');
		expect(second.recordsParsed).toBe(5);
		expect(second.messages.map(message => message.role)).toEqual(['assistant', 'tool', 'assistant']);
		expect(second.messages[0].parent_msg_id).toBe(first.messages[0].msg_id);
		expect(second.messages[1].metadata?.execution_start).toBeDefined();

		// /rewind truncates events.jsonl back to the user message, then the new turn is appended.
		const retry = JSON.stringify({type: 'assistant.message', data: {messageId: 'msg-0009', content: 'Retried answer.', toolRequests: []}, id: 'e9', timestamp: '2026-03-26T17:51:00.000Z', parentId: 'e2'});
		fs.writeFileSync(file, `${source.slice(0, 2).join('\n')}\n${retry}\n`);
		const third = await copilotAdapter.read({session, cursors: second.cursors, state: second.state}, ctx);
		expect(third.mode).toBe('full');
		expect(third.messages.map(message => message.msg_id)).toEqual([first.messages[0].msg_id, expect.any(String)]);
		expect(third.messages[1]).toMatchObject({parent_msg_id: first.messages[0].msg_id, content: [{type: 'text', text: 'Retried answer.'}]});
	});
});

describe('copilot bad input', () => {
	it('keeps good events around invalid lines, NUL padding and binary garbage', async () => {
		const source = fs.readFileSync(path.join(fixtures, 'session-state', dirSessionId, 'events.jsonl'), 'utf8').trimEnd().split('\n');
		const file = path.join(home, 'bad', 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, Buffer.concat([Buffer.from(`${source[0]}\n${source[1]}\n{"type":"assistant.mess\n`), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0a]), Buffer.from(`\u0000\u0000\u0000\n${source[7]}\n`)]));
		const read = await copilotAdapter.read({session: await copilotSessionForFile(file)}, context());
		expectAllValid(read.messages);
		expect(read.messages.map(message => message.role)).toEqual(['user', 'assistant']);
		expect(read.warnings).toEqual(['bad/events.jsonl: 2 invalid JSON lines skipped (first at line 3)']);
	});

	it('warns about an empty file and a damaged legacy document without throwing', async () => {
		const empty = path.join(home, 'empty', 'events.jsonl');
		fs.mkdirSync(path.dirname(empty), {recursive: true});
		fs.writeFileSync(empty, '');
		const emptyRead = await copilotAdapter.read({session: await copilotSessionForFile(empty)}, context());
		expect(emptyRead.messages).toEqual([]);
		expect(emptyRead.warnings).toEqual(['empty/events.jsonl: empty file']);

		const legacy = path.join(home, 'history-session-state', 'old.json');
		fs.mkdirSync(path.dirname(legacy), {recursive: true});
		fs.writeFileSync(legacy, '{"sessionId": "old", "chatMessages": [');
		const legacyRead = await copilotAdapter.read({session: await copilotSessionForFile(legacy)}, context());
		expect(legacyRead.messages).toEqual([]);
		expect(legacyRead.warnings).toHaveLength(1);
	});

	it('keeps a legacy history document whole as one counted native record', async () => {
		const legacy = path.join(home, 'history-session-state', 'old.json');
		fs.mkdirSync(path.dirname(legacy), {recursive: true});
		fs.writeFileSync(legacy, JSON.stringify({sessionId: 'old', startTime: '2025-09-01T10:00:00Z', chatMessages: [{role: 'user', content: 'hi'}]}));
		const read = await copilotAdapter.read({session: await copilotSessionForFile(legacy)}, context());
		expectAllValid(read.messages);
		expect(read.unknownRecords).toEqual({'history-session-state': 1});
		expect(read.messages[0]).toMatchObject({timestamp: '2025-09-01T10:00:00.000Z', content: [{type: 'native_record', record: {sessionId: 'old'}}]});
	});

	it('throws an SfsError only when the file cannot be opened', async () => {
		const file = path.join(home, 'gone', 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, 'x\n');
		const session = await copilotSessionForFile(file);
		fs.rmSync(file);
		await expect(copilotAdapter.read({session}, context())).rejects.toBeInstanceOf(SfsError);
	});
});

describe('workspace.yaml parsing', () => {
	it('reads flat keys, quoted strings with #, booleans and numbers', () => {
		expect(parseWorkspaceYaml(workspaceYaml)).toMatchObject({id: dirSessionId, name: 'List Directory Contents #1', user_named: false, summary_count: 0, branch: 'main'});
		expect(parseWorkspaceYaml("name: it's plain # a comment\nother: 'quoted ''x'''\n")).toEqual({name: "it's plain", other: "quoted 'x'"});
	});
});

describe('copilot: through the engine capture loop', () => {
	it('captures every session, and a second capture of unchanged files parses nothing', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const {sessionIdForNative} = await import('../../source/engine/format.js');
		const env = {HOME: home, COPILOT_HOME: copilotHome, SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const first = await capture({env, store, index, adapters: [copilotAdapter], config: {}});
			expect(first).toMatchObject({new: 4, skipped: []});
			expect(first.unknown_records.copilot).toEqual({'0.0.420:session.truncation': 2});
			const second = await capture({env, store, index, adapters: [copilotAdapter], config: {}});
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 4, records_parsed: 0});

			const events = path.join(copilotHome, 'session-state', dirSessionId, 'events.jsonl');
			fs.appendFileSync(events, `${JSON.stringify({type: 'user.message', data: {content: 'And hidden files?'}, id: 'e9', timestamp: '2026-03-26T17:52:00.000Z', parentId: 'e8'})}\n`);
			const third = await capture({env, store, index, adapters: [copilotAdapter], config: {}});
			expect(third).toMatchObject({updated: 1, records_parsed: 1});
			const {messages} = store.readMessages(sessionIdForNative('copilot', dirSessionId));
			expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
			expect(store.readManifest(sessionIdForNative('copilot', dirSessionId))).toMatchObject({title: 'List Directory Contents #1', source: {tool_version: '1.0.11'}});
		} finally {
			index.close();
		}
	});
});

describe('copilot 1.0.102: a real session (copilot -p, then twice --resume=<id> -p)', () => {
	const realId = '6e5ab749-79eb-46e5-adf9-9e4e0f3afef5';
	let read: ReadResult;
	beforeEach(async () => {
		const ctx = context({COPILOT_HOME: path.join(fixtures, 'real-1.0.102')});
		const sessions = await copilotAdapter.discover(ctx);
		expect(sessions.map(session => session.nativeId)).toEqual([realId]);
		read = await copilotAdapter.read({session: sessions[0]}, ctx);
	});

	it('maps every event, message by message', () => {
		expectAllValid(read.messages);
		expectPairedExceptOrphans(read.messages);
		expect(read.warnings).toEqual([]);
		expect(read.unknownRecords).toEqual({});
		const events = fs.readFileSync(path.join(fixtures, 'real-1.0.102', 'session-state', realId, 'events.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {id: string; type: string});
		// Folded into other messages: turn brackets (turn_id), usage records (usage), execution starts (result metadata).
		const folded = new Set(['session.start', 'assistant.turn_start', 'assistant.turn_end', 'session.usage_record', 'tool.execution_start']);
		expect(read.messages.map(message => message.msg_id)).toEqual(events.filter(event => !folded.has(event.type)).map(event => event.id));
		expect(read.messages.map(message => (message.is_meta ? `${message.role}:meta` : message.role))).toEqual([
			'user', 'system:meta', 'assistant', 'tool', 'assistant', 'system:meta',
			'system:meta', 'user', 'assistant', 'system:meta',
			'system:meta', 'user', 'assistant', 'tool', 'assistant', 'system:meta',
		]);
		const texts = read.messages.filter(message => !message.is_meta && message.role !== 'tool').map(message => message.content.filter(block => block.type === 'text').map(block => (block as {text: string}).text).join(''));
		expect(texts).toEqual(['FIRST: list the files', 'Let me look.', 'There are some files here.', 'SECOND: and now?', 'Sure, second answer without tools.', 'THIRD: read a missing file', 'Reading it.', 'The file does not exist.']);

		const [user, system, call, result] = read.messages;
		expect((user.metadata?.copilot as Record<string, unknown>).transformedContent).toMatch(/<current_datetime>.*FIRST: list the files$/s);
		expect((system.content[0] as {text: string}).text).toContain('non-interactive mode');
		expect(call.content).toEqual([
			{type: 'thinking', text: 'I should list the files first.', signature: 'stub-signature'},
			{type: 'text', text: 'Let me look.'},
			{type: 'tool_use', tool_use_id: 'toolu_stub0001', name: 'bash', input: {command: 'ls -la', description: 'Run the requested command'}},
		]);
		expect(call).toMatchObject({model: 'claude-sonnet-4', provider: 'anthropic', stop_reason: 'tool_use', usage: {input_tokens: 120, output_tokens: 30, cache_read_tokens: 0, cache_write_tokens: 0}});
		expect(result.content).toEqual([{type: 'tool_result', tool_use_id: 'toolu_stub0001', content: expect.stringMatching(/^total 8\n.*<shellId: 0 completed with exit code 0>$/s), exit_code: 0}]);
		const failed = blocks(read.messages, 'tool_result')[1];
		expect(failed).toEqual({type: 'tool_result', tool_use_id: 'toolu_stub0002', content: 'cat: /nonexistent-file: No such file or directory\n<shellId: 0 completed with exit code 1>', exit_code: 1});
		const answers = read.messages.filter(message => message.role === 'assistant');
		expect(answers.map(message => message.stop_reason)).toEqual(['tool_use', 'end_turn', 'end_turn', 'tool_use', 'end_turn']);
	});

	it('takes title, cwd, version, model and headless from the real store', () => {
		expect(read.info).toMatchObject({title: 'FIRST: list the files', cwd: '/tmp/rec/copilot3/work', toolVersion: '1.0.102', model: 'claude-sonnet-4', headless: true, createdAt: '2026-11-25T16:08:10.561Z'});
		expect(read.info.extra?.pendingUsageRecords).toBeUndefined();
		expect(read.info.extra?.pendingToolExecutions).toBeUndefined();
	});
});

describe('copilot 1.0.102: a real interactive session with /rewind (events.jsonl truncated)', () => {
	const root = path.join(fixtures, 'real-1.0.102-interactive');
	const id = '57fe866a-3572-4569-a554-f398965adb9f';

	it('reads the truncated log again in full, keeping the branch point', async () => {
		const file = path.join(home, 'ci', id, 'events.jsonl');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.copyFileSync(path.join(root, 'events.before-rewind.jsonl'), file);
		const ctx = context();
		const session = await copilotSessionForFile(file);
		const before = await copilotAdapter.read({session}, ctx);
		expectAllValid(before.messages);
		expect(before.info.headless).toBe(false);
		const again = before.messages.find(message => message.role === 'user' && (message.content[0] as {text: string}).text === 'HELLO again');
		expect(again).toBeDefined();

		fs.writeFileSync(file, fs.readFileSync(path.join(root, 'session-state', id, 'events.jsonl')));
		const after = await copilotAdapter.read({session, cursors: before.cursors, state: before.state}, ctx);
		expectAllValid(after.messages);
		expect(after.mode).toBe('full');
		const ids = after.messages.map(message => message.msg_id);
		expect(ids).not.toContain(again!.msg_id);
		const rewindNote = after.messages.find(message => message.content.some(block => block.type === 'text' && (block.text as string).includes('Rewound the conversation')))!;
		const firstAnswer = after.messages.find(message => message.msg_id === '723f9364' || message.msg_id.startsWith('723f9364'))!;
		expect(rewindNote.parent_msg_id).toBe(firstAnswer.msg_id);
		const branch = after.messages.find(message => message.role === 'user' && (message.content[0] as {text: string}).text === 'HELLO againHELLO branch')!;
		expect(branch.parent_msg_id).toBe(rewindNote.msg_id);
		// Everything before the rewind point has the same ids as in the first read, so the engine keeps one copy.
		expect(ids.slice(0, ids.indexOf(firstAnswer.msg_id) + 1)).toEqual(before.messages.slice(0, ids.indexOf(firstAnswer.msg_id) + 1).map(message => message.msg_id));
	});
});

type RecordedTurn = {prompt: string; thinking?: string; text?: string; toolCall?: {id: string | null; name: string; input: Record<string, unknown>}; toolOutput?: string; toolResultSeenByModel?: string; followUp?: string};
type RecordedManifest = {sessionId: string; cwd: string; model: string; cliVersion: string; turns: RecordedTurn[]};

describe('copilot: the recorded real session (test/fixtures/recorded/copilot, manifest.json)', () => {
	const recorded = path.join(fixtures, '..', 'recorded', 'copilot');
	const manifest = JSON.parse(fs.readFileSync(path.join(recorded, 'manifest.json'), 'utf8')) as RecordedManifest;
	let read: ReadResult;
	beforeEach(async () => {
		const ctx = context({COPILOT_HOME: recorded});
		const sessions = await copilotAdapter.discover(ctx);
		expect(sessions.map(session => session.nativeId)).toEqual([manifest.sessionId]);
		read = await copilotAdapter.read({session: sessions[0]}, ctx);
	});

	it('matches the recorded facts turn by turn', () => {
		expectAllValid(read.messages);
		expectPairedExceptOrphans(read.messages);
		expect(read.warnings).toEqual([]);
		expect(read.unknownRecords).toEqual({});
		const prompts = read.messages.filter(message => message.role === 'user' && !message.is_meta);
		expect(prompts.map(message => message.content)).toEqual(manifest.turns.map(turn => [{type: 'text', text: turn.prompt}]));
		for (const [index, turn] of manifest.turns.entries()) {
			const start = read.messages.indexOf(prompts[index]);
			const end = index + 1 < prompts.length ? read.messages.indexOf(prompts[index + 1]) : read.messages.length;
			const turnMessages = read.messages.slice(start + 1, end);
			const assistant = turnMessages.filter(message => message.role === 'assistant');
			expect(assistant.every(message => message.model === manifest.model && message.provider === 'anthropic' && message.usage?.input_tokens !== undefined)).toBe(true);
			const thinking = blocks(assistant, 'thinking');
			expect(thinking.map(block => block.text)).toEqual([turn.thinking]);
			expect(thinking[0].signature).toEqual(expect.any(String));
			const texts = blocks(assistant, 'text').map(block => block.text);
			expect(texts).toEqual(turn.followUp ? [turn.text, turn.followUp] : [turn.text]);
			const uses = blocks(assistant, 'tool_use');
			if (!turn.toolCall) {
				expect(uses).toEqual([]);
				continue;
			}

			expect(uses).toEqual([{type: 'tool_use', tool_use_id: turn.toolCall.id, name: turn.toolCall.name, input: turn.toolCall.input}]);
			expect(blocks(turnMessages, 'tool_result')).toEqual([{type: 'tool_result', tool_use_id: turn.toolCall.id, content: turn.toolResultSeenByModel, exit_code: 0}]);
		}
	});

	it('records the native ids, cwd, git branch, version, model and headless run', () => {
		expect(read.info).toMatchObject({cwd: manifest.cwd, model: manifest.model, toolVersion: manifest.cliVersion, headless: true, gitBranch: 'main', interface: 'cli'});
		const events = fs.readFileSync(path.join(recorded, 'session-state', manifest.sessionId, 'events.jsonl'), 'utf8').trimEnd().split('\n').map(line => (JSON.parse(line) as {id: string}).id);
		expect(read.messages.every(message => events.includes(message.msg_id))).toBe(true);
	});
});

describe('copilot: a real /rewind through the engine capture loop', () => {
	it('keeps the rewound turn in the store and appends the new branch after the rewind note', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const {sessionIdForNative} = await import('../../source/engine/format.js');
		const root = path.join(fixtures, 'real-1.0.102-interactive');
		const id = '57fe866a-3572-4569-a554-f398965adb9f';
		const dir = path.join(home, 'rewind-home', 'session-state', id);
		fs.mkdirSync(dir, {recursive: true});
		fs.copyFileSync(path.join(root, 'events.before-rewind.jsonl'), path.join(dir, 'events.jsonl'));
		const env = {HOME: home, COPILOT_HOME: path.join(home, 'rewind-home'), SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			expect(await capture({env, store, index, adapters: [copilotAdapter], config: {}})).toMatchObject({new: 1, skipped: []});
			fs.writeFileSync(path.join(dir, 'events.jsonl'), fs.readFileSync(path.join(root, 'session-state', id, 'events.jsonl')));
			expect(await capture({env, store, index, adapters: [copilotAdapter], config: {}})).toMatchObject({updated: 1, skipped: []});
			const {messages} = store.readMessages(sessionIdForNative('copilot', id));
			const userTexts = messages.filter(message => message.role === 'user').map(message => (message.content[0] as {text: string}).text);
			expect(userTexts).toEqual(['HELLO there', 'HELLO again', 'HELLO againHELLO branch']);
			expect(new Set(messages.map(message => message.msg_id)).size).toBe(messages.length);
			const note = messages.find(message => message.content.some(block => block.type === 'text' && (block.text as string).includes('Rewound the conversation')))!;
			const branch = messages.find(message => message.role === 'user' && (message.content[0] as {text: string}).text === 'HELLO againHELLO branch')!;
			const rewound = messages.find(message => message.role === 'user' && (message.content[0] as {text: string}).text === 'HELLO again')!;
			expect(branch.parent_msg_id).toBe(note.msg_id);
			// Both the rewound prompt and the rewind note follow the first answer: two branches from one point.
			expect(note.parent_msg_id).toBe(rewound.parent_msg_id);
			expect(messages.find(message => message.msg_id === note.parent_msg_id)?.content).toEqual([{type: 'text', text: 'Hello from the stub.'}]);
		} finally {
			index.close();
		}
	});
});
