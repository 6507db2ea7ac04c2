import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {claudeCodeAdapter} from '../../source/adapters/claude-code.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import {SfsError} from '../../source/engine/errors.js';
import type {Message} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'claude-code');
const projects = path.join(fixtures, 'projects');
const pipewire = path.join(projects, '-home-user-project', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01.jsonl');
const showcaseId = '55550000-0000-4000-8000-000000000001';
const showcase = path.join(projects, '-workspace-example-app', `${showcaseId}.jsonl`);
const tenTurn = path.join(projects, '-home-me-ht-unleash', 'cfbdefef-46d0-438f-bafc-c75f200bc243.jsonl');
const dag = path.join(fixtures, 'synthetic', 'dag_compact_after_rewind.jsonl');
const features = path.join(fixtures, 'synthetic', 'features-headless.jsonl');

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

function sessionFor(file: string, extra: Partial<NativeSession> = {}): NativeSession {
	return {tool: 'claude-code', nativeId: path.basename(file, '.jsonl'), files: [file], growth: 'append', ...extra};
}

async function read(file: string, extra: Partial<NativeSession> = {}): Promise<ReadResult> {
	return claudeCodeAdapter.read({session: sessionFor(file, extra)}, context());
}

function expectAllValid(messages: Message[]): void {
	for (const message of messages) {
		const result = validateMessage(message);
		expect(result.errors, `${message.msg_id}: ${result.errors.join('; ')}`).toEqual([]);
	}
}

function texts(message: Message): string[] {
	return message.content.flatMap(block => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : []));
}

