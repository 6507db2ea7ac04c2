import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import {
	INDEX_SCHEMA_VERSION,
	SessionIndex,
	openIndexWithRepair,
	rebuildIndex,
	type StoredSession,
} from '../../source/engine/index-db.js';
import {manifest, message, tempDir} from './index-fixtures.js';

let dir: string;
let dbPath: string;
const opened: SessionIndex[] = [];

function open(options?: {readonly?: boolean; cacheKib?: number}): SessionIndex {
	const index = SessionIndex.open(dbPath, options);
	opened.push(index);
	return index;
}

function track(index: SessionIndex): SessionIndex {
	opened.push(index);
	return index;
}

beforeEach(() => {
	dir = tempDir();
	dbPath = path.join(dir, 'data', 'sfs', 'index.db');
});

afterEach(() => {
	for (const index of opened.splice(0)) index.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

function seedSessions(index: SessionIndex): void {
	index.upsertSession(
		manifest('ses_aaaa000000000001', {
			title: 'Fix the API rate limiter',
			tags: ['bug', 'api'],
			created_at: '2026-03-01T09:00:00.000Z',
			updated_at: '2026-03-05T09:00:00.000Z',
			source: {tool: 'claude-code', original_session_id: 'c1f0e2d3-0000-4000-8000-000000000001'},
			model: {model_id: 'claude-sonnet-4'},
			stats: {message_count: 40, total_input_tokens: 1000, total_output_tokens: 500},
			metadata: {alias: 'ratefix', cwd: '/home/u/work/api-server', first_prompt: 'fix the limiter'},
		}),
	);
	index.upsertSession(
		manifest('ses_aaaa000000000002', {
			title: 'Write docs',
			tags: ['docs'],
			created_at: '2026-02-01T09:00:00.000Z',
			updated_at: '2026-02-02T09:00:00.000Z',
			source: {tool: 'codex', original_session_id: 'rollout-2'},
			stats: {message_count: 400, total_input_tokens: 10, total_output_tokens: 10},
			metadata: {cwd: '/home/u/work/website', headless: true},
		}),
	);
	index.upsertSession(
		manifest('ses_bbbb000000000003', {
			title: 'Sub-agent of the first',
			created_at: '2026-03-02T09:00:00.000Z',
			updated_at: '2026-03-02T10:00:00.000Z',
			source: {tool: 'claude-code', original_session_id: 'agent-3'},
			parent_session_id: 'ses_aaaa000000000001',
			stats: {message_count: 5, total_input_tokens: 90_000, total_output_tokens: 1},
			metadata: {cwd: '/home/u/work/api-server', subagent: {parent_native_id: 'c1f0e2d3', agent_id: 'a1'}},
		}),
	);
	index.upsertSession(
		manifest('ses_cccc000000000004', {
			title: 'Gemini chat',
			created_at: '2026-01-10T09:00:00.000Z',
			updated_at: '2026-04-01T09:00:00.000Z',
			source: {tool: 'gemini', original_session_id: 'rollout-2'},
			stats: {message_count: 12, total_input_tokens: 3000, total_output_tokens: 3000},
			metadata: {cwd: '/srv/other'},
		}),
	);
}

const ids = (rows: Array<{session_id: string}>): string[] => rows.map(row => row.session_id);

describe('SessionIndex.open', () => {
	it('creates private directories, a private file, WAL and the current schema version', () => {
		const index = open();
		expect(fs.statSync(path.dirname(dbPath)).mode & 0o777).toBe(0o700);
		expect(fs.statSync(dbPath).mode & 0o777).toBe(0o600);
		index.close();
		const raw = new Database(dbPath, {readonly: true});
		expect(raw.pragma('journal_mode', {simple: true})).toBe('wal');
		expect(raw.pragma('user_version', {simple: true})).toBe(INDEX_SCHEMA_VERSION);
		raw.close();
	});

	it('throws SfsError DB for a file that is not a database', () => {
		fs.mkdirSync(path.dirname(dbPath), {recursive: true});
		fs.writeFileSync(dbPath, Buffer.alloc(8192, 0x5a));
		expect(() => SessionIndex.open(dbPath)).toThrowError(SfsError);
		try {
			SessionIndex.open(dbPath);
		} catch (error) {
			expect((error as SfsError).code).toBe('DB');
		}
	});

	it('throws SfsError DB for another schema version', () => {
		open().close();
		const raw = new Database(dbPath);
		raw.pragma('user_version = 99');
		raw.close();
		expect(() => SessionIndex.open(dbPath)).toThrowError(/schema version 99/);
	});

	it('opens read-only: reads work, writes are refused, a missing file is an error', () => {
		const writer = open();
		seedSessions(writer);
		const reader = open({readonly: true});
		expect(reader.listSessions({}).length).toBe(3);
		expect(() => reader.upsertSession(manifest('ses_dddd000000000005'))).toThrowError(/read-only/);
		expect(() => reader.setMeta('k', 1)).toThrowError(SfsError);
		expect(() => SessionIndex.open(path.join(dir, 'missing.db'), {readonly: true})).toThrowError(SfsError);
		expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
	});
});

describe('sessions', () => {
	it('maps manifest fields onto a row', () => {
		const index = open();
		seedSessions(index);
		expect(index.getSession('ses_aaaa000000000001')).toEqual({
			session_id: 'ses_aaaa000000000001',
			alias: 'ratefix',
			title: 'Fix the API rate limiter',
			tool: 'claude-code',
			native_id: 'c1f0e2d3-0000-4000-8000-000000000001',
			cwd: '/home/u/work/api-server',
			model: 'claude-sonnet-4',
			created_at: '2026-03-01T09:00:00.000Z',
			updated_at: '2026-03-05T09:00:00.000Z',
			message_count: 40,
			input_tokens: 1000,
			output_tokens: 500,
			tags: ['bug', 'api'],
			parent_session_id: null,
			is_subagent: false,
			is_headless: false,
			first_prompt: 'fix the limiter',
		});
		const sub = index.getSession('ses_bbbb000000000003')!;
		expect(sub.is_subagent).toBe(true);
		expect(sub.parent_session_id).toBe('ses_aaaa000000000001');
		expect(index.getSession('ses_aaaa000000000002')!.is_headless).toBe(true);
		expect(index.getSession('ses_nope')).toBeUndefined();
	});

	it('upsert updates in place', () => {
		const index = open();
		seedSessions(index);
		index.upsertSession(manifest('ses_aaaa000000000001', {title: 'Renamed', tags: ['x'], metadata: {alias: 'other'}}));
		expect(index.listSessions({includeSubagents: true}).length).toBe(4);
		const row = index.getSession('ses_aaaa000000000001')!;
		expect(row.title).toBe('Renamed');
		expect(row.tags).toEqual(['x']);
		expect(index.findByAlias('ratefix')).toEqual([]);
		expect(index.findByAlias('other')).toEqual(['ses_aaaa000000000001']);
	});

	it('lists newest-updated first and hides sub-agents by default', () => {
		const index = open();
		seedSessions(index);
		expect(ids(index.listSessions({}))).toEqual(['ses_cccc000000000004', 'ses_aaaa000000000001', 'ses_aaaa000000000002']);
		expect(ids(index.listSessions({includeSubagents: true}))).toEqual([
			'ses_cccc000000000004',
			'ses_aaaa000000000001',
			'ses_bbbb000000000003',
			'ses_aaaa000000000002',
		]);
	});

	it('filters by tool, project, tag, headless and time', () => {
		const index = open();
		seedSessions(index);
		expect(ids(index.listSessions({tools: ['codex', 'gemini']}))).toEqual(['ses_cccc000000000004', 'ses_aaaa000000000002']);
		expect(ids(index.listSessions({tool: 'codex'}))).toEqual(['ses_aaaa000000000002']);
		expect(ids(index.listSessions({tools: ['amp']}))).toEqual([]);
		expect(ids(index.listSessions({project: 'api-server', includeSubagents: true}))).toEqual([
			'ses_aaaa000000000001',
			'ses_bbbb000000000003',
		]);
		expect(ids(index.listSessions({project: 'work/web'}))).toEqual(['ses_aaaa000000000002']);
		expect(ids(index.listSessions({project: '100%'}))).toEqual([]);
		expect(ids(index.listSessions({tag: 'api'}))).toEqual(['ses_aaaa000000000001']);
		expect(ids(index.listSessions({tag: 'ap'}))).toEqual([]);
		expect(ids(index.listSessions({headless: 'only'}))).toEqual(['ses_aaaa000000000002']);
		expect(ids(index.listSessions({headless: 'exclude'}))).toEqual(['ses_cccc000000000004', 'ses_aaaa000000000001']);
		// since: updated at or after; until: created at or before.
		expect(ids(index.listSessions({since: new Date('2026-03-01T00:00:00Z')}))).toEqual([
			'ses_cccc000000000004',
			'ses_aaaa000000000001',
		]);
		expect(ids(index.listSessions({until: new Date('2026-02-15T00:00:00Z')}))).toEqual([
			'ses_cccc000000000004',
			'ses_aaaa000000000002',
		]);
		expect(
			ids(index.listSessions({since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-02-15T00:00:00Z')})),
		).toEqual(['ses_cccc000000000004']);
	});

	it('sorts by created, messages and tokens, and limits', () => {
		const index = open();
		seedSessions(index);
		expect(ids(index.listSessions({sort: 'created'}))).toEqual([
			'ses_aaaa000000000001',
			'ses_aaaa000000000002',
			'ses_cccc000000000004',
		]);
		expect(ids(index.listSessions({sort: 'messages'}))).toEqual([
			'ses_aaaa000000000002',
			'ses_aaaa000000000001',
			'ses_cccc000000000004',
		]);
		expect(ids(index.listSessions({sort: 'tokens', includeSubagents: true}))).toEqual([
			'ses_bbbb000000000003',
			'ses_cccc000000000004',
			'ses_aaaa000000000001',
			'ses_aaaa000000000002',
		]);
		expect(ids(index.listSessions({sort: 'updated', limit: 1}))).toEqual(['ses_cccc000000000004']);
		expect(index.listSessions({limit: 0})).toEqual([]);
	});

	it('finds ref candidates by alias, native id and id prefix', () => {
		const index = open();
		seedSessions(index);
		expect(index.findByAlias('ratefix')).toEqual(['ses_aaaa000000000001']);
		expect(index.findByAlias('nope')).toEqual([]);
		expect(index.findByNativeId('rollout-2')).toEqual(['ses_aaaa000000000002', 'ses_cccc000000000004']);
		expect(index.findByNativeId('agent-3')).toEqual(['ses_bbbb000000000003']);
		expect(index.findByIdPrefix('ses_aaaa')).toEqual(['ses_aaaa000000000001', 'ses_aaaa000000000002']);
		expect(index.findByIdPrefix('ses_cccc000000000004')).toEqual(['ses_cccc000000000004']);
		expect(index.findByIdPrefix('ses_d')).toEqual([]);
		expect(index.findByIdPrefix('')).toEqual([]);
	});

	it('does not list a session that only has messages (no manifest yet)', () => {
		const index = open();
		index.addMessages('ses_eeee000000000005', [message('orphan words here')], 1);
		expect(index.listSessions({includeSubagents: true})).toEqual([]);
		expect(index.getSession('ses_eeee000000000005')).toBeUndefined();
		expect(index.search('orphan', {}).map(hit => hit.session_id)).toEqual(['ses_eeee000000000005']);
		index.upsertSession(manifest('ses_eeee000000000005'));
		expect(ids(index.listSessions({}))).toEqual(['ses_eeee000000000005']);
	});

	it('removes a session with its messages, leaving others', () => {
		const index = open();
		seedSessions(index);
		index.addMessages('ses_aaaa000000000001', [message('zebra one'), message('zebra two')], 1);
		index.addMessages('ses_aaaa000000000002', [message('zebra three')], 1);
		expect(index.search('zebra', {}).length).toBe(3);
		index.removeSession('ses_aaaa000000000001');
		expect(index.getSession('ses_aaaa000000000001')).toBeUndefined();
		expect(index.search('zebra', {}).map(hit => hit.session_id)).toEqual(['ses_aaaa000000000002']);
		expect(index.stats()).toMatchObject({sessions: 3, messages: 1});
		expect(index.integrityOk()).toBe(true);
		index.removeSession('ses_not_there');
		expect(index.stats().sessions).toBe(3);
	});

	it('re-adding a position replaces the message instead of duplicating it', () => {
		const index = open();
		index.upsertSession(manifest('ses_ffff000000000006'));
		index.addMessages('ses_ffff000000000006', [message('alpha'), message('beta')], 1);
		index.addMessages('ses_ffff000000000006', [message('gamma')], 2);
		expect(index.stats().messages).toBe(2);
		expect(index.search('beta', {})).toEqual([]);
		expect(index.search('gamma', {}).map(hit => hit.position)).toEqual([2]);
		expect(index.integrityOk()).toBe(true);
		expect(() => index.addMessages('ses_ffff000000000006', [message('x')], 0)).toThrowError(SfsError);
	});

	it('batches writes in one transaction and rolls back on error', () => {
		const index = open();
		expect(() =>
			index.transaction(() => {
				index.upsertSession(manifest('ses_1000000000000001'));
				index.addMessages('ses_1000000000000001', [message('rolled back')], 1);
				throw new Error('boom');
			}),
		).toThrowError('boom');
		expect(index.stats()).toMatchObject({sessions: 0, messages: 0});
		const result = index.transaction(() => {
			index.upsertSession(manifest('ses_1000000000000001'));
			index.addMessages('ses_1000000000000001', [message('kept')], 1);
			return 42;
		});
		expect(result).toBe(42);
		expect(index.search('kept', {}).length).toBe(1);
	});

	it('reports stats', () => {
		const index = open();
		seedSessions(index);
		index.addMessages('ses_aaaa000000000001', [message('one'), message('two'), message('three')], 1);
		const stats = index.stats();
		expect(stats.sessions).toBe(4);
		expect(stats.messages).toBe(3);
		expect(stats.bytes).toBeGreaterThan(4096);
	});
});

describe('page cache', () => {
	const cacheSize = (index: SessionIndex) => (index as unknown as {db: Database.Database}).db.pragma('cache_size', {simple: true});

	it('is 32 MB for a writer unless cacheKib asks for another size, and small for a reader', () => {
		expect(cacheSize(open())).toBe(-32_000);
		expect(cacheSize(open({cacheKib: 4096}))).toBe(-4096);
		expect(cacheSize(open({readonly: true}))).toBeGreaterThan(-32_000);
	});
});

describe('meta', () => {
	it('stores JSON values by key, survives reopening, and deletes with undefined', () => {
		const index = open();
		expect(index.getMeta('cursors')).toBeUndefined();
		index.setMeta('cursors', {a: 1, list: [1, 'two']});
		index.setMeta('count', 3);
		index.setMeta('count', 4);
		index.close();
		const again = open();
		expect(again.getMeta('cursors')).toEqual({a: 1, list: [1, 'two']});
		expect(again.getMeta('count')).toBe(4);
		again.setMeta('count', undefined);
		expect(again.getMeta('count')).toBeUndefined();
	});

	it('reads raw values by key prefix and writes many in one call (undefined deletes)', () => {
		const index = open();
		index.setMetaRaw([
			['cur:b', 'two'],
			['cur:a', 'one'],
			['cur;', 'just past the prefix'],
			['other', 'x'],
		]);
		expect(index.metaByPrefix('cur:')).toEqual([
			{key: 'cur:a', value: 'one'},
			{key: 'cur:b', value: 'two'},
		]);
		index.setMetaRaw([
			['cur:a', undefined],
			['cur:c', 'three'],
		]);
		expect(index.metaByPrefix('cur:').map(entry => entry.key)).toEqual(['cur:b', 'cur:c']);
		expect(index.metaByPrefix('nothing:')).toEqual([]);
	});
});

function storeOf(count: number, word: string): StoredSession[] {
	return Array.from({length: count}, (_, i) => ({
		manifest: manifest(`ses_${(i + 1).toString(16).padStart(16, '0')}`, {metadata: {alias: `s${i}`}}),
		messages: [message(`${word} message ${i}`), message(`second ${word}`)],
	}));
}

describe('rebuildIndex', () => {
	it('builds into a temporary file and renames it over the index', () => {
		const old = open();
		old.upsertSession(manifest('ses_0ld0000000000001'));
		old.addMessages('ses_0ld0000000000001', [message('stale words')], 1);
		old.close();
		const seenDuringBuild: number[] = [];
		const sessions = storeOf(3, 'fresh');
		function* loadWhileWatching(): Generator<StoredSession> {
			for (const session of sessions) {
				// A reader opening the index mid-build still sees the old, complete index.
				const reader = SessionIndex.open(dbPath, {readonly: true});
				seenDuringBuild.push(reader.listSessions({}).length);
				reader.close();
				yield session;
			}
		}

		const index = track(rebuildIndex(dbPath, loadWhileWatching()));
		expect(seenDuringBuild).toEqual([1, 1, 1]);
		expect(index.listSessions({}).length).toBe(3);
		expect(index.search('stale', {})).toEqual([]);
		expect(index.search('fresh', {}).length).toBe(6);
		expect(index.findByAlias('s1')).toEqual(['ses_0000000000000002']);
		const leftovers = fs.readdirSync(path.dirname(dbPath)).filter(name => name.includes('rebuild'));
		expect(leftovers).toEqual([]);
		expect(fs.statSync(dbPath).mode & 0o777).toBe(0o600);
		expect(index.integrityOk()).toBe(true);
	});

	it('leaves the old index in place when loading the store fails', () => {
		const old = open();
		old.upsertSession(manifest('ses_0ld0000000000001'));
		old.close();
		function* failing(): Generator<StoredSession> {
			yield storeOf(1, 'x')[0]!;
			throw new Error('store unreadable');
		}

		expect(() => rebuildIndex(dbPath, failing())).toThrowError('store unreadable');
		const index = open();
		expect(ids(index.listSessions({}))).toEqual(['ses_0ld0000000000001']);
		expect(fs.readdirSync(path.dirname(dbPath)).filter(name => name.includes('rebuild'))).toEqual([]);
	});
});

describe('openIndexWithRepair', () => {
	it('opens a healthy index without touching the store', () => {
		const first = open();
		first.upsertSession(manifest('ses_0000000000000001'));
		first.close();
		let loads = 0;
		const {index, rebuilt, reason} = openIndexWithRepair(dbPath, () => {
			loads++;
			return [];
		});
		track(index);
		expect(rebuilt).toBe(false);
		expect(reason).toBeUndefined();
		expect(loads).toBe(0);
		expect(index.listSessions({}).length).toBe(1);
	});

	it('builds a missing index from the store', () => {
		const {index, rebuilt, reason} = openIndexWithRepair(dbPath, () => storeOf(2, 'kiwi'));
		track(index);
		expect(rebuilt).toBe(true);
		expect(reason).toMatch(/missing/);
		expect(index.search('kiwi', {}).length).toBe(4);
	});

	it('rebuilds an empty (never initialised) index file', () => {
		fs.mkdirSync(path.dirname(dbPath), {recursive: true});
		fs.writeFileSync(dbPath, '');
		const {index, rebuilt, reason} = openIndexWithRepair(dbPath, () => storeOf(1, 'fig'));
		track(index);
		expect(rebuilt).toBe(true);
		expect(reason).toBe('index empty');
		expect(index.search('fig', {}).length).toBe(2);
	});

	it('rebuilds an index overwritten with garbage bytes', () => {
		const first = open();
		first.upsertSession(manifest('ses_0000000000000009'));
		first.close();
		fs.writeFileSync(dbPath, Buffer.from('this is definitely not an SQLite database '.repeat(300)));
		const {index, rebuilt, reason} = openIndexWithRepair(dbPath, () => storeOf(2, 'mango'));
		track(index);
		expect(rebuilt).toBe(true);
		expect(reason).toMatch(/not a database/);
		expect(index.listSessions({}).length).toBe(2);
		expect(index.search('mango', {}).length).toBe(4);
		expect(index.integrityOk()).toBe(true);
	});

	it('rebuilds an index whose header survived but whose pages are garbage', () => {
		const first = open();
		first.transaction(() => {
			for (const session of storeOf(50, 'papaya')) {
				first.upsertSession(session.manifest);
				first.addMessages(session.manifest.session_id, session.messages, 1);
			}
		});
		first.checkpoint();
		first.close();
		const bytes = fs.readFileSync(dbPath);
		// Keep the 100-byte header, overwrite the schema page and the rest.
		bytes.fill(0xa5, 100);
		fs.writeFileSync(dbPath, bytes);
		const {index, rebuilt, reason} = openIndexWithRepair(dbPath, () => storeOf(1, 'guava'));
		track(index);
		expect(rebuilt).toBe(true);
		expect(reason).toMatch(/malformed|not a database|corrupt/i);
		expect(index.search('guava', {}).length).toBe(2);
	});

	it('rebuilds an index from another schema version', () => {
		open().close();
		const raw = new Database(dbPath);
		raw.pragma('user_version = 0');
		raw.close();
		const older = openIndexWithRepair(dbPath, () => storeOf(1, 'plum'));
		track(older.index);
		expect(older.rebuilt).toBe(true);
		expect(older.reason).toMatch(/schema version/);
		older.index.close();

		const newer = new Database(dbPath);
		newer.pragma(`user_version = ${INDEX_SCHEMA_VERSION + 1}`);
		newer.close();
		const repaired = openIndexWithRepair(dbPath, () => storeOf(1, 'pear'));
		track(repaired.index);
		expect(repaired.rebuilt).toBe(true);
		expect(repaired.reason).toMatch(new RegExp(`schema version ${INDEX_SCHEMA_VERSION + 1}`));
		expect(repaired.index.search('pear', {}).length).toBe(2);
	});
});

describe('nested transactions', () => {
	it('join the outer transaction, so a failure anywhere rolls back everything', () => {
		const index = open();
		expect(() =>
			index.transaction(() => {
				index.transaction(() => index.upsertSession(manifest('ses_2000000000000001')));
				index.upsertSession(manifest('ses_2000000000000002'));
				throw new Error('outer fails');
			}),
		).toThrowError('outer fails');
		expect(index.stats().sessions).toBe(0);
		index.transaction(() => {
			index.transaction(() => index.upsertSession(manifest('ses_2000000000000001')));
		});
		expect(index.stats().sessions).toBe(1);
	});
});

describe('storage settings', () => {
	it('creates the file with 8 KB pages', () => {
		const index = open();
		index.close();
		const raw = new Database(dbPath, {readonly: true});
		expect(raw.pragma('page_size', {simple: true})).toBe(8192);
		raw.close();
	});
});
