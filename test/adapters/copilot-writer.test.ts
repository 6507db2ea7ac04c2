import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {copilotAdapter} from '../../source/adapters/copilot.js';
import {parseWorkspaceYaml} from '../../source/adapters/copilot-discover.js';
import {COPILOT_WRITER_VERSION, copilotWriter} from '../../source/adapters/copilot-writer.js';
import type {AdapterContext} from '../../source/adapters/types.js';
import type {SfsError} from '../../source/engine/errors.js';
import type {Message, Session, ThinkingBlock} from '../../source/engine/types.js';
import {cliBinaryPath, cliCacheRoot, ensureClis} from '../support/real-clis.js';
import {createAjv} from '../support/schema.js';
import {adapterContext, canonicalSession, kitchenSinkSession, loadAllSessions, loadRecordedSession, message, PNG_BASE64} from '../support/resume-proof.js';
import {jsonlRecords, writerHomePerTest} from '../support/writer-home.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
const NOW = new Date('2026-11-25T12:00:00.000Z');
const cwd = '/work/demo-app';

let home: string;
let ctx: AdapterContext;
writerHomePerTest('copilot-writer', (created, context) => {
	home = created;
	ctx = context;
});

type Event = {type: string; data: Record<string, any>; id: string; timestamp: string; parentId: string | null};

function events(file: string): Event[] {
	return jsonlRecords<Event>(file);
}

async function write(session: Session, options: {outDir?: string; model?: string} = {}) {
	return copilotWriter.write(session, {cwd, now: NOW, fromSessionId: session.manifest.session_id, ...options}, ctx);
}

