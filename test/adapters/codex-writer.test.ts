import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {codexAdapter} from '../../source/adapters/codex.js';
import {CODEX_DEFAULT_MODEL, CODEX_WRITER_VERSION, codexWriter, readCodexConfig, uuidV7} from '../../source/adapters/codex-writer.js';
import type {AdapterContext} from '../../source/adapters/types.js';
import {writeNewFile} from '../../source/adapters/writer-files.js';
import type {Message, Session} from '../../source/engine/types.js';
import {adapterContext, canonicalSession, kitchenSinkSession, loadRecordedSession, message, PNG_BASE64} from '../support/resume-proof.js';
import {jsonlRecords, writerHomePerTest} from '../support/writer-home.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const UUID_V7 = /^[\da-f]{8}-[\da-f]{4}-7[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
const NOW = new Date('2026-11-25T12:00:00.000Z');
const cwd = '/work/demo-app';

let home: string;
let ctx: AdapterContext;
writerHomePerTest('codex-writer', (created, context) => {
	home = created;
	ctx = context;
});

type Line = {timestamp: string; type: string; payload: Record<string, any>};

function lines(file: string): Line[] {
	return jsonlRecords<Line>(file);
}

const items = (file: string) => lines(file).filter(line => line.type === 'response_item').map(line => line.payload);

async function write(session: Session, options: {outDir?: string; model?: string} = {}) {
	return codexWriter.write(session, {cwd, now: NOW, fromSessionId: session.manifest.session_id, ...options}, ctx);
}

async function readBack(file: string, nativeId: string) {
	const read = await codexAdapter.read({session: {tool: 'codex', nativeId, files: [file], growth: 'append'}}, ctx);
	expect(read.warnings).toEqual([]);
	expect(read.unknownRecords).toEqual({});
	return read;
}

function shape(messages: Message[]): unknown[] {
	return messages.map(entry => ({
		role: entry.role,
		blocks: entry.content.map(block => {
			if (block.type === 'text') return {text: block.text};
			if (block.type === 'tool_use') return {call: block.name, id: block.tool_use_id, input: block.input};
			if (block.type === 'tool_result') return {result: block.tool_use_id, content: block.content, ...(block.is_error ? {error: true} : {})};
			if (block.type === 'image') return {image: (block.source as {type: string}).type};
			if (block.type === 'thinking') return {thinking: block.summary};
			return {other: block.type};
		}),
	}));
}

