import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {clineAdapter, clineSessionsAt} from '../../source/adapters/cline.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import type {Message, ToolResultBlock, ToolUseBlock} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cline');
const EXTENSION_ID = 'saoudrizwan.claude-dev';
const SDK_ID = '1784094124598_rruoq';

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

/** Installs the hand-built extension store under `<configBase>/<editor>/User/globalStorage/…`. */
function installExtension(configBase: string, editor = 'Code'): string {
	const root = path.join(configBase, editor, 'User', 'globalStorage', EXTENSION_ID);
	fs.cpSync(path.join(fixtures, 'extension-layout'), root, {recursive: true});
	return root;
}

function installCli(clineDir = path.join(home, '.cline')): string {
	fs.cpSync(path.join(fixtures, 'sdk-layout', 'dot-cline'), clineDir, {recursive: true});
	return path.join(clineDir, 'data', 'sessions', SDK_ID);
}

function expectAllValid(messages: Message[]) {
	for (const message of messages) {
		const result = validateMessage(message);
		expect(result.errors, `${message.msg_id}: ${result.errors.join('; ')}`).toEqual([]);
	}
}

function blocksOf<T>(messages: Message[], type: string): T[] {
	return messages.flatMap(message => message.content.filter(block => block.type === type)) as T[];
}

async function discovered(ctx = context()): Promise<NativeSession[]> {
	return clineAdapter.discover(ctx);
}