async function readBack(files: string[], nativeId: string): Promise<Message[]> {
	const read = await copilotAdapter.read({session: {tool: 'copilot', nativeId, files, growth: 'append'}}, ctx);
	expect(read.warnings).toEqual([]);
	expect(read.unknownRecords).toEqual({});
	return read.messages.filter(entry => !entry.is_meta);
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

/** The event schema the pinned Copilot CLI ships (unpacked into the shared cache on first run). */
function findEventSchema(): string | undefined {
	const pkg = path.join(cliCacheRoot(), 'xdg-cache-copilot', 'copilot', 'pkg');
	for (const platform of fs.existsSync(pkg) ? fs.readdirSync(pkg) : []) {
		const file = path.join(pkg, platform, COPILOT_WRITER_VERSION, 'schemas', 'session-events.schema.json');
		if (fs.existsSync(file)) return file;
	}

	return undefined;
}

let validateEvent: ((event: unknown) => boolean) & {errors?: Array<{instancePath: string; message?: string}> | null};

beforeAll(async () => {
	await ensureClis(['copilot']);
	if (!findEventSchema()) {
		const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-copilot-unpack-'));
		await execa(cliBinaryPath('copilot'), ['--version'], {env: {HOME: scratch, XDG_CACHE_HOME: path.join(cliCacheRoot(), 'xdg-cache-copilot'), PATH: process.env.PATH}, extendEnv: false, stdin: 'ignore', timeout: 120_000, reject: false});
		fs.rmSync(scratch, {recursive: true, force: true});
	}

	const schemaFile = findEventSchema();
	expect(schemaFile, 'the Copilot CLI did not unpack its session-events schema').toBeDefined();
	const ajv = createAjv('07');
	validateEvent = ajv.compile(JSON.parse(fs.readFileSync(schemaFile!, 'utf8')) as Record<string, unknown>);
	// The schema is strict: an unknown data field or a missing required one is refused.
	const start = {type: 'session.start', data: {sessionId: 's', version: 1, producer: 'copilot-agent', copilotVersion: '1', startTime: NOW.toISOString()}, id: '00000000-0000-4000-8000-000000000000', timestamp: NOW.toISOString(), parentId: null};
	expect(validateEvent(start)).toBe(true);
	expect(validateEvent({...start, data: {...start.data, sfs: 'x'}})).toBe(false);
	expect(validateEvent({...start, type: 'user.message', data: {}})).toBe(false);
}, 300_000);

describe('copilotWriter.write', () => {
	it('writes session-state/<uuid>/events.jsonl and workspace.yaml in the store', async () => {
		const result = await write(kitchenSinkSession());
		const dir = path.join(home, '.copilot', 'session-state', result.nativeId);
		expect(result.nativeId).toMatch(UUID);
		expect(result.nativePath).toBe(path.join(dir, 'events.jsonl'));
		expect(result.files).toEqual([path.join(dir, 'events.jsonl'), path.join(dir, 'workspace.yaml')]);
		const workspace = parseWorkspaceYaml(fs.readFileSync(path.join(dir, 'workspace.yaml'), 'utf8'));
		expect(workspace).toMatchObject({id: result.nativeId, cwd, client_name: 'github/cli', name: 'Fix the failing build', user_named: false, created_at: NOW.toISOString()});
		expect(await copilotWriter.nativeExists(result.nativeId, ctx)).toBe(true);
		expect(await copilotWriter.nativeExists('00000000-0000-4000-8000-000000000000', ctx)).toBe(false);
	});

	it('writes only events the real CLI schema accepts, chained by UUID ids with offset timestamps', async () => {
		const result = await write(kitchenSinkSession());
		const log = events(result.nativePath);
		const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'support', 'cli-versions.json'), 'utf8')) as Record<string, {version: string}>;
		expect(COPILOT_WRITER_VERSION).toBe(pin.copilot.version);
		expect(log[0]).toMatchObject({type: 'session.start', parentId: null, data: {sessionId: result.nativeId, version: 1, producer: 'copilot-agent', copilotVersion: COPILOT_WRITER_VERSION, startTime: NOW.toISOString(), context: {cwd}}});
		const ids = new Set<string>();
		log.forEach((event, index) => {
			const valid = validateEvent(event);
			expect(valid, `${event.type}: ${JSON.stringify(validateEvent.errors?.slice(0, 3))}`).toBe(true);
			expect(event.id).toMatch(UUID);
			expect(ids.has(event.id)).toBe(false);
			ids.add(event.id);
			if (index > 0) expect(event.parentId).toBe(log[index - 1].id);
			expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/);
		});
		// A foreign model name (gpt-5-codex) is not offered to Copilot.
		expect(log.some(event => 'model' in event.data)).toBe(false);
		expect(new Set(log.map(event => event.type))).toEqual(new Set(['session.start', 'user.message', 'assistant.turn_start', 'assistant.message', 'tool.execution_start', 'tool.execution_complete', 'assistant.turn_end']));
		// Every requested tool call is executed and completed, in order.
		const requested = log.filter(event => event.type === 'assistant.message').flatMap(event => event.data.toolRequests.map((request: {toolCallId: string}) => request.toolCallId));
		const completed = log.filter(event => event.type === 'tool.execution_complete').map(event => event.data.toolCallId);
		expect(completed).toEqual(requested);
		expect(requested).toEqual(['call_ls', 'toolu_sfs0001']);
		expect(fs.readFileSync(result.nativePath, 'utf8')).toContain(String.raw`\u2028`);
	});

	it('reports what it kept, converted and dropped', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.report).toEqual({messages_kept: 4, messages_converted: 7, messages_dropped: 4, tool_calls_mapped: 2, thinking: 'as_text', images_kept: 1});
		expect(result.warnings.join('\n')).toContain('sub-agent');
	});

	it('round-trips through the capture adapter', async () => {
		const result = await write(kitchenSinkSession());
		const messages = await readBack(result.files, result.nativeId);
		expect(shape(messages)).toEqual([
			{role: 'user', blocks: [{text: 'The build fails, please fix it.\n\n[image: /tmp/screenshot.png]'}, {image: 'base64'}]},
			{
				role: 'assistant',
				blocks: [{text: '[Reasoning from codex]\nI should look at the files first.\n\nListing the files.'}, {call: 'bash', id: 'call_ls', input: {command: 'ls -la', description: 'Run a shell command'}}],
			},
			{role: 'tool', blocks: [{result: 'call_ls', content: 'main.ts\npackage.json'}]},
			{
				role: 'assistant',
				blocks: [
					{text: '[Tool call from codex: apply_patch]\n{"input":"*** Begin Patch\\n*** End Patch"}\n[Result]\nSuccess. Updated 1 file.'},
					{call: 'bash', id: 'toolu_sfs0001', input: {command: 'npm test', description: 'Run a shell command'}},
				],
			},
			{role: 'tool', blocks: [{result: 'toolu_sfs0001', content: '(no result was recorded for this call)', error: true}]},
			{role: 'user', blocks: [{text: '[Tool result call_orphan (error)]\nstray output\n\n[Summary of the earlier conversation]\nEarlier: the user asked to fix the build.'}]},
			{role: 'assistant', blocks: [{text: 'Fixed: the import path was wrong.\u2028Done.'}]},
		]);
		expect(messages[0].content[1]).toEqual({type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}});
		const read = await copilotAdapter.read({session: {tool: 'copilot', nativeId: result.nativeId, files: result.files, growth: 'append'}}, ctx);
		expect(read.info).toMatchObject({title: 'Fix the failing build', cwd, toolVersion: COPILOT_WRITER_VERSION});
	});

	it('keeps the calls of a recorded Copilot session as they were', async () => {
		const recorded = await loadRecordedSession('copilot');
		expect(recorded).toBeDefined();
		const result = await write(recorded!.session);
		const messages = await readBack(result.files, result.nativeId);
		const calls = (list: Message[]) => list.flatMap(entry => entry.content.filter(block => block.type === 'tool_use' || block.type === 'tool_result'));
		expect(calls(messages)).toEqual(calls(recorded!.session.messages.filter(entry => !entry.is_meta)).map(block => (block.type === 'tool_result' ? {type: 'tool_result', tool_use_id: block.tool_use_id, content: block.content} : block)));
		const prompts = (list: Message[]) => list.filter(entry => entry.role === 'user').map(entry => entry.content.map(block => (block.type === 'text' ? block.text : '')).join(''));
		expect(prompts(messages)).toEqual(recorded!.manifest.turns.map(turn => turn.prompt));
		// Its reasoning is kept with the provider-bound blocks Copilot replays it from.
		expect(result.report.thinking).toBe('kept');
		const thoughts = (list: Message[]) => list.flatMap(entry => entry.content.filter((block): block is ThinkingBlock => block.type === 'thinking').map(block => [block.text, block.signature]));
		expect(thoughts(messages)).toEqual(thoughts(recorded!.session.messages));
		expect(thoughts(messages)).toHaveLength(2);
		const stored = events(result.nativePath).filter(event => event.type === 'assistant.message' && event.data.reasoningBlocks);
		expect(stored.map(event => event.data.reasoningBlocks.provider)).toEqual(['anthropic-messages', 'anthropic-messages']);
	});

	it('maps foreign shell, read, write and edit calls to Copilot tools', async () => {
		const session = canonicalSession('gemini', [
			message('user', [{type: 'text', text: 'do things'}]),
			message('assistant', [
				{type: 'tool_use', tool_use_id: 'g1', name: 'run_shell_command', input: {command: 'make'}},
				{type: 'tool_use', tool_use_id: 'g2', name: 'read_file', input: {absolute_path: '/w/a.txt'}},
				{type: 'tool_use', tool_use_id: 'g3', name: 'write_file', input: {file_path: '/w/b.txt', content: 'B'}},
				{type: 'tool_use', tool_use_id: 'g4', name: 'replace', input: {file_path: '/w/c.txt', old_string: 'x', new_string: 'y'}},
				{type: 'tool_use', tool_use_id: 'g5', name: 'google_web_search', input: {query: 'q'}},
			]),
			message('tool', [
				{type: 'tool_result', tool_use_id: 'g1', content: 'built'},
				{type: 'tool_result', tool_use_id: 'g2', content: 'A'},
				{type: 'tool_result', tool_use_id: 'g3', content: 'ok'},
				{type: 'tool_result', tool_use_id: 'g4', content: 'ok'},
				{type: 'tool_result', tool_use_id: 'g5', content: 'results'},
			]),
		]);
		const result = await write(session);
		const requests = events(result.nativePath).find(event => event.type === 'assistant.message')!.data.toolRequests as Array<{name: string; arguments: unknown}>;
		expect(requests.map(request => [request.name, request.arguments])).toEqual([
			['bash', {command: 'make', description: 'Run a shell command'}],
			['view', {path: '/w/a.txt'}],
			['create', {path: '/w/b.txt', file_text: 'B'}],
			['edit', {path: '/w/c.txt', old_str: 'x', new_str: 'y'}],
		]);
		expect(events(result.nativePath).find(event => event.type === 'assistant.message')!.data.content).toBe('[Tool call from gemini: google_web_search]\n{"query":"q"}\n[Result]\nresults');
		expect(result.report.tool_calls_mapped).toBe(4);
		expect(result.report.messages_converted).toBe(2);
	});

	it('says so when an image a tool returned cannot be written', async () => {
		const session = canonicalSession('cline', [
			message('user', [{type: 'text', text: 'take a screenshot'}]),
			message('assistant', [{type: 'tool_use', tool_use_id: 'shot', name: 'execute_command', input: {command: 'screenshot'}}]),
			message('tool', [{type: 'tool_result', tool_use_id: 'shot', content: 'saved'}, {type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}}]),
		]);
		const result = await write(session);
		expect(result.report.images_kept).toBe(0);
		expect(result.warnings.join('\n')).toContain('image(s) in its result not written');
		expect(fs.readFileSync(result.nativePath, 'utf8')).not.toContain(PNG_BASE64);
		const complete = events(result.nativePath).find(event => event.type === 'tool.execution_complete')!;
		expect(complete.data).toMatchObject({toolCallId: 'shot', success: true, result: {content: 'saved'}});
	});

	it('honours COPILOT_HOME and outDir, and never writes into an existing session directory', async () => {
		const copilotHome = path.join(home, 'copilot-home');
		ctx = adapterContext(home, {COPILOT_HOME: copilotHome});
		const first = await write(kitchenSinkSession());
		expect(first.nativePath).toBe(path.join(copilotHome, 'session-state', first.nativeId, 'events.jsonl'));
		expect(await copilotWriter.nativeExists(first.nativeId, ctx)).toBe(true);
		expect(await copilotWriter.nativeExists(first.nativeId, adapterContext(home))).toBe(false);

		const out = path.join(home, 'export');
		const exported = await write(kitchenSinkSession(), {outDir: out, model: 'gpt-5'});
		expect(exported.nativePath).toBe(path.join(out, 'session-state', exported.nativeId, 'events.jsonl'));
		expect(events(exported.nativePath)[0].data.selectedModel).toBe('gpt-5');

		const {makeNewDirectory} = await import('../../source/adapters/writer-files.js');
		await expect(makeNewDirectory(path.dirname(first.nativePath))).rejects.toMatchObject({code: 'CONFLICT'});
	});

	it('builds the commands that resume the written id', () => {
		expect(copilotWriter.resumeCommand('abc', {})).toEqual(['copilot', '--resume=abc']);
		expect(copilotWriter.resumeCommand('abc', {model: 'gpt-5'})).toEqual(['copilot', '--resume=abc', '--model', 'gpt-5']);
		expect(copilotWriter.headlessResumeCommand('abc', 'go on', {})).toEqual(['copilot', '--resume=abc', '-p', 'go on']);
		expect(copilotWriter.headlessResumeCommand('abc', '-x', {model: 'gpt-5'})).toEqual(['copilot', '--resume=abc', '--model', 'gpt-5', '-p', '-x']);
		expect(copilotWriter).toMatchObject({target: 'copilot', binary: 'copilot'});
		expect(copilotWriter.installHint).toContain('@github/copilot');
	});
});

