import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cursorAdapter, cursorIo, cursorSessionsForFile} from '../../source/adapters/cursor.js';
import {treeReferences} from '../../source/adapters/cursor-cli-store.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import type {ContentBlock, Message} from '../../source/engine/types.js';
import {validateMessage} from '../support/schema.js';
import {
	agentComposerRows,
	COMPOSER_AGENT,
	COMPOSER_DRAFT,
	COMPOSER_OLD,
	COMPOSER_SUB,
	composerHeaders,
	createStore,
	createWorkspace,
	OLD_WORKSPACE_FOLDER,
	olderComposerRows,
	putRows,
	subagentComposerRows,
	WORKSPACE_FOLDER,
} from '../fixtures/cursor/modern-store.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cursor');

let home: string;
let store: Map<string, unknown>;
const openConnections: Database.Database[] = [];

function context(env: NodeJS.ProcessEnv = {}): AdapterContext {
	return {
		env: {HOME: home, SFS_HOME: path.join(home, 'sfs-data'), ...env},
		home,
		platform: 'linux',
		now: () => new Date('2026-11-25T12:00:00Z'),
		cache: {get: key => store.get(key), set: (key, value) => store.set(key, structuredClone(value))},
	};
}

const userDir = () => path.join(home, '.config', 'Cursor', 'User');
const globalDb = () => path.join(userDir(), 'globalStorage', 'state.vscdb');

/** Every file under `dir` with size and mtime: proves capture created or touched nothing there. */
function treeState(dir: string): Record<string, string> {
	const state: Record<string, string> = {};
	if (!fs.existsSync(dir)) return state;
	for (const entry of fs.readdirSync(dir, {recursive: true, withFileTypes: true})) {
		const file = path.join(entry.parentPath, entry.name);
		const stat = fs.statSync(file);
		state[path.relative(dir, file)] = entry.isDirectory() ? 'dir' : `${stat.size}:${stat.mtimeMs}`;
	}

	return state;
}

function expectAllValid(messages: Message[]) {
	for (const message of messages) {
		const result = validateMessage(message);
		expect(result.errors, `${message.msg_id}: ${result.errors.join('; ')}`).toEqual([]);
	}
}

function buildModernStores(options: {journalMode?: 'WAL' | 'DELETE'; keepOpen?: boolean} = {}): Database.Database {
	const db = createStore(globalDb(), [...agentComposerRows(), ...olderComposerRows(), ...subagentComposerRows()], [['composer.composerHeaders', composerHeaders()]], {journalMode: options.journalMode, blobValues: true});
	createWorkspace(path.join(userDir(), 'workspaceStorage', 'ws-older'), OLD_WORKSPACE_FOLDER, [COMPOSER_OLD]);
	if (options.keepOpen) openConnections.push(db);
	else db.close();
	return db;
}

async function readSession(sessions: NativeSession[], nativeId: string, ctx = context()): Promise<ReadResult> {
	const session = sessions.find(candidate => candidate.nativeId === nativeId);
	expect(session, `session ${nativeId} discovered`).toBeDefined();
	const result = await cursorAdapter.read({session: session!}, ctx);
	expectAllValid(result.messages);
	return result;
}

function blocks(messages: Message[], type: string): ContentBlock[] {
	return messages.flatMap(message => message.content.filter(block => block.type === type));
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-cursor-'));
	store = new Map();
});

afterEach(() => {
	for (const db of openConnections.splice(0)) db.close();
	fs.rmSync(home, {recursive: true, force: true});
});