async function readNative(nativeId: string, ctx = context()): Promise<ReadResult> {
	const session = (await discovered(ctx)).find(candidate => candidate.nativeId === nativeId);
	expect(session, `session ${nativeId} discovered`).toBeDefined();
	return clineAdapter.read({session: session!}, ctx);
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-cline-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('cline discover', () => {
	it('finds extension task folders in every editor under ~/.config and CLI sessions under ~/.cline', async () => {
		const codeRoot = installExtension(path.join(home, '.config'));
		installExtension(path.join(home, '.config'), 'Cursor');
		installCli();

		const sessions = await discovered();
		// The same task in two editors: the second gets `<id>@<editor>` so the engine keeps both apart.
		const ids = sessions.map(session => session.nativeId).sort();
		expect(ids).toEqual(
			['1700001234567', '1763800000000', '1763900000000', '1763950000000', SDK_ID, ...['1700001234567', '1763800000000', '1763900000000', '1763950000000'].map(id => `${id}@Cursor`)].sort(),
		);
		expect(sessions.find(session => session.nativeId === '1763800000000@Cursor')?.files[0]).toContain(path.join('Cursor', 'User', 'globalStorage'));
		for (const session of sessions) expect(session).toMatchObject({tool: 'cline', growth: 'rewrite'});

		const task = sessions.find(session => session.nativeId === '1763800000000' && session.files[0].startsWith(codeRoot))!;
		const taskDir = path.join(codeRoot, 'tasks', '1763800000000');
		expect(task.files).toEqual(['api_conversation_history.json', 'ui_messages.json', 'task_metadata.json'].map(name => path.join(taskDir, name)));

		// Any other file of the task is listed too (so a change to it is noticed); atomic-write temp files are not.
		fs.writeFileSync(path.join(taskDir, 'focus_chain_taskid_1763800000000.md'), '- [x] read build.js');
		fs.writeFileSync(path.join(taskDir, 'ui_messages.json.tmp.4242.json'), '[');
		const again = (await discovered()).find(session => session.nativeId === '1763800000000' && session.files[0].startsWith(codeRoot))!;
		expect(again.files.map(file => path.basename(file))).toEqual(['api_conversation_history.json', 'ui_messages.json', 'task_metadata.json', 'focus_chain_taskid_1763800000000.md']);
		expect(task.mtimeMs).toBeGreaterThan(0);

		const cli = sessions.find(session => session.nativeId === SDK_ID)!;
		const cliDir = path.join(home, '.cline', 'data', 'sessions', SDK_ID);
		expect(cli.files).toEqual([path.join(cliDir, `${SDK_ID}.messages.json`), path.join(cliDir, `${SDK_ID}.json`)]);
	});

	it('honours XDG_CONFIG_HOME on Linux and Application Support on macOS', async () => {
		const xdg = path.join(home, 'xdg');
		installExtension(xdg, 'Code - Insiders');
		expect((await discovered(context({XDG_CONFIG_HOME: xdg}))).map(session => session.nativeId)).toContain('1763800000000');
		expect(await discovered(context())).toEqual([]);

		const mac = path.join(home, 'Library', 'Application Support');
		installExtension(mac, 'Windsurf');
		const onMac = await discovered(context({}, 'darwin'));
		expect(onMac.map(session => session.nativeId)).toContain('1763800000000');
		expect(onMac.every(session => session.files[0].startsWith(mac))).toBe(true);
		expect(clineAdapter.roots(context({}, 'darwin'))).toContain(path.join(mac, 'Code', 'User', 'globalStorage', EXTENSION_ID));
	});

	it('honours CLINE_DIR, CLINE_DATA_DIR and CLINE_SESSION_DATA_DIR', async () => {
		const custom = path.join(home, 'custom-cline');
		installCli(custom);
		expect(await discovered()).toEqual([]);
		expect((await discovered(context({CLINE_DIR: custom}))).map(session => session.nativeId)).toEqual([SDK_ID]);
		expect((await discovered(context({CLINE_DATA_DIR: path.join(custom, 'data')}))).map(session => session.nativeId)).toEqual([SDK_ID]);
		expect((await discovered(context({CLINE_SESSION_DATA_DIR: path.join(custom, 'data', 'sessions')}))).map(session => session.nativeId)).toEqual([SDK_ID]);
		expect(clineAdapter.roots(context({CLINE_DIR: custom}))).toContain(path.join(custom, 'data', 'sessions'));
	});

	it('finds classic task folders of the pre-SDK standalone CLI under ~/.cline/data/tasks', async () => {
		fs.cpSync(path.join(fixtures, 'extension-layout'), path.join(home, '.cline', 'data'), {recursive: true});
		const result = await readNative('1763800000000');
		expect(result.info.interface).toBe('cli');
		expect(result.info.cwd).toBe('/home/dev/widget');
	});

	it('lists sub-agent transcripts as their own sessions linked to the parent', async () => {
		const dir = installCli();
		fs.copyFileSync(path.join(fixtures, 'sdk-examples', 'success.messages.json'), path.join(dir, 'explorer.messages.json'));
		const sub = (await discovered()).find(session => session.parentNativeId === SDK_ID);
		expect(sub).toMatchObject({nativeId: `${SDK_ID}__explorer`, agentId: 'explorer', files: [path.join(dir, 'explorer.messages.json')]});

		const result = await clineAdapter.read({session: sub!}, context());
		expect(result.messages).toHaveLength(4);
		expect(result.messages.every(message => message.is_sidechain === true && message.agent_id === 'explorer')).toBe(true);
		expect(Object.keys(result.cursors)).toEqual([path.join(dir, 'explorer.messages.json')]);
		expectAllValid(result.messages);
	});

	it('never throws for missing or unreadable roots', async () => {
		fs.mkdirSync(path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID, 'tasks', 'empty-task'), {recursive: true});
		fs.writeFileSync(path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID, 'tasks', 'stray-file'), 'x');
		fs.mkdirSync(path.join(home, '.cline', 'data', 'sessions', 'no-files'), {recursive: true});
		expect(await discovered()).toEqual([]);
		expect(clineAdapter.lastDiscoverWarnings).toEqual([]);
	});

	it('warns about a store it cannot list, and still lists the others', async () => {
		installCli();
		// A symlink loop cannot be listed even by root (ELOOP), unlike a chmod 000 folder.
		const root = path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID);
		fs.mkdirSync(root, {recursive: true});
		fs.symlinkSync(path.join(root, 'tasks'), path.join(root, 'tasks'));
		const sessions = await discovered();
		expect(sessions.map(session => session.nativeId)).toEqual([SDK_ID]);
		expect(clineAdapter.lastDiscoverWarnings).toEqual([`${path.join(root, 'tasks')}: unreadable (ELOOP)`]);
	});

	it('finds sessions at a user-given path for import', async () => {
		const root = installExtension(path.join(home, '.config'));
		const cliDir = installCli();
		expect((await clineSessionsAt(root)).map(session => session.nativeId).sort()).toEqual(['1700001234567', '1763800000000', '1763900000000', '1763950000000']);
		expect((await clineSessionsAt(path.join(root, 'tasks', '1763800000000', 'ui_messages.json'))).map(session => session.nativeId)).toEqual(['1763800000000']);
		expect((await clineSessionsAt(path.join(home, '.cline'))).map(session => session.nativeId)).toEqual([SDK_ID]);
		expect((await clineSessionsAt(path.join(cliDir, `${SDK_ID}.json`))).map(session => session.nativeId)).toEqual([SDK_ID]);
		expect(await clineSessionsAt(path.join(home, 'nowhere'))).toEqual([]);
	});
});

