import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {geminiAdapter} from '../../source/adapters/gemini.js';
import {geminiSlugify, resolveGeminiProject} from '../../source/adapters/gemini-project.js';
import {GEMINI_WRITER_VERSION, geminiWriter} from '../../source/adapters/gemini-writer.js';
import type {AdapterContext} from '../../source/adapters/types.js';
import {writeNewFile} from '../../source/adapters/writer-files.js';
import type {Message, Session} from '../../source/engine/types.js';
import {adapterContext, canonicalSession, kitchenSinkSession, loadRecordedSession, message, PNG_BASE64} from '../support/resume-proof.js';
import {jsonlRecords, writerHomePerTest} from '../support/writer-home.js';

const UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
const NOW = new Date('2026-11-25T12:34:56.000Z');
const cwd = '/work/My_Demo.App';

let home: string;
let ctx: AdapterContext;
writerHomePerTest('gemini-writer', (created, context) => {
	home = created;
	ctx = context;
});

const gemini = () => path.join(home, '.gemini');

function records(file: string): Array<Record<string, any>> {
	return jsonlRecords<Record<string, any>>(file);
}

function registry(root = gemini()): Record<string, string> {
	return (JSON.parse(fs.readFileSync(path.join(root, 'projects.json'), 'utf8')) as {projects: Record<string, string>}).projects;
}

async function write(session: Session, options: {outDir?: string; model?: string; cwd?: string} = {}) {
	return geminiWriter.write(session, {cwd, now: NOW, fromSessionId: session.manifest.session_id, ...options}, ctx);
}

async function readBack(file: string, nativeId: string) {
	const read = await geminiAdapter.read({session: {tool: 'gemini', nativeId, files: [file], growth: 'append'}}, ctx);
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
			return {other: block.type};
		}),
	}));
}