describe('cursor: modern global store (hand-built cursorDiskKV)', () => {
	it('discovers composers with fingerprints, skipping empty drafts and marking sub-agents', async () => {
		buildModernStores();
		const sessions = await cursorAdapter.discover(context());
		expect(cursorAdapter.lastDiscoverWarnings).toEqual([]);
		const ids = sessions.map(session => session.nativeId).sort();
		expect(ids).toEqual([COMPOSER_AGENT, COMPOSER_OLD, COMPOSER_SUB].sort());
		expect(ids).not.toContain(COMPOSER_DRAFT);
		for (const session of sessions) expect(session).toMatchObject({tool: 'cursor', growth: 'rewrite', files: [globalDb()], fingerprint: expect.any(String)});
		expect(sessions.find(session => session.nativeId === COMPOSER_SUB)).toMatchObject({parentNativeId: COMPOSER_AGENT, agentId: COMPOSER_SUB});
		expect(sessions.find(session => session.nativeId === COMPOSER_AGENT)!.mtimeMs).toBe(1780000090000);
	});

	it('maps bubbles: text, images, thinking, tool calls paired with results, usage, model, unknown bubbles', async () => {
		buildModernStores();
		const sessions = await cursorAdapter.discover(context());
		const result = await readSession(sessions, COMPOSER_AGENT);
		expect(result.mode).toBe('full');
		const ids = result.messages.map(message => message.msg_id);
		expect(ids).toEqual(['u1', 'a1', 'a2', 'a2:result', 'a3', 'a3:result', 'a4', 'u2', 'a5', 'a5:result', 'x1', 'm1']);
		const byId = new Map(result.messages.map(message => [message.msg_id, message]));

		expect(byId.get('u1')).toMatchObject({role: 'user', timestamp: '2026-05-28T10:00:00.000Z', parent_msg_id: null, turn_id: 'u1'});
		expect(byId.get('u1')!.content).toEqual([
			{type: 'text', text: 'Add a test for the parser and run it'},
			{type: 'image', source: {type: 'path', data: '/home/dev/proj/screenshot.png', media_type: 'image/png'}},
		]);
		expect(byId.get('u1')!.metadata?.native).toMatchObject({checkpointId: 'cp-1', isAgentic: true});

		expect(byId.get('a1')!.content).toEqual([{type: 'thinking', text: 'The parser lives in src/parser.ts.', signature: 'sig-abc'}]);
		expect(byId.get('a1')).toMatchObject({role: 'assistant', parent_msg_id: 'u1', turn_id: 'u1', model: 'claude-4.5-sonnet-thinking'});

		expect(byId.get('a2')!.content).toEqual([{type: 'tool_use', tool_use_id: 'tool_edit_1', name: 'edit_file_v2', input: {relativeWorkspacePath: '/home/dev/proj/test/parser.test.ts', noCodeblock: true}}]);
		expect(byId.get('a2')).toMatchObject({stop_reason: 'tool_use', metadata: {native_tool: {tool: 38, toolIndex: 0}}});
		expect(byId.get('a2:result')).toMatchObject({role: 'tool', parent_msg_id: 'a2', metadata: {status: 'completed', native_result: {afterContentId: 'composer.content.1931'}, additional_data: {precomputedDiff: {lines: [{type: 'added'}]}}}});
		expect(byId.get('a2:result')!.content[0]).toMatchObject({type: 'tool_result', tool_use_id: 'tool_edit_1', is_error: false});

		expect(byId.get('a3:result')!.content).toEqual([{type: 'tool_result', tool_use_id: 'tool_term_1', content: '1 failing\n', is_error: true, exit_code: 1}]);
		expect(byId.get('a4')).toMatchObject({content: [{type: 'text', text: 'The new test fails as expected.'}], usage: {input_tokens: 1830, output_tokens: 95}, model: 'claude-4.5-sonnet-thinking'});

		// Zero token counts (what current Cursor writes) are not usage; timingInfo gives the time.
		expect(byId.get('a5')!.usage).toBeUndefined();
		expect(byId.get('a5')!.timestamp).toBe(new Date(1780000070000).toISOString());
		expect(byId.get('a5')!.turn_id).toBe('u2');
		expect(byId.get('a5')!.content).toEqual([{type: 'text', text: 'Searching.'}, {type: 'tool_use', tool_use_id: 'tool_rg_1', name: 'ripgrep_raw_search', input: {pattern: 'TODO'}}]);
		expect(byId.get('a5:result')!.content).toEqual([{type: 'tool_result', tool_use_id: 'tool_rg_1', content: '', is_error: true}]);

		// Every tool call has its result, paired by id.
		expect(blocks(result.messages, 'tool_result').map(block => (block as {tool_use_id: string}).tool_use_id)).toEqual(blocks(result.messages, 'tool_use').map(block => (block as {tool_use_id: string}).tool_use_id));

		expect(byId.get('x1')).toMatchObject({role: 'system', is_meta: true, content: [{type: 'native_record', record: {bubbleId: 'x1', type: 3}}]});
		expect(result.unknownRecords).toEqual({'bubble:type-3': 1});
		expect(byId.get('m1')).toMatchObject({role: 'assistant', is_meta: true, content: [{type: 'native_record', record: {capabilityType: 22}}]});

		expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/2 bubble\(s\) listed but not written yet/), expect.stringMatching(/1 bubble row\(s\) are not valid JSON/)]));
		for (const warning of result.warnings) expect(warning).not.toContain('\n');

		expect(result.info).toMatchObject({
			title: 'Add a failing test',
			cwd: WORKSPACE_FOLDER,
			gitBranch: 'feature/tests',
			model: 'claude-4.5-sonnet-thinking',
			createdAt: new Date(1780000000000).toISOString(),
			updatedAt: new Date(1780000090000).toISOString(),
			interface: 'ide',
		});
		expect(result.info.extra).toMatchObject({orphan_bubbles: 1, unifiedMode: 'agent', agentBackend: 'cursor-agent', contextTokensUsed: 20500});
		expect(result.info.extra).not.toHaveProperty('blobEncryptionKey');
		expect(JSON.stringify(result)).not.toContain('not-a-real-key');
		expect(result.workspace).toEqual({root_path: WORKSPACE_FOLDER});
		expect(result.tools?.tools_used).toEqual(['edit_file_v2', 'run_terminal_command_v2', 'ripgrep_raw_search']);

		const again = await cursorAdapter.read({session: sessions.find(session => session.nativeId === COMPOSER_AGENT)!}, context());
		expect(again.messages).toEqual(result.messages);
	});

	it('reads older composers with an inline conversation, taking cwd from the workspace DB that lists them', async () => {
		buildModernStores();
		const ctx = context();
		const sessions = await cursorAdapter.discover(ctx);
		const result = await readSession(sessions, COMPOSER_OLD, ctx);
		expect(result.messages.map(message => [message.msg_id, message.role, message.timestamp])).toEqual([
			['o1', 'user', new Date(1750000001000).toISOString()],
			['o2', 'assistant', new Date(1750000004000).toISOString()],
		]);
		expect(result.messages[1]!.metadata?.native).toMatchObject({codeBlocks: [{content: 'npm run build'}]});
		expect(result.info).toMatchObject({title: 'Explain the build', cwd: OLD_WORKSPACE_FOLDER});
	});

	it('marks a sub-agent composer as a sidechain of its parent', async () => {
		buildModernStores();
		const sessions = await cursorAdapter.discover(context());
		const result = await readSession(sessions, COMPOSER_SUB);
		expect(result.messages).toHaveLength(2);
		for (const message of result.messages) expect(message).toMatchObject({is_sidechain: true, agent_id: COMPOSER_SUB});
	});

	it('does no SQLite work and no copy when nothing changed, and re-fingerprints only what changed', async () => {
		buildModernStores();
		const ctx = context();
		const first = await cursorAdapter.discover(ctx);
		const copies = cursorIo.snapshotCopies;
		const opens = cursorIo.sqliteOpens;

		const cacheWrites: string[] = [];
		const second = await cursorAdapter.discover({...ctx, cache: {get: ctx.cache.get, set: (key, value) => {
			cacheWrites.push(key);
			ctx.cache.set(key, value);
		}}});
		expect(second).toEqual(first);
		expect(cacheWrites).toEqual([]);
		expect(cursorIo.snapshotCopies).toBe(copies);
		expect(cursorIo.sqliteOpens).toBe(opens);

		// Reading an unchanged store reuses the snapshot: an open, but no copy.
		await cursorAdapter.read({session: first.find(session => session.nativeId === COMPOSER_OLD)!}, ctx);
		expect(cursorIo.snapshotCopies).toBe(copies);

		const db = new Database(globalDb());
		putRows(db, 'cursorDiskKV', [[`bubbleId:${COMPOSER_AGENT}:u3`, {_v: 3, bubbleId: 'u3', type: 1, text: 'one more thing'}]]);
		db.close();
		const third = await cursorAdapter.discover(ctx);
		expect(cursorIo.snapshotCopies).toBe(copies + 1);
		const fingerprint = (sessions: NativeSession[], id: string) => sessions.find(session => session.nativeId === id)!.fingerprint;
		expect(fingerprint(third, COMPOSER_AGENT)).not.toBe(fingerprint(first, COMPOSER_AGENT));
		expect(fingerprint(third, COMPOSER_OLD)).toBe(fingerprint(first, COMPOSER_OLD));
		expect(fingerprint(third, COMPOSER_SUB)).toBe(fingerprint(first, COMPOSER_SUB));
		// Only one snapshot generation is kept per store.
		const snapshots = path.join(home, 'sfs-data', 'cache', 'cursor');
		// The workspace DB that only lists composer ids is not kept: only the global store's snapshot is.
		expect(fs.readdirSync(snapshots)).toHaveLength(1);
		for (const storeDir of fs.readdirSync(snapshots)) expect(fs.readdirSync(path.join(snapshots, storeDir))).toHaveLength(1);
	});
});