describe('copilotWriter on every captured fixture and recording', () => {
	it('writes a schema-valid, paired event log for each session, and accounts for every message', async () => {
		const all = await loadAllSessions();
		expect(all.length).toBeGreaterThan(20);
		let written = 0;
		for (const {label, session} of all) {
			let result;
			try {
				// eslint-disable-next-line no-await-in-loop
				result = await write(session);
			} catch (error) {
				expect((error as SfsError).code, `${label}: ${String(error)}`).toBe('INVALID_SESSION');
				continue;
			}

			written++;
			const log = events(result.nativePath);
			expect(log[0].type).toBe('session.start');
			const pending = new Set<string>();
			log.forEach((event, index) => {
				expect(validateEvent(event), `${label} ${event.type}: ${JSON.stringify(validateEvent.errors?.slice(0, 2))}`).toBe(true);
				if (index > 0) expect(event.parentId).toBe(log[index - 1].id);
				if (event.type === 'assistant.message') for (const request of event.data.toolRequests as Array<{toolCallId: string}>) pending.add(request.toolCallId);
				if (event.type === 'tool.execution_complete') {
					expect(pending.has(event.data.toolCallId as string), `${label}: orphan completion`).toBe(true);
					pending.delete(event.data.toolCallId as string);
				}

				if (event.type === 'user.message' || event.type === 'assistant.turn_start') expect([...pending], label).toEqual([]);
			});
			expect([...pending], label).toEqual([]);
			const {messages_kept: kept, messages_converted: converted, messages_dropped: dropped} = result.report;
			expect(kept + converted + dropped, label).toBe(session.messages.length);
			// eslint-disable-next-line no-await-in-loop
			const back = await copilotAdapter.read({session: {tool: 'copilot', nativeId: result.nativeId, files: result.files, growth: 'append'}}, ctx);
			expect(back.warnings, label).toEqual([]);
			expect(back.unknownRecords, label).toEqual({});
		}

		expect(written).toBeGreaterThan(all.length - 5);
	}, 60_000);
});