describe('codexWriter.write', () => {
	it('writes sessions/YYYY/MM/DD/rollout-<local time>-<uuid v7>.jsonl in the store', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.nativeId).toMatch(UUID_V7);
		const pad = (value: number) => String(value).padStart(2, '0');
		const day = [String(NOW.getFullYear()), pad(NOW.getMonth() + 1), pad(NOW.getDate())];
		const stamp = `${day.join('-')}T${pad(NOW.getHours())}-${pad(NOW.getMinutes())}-${pad(NOW.getSeconds())}`;
		expect(result.nativePath).toBe(path.join(home, '.codex', 'sessions', ...day, `rollout-${stamp}-${result.nativeId}.jsonl`));
		expect(result.files).toEqual([result.nativePath]);
		expect(await codexWriter.nativeExists(result.nativeId, ctx)).toBe(true);
		expect(await codexWriter.nativeExists(uuidV7(NOW.getTime()), ctx)).toBe(false);
		expect(await codexWriter.nativeExists('../etc/passwd', ctx)).toBe(false);
	});

	it('starts with a cli session_meta and has a user_message event within the first lines', async () => {
		const result = await write(kitchenSinkSession());
		const log = lines(result.nativePath);
		const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'support', 'cli-versions.json'), 'utf8')) as Record<string, {version: string}>;
		expect(CODEX_WRITER_VERSION).toBe(pin.codex.version);
		expect(log[0]).toEqual({
			timestamp: NOW.toISOString(),
			type: 'session_meta',
			payload: {id: result.nativeId, session_id: result.nativeId, timestamp: NOW.toISOString(), cwd, originator: 'codex_cli_rs', cli_version: CODEX_WRITER_VERSION, source: 'cli'},
		});
		// Codex lists a rollout only when a user_message event is in its head.
		expect(log.slice(0, 10).some(line => line.type === 'event_msg' && line.payload.type === 'user_message')).toBe(true);
		for (const line of log) {
			expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			expect(['session_meta', 'turn_context', 'response_item', 'event_msg']).toContain(line.type);
		}

		// Every turn is opened, has its settings, and is closed.
		const contexts = log.filter(line => line.type === 'turn_context').map(line => line.payload);
		expect(contexts.length).toBeGreaterThan(0);
		for (const context of contexts) expect(context).toMatchObject({cwd, model: CODEX_DEFAULT_MODEL, approval_policy: 'on-request', sandbox_policy: {type: 'read-only'}, summary: 'auto'});
		const started = log.filter(line => line.payload.type === 'task_started').map(line => line.payload.turn_id);
		const completed = log.filter(line => line.payload.type === 'task_complete').map(line => line.payload.turn_id);
		expect(completed).toEqual(started);
		expect(started).toEqual(contexts.map(context => context.turn_id));
		expect(fs.readFileSync(result.nativePath, 'utf8')).toContain(String.raw`\u2028`);
	});

	it('answers every call with its output right after it and writes no reasoning item for foreign reasoning', async () => {
		const result = await write(kitchenSinkSession());
		const written = items(result.nativePath);
		expect(written.some(item => item.type === 'reasoning')).toBe(false);
		written.forEach((item, index) => {
			if (item.type === 'function_call') {
				expect(typeof item.arguments).toBe('string');
				expect(written[index + 1]).toMatchObject({type: 'function_call_output', call_id: item.call_id});
			}
		});
		const calls = written.filter(item => item.type === 'function_call');
		expect(calls.map(item => [item.name, JSON.parse(item.arguments), item.call_id])).toEqual([
			['exec_command', {cmd: 'ls -la'}, 'call_ls'],
			['exec_command', {cmd: 'npm test'}, 'toolu_sfs0001'],
		]);
	});

	it('reports what it kept, converted and dropped', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.report).toEqual({messages_kept: 4, messages_converted: 7, messages_dropped: 4, tool_calls_mapped: 2, thinking: 'as_text', images_kept: 1});
		expect(result.warnings.join('\n')).toContain('sub-agent');
		expect(result.warnings.join('\n')).toContain('written as plain text');
	});

	it('round-trips through the capture adapter', async () => {
		const result = await write(kitchenSinkSession());
		const read = await readBack(result.nativePath, result.nativeId);
		const messages = read.messages.filter(entry => !entry.is_meta);
		expect(shape(messages)).toEqual([
			{role: 'user', blocks: [{text: 'The build fails, please fix it.'}, {image: 'base64'}, {text: '[image: /tmp/screenshot.png]'}]},
			{role: 'assistant', blocks: [{text: '[Reasoning from codex]\nI should look at the files first.'}]},
			{role: 'assistant', blocks: [{text: 'Listing the files.'}]},
			{role: 'assistant', blocks: [{call: 'exec_command', id: 'call_ls', input: {cmd: 'ls -la'}}]},
			{role: 'tool', blocks: [{result: 'call_ls', content: 'main.ts\npackage.json'}]},
			{role: 'assistant', blocks: [{text: '[Tool call from codex: apply_patch]\n{"input":"*** Begin Patch\\n*** End Patch"}\n[Result]\nSuccess. Updated 1 file.'}]},
			{role: 'assistant', blocks: [{call: 'exec_command', id: 'toolu_sfs0001', input: {cmd: 'npm test'}}]},
			{role: 'tool', blocks: [{result: 'toolu_sfs0001', content: '(no result was recorded for this call)'}]},
			{role: 'user', blocks: [{text: '[Tool result call_orphan (error)]\nstray output'}, {text: '[Summary of the earlier conversation]\nEarlier: the user asked to fix the build.'}]},
			{role: 'assistant', blocks: [{text: 'Fixed: the import path was wrong.\u2028Done.'}]},
		]);
		expect(messages[0].content[1]).toEqual({type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}});
		expect(read.info).toMatchObject({title: 'The build fails, please fix it. [image: /tmp/screenshot.png]', cwd, toolVersion: CODEX_WRITER_VERSION, model: CODEX_DEFAULT_MODEL, interface: 'cli', headless: false});
	});

	it('writes a foreign failing command the way Codex reports one, so its exit code reads back', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: 'run the tests'}]),
			message('assistant', [{type: 'tool_use', tool_use_id: 'toolu_1', name: 'Bash', input: {command: 'npm test'}}]),
			message('user', [{type: 'tool_result', tool_use_id: 'toolu_1', content: '1 failing', is_error: true, exit_code: 2}]),
		]);
		const result = await write(session);
		expect(items(result.nativePath).find(item => item.type === 'function_call_output')?.output).toBe('Process exited with code 2\nOutput:\n1 failing');
		const read = await readBack(result.nativePath, result.nativeId);
		const output = read.messages.flatMap(entry => entry.content).find(block => block.type === 'tool_result');
		expect(output).toMatchObject({tool_use_id: 'toolu_1', exit_code: 2, is_error: true});
	});

	it('keeps the calls and outputs of a recorded Codex session as they were', async () => {
		const recorded = await loadRecordedSession('codex');
		expect(recorded).toBeDefined();
		const result = await write(recorded!.session);
		const written = items(result.nativePath);
		const call = written.find(item => item.type === 'function_call')!;
		expect(call).toEqual({type: 'function_call', name: 'exec_command', arguments: JSON.stringify({cmd: 'cat notes.txt'}), call_id: 'call_stub0001'});
		expect(written.find(item => item.type === 'function_call_output')?.output).toBe(recorded!.manifest.turns[0].toolResultSeenByModel);
		const read = await readBack(result.nativePath, result.nativeId);
		const prompts = read.messages.filter(entry => entry.role === 'user' && !entry.is_meta).map(entry => entry.content.map(block => (block.type === 'text' ? block.text : '')).join(''));
		expect(prompts).toEqual(recorded!.manifest.turns.map(turn => turn.prompt));
		// Its reasoning has no encrypted content (the stub endpoint sent none), so it cannot go back as reasoning.
		expect(result.report.thinking).toBe('as_text');
	});

	it('replays Codex reasoning that carries its encrypted content as a reasoning item', async () => {
		const session = canonicalSession('codex', [
			message('user', [{type: 'text', text: 'think first'}]),
			message('assistant', [{type: 'thinking', text: '', summary: 'Planning the change.', signature: null, redacted: true}], {metadata: {record_type: 'response_item:reasoning', encrypted_content: 'gAAAAB-opaque'}}),
			message('assistant', [{type: 'text', text: 'Done thinking.'}]),
		]);
		const result = await write(session);
		expect(items(result.nativePath).filter(item => item.type !== 'message')).toEqual([
			{type: 'reasoning', summary: [{type: 'summary_text', text: 'Planning the change.'}], content: null, encrypted_content: 'gAAAAB-opaque'},
		]);
		expect(result.report.thinking).toBe('kept');
		const read = await readBack(result.nativePath, result.nativeId);
		expect(shape(read.messages.filter(entry => !entry.is_meta))).toEqual([
			{role: 'user', blocks: [{text: 'think first'}]},
			{role: 'assistant', blocks: [{thinking: 'Planning the change.'}]},
			{role: 'assistant', blocks: [{text: 'Done thinking.'}]},
		]);
	});

	it('keeps a freeform apply_patch call of a Codex session as a custom tool call', async () => {
		const patch = '*** Begin Patch\n*** Add File: a.txt\n+A\n*** End Patch\n';
		const session = canonicalSession('codex', [
			message('user', [{type: 'text', text: 'add a file'}]),
			message('assistant', [{type: 'tool_use', tool_use_id: 'call_p', name: 'apply_patch', input: {input: patch}}], {metadata: {record_type: 'response_item:custom_tool_call'}}),
			message('tool', [{type: 'tool_result', tool_use_id: 'call_p', content: 'Success.'}], {metadata: {record_type: 'response_item:custom_tool_call_output'}}),
		]);
		const result = await write(session);
		expect(items(result.nativePath).filter(item => item.type !== 'message')).toEqual([
			{type: 'custom_tool_call', status: 'completed', call_id: 'call_p', name: 'apply_patch', input: patch},
			{type: 'custom_tool_call_output', call_id: 'call_p', output: 'Success.'},
		]);
	});

	it('maps foreign shell, read, write and edit calls to Codex tools', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: 'do things'}]),
			message('assistant', [
				{type: 'tool_use', tool_use_id: 't1', name: 'Bash', input: {command: 'make'}},
				{type: 'tool_use', tool_use_id: 't2', name: 'Read', input: {file_path: '/w/my file.txt'}},
				{type: 'tool_use', tool_use_id: 't3', name: 'Write', input: {file_path: '/w/b.txt', content: 'B1\nB2\n'}},
				{type: 'tool_use', tool_use_id: 't4', name: 'Edit', input: {file_path: '/w/c.txt', old_string: 'x', new_string: 'y'}},
				{type: 'tool_use', tool_use_id: 't5', name: 'WebSearch', input: {query: 'q'}},
			]),
			message('user', [
				{type: 'tool_result', tool_use_id: 't1', content: 'built'},
				{type: 'tool_result', tool_use_id: 't2', content: 'A'},
				{type: 'tool_result', tool_use_id: 't3', content: 'ok'},
				{type: 'tool_result', tool_use_id: 't4', content: 'ok'},
				{type: 'tool_result', tool_use_id: 't5', content: 'results'},
			]),
		]);
		const result = await write(session);
		const written = items(result.nativePath).filter(item => item.type !== 'function_call_output' && item.type !== 'custom_tool_call_output');
		expect(written.slice(1).map(item => (item.type === 'function_call' ? [item.name, JSON.parse(item.arguments)] : item.type === 'custom_tool_call' ? [item.name, item.input] : [item.role, item.content[0].text]))).toEqual([
			['exec_command', {cmd: 'make'}],
			['exec_command', {cmd: "cat '/w/my file.txt'"}],
			['apply_patch', '*** Begin Patch\n*** Add File: /w/b.txt\n+B1\n+B2\n*** End Patch\n'],
			['apply_patch', '*** Begin Patch\n*** Update File: /w/c.txt\n@@\n-x\n+y\n*** End Patch\n'],
			['assistant', '[Tool call from claude-code: WebSearch]\n{"query":"q"}\n[Result]\nresults'],
		]);
		expect(result.report.tool_calls_mapped).toBe(4);
		expect(result.report.messages_converted).toBe(2);
	});

	it('takes the model and provider from --model, then config.toml, then an OpenAI source model', async () => {
		const codexHome = path.join(home, 'codex-home');
		fs.mkdirSync(codexHome, {recursive: true});
		fs.writeFileSync(path.join(codexHome, 'config.toml'), 'model = "gpt-5.1-codex" # mine\nmodel_provider = \'azure\'\n\n[model_providers.azure]\nmodel = "not-this"\n');
		expect(await readCodexConfig(codexHome)).toEqual({model: 'gpt-5.1-codex', modelProvider: 'azure'});
		ctx = adapterContext(home, {CODEX_HOME: codexHome});
		const fromConfig = await write(kitchenSinkSession());
		expect(fromConfig.nativePath.startsWith(path.join(codexHome, 'sessions'))).toBe(true);
		expect(lines(fromConfig.nativePath)[0].payload.model_provider).toBe('azure');
		expect(lines(fromConfig.nativePath).find(line => line.type === 'turn_context')?.payload.model).toBe('gpt-5.1-codex');
		const fromFlag = await write(kitchenSinkSession(), {model: 'o3'});
		expect(lines(fromFlag.nativePath).find(line => line.type === 'turn_context')?.payload.model).toBe('o3');

		ctx = adapterContext(home);
		const openai = await write(canonicalSession('cline', [message('user', [{type: 'text', text: 'hi'}])], {model: {model_id: 'gpt-4o'}}));
		expect(lines(openai.nativePath).find(line => line.type === 'turn_context')?.payload.model).toBe('gpt-4o');
		expect(lines(openai.nativePath)[0].payload.model_provider).toBeUndefined();
		const claude = await write(canonicalSession('claude-code', [message('user', [{type: 'text', text: 'hi'}])], {model: {model_id: 'claude-sonnet-4-5'}}));
		expect(lines(claude.nativePath).find(line => line.type === 'turn_context')?.payload.model).toBe(CODEX_DEFAULT_MODEL);
	});

	it('records git facts only for the directory the source ran in', async () => {
		const session = {...kitchenSinkSession(), workspace: {root_path: cwd, git: {branch: 'main', commit_sha: 'abc123', remote_url: 'https://example.invalid/r.git'}}};
		const same = await write(session);
		expect(lines(same.nativePath)[0].payload.git).toEqual({commit_hash: 'abc123', branch: 'main', repository_url: 'https://example.invalid/r.git'});
		const elsewhere = await codexWriter.write(session, {cwd: '/elsewhere', now: NOW, fromSessionId: 'x'}, ctx);
		expect(lines(elsewhere.nativePath)[0].payload.git).toBeUndefined();
	});

	it('writes under outDir for export and never overwrites a rollout', async () => {
		const out = path.join(home, 'export');
		const exported = await write(kitchenSinkSession(), {outDir: out});
		expect(exported.nativePath.startsWith(path.join(out, 'sessions') + path.sep)).toBe(true);
		expect(fs.existsSync(path.join(home, '.codex'))).toBe(false);
		await expect(writeNewFile(exported.nativePath, 'x')).rejects.toMatchObject({code: 'CONFLICT'});
		expect(lines(exported.nativePath)[0].type).toBe('session_meta');
	});

	it('mints time-ordered v7 ids', () => {
		const early = uuidV7(Date.UTC(2026, 0, 1));
		const late = uuidV7(Date.UTC(2026, 0, 2));
		expect(early).toMatch(UUID_V7);
		expect(early.slice(0, 13) < late.slice(0, 13)).toBe(true);
		expect(Number.parseInt(early.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
	});

	it('builds the commands that resume the written id', () => {
		expect(codexWriter.resumeCommand('abc', {})).toEqual(['codex', 'resume', 'abc']);
		expect(codexWriter.resumeCommand('abc', {model: 'o3'})).toEqual(['codex', 'resume', '--model', 'o3', 'abc']);
		expect(codexWriter.headlessResumeCommand('abc', 'go on', {})).toEqual(['codex', 'exec', 'resume', '--', 'abc', 'go on']);
		expect(codexWriter.headlessResumeCommand('abc', '-x', {model: 'o3'})).toEqual(['codex', 'exec', 'resume', '--model', 'o3', '--', 'abc', '-x']);
		expect(codexWriter).toMatchObject({target: 'codex', binary: 'codex'});
		expect(codexWriter.installHint).toContain('@openai/codex');
	});
});