describe('cursor: never touches Cursor files', () => {
	it('reads uncheckpointed WAL data through a snapshot while Cursor holds the database open, creating nothing next to it', async () => {
		const writer = buildModernStores({journalMode: 'WAL', keepOpen: true});
		writer.pragma('wal_autocheckpoint = 0');
		putRows(writer, 'cursorDiskKV', [[`bubbleId:${COMPOSER_OLD}:ignored`, {_v: 3, bubbleId: 'ignored', type: 1, text: 'x'}]]);
		const walData = [
			[
				`composerData:e5000000-0000-4000-8000-000000000005`,
				{_v: 16, composerId: 'e5000000-0000-4000-8000-000000000005', name: 'Only in the WAL', createdAt: 1780000100000, lastUpdatedAt: 1780000100000, fullConversationHeadersOnly: [{bubbleId: 'w1', type: 1}]},
			],
			['bubbleId:e5000000-0000-4000-8000-000000000005:w1', {_v: 3, bubbleId: 'w1', type: 1, text: 'written after the last checkpoint', createdAt: '2026-05-28T11:00:00.000Z'}],
		] as Array<[string, unknown]>;
		putRows(writer, 'cursorDiskKV', walData);
		expect(fs.statSync(`${globalDb()}-wal`).size).toBeGreaterThan(0);

		const before = treeState(userDir());
		const sessions = await cursorAdapter.discover(context());
		const result = await readSession(sessions, 'e5000000-0000-4000-8000-000000000005');
		expect(result.messages.map(message => (message.content[0] as {text: string}).text)).toEqual(['written after the last checkpoint']);
		expect(treeState(userDir())).toEqual(before);
		// The writer is unaffected and can keep writing.
		putRows(writer, 'cursorDiskKV', [['bubbleId:e5000000-0000-4000-8000-000000000005:w2', {_v: 3, bubbleId: 'w2', type: 2, text: 'reply'}]]);
	});

	it('reads a database locked by an open write transaction without blocking or failing', async () => {
		const writer = buildModernStores({keepOpen: true});
		writer.exec('BEGIN EXCLUSIVE');
		putRows(writer, 'cursorDiskKV', [['composerData:f6000000-0000-4000-8000-000000000006', {composerId: 'f6', fullConversationHeadersOnly: [{bubbleId: 'z', type: 1}]}]]);
		const before = treeState(userDir());
		const sessions = await cursorAdapter.discover(context());
		expect(sessions.map(session => session.nativeId)).toContain(COMPOSER_AGENT);
		expect(sessions.map(session => session.nativeId)).not.toContain('f6000000-0000-4000-8000-000000000006');
		const result = await readSession(sessions, COMPOSER_AGENT);
		expect(result.messages.length).toBeGreaterThan(5);
		expect(treeState(userDir())).toEqual(before);
		writer.exec('ROLLBACK');
	});

	it('treats the read-only legacy fixture and transcripts the same way (no file created or changed)', async () => {
		fs.cpSync(path.join(fixtures, 'legacy-2024-workspaceStorage'), path.join(userDir(), 'workspaceStorage'), {recursive: true});
		fs.cpSync(path.join(fixtures, 'dot-cursor'), path.join(home, '.cursor'), {recursive: true});
		const before = {user: treeState(userDir()), dot: treeState(path.join(home, '.cursor'))};
		const sessions = await cursorAdapter.discover(context());
		for (const session of sessions) await cursorAdapter.read({session}, context());
		expect({user: treeState(userDir()), dot: treeState(path.join(home, '.cursor'))}).toEqual(before);
	});
});

