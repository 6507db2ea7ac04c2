/**
 * Prefix terms are found by reading the newest messages and testing them in JS (search-verify.ts)
 * or by a relaxed FTS5 expression plus that test, instead of FTS5's prefix merge. Whatever path a
 * query takes, it must find exactly what the plain FTS5 expression finds (the newest
 * SEARCH_CANDIDATE_LIMIT of it): checked here against FTS5 itself on a generated corpus.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {SEARCH_CANDIDATE_LIMIT, SessionIndex, firstCharacters} from '../../source/engine/index-db.js';
import {parseSearchQuery, relaxedMatch} from '../../source/engine/search-query.js';
import {foldText, termTest} from '../../source/engine/search-verify.js';
import {manifest, message, tempDir} from './index-fixtures.js';

const WORDS = [
	'the', 'then', 'there', 'they', 'theme', 'else', 'elseif', 'inside', 'item', 'index', 'config', 'configure', 'conf',
	'rate', 'limit', 'handleRateLimit', 'doElseIf', 'ElseItem', 'isElse', 'else_if', 'src/api/the_file.ts', 'café', 'naïve',
	'Über', 'x', 'a1', 'HTTPServer', 'getV2Users', 'rate-limit', 'Rate', 'LIMIT', 'thé',
	// Words written together inside other words, at a camelCase boundary or not (search-verify.ts mayStartPart).
	'layout', 'getYourName', 'youth', 'XMLHttpRequest', 'bathe', 'somelseif', 'myelseItem', 'ABCElseIf', 'v2ElseI', 'yourLayoutYOUR',
];
const QUERIES = [
	'the*', 'th*', 't*', 'ElseI*', 'elseI*', 'ElseIt*', 'conf*', 'Conf*', 'handleRate*', 'RateL*', '"rate li"*', 'cafe*', 'ub*',
	'rate the*', 'inside ElseI*', '"the file"*', 'HTTPS*', 'getV*', 'V2*', 'naive*', 'x*', 'zzz*', 'limit rate*',
	'you*', 'out*', 'http*', 'Request*', 'name*', 'lay*', 'ElseIf*', 'youR*', 'YourN*',
];

function corpus(size: number, seed: number): string[] {
	let state = seed;
	const random = () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};

	return Array.from({length: size}, () => {
		const length = 3 + Math.floor(random() * 12);
		return Array.from({length}, () => WORDS[Math.floor(random() * random() * WORDS.length)]!).join(random() < 0.5 ? ' ' : ', ');
	});
}

type Built = {dir: string; index: SessionIndex; oracle: Database.Database};

function build(texts: string[]): Built {
	const dir = tempDir();
	const file = path.join(dir, 'index.db');
	const index = SessionIndex.open(file);
	index.transaction(() => {
		// Several sessions, so that the newest-first order crosses session boundaries.
		for (let session = 0; session < 4; session++) {
			const id = `ses_prefix${String(session).padStart(10, '0')}`;
			index.upsertSession(manifest(id, {source: {tool: session % 2 === 0 ? 'codex' : 'gemini', original_session_id: id}}));
			const mine = texts.filter((_, i) => i % 4 === session);
			index.addMessages(id, mine.map((text, i) => message(text, {msg_id: `${id}-${i + 1}`, timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()})), 1);
		}
	});
	return {dir, index, oracle: new Database(file, {readonly: true})};
}

/** What FTS5 itself finds for the query: the newest SEARCH_CANDIDATE_LIMIT matches' msg ids. */
function ftsFinds(oracle: Database.Database, query: string, sessionPrefix?: string): string[] {
	const {match} = parseSearchQuery(query);
	const rows = oracle
		.prepare(`SELECT m.msg_id FROM messages m WHERE m.id IN (SELECT rowid FROM msg_fts WHERE msg_fts MATCH ?) ORDER BY m.id DESC`)
		.pluck()
		.all(match) as string[];
	return rows.filter(id => sessionPrefix === undefined || id.startsWith(sessionPrefix)).slice(0, SEARCH_CANDIDATE_LIMIT).sort();
}