describe('cline extension task (hand-built, v3.89 shapes)', () => {
	beforeEach(() => {
		installExtension(path.join(home, '.config'));
	});

	it('maps roles, text, thinking, images and paired tool calls', async () => {
		const result = await readNative('1763800000000');
		const {messages} = result;
		expect(result.mode).toBe('full');
		expect(result.warnings).toEqual([]);
		expect(result.unknownRecords).toEqual({});
		expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);

		expect(messages[0].content[0]).toEqual({type: 'text', text: '<task>\nAdd a --verbose flag to the build script\n</task>'});
		expect(messages[0].content[1]).toMatchObject({type: 'image', source: {type: 'base64', media_type: 'image/png'}});
		expect(messages[1].content[0]).toEqual({
			type: 'thinking',
			text: 'The user wants a --verbose flag. I should read scripts/build.js first.',
			signature: 'EqQBCkYIBxgCKkDfixturesignature01',
		});
		expect(messages[5].content[0]).toEqual({type: 'thinking', text: '', redacted: true});
		expect(messages[7].content).toEqual([{type: 'text', text: "You're welcome."}]);

		const uses = blocksOf<ToolUseBlock>(messages, 'tool_use');
		const results = blocksOf<ToolResultBlock>(messages, 'tool_result');
		expect(uses.map(use => use.name)).toEqual(['read_file', 'replace_in_file', 'execute_command', 'attempt_completion']);
		expect(uses[2].input).toEqual({command: 'npm test', requires_approval: false});
		expect(results.map(item => item.tool_use_id)).toEqual(uses.map(use => use.tool_use_id));
		expect(results[0].content).toBe("const args = process.argv.slice(2);\nconsole.log('building');\n");
		expect(messages[2].metadata?.tool_result_originals).toEqual({toolu_01ReadBuild: [{type: 'text', text: "const args = process.argv.slice(2);\nconsole.log('building');\n"}]});
		expect(results[2]).toMatchObject({tool_use_id: 'toolu_03RunTests', is_error: true});
		expect(results[2].content).toContain('# fail 1');
		expect(result.tools?.tools_used).toEqual(['read_file', 'replace_in_file', 'execute_command', 'attempt_completion']);
		expectAllValid(messages);
	});

	it('takes per-request tokens and cost from the UI timeline, model from modelInfo, time from ts', async () => {
		const {messages, info, workspace} = await readNative('1763800000000');
		const assistants = messages.filter(message => message.role === 'assistant');
		expect(assistants.map(message => message.usage)).toEqual([
			{input_tokens: 5120, output_tokens: 212, cache_read_tokens: 0, cache_write_tokens: 4800},
			{input_tokens: 500, output_tokens: 180, cache_read_tokens: 5100, cache_write_tokens: 0},
			{input_tokens: 450, output_tokens: 95, cache_read_tokens: 5550, cache_write_tokens: 0},
			{input_tokens: 60, output_tokens: 5, cache_read_tokens: 6000, cache_write_tokens: 0},
		]);
		expect(assistants.map(message => message.metadata?.cost_usd)).toEqual([0.0185, 0.0061, 0.0042, 0.0019]);
		expect(assistants.every(message => message.model === 'claude-sonnet-4-5-20250929' && message.provider === 'anthropic')).toBe(true);
		expect(assistants[0].metadata).toMatchObject({native_id: 'msg_01HandBuiltA', mode: 'act'});
		expect(messages[0].timestamp).toBe(new Date(1763800000120).toISOString());
		expect(messages[1].timestamp).toBe(new Date(1763800005200).toISOString());

		expect(info).toMatchObject({
			title: 'Add a --verbose flag to the build script',
			cwd: '/home/dev/widget',
			model: 'claude-sonnet-4-5-20250929',
			provider: 'anthropic',
			toolVersion: '3.89.2',
			interface: 'extension',
			createdAt: new Date(1763800000120).toISOString(),
			updatedAt: new Date(1763800031000).toISOString(),
		});
		expect(info.extra?.history_item).toMatchObject({isFavorited: true, totalCost: 0.0307});
		expect(workspace).toEqual({
			root_path: '/home/dev/widget',
			files: [
				{path: 'scripts/build.js', role: 'read'},
				{path: 'scripts/build.js', role: 'edited'},
			],
		});
	});

	it('gives deterministic, unique msg_ids and a cursor per file read', async () => {
		const first = await readNative('1763800000000');
		const second = await readNative('1763800000000');
		expect(second.messages.map(message => message.msg_id)).toEqual(first.messages.map(message => message.msg_id));
		expect(new Set(first.messages.map(message => message.msg_id)).size).toBe(first.messages.length);
		expect(Object.keys(first.cursors).map(file => path.basename(file))).toEqual(['api_conversation_history.json', 'ui_messages.json', 'task_metadata.json']);
		expect(first.recordsParsed).toBe(8 + 17);
	});

	it('keeps older XML-style tool use as text, marks it, and infers missing timestamps', async () => {
		const {messages, info, warnings} = await readNative('1700001234567');
		expect(warnings).toEqual([]);
		expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
		expect(blocksOf(messages, 'tool_use')).toEqual([]);
		expect(messages[1].content[0]).toMatchObject({type: 'text', text: expect.stringContaining('<list_files>\n<path>src</path>')});
		expect(messages[1].metadata?.xml_tool_calls).toEqual(['list_files']);
		expect(messages[3].metadata?.xml_tool_calls).toEqual(['attempt_completion']);
		// Requests carry no conversationHistoryIndex here: paired in order.
		expect(messages[1].usage).toEqual({input_tokens: 1800, output_tokens: 60, cache_read_tokens: 0, cache_write_tokens: 0});
		expect(messages[3].usage).toMatchObject({input_tokens: 1900, output_tokens: 40});
		expect(messages.every(message => message.metadata?.timestamp_inferred === true)).toBe(true);
		expect(messages[0].timestamp).toBe(new Date(1700001234567).toISOString());
		const times = messages.map(message => Date.parse(message.timestamp));
		expect([...times].sort((a, b) => a - b)).toEqual(times);
		expect(info).toMatchObject({title: 'List the files in src', cwd: '/home/dev/legacy'});
		expectAllValid(messages);
	});

	it('takes the model from task_metadata.json model_usage when messages carry none (older builds)', async () => {
		const taskDir = path.join(home, '.config', 'Code', 'User', 'globalStorage', EXTENSION_ID, 'tasks', '1700001234567');
		fs.writeFileSync(
			path.join(taskDir, 'task_metadata.json'),
			JSON.stringify({
				files_in_context: [],
				model_usage: [
					{ts: 1700001234000, model_id: 'claude-3-5-sonnet-20241022', model_provider_id: 'anthropic', mode: 'act'},
					{ts: 1700001238000, model_id: 'gpt-4o', model_provider_id: 'openai', mode: 'act'},
				],
				environment_history: [{ts: 1700001234000, os_name: 'linux', os_version: '6.1', os_arch: 'x64', host_name: 'Cursor', host_version: '0.42', cline_version: '3.1.0'}],
			}),
		);
		const {messages, info} = await readNative('1700001234567');
		// Message times are inferred from the UI requests (1700001234600, 1700001237000): the second switch comes after both.
		expect(messages.filter(message => message.role === 'assistant').map(message => [message.model, message.provider])).toEqual([
			['claude-3-5-sonnet-20241022', 'anthropic'],
			['claude-3-5-sonnet-20241022', 'anthropic'],
		]);
		expect(info).toMatchObject({model: 'claude-3-5-sonnet-20241022', toolVersion: '3.1.0'});
	});

	it('keeps records it does not understand as counted native_record messages and blocks', async () => {
		const {messages, unknownRecords, warnings, info} = await readNative('1763900000000');
		expect(unknownRecords).toEqual({'role:system': 1, 'block:server_tool_use': 1, 'block:text': 1, 'record:non-object': 1});
		expect(warnings).toEqual(['ui_messages.json: missing', 'task_metadata.json: invalid JSON (file may be mid-write), skipped']);
		expect(messages.map(message => message.role)).toEqual(['user', 'system', 'assistant', 'system']);
		expect(messages[1]).toMatchObject({is_meta: true, content: [{type: 'native_record', record: {role: 'system', content: 'injected by a future version'}}]});
		expect(messages[3].content).toEqual([{type: 'native_record', record: 7}]);
		expect(messages[2].content).toEqual([
			{type: 'text', text: 'hi'},
			{type: 'server_tool_use', id: 'srv_1', name: 'web_search', input: {query: 'x'}},
			{type: 'native_record', record: {type: 'text', text: 42}},
		]);
		expect(info.cwd).toBe('/home/dev/drift');
		expectAllValid(messages);
	});

	it('rebuilds the conversation from ui_messages.json when the API history is gone', async () => {
		const {messages, warnings} = await readNative('1763950000000');
		expect(warnings).toContain('api_conversation_history.json unavailable: conversation rebuilt from ui_messages.json');
		expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'assistant', 'user', 'assistant']);
		expect(messages[1]).toMatchObject({content: [{type: 'thinking', text: 'Look at the Makefile first.'}], usage: {input_tokens: 900, output_tokens: 30}});
		const use = messages[2].content[0] as ToolUseBlock;
		expect(use).toMatchObject({type: 'tool_use', name: 'execute_command', input: {command: 'cat Makefile'}});
		expect(messages[3].content[0]).toEqual({type: 'tool_result', tool_use_id: use.tool_use_id, content: 'all:\n\tgo build ./...'});
		expectAllValid(messages);
	});
});