describe('cursor: bad stores', () => {
	it('a corrupt database gives one warning, no sessions, and is not re-copied while unchanged', async () => {
		fs.mkdirSync(path.dirname(globalDb()), {recursive: true});
		fs.writeFileSync(globalDb(), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0xab)]));
		const ctx = context();
		expect(await cursorAdapter.discover(ctx)).toEqual([]);
		expect(cursorAdapter.lastDiscoverWarnings).toHaveLength(1);
		expect(cursorAdapter.lastDiscoverWarnings[0]).toMatch(/unreadable SQLite store/);
		expect(cursorAdapter.lastDiscoverWarnings[0]).not.toContain('\n');
		const copies = cursorIo.snapshotCopies;
		expect(await cursorAdapter.discover(ctx)).toEqual([]);
		expect(cursorIo.snapshotCopies).toBe(copies);
		expect(cursorAdapter.lastDiscoverWarnings).toHaveLength(1);
	});

	it('binary garbage, an empty file and a store without cursorDiskKV are skipped with a reason', async () => {
		fs.mkdirSync(path.dirname(globalDb()), {recursive: true});
		fs.writeFileSync(globalDb(), Buffer.from([0, 1, 2, 3, 255, 254]));
		await expect(cursorAdapter.discover(context())).resolves.toEqual([]);
		expect(cursorAdapter.lastDiscoverWarnings).toEqual([expect.stringMatching(/unreadable SQLite store/)]);

		fs.writeFileSync(globalDb(), '');
		await expect(cursorAdapter.discover(context())).resolves.toEqual([]);

		fs.rmSync(globalDb());
		const db = new Database(globalDb());
		db.exec('CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)');
		db.close();
		await expect(cursorAdapter.discover(context())).resolves.toEqual([]);
		expect(cursorAdapter.lastDiscoverWarnings).toEqual([expect.stringMatching(/no cursorDiskKV table/)]);
	});

	it('a composer that disappeared between discover and read yields a warning, not a crash', async () => {
		buildModernStores();
		const sessions = await cursorAdapter.discover(context());
		const db = new Database(globalDb());
		db.prepare('DELETE FROM cursorDiskKV WHERE key = ?').run(`composerData:${COMPOSER_SUB}`);
		db.close();
		const result = await cursorAdapter.read({session: sessions.find(session => session.nativeId === COMPOSER_SUB)!}, context());
		expect(result.messages).toEqual([]);
		expect(result.warnings).toEqual([expect.stringMatching(/conversation .* no longer in/)]);
	});

	it('a store or transcript that vanished after discover makes read throw one line (the engine skips it)', async () => {
		buildModernStores();
		fs.cpSync(path.join(fixtures, 'dot-cursor'), path.join(home, '.cursor'), {recursive: true});
		const sessions = await cursorAdapter.discover(context());
		fs.rmSync(path.join(userDir(), 'globalStorage'), {recursive: true});
		fs.rmSync(path.join(home, '.cursor', 'projects'), {recursive: true});
		for (const session of sessions.filter(candidate => candidate.nativeId === COMPOSER_AGENT || candidate.growth === 'append')) {
			const error = await cursorAdapter.read({session}, context()).then(() => undefined, (error_: unknown) => error_ as Error);
			expect(error).toBeInstanceOf(Error);
			expect(error!.message).not.toContain('\n');
		}
	});

	it('nothing installed: discover returns nothing', async () => {
		expect(await cursorAdapter.discover(context())).toEqual([]);
		expect(cursorAdapter.roots(context())[0]).toBe(path.join(home, '.config', 'Cursor', 'User', 'globalStorage'));
		expect(cursorAdapter.roots(context({XDG_CONFIG_HOME: path.join(home, 'xdg')}))[0]).toBe(path.join(home, 'xdg', 'Cursor', 'User', 'globalStorage'));
		expect(cursorAdapter.roots({...context(), platform: 'darwin'})[0]).toBe(path.join(home, 'Library', 'Application Support', 'Cursor', 'User', 'globalStorage'));
	});
});

