import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {rooCodeAdapter, rooCodeSessionsAt} from '../../source/adapters/roo-code.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import type {Message, ToolResultBlock, ToolUseBlock} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'roo-code');
const EXTENSION_ID = 'rooveterinaryinc.roo-cline';
const CURRENT = '019aa0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b';
const OLDER = '5b0f7c1e-8d2a-4c3b-9e4f-6a7b8c9d0e1f';

let home: string;

function context(env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = 'linux'): AdapterContext {
	const store = new Map<string, unknown>();
	return {
		env: {HOME: home, ...env},
		home,
		platform,
		now: () => new Date('2026-11-25T12:00:00Z'),
		cache: {get: key => store.get(key), set: (key, value) => store.set(key, value)},
	};
}

function install(configBase = path.join(home, '.config'), editor = 'Code'): string {
	const root = path.join(configBase, editor, 'User', 'globalStorage', EXTENSION_ID);
	fs.cpSync(path.join(fixtures, 'extension-layout'), root, {recursive: true});
	return root;
}

function expectAllValid(messages: Message[]) {
	for (const message of messages) {
		const result = validateMessage(message);
		expect(result.errors, `${message.msg_id}: ${result.errors.join('; ')}`).toEqual([]);
	}
}

async function readNative(nativeId: string, ctx = context()): Promise<ReadResult> {
	const session = (await rooCodeAdapter.discover(ctx)).find(candidate => candidate.nativeId === nativeId);
	expect(session, `session ${nativeId} discovered`).toBeDefined();
	return rooCodeAdapter.read({session: session!}, ctx);
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-roo-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('roo-code discover', () => {
	it('finds task folders (not the _index.json cache) and lists every file of a task', async () => {
		const root = install();
		const sessions: NativeSession[] = await rooCodeAdapter.discover(context());
		expect(sessions.map(session => session.nativeId).sort()).toEqual([CURRENT, OLDER].sort());
		const current = sessions.find(session => session.nativeId === CURRENT)!;
		const dir = path.join(root, 'tasks', CURRENT);
		expect(current).toMatchObject({tool: 'roo-code', growth: 'rewrite'});
		expect(current.files).toEqual(['api_conversation_history.json', 'ui_messages.json', 'task_metadata.json', 'history_item.json'].map(name => path.join(dir, name)));
	});

	it('honours XDG_CONFIG_HOME, macOS paths, other editors and the Roo CLI storage', async () => {
		const xdg = path.join(home, 'xdg');
		install(xdg, 'VSCodium');
		expect(await rooCodeAdapter.discover(context())).toEqual([]);
		expect(await rooCodeAdapter.discover(context({XDG_CONFIG_HOME: xdg}))).toHaveLength(2);

		install(path.join(home, 'Library', 'Application Support'), 'Cursor');
		expect(await rooCodeAdapter.discover(context({}, 'darwin'))).toHaveLength(2);

		fs.cpSync(path.join(fixtures, 'extension-layout'), path.join(home, '.vscode-mock', 'global-storage'), {recursive: true});
		const cliSessions = await rooCodeAdapter.discover(context());
		expect(cliSessions).toHaveLength(2);
		expect((await rooCodeAdapter.read({session: cliSessions[0]}, context())).info.interface).toBe('cli');
		expect(rooCodeAdapter.roots(context())).toContain(path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID));
	});

	it('honours the roo-cline.customStoragePath setting of any editor (settings.json is JSONC)', async () => {
		const custom = path.join(home, 'roo-store');
		fs.cpSync(path.join(fixtures, 'extension-layout'), custom, {recursive: true});
		const userDir = path.join(home, '.config', 'Code', 'User');
		fs.mkdirSync(userDir, {recursive: true});
		fs.writeFileSync(path.join(userDir, 'settings.json'), `{\n\t// where Roo keeps tasks\n\t"editor.fontSize": 13,\n\t"roo-cline.customStoragePath": ${JSON.stringify(custom)},\n}\n`);
		expect(rooCodeAdapter.roots(context())).toContain(custom);
		const sessions = await rooCodeAdapter.discover(context());
		expect(sessions.map(session => session.nativeId).sort()).toEqual([CURRENT, OLDER].sort());
		expect(sessions.every(session => session.files[0].startsWith(custom))).toBe(true);
		expect((await rooCodeAdapter.read({session: sessions[0]}, context())).info.interface).toBe('extension');
	});

	it('finds sessions at a user-given path for import', async () => {
		const root = install();
		expect(await rooCodeSessionsAt(root)).toHaveLength(2);
		expect(await rooCodeSessionsAt(path.join(root, 'tasks'))).toHaveLength(2);
		expect((await rooCodeSessionsAt(path.join(root, 'tasks', OLDER))).map(session => session.nativeId)).toEqual([OLDER]);
	});
});

