import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {geminiAdapter, geminiSessionForFile} from '../../source/adapters/gemini.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import {SfsError} from '../../source/engine/errors.js';
import type {ContentBlock, Message} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'gemini');
const legacyRealId = 'aaaaaaaa-1111-2222-3333-444444444401';
const legacyTenTurnId = 'f0d6cc5a-2f11-47f8-8300-029b89af4888';
const mainId = '2a07c579-7101-42a3-9f59-ba98dfec56a9';
const subagentId = '9f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const constructedChats = path.join(fixtures, 'constructed', '.gemini', 'tmp', 'demo-proj', 'chats');
const constructedMain = path.join(constructedChats, 'session-2026-09-01T10-00-2a07c579.jsonl');

let home: string;
let geminiHome: string;

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

function byId(messages: Message[], id: string): Message {
	const message = messages.find(candidate => candidate.msg_id === id);
	if (!message) throw new Error(`no message ${id}`);
	return message;
}

/** Every tool_result answers a tool_use that came before it, and no tool_use id is used twice. */
function expectPaired(messages: Message[]) {
	const uses = new Set<string>();
	for (const message of messages) {
		for (const block of message.content) {
			if (block.type === 'tool_use') {
				const id = block.tool_use_id as string;
				expect(uses.has(id), `duplicate tool_use ${id}`).toBe(false);
				uses.add(id);
			}

			if (block.type === 'tool_result') expect(uses.has(block.tool_use_id as string), `orphan tool_result ${block.tool_use_id as string}`).toBe(true);
		}
	}
}

async function sessionsById(ctx: AdapterContext): Promise<Map<string, NativeSession>> {
	return new Map((await geminiAdapter.discover(ctx)).map(session => [session.nativeId, session]));
}

function tempFile(name: string, content: string | Buffer): string {
	const file = path.join(home, name);
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, content);
	return file;
}

function constructedLines(): string[] {
	return fs.readFileSync(constructedMain, 'utf8').trimEnd().split('\n');
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-gemini-'));
	geminiHome = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-gemini-cli-home-'));
	fs.cpSync(path.join(fixtures, 'tmp'), path.join(home, '.gemini', 'tmp'), {recursive: true});
	fs.cpSync(path.join(fixtures, 'constructed', '.gemini'), path.join(geminiHome, '.gemini'), {recursive: true});
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
	fs.rmSync(geminiHome, {recursive: true, force: true});
});

describe('gemini roots and discovery', () => {
	it('roots follow HOME, and GEMINI_CLI_HOME replaces the home that holds .gemini', () => {
		expect(geminiAdapter.roots(context())).toEqual([path.join(home, '.gemini', 'tmp')]);
		expect(geminiAdapter.roots(context({GEMINI_CLI_HOME: '/elsewhere'}))).toEqual(['/elsewhere/.gemini/tmp']);
	});

	it('finds nothing, without throwing, when the root is missing', async () => {
		expect(await geminiAdapter.discover(context({GEMINI_CLI_HOME: path.join(home, 'missing')}))).toEqual([]);
	});

	it('lists legacy JSON sessions under HOME with their session ids', async () => {
		const sessions = await sessionsById(context());
		expect([...sessions.keys()].sort()).toEqual([legacyRealId, legacyTenTurnId].sort());
		expect(sessions.get(legacyRealId)?.growth).toBe('rewrite');
	});

	it('lists JSONL main and subagent sessions under GEMINI_CLI_HOME', async () => {
		const sessions = await sessionsById(context({GEMINI_CLI_HOME: geminiHome}));
		expect([...sessions.keys()].sort()).toEqual([mainId, subagentId].sort());
		expect(sessions.get(mainId)).toMatchObject({tool: 'gemini', growth: 'append', files: [path.join(geminiHome, '.gemini', 'tmp', 'demo-proj', 'chats', path.basename(constructedMain))]});
		expect(sessions.get(subagentId)).toMatchObject({parentNativeId: mainId, agentId: subagentId, growth: 'append'});
	});

	it('reads only the .jsonl when Gemini migrated a legacy .json beside it', async () => {
		const chats = path.join(geminiHome, '.gemini', 'tmp', 'demo-proj', 'chats');
		fs.writeFileSync(path.join(chats, `${path.basename(constructedMain, '.jsonl')}.json`), JSON.stringify({sessionId: mainId, projectHash: 'x', messages: []}));
		const sessions = (await geminiAdapter.discover(context({GEMINI_CLI_HOME: geminiHome}))).filter(session => session.nativeId === mainId);
		expect(sessions).toHaveLength(1);
		expect(sessions[0].files[0].endsWith('.jsonl')).toBe(true);
	});
});