describe('geminiWriter.write', () => {
	it('writes tmp/<slug>/chats/session-<UTC minute>-<id8>.jsonl and registers the project like Gemini does', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.nativeId).toMatch(UUID);
		const slug = 'my-demo-app';
		expect(result.nativePath).toBe(path.join(gemini(), 'tmp', slug, 'chats', `session-2026-11-25T12-34-${result.nativeId.slice(0, 8)}.jsonl`));
		expect(registry()).toEqual({[cwd]: slug});
		expect(fs.readFileSync(path.join(gemini(), 'tmp', slug, '.project_root'), 'utf8')).toBe(cwd);
		expect(fs.readFileSync(path.join(gemini(), 'history', slug, '.project_root'), 'utf8')).toBe(cwd);
		expect(result.files).toEqual([
			result.nativePath,
			path.join(gemini(), 'projects.json'),
			path.join(gemini(), 'tmp', slug, '.project_root'),
			path.join(gemini(), 'history', slug, '.project_root'),
		]);
		expect(fs.existsSync(path.join(gemini(), 'projects.json.lock'))).toBe(false);
		expect(await geminiWriter.nativeExists(result.nativeId, ctx)).toBe(true);
		expect(await geminiWriter.nativeExists('2a07c579-7101-42a3-9f59-ba98dfec56a9', ctx)).toBe(false);

		// A second session for the same directory reuses the slug and touches nothing else.
		const second = await write(kitchenSinkSession());
		expect(path.dirname(second.nativePath)).toBe(path.dirname(result.nativePath));
		expect(second.files).toEqual([second.nativePath]);
	});

	it('starts with metadata stamped with the time of writing (Gemini deletes sessions by lastUpdated)', async () => {
		const result = await write(kitchenSinkSession());
		const [metadata, ...messages] = records(result.nativePath);
		expect(metadata).toEqual({
			sessionId: result.nativeId,
			projectHash: createHash('sha256').update(cwd).digest('hex'),
			startTime: NOW.toISOString(),
			lastUpdated: NOW.toISOString(),
			kind: 'main',
			summary: 'Fix the failing build',
		});
		const ids = new Set<string>();
		for (const record of messages) {
			expect(record.id).toMatch(UUID);
			expect(ids.has(record.id)).toBe(false);
			ids.add(record.id);
			expect(['user', 'gemini']).toContain(record.type);
			expect(Date.parse(record.timestamp)).toBeLessThanOrEqual(NOW.getTime());
		}

		// Gemini resumes only a session with a real prompt (not empty, not starting with / or ?).
		expect(messages.some(record => record.type === 'user' && /^[^/?]/.test(record.content[0].text))).toBe(true);
		expect(fs.readFileSync(result.nativePath, 'utf8')).toContain(String.raw`\u2028`);
	});

	it('writes tool calls on the model message with their functionResponse results', async () => {
		const result = await write(kitchenSinkSession());
		const calls = records(result.nativePath).flatMap(record => record.toolCalls ?? []);
		expect(calls).toEqual([
			{
				id: 'call_ls',
				name: 'run_shell_command',
				args: {command: 'ls -la'},
				result: [{functionResponse: {id: 'call_ls', name: 'run_shell_command', response: {output: 'main.ts\npackage.json'}}}],
				status: 'success',
				timestamp: expect.any(String),
				resultDisplay: 'main.ts\npackage.json',
				renderOutputAsMarkdown: false,
				displayName: 'Shell',
				description: 'ls -la',
			},
			expect.objectContaining({
				id: 'toolu_sfs0001',
				name: 'run_shell_command',
				args: {command: 'npm test'},
				result: [{functionResponse: {id: 'toolu_sfs0001', name: 'run_shell_command', response: {error: '(no result was recorded for this call)'}}}],
				status: 'error',
			}),
		]);
		// Text after a call starts a new model message: Gemini replays a message as text, then its calls.
		const model = records(result.nativePath).filter(record => record.type === 'gemini');
		expect(model.map(record => [record.content.slice(0, 20), (record.toolCalls ?? []).length])).toEqual([
			['[Reasoning from code', 1],
			['[Tool call from code', 1],
			['Fixed: the import pa', 0],
		]);
	});

	it('reports what it kept, converted and dropped', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.report).toEqual({messages_kept: 4, messages_converted: 7, messages_dropped: 4, tool_calls_mapped: 2, thinking: 'as_text', images_kept: 1});
		expect(result.warnings.join('\n')).toContain('sub-agent');
	});

	it('round-trips through the capture adapter', async () => {
		const result = await write(kitchenSinkSession());
		const read = await readBack(result.nativePath, result.nativeId);
		const messages = read.messages.filter(entry => !entry.is_meta);
		expect(shape(messages)).toEqual([
			{role: 'user', blocks: [{text: 'The build fails, please fix it.'}, {image: 'base64'}, {text: '[image: /tmp/screenshot.png]'}]},
			{role: 'assistant', blocks: [{text: '[Reasoning from codex]\nI should look at the files first.\n\nListing the files.'}, {call: 'run_shell_command', id: 'call_ls', input: {command: 'ls -la'}}]},
			{role: 'tool', blocks: [{result: 'call_ls', content: 'main.ts\npackage.json'}]},
			{
				role: 'assistant',
				blocks: [
					{text: '[Tool call from codex: apply_patch]\n{"input":"*** Begin Patch\\n*** End Patch"}\n[Result]\nSuccess. Updated 1 file.'},
					{call: 'run_shell_command', id: 'toolu_sfs0001', input: {command: 'npm test'}},
				],
			},
			{role: 'tool', blocks: [{result: 'toolu_sfs0001', content: '(no result was recorded for this call)', error: true}]},
			{role: 'user', blocks: [{text: '[Tool result call_orphan (error)]\nstray output'}, {text: '[Summary of the earlier conversation]\nEarlier: the user asked to fix the build.'}]},
			{role: 'assistant', blocks: [{text: 'Fixed: the import path was wrong.\u2028Done.'}]},
		]);
		expect(messages[0].content[1]).toEqual({type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}});
		expect(read.info).toMatchObject({title: 'Fix the failing build', cwd, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString()});
	});

	it('keeps the calls of a recorded Gemini session as they were and its reasoning as text', async () => {
		const recorded = await loadRecordedSession('gemini');
		expect(recorded).toBeDefined();
		const result = await write(recorded!.session);
		const read = await readBack(result.nativePath, result.nativeId);
		const calls = (list: Message[]) => list.flatMap(entry => entry.content.filter(block => block.type === 'tool_use' || block.type === 'tool_result'));
		expect(calls(read.messages)).toEqual(calls(recorded!.session.messages.filter(entry => !entry.is_meta)));
		const prompts = read.messages.filter(entry => entry.role === 'user').map(entry => entry.content.map(block => (block.type === 'text' ? block.text : '')).join(''));
		expect(prompts).toEqual(recorded!.manifest.turns.map(turn => turn.prompt));
		expect(result.report.thinking).toBe('as_text');
		const texts = read.messages.flatMap(entry => entry.content.flatMap(block => (block.type === 'text' ? [block.text] : [])));
		expect(texts).toContain(`[Reasoning from gemini]\n${recorded!.manifest.turns[0].thinking}\n\n${recorded!.manifest.turns[0].text}`);
	});

	it('maps foreign shell, read, write and edit calls to Gemini tools and writes tool images as inline data', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: 'do things'}]),
			message('assistant', [
				{type: 'tool_use', tool_use_id: 't1', name: 'Bash', input: {command: 'make', description: 'Build'}},
				{type: 'tool_use', tool_use_id: 't2', name: 'Read', input: {file_path: '/w/shot.png'}},
				{type: 'tool_use', tool_use_id: 't3', name: 'Write', input: {file_path: '/w/b.txt', content: 'B'}},
				{type: 'tool_use', tool_use_id: 't4', name: 'Edit', input: {file_path: '/w/c.txt', old_string: 'x', new_string: 'y'}},
				{type: 'tool_use', tool_use_id: 't5', name: 'WebSearch', input: {query: 'q'}},
			]),
			message('user', [
				{type: 'tool_result', tool_use_id: 't1', content: 'built'},
				{type: 'tool_result', tool_use_id: 't2', content: ''},
				{type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}},
				{type: 'tool_result', tool_use_id: 't3', content: 'ok'},
				{type: 'tool_result', tool_use_id: 't4', content: 'ok'},
				{type: 'tool_result', tool_use_id: 't5', content: 'results'},
			]),
		]);
		const result = await write(session);
		const [model, after] = records(result.nativePath).filter(record => record.type === 'gemini');
		expect(model.content).toBe('');
		expect(model.toolCalls.map((call: {name: string; args: unknown}) => [call.name, call.args])).toEqual([
			['run_shell_command', {command: 'make', description: 'Build'}],
			['read_file', {file_path: '/w/shot.png'}],
			['write_file', {file_path: '/w/b.txt', content: 'B'}],
			['replace', {file_path: '/w/c.txt', old_string: 'x', new_string: 'y'}],
		]);
		expect(model.toolCalls[1].result[1]).toEqual({inlineData: {mimeType: 'image/png', data: PNG_BASE64}});
		// The unmappable call came after the others: its text follows their results in a message of its own.
		expect(after).toMatchObject({content: '[Tool call from claude-code: WebSearch]\n{"query":"q"}\n[Result]\nresults'});
		expect(after.toolCalls).toBeUndefined();
		expect(result.report).toMatchObject({tool_calls_mapped: 4, messages_converted: 2, images_kept: 1});
		const read = await readBack(result.nativePath, result.nativeId);
		expect(read.messages.flatMap(entry => entry.content).filter(block => block.type === 'image')).toHaveLength(1);
	});

	it('honours GEMINI_CLI_HOME and outDir, and never overwrites a chat file', async () => {
		const cliHome = path.join(home, 'gemini-cli-home');
		ctx = adapterContext(home, {GEMINI_CLI_HOME: cliHome});
		const first = await write(kitchenSinkSession());
		expect(first.nativePath.startsWith(path.join(cliHome, '.gemini', 'tmp', 'my-demo-app', 'chats') + path.sep)).toBe(true);
		expect(await geminiWriter.nativeExists(first.nativeId, ctx)).toBe(true);
		expect(await geminiWriter.nativeExists(first.nativeId, adapterContext(home))).toBe(false);

		const out = path.join(home, 'export');
		const exported = await write(kitchenSinkSession(), {outDir: out, model: 'gemini-2.5-pro'});
		expect(exported.nativePath.startsWith(path.join(out, 'tmp', 'my-demo-app', 'chats') + path.sep)).toBe(true);
		expect(registry(out)).toEqual({[cwd]: 'my-demo-app'});
		expect(records(exported.nativePath).filter(record => record.type === 'gemini').every(record => record.model === 'gemini-2.5-pro')).toBe(true);
		await expect(writeNewFile(exported.nativePath, 'x')).rejects.toMatchObject({code: 'CONFLICT'});
	});

	it('shields prompts Gemini skips on resume (starting with "/", "?" or its context tags) with a zero-width space', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: '/etc/hosts is broken'}]),
			message('assistant', [{type: 'text', text: 'Fixed.'}]),
			message('user', [{type: 'text', text: 'a normal prompt'}]),
			message('assistant', [{type: 'text', text: 'OK.'}]),
			message('user', [{type: 'text', text: '  <session_context>pasted</session_context>'}]),
		]);
		const result = await write(session);
		const prompts = records(result.nativePath).filter(record => record.type === 'user').map(record => record.content[0].text);
		expect(prompts).toEqual(['\u200B/etc/hosts is broken', 'a normal prompt', '\u200B  <session_context>pasted</session_context>']);
		expect(result.warnings).toContain('2 user prompts starting with "/", "?" or a Gemini context tag written after a zero-width space (Gemini leaves such prompts out when it resumes)');
	});

	it('builds the commands that resume the written id', () => {
		expect(geminiWriter.resumeCommand('abc', {})).toEqual(['gemini', '--resume', 'abc']);
		expect(geminiWriter.resumeCommand('abc', {model: 'gemini-2.5-pro'})).toEqual(['gemini', '--resume', 'abc', '--model', 'gemini-2.5-pro']);
		expect(geminiWriter.headlessResumeCommand('abc', 'go on', {})).toEqual(['gemini', '--resume', 'abc', '--prompt=go on']);
		expect(geminiWriter.headlessResumeCommand('abc', '-x', {model: 'm'})).toEqual(['gemini', '--resume', 'abc', '--model', 'm', '--prompt=-x']);
		expect(geminiWriter).toMatchObject({target: 'gemini', binary: 'gemini'});
		expect(geminiWriter.installHint).toContain('@google/gemini-cli');
		const pin = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'support', 'cli-versions.json'), 'utf8')) as Record<string, {version: string}>;
		expect(GEMINI_WRITER_VERSION).toBe(pin.gemini.version);
	});
});

