import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ampAdapter, ampSessionForFile, threadIdFromFileName} from '../../source/adapters/amp.js';
import type {AdapterContext, ReadResult} from '../../source/adapters/types.js';
import type {Message} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'amp');
const exportFile = path.join(fixtures, 'threads-export', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.excerpt.json');
const legacyName = 'T-0196f2a1-7c3e-7a10-9b2d-5e4f3a2b1c0d.json';
const legacyFile = path.join(fixtures, 'legacy-threads', legacyName);

let home: string;

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

async function readFile(file: string, ctx = context()): Promise<ReadResult> {
	return ampAdapter.read({session: await ampSessionForFile(file)}, ctx);
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-amp-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('amp discover', () => {
	it('lists T-*.json under ~/.local/share/amp/threads and honours XDG_DATA_HOME', async () => {
		const threads = path.join(home, '.local', 'share', 'amp', 'threads');
		fs.mkdirSync(threads, {recursive: true});
		fs.copyFileSync(legacyFile, path.join(threads, legacyName));
		fs.writeFileSync(path.join(threads, 'not-a-thread.json'), '{}');
		fs.writeFileSync(path.join(threads, 'T-notes.txt'), 'x');

		const found = await ampAdapter.discover(context());
		expect(found.map(session => session.nativeId)).toEqual(['T-0196f2a1-7c3e-7a10-9b2d-5e4f3a2b1c0d']);
		expect(found[0]).toMatchObject({tool: 'amp', growth: 'rewrite', files: [path.join(threads, legacyName)]});

		const xdg = path.join(home, 'xdg-data');
		fs.mkdirSync(path.join(xdg, 'amp', 'threads'), {recursive: true});
		fs.copyFileSync(exportFile, path.join(xdg, 'amp', 'threads', 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json'));
		const viaXdg = await ampAdapter.discover(context({XDG_DATA_HOME: xdg}));
		expect(viaXdg.map(session => session.nativeId)).toEqual(['T-019fa4db-29cf-70c9-8d9b-81524df70e52']);
		expect(ampAdapter.roots(context({XDG_DATA_HOME: xdg}))[0]).toBe(path.join(xdg, 'amp', 'threads'));
	});

	it('also finds the older VS Code extension threads3 store, preferring the central copy', async () => {
		const central = path.join(home, '.local', 'share', 'amp', 'threads');
		const extension = path.join(home, '.config', 'Code', 'User', 'globalStorage', 'sourcegraph.amp', 'threads3');
		fs.mkdirSync(central, {recursive: true});
		fs.mkdirSync(extension, {recursive: true});
		fs.copyFileSync(legacyFile, path.join(central, legacyName));
		fs.copyFileSync(legacyFile, path.join(extension, legacyName));
		fs.copyFileSync(exportFile, path.join(extension, 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json'));
		const found = await ampAdapter.discover(context());
		expect(found.map(session => [session.nativeId, path.dirname(session.files[0]!)])).toEqual([
			['T-0196f2a1-7c3e-7a10-9b2d-5e4f3a2b1c0d', central],
			['T-019fa4db-29cf-70c9-8d9b-81524df70e52', extension],
		]);
	});

	it('returns nothing (and does not throw) when no store exists', async () => {
		expect(await ampAdapter.discover(context())).toEqual([]);
	});

	it('derives thread ids from export file names', () => {
		expect(threadIdFromFileName('/x/T-019fa4db-29cf-70c9-8d9b-81524df70e52.excerpt.json')).toBe('T-019fa4db-29cf-70c9-8d9b-81524df70e52');
		expect(threadIdFromFileName('T-abc.json')).toBe('T-abc');
		expect(threadIdFromFileName('export.json')).toBeUndefined();
	});
});

describe('amp read: real `amp threads export` output', () => {
	it('maps messages, thinking, tool calls paired with results, usage, model and env', async () => {
		const result = await readFile(exportFile);
		expect(result.mode).toBe('full');
		expect(result.warnings).toEqual([]);
		expect(result.unknownRecords).toEqual({});
		expect(result.recordsParsed).toBe(12);
		expect(result.messages).toHaveLength(12);
		expectAllValid(result.messages);

		const [first, second, third] = result.messages;
		expect(first).toMatchObject({msg_id: 'M-033wt7sbSDccKHLOPDTqjB', role: 'user', timestamp: new Date(1785177255723).toISOString(), parent_msg_id: null});
		expect(first!.content[0]).toMatchObject({type: 'text'});
		expect((first!.content[0] as {text: string}).text).toMatch(/^You're going to walk through/);

		expect(second).toMatchObject({
			msg_id: 'M-033wt7tSHy2Q141pd0iToW',
			parent_msg_id: first!.msg_id,
			role: 'assistant',
			model: 'gpt-5.6-sol',
			provider: 'openai',
			stop_reason: 'tool_use',
			timestamp: '2026-07-27T18:34:20.295Z',
			turn_id: first!.msg_id,
			usage: {input_tokens: 0, output_tokens: 117, cache_read_tokens: 0, cache_write_tokens: 16954},
		});
		expect(second!.content.map(block => block.type)).toEqual(['thinking', 'text', 'tool_use']);
		expect(second!.content[0]).toMatchObject({type: 'thinking', signature: expect.stringMatching(/^gAAAAABqZ6Ss/)});
		expect((second!.content[0] as {text: string}).text).toMatch(/^\*\*Preparing for tool usage/);
		expect(second!.content[2]).toEqual({type: 'tool_use', tool_use_id: 'TU-033wt7zMiPpGnTBUNOVqcP', name: 'skill', input: {name: 'using-superpowers'}});
		// What the schema has no field for stays in metadata.
		expect(second!.metadata?.native_blocks).toMatchObject({'2': {providerToolUseId: 'call_QoFdeUTJ38yzTHs4gUlYU0Dp'}});
		expect(second!.metadata?.native).toMatchObject({messageId: 2, usage: {totalInputTokens: 16954, maxInputTokens: 272000}});

		expect(third).toMatchObject({role: 'tool', metadata: {native_role: 'user'}});
		expect(third!.content[0]).toMatchObject({type: 'tool_result', tool_use_id: 'TU-033wt7zMiPpGnTBUNOVqcP', is_error: false});
		expect((third!.content[0] as {content: string}).content).toContain('<loaded_skill name="using-superpowers">');
		// The structured result is flattened to text; the original stays in metadata.
		expect(third!.metadata?.native_blocks).toMatchObject({'0': {run: {result: {content: [{type: 'text'}]}}}});

		// Every tool_use has its result, paired by id.
		const uses = result.messages.flatMap(message => message.content.filter(block => block.type === 'tool_use').map(block => (block as {tool_use_id: string}).tool_use_id));
		const results = result.messages.flatMap(message => message.content.filter(block => block.type === 'tool_result').map(block => (block as {tool_use_id: string}).tool_use_id));
		expect(results).toEqual(uses);

		const failing = result.messages.flatMap(message => message.content).find(block => block.type === 'tool_result' && (block as {tool_use_id: string}).tool_use_id === 'TU-033wt8ohXapDIiGHiONt0i');
		expect(failing).toEqual({type: 'tool_result', tool_use_id: 'TU-033wt8ohXapDIiGHiONt0i', content: 'cat: does-not-exist.txt: No such file or directory\n', is_error: true, exit_code: 1});
		const patch = result.messages.flatMap(message => message.content).find(block => block.type === 'tool_result' && (block as {tool_use_id: string}).tool_use_id === 'TU-033wt8uE5ELfpjmBjc9XI3') as {content: string};
		expect(patch.content).toMatch(/^add: \/tmp\/amp-elicit\/count.sh \(\+5\/-0\)\n.*\+echo 5/s);
		const task = result.messages.flatMap(message => message.content).find(block => block.type === 'tool_result' && (block as {tool_use_id: string}).tool_use_id === 'TU-033wt98qSBqjaZRnRiogZ2');
		expect(task).toMatchObject({content: '`notes.md` contains **11 words**.'});

		expect(result.info).toMatchObject({
			title: 'Filesystem tool exercise',
			cwd: '/tmp/amp-elicit',
			createdAt: new Date(1785177254351).toISOString(),
			model: 'gpt-5.6-sol',
			toolVersion: '0.0.1785170481-ga5b614',
			interface: 'cli',
			headless: true,
		});
		expect(result.info.extra).toMatchObject({agentMode: 'medium', v: 73});
		expect(result.workspace).toMatchObject({root_path: '/tmp/amp-elicit'});
		expect(result.tools?.tools_used).toEqual(expect.arrayContaining(['skill', 'shell_command', 'apply_patch', 'Task']));
		expect(Object.keys(result.cursors)).toEqual([path.resolve(exportFile)]);
	});

	it('is deterministic: reading twice yields identical messages', async () => {
		const a = await readFile(exportFile);
		const b = await readFile(exportFile);
		expect(b.messages).toEqual(a.messages);
	});
});

describe('amp read: legacy local thread file (hand-built)', () => {
	it('maps ledger usage, git repository, images, unknown blocks and unknown records', async () => {
		const result = await readFile(legacyFile);
		expectAllValid(result.messages);
		expect(result.messages).toHaveLength(6);
		expect(result.unknownRecords).toEqual({'message:info': 1});
		expect(result.warnings).toEqual([expect.stringContaining('message 5: no content blocks')]);

		const [user, assistant, tool, answer, unknown, cancelled] = result.messages;
		// No protocolMessageID in legacy files: ids are derived, stable hashes.
		expect(user!.msg_id).toMatch(/^[0-9a-f]{24}$/);
		expect(new Set(result.messages.map(message => message.msg_id)).size).toBe(6);
		expect(user!.content[1]).toEqual({type: 'image', source: {type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo='}});
		expect(user!.timestamp).toBe(new Date(1747300001000).toISOString());

		expect(assistant).toMatchObject({
			role: 'assistant',
			model: 'claude-sonnet-4-20250514',
			provider: 'anthropic',
			usage: {input_tokens: 1200, output_tokens: 80, cache_read_tokens: 300, cache_write_tokens: 40},
		});
		expect(assistant!.content[0]).toEqual({type: 'thinking', text: 'Run the tests first.', signature: 'EqQBCkYIBxgCKkBsig'});
		// A message with no time of its own inherits the previous one.
		expect(assistant!.timestamp).toBe(user!.timestamp);

		expect(tool!.role).toBe('tool');
		expect(tool!.content[0]).toEqual({type: 'tool_result', tool_use_id: 'toolu_01A', content: '1 failing\n\nexit status 1', is_error: true, exit_code: 1});

		expect(answer!.content[1]).toEqual({type: 'citation_card', url: 'https://example.com/spec', label: 'spec'});
		expect(answer!.stop_reason).toBe('end_turn');

		expect(unknown).toMatchObject({role: 'system', is_meta: true});
		expect(unknown!.content).toEqual([{type: 'native_record', record: {role: 'info', messageId: 4, content: [{type: 'text', text: 'Thread handed off'}]}}]);

		expect(cancelled).toMatchObject({role: 'assistant', is_meta: true, stop_reason: 'interrupted'});
		expect(cancelled!.content[0]).toMatchObject({type: 'native_record'});

		expect(result.info).toMatchObject({
			title: 'Fix failing parser test',
			cwd: '/home/dev/projects/parser',
			gitRemote: 'https://github.com/example/parser.git',
			gitBranch: 'main',
			gitCommit: '0123456789abcdef0123456789abcdef01234567',
			interface: 'vscode',
			model: 'claude-sonnet-4-20250514',
		});
		expect(result.info.headless).toBeUndefined();
		expect(result.workspace?.git).toEqual({remote_url: 'https://github.com/example/parser.git', branch: 'main', commit_sha: '0123456789abcdef0123456789abcdef01234567'});
	});
});

describe('amp read: bad input', () => {
	async function readText(name: string, text: string | Buffer): Promise<ReadResult> {
		const file = path.join(home, name);
		fs.writeFileSync(file, text);
		return readFile(file);
	}

	it('truncated JSON (a file caught mid-rewrite) gives one warning and no messages', async () => {
		const text = fs.readFileSync(legacyFile, 'utf8');
		const result = await readText('T-trunc.json', text.slice(0, text.length / 2));
		expect(result.messages).toEqual([]);
		expect(result.warnings).toHaveLength(1);
		expect(result.warnings[0]).toMatch(/invalid JSON/);
		expect(result.warnings[0]).not.toContain('\n');
	});

	it('empty files, binary garbage and a top-level array are skipped with a reason', async () => {
		expect((await readText('T-empty.json', '')).warnings).toEqual([expect.stringMatching(/empty file/)]);
		expect((await readText('T-garbage.json', Buffer.from([0, 159, 146, 150, 255, 0, 1]))).warnings).toEqual([expect.stringMatching(/invalid JSON/)]);
		expect((await readText('T-array.json', '[1,2]')).warnings).toEqual([expect.stringMatching(/not an Amp thread/)]);
	});

	it('keeps good messages next to malformed ones', async () => {
		const thread = {
			id: 'T-mixed',
			created: 1747300000000,
			messages: [
				{role: 'user', messageId: 1, content: [{type: 'text', text: 'hello'}]},
				'not an object',
				{role: 'assistant', messageId: 2, content: [{type: 'text'}, {type: 'tool_use', name: 'Bash'}, {noType: true}, {type: 'text', text: 'still here'}]},
				{role: 'user', messageId: 3, content: 'a string, not blocks'},
			],
		};
		const result = await readText('T-mixed.json', JSON.stringify(thread));
		expectAllValid(result.messages);
		expect(result.messages).toHaveLength(4);
		expect(result.messages[0]!.content).toEqual([{type: 'text', text: 'hello'}]);
		expect(result.messages[1]).toMatchObject({role: 'system', is_meta: true, content: [{type: 'native_record', record: 'not an object'}]});
		expect(result.messages[2]!.content.map(block => block.type)).toEqual(['invalid_block', 'invalid_block', 'invalid_block', 'text']);
		expect(result.messages[3]).toMatchObject({role: 'system', is_meta: true});
		expect(result.unknownRecords).toEqual({'message:not-an-object': 1, 'message:user': 1});
		expect(result.warnings).toHaveLength(3);
		expect(result.messages.every(message => message.timestamp === new Date(1747300000000).toISOString())).toBe(true);
	});

	it('reads Anthropic-style tool_result blocks and export files with any name', async () => {
		const thread = {
			id: 'T-0a0a0a0a-0000-7000-8000-000000000000',
			created: 1747300000000,
			messages: [
				{role: 'assistant', messageId: 1, content: [{type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {cmd: 'false'}}]},
				{role: 'user', messageId: 2, content: [{type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: [{type: 'text', text: 'exit 1'}]}]},
			],
		};
		const file = path.join(home, 'my-thread-export.json');
		fs.writeFileSync(file, JSON.stringify(thread));
		const session = await ampSessionForFile(file);
		expect(session.nativeId).toBe('T-0a0a0a0a-0000-7000-8000-000000000000');
		const result = await ampAdapter.read({session}, context());
		expectAllValid(result.messages);
		expect(result.messages[1]).toMatchObject({role: 'tool', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: 'exit 1', is_error: true}]});
	});

	it('a thread without messages yields no messages and a warning', async () => {
		const result = await readText('T-none.json', JSON.stringify({id: 'T-none', title: 'x'}));
		expect(result.messages).toEqual([]);
		expect(result.warnings).toEqual([expect.stringContaining('no messages array')]);
		expect(result.info.title).toBe('x');
	});

	it('a file that vanished before reading throws (the engine records it as skipped)', async () => {
		const session = {tool: 'amp' as const, nativeId: 'T-gone', files: [path.join(home, 'T-gone.json')], growth: 'rewrite' as const};
		await expect(ampAdapter.read({session}, context())).rejects.toThrow();
	});
});

describe('amp: through the engine capture loop', () => {
	it('captures thread files, and a second capture of unchanged files reads nothing', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const threads = path.join(home, '.local', 'share', 'amp', 'threads');
		fs.mkdirSync(threads, {recursive: true});
		fs.copyFileSync(legacyFile, path.join(threads, legacyName));
		fs.copyFileSync(exportFile, path.join(threads, 'T-019fa4db-29cf-70c9-8d9b-81524df70e52.json'));
		const env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const first = await capture({env, store, index, adapters: [ampAdapter], config: {}});
			expect(first).toMatchObject({new: 2, skipped: []});
			expect(first.unknown_records).toEqual({amp: expect.any(Object)});
			const second = await capture({env, store, index, adapters: [ampAdapter], config: {}});
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 2, records_parsed: 0});
		} finally {
			index.close();
		}
	});
});