describe('cline extension bad input', () => {
	let taskDir: string;
	beforeEach(() => {
		taskDir = path.join(installExtension(path.join(home, '.config')), 'tasks', '1763800000000');
	});

	it('an empty API history file: warned, the UI timeline still gives the conversation', async () => {
		fs.writeFileSync(path.join(taskDir, 'api_conversation_history.json'), '');
		const {messages, warnings} = await readNative('1763800000000');
		expect(warnings[0]).toBe('api_conversation_history.json: empty file');
		expect(messages.length).toBeGreaterThan(0);
		expect(messages[0]).toMatchObject({role: 'user', content: [{type: 'text', text: 'Add a --verbose flag to the build script'}, {type: 'image'}]});
		expectAllValid(messages);
	});

	it('an invalid UI timeline: warned, API messages kept without UI usage', async () => {
		fs.writeFileSync(path.join(taskDir, 'ui_messages.json'), '[{"ts": 1, "type": "say"');
		const {messages, warnings} = await readNative('1763800000000');
		expect(warnings).toEqual(['ui_messages.json: invalid JSON (file may be mid-write), skipped']);
		expect(messages).toHaveLength(8);
		// Falls back to the per-message metrics of the API history.
		expect(messages[1].usage).toEqual({input_tokens: 5120, output_tokens: 212});
		expect(messages[1].metadata?.native_metrics).toEqual({tokens: {prompt: 5120, completion: 212, cached: 4800}, cost: 0.0185});
	});

	it('a file that vanished after discovery: warned, the rest read', async () => {
		const [session] = (await discovered()).filter(candidate => candidate.nativeId === '1763800000000');
		fs.rmSync(path.join(taskDir, 'ui_messages.json'));
		const result = await clineAdapter.read({session}, context());
		expect(result.warnings).toEqual(['ui_messages.json: missing']);
		expect(result.messages).toHaveLength(8);
		expect(Object.keys(result.cursors).map(file => path.basename(file))).toEqual(['api_conversation_history.json', 'task_metadata.json']);
	});

	it('throws only when nothing at all can be read', async () => {
		const [session] = (await discovered()).filter(candidate => candidate.nativeId === '1763800000000');
		fs.rmSync(taskDir, {recursive: true});
		await expect(clineAdapter.read({session}, context())).rejects.toThrow(/nothing readable/);
	});

	it('an API history that is not an array: warned and skipped', async () => {
		fs.writeFileSync(path.join(taskDir, 'api_conversation_history.json'), '{"role": "user"}');
		const {warnings, messages} = await readNative('1763800000000');
		expect(warnings).toContain('api_conversation_history.json: not an array, skipped');
		expect(messages.every(message => message.metadata?.from_ui_timeline === true)).toBe(true);
	});
});