describe('cursor: legacy 2024 workspace store (real, derived fixture)', () => {
	it('lists the chat tabs and inline composers and maps their bubbles', async () => {
		fs.cpSync(path.join(fixtures, 'legacy-2024-workspaceStorage'), path.join(userDir(), 'workspaceStorage'), {recursive: true});
		const sessions = await cursorAdapter.discover(context());
		expect(sessions.map(session => session.nativeId).sort()).toEqual(['55076a5c-1876-426b-90ff-36a3daa69fd7', '8128434b-c308-437a-8245-048c250113ac', 'b2ee92b8-c589-40ff-9dff-bf3b8f792ff9', 'cf2ead9f-6bf9-41d0-829e-a7fcae7ddb5a'].sort());

		const tab = await readSession(sessions, '8128434b-c308-437a-8245-048c250113ac');
		// 7 bubbles; the last is the empty, unsent input box.
		expect(tab.messages.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
		expect(tab.messages[0]).toMatchObject({msg_id: '16017b7f-8855-4691-9b16-1d4b4cce76d1', timestamp: new Date(1731816635625).toISOString(), metadata: {timestamp_estimated: true}});
		expect((tab.messages[0]!.content[0] as {text: string}).text).toMatch(/^For the code present, we get this error/);
		expect(tab.messages[1]).toMatchObject({model: 'claude-3.5-sonnet', metadata: {native: {requestId: '0c1e6170-e7c4-41fb-9d0a-4fc80231e15b'}}});
		expect(tab.info).toMatchObject({title: 'Resolving Module Not Found Error in Code', model: 'claude-3.5-sonnet', extra: {cursor_storage: 'legacy-chat-tab'}});

		const composer = await readSession(sessions, 'cf2ead9f-6bf9-41d0-829e-a7fcae7ddb5a');
		expect(composer.messages.map(message => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
		expect((composer.messages[0]!.content[0] as {text: string}).text).toBe('create a dedicated page for the copilot icon from the menu.\nThis will be a AI chat');
		expect(composer.info).toMatchObject({title: 'create a dedicated page for the copilot icon from the', createdAt: new Date(1731797537671).toISOString(), extra: {cursor_storage: 'legacy-inline-composer'}});
		expect(composer.warnings).toEqual([]);
	});
});

describe('cursor: agent transcripts', () => {
	function installTranscripts() {
		fs.cpSync(path.join(fixtures, 'dot-cursor'), path.join(home, '.cursor'), {recursive: true});
	}

	const mainId = 'aaaaaaaa-0000-0000-0000-000000000001';
	const mainFile = () => path.join(home, '.cursor', 'projects', 'd-1-yuyu-proj-cursor-history', 'agent-transcripts', mainId, `${mainId}.jsonl`);

	it('discovers transcripts and maps roles, unwrapped user queries and tool calls', async () => {
		installTranscripts();
		const sessions = await cursorAdapter.discover(context());
		const transcripts = sessions.filter(session => session.growth === 'append');
		expect(transcripts.map(session => session.nativeId).sort()).toEqual([mainId, 'bbbbbbbb-0000-0000-0000-000000000002']);

		const result = await readSession(sessions.filter(session => session.growth === 'append'), mainId);
		expect(result.mode).toBe('full');
		expect(result.recordsParsed).toBe(2);
		expect(result.messages.map(message => message.role)).toEqual(['user', 'assistant']);
		expect(result.messages[0]!.content).toEqual([{type: 'text', text: 'Read foo.txt'}]);
		expect(result.messages[0]!.metadata).toMatchObject({native_wrapper: 'user_query', timestamp_estimated: true});
		expect(result.messages[1]!.content).toEqual([{type: 'text', text: 'Reading the file.'}, {type: 'tool_use', tool_use_id: expect.stringMatching(/^[0-9a-f]{24}$/), name: 'Read', input: {path: '/tmp/foo.txt'}}]);
		expect(result.messages[1]!.parent_msg_id).toBe(result.messages[0]!.msg_id);
		expect(result.info.extra).toMatchObject({cursor_storage: 'agent-transcript', project_slug: 'd-1-yuyu-proj-cursor-history'});
	});

	it('reads only what was appended since the cursor, continuing the message chain', async () => {
		installTranscripts();
		const sessions = await cursorAdapter.discover(context());
		const session = sessions.find(candidate => candidate.nativeId === mainId)!;
		const first = await cursorAdapter.read({session}, context());

		const unchanged = await cursorAdapter.read({session, cursors: first.cursors, state: first.state}, context());
		expect(unchanged).toMatchObject({mode: 'incremental', messages: [], recordsParsed: 0});

		fs.appendFileSync(mainFile(), '{"role":"user","message":{"content":[{"type":"text","text":"<user_query>\\nthanks\\n</user_query>"}]}}\n{"role":"assistant","message":{"content":[{"type":"text","text":"half');
		const next = await cursorAdapter.read({session, cursors: first.cursors, state: first.state}, context());
		expect(next.mode).toBe('incremental');
		expect(next.recordsParsed).toBe(1);
		expect(next.messages).toHaveLength(1);
		expect(next.messages[0]).toMatchObject({role: 'user', content: [{type: 'text', text: 'thanks'}], parent_msg_id: first.messages[1]!.msg_id});
		// Same ids when the whole file is read again from scratch.
		const full = await cursorAdapter.read({session}, context());
		expect(full.messages.map(message => message.msg_id)).toEqual([...first.messages, ...next.messages].map(message => message.msg_id));
	});

	it('keeps error lines, redacted text, multi-part messages, sub-agents and unknown lines', async () => {
		const transcripts = path.join(home, '.cursor', 'projects', 'home-dev-x', 'agent-transcripts');
		const parent = 'cccccccc-0000-0000-0000-000000000003';
		fs.mkdirSync(path.join(transcripts, parent, 'subagents'), {recursive: true});
		const lines = [
			fs.readFileSync(path.join(fixtures, 'transcript-variants', 'error-line.jsonl'), 'utf8').trimEnd(),
			fs.readFileSync(path.join(fixtures, 'transcript-variants', 'multi-parts.jsonl'), 'utf8').trimEnd(),
			'{"type":"checkpoint","id":"c1"}',
			'{"role":"assistant","message":{"content":[{"type":"text"}]}}',
			'{not json',
		];
		fs.writeFileSync(path.join(transcripts, parent, `${parent}.jsonl`), `${lines.join('\n')}\n`);
		fs.copyFileSync(path.join(fixtures, 'agent-sessions-fixtures', 'subagent-session.jsonl'), path.join(transcripts, parent, 'subagents', 'sub-1.jsonl'));

		const sessions = await cursorAdapter.discover(context());
		expect(sessions.find(session => session.nativeId === 'sub-1')).toMatchObject({parentNativeId: parent, agentId: 'sub-1', growth: 'append'});
		const result = await readSession(sessions, parent);
		expect(result.messages.map(message => message.role)).toEqual(['user', 'system', 'assistant', 'assistant', 'system', 'assistant']);
		expect(result.messages[1]).toMatchObject({content: [{type: 'text', text: 'Provider Error: upstream timeout'}], metadata: {native_type: 'error'}});
		expect(result.messages[2]!.metadata).toMatchObject({redacted: true});
		expect(result.messages[3]!.content.map(block => (block as {name?: string}).name ?? block.type)).toEqual(['text', 'Grep', 'Glob']);
		expect(result.messages[4]).toMatchObject({is_meta: true, content: [{type: 'native_record', record: {type: 'checkpoint', id: 'c1'}}]});
		expect(result.messages[5]!.content).toEqual([{type: 'invalid_block', block: {type: 'text'}}]);
		expect(result.unknownRecords).toEqual({checkpoint: 1});
		expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/invalid JSON/), expect.stringMatching(/malformed content block/)]));

		const sub = await readSession(sessions, 'sub-1');
		expect(sub.messages).toHaveLength(3);
		for (const message of sub.messages) expect(message).toMatchObject({is_sidechain: true, agent_id: 'sub-1'});
	});

	it('a transcript of a composer the SQLite store holds is not listed twice', async () => {
		buildModernStores();
		const transcripts = path.join(home, '.cursor', 'projects', 'home-dev-proj', 'agent-transcripts', COMPOSER_AGENT);
		fs.mkdirSync(transcripts, {recursive: true});
		fs.copyFileSync(path.join(fixtures, 'agent-sessions-fixtures', 'test-session.jsonl'), path.join(transcripts, `${COMPOSER_AGENT}.jsonl`));
		const sessions = await cursorAdapter.discover(context());
		expect(sessions.filter(session => session.nativeId === COMPOSER_AGENT)).toHaveLength(1);
		expect(sessions.find(session => session.nativeId === COMPOSER_AGENT)!.files).toEqual([globalDb()]);
	});
});