function searchFinds(index: SessionIndex, query: string, sessionId?: string): string[] {
	return index.search(query, {limit: SEARCH_CANDIDATE_LIMIT, sessionId}).map(hit => hit.msg_id).sort();
}

describe.each([
	['a small index (read whole)', 600],
	['a large index (common prefixes read, rare ones asked of FTS5)', 5000],
])('prefix search on %s', (_name, size) => {
	let built: Built;
	beforeAll(() => {
		built = build(corpus(size, size));
	});

	afterAll(() => {
		built.oracle.close();
		built.index.close();
		fs.rmSync(built.dir, {recursive: true, force: true});
	});

	it.each(QUERIES)('%s finds what FTS5 finds', query => {
		const expected = ftsFinds(built.oracle, query);
		expect(searchFinds(built.index, query)).toEqual(expected);
	});

	it('keeps to the tools and the time asked for', () => {
		const since = new Date(Date.UTC(2026, 0, 1) + 100 * 60_000);
		let withHits = 0;
		for (const query of ['the*', 'ElseI*', 'zzz*', 'Fle*']) {
			const {match} = parseSearchQuery(query);
			const expected = (
				built.oracle
					.prepare(`SELECT m.msg_id FROM messages m JOIN sessions s ON s.sid = (m.id >> 32)
						WHERE m.id IN (SELECT rowid FROM msg_fts WHERE msg_fts MATCH ?) AND s.tool = 'gemini' AND m.ts_ms >= ? ORDER BY m.id DESC`)
					.pluck()
					.all(match, since.getTime()) as string[]
			)
				.slice(0, SEARCH_CANDIDATE_LIMIT)
				.sort();
			const hits = built.index.search(query, {limit: SEARCH_CANDIDATE_LIMIT, tools: ['gemini'], since});
			expect(hits.map(hit => hit.msg_id).sort(), query).toEqual(expected);
			if (expected.length > 0) withHits++;
		}

		expect(withHits).toBeGreaterThanOrEqual(2);
	});

	it('keeps to one session', () => {
		const sessionId = 'ses_prefix0000000002';
		for (const query of ['the*', 'ElseI*', 'zzz*']) expect(searchFinds(built.index, query, sessionId)).toEqual(ftsFinds(built.oracle, query, sessionId));
	});
});

/** Phrases of three or more words are narrowed by a NEAR of two of their words and tested in JS (SessionIndex.nearTestedMatches). */
const PHRASES = [
	'src/api/the_file.ts', 'api/the_file', '"the rate limit"', '"rate limit the"', '"the the the"', '"else if the"', 'handle_rate_limit',
	'"x a1 x"', 'the_file.ts', '"rate limit rate"', 'src/api/nothing_here.ts', '"conf the src"', '"the x the"',
];

describe.each([
	['a small index', 600],
	['a larger index (some NEAR conditions leave too many to test)', 5000],
])('phrases of three or more words on %s', (_name, size) => {
	let built: Built;
	beforeAll(() => {
		// Identifier parts too: `srcApiTheFile` holds the phrase "src api the file" in its parts only.
		built = build(corpus(size, size + 1).map((text, i) => (i % 97 === 3 ? `${text} srcApiTheFile` : i % 89 === 5 ? `${text} café src api thé file` : text)));
	});

	afterAll(() => {
		built.oracle.close();
		built.index.close();
		fs.rmSync(built.dir, {recursive: true, force: true});
	});

	it.each(PHRASES)('%s finds what FTS5 finds', query => {
		expect(searchFinds(built.index, query)).toEqual(ftsFinds(built.oracle, query));
	});

	it('finds phrases held only in identifier parts, and keeps to the tools and time asked for', () => {
		expect(searchFinds(built.index, 'src/api/the_file').length).toBeGreaterThan(0);
		const since = new Date(Date.UTC(2026, 0, 1) + 50 * 60_000);
		const {match} = parseSearchQuery('src/api/the_file');
		const expected = built.oracle
			.prepare(`SELECT m.msg_id FROM messages m JOIN sessions s ON s.sid = (m.id >> 32)
				WHERE m.id IN (SELECT rowid FROM msg_fts WHERE msg_fts MATCH ?) AND s.tool = 'codex' AND m.ts_ms >= ? ORDER BY m.id DESC`)
			.pluck()
			.all(match, since.getTime()) as string[];
		expect(expected.length).toBeGreaterThan(0);
		const hits = built.index.search('src/api/the_file', {limit: SEARCH_CANDIDATE_LIMIT, tools: ['codex'], since});
		expect(hits.map(hit => hit.msg_id).sort()).toEqual(expected.slice(0, SEARCH_CANDIDATE_LIMIT).sort());
	});
});