describe('resolveGeminiProject (Gemini ProjectRegistry rules)', () => {
	it('slugifies like Gemini', () => {
		expect(geminiSlugify('My_Demo.App')).toBe('my-demo-app');
		expect(geminiSlugify('--Über  Projekt--')).toBe('ber-projekt');
		expect(geminiSlugify('___')).toBe('project');
	});

	it('reuses a registered slug and keeps the other entries', async () => {
		fs.mkdirSync(gemini(), {recursive: true});
		fs.writeFileSync(path.join(gemini(), 'projects.json'), JSON.stringify({projects: {'/other': 'other', [cwd]: 'custom-slug'}}));
		const project = await resolveGeminiProject(gemini(), cwd);
		expect(project.slug).toBe('custom-slug');
		expect(registry()).toEqual({'/other': 'other', [cwd]: 'custom-slug'});
		expect(project.files).toEqual([path.join(gemini(), 'tmp', 'custom-slug', '.project_root'), path.join(gemini(), 'history', 'custom-slug', '.project_root')]);
	});

	it('claims the next free suffix when the name is taken in the registry or on disk', async () => {
		fs.mkdirSync(path.join(gemini(), 'tmp', 'my-demo-app-1'), {recursive: true});
		fs.writeFileSync(path.join(gemini(), 'tmp', 'my-demo-app-1', '.project_root'), '/somewhere/else');
		fs.writeFileSync(path.join(gemini(), 'projects.json'), JSON.stringify({projects: {'/a/my-demo-app': 'my-demo-app'}}));
		const project = await resolveGeminiProject(gemini(), cwd);
		expect(project.slug).toBe('my-demo-app-2');
		expect(registry()).toEqual({'/a/my-demo-app': 'my-demo-app', [cwd]: 'my-demo-app-2'});
	});

	it('finds a directory this root already owns through its marker', async () => {
		fs.mkdirSync(path.join(gemini(), 'history', 'legacy-name'), {recursive: true});
		fs.writeFileSync(path.join(gemini(), 'history', 'legacy-name', '.project_root'), cwd);
		const project = await resolveGeminiProject(gemini(), cwd);
		expect(project.slug).toBe('legacy-name');
		expect(fs.readFileSync(path.join(gemini(), 'tmp', 'legacy-name', '.project_root'), 'utf8')).toBe(cwd);
	});

	it('drops a registered slug owned by another root, and resets a registry Gemini would reject', async () => {
		fs.mkdirSync(path.join(gemini(), 'tmp', 'stolen'), {recursive: true});
		fs.writeFileSync(path.join(gemini(), 'tmp', 'stolen', '.project_root'), '/not/me');
		fs.writeFileSync(path.join(gemini(), 'projects.json'), JSON.stringify({projects: {[cwd]: 'stolen'}}));
		expect((await resolveGeminiProject(gemini(), cwd)).slug).toBe('my-demo-app');
		expect(registry()).toEqual({[cwd]: 'my-demo-app'});

		// A value that is not a slug makes Gemini discard the whole registry; so does the writer (never writing one).
		fs.writeFileSync(path.join(gemini(), 'projects.json'), JSON.stringify({projects: {'/x': 'Bad_Slug'}}));
		expect((await resolveGeminiProject(gemini(), cwd)).slug).toBe('my-demo-app');
		expect(registry()).toEqual({[cwd]: 'my-demo-app'});
	});

	it('waits for the registry lock and takes over a stale one', async () => {
		fs.mkdirSync(gemini(), {recursive: true});
		fs.writeFileSync(path.join(gemini(), 'projects.json'), JSON.stringify({projects: {}}));
		const lock = path.join(gemini(), 'projects.json.lock');
		fs.mkdirSync(lock);
		const started = Date.now();
		setTimeout(() => fs.rmSync(lock, {recursive: true, force: true}), 300);
		expect((await resolveGeminiProject(gemini(), cwd)).slug).toBe('my-demo-app');
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);

		fs.mkdirSync(lock);
		const old = new Date(Date.now() - 60_000);
		fs.utimesSync(lock, old, old);
		expect((await resolveGeminiProject(gemini(), '/w/another')).slug).toBe('another');
		expect(fs.existsSync(lock)).toBe(false);
	});
});