describe('cursor: Cursor CLI chat stores', () => {
	const chatId = 'aaaaaaaa-0000-0000-0000-000000000001';
	const chatDir = () => path.join(home, '.cursor', 'chats', '46d408964d3ec2a21d9a23d01b13d82c', chatId);

	it('reads meta from the real-shaped fixture store (no blobs)', async () => {
		fs.cpSync(path.join(fixtures, 'dot-cursor', 'chats'), path.join(home, '.cursor', 'chats'), {recursive: true});
		expect(await cursorAdapter.discover(context())).toEqual([]); // meta.json alone: no conversation yet
		fs.copyFileSync(path.join(fixtures, 'agent-sessions-fixtures', 'test-store.db'), path.join(chatDir(), 'store.db'));
		const sessions = await cursorAdapter.discover(context());
		expect(sessions).toEqual([expect.objectContaining({nativeId: chatId, files: [path.join(chatDir(), 'store.db'), path.join(chatDir(), 'meta.json')], fingerprint: expect.any(String)})]);
		const result = await readSession(sessions, chatId);
		expect(result.messages).toEqual([]);
		// The fixture's root blob id ("deadbeef") has no blob: reported, not fatal.
		expect(result.warnings).toEqual([expect.stringMatching(/store\.db: 1 referenced blob\(s\) missing$/)]);
		expect(result.info).toMatchObject({title: 'Test Session', model: 'claude-4-sonnet', cwd: '/mnt/d/1_yuyu_proj/cursor-history', interface: 'cli', createdAt: new Date(1775522590321).toISOString()});
	});

	it('walks a hand-built blob graph (tree frames → JSON leaves) in order', async () => {
		const leaf = (value: unknown) => {
			const data = Buffer.from(JSON.stringify(value));
			return {id: createHash('sha256').update(data).digest('hex'), data};
		};

		const tree = (entries: Array<[number, string]>) => {
			const data = Buffer.concat(entries.map(([field, id]) => Buffer.concat([Buffer.from([(field << 3) | 2, 32]), Buffer.from(id, 'hex')])));
			return {id: createHash('sha256').update(data).digest('hex'), data};
		};

		const system = leaf({role: 'system', content: 'You are a coding agent.'});
		const user = leaf({role: 'user', content: [{type: 'text', text: 'list files'}]});
		const call = leaf({role: 'assistant', content: [{type: 'reasoning', text: 'use ls'}, {type: 'tool-call', toolCallId: 'call_1', toolName: 'Shell', args: {command: 'ls'}}]});
		const toolResult = leaf({role: 'tool', content: [{type: 'tool-result', toolCallId: 'call_1', toolName: 'Shell', result: {output: 'a.txt\n', exitCode: 0}}]});
		const odd = leaf({kind: 'marker'});
		const subtree = tree([[1, call.id], [1, toolResult.id]]);
		const root = tree([[1, system.id], [1, user.id], [2, subtree.id], [1, odd.id], [1, 'ff'.repeat(32)]]);
		expect(treeReferences(root.data)).toHaveLength(5);

		fs.mkdirSync(chatDir(), {recursive: true});
		fs.writeFileSync(path.join(chatDir(), 'meta.json'), JSON.stringify({schemaVersion: 1, createdAtMs: 1783737832293, cwd: '/work/x'}));
		const db = new Database(path.join(chatDir(), 'store.db'));
		db.exec('CREATE TABLE blobs (id TEXT PRIMARY KEY, data BLOB); CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);');
		const meta = {agentId: chatId, latestRootBlobId: root.id, name: 'List files', mode: 'default', createdAt: 1783737832293, lastUsedModel: 'gpt-5'};
		db.prepare('INSERT INTO meta VALUES (?, ?)').run('0', Buffer.from(JSON.stringify(meta)).toString('hex'));
		const insert = db.prepare('INSERT INTO blobs VALUES (?, ?)');
		for (const blob of [system, user, call, toolResult, odd, subtree, root]) insert.run(blob.id, blob.data);
		db.close();

		const sessions = await cursorAdapter.discover(context());
		const result = await readSession(sessions, chatId);
		expect(result.messages.map(message => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'system']);
		expect(result.messages.map(message => message.msg_id)).toEqual([system.id, user.id, call.id, toolResult.id, odd.id]);
		expect(result.messages[2]).toMatchObject({model: 'gpt-5', content: [{type: 'thinking', text: 'use ls', signature: null}, {type: 'tool_use', tool_use_id: 'call_1', name: 'Shell', input: {command: 'ls'}}]});
		expect(result.messages[3]!.content).toEqual([{type: 'tool_result', tool_use_id: 'call_1', content: 'a.txt\n', is_error: false}]);
		expect(result.messages[4]).toMatchObject({is_meta: true, content: [{type: 'native_record', record: {kind: 'marker'}}]});
		expect(result.unknownRecords).toEqual({'blob:no-role': 1});
		expect(result.warnings).toEqual([expect.stringMatching(/1 referenced blob\(s\) missing/)]);
		expect(result.info).toMatchObject({title: 'List files', cwd: '/work/x', model: 'gpt-5'});
	});
});