describe('firstCharacters', () => {
	it('cuts as SQLite substr(text, 1, n) does: in characters, a surrogate pair being one', () => {
		const sqlite = new Database(':memory:');
		try {
			for (const text of ['plain ascii text', 'café 😀😀 naïve', '😀'.repeat(10), 'a😀'.repeat(7), '']) {
				for (const count of [0, 1, 2, 5, 9, 30]) {
					expect(firstCharacters(text, count), `${text} ${count}`).toBe(sqlite.prepare('SELECT substr(?, 1, ?)').pluck().get(text, count));
				}
			}
		} finally {
			sqlite.close();
		}
	});
});

describe('a phrase whose NEAR condition leaves too many messages to test', () => {
	it('is answered by FTS5 as before', () => {
		const built = build(Array.from({length: 2600}, (_, i) => (i % 3 === 0 ? `alpha beta gamma ${i}` : `alpha gamma beta ${i}`)));
		try {
			for (const query of ['"alpha beta gamma"', '"alpha gamma beta"', '"gamma beta alpha"']) {
				expect(searchFinds(built.index, query), query).toEqual(ftsFinds(built.oracle, query));
			}

			expect(searchFinds(built.index, '"alpha beta gamma"')).toHaveLength(867);
		} finally {
			built.oracle.close();
			built.index.close();
			fs.rmSync(built.dir, {recursive: true, force: true});
		}
	});
});

describe('rare prefixes among many messages', () => {
	it('are found in old messages too', () => {
		const texts = corpus(4000, 7).map((text, i) => (i === 3 ? `${text} zeppelinFleet` : i === 5 ? `${text} ElseIgnored` : text));
		const built = build(texts);
		try {
			expect(searchFinds(built.index, 'zeppelinF*')).toHaveLength(1);
			expect(searchFinds(built.index, 'Fle*')).toEqual(ftsFinds(built.oracle, 'Fle*'));
			expect(searchFinds(built.index, 'ElseIg*')).toEqual(ftsFinds(built.oracle, 'ElseIg*'));
			expect(searchFinds(built.index, 'ElseIg*')).toHaveLength(1);
		} finally {
			built.oracle.close();
			built.index.close();
			fs.rmSync(built.dir, {recursive: true, force: true});
		}
	});
});

describe('relaxedMatch', () => {
	it('drops a short last word of a several-word prefix alternative, and only that', () => {
		expect(relaxedMatch(parseSearchQuery('ElseI*'))).toBe('("ElseI"* OR "Else")');
		expect(relaxedMatch(parseSearchQuery('"rate li"* limit'))).toBe('"rate" AND "limit"');
		expect(relaxedMatch(parseSearchQuery('the*'))).toBe('"the"*');
		expect(relaxedMatch(parseSearchQuery('RateLimi*'))).toBe('("RateLimi"* OR "Rate Limi"*)');
		expect(relaxedMatch(parseSearchQuery('RateLim*'))).toBe('("RateLim"* OR "Rate")');
		expect(relaxedMatch(parseSearchQuery('handleRateLimit'))).toBe(parseSearchQuery('handleRateLimit').match);
	});
});