describe('cline CLI session (public sample from cline/cline)', () => {
	it('maps every message: roles, native ids, tool calls paired by id, usage, model', async () => {
		installCli();
		const result = await readNative(SDK_ID);
		const {messages, info} = result;
		expect(result.warnings).toEqual([]);
		expect(result.unknownRecords).toEqual({});
		const raw = JSON.parse(fs.readFileSync(path.join(fixtures, 'sdk-layout', 'dot-cline', 'data', 'sessions', SDK_ID, `${SDK_ID}.messages.json`), 'utf8')) as {
			messages: Array<{id: string; role: string; ts: number; metrics?: {inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; cost: number}; modelInfo?: {id: string}}>;
			system_prompt: string;
		};

		expect(messages[0]).toMatchObject({role: 'system', is_meta: true, content: [{type: 'text', text: raw.system_prompt}]});
		const rest = messages.slice(1);
		expect(rest.map(message => message.msg_id)).toEqual(raw.messages.map(message => message.id));
		expect(rest.map(message => message.role)).toEqual(raw.messages.map(message => message.role));
		expect(rest.map(message => message.timestamp)).toEqual(raw.messages.map(message => new Date(message.ts).toISOString()));
		for (const [index, message] of rest.entries()) {
			const native = raw.messages[index];
			expect(message.model ?? undefined).toBe(native.modelInfo?.id);
			if (native.metrics) {
				expect(message.usage).toEqual({
					input_tokens: native.metrics.inputTokens,
					output_tokens: native.metrics.outputTokens,
					cache_read_tokens: native.metrics.cacheReadTokens,
					cache_write_tokens: native.metrics.cacheWriteTokens,
				});
				expect(message.metadata?.cost_usd).toBe(native.metrics.cost);
			}
		}

		const uses = blocksOf<ToolUseBlock>(messages, 'tool_use');
		const results = blocksOf<ToolResultBlock>(messages, 'tool_result');
		expect(uses).toHaveLength(11);
		expect(results.map(item => item.tool_use_id)).toEqual(uses.map(use => use.tool_use_id));
		expect(uses[0]).toMatchObject({tool_use_id: 'toolu_01ASLWrsc7sQ1adiRstjQa2n', name: 'editor'});
		const grep = uses.find(use => use.name === 'run_commands')!;
		expect(grep.input.commands).toEqual([expect.stringContaining('grep -rn')]);
		// Array results ({query, result}) are flattened to their text; the original stays in metadata.
		const readResult = results.find(item => item.tool_use_id === 'toolu_019n9oXmedUvxzMqpZ7JtjDk')!;
		expect(readResult.content).toMatch(/^462 \| \tchildren: ReactNode;/);
		const holder = messages.find(message => message.content.includes(readResult))!;
		expect(holder.metadata?.tool_result_originals).toHaveProperty('toolu_019n9oXmedUvxzMqpZ7JtjDk');
		expect(holder.metadata?.tool_result_names).toEqual({toolu_019n9oXmedUvxzMqpZ7JtjDk: 'read_files'});
		// The user's attached file is kept as its own (non-canonical) block.
		expect(messages[1].content[1]).toMatchObject({type: 'file', path: expect.stringContaining('agent-sidebar.tsx')});

		expect(info).toMatchObject({
			title: 'can you update @apps/examples/desktop-app/webview/components/agent-sidebar.tsx so that the filter icon comes afte (fork)',
			cwd: '/Users/example/dev/cline',
			model: 'mistralai/mixtral-8x22b-instruct',
			provider: 'cline',
			interface: 'cli',
			createdAt: '2026-07-15T05:42:04.609Z',
			updatedAt: '2026-07-15T05:42:04.865Z',
		});
		expect(info.extra).toMatchObject({status: 'completed', mode: 'act', fork: {forkedFromSessionId: '1784094053271_p8pzo'}});
		expect(result.workspace).toEqual({root_path: '/Users/example/dev/cline'});
		expectAllValid(messages);
	});

	it('reads thinking blocks and infers timestamps the transcript lacks', async () => {
		const dir = path.join(home, '.cline', 'data', 'sessions', 'fixture-success-01');
		fs.mkdirSync(dir, {recursive: true});
		fs.copyFileSync(path.join(fixtures, 'sdk-examples', 'success.messages.json'), path.join(dir, 'fixture-success-01.messages.json'));
		const result = await readNative('fixture-success-01');
		expect(result.warnings).toEqual(['fixture-success-01.json: missing']);
		const {messages} = result;
		expect(messages.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
		expect(messages[1].content[0]).toEqual({type: 'thinking', text: 'I should read the README first before summarizing.', signature: null});
		expect(messages[2].content[0]).toEqual({type: 'tool_result', tool_use_id: 'tool-call-1', content: '# Project\n\nA small test fixture.'});
		expect(messages[0].metadata?.timestamp_inferred).toBe(true);
		expect(messages[2].timestamp).toBe(messages[1].timestamp);
		expect(messages[3].usage).toEqual({input_tokens: 21, output_tokens: 8, cache_read_tokens: 3, cache_write_tokens: 1});
		expect(result.info.title).toBe('Inspect the README and summarize it.');
		expectAllValid(messages);
	});

	it('bad input: an invalid transcript keeps the manifest; nothing readable throws', async () => {
		const dir = installCli();
		fs.writeFileSync(path.join(dir, `${SDK_ID}.messages.json`), '{"version":1,"messages":[{"role":');
		const result = await readNative(SDK_ID);
		expect(result.warnings).toEqual([`${SDK_ID}.messages.json: invalid JSON (file may be mid-write), skipped`]);
		expect(result.messages).toEqual([]);
		expect(result.info.cwd).toBe('/Users/example/dev/cline');

		const [session] = await discovered();
		fs.rmSync(dir, {recursive: true});
		await expect(clineAdapter.read({session}, context())).rejects.toThrow(/nothing readable/);
	});

	it('a run_commands result with a failed command is an error result', async () => {
		const dir = path.join(home, '.cline', 'data', 'sessions', 'fail_1');
		fs.mkdirSync(dir, {recursive: true});
		const results = [{query: 'true', result: '', success: true}, {query: 'false', result: '', error: 'exit code 1', success: false}];
		fs.writeFileSync(
			path.join(dir, 'fail_1.messages.json'),
			JSON.stringify({version: 1, messages: [
				{id: 'a', role: 'assistant', content: [{type: 'tool_use', id: 'call_1', name: 'run_commands', input: {commands: ['true', 'false']}}], ts: 1},
				{id: 'b', role: 'user', content: [{type: 'tool_result', tool_use_id: 'call_1', name: 'run_commands', content: results}], ts: 2},
			]}),
		);
		const {messages} = await readNative('fail_1');
		expect(messages[1].content).toEqual([{type: 'tool_result', tool_use_id: 'call_1', content: 'exit code 1', is_error: true}]);
		expect(messages[1].metadata?.tool_result_originals).toEqual({call_1: results});
	});

	it('an unknown message role or content shape is kept and counted', async () => {
		const dir = path.join(home, '.cline', 'data', 'sessions', 'drift_1');
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(
			path.join(dir, 'drift_1.messages.json'),
			JSON.stringify({version: 1, messages: [{id: 'a', role: 'user', content: 'hi', ts: 1}, {id: 'b', role: 'tool', content: 'x', ts: 2}, {id: 'c', role: 'assistant', content: [{type: 'media', media: {kind: 'png'}}, {type: 'hologram'}], ts: 3}]}),
		);
		const result = await readNative('drift_1');
		expect(result.unknownRecords).toEqual({'role:tool': 1, 'block:hologram': 1});
		expect(result.messages[1]).toMatchObject({msg_id: 'b', role: 'system', is_meta: true, content: [{type: 'native_record', record: {role: 'tool'}}]});
		expect(result.messages[2].content).toEqual([{type: 'media', media: {kind: 'png'}}, {type: 'hologram'}]);
		expectAllValid(result.messages);
	});
});

describe('cline: through the engine capture loop', () => {
	it('captures extension tasks and CLI sessions; a second capture parses nothing; an appended message is added', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const {sessionIdForNative} = await import('../../source/engine/format.js');
		const root = installExtension(path.join(home, '.config'));
		// A file of the task that the adapter does not parse must not make every scan re-read the task.
		fs.writeFileSync(path.join(root, 'tasks', '1763800000000', 'settings.json'), '{}');
		installCli();
		const env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const first = await capture({env, store, index, adapters: [clineAdapter], config: {}});
			expect(first).toMatchObject({new: 5, skipped: []});
			expect(first.unknown_records.cline).toBeDefined();
			expect(Object.values(first.unknown_records.cline).reduce((sum, n) => sum + n, 0)).toBe(4);

			const second = await capture({env, store, index, adapters: [clineAdapter], config: {}});
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 5, records_parsed: 0});

			const apiFile = path.join(root, 'tasks', '1763800000000', 'api_conversation_history.json');
			const api = JSON.parse(fs.readFileSync(apiFile, 'utf8')) as unknown[];
			api.push({role: 'user', content: [{type: 'text', text: 'One more thing: add a --quiet flag.'}], ts: 1763800040000});
			fs.writeFileSync(apiFile, JSON.stringify(api));
			const third = await capture({env, store, index, adapters: [clineAdapter], config: {}});
			expect(third).toMatchObject({new: 0, updated: 1, unchanged: 4});
			const {messages} = store.readMessages(sessionIdForNative('cline', '1763800000000'));
			expect(messages).toHaveLength(9);
			expect(messages.at(-1)?.content).toEqual([{type: 'text', text: 'One more thing: add a --quiet flag.'}]);
		} finally {
			index.close();
		}
	});
});