describe('cursor: through the engine capture loop', () => {
	it('captures every store, and a second capture of unchanged stores reads nothing', async () => {
		const {capture} = await import('../../source/engine/capture.js');
		const {SessionIndex} = await import('../../source/engine/index-db.js');
		const {Store} = await import('../../source/engine/store.js');
		const {indexPath} = await import('../../source/engine/paths.js');
		buildModernStores();
		fs.cpSync(path.join(fixtures, 'legacy-2024-workspaceStorage'), path.join(userDir(), 'workspaceStorage'), {recursive: true});
		fs.cpSync(path.join(fixtures, 'dot-cursor'), path.join(home, '.cursor'), {recursive: true});
		const env = context().env;
		const sfsStore = new Store(env);
		const index = SessionIndex.open(indexPath(env));
		try {
			const run = async () => capture({env, store: sfsStore, index, adapters: [cursorAdapter], config: {}});
			const first = await run();
			expect(first.skipped).toEqual([]);
			expect(first.new).toBe(9); // 3 composers, 4 legacy conversations, 2 transcripts
			expect(first.unknown_records).toEqual({cursor: expect.any(Object)});

			const copies = cursorIo.snapshotCopies;
			const opens = cursorIo.sqliteOpens;
			const second = await run();
			expect(second).toMatchObject({new: 0, updated: 0, unchanged: 9, records_parsed: 0});
			expect(cursorIo.snapshotCopies).toBe(copies);
			expect(cursorIo.sqliteOpens).toBe(opens);

			const db = new Database(globalDb());
			putRows(db, 'cursorDiskKV', [[`bubbleId:${COMPOSER_SUB}:s3`, {_v: 3, bubbleId: 's3', type: 1, text: 'and the lines?', createdAt: '2026-05-28T10:00:40.000Z'}]]);
			const sub = (db.prepare('SELECT value FROM cursorDiskKV WHERE key = ?').get(`composerData:${COMPOSER_SUB}`) as {value: Buffer}).value;
			const data = JSON.parse(sub.toString('utf8')) as {fullConversationHeadersOnly: unknown[]; lastUpdatedAt: number};
			data.fullConversationHeadersOnly.push({bubbleId: 's3', type: 1});
			data.lastUpdatedAt += 1000;
			putRows(db, 'cursorDiskKV', [[`composerData:${COMPOSER_SUB}`, data]]);
			db.close();
			const third = await run();
			expect(third).toMatchObject({new: 0, updated: 1, unchanged: 8});
		} finally {
			index.close();
		}
	});
});

