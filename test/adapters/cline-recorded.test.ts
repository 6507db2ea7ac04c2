/**
 * The Cline adapter against a session the real Cline CLI wrote (test/fixtures/recorded/cline, see SOURCES.md
 * there): checked message by message against the facts in its manifest.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {clineAdapter} from '../../source/adapters/cline.js';
import type {AdapterContext, ReadResult} from '../../source/adapters/types.js';
import type {Message, ToolResultBlock, ToolUseBlock} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const recorded = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'recorded', 'cline');

type Turn = {
	prompt: string;
	thinking: string;
	text: string;
	toolCall?: {id: string; name: string; input: Record<string, unknown>; command: string};
	toolOutput?: string;
	toolResultSeenByModel?: string;
	followUp?: string;
};
type Manifest = {cliVersion: string; sessionId: string; cwd: string; model: string; files: string[]; turns: Turn[]};
const manifest = JSON.parse(fs.readFileSync(path.join(recorded, 'manifest.json'), 'utf8')) as Manifest;

let home: string;

function context(): AdapterContext {
	return {
		// The fixture folder is a copy of ~/.cline/data; reading never writes to it.
		env: {HOME: home, CLINE_DATA_DIR: recorded},
		home,
		platform: 'linux',
		now: () => new Date('2026-11-25T12:00:00Z'),
		cache: {get: () => undefined, set() {}},
	};
}

function textOf(message: Message): string {
	return message.content.filter(block => block.type === 'text').map(block => (block as {text: string}).text).join('\n');
}

async function readRecorded(): Promise<ReadResult> {
	const sessions = await clineAdapter.discover(context());
	expect(sessions.map(session => session.nativeId)).toEqual([manifest.sessionId]);
	return clineAdapter.read({session: sessions[0]}, context());
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-cline-rec-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe(`cline CLI ${manifest.cliVersion}: recorded real session`, () => {
	it('is discovered with both of its files', async () => {
		const [session] = await clineAdapter.discover(context());
		const dir = path.join(recorded, 'sessions', manifest.sessionId);
		expect(session).toMatchObject({tool: 'cline', nativeId: manifest.sessionId, growth: 'rewrite'});
		expect(session.files).toEqual([path.join(dir, `${manifest.sessionId}.messages.json`), path.join(dir, `${manifest.sessionId}.json`)]);
		expect(manifest.files).toEqual(expect.arrayContaining(session.files.map(file => path.relative(recorded, file))));
	});

	it('maps every message: roles, text, thinking, the tool call paired with its result, usage, model', async () => {
		const result = await readRecorded();
		expect(result.warnings).toEqual([]);
		expect(result.unknownRecords).toEqual({});
		const [system, ...conversation] = result.messages;
		expect(system).toMatchObject({role: 'system', is_meta: true, metadata: {kind: 'system_prompt'}});
		expect(textOf(system)).toMatch(/^You are Cline/);

		const [turn1, turn2] = manifest.turns;
		expect(conversation.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
		const [prompt1, call, toolResult, followUp, prompt2, answer2] = conversation;

		// The CLI stores the prompt inside its <user_input mode="…"> envelope (what the model saw).
		expect(textOf(prompt1)).toBe(`<user_input mode="act">${turn1.prompt}</user_input>`);
		expect(prompt1.metadata?.mode).toBe('act');
		expect(call.content).toEqual([
			{type: 'thinking', text: turn1.thinking, signature: null},
			{type: 'text', text: turn1.text},
			{type: 'tool_use', tool_use_id: turn1.toolCall!.id, name: turn1.toolCall!.name, input: turn1.toolCall!.input},
		]);
		const use = call.content[2] as ToolUseBlock;
		expect(use.input).toEqual({commands: [turn1.toolCall!.command]});

		const resultBlock = toolResult.content[0] as ToolResultBlock;
		expect(toolResult.content).toHaveLength(1);
		expect(resultBlock).toEqual({type: 'tool_result', tool_use_id: use.tool_use_id, content: turn1.toolOutput});
		expect(toolResult.metadata?.tool_result_originals).toEqual({[use.tool_use_id]: JSON.parse(turn1.toolResultSeenByModel!)});
		expect(toolResult.metadata?.tool_result_names).toEqual({[use.tool_use_id]: 'run_commands'});

		expect(followUp.content).toEqual([{type: 'text', text: turn1.followUp}]);
		expect(textOf(prompt2)).toBe(`<user_input mode="act">${turn2.prompt}</user_input>`);
		expect(answer2.content).toEqual([
			{type: 'thinking', text: turn2.thinking, signature: null},
			{type: 'text', text: turn2.text},
		]);

		for (const assistant of [call, followUp, answer2]) {
			expect(assistant.model).toBe(manifest.model);
			expect(assistant.provider).toBe('openai-compatible');
			expect(assistant.usage).toEqual({input_tokens: 120, output_tokens: 30, cache_read_tokens: 0, cache_write_tokens: 0});
		}

		for (const message of result.messages) {
			const validation = validateMessage(message);
			expect(validation.errors, message.msg_id).toEqual([]);
		}
	});

	it('keeps native ids and timestamps, and reads the session facts from the manifest', async () => {
		const result = await readRecorded();
		const raw = JSON.parse(fs.readFileSync(path.join(recorded, 'sessions', manifest.sessionId, `${manifest.sessionId}.messages.json`), 'utf8')) as {
			messages: Array<{id: string; ts: number}>;
		};
		const conversation = result.messages.slice(1);
		expect(conversation.map(message => message.msg_id)).toEqual(raw.messages.map(message => message.id));
		expect(conversation.map(message => message.metadata?.native_id)).toEqual(raw.messages.map(message => message.id));
		expect(conversation.map(message => message.timestamp)).toEqual(raw.messages.map(message => new Date(message.ts).toISOString()));

		expect(result.info).toMatchObject({
			title: manifest.turns[0].prompt,
			cwd: manifest.cwd,
			model: manifest.model,
			provider: 'openai-compatible',
			toolVersion: manifest.cliVersion,
			gitBranch: 'main',
			interface: 'cli',
			headless: true,
		});
		expect(Date.parse(result.info.updatedAt!)).toBeGreaterThanOrEqual(Date.parse(conversation.at(-1)!.timestamp));
		expect(result.info.extra).toMatchObject({status: 'idle', usage: {inputTokens: 360, outputTokens: 90}});
		expect(result.workspace).toEqual({root_path: manifest.cwd});
		expect(result.tools).toEqual({tools_used: ['run_commands']});
	});

	it('a second read gives the same messages (deterministic ids)', async () => {
		const first = await readRecorded();
		const second = await readRecorded();
		expect(second.messages).toEqual(first.messages);
	});
});

describe(`cline CLI ${manifest.cliVersion}: recorded session through the engine`, () => {
	it('is captured once; a second capture parses nothing', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		const {sessionIdForNative} = await import('../../source/engine/format.js');
		const env = {HOME: home, CLINE_DATA_DIR: recorded, SFS_HOME: path.join(home, 'sfs-data')};
		const store = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const first = await capture({env, store, index, adapters: [clineAdapter], config: {}});
			expect(first).toMatchObject({new: 1, skipped: [], warnings: []});
			expect(first.records_parsed).toBeGreaterThan(0);
			const sessionId = sessionIdForNative('cline', manifest.sessionId);
			const stored = store.readManifest(sessionId);
			expect(stored.title).toBe(manifest.turns[0].prompt);
			expect(stored.source).toMatchObject({tool: 'cline', original_session_id: manifest.sessionId});
			expect(store.readMessages(sessionId).messages).toHaveLength(7);

			const second = await capture({env, store, index, adapters: [clineAdapter], config: {}});
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 1, records_parsed: 0});
		} finally {
			index.close();
		}
	});
});