describe('gemini legacy JSON (real public sample)', () => {
	let read: ReadResult;
	beforeEach(async () => {
		const ctx = context();
		read = await geminiAdapter.read({session: (await sessionsById(ctx)).get(legacyRealId)!}, ctx);
	});

	it('reads the whole file in full mode with valid messages', () => {
		expect(read.mode).toBe('full');
		expect(read.warnings).toEqual([]);
		expect(read.unknownRecords).toEqual({});
		expectAllValid(read.messages);
	});

	it('maps user, gemini and info records to roles, keeping native ids', () => {
		const raw = JSON.parse(fs.readFileSync(path.join(fixtures, 'tmp', 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', 'chats', 'session-2026-03-24T15-43-aaaaaaaa.json'), 'utf8')) as {messages: Array<{id: string; type: string}>};
		const natives = read.messages.filter(message => message.role !== 'tool');
		expect(natives.map(message => message.msg_id)).toEqual(raw.messages.map(message => message.id));
		expect(natives.map(message => message.role)).toEqual(raw.messages.map(message => ({user: 'user', gemini: 'assistant', info: 'system'})[message.type]));
		expect(natives.at(-1)?.is_meta).toBe(true);
	});

	it('keeps thoughts as thinking blocks with their subject as summary', () => {
		const thinking = blocks(read.messages, 'thinking');
		expect(thinking.length).toBeGreaterThan(0);
		expect(thinking[0]).toMatchObject({summary: 'Advancing to the Next Task'});
		expect(thinking[0].text).toContain('identifying the precise actions');
	});

	it('pairs every tool call with its result, flattening functionResponse output to text', () => {
		expectPaired(read.messages);
		const uses = blocks(read.messages, 'tool_use');
		const results = blocks(read.messages, 'tool_result');
		expect(uses.length).toBeGreaterThan(0);
		expect(results.map(result => result.tool_use_id)).toEqual(uses.map(use => use.tool_use_id));
		expect(uses[0]).toMatchObject({name: 'run_shell_command', tool_use_id: 'run_shell_command_1774367011406_0'});
		expect(uses[0].input.command).toContain('tmux-tool current');
		expect(results[0].content).toBe('Output: %13 agent-tools:1.2\nProcess Group PGID: 2076641');
		const resultMessage = read.messages.find(message => message.content.includes(results[0]))!;
		expect(resultMessage.role).toBe('tool');
		expect(resultMessage.parent_msg_id).toBe('6bd1d558-42a0-4440-8be6-548d0940cbf2');
		expect((resultMessage.metadata?.gemini_tool_call as Record<string, unknown>).status).toBe('success');
	});

	it('maps tokens to usage and records the model', () => {
		const first = byId(read.messages, '6bd1d558-42a0-4440-8be6-548d0940cbf2');
		expect(first.usage).toEqual({input_tokens: 10842, output_tokens: 50, cache_read_tokens: 0, reasoning_tokens: 486});
		expect(first.model).toBe('gemini-3.1-pro-preview');
		expect(first.stop_reason).toBe('tool_use');
		expect(read.info).toMatchObject({model: 'gemini-3.1-pro-preview', createdAt: '2026-03-24T15:43:17.150Z', updatedAt: '2026-03-24T15:45:15.813Z', interface: 'cli'});
		// A copied chat file without its project dir's prompt log or marker: headless cannot be told.
		expect(read.info.headless).toBeUndefined();
	});

	it('gives the same ids when read again', async () => {
		const ctx = context();
		const again = await geminiAdapter.read({session: (await sessionsById(ctx)).get(legacyRealId)!}, ctx);
		expect(again.messages.map(message => message.msg_id)).toEqual(read.messages.map(message => message.msg_id));
	});

	it('skips an unchanged file without parsing when given its cursor', async () => {
		const ctx = context();
		const session = (await sessionsById(ctx)).get(legacyRealId)!;
		const again = await geminiAdapter.read({session, cursors: read.cursors, state: read.state}, ctx);
		expect(again.recordsParsed).toBe(0);
		expect(again.messages).toEqual([]);
	});

	it('reads the synthetic ten-turn sample as alternating user and assistant text', async () => {
		const ctx = context();
		const ten = await geminiAdapter.read({session: (await sessionsById(ctx)).get(legacyTenTurnId)!}, ctx);
		expectAllValid(ten.messages);
		expect(ten.messages).toHaveLength(10);
		expect(ten.messages.map(message => message.role)).toEqual(Array.from({length: 10}, (_, index) => (index % 2 === 0 ? 'user' : 'assistant')));
		expect(ten.messages[0].content).toEqual([{type: 'text', text: 'foo'}]);
		expect(ten.messages[1]).toMatchObject({model: 'gemini-2.5-pro', usage: {input_tokens: 100, output_tokens: 10, cache_read_tokens: 0}, stop_reason: 'end_turn'});
	});
});

describe('gemini JSONL (constructed from the documented format)', () => {
	let read: ReadResult;
	beforeEach(async () => {
		const ctx = context({GEMINI_CLI_HOME: geminiHome});
		read = await geminiAdapter.read({session: (await sessionsById(ctx)).get(mainId)!}, ctx);
	});

	it('produces valid messages and session info from the metadata line, $set and the project registry', () => {
		expectAllValid(read.messages);
		expect(read.warnings).toEqual([]);
		expect(read.info).toMatchObject({
			title: 'List the files in the project',
			cwd: '/home/u/demo-proj',
			model: 'gemini-3-flash-preview',
			createdAt: '2026-09-01T10:00:00.000Z',
			updatedAt: '2026-09-01T10:00:16.000Z',
			interface: 'cli',
		});
		expect(read.info.extra).toMatchObject({kind: 'main', memoryScratchpad: 'remember: nope.txt is missing'});
	});

	it('collapses a re-appended id to one message with its latest content', () => {
		const g1 = read.messages.filter(message => message.msg_id === 'g1');
		expect(g1).toHaveLength(1);
		expect(g1[0].usage).toEqual({input_tokens: 900, output_tokens: 60, cache_read_tokens: 800, reasoning_tokens: 20});
		expect(g1[0].content.map(block => block.type)).toEqual(['thinking', 'tool_use']);
	});

	it('emits each tool result once, and keeps the synthetic functionResponse user record as meta', () => {
		expectPaired(read.messages);
		const results = blocks(read.messages, 'tool_result');
		expect(results.map(result => result.tool_use_id)).toEqual(['list_directory_1', 'run_shell_command_2']);
		expect(results[0].content).toBe('a.txt\nb.txt');
		expect(results[1]).toMatchObject({is_error: true, exit_code: 1});
		const synthetic = byId(read.messages, 'u2');
		expect(synthetic.is_meta).toBe(true);
		expect(synthetic.content[0]).toMatchObject({type: 'gemini_function_response', id: 'list_directory_1'});
	});

	it('turns $rewindTo into a branch: rewound messages stay, the next ones hang off the branch point', () => {
		const ids = read.messages.map(message => message.msg_id);
		expect(ids).toContain('u3');
		expect(ids).toContain('g3');
		expect(byId(read.messages, 'u3').parent_msg_id).toBe('g2');
		expect(byId(read.messages, 'g3').parent_msg_id).toBe('u3');
		expect(byId(read.messages, 'u4').parent_msg_id).toBe('g2');
		expect(byId(read.messages, 'g4').parent_msg_id).toBe('u4');
	});

	it('keeps images, thought parts with their signature, and info notices', () => {
		expect(byId(read.messages, 'u3').content).toEqual([
			{type: 'text', text: 'What is in this picture?'},
			{type: 'image', source: {type: 'base64', data: 'iVBORw0KGgo=', media_type: 'image/png'}},
		]);
		expect(byId(read.messages, 'g4').content[0]).toEqual({type: 'thinking', text: 'The user wants nope.txt.', signature: 'c2lnbmF0dXJl'});
		expect(byId(read.messages, 'i1')).toMatchObject({role: 'system', is_meta: true, content: [{type: 'text', text: 'Request cancelled.'}]});
	});

	it('keeps records it does not understand as native_record messages and counts them', () => {
		expect(read.unknownRecords).toEqual({'unrecognised line': 1, tool_group: 1});
		const natives = read.messages.filter(message => message.content[0].type === 'native_record');
		expect(natives).toHaveLength(2);
		expect(natives.every(message => message.role === 'system' && message.is_meta)).toBe(true);
		expect(natives[1].content[0]).toMatchObject({record: {id: 'x1', type: 'tool_group'}});
	});

	it('marks subagent transcripts as sidechain messages of their agent', async () => {
		const ctx = context({GEMINI_CLI_HOME: geminiHome});
		const sub = await geminiAdapter.read({session: (await sessionsById(ctx)).get(subagentId)!}, ctx);
		expectAllValid(sub.messages);
		expect(sub.messages.map(message => [message.msg_id, message.is_sidechain, message.agent_id])).toEqual([
			['s1', true, subagentId],
			['s2', true, subagentId],
		]);
		expect(sub.info.cwd).toBe('/home/u/demo-proj');
	});

	it('marks a session headless unless the interactive prompt log (logs.json) names it', async () => {
		expect(read.info.headless).toBe(true);
		fs.writeFileSync(path.join(geminiHome, '.gemini', 'tmp', 'demo-proj', 'logs.json'), JSON.stringify([{sessionId: mainId, messageId: 0, type: 'user', message: 'List the files', timestamp: '2026-09-01T10:00:01.000Z'}]));
		const ctx = context({GEMINI_CLI_HOME: geminiHome});
		const again = await geminiAdapter.read({session: (await sessionsById(ctx)).get(mainId)!}, ctx);
		expect(again.info.headless).toBe(false);
	});

	it('builds a session for a file given by path', async () => {
		const session = await geminiSessionForFile(constructedMain, context());
		expect(session).toMatchObject({nativeId: mainId, growth: 'append'});
	});
});

describe('gemini incremental reads', () => {
	it('returns only new messages, leaves a half-written line, and emits a changed re-append in full mode', async () => {
		const lines = constructedLines();
		const file = tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-2a07c579.jsonl', `${lines.slice(0, 4).join('\n')}\n`);
		const ctx = context();
		const session = await geminiSessionForFile(file, ctx);
		const first = await geminiAdapter.read({session}, ctx);
		expect(first.messages.map(message => message.msg_id)).toEqual(['u1', 'g1']);
		expect(byId(first.messages, 'g1').usage).toBeUndefined();

		// g1 re-appended with its tool result, then the start of the next line without its newline.
		fs.appendFileSync(file, `${lines[4]}\n${lines[5].slice(0, 30)}`);
		const second = await geminiAdapter.read({session, cursors: first.cursors, state: first.state}, ctx);
		// Only a new tool result: g1 itself did not change, so nothing needs comparing with the store.
		expect(second.mode).toBe('incremental');
		expect(second.recordsParsed).toBe(1);
		expect(blocks(second.messages, 'tool_result').map(block => block.tool_use_id)).toEqual(['list_directory_1']);
		expect(second.messages.filter(message => message.msg_id === 'g1')).toHaveLength(0);

		fs.appendFileSync(file, `${lines[5].slice(30)}\n${lines.slice(6, 8).join('\n')}\n`);
		const third = await geminiAdapter.read({session, cursors: second.cursors, state: second.state}, ctx);
		expect(third.recordsParsed).toBe(3);
		expect(third.mode).toBe('full');
		expect(third.messages.map(message => message.msg_id)).toEqual(['g1', 'u2', 'g2']);
		expect(byId(third.messages, 'g1').usage?.input_tokens).toBe(900);

		const fourth = await geminiAdapter.read({session, cursors: third.cursors, state: third.state}, ctx);
		expect(fourth).toMatchObject({mode: 'incremental', recordsParsed: 0, messages: []});

		fs.appendFileSync(file, `${lines.slice(8).join('\n')}\n`);
		const fifth = await geminiAdapter.read({session, cursors: fourth.cursors, state: fourth.state}, ctx);
		expect(fifth.mode).toBe('incremental');
		expect(fifth.messages.map(message => message.msg_id)).not.toContain('u1');
		expect(byId(fifth.messages, 'u4').parent_msg_id).toBe('g2');
		for (const read of [first, second, third, fifth]) expectAllValid(read.messages);
	});

	it('reads again in full mode after the file was truncated', async () => {
		const lines = constructedLines();
		const file = tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-2a07c579.jsonl', `${lines.join('\n')}\n`);
		const ctx = context();
		const session = await geminiSessionForFile(file, ctx);
		const first = await geminiAdapter.read({session}, ctx);
		fs.writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`);
		const second = await geminiAdapter.read({session, cursors: first.cursors, state: first.state}, ctx);
		expect(second.mode).toBe('full');
		expect(second.messages.map(message => message.msg_id)).toEqual(['u1']);
	});
});

describe('gemini bad input', () => {
	it('keeps good lines around truncated and invalid JSON with one counted warning', async () => {
		const lines = constructedLines();
		const damaged = [lines[0], lines[1], '{"id":"broken","type":"us', 'not json at all', lines[3], '\u0000\u0000\u0000', lines[7]].join('\n');
		const file = tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-2a07c579.jsonl', `${damaged}\n`);
		const ctx = context();
		const session = await geminiSessionForFile(file, ctx);
		const read = await geminiAdapter.read({session}, ctx);
		expect(read.messages.map(message => message.msg_id)).toEqual(['u1', 'g1', 'g2']);
		expect(read.warnings).toEqual(['session-2026-09-01T10-00-2a07c579.jsonl: 3 invalid JSON lines skipped (first at line 3)']);
		expectAllValid(read.messages);
	});

	it('survives binary garbage and empty files', async () => {
		fs.rmSync(path.join(home, '.gemini', 'tmp'), {recursive: true});
		tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-aaaaaaaa.jsonl', Buffer.from([0xff, 0xfe, 0x00, 0x10, 0x0a, 0x89, 0x50, 0x4e, 0x47, 0x0a]));
		tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-bbbbbbbb.jsonl', '');
		tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-cccccccc.json', '{"sessionId": "cccccccc-0000", "messages": [');
		const ctx = context();
		const sessions = await geminiAdapter.discover(ctx);
		expect(sessions.map(session => session.nativeId).sort()).toEqual(['cccccccc-0000', 'session-2026-09-01T10-00-aaaaaaaa', 'session-2026-09-01T10-00-bbbbbbbb']);
		const results = await Promise.all(sessions.map(async session => geminiAdapter.read({session}, ctx)));
		for (const result of results) {
			expect(result.messages).toEqual([]);
			expect(result.warnings).toHaveLength(1);
			expect(result.warnings[0]).not.toContain('\n');
		}
	});

	it('throws an SfsError only when the file cannot be opened at all', async () => {
		const file = tempFile('.gemini/tmp/p/chats/session-2026-09-01T10-00-dddddddd.jsonl', `${constructedLines()[0]}\n`);
		const ctx = context();
		const session = await geminiSessionForFile(file, ctx);
		fs.rmSync(file);
		await expect(geminiAdapter.read({session}, ctx)).rejects.toBeInstanceOf(SfsError);
		expect((await geminiAdapter.discover(ctx)).map(found => found.files[0])).not.toContain(file);
	});
});

describe('gemini: through the engine capture loop', () => {
	it('captures, rescans without parsing, and records a changed re-append as a revision and a rewind as a branch', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const {sessionIdForNative} = await import('../../source/engine/format.js');
		const env = {HOME: home, GEMINI_CLI_HOME: geminiHome, SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const first = await capture({env, store, index, adapters: [geminiAdapter], config: {}});
			expect(first).toMatchObject({new: 2, skipped: []});
			expect(first.unknown_records.gemini).toEqual({'unknown:unrecognised line': 1, 'unknown:tool_group': 1});
			const second = await capture({env, store, index, adapters: [geminiAdapter], config: {}});
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 2, records_parsed: 0});

			const file = path.join(geminiHome, '.gemini', 'tmp', 'demo-proj', 'chats', path.basename(constructedMain));
			const g5 = {id: 'g5', timestamp: '2026-09-01T10:00:13.000Z', type: 'gemini', content: 'nope.txt does not exist; create it?', model: 'gemini-3-flash-preview'};
			fs.appendFileSync(file, `${JSON.stringify(g5)}\n`);
			const third = await capture({env, store, index, adapters: [geminiAdapter], config: {}});
			expect(third).toMatchObject({updated: 1, records_parsed: 1});

			const sessionId = sessionIdForNative('gemini', mainId);
			const {messages} = store.readMessages(sessionId);
			const ids = messages.map(message => message.msg_id);
			expect(ids.filter(id => id === 'g5')).toHaveLength(1);
			const revision = messages.find(message => message.metadata?.revision_of === 'g5');
			expect(revision?.content).toEqual([{type: 'text', text: 'nope.txt does not exist; create it?'}]);
			expect(messages.find(message => message.msg_id === 'u4')?.parent_msg_id).toBe('g2');
			expect(messages.find(message => message.msg_id === 'u3')?.parent_msg_id).toBe('g2');
			expect(store.readManifest(sessionId).metadata).toMatchObject({cwd: '/home/u/demo-proj', headless: true});
		} finally {
			index.close();
		}
	});
});

describe('gemini 0.61.0: a real session (gemini -p, then twice --resume latest -p)', () => {
	const realRoot = path.join(fixtures, 'real-0.61.0');
	const realChats = path.join(realRoot, '.gemini', 'tmp', 'work', 'chats');
	const realId = 'de6a056a-6da5-4f73-9e30-b31f9e6db6fc';
	let read: ReadResult;
	beforeEach(async () => {
		const ctx = context({GEMINI_CLI_HOME: realRoot});
		const sessions = await geminiAdapter.discover(ctx);
		// The resume left a second file with the same session id: one session, the original file first.
		expect(sessions).toHaveLength(1);
		expect(sessions[0].nativeId).toBe(realId);
		expect(sessions[0].files.map(file => path.basename(file))).toEqual(['session-2026-11-25T16-07-de6a056a.jsonl', 'session-2026-11-25T16-08-de6a056a.jsonl']);
		read = await geminiAdapter.read({session: sessions[0]}, ctx);
	});

	it('maps every record, message by message', () => {
		expectAllValid(read.messages);
		expectPaired(read.messages);
		expect(read.warnings).toEqual([]);
		expect(read.unknownRecords).toEqual({});
		const raw = fs.readFileSync(path.join(realChats, 'session-2026-11-25T16-07-de6a056a.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
		const nativeIds = [...new Set(raw.filter(record => typeof record.id === 'string').map(record => record.id as string))];
		const emitted = read.messages.filter(message => message.role !== 'tool' || message.is_meta).map(message => message.msg_id);
		expect(emitted).toEqual(['d04923d38bb0f6017037e74183378ef4', ...nativeIds.slice(0, 4), 'f15f44ff-7d50-4071-a383-a915ded4c531_response', ...nativeIds.slice(4)]);

		const summary = read.messages.map(message => [message.role, message.is_meta ?? false, message.content.map(block => block.type).join('+')]);
		expect(summary).toEqual([
			['user', true, 'text'],
			['user', false, 'text'],
			['assistant', false, 'thinking+text+tool_use'],
			['tool', false, 'tool_result'],
			['tool', true, 'gemini_function_response'],
			['assistant', false, 'text'],
			['tool', true, 'gemini_function_response'],
			['user', false, 'text'],
			['assistant', false, 'text'],
			['user', false, 'text'],
			['assistant', false, 'thinking+text+tool_use'],
			['tool', false, 'tool_result'],
			['tool', true, 'gemini_function_response'],
			['assistant', false, 'text'],
		]);
		const texts = read.messages.filter(message => !message.is_meta && message.role !== 'tool').map(message => message.content.filter(block => block.type === 'text').map(block => (block as {text: string}).text).join(''));
		expect(texts).toEqual(['FIRST: list the files', 'Let me look.', 'There are some files here.', 'SECOND: and now?', 'Sure, second answer without tools.', 'THIRD: read a missing file', 'Reading it.', 'The file does not exist.']);

		const [call, failing] = read.messages.filter(message => message.content.some(block => block.type === 'tool_use'));
		expect(call.content[0]).toEqual({type: 'thinking', text: 'I should list the files first.', summary: null});
		expect(call.content[2]).toEqual({type: 'tool_use', tool_use_id: 'run_shell_command__run_shell_command_1795622879357_0', name: 'run_shell_command', input: {command: 'ls -la'}});
		expect(call).toMatchObject({model: 'gemini-3.8-flash', provider: 'google', stop_reason: 'tool_use', usage: {input_tokens: 120, output_tokens: 30, cache_read_tokens: 0, reasoning_tokens: 10}});
		expect(failing.content[2]).toEqual({type: 'tool_use', tool_use_id: 'run_shell_command__run_shell_command_1795622886597_0', name: 'run_shell_command', input: {command: 'cat /nonexistent-file'}});
		const [okResult, failedResult] = blocks(read.messages, 'tool_result');
		expect(okResult.tool_use_id).toBe('run_shell_command__run_shell_command_1795622879357_0');
		expect(okResult.content).toMatch(/^<untrusted_context>\nOutput: total 8\n/);
		expect(failedResult).toMatchObject({tool_use_id: 'run_shell_command__run_shell_command_1795622886597_0', exit_code: 1});
		expect(failedResult.content).toContain('No such file or directory');
		const resultMessage = read.messages.find(message => message.content.includes(okResult))!;
		expect(resultMessage.parent_msg_id).toBe(call.msg_id);
	});

	it('takes cwd, the first start time and headless from the real store', () => {
		expect(read.info).toMatchObject({cwd: '/tmp/rec/gemini3/work', createdAt: '2026-11-25T16:07:58.699Z', updatedAt: '2026-11-25T16:08:06.855Z', model: 'gemini-3.8-flash', headless: true});
	});

	it('reads the second file incrementally too: nothing new on a rescan', async () => {
		const ctx = context({GEMINI_CLI_HOME: realRoot});
		const [session] = await geminiAdapter.discover(ctx);
		const again = await geminiAdapter.read({session, cursors: read.cursors, state: read.state}, ctx);
		expect(again).toMatchObject({mode: 'incremental', recordsParsed: 0, messages: []});
		expect(Object.keys(read.cursors)).toHaveLength(2);
	});
});

describe('gemini: a second file for the same session appearing later', () => {
	it('reads the new file from its start while the first continues from its cursor', async () => {
		const chats = path.join(home, 'g', '.gemini', 'tmp', 'work', 'chats');
		fs.mkdirSync(chats, {recursive: true});
		const realChats = path.join(fixtures, 'real-0.61.0', '.gemini', 'tmp', 'work', 'chats');
		fs.copyFileSync(path.join(realChats, 'session-2026-11-25T16-07-de6a056a.jsonl'), path.join(chats, 'session-2026-11-25T16-07-de6a056a.jsonl'));
		const ctx = context({GEMINI_CLI_HOME: path.join(home, 'g')});
		const [first] = await geminiAdapter.discover(ctx);
		expect(first.files).toHaveLength(1);
		const read = await geminiAdapter.read({session: first}, ctx);

		const extra = {id: 'late-1', timestamp: '2026-11-25T16:09:00.000Z', type: 'info', content: 'written to the second file'};
		fs.writeFileSync(path.join(chats, 'session-2026-11-25T16-08-de6a056a.jsonl'), `${fs.readFileSync(path.join(realChats, 'session-2026-11-25T16-08-de6a056a.jsonl'), 'utf8')}${JSON.stringify(extra)}\n`);
		const [second] = await geminiAdapter.discover(ctx);
		expect(second.files).toHaveLength(2);
		const again = await geminiAdapter.read({session: second, cursors: read.cursors, state: read.state}, ctx);
		expect(again.mode).toBe('incremental');
		expect(again.messages.map(message => message.msg_id)).toEqual(['late-1']);
		expect(again.messages[0].parent_msg_id).toBe(read.messages.at(-1)?.msg_id);
		expect(again.info.createdAt).toBe('2026-11-25T16:07:58.699Z');
	});
});

describe('gemini 0.61.0: a real interactive session with /rewind', () => {
	const root = path.join(fixtures, 'real-0.61.0-interactive');
	let read: ReadResult;
	beforeEach(async () => {
		const ctx = context({GEMINI_CLI_HOME: root});
		const [session] = await geminiAdapter.discover(ctx);
		read = await geminiAdapter.read({session}, ctx);
	});

	it('keeps the rewound turn and hangs the new one off the branch point', () => {
		expectAllValid(read.messages);
		expect(read.warnings).toEqual([]);
		const byText = (text: string) => read.messages.find(message => message.content.some(block => block.type === 'text' && block.text === text))!;
		const firstAnswer = read.messages.find(message => message.msg_id === 'ddeca187-78eb-42c9-b167-f3481042ae3b')!;
		expect(byText('HELLO there').parent_msg_id).toBe('d04923d38bb0f6017037e74183378ef4');
		expect(firstAnswer.parent_msg_id).toBe(byText('HELLO there').msg_id);
		// The rewound prompt and its answer stay captured ...
		expect(byText('HELLO again')).toMatchObject({msg_id: '1b172993-5efb-456b-bf59-81eb50ff20a9', parent_msg_id: firstAnswer.msg_id});
		expect(read.messages.find(message => message.msg_id === 'd62aeb39-1fd6-410b-b719-176400ae0461')?.parent_msg_id).toBe('1b172993-5efb-456b-bf59-81eb50ff20a9');
		// ... and the prompt typed after the rewind branches from the first answer.
		expect(byText('HELLO againHELLO branch')).toMatchObject({msg_id: 'a3acae91-53bf-4139-94a1-db1dee49649b', parent_msg_id: firstAnswer.msg_id});
		expect(read.messages.map(message => message.msg_id).filter(id => id === 'efa6e158-adec-4292-ba8b-e8decf484150')).toHaveLength(1);
	});

	it('is not headless: the interactive UI logged its prompts to logs.json', () => {
		expect(read.info).toMatchObject({headless: false, cwd: '/tmp/rec/gi/work'});
	});
});

type RecordedTurn = {prompt: string; thinking?: string; text?: string; toolCall?: {id: string | null; name: string; input: Record<string, unknown>}; toolOutput?: string; toolResultSeenByModel?: string; followUp?: string};
type RecordedManifest = {sessionId: string; cwd: string; model: string; cliVersion: string; turns: RecordedTurn[]};

describe('gemini: the recorded real session (test/fixtures/recorded/gemini, manifest.json)', () => {
	const recorded = path.join(fixtures, '..', 'recorded', 'gemini');
	const manifest = JSON.parse(fs.readFileSync(path.join(recorded, 'manifest.json'), 'utf8')) as RecordedManifest;
	let read: ReadResult;
	beforeEach(async () => {
		// The recording is the ~/.gemini directory itself; GEMINI_CLI_HOME names the directory holding it.
		const root = path.join(home, 'recorded-home');
		fs.cpSync(recorded, path.join(root, '.gemini'), {recursive: true});
		const ctx = context({GEMINI_CLI_HOME: root});
		const sessions = await geminiAdapter.discover(ctx);
		expect(sessions.map(session => session.nativeId)).toEqual([manifest.sessionId]);
		read = await geminiAdapter.read({session: sessions[0]}, ctx);
	});

	it('matches the recorded facts turn by turn', () => {
		expectAllValid(read.messages);
		expectPaired(read.messages);
		expect(read.warnings).toEqual([]);
		expect(read.unknownRecords).toEqual({});
		const prompts = read.messages.filter(message => message.role === 'user' && !message.is_meta);
		expect(prompts.map(message => message.content)).toEqual(manifest.turns.map(turn => [{type: 'text', text: turn.prompt}]));
		for (const [index, turn] of manifest.turns.entries()) {
			const start = read.messages.indexOf(prompts[index]);
			const end = index + 1 < prompts.length ? read.messages.indexOf(prompts[index + 1]) : read.messages.length;
			const turnMessages = read.messages.slice(start + 1, end);
			const assistant = turnMessages.filter(message => message.role === 'assistant');
			expect(assistant.every(message => message.model === manifest.model && message.usage?.output_tokens !== undefined)).toBe(true);
			expect(blocks(assistant, 'thinking').map(block => block.text)).toEqual([turn.thinking]);
			const texts = blocks(assistant, 'text').map(block => block.text);
			expect(texts).toEqual(turn.followUp ? [turn.text, turn.followUp] : [turn.text]);
			const uses = blocks(assistant, 'tool_use');
			const results = blocks(turnMessages, 'tool_result');
			if (!turn.toolCall) {
				expect(uses).toEqual([]);
				continue;
			}

			expect(uses).toHaveLength(1);
			expect(uses[0]).toMatchObject({name: turn.toolCall.name, input: turn.toolCall.input});
			if (turn.toolCall.id) expect(uses[0].tool_use_id).toBe(turn.toolCall.id);
			expect(results.map(result => result.tool_use_id)).toEqual([uses[0].tool_use_id]);
			const seen = JSON.parse(turn.toolResultSeenByModel!) as {output: string};
			expect(results[0].content).toBe(seen.output);
			expect(results[0].content).toContain(turn.toolOutput!.trim());
		}
	});

	it('records the native id, cwd, model and headless run', () => {
		expect(read.info).toMatchObject({cwd: manifest.cwd, model: manifest.model, headless: true, interface: 'cli'});
		expect(read.messages.filter(message => !message.is_meta && message.role !== 'tool').every(message => /^[\da-f-]{36}$/.test(message.msg_id))).toBe(true);
	});
});