describe('roo-code task (hand-built, v3.52 shapes)', () => {
	beforeEach(() => {
		install();
	});

	it('maps reasoning, thinking, tool calls paired by id, the condense summary and unknown-but-known blocks', async () => {
		const result = await readNative(CURRENT);
		const {messages} = result;
		expect(result.warnings).toEqual([]);
		expect(result.unknownRecords).toEqual({});
		expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'user', 'assistant']);
		expect(messages[1].content[0]).toEqual({type: 'thinking', text: 'I need to find every usage of fmtDate first.'});
		expect(messages[3].content[0]).toEqual({type: 'thinking', text: 'Two files to change; apply one diff per file.', signature: 'ErcBCkgIBhABGAIiQFixtureRooSig'});

		const uses = messages.flatMap(message => message.content.filter(block => block.type === 'tool_use')) as ToolUseBlock[];
		const results = messages.flatMap(message => message.content.filter(block => block.type === 'tool_result')) as ToolResultBlock[];
		expect(uses.map(use => [use.tool_use_id, use.name])).toEqual([
			['call_search_01', 'search_files'],
			['toolu_roo_diff_02', 'apply_diff'],
			['call_done_03', 'attempt_completion'],
		]);
		expect(uses[0].input).toEqual({path: 'src', regex: 'fmtDate', file_pattern: '*.ts'});
		expect(results.map(item => item.tool_use_id)).toEqual(['call_search_01', 'toolu_roo_diff_02']);
		expect(results[1].content).toBe('Changes successfully applied to src/utils.ts');

		// Non-destructive condense: the summary is a summary block; condensed messages keep their link.
		expect(messages[5].content[0]).toMatchObject({type: 'summary', text: expect.stringContaining('## Conversation Summary')});
		expect(messages[5].metadata?.native_fields).toEqual({isSummary: true, condenseId: 'c0ffee00-0000-4000-8000-000000000001'});
		expect(messages[0].metadata?.native_fields).toEqual({condenseParent: 'c0ffee00-0000-4000-8000-000000000001'});
		// Gemini thought signatures stay as their own block.
		expect(messages[6].content[2]).toEqual({type: 'thoughtSignature', thoughtSignature: 'CiQB0e2Kb-fixture'});
		expectAllValid(messages);
	});

	it('pairs per-request usage by time (Roo stores no history index) and reads the title and cwd from history_item.json', async () => {
		const {messages, info, workspace} = await readNative(CURRENT);
		const assistants = messages.filter(message => message.role === 'assistant');
		expect(assistants.map(message => message.usage)).toEqual([
			{input_tokens: 3900, output_tokens: 120, cache_read_tokens: 0, cache_write_tokens: 3500},
			{input_tokens: 400, output_tokens: 210, cache_read_tokens: 3500, cache_write_tokens: 0},
			{input_tokens: 350, output_tokens: 80, cache_read_tokens: 0, cache_write_tokens: 0},
		]);
		expect(assistants.map(message => message.metadata?.cost_usd)).toEqual([0.0172, 0.0049, 0.0023]);
		expect(assistants.every(message => message.model === undefined)).toBe(true);
		expect(messages.map(message => message.timestamp)).toEqual(
			[1763892000100, 1763892004000, 1763892004100, 1763892009000, 1763892010000, 1763892010001, 1763892014000].map(ms => new Date(ms).toISOString()),
		);
		expect(info).toMatchObject({title: 'Rename the helper fmtDate to formatDate', cwd: '/home/dev/roo-app', interface: 'extension'});
		expect(info.extra?.history_item).toMatchObject({mode: 'code', apiConfigName: 'default', status: 'completed'});
		expect(workspace).toEqual({root_path: '/home/dev/roo-app', files: [{path: 'src/utils.ts', role: 'edited'}, {path: 'src/index.ts', role: 'referenced'}]});
	});

	it('reads an older task: history from tasks/_index.json, a stand-alone reasoning entry, XML tool use kept as text', async () => {
		const {messages, info, warnings} = await readNative(OLDER);
		expect(warnings).toEqual([]);
		expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'assistant', 'user', 'assistant']);
		expect(messages[1].content).toEqual([{type: 'thinking', text: '', redacted: true, summary: 'Read the README.'}]);
		expect(messages[1].metadata?.native_id).toBe('rs_0123');
		expect(messages[2].metadata?.xml_tool_calls).toEqual(['read_file']);
		expect(messages[4].metadata?.xml_tool_calls).toEqual(['attempt_completion']);
		// Usage goes to the responses, not to the reasoning entry.
		expect(messages[1].usage).toBeUndefined();
		expect(messages[2].usage).toEqual({input_tokens: 2100, output_tokens: 40});
		expect(messages[4].usage).toEqual({input_tokens: 2200, output_tokens: 35});
		expect(messages[2].metadata?.timestamp_inferred).toBe(true);
		const times = messages.map(message => Date.parse(message.timestamp));
		expect([...times].sort((a, b) => a - b)).toEqual(times);
		expect(info).toMatchObject({title: 'What is in README.md?', cwd: '/home/dev/old-app'});
		expectAllValid(messages);
	});

	it('takes reasoning kept on the message (reasoning_content, reasoning_details) as thinking', async () => {
		const taskDir = path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID, 'tasks', 'reasoning-task');
		fs.mkdirSync(taskDir, {recursive: true});
		fs.writeFileSync(
			path.join(taskDir, 'api_conversation_history.json'),
			JSON.stringify([
				{role: 'user', content: [{type: 'text', text: '<user_message>\nhi\n</user_message>'}], ts: 1},
				{role: 'assistant', content: [{type: 'text', text: 'Hello.'}], reasoning_content: 'Greet back.', ts: 2},
				{role: 'user', content: 'again', ts: 3},
				{role: 'assistant', content: [{type: 'text', text: 'Hello again.'}], reasoning_details: [{type: 'reasoning.text', text: 'Greet again.', format: 'google-gemini-v1', index: 0}], ts: 4},
				{role: 'user', content: 'once more', ts: 5},
				{role: 'assistant', content: [{type: 'text', text: 'Hi.'}], reasoning_details: [{type: 'reasoning.encrypted', data: 'enc', index: 0}], ts: 6},
			]),
		);
		const {messages} = await readNative('reasoning-task');
		expect(messages[1].content).toEqual([{type: 'thinking', text: 'Greet back.'}, {type: 'text', text: 'Hello.'}]);
		expect(messages[1].metadata?.native_fields).toEqual({reasoning_content: 'Greet back.'});
		expect(messages[3].content[0]).toEqual({type: 'thinking', text: 'Greet again.'});
		expect(messages[5].content[0]).toEqual({type: 'thinking', text: '', redacted: true});
		expectAllValid(messages);
	});

	it('falls back to environment_details for cwd and the first message for the title without any history', async () => {
		const root = path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID);
		fs.rmSync(path.join(root, 'tasks', '_index.json'));
		const {info} = await readNative(OLDER);
		expect(info).toMatchObject({title: 'What is in README.md?', cwd: '/home/dev/old-app'});
		expect(info.extra?.history_item).toBeUndefined();
	});

	it('bad input: invalid history_item.json and a damaged index are skipped, the conversation kept', async () => {
		const root = path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID);
		fs.writeFileSync(path.join(root, 'tasks', CURRENT, 'history_item.json'), '{"id": ');
		fs.writeFileSync(path.join(root, 'tasks', '_index.json'), '\u0000\u0001binary');
		const {messages, warnings, info} = await readNative(CURRENT);
		expect(warnings).toEqual(['history_item.json: invalid JSON (file may be mid-write), skipped']);
		expect(messages).toHaveLength(7);
		expect(info.cwd).toBe('/home/dev/roo-app'); // from environment_details
		expectAllValid(messages);
	});
});

describe('roo-code: through the engine capture loop', () => {
	it('captures task folders and a second capture of unchanged files parses nothing', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const {sessionIdForNative} = await import('../../source/engine/format.js');
		install();
		const env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const first = await capture({env, store, index, adapters: [rooCodeAdapter], config: {}});
			expect(first).toMatchObject({new: 2, skipped: [], warnings: []});
			const manifest = store.readManifest(sessionIdForNative('roo-code', CURRENT));
			expect(manifest.title).toBe('Rename the helper fmtDate to formatDate');
			expect(store.readMessages(sessionIdForNative('roo-code', CURRENT)).messages).toHaveLength(7);
			const second = await capture({env, store, index, adapters: [rooCodeAdapter], config: {}});
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 2, records_parsed: 0});
		} finally {
			index.close();
		}
	});
});