function blocksOf<T extends string>(messages: Message[], type: T): Array<Record<string, unknown>> {
	return messages.flatMap(message => message.content.filter(block => block.type === type) as Array<Record<string, unknown>>);
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-claude-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('claude-code roots and discover', () => {
	it('scans $CLAUDE_CONFIG_DIR (comma-separated), ~/.claude and ~/.config/claude', () => {
		const roots = claudeCodeAdapter.roots(context({CLAUDE_CONFIG_DIR: '/cfg/a,/cfg/b'}));
		expect(roots).toEqual(['/cfg/a/projects', '/cfg/b/projects', path.join(home, '.claude', 'projects'), path.join(home, '.config', 'claude', 'projects')]);
		expect(claudeCodeAdapter.roots(context({XDG_CONFIG_HOME: '/xdg'}))).toContain('/xdg/claude/projects');
	});

	it('finds nothing, without throwing, when no root exists', async () => {
		expect(await claudeCodeAdapter.discover(context({CLAUDE_CONFIG_DIR: path.join(home, 'missing')}))).toEqual([]);
	});

	it('lists main transcripts and sub-agent transcripts as their own sessions under CLAUDE_CONFIG_DIR', async () => {
		const config = path.join(home, 'config');
		fs.cpSync(projects, path.join(config, 'projects'), {recursive: true});
		const found = await claudeCodeAdapter.discover(context({CLAUDE_CONFIG_DIR: config}));
		const byId = new Map(found.map(session => [session.nativeId, session]));
		expect([...byId.keys()].sort()).toEqual(
			[
				'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01',
				'cfbdefef-46d0-438f-bafc-c75f200bc243',
				showcaseId,
				`${showcaseId}:agent-showcol1`,
				`${showcaseId}:agent-showcol2`,
			].sort(),
		);
		const main = byId.get(showcaseId)!;
		expect(main).toMatchObject({tool: 'claude-code', growth: 'append', files: [path.join(config, 'projects', '-workspace-example-app', `${showcaseId}.jsonl`)]});
		expect(main.parentNativeId).toBeUndefined();
		const agent = byId.get(`${showcaseId}:agent-showcol1`)!;
		expect(agent.parentNativeId).toBe(showcaseId);
		expect(agent.agentId).toBe('showcol1');
		expect(agent.files.map(file => path.basename(file))).toEqual(['agent-showcol1.jsonl', 'agent-showcol1.meta.json']);
		expect(typeof agent.mtimeMs).toBe('number');
	});

	it('defaults to ~/.claude/projects from HOME and handles 2.0.x agent files beside the sessions', async () => {
		const dir = path.join(home, '.claude', 'projects', '-p');
		fs.mkdirSync(dir, {recursive: true});
		fs.copyFileSync(tenTurn, path.join(dir, 'cfbdefef-46d0-438f-bafc-c75f200bc243.jsonl'));
		fs.writeFileSync(
			path.join(dir, 'agent-old1.jsonl'),
			`${JSON.stringify({type: 'user', uuid: 'x1', parentUuid: null, isSidechain: true, agentId: 'old1', sessionId: 'cfbdefef-46d0-438f-bafc-c75f200bc243', timestamp: '2025-10-01T00:00:00Z', message: {role: 'user', content: 'hi'}})}\n`,
		);
		const found = await claudeCodeAdapter.discover(context());
		const agent = found.find(session => session.agentId === 'old1');
		expect(agent).toMatchObject({parentNativeId: 'cfbdefef-46d0-438f-bafc-c75f200bc243', nativeId: 'cfbdefef-46d0-438f-bafc-c75f200bc243:agent-old1'});
		expect(found.map(session => session.nativeId)).toContain('cfbdefef-46d0-438f-bafc-c75f200bc243');
	});
});

describe('claude-code read: every fixture', () => {
	const files = [pipewire, showcase, tenTurn, dag, features, ...['showcol1', 'showcol2'].map(id => path.join(projects, '-workspace-example-app', showcaseId, 'subagents', `agent-${id}.jsonl`))];
	for (const file of files) {
		it(`${path.basename(file)}: schema-valid, unique and deterministic msg_ids, no warnings`, async () => {
			const first = await read(file);
			const second = await read(file);
			expect(first.messages.length).toBeGreaterThan(0);
			expectAllValid(first.messages);
			const ids = first.messages.map(message => message.msg_id);
			expect(new Set(ids).size).toBe(ids.length);
			expect(second.messages).toEqual(first.messages);
			expect(first.warnings).toEqual([]);
			expect(first.mode).toBe('full');
			expect(first.recordsParsed).toBe(fs.readFileSync(file, 'utf8').split('\n').filter(line => line.trim()).length);
		});
	}
});

describe('claude-code read: real-anon 2.1.86 transcript, message by message', () => {
	it('maps roles, thinking, tool pairs, usage, model and native records', async () => {
		const result = await read(pipewire);
		const {messages} = result;
		expect(messages.map(message => [message.role, message.metadata?.record_type])).toEqual([
			['system', 'file-history-snapshot'],
			['user', 'user'],
			['assistant', 'assistant'],
			['assistant', 'assistant'],
			['tool', 'user'],
			['assistant', 'assistant'],
			['tool', 'user'],
			['system', 'queue-operation'],
			['assistant', 'assistant'],
			['system', 'queue-operation'],
			['system', 'system'],
			['user', 'user'],
			['system', 'system'],
		]);
		const [snapshot, prompt, thinking, toolCall, toolResult] = messages;
		expect(snapshot!.is_meta).toBe(true);
		expect(snapshot!.content[0]).toMatchObject({type: 'native_record', record: {type: 'file-history-snapshot'}});
		expect(snapshot!.timestamp).toBe('2026-03-29T16:35:25.697Z');

		expect(prompt).toMatchObject({msg_id: 'fff00001-aaaa-bbbb-cccc-dddddddddd01', parent_msg_id: null, content: [{type: 'text', text: 'can you restart pipewire?'}], timestamp: '2026-03-29T16:35:25.572Z'});
		expect(prompt!.is_meta).toBeUndefined();

		expect(thinking).toMatchObject({
			parent_msg_id: 'fff00001-aaaa-bbbb-cccc-dddddddddd01',
			model: 'claude-opus-4-6',
			provider: 'anthropic',
			stop_reason: null,
			content: [{type: 'thinking', text: '', signature: 'REDACTED'}],
		});
		// One API response over two records: the usage (final on the last record) is counted once, there.
		expect(thinking!.usage).toBeUndefined();
		expect(thinking!.metadata).toMatchObject({
			api_message_id: 'msg_01AAAAAAAAAAAAAAAAAAAAA1',
			request_id: 'req_01AAAAAAAAAAAAAAAAAAA1',
			native_usage: {output_tokens: 26},
			usage_in: 'fff00004-aaaa-bbbb-cccc-dddddddddd01',
		});
		expect(toolCall!.metadata).toMatchObject({api_message_id: 'msg_01AAAAAAAAAAAAAAAAAAAAA1', block_extras: {'0': {caller: {type: 'direct'}}}});
		expect(toolCall).toMatchObject({stop_reason: 'tool_use', usage: {input_tokens: 3, output_tokens: 146, cache_read_tokens: 11752, cache_write_tokens: 14193}});
		expect(toolCall!.content).toEqual([
			{
				type: 'tool_use',
				tool_use_id: 'toolu_01AAAAAAAAAAAAAAAAAAA1',
				name: 'Bash',
				input: {command: 'systemctl --user restart pipewire pipewire-pulse wireplumber', description: 'Restart PipeWire audio services', timeout: 10000},
			},
		]);
		expect(toolResult!.content).toEqual([{type: 'tool_result', tool_use_id: 'toolu_01AAAAAAAAAAAAAAAAAAA1', content: '(Bash completed with no output)', is_error: false}]);
		expect(toolResult!.metadata).toMatchObject({native_role: 'user', tool_use_result: {stdout: '', interrupted: false}});

		// Every tool_use has exactly one tool_result with its id, after it.
		const uses = blocksOf(messages, 'tool_use').map(block => block.tool_use_id);
		const results = blocksOf(messages, 'tool_result').map(block => block.tool_use_id);
		expect(results).toEqual(uses);

		const notification = messages[11]!;
		expect(notification.is_meta).toBe(true);
		expect(texts(notification)[0]).toContain('<task-notification>');
		expect(messages[10]!.metadata).toMatchObject({subtype: 'stop_hook_summary'});
		expect(result.unknownRecords).toEqual({});
		expect(result.info).toMatchObject({
			title: 'can you restart pipewire?',
			cwd: '/home/user/project',
			gitBranch: 'HEAD',
			model: 'claude-opus-4-6',
			toolVersion: '2.1.86',
			createdAt: '2026-03-29T16:35:25.572Z',
			updatedAt: '2026-03-29T16:35:38.845Z',
			headless: false,
			interface: 'cli',
		});
	});
});

describe('claude-code read: structure', () => {
	it('flattens list tool results to text and keeps the structure in metadata', async () => {
		const {messages, info} = await read(showcase);
		const result = messages.find(message => message.msg_id === 'sc-r4')!;
		expect(result.role).toBe('tool');
		expect(result.content[0]).toMatchObject({type: 'tool_result', tool_use_id: 'toolu_sc_showcol1'});
		const content = (result.content[0] as {content: string}).content;
		expect(content).toContain('The web module renders its pages in a column layout');
		expect(content).toContain('agentId: showcol1');
		expect(result.metadata!.tool_result_content).toMatchObject({toolu_sc_showcol1: [{type: 'text'}, {type: 'text'}]});
		expect(result.metadata!.tool_use_result).toEqual({agentId: 'showcol1', status: 'completed'});
		expect(blocksOf(messages, 'tool_use').map(block => block.name)).toEqual([
			'mcp__plugin_showcase_example__inspect_repository_structure',
			'mcp__plugin_showcase_example__refresh_search_index',
			'ScheduleWakeup',
			'Agent',
			'Agent',
		]);
		expect(info.title).toBe('Give me a tour of the repository: its structure, then compare the web and jobs modules side by side.');
	});

	it('marks sub-agent messages as sidechain with their agent id and reads the meta sidecar', async () => {
		const dir = path.join(projects, '-workspace-example-app', showcaseId, 'subagents');
		const session = sessionFor(path.join(dir, 'agent-showcol2.jsonl'), {
			nativeId: `${showcaseId}:agent-showcol2`,
			files: [path.join(dir, 'agent-showcol2.jsonl'), path.join(dir, 'agent-showcol2.meta.json')],
			parentNativeId: showcaseId,
			agentId: 'showcol2',
		});
		const result = await claudeCodeAdapter.read({session}, context());
		expect(result.messages).toHaveLength(4);
		for (const message of result.messages) expect(message).toMatchObject({is_sidechain: true, agent_id: 'showcol2'});
		expect(result.messages[0]).toMatchObject({role: 'user', parent_msg_id: null, content: [{type: 'text', text: 'Survey src/jobs and list its scheduled jobs.'}]});
		expect(result.messages[2]!.content[0]).toMatchObject({type: 'tool_result', tool_use_id: 'toolu_sc_grep'});
		expect(result.info.extra).toMatchObject({subagent: {agentType: 'general-purpose', toolUseId: 'toolu_sc_showcol2'}, parent_native_id: showcaseId, agent_id: 'showcol2'});
		expect(result.info.headless).toBeUndefined();
		expect(result.info.title).toBe('Survey the jobs module');
		const withoutSidecar = await read(path.join(dir, 'agent-showcol2.jsonl'), {agentId: 'showcol2', parentNativeId: showcaseId});
		expect(withoutSidecar.info.title).toBe('Survey src/jobs and list its scheduled jobs.');
		expect(Object.keys(result.cursors)).toHaveLength(2);
	});

	it('keeps a rewound conversation as a tree and the compaction as a summary', async () => {
		const {messages} = await read(dag);
		const parent = new Map(messages.map(message => [message.msg_id, message.parent_msg_id]));
		expect(parent.get('b1u')).toBe('a1');
		expect(parent.get('b2u')).toBe('a1');
		expect(parent.get('b2a2')).toBe('b2u2');
		const boundary = messages.find(message => message.msg_id === 'cb')!;
		expect(boundary).toMatchObject({role: 'system', is_meta: true, parent_msg_id: 'b2a2', content: [{type: 'text', text: 'Conversation compacted'}]});
		expect(boundary.metadata).toMatchObject({subtype: 'compact_boundary', native_parent_uuid: null});
		const summary = messages.find(message => message.msg_id === 'cs')!;
		expect(summary).toMatchObject({role: 'user', is_meta: true, parent_msg_id: 'cb'});
		expect(summary.content[0]).toMatchObject({type: 'summary'});
		expect((summary.content[0] as {text: string}).text).toContain('Summary: the user asked for a plan.');
		expect(messages.filter(message => message.role === 'assistant').map(message => texts(message)[0])).toEqual([
			'Ready',
			'First answer',
			'Second answer',
			'Kept going',
			'Final answer',
		]);
	});

	it('maps images, redacted thinking, odd stop reasons, titles, meta prompts, attachments and unknown records', async () => {
		const result = await read(features);
		const {messages, info} = result;
		const prompt = messages.find(message => message.msg_id === 'u1')!;
		expect(prompt.content[1]).toMatchObject({type: 'image', source: {type: 'base64', media_type: 'image/png'}});
		expect(messages.find(message => message.msg_id === 'a1')!.content).toEqual([{type: 'thinking', text: 'Look at the pixel.', signature: 'sig-abc'}]);
		const redacted = messages.find(message => message.msg_id === 'a2')!;
		expect(redacted.content).toEqual([{type: 'thinking', text: '', redacted: true, signature: null}]);
		expect(redacted.metadata!.redacted_thinking).toEqual({'0': 'ENCRYPTED-BLOB'});
		const shot = messages.find(message => message.msg_id === 'r1')!;
		expect(shot.role).toBe('tool');
		expect(shot.content.map(block => block.type)).toEqual(['tool_result', 'image']);
		expect((shot.content[0] as {content: string}).content).toBe('captured\n[image]');
		const paused = messages.find(message => message.msg_id === 'a4')!;
		expect(paused.stop_reason).toBeNull();
		expect(paused.metadata!.native_stop_reason).toBe('pause_turn');
		expect(messages.find(message => message.msg_id === 'at1')).toMatchObject({role: 'system', is_meta: true, content: [{type: 'attachment'}]});
		expect(messages.find(message => message.msg_id === 'm1')!.is_meta).toBe(true);
		const unknown = messages.find(message => message.msg_id === 'h1')!;
		expect(unknown).toMatchObject({role: 'system', is_meta: true, content: [{type: 'native_record', record: {type: 'hologram-sync'}}]});
		expect(result.unknownRecords).toEqual({'hologram-sync': 1});
		// Title and last-prompt records feed the session info, not the conversation.
		expect(messages.some(message => message.metadata?.record_type === 'custom-title')).toBe(false);
		expect(info).toMatchObject({title: 'Pixel inspection', headless: true, gitBranch: 'feature/x', toolVersion: '2.1.197', model: 'claude-sonnet-4-5'});
		expect(info.extra).toMatchObject({entrypoint: 'sdk-cli', custom_title: 'Pixel inspection', ai_title: 'Describe an image', last_prompt: 'What is in this picture?'});
		expectAllValid(messages);
	});
});

describe('claude-code read: incremental', () => {
	function lines(file: string): string[] {
		return fs.readFileSync(file, 'utf8').split('\n').filter(line => line.trim()).map(line => `${line}\n`);
	}

	it('returns only new messages after the cursor, leaves a half-written line, and carries state', async () => {
		const all = lines(pipewire);
		const copy = path.join(home, 'session.jsonl');
		fs.writeFileSync(copy, all.slice(0, 4).join(''));
		const session = sessionFor(copy, {nativeId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeee01'});
		const first = await claudeCodeAdapter.read({session}, context());
		expect(first.mode).toBe('full');
		expect(first.messages.map(message => message.msg_id)).toEqual([
			expect.any(String),
			'fff00001-aaaa-bbbb-cccc-dddddddddd01',
			'fff00003-aaaa-bbbb-cccc-dddddddddd01',
			'fff00004-aaaa-bbbb-cccc-dddddddddd01',
		]);

		// Two whole lines and half of a third.
		const half = all[6]!.slice(0, 40);
		fs.appendFileSync(copy, all[4]! + all[5]! + half);
		const second = await claudeCodeAdapter.read({session, cursors: first.cursors, state: first.state}, context());
		expect(second.mode).toBe('incremental');
		expect(second.recordsParsed).toBe(2);
		expect(second.messages.map(message => message.msg_id)).toEqual(['fff00005-aaaa-bbbb-cccc-dddddddddd01', 'fff00006-aaaa-bbbb-cccc-dddddddddd01']);
		expect(second.warnings).toEqual([]);
		// Facts learned in the first read survive in the state.
		expect(second.info).toMatchObject({title: 'can you restart pipewire?', createdAt: '2026-03-29T16:35:25.572Z', cwd: '/home/user/project'});

		fs.appendFileSync(copy, all[6]!.slice(40) + all.slice(7).join(''));
		const third = await claudeCodeAdapter.read({session, cursors: second.cursors, state: second.state}, context());
		expect(third.mode).toBe('incremental');
		expect(third.messages[0]!.msg_id).toBe('fff00007-aaaa-bbbb-cccc-dddddddddd01');
		const full = await read(pipewire);
		expect([...first.messages, ...second.messages, ...third.messages]).toEqual(full.messages);
	});

	it('re-reads a truncated or rewritten file from the start (mode full)', async () => {
		const all = lines(tenTurn);
		const copy = path.join(home, 'session.jsonl');
		fs.writeFileSync(copy, all.join(''));
		const session = sessionFor(copy);
		const first = await claudeCodeAdapter.read({session}, context());
		fs.writeFileSync(copy, all.slice(0, 3).join(''));
		const second = await claudeCodeAdapter.read({session, cursors: first.cursors, state: first.state}, context());
		expect(second.mode).toBe('full');
		expect(second.messages).toEqual(first.messages.slice(0, 3));
		expect(second.warnings.some(warning => warning.includes('truncated or replaced'))).toBe(true);
	});
});

describe('claude-code read: bad input', () => {
	it('keeps the good lines of a damaged file with one-line warnings', async () => {
		const good = fs.readFileSync(tenTurn, 'utf8').split('\n').filter(Boolean);
		const damaged = path.join(home, 'damaged.jsonl');
		fs.writeFileSync(
			damaged,
			[good[0], '{"type":"user","uuid":', '[1,2,3]', good[1], Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x10]).toString('latin1'), good[2], ''].join('\n'),
		);
		const result = await read(damaged);
		expect(result.messages.map(message => message.msg_id)).toEqual([
			'bc4e7d6b-fdee-43fc-96ba-69145b64b6f6',
			'e80b2602-8c6a-4eae-ac67-f28cf5e76dcb',
			'4475d133-9ca2-423e-b28d-af1835a1f536',
		]);
		expect(result.warnings).toHaveLength(3);
		for (const warning of result.warnings) expect(warning).toMatch(/^damaged\.jsonl: line \d+: (invalid JSON|not a JSON object), skipped$/);
	});

	it('parses a 50 MB line and keeps the lines around it', async () => {
		const good = fs.readFileSync(tenTurn, 'utf8').split('\n').filter(Boolean);
		const big = JSON.stringify({
			type: 'user',
			uuid: 'big-1',
			parentUuid: null,
			timestamp: '2026-03-30T07:18:30Z',
			message: {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_big', content: 'x'.repeat(50 * 1024 * 1024)}]},
		});
		const file = path.join(home, 'big.jsonl');
		fs.writeFileSync(file, [good[0], big, good[1], ''].join('\n'));
		const result = await read(file);
		expect(result.messages.map(message => message.msg_id)).toEqual(['bc4e7d6b-fdee-43fc-96ba-69145b64b6f6', 'big-1', 'e80b2602-8c6a-4eae-ac67-f28cf5e76dcb']);
		expect((result.messages[1]!.content[0] as {content: string}).content).toHaveLength(50 * 1024 * 1024);
		expect(result.warnings).toEqual([]);
	});

	it('reads an empty file as no messages with a warning', async () => {
		const empty = path.join(home, 'empty.jsonl');
		fs.writeFileSync(empty, '');
		const result = await read(empty);
		expect(result.messages).toEqual([]);
		expect(result.warnings).toEqual(['empty.jsonl: empty file']);
	});

	it('summarises a file of binary garbage instead of one warning per line', async () => {
		const garbage = path.join(home, 'garbage.jsonl');
		fs.writeFileSync(garbage, Array.from({length: 50}, (_, index) => `\u0000\u0001garbage ${index}`).join('\n') + '\n');
		const result = await read(garbage);
		expect(result.messages).toEqual([]);
		expect(result.warnings).toHaveLength(21);
		expect(result.warnings.at(-1)).toBe('garbage.jsonl: 30 more bad lines skipped');
	});

	it('throws a typed error only when the file cannot be opened at all', async () => {
		await expect(read(path.join(home, 'vanished.jsonl'))).rejects.toBeInstanceOf(SfsError);
	});

	it('tolerates records with missing or odd fields', async () => {
		const odd = path.join(home, 'odd.jsonl');
		fs.writeFileSync(
			odd,
			[
				{type: 'user', uuid: 'o1', message: {role: 'user', content: [{type: 'text'}, {type: 'tool_result'}, 42]}},
				{type: 'assistant', uuid: 'o2', timestamp: 'not a date', message: {content: [{type: 'tool_use', id: 't', name: 'X', input: 'str'}], usage: {input_tokens: 'many'}}},
				{type: 'assistant', uuid: 'o3', message: null},
				{uuid: 'o4'},
			]
				.map(record => JSON.stringify(record))
				.join('\n') + '\n',
		);
		const result = await read(odd);
		expect(result.messages).toHaveLength(4);
		expectAllValid(result.messages);
		expect(result.messages[1]!.content[0]).toEqual({type: 'tool_use', tool_use_id: 't', name: 'X', input: {value: 'str'}});
		expect(result.unknownRecords).toEqual({'(no type)': 1});
	});
});

type RecordedTurn = {
	prompt: string;
	thinking?: string;
	text?: string;
	toolCall?: {id: string; name: string; input: Record<string, unknown>};
	toolOutput?: string;
	followUp?: string;
};
type RecordedManifest = {sessionId: string; cwd: string; model: string; cliVersion: string; files: string[]; turns: RecordedTurn[]};

const recordedDir = path.join(fixtures, '..', 'recorded', 'claude-code');
const recordedManifest = path.join(recordedDir, 'manifest.json');

describe('claude-code read: session recorded from the real CLI', () => {
	const manifest = JSON.parse(fs.readFileSync(recordedManifest, 'utf8')) as RecordedManifest;
	const ctx = () => context({CLAUDE_CONFIG_DIR: recordedDir});

	async function recorded(): Promise<{session: NativeSession; result: ReadResult}> {
		const found = await claudeCodeAdapter.discover(ctx());
		const session = found.find(candidate => candidate.nativeId === manifest.sessionId);
		expect(session, `discover finds ${manifest.sessionId}`).toBeDefined();
		return {session: session!, result: await claudeCodeAdapter.read({session: session!}, ctx())};
	}

	it('is discovered under its native id and file', async () => {
		const {session} = await recorded();
		expect(session.files).toEqual([path.join(recordedDir, manifest.files[0]!)]);
		expect(session.parentNativeId).toBeUndefined();
	});

	it('matches the scripted conversation message by message', async () => {
		const {result} = await recorded();
		const expected: Array<[string, string, unknown]> = [];
		for (const turn of manifest.turns) {
			expected.push(['user', 'text', turn.prompt]);
			if (turn.thinking) expected.push(['assistant', 'thinking', turn.thinking]);
			if (turn.text) expected.push(['assistant', 'text', turn.text]);
			if (turn.toolCall) {
				expected.push(['assistant', 'tool_use', {tool_use_id: turn.toolCall.id, name: turn.toolCall.name, input: turn.toolCall.input}]);
				// Claude trims the trailing newline of command output.
				expected.push(['tool', 'tool_result', {tool_use_id: turn.toolCall.id, content: turn.toolOutput!.trimEnd()}]);
			}

			if (turn.followUp) expected.push(['assistant', 'text', turn.followUp]);
		}

		const actual = visible(result.messages).map(message => {
			expect(message.content, `${message.msg_id} has one block`).toHaveLength(1);
			const block = message.content[0] as Record<string, unknown>;
			if (block.type === 'text' || block.type === 'thinking') return [message.role, block.type, block.text];
			if (block.type === 'tool_use') return [message.role, block.type, {tool_use_id: block.tool_use_id, name: block.name, input: block.input}];
			return [message.role, block.type, {tool_use_id: block.tool_use_id, content: block.content}];
		});
		expect(actual).toEqual(expected);

		for (const message of result.messages) {
			expect(validateMessage(message).errors).toEqual([]);
			expect(message.msg_id).toMatch(/^[\da-f-]{24,36}$/);
		}

		const assistants = visible(result.messages).filter(message => message.role === 'assistant');
		for (const message of assistants) {
			expect(message).toMatchObject({model: manifest.model, provider: 'anthropic'});
			expect(message.metadata!.api_message_id).toMatch(/^msg_/);
			const thinking = message.content.find(block => block.type === 'thinking') as {signature?: string} | undefined;
			if (thinking) expect(thinking.signature).toBeTruthy();
		}

		// Exactly one record per API response carries its usage, so a plain sum gives Claude's own totals.
		const responses = new Set(assistants.map(message => message.metadata!.api_message_id));
		const carriers = assistants.filter(message => message.usage);
		expect(carriers.map(message => message.metadata!.api_message_id).sort()).toEqual([...responses].sort());
		for (const message of carriers) expect(message.usage!.input_tokens).toBeGreaterThan(0);
		const costState = result.info.extra!.model_usage as Record<string, {inputTokens: number; outputTokens: number}>;
		expect(carriers.reduce((sum, message) => sum + message.usage!.output_tokens!, 0)).toBe(costState[manifest.model]!.outputTokens);
		expect(carriers.reduce((sum, message) => sum + message.usage!.input_tokens!, 0)).toBe(costState[manifest.model]!.inputTokens);
		expect(result.unknownRecords).toEqual({});
		expect(result.warnings).toEqual([]);
	});

	it('knows the session: cwd, model, version, title, headless', async () => {
		const {result} = await recorded();
		expect(result.info).toMatchObject({
			cwd: manifest.cwd,
			model: manifest.model,
			toolVersion: manifest.cliVersion,
			title: manifest.turns[0]!.prompt,
			headless: true,
			interface: 'cli',
			extra: {entrypoint: 'sdk-cli'},
		});
	});

	it('reads the same messages when the file is captured in two pieces, wherever it is cut', async () => {
		const {session, result} = await recorded();
		const all = fs.readFileSync(session.files[0]!, 'utf8').split('\n').filter(line => line.trim()).map(line => `${line}\n`);
		for (let cut = 1; cut < all.length; cut++) {
			const copy = path.join(home, `cut-${cut}.jsonl`);
			fs.writeFileSync(copy, all.slice(0, cut).join(''));
			const piece = {...session, files: [copy]};
			const first = await claudeCodeAdapter.read({session: piece}, ctx());
			fs.appendFileSync(copy, all.slice(cut).join(''));
			const second = await claudeCodeAdapter.read({session: piece, cursors: first.cursors, state: first.state}, ctx());
			expect(second.mode).toBe('incremental');
			// A cut inside one API response leaves its usage on the record the first read saw last: the same
			// messages otherwise, and the same totals.
			const withoutUsage = (messages: Message[]) =>
				messages.map(message => {
					const {usage: _usage, metadata, ...rest} = message;
					const {usage_in: _usageIn, ...otherMetadata} = metadata ?? {};
					return {...rest, metadata: otherMetadata};
				});
			const joined = [...first.messages, ...second.messages];
			expect(withoutUsage(joined), `cut at line ${cut}`).toEqual(withoutUsage(result.messages));
			const sum = (messages: Message[]) => messages.reduce((total, message) => total + (message.usage?.output_tokens ?? 0) + (message.usage?.input_tokens ?? 0), 0);
			expect(sum(joined), `cut at line ${cut}`).toBe(sum(result.messages));
			expect(joined.filter(message => message.usage)).toHaveLength(result.messages.filter(message => message.usage).length);
			expect(second.info).toEqual(result.info);
		}
	});
});

function visible(messages: Message[]): Message[] {
	return messages.filter(message => !message.is_meta);
}

type ExtraManifest = {sessionId: string; cwd: string; cliVersion: string; turns: Array<{prompt: string; thinking: string; text: string; command?: string; followUp?: string; exitCode?: number}>};

describe('claude-code read: three-turn real session with a failing command', () => {
	const dir = path.join(fixtures, 'real-2.1.332-failing-command');
	const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ExtraManifest;

	it('maps each turn, with the failing command as an error result', async () => {
		const ctx = context({CLAUDE_CONFIG_DIR: dir});
		const [session] = await claudeCodeAdapter.discover(ctx);
		expect(session!.nativeId).toBe(manifest.sessionId);
		const result = await claudeCodeAdapter.read({session: session!}, ctx);
		const shown = visible(result.messages);
		let at = 0;
		for (const [index, turn] of manifest.turns.entries()) {
			expect(shown[at++]).toMatchObject({role: 'user', content: [{type: 'text', text: turn.prompt}]});
			expect(shown[at++]).toMatchObject({role: 'assistant', content: [{type: 'thinking', text: turn.thinking, signature: expect.any(String)}]});
			expect(shown[at++]).toMatchObject({role: 'assistant', content: [{type: 'text', text: turn.text}]});
			if (!turn.command) continue;
			const call = shown[at++]!;
			expect(call.content[0]).toMatchObject({type: 'tool_use', name: 'Bash', input: {command: turn.command}});
			const id = (call.content[0] as {tool_use_id: string}).tool_use_id;
			const output = shown[at++]!;
			expect(output.content[0]).toMatchObject({type: 'tool_result', tool_use_id: id, is_error: turn.exitCode !== 0});
			if (turn.exitCode !== 0) expect((output.content[0] as {content: string}).content).toMatch(/^Exit code 1\ncat: missing\.txt: No such file or directory/);
			expect(shown[at++], `turn ${index + 1} follow-up`).toMatchObject({role: 'assistant', content: [{type: 'text', text: turn.followUp}]});
		}

		expect(at).toBe(shown.length);
		expect(result.unknownRecords).toEqual({});
		expect(result.info).toMatchObject({cwd: manifest.cwd, toolVersion: manifest.cliVersion, headless: true, title: manifest.turns[0]!.prompt});
		for (const message of result.messages) expect(validateMessage(message).errors).toEqual([]);
	});
});

describe('claude-code read: a rewind in the real 2.1.332 interactive CLI', () => {
	const dir = path.join(fixtures, 'real-2.1.332-interactive-rewind');

	it('keeps the rewound branch and the new one as siblings in one tree', async () => {
		const ctx = context({CLAUDE_CONFIG_DIR: dir});
		const [session] = await claudeCodeAdapter.discover(ctx);
		expect(session!.nativeId).toBe('f24f6f84-269a-42ee-b3de-a141aa5bf4eb');
		const result = await claudeCodeAdapter.read({session: session!}, ctx);
		const byId = new Map(result.messages.map(message => [message.msg_id, message]));
		const prompt = (text: string) => result.messages.find(message => message.role === 'user' && texts(message)[0] === text)!;
		const again = prompt('HELLO again');
		const after = prompt('AFTER rewind');
		expect(after.parent_msg_id).toBe(again.parent_msg_id);
		expect(again.parent_msg_id).toBeTruthy();

		// Walking up from the newest answer reaches the root through "AFTER rewind", not "HELLO again".
		const leaf = result.messages.find(message => message.role === 'assistant' && texts(message)[0] === 'Rewound and continuing.')!;
		const chain: string[] = [];
		for (let message: Message | undefined = leaf; message; message = message.parent_msg_id ? byId.get(message.parent_msg_id) : undefined) {
			if (!message.is_meta && message.role === 'user') chain.push(texts(message)[0]!);
		}

		expect(chain).toEqual(['AFTER rewind', 'HELLO there']);
		// The rewound turn is still there.
		expect(visible(result.messages).map(message => texts(message)[0] ?? message.content[0]!.type)).toEqual([
			'HELLO there',
			'thinking',
			'Hi there!',
			'HELLO again',
			'thinking',
			'Hi again!',
			'tool_use',
			'tool_result',
			'Echoed again.',
			'AFTER rewind',
			'Rewound and continuing.',
		]);
		expect(result.info).toMatchObject({headless: false, interface: 'cli', title: 'HELLO there', extra: {entrypoint: 'cli', last_prompt: 'AFTER rewind'}});
		expect(result.unknownRecords).toEqual({});
		for (const message of result.messages) expect(validateMessage(message).errors).toEqual([]);
	});
});
