import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {claudeCodeAdapter} from '../../source/adapters/claude-code.js';
import {CLAUDE_WRITER_VERSION, claudeCodeWriter, claudeProjectDirName} from '../../source/adapters/claude-code-writer.js';
import type {AdapterContext} from '../../source/adapters/types.js';
import {SfsError} from '../../source/engine/errors.js';
import type {Message, Session} from '../../source/engine/types.js';
import {adapterContext, canonicalSession, kitchenSinkSession, loadAllSessions, loadRecordedSession, message, PNG_BASE64} from '../support/resume-proof.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
const NOW = new Date('2026-11-25T12:00:00.000Z');

let home: string;
let ctx: AdapterContext;
const cwd = '/work/demo_app.v2';

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-claude-writer-'));
	ctx = adapterContext(home);
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

type Line = Record<string, any>;

function lines(file: string): Line[] {
	const text = fs.readFileSync(file, 'utf8');
	expect(text.endsWith('\n')).toBe(true);
	return text.trimEnd().split('\n').map(line => JSON.parse(line) as Line);
}

async function write(session: Session, options: {outDir?: string; model?: string} = {}) {
	return claudeCodeWriter.write(session, {cwd, now: NOW, fromSessionId: session.manifest.session_id, ...options}, ctx);
}

async function readBack(file: string, nativeId: string): Promise<Message[]> {
	const read = await claudeCodeAdapter.read({session: {tool: 'claude-code', nativeId, files: [file], growth: 'append'}}, ctx);
	expect(read.warnings).toEqual([]);
	expect(read.unknownRecords).toEqual({});
	return read.messages.filter(entry => !entry.is_meta && entry.content.some(block => block.type !== 'native_record'));
}

/** Role and blocks, reduced to what must survive a round trip. */
function shape(messages: Message[]): unknown[] {
	return messages.map(entry => ({
		role: entry.role,
		blocks: entry.content.map(block => {
			switch (block.type) {
				case 'text': {
					return {text: block.text};
				}

				case 'tool_use': {
					return {call: block.name, id: block.tool_use_id, input: block.input};
				}

				case 'tool_result': {
					return {result: block.tool_use_id, content: block.content, ...(block.is_error ? {error: true} : {})};
				}

				case 'thinking': {
					return {thinking: block.text, signature: block.signature};
				}

				case 'image': {
					return {image: (block.source as {type: string}).type};
				}

				default: {
					return {other: block.type};
				}
			}
		}),
	}));
}

/** The rules Claude Code's loader and the API hold a transcript to; returns the user/assistant chain. */
function expectValidTranscript(file: string): Line[] {
	const records = lines(file);
	const chain = records.filter(record => record.type === 'user' || record.type === 'assistant');
	expect(chain[0]).toMatchObject({type: 'user', parentUuid: null});
	const open = new Set<string>();
	let previous: Line | undefined;
	for (const record of chain) {
		if (previous) expect(record.parentUuid).toBe(previous.uuid);
		const content = Array.isArray(record.message.content) ? (record.message.content as Line[]) : [];
		if (record.type === 'assistant') {
			// A new API response may only start once every call of the previous one is answered.
			if (previous?.type !== 'assistant' || previous.message.id !== record.message.id) expect([...open]).toEqual([]);
			for (const block of content) {
				expect(['text', 'thinking', 'tool_use']).toContain(block.type);
				if (block.type === 'tool_use') {
					expect(block.id).toMatch(/^[\w-]+$/);
					open.add(block.id as string);
				}
			}
		} else {
			const results = content.filter(block => block.type === 'tool_result');
			for (const block of results) {
				expect(open.has(block.tool_use_id as string), `orphan tool_result ${String(block.tool_use_id)}`).toBe(true);
				open.delete(block.tool_use_id as string);
			}

			if (results.length === 0) expect([...open]).toEqual([]);
			for (const block of content) if (block.type === 'image') expect(block.source.type).toBe('base64');
		}

		previous = record;
	}

	expect([...open]).toEqual([]);
	return chain;
}