describe('cursor: import of a file given by hand', () => {
	it('lists and reads the conversations of a state.vscdb, a transcript and a CLI store anywhere on disk', async () => {
		const backup = path.join(home, 'backup');
		const modern = path.join(backup, 'modern.vscdb');
		createStore(modern, [...agentComposerRows(), ...subagentComposerRows()], [['composer.composerHeaders', composerHeaders()]]).close();
		const modernSessions = await cursorSessionsForFile(modern, context());
		expect(modernSessions.map(session => session.nativeId).sort()).toEqual([COMPOSER_AGENT, COMPOSER_SUB].sort());
		const agent = await readSession(modernSessions, COMPOSER_AGENT);
		expect(agent.messages).toHaveLength(12);
		expect(agent.info.cwd).toBe(WORKSPACE_FOLDER);

		const legacy = path.join(backup, 'legacy.vscdb');
		fs.copyFileSync(path.join(fixtures, 'legacy-2024-workspaceStorage', 'f87f6e0b2cf1ae8645cc0c5ffaa99529', 'state.vscdb'), legacy);
		const legacySessions = await cursorSessionsForFile(legacy, context());
		expect(legacySessions).toHaveLength(4);
		const tab = await readSession(legacySessions, '55076a5c-1876-426b-90ff-36a3daa69fd7');
		expect(tab.messages.map(message => message.role)).toEqual(['user', 'assistant']);

		const transcript = path.join(fixtures, 'agent-sessions-fixtures', 'test-session.jsonl');
		const [transcriptSession] = await cursorSessionsForFile(transcript, context());
		expect(transcriptSession).toMatchObject({nativeId: 'test-session', growth: 'append'});
		const transcriptRead = await cursorAdapter.read({session: transcriptSession!}, context());
		expect(transcriptRead.messages.map(message => message.role)).toEqual(['user', 'assistant', 'assistant', 'user', 'assistant', 'assistant']);
		expectAllValid(transcriptRead.messages);

		const [cli] = await cursorSessionsForFile(path.join(fixtures, 'agent-sessions-fixtures', 'test-store.db'), context());
		expect(cli).toMatchObject({nativeId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890', files: [path.join(fixtures, 'agent-sessions-fixtures', 'test-store.db'), expect.any(String)]});
		expect((await cursorAdapter.read({session: cli!}, context())).info.title).toBe('Test Session');

		await expect(cursorSessionsForFile(path.join(backup, 'missing.vscdb'), context())).rejects.toThrow();
	});
});
