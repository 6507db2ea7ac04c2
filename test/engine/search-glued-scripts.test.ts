import Database from 'better-sqlite3';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SessionIndex} from '../../source/engine/index-db.js';
import {longestGluedRun, parseSearchQuery} from '../../source/engine/search-query.js';
import {MARK_END, MARK_START, buildSnippet} from '../../source/engine/search-snippet.js';
import {manifest, message, tempDir} from './index-fixtures.js';

// FTS5's unicode61 tokenizer makes one token of a whole run of Chinese, Japanese or Thai text (and of a
// Korean word with its particle), so such words are searched as substrings of the messages' text.
let index: SessionIndex;
const SESSION = 'ses_c1c0000000000001';

beforeEach(() => {
	index = SessionIndex.open(path.join(tempDir(), 'index.db'));
	index.transaction(() => {
		index.upsertSession(manifest(SESSION, {source: {tool: 'claude-code', original_session_id: 'n1'}}));
		index.addMessages(
			SESSION,
			[
				message('今日は東京タワーに行った。deploy は明日。', {msg_id: 'ja'}),
				message('我们在北京开会讨论接口设计', {msg_id: 'zh'}),
				message('서울에서 만나요', {msg_id: 'ko'}),
				message('ทดสอบระบบค้นหาภาษาไทย', {msg_id: 'th'}),
				message('Tokyo tower, in English only; deploy tomorrow', {msg_id: 'en'}),
				message('ヒルが出た', {msg_id: 'leech'}),
				message('帮我修复handleRateLimit函数，使用React组件，运行npm测试', {msg_id: 'zh-code'}),
				message('부산에서 만나요'.normalize('NFD'), {msg_id: 'ko-nfd'}),
			],
			1,
		);
	});
});

afterEach(() => index.close());

const ids = (query: string) => index.search(query).map(hit => hit.msg_id).sort();

describe('words of scripts written without spaces', () => {
	it('finds a word inside a sentence', () => {
		expect(ids('東京')).toEqual(['ja']);
		expect(ids('タワー')).toEqual(['ja']);
		expect(ids('北京')).toEqual(['zh']);
		expect(ids('接口设计')).toEqual(['zh']);
		expect(ids('서울')).toEqual(['ko']);
		expect(ids('ค้นหา')).toEqual(['th']);
	});

	it('finds nothing for a word that is not there', () => {
		expect(ids('大阪')).toEqual([]);
		expect(ids('東京駅')).toEqual([]);
	});

	it('keeps marks that change a word (a building is not a leech)', () => {
		expect(ids('ヒル')).toEqual(['leech']);
		expect(ids('ビル')).toEqual([]);
	});

	it('finds text stored decomposed (NFD) and pieces typed apart', () => {
		expect(ids('부산')).toEqual(['ko-nfd']);
		expect(ids('"東京、タワー"')).toEqual(['ja']);
	});

	it('combines with other words, all of which must match', () => {
		expect(ids('東京 deploy')).toEqual(['ja']);
		expect(ids('東京 tomorrow')).toEqual([]);
		expect(ids('deploy')).toEqual(['en', 'ja']);
		expect(ids('東京 dep*')).toEqual(['ja']);
	});

	it('keeps the scope of the search', () => {
		expect(index.search('東京', {sessionId: 'ses_0000000000000009'})).toEqual([]);
		expect(index.search('東京', {tools: ['codex']})).toEqual([]);
		expect(index.search('東京', {tools: ['claude-code']}).map(hit => hit.msg_id)).toEqual(['ja']);
	});

	it('marks the word in the snippet', () => {
		const [hit] = index.search('タワー');
		expect(hit!.snippet).toContain(`${MARK_START}タワー${MARK_END}`);
		expect(buildSnippet('ここは北京です', parseSearchQuery('北京').terms)).toBe(`ここは${MARK_START}北京${MARK_END}です`);
	});

	it('narrows the scan by a whole katakana word with its ー, not by one of its letters', () => {
		expect(longestGluedRun(parseSearchQuery('サーバー').terms)).toEqual(['サーバー', 'サーバー'.normalize('NFD')]);
		expect(longestGluedRun(parseSearchQuery('ﾕｰｻﾞｰ').terms)).toEqual(['ﾕｰｻﾞｰ']);
		expect(longestGluedRun(parseSearchQuery('メッセージ番号').terms)).toEqual(['メッセージ番号', 'メッセージ番号'.normalize('NFD')]);
		index.transaction(() => index.addMessages(SESSION, [message('サーバーを再起動した', {msg_id: 'server'}), message('サバの味噌煮', {msg_id: 'mackerel'})], 8));
		expect(ids('サーバー')).toEqual(['server']);
		expect(ids('サーバー 再起動')).toEqual(['server']);
	});

	it('finds an English word written against such text, as a word (the identifier-parts column holds it)', () => {
		expect(ids('React')).toEqual(['zh-code']);
		expect(ids('npm')).toEqual(['zh-code']);
		expect(ids('handleRateLimit')).toEqual(['zh-code']);
		expect(ids('"rate limit"')).toEqual(['zh-code']);
		expect(ids('eact')).toEqual([]);
		expect(ids('React*')).toEqual(['zh-code']);
	});

	it('leaves words of spaced scripts to the index', () => {
		expect(parseSearchQuery('東京').terms[0]!.substring).toEqual(['東京']);
		expect(parseSearchQuery('"東京、タワー"').terms[0]!.substring).toEqual(['東京', 'タワー']);
		expect(parseSearchQuery('tower').terms[0]!.substring).toBeUndefined();
		expect(parseSearchQuery('café').terms[0]!.substring).toBeUndefined();
		// A Latin word is still a whole token: "tow" is not found inside "tower".
		expect(ids('tow')).toEqual([]);
	});
});

describe('an index from before (schema version 1)', () => {
	it('is migrated by the first writer: messages with such text get their English words indexed', () => {
		const file = path.join(tempDir(), 'index.db');
		const old = SessionIndex.open(file);
		old.transaction(() => {
			old.upsertSession(manifest(SESSION));
			old.addMessages(SESSION, [message('使用React组件', {msg_id: 'glued'}), message('plain text about React', {msg_id: 'plain'})], 1);
		});
		old.close();
		// What version 1 indexed: the glued message without its English word in the identifier parts.
		const raw = new Database(file);
		const {id} = raw.prepare("SELECT id FROM messages WHERE msg_id = 'glued'").get() as {id: number};
		raw.prepare('DELETE FROM msg_fts WHERE rowid = ?').run(id);
		raw.prepare("INSERT INTO msg_fts (rowid, body, idparts) VALUES (?, '使用React组件', '')").run(id);
		raw.pragma('user_version = 1');
		raw.close();
		expect(() => SessionIndex.open(file, {readonly: true})).toThrow(/schema version 1/);

		const migrated = SessionIndex.open(file);
		try {
			expect(migrated.search('React').map(hit => hit.msg_id).sort()).toEqual(['glued', 'plain']);
			expect(migrated.search('plain').map(hit => hit.msg_id)).toEqual(['plain']);
		} finally {
			migrated.close();
		}

		const reader = SessionIndex.open(file, {readonly: true});
		expect(reader.search('React')).toHaveLength(2);
		reader.close();
	});
});