describe('termTest', () => {
	const test = (query: string, text: string) => termTest(parseSearchQuery(query).terms[0]!)(text);

	it('matches words and phrases at token boundaries, the last word as a prefix', () => {
		expect(test('the*', 'in there')).toBe(true);
		expect(test('the*', 'bathe')).toBe(false);
		expect(test('"rate li"*', 'the rate-limit')).toBe(true);
		expect(test('"rate li"*', 'rate, and limit')).toBe(false);
		expect(test('rate', 'rates')).toBe(false);
	});

	it('matches camelCase parts inside identifiers and across snake case', () => {
		expect(test('ElseI*', 'call doElseIf now')).toBe(true);
		expect(test('ElseI*', 'else_if')).toBe(true);
		expect(test('ElseI*', 'elseif')).toBe(true);
		expect(test('ElseI*', 'isElse then Item')).toBe(false);
		expect(test('Server*', 'HTTPServer')).toBe(true);
	});

	it('finds a phrase after the words written together, in one scan of the text', () => {
		// `doElseIfx` holds `elsei` without a token boundary (a joined match); the phrase comes later.
		expect(test('ElseI*', 'doElseIfx, then else item')).toBe(true);
		expect(test('ElseI*', 'xelseIf then else item')).toBe(true);
		expect(test('the*', 'bathe and bathe, then there')).toBe(true);
		expect(test('the*', 'bathe and bathe')).toBe(false);
		// Joined but neither a phrase nor identifier parts: `elseif` inside a longer lower-case word.
		expect(test('ElseI*', 'somelseif')).toBe(false);
		expect(test('ElseI*', 'Ça doElseIf')).toBe(true);
		expect(test('ElseI*', 'Ça isElse Item')).toBe(false);
		expect(test('ElseI*', 'Ça élse ítem')).toBe(true);
	});

	it('counts words written together only where an identifier part can start', () => {
		expect(test('you*', 'a layout')).toBe(false);
		expect(test('you*', 'getYourName')).toBe(true);
		expect(test('http*', 'XMLHttpRequest')).toBe(true);
		expect(test('ElseI*', 'myelseItem')).toBe(false);
		expect(test('ElseI*', 'ABCElseIf')).toBe(true);
		expect(test('ElseI*', 'v2ElseI')).toBe(true);
		expect(test('Server*', 'HTTPServer')).toBe(true);
		expect(test('TPS*', 'HTTPServer')).toBe(false);
	});

	it('checks a one-word term in the identifier it is written in, as identifierParts sees identifiers', () => {
		// Only a run of 3 to 64 letters and digits with a camelCase boundary is an identifier.
		const long = `get${'Abc'.repeat(20)}YourName`;
		expect(long.length).toBeGreaterThan(64);
		expect(test('you*', `see ${long} here`)).toBe(false);
		expect(test('you*', `see ${long} and getYourName`)).toBe(true);
		expect(test('you*', 'aYou')).toBe(true);
		expect(test('you*', 'the layout, getYOURS, myYoghurt')).toBe(true);
		expect(test('you*', 'layoutYO u')).toBe(false);
		expect(test('yours*', 'the layout, getYOURS')).toBe(true);
		expect(test('name*', 'x_getYourName.ts')).toBe(true);
	});

	it('folds case and diacritics', () => {
		expect(test('cafe*', 'CAFÉ au lait')).toBe(true);
		expect(test('ub*', 'Über')).toBe(true);
		expect(foldText('Thé NAÏVE')).toBe('the naive');
	});
});

describe('queries with many and with few matches', () => {
	it('give the newest matches whichever order FTS5 is read in', () => {
		const built = build([]);
		try {
			const sessionId = 'ses_many000000000001';
			built.index.upsertSession(manifest(sessionId));
			// More messages than a rare-word check counts up to (20,000): "alpha beta" is read newest first, "gamma beta" forwards.
			const texts = Array.from({length: 21_000}, (_, i) => (i % 50 === 7 ? `gamma beta alpha ${i}` : `alpha beta ${i}`));
			built.index.addMessages(sessionId, texts.map(text => message(text)), 1);
			for (const query of ['"alpha beta"', '"gamma beta"', 'gamma alpha', 'beta "gamma beta"']) {
				const expected = ftsFinds(built.oracle, query);
				expect(expected.length, query).toBeGreaterThan(0);
				expect(searchFinds(built.index, query), query).toEqual(expected);
			}
		} finally {
			built.oracle.close();
			built.index.close();
			fs.rmSync(built.dir, {recursive: true, force: true});
		}
	});
});