describe('claudeProjectDirName (sanitizePath)', () => {
	it('replaces every non-alphanumeric UTF-16 unit with a dash and keeps case', () => {
		expect(claudeProjectDirName('/home/user/project')).toBe('-home-user-project');
		expect(claudeProjectDirName('/Users/me/.agents')).toBe('-Users-me--agents');
		expect(claudeProjectDirName('C:\\Users\\me\\proj')).toBe('C--Users-me-proj');
		expect(claudeProjectDirName('/tmp/my_project v2')).toBe('-tmp-my-project-v2');
		expect(claudeProjectDirName('/tmp/😀')).toBe('-tmp---');
	});

	it('cuts names over 200 characters and appends a base-36 hash of the whole path', () => {
		const long = `/home/user/${'deep/'.repeat(60)}end`;
		const name = claudeProjectDirName(long);
		expect(name.startsWith(long.replaceAll(/[^a-zA-Z\d]/g, '-').slice(0, 200) + '-')).toBe(true);
		expect(name.slice(201)).toMatch(/^[\da-z]+$/);
		expect(claudeProjectDirName(long + 'x')).not.toBe(name);
		expect(claudeProjectDirName('/a'.repeat(100))).toBe('-a'.repeat(100));
	});
});

describe('claudeCodeWriter.write', () => {
	it('writes a new transcript under the sanitized cwd with a proper record chain', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.nativeId).toMatch(UUID);
		expect(result.nativePath).toBe(path.join(home, '.claude', 'projects', '-work-demo-app-v2', `${result.nativeId}.jsonl`));
		expect(result.files).toEqual([result.nativePath]);
		expect(fs.statSync(result.nativePath).mode & 0o777).toBe(0o600);

		const records = lines(result.nativePath);
		const chain = records.filter(record => record.type === 'user' || record.type === 'assistant');
		expect(chain[0]).toMatchObject({type: 'user', parentUuid: null});
		const pin = JSON.parse(fs.readFileSync(path.join(here, '..', 'support', 'cli-versions.json'), 'utf8')) as Record<string, {version: string}>;
		expect(CLAUDE_WRITER_VERSION).toBe(pin['claude-code'].version);
		const seen = new Set<string>();
		chain.forEach((record, index) => {
			expect(record.uuid).toMatch(UUID);
			expect(seen.has(record.uuid)).toBe(false);
			seen.add(record.uuid);
			if (index > 0) expect(record.parentUuid).toBe(chain[index - 1].uuid);
			expect(record).toMatchObject({sessionId: result.nativeId, cwd, isSidechain: false, userType: 'external', entrypoint: 'cli', version: CLAUDE_WRITER_VERSION, gitBranch: 'HEAD'});
			expect(Number.isNaN(Date.parse(record.timestamp))).toBe(false);
			if (index > 0) expect(Date.parse(record.timestamp)).toBeGreaterThanOrEqual(Date.parse(chain[index - 1].timestamp));
		});
		expect(chain[0].sfs).toMatchObject({fromSessionId: 'sfs-test-codex', sourceTool: 'codex', throughMsgId: 'm015'});

		for (const record of chain.filter(record => record.type === 'assistant')) {
			expect(record.message).toMatchObject({type: 'message', role: 'assistant', stop_sequence: null});
			expect(record.message.id).toMatch(/^msg_[A-Za-z\d]{24}$/);
			expect(record.requestId).toMatch(/^req_[A-Za-z\d]{24}$/);
			expect(record.message.content).toHaveLength(1);
			expect(record.message.usage).toMatchObject({input_tokens: 0, output_tokens: 0});
			// Foreign model names are not written as Claude models.
			expect(record.message.model).toBe('claude-sonnet-4-5');
			expect(['tool_use', 'end_turn']).toContain(record.message.stop_reason);
		}

		expect(records.at(-2)).toEqual({type: 'custom-title', customTitle: 'Fix the failing build', sessionId: result.nativeId});
		expect(records.at(-1)).toMatchObject({type: 'last-prompt', leafUuid: chain.at(-1)!.uuid, sessionId: result.nativeId});
		// U+2028 is escaped in the file (line-based readers split on it).
		expect(fs.readFileSync(result.nativePath, 'utf8')).toContain(String.raw`\u2028`);
	});

	it('answers every tool_use with a tool_result right after its turn and writes no orphan result', async () => {
		const result = await write(kitchenSinkSession());
		const chain = expectValidTranscript(result.nativePath);
		const answered = new Set(chain.flatMap(record => (record.type === 'user' && Array.isArray(record.message.content) ? record.message.content.filter((block: Line) => block.type === 'tool_result').map((block: Line) => block.tool_use_id as string) : [])));
		expect([...answered].sort()).toEqual(['call_ls', 'toolu_sfs0001']);
		const bash = chain.find(record => record.type === 'user' && record.message.content[0]?.tool_use_id === 'call_ls');
		expect(bash?.toolUseResult).toMatchObject({stdout: 'main.ts\npackage.json', interrupted: false});
		expect(bash?.sourceToolAssistantUUID).toBe(chain.find(record => record.message.content[0]?.id === 'call_ls')?.uuid);
	});

	it('reports what it kept, converted and dropped', async () => {
		const result = await write(kitchenSinkSession());
		expect(result.report).toEqual({messages_kept: 4, messages_converted: 7, messages_dropped: 4, tool_calls_mapped: 2, thinking: 'as_text', images_kept: 1});
		expect(result.warnings).toEqual(
			expect.arrayContaining([
				expect.stringContaining('call lost (shell) had no result'),
				expect.stringContaining('sub-agent'),
				expect.stringContaining('native record'),
				expect.stringContaining('developer message of codex'),
				expect.stringContaining('harness-generated'),
				expect.stringContaining('reasoning block from codex written as plain text'),
			]),
		);
	});

	it('round-trips through the capture adapter: same conversation, foreign calls as Claude tools or text', async () => {
		const result = await write(kitchenSinkSession());
		const messages = await readBack(result.nativePath, result.nativeId);
		expect(shape(messages)).toEqual([
			{role: 'user', blocks: [{text: 'The build fails, please fix it.'}, {image: 'base64'}, {text: '[image: /tmp/screenshot.png]'}]},
			{role: 'assistant', blocks: [{text: '[Reasoning from codex]\nI should look at the files first.'}]},
			{role: 'assistant', blocks: [{text: 'Listing the files.'}]},
			{role: 'assistant', blocks: [{call: 'Bash', id: 'call_ls', input: {command: 'ls -la'}}]},
			{role: 'tool', blocks: [{result: 'call_ls', content: 'main.ts\npackage.json'}]},
			{role: 'assistant', blocks: [{text: '[Tool call from codex: apply_patch]\n{"input":"*** Begin Patch\\n*** End Patch"}\n[Result]\nSuccess. Updated 1 file.'}]},
			{role: 'assistant', blocks: [{call: 'Bash', id: 'toolu_sfs0001', input: {command: 'npm test'}}]},
			{role: 'tool', blocks: [{result: 'toolu_sfs0001', content: '(no result was recorded for this call)', error: true}]},
			// A text-only user turn is one string, as Claude writes prompts.
			{role: 'user', blocks: [{text: '[Tool result call_orphan (error)]\nstray output\n\n[Summary of the earlier conversation]\nEarlier: the user asked to fix the build.'}]},
			{role: 'assistant', blocks: [{text: 'Fixed: the import path was wrong.\u2028Done.'}]},
		]);
		// Re-capture can tell this session was written by sfs, and from what.
		expect((messages[0].metadata?.envelope as Record<string, unknown>).sfs).toEqual({fromSessionId: 'sfs-test-codex', throughMsgId: 'm015', sourceTool: 'codex'});
		const image = messages[0].content[1];
		expect(image).toEqual({type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}});
		const read = await claudeCodeAdapter.read({session: {tool: 'claude-code', nativeId: result.nativeId, files: [result.nativePath], growth: 'append'}}, ctx);
		expect(read.info).toMatchObject({title: 'Fix the failing build', cwd, interface: 'cli', headless: false, toolVersion: CLAUDE_WRITER_VERSION});
	});

	it('keeps signed thinking and the original calls of a Claude Code session', async () => {
		const recorded = await loadRecordedSession('claude-code');
		expect(recorded).toBeDefined();
		const result = await write(recorded!.session);
		expect(result.report.thinking).toBe('kept');
		const messages = await readBack(result.nativePath, result.nativeId);
		const original = recorded!.session.messages.filter(entry => !entry.is_meta && !entry.is_sidechain && ['user', 'assistant', 'tool'].includes(entry.role));
		expect(shape(messages)).toEqual(shape(original));
		expect(messages.some(entry => entry.content.some(block => block.type === 'thinking' && typeof block.signature === 'string' && block.signature.length > 0))).toBe(true);
	});

	it('turns unsigned or foreign thinking into text even from Claude Code', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: 'hi'}]),
			message('assistant', [{type: 'thinking', text: 'unsigned thought', signature: null}, {type: 'thinking', text: '', redacted: true}, {type: 'text', text: 'hello'}], {model: 'claude-opus-4-6'}),
		]);
		const result = await write(session);
		expect(result.report.thinking).toBe('as_text');
		const texts = (await readBack(result.nativePath, result.nativeId)).flatMap(entry => entry.content.map(block => (block.type === 'text' ? block.text : block.type)));
		expect(texts).toEqual(['hi', '[Reasoning from claude-code]\nunsigned thought', 'hello']);
		const assistant = lines(result.nativePath).find(record => record.type === 'assistant');
		expect(assistant?.message.model).toBe('claude-opus-4-6');
	});

	it('gives each call its own result when a tool reuses call ids across turns', async () => {
		const session = canonicalSession('gemini', [
			message('user', [{type: 'text', text: 'list twice'}]),
			message('assistant', [{type: 'tool_use', tool_use_id: 'run_shell_command_1', name: 'run_shell_command', input: {command: 'ls a'}}]),
			message('tool', [{type: 'tool_result', tool_use_id: 'run_shell_command_1', content: 'first'}]),
			message('assistant', [{type: 'tool_use', tool_use_id: 'run_shell_command_1', name: 'run_shell_command', input: {command: 'ls b'}}]),
			message('tool', [{type: 'tool_result', tool_use_id: 'run_shell_command_1', content: 'second'}]),
		]);
		const result = await write(session);
		const chain = expectValidTranscript(result.nativePath);
		const pairs = chain.filter(record => record.type === 'user' && record.message.content[0]?.type === 'tool_result').map(record => record.message.content[0]);
		expect(pairs.map((block: Line) => [block.tool_use_id, block.content])).toEqual([
			['run_shell_command_1', 'first'],
			['toolu_sfs0001', 'second'],
		]);
		expect(result.report).toMatchObject({messages_kept: 5, messages_dropped: 0, tool_calls_mapped: 2});
	});

	it('writes an image a tool returned inside its tool_result, once', async () => {
		const session = canonicalSession('cline', [
			message('user', [{type: 'text', text: 'take a screenshot'}]),
			message('assistant', [{type: 'tool_use', tool_use_id: 'shot', name: 'execute_command', input: {command: 'screenshot'}}]),
			message('tool', [{type: 'tool_result', tool_use_id: 'shot', content: 'saved'}, {type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}}]),
		]);
		const result = await write(session);
		expect(result.report.images_kept).toBe(1);
		const chain = expectValidTranscript(result.nativePath);
		expect(chain.at(-1)!.message.content).toEqual([
			{tool_use_id: 'shot', type: 'tool_result', content: [{type: 'text', text: 'saved'}, {type: 'image', source: {type: 'base64', media_type: 'image/png', data: PNG_BASE64}}], is_error: false},
		]);
		expect(chain.filter(record => JSON.stringify(record).includes(PNG_BASE64))).toHaveLength(1);
	});

	it('starts with a user record even when the source starts with the assistant', async () => {
		const session = canonicalSession('cursor', [message('assistant', [{type: 'text', text: 'I was here first.'}])]);
		const result = await write(session);
		const chain = lines(result.nativePath).filter(record => record.type === 'user' || record.type === 'assistant');
		expect(chain.map(record => record.type)).toEqual(['user', 'assistant']);
		expect(chain[0].message.content).toContain('first user message was not recorded');
	});

	it('writes only the live branch of a rewound session', async () => {
		const root = message('user', [{type: 'text', text: 'question'}], {parent_msg_id: null});
		const dead = message('assistant', [{type: 'text', text: 'abandoned answer'}], {parent_msg_id: root.msg_id});
		const live = message('assistant', [{type: 'text', text: 'final answer'}], {parent_msg_id: root.msg_id});
		const result = await write(canonicalSession('claude-code', [root, dead, live]));
		expect(shape(await readBack(result.nativePath, result.nativeId))).toEqual([
			{role: 'user', blocks: [{text: 'question'}]},
			{role: 'assistant', blocks: [{text: 'final answer'}]},
		]);
		expect(result.report.messages_dropped).toBe(1);
		expect(result.warnings.join('\n')).toContain('not on the live branch');
	});

	it('writes a sub-agent transcript captured as its own session as the main conversation', async () => {
		const prompt = message('user', [{type: 'text', text: 'Survey src/jobs.'}], {is_sidechain: true, agent_id: 'a1', parent_msg_id: null});
		const session = canonicalSession('claude-code', [prompt, message('assistant', [{type: 'text', text: 'Three jobs.'}], {is_sidechain: true, agent_id: 'a1', parent_msg_id: prompt.msg_id})]);
		const result = await write(session);
		expect(shape(await readBack(result.nativePath, result.nativeId))).toEqual([
			{role: 'user', blocks: [{text: 'Survey src/jobs.'}]},
			{role: 'assistant', blocks: [{text: 'Three jobs.'}]},
		]);
		expect(result.report).toMatchObject({messages_kept: 2, messages_dropped: 0});
		expect(result.warnings).toContain('sub-agent transcript: its own conversation is written as the main conversation');
	});

	it('refuses a session with nothing to write', async () => {
		const session = canonicalSession('codex', [message('system', [{type: 'native_record', record: {type: 'x'}}])]);
		await expect(write(session)).rejects.toMatchObject({code: 'INVALID_SESSION'});
		expect(fs.existsSync(path.join(home, '.claude', 'projects'))).toBe(false);
	});

	it('honours CLAUDE_CONFIG_DIR, outDir and never overwrites a file', async () => {
		const config = path.join(home, 'custom-claude');
		ctx = adapterContext(home, {CLAUDE_CONFIG_DIR: `${config},/elsewhere`});
		const first = await write(kitchenSinkSession());
		expect(first.nativePath.startsWith(path.join(config, 'projects', '-work-demo-app-v2') + path.sep)).toBe(true);
		expect(await claudeCodeWriter.nativeExists(first.nativeId, ctx)).toBe(true);
		expect(await claudeCodeWriter.nativeExists(first.nativeId, adapterContext(home))).toBe(false);
		expect(await claudeCodeWriter.nativeExists('../etc', ctx)).toBe(false);

		const out = path.join(home, 'export');
		const exported = await write(kitchenSinkSession(), {outDir: out});
		expect(exported.nativePath).toBe(path.join(out, 'projects', '-work-demo-app-v2', `${exported.nativeId}.jsonl`));
		expect(exported.nativeId).not.toBe(first.nativeId);

		// A second writer racing for the same file loses instead of clobbering it.
		const {writeNewFile} = await import('../../source/adapters/writer-files.js');
		const before = fs.readFileSync(first.nativePath, 'utf8');
		const error = await writeNewFile(first.nativePath, 'x').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(SfsError);
		expect((error as SfsError).code).toBe('CONFLICT');
		expect(fs.readFileSync(first.nativePath, 'utf8')).toBe(before);
	});

	it('writes under the real path of a symlinked cwd, where claude looks it up', async () => {
		const real = fs.mkdirSync(path.join(home, 'real', 'proj'), {recursive: true})!;
		const link = path.join(home, 'link');
		fs.symlinkSync(real, link);
		const result = await claudeCodeWriter.write(kitchenSinkSession(), {cwd: link, now: NOW, fromSessionId: 'x'}, ctx);
		const resolved = fs.realpathSync(real);
		expect(path.basename(path.dirname(result.nativePath))).toBe(claudeProjectDirName(resolved));
		expect(lines(result.nativePath)[0].cwd).toBe(resolved);
		expect(result.warnings.join('\n')).toContain('real path');
	});

	it('builds the commands that resume the written id', () => {
		expect(claudeCodeWriter.resumeCommand('abc', {})).toEqual(['claude', '--resume', 'abc']);
		expect(claudeCodeWriter.resumeCommand('abc', {model: 'opus'})).toEqual(['claude', '--resume', 'abc', '--model', 'opus']);
		expect(claudeCodeWriter.headlessResumeCommand('abc', 'go on', {})).toEqual(['claude', '-p', '--resume', 'abc', 'go on']);
		expect(claudeCodeWriter.headlessResumeCommand('abc', 'go on', {model: 'opus'})).toEqual(['claude', '-p', '--resume', 'abc', '--model', 'opus', 'go on']);
		expect(claudeCodeWriter).toMatchObject({target: 'claude-code', binary: 'claude'});
		expect(claudeCodeWriter.installHint).toContain('@anthropic-ai/claude-code');
	});
});

describe('claudeCodeWriter on every captured fixture and recording', () => {
	it('writes a valid transcript for each session, and accounts for every message', async () => {
		const all = await loadAllSessions();
		expect(all.length).toBeGreaterThan(20);
		let written = 0;
		for (const {label, session} of all) {
			let result;
			try {
				// eslint-disable-next-line no-await-in-loop
				result = await write(session);
			} catch (error) {
				// Only a session without any conversation may be refused.
				expect((error as SfsError).code, `${label}: ${String(error)}`).toBe('INVALID_SESSION');
				continue;
			}

			written++;
			expectValidTranscript(result.nativePath);
			const {messages_kept: kept, messages_converted: converted, messages_dropped: dropped} = result.report;
			expect(kept + converted + dropped, label).toBe(session.messages.length);
			// eslint-disable-next-line no-await-in-loop
			const back = await claudeCodeAdapter.read({session: {tool: 'claude-code', nativeId: result.nativeId, files: [result.nativePath], growth: 'append'}}, ctx);
			expect(back.warnings, label).toEqual([]);
			expect(back.unknownRecords, label).toEqual({});
		}

		expect(written).toBeGreaterThan(all.length - 5);
	}, 60_000);
});
