import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SEARCH_CANDIDATE_LIMIT, SessionIndex, type SearchHit} from '../../source/engine/index-db.js';
import {TOOL_RESULT_INDEX_CHARS, identifierParts, messageIndexText, splitCamelCase} from '../../source/engine/index-text.js';
import {parseSearchQuery} from '../../source/engine/search-query.js';
import {MARK_END, MARK_START, buildSnippet, stripMarks} from '../../source/engine/search-snippet.js';
import {manifest, message, tempDir} from './index-fixtures.js';

let dir: string;
let index: SessionIndex;

const CODE = 'ses_c0de000000000001';
const PROSE = 'ses_9705e00000000002';
const GEMINI = 'ses_9e00000000000003';

beforeEach(() => {
	dir = tempDir();
	index = SessionIndex.open(path.join(dir, 'index.db'));
	index.transaction(() => {
		index.upsertSession(manifest(CODE, {source: {tool: 'claude-code', original_session_id: 'n1'}}));
		index.addMessages(
			CODE,
			[
				message('Please look at handleRateLimit in src/api/users.ts', {msg_id: 'c1', timestamp: '2026-05-01T10:00:00.000Z'}),
				message(
					[
						{type: 'thinking', text: 'The HTTPServer keeps a getV2Users cache'},
						{type: 'tool_use', tool_use_id: 't1', name: 'Bash', input: {command: 'grep -rn handle_rate_limit lib/'}},
					],
					{msg_id: 'c2', role: 'assistant', timestamp: '2026-05-01T10:01:00.000Z'},
				),
				message([{type: 'tool_result', tool_use_id: 't1', content: `lib/limits.py:3: def handle_rate_limit(): ${'x '.repeat(3000)} tailneedle`}], {
					msg_id: 'c3',
					timestamp: '2026-05-01T10:02:00.000Z',
				}),
				message([{type: 'native_record', record: {secretword: 'nativeonly', kind: 'weird'}}], {
					msg_id: 'c4',
					role: 'system',
					timestamp: '2026-05-01T10:03:00.000Z',
				}),
			],
			1,
		);
		index.upsertSession(manifest(PROSE, {source: {tool: 'codex', original_session_id: 'n2'}}));
		index.addMessages(
			PROSE,
			[
				message('We hit the rate limit again; the limiter needs a retry with backoff.', {
					msg_id: 'p1',
					timestamp: '2026-01-01T10:00:00.000Z',
				}),
				message('Rate is fine. The limit is elsewhere. Café au lait, C++ and node:fs; 50% done; NOT yet; foo-bar.', {
					msg_id: 'p2',
					role: 'assistant',
					timestamp: '2026-01-02T10:00:00.000Z',
				}),
				message([{type: 'summary', text: 'Summary: discussed the zeppelin schedule'}], {msg_id: 'p3', timestamp: '2026-01-03T10:00:00.000Z'}),
			],
			1,
		);
		index.upsertSession(manifest(GEMINI, {source: {tool: 'gemini', original_session_id: 'n3'}}));
		index.addMessages(GEMINI, [message('rate limit rate limit rate limit', {msg_id: 'g1', timestamp: '2026-06-01T00:00:00.000Z'})], 1);
	});
});

afterEach(() => {
	index.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

const found = (hits: SearchHit[]): string[] => hits.map(hit => hit.msg_id).sort();

describe('search: what is found', () => {
	it('finds words (ANDed, case-insensitive)', () => {
		expect(found(index.search('backoff', {}))).toEqual(['p1']);
		expect(found(index.search('RETRY limiter', {}))).toEqual(['p1']);
		expect(found(index.search('retry zeppelin', {}))).toEqual([]);
	});

	it('finds phrases, and an unterminated quote is a phrase to the end', () => {
		// handleRateLimit (through its parts) and handle_rate_limit hold the phrase too.
		expect(found(index.search('"rate limit"', {}))).toEqual(['c1', 'c2', 'c3', 'g1', 'p1']);
		expect(found(index.search('"limit rate"', {}))).toEqual(['g1']);
		expect(found(index.search('"limit again', {}))).toEqual(['p1']);
		expect(found(index.search('"rate limit', {}))).toEqual(['c1', 'c2', 'c3', 'g1', 'p1']);
	});

	it('finds prefixes', () => {
		expect(found(index.search('limit*', {}))).toEqual(['c1', 'c2', 'c3', 'g1', 'p1', 'p2']);
		expect(found(index.search('limite*', {}))).toEqual(['p1']);
		expect(found(index.search('zeppel*', {}))).toEqual(['p3']);
		expect(found(index.search('"limit aga"*', {}))).toEqual(['p1']);
	});

	it('finds identifiers whole, by their camelCase parts, and across snake/camel spelling', () => {
		expect(found(index.search('handleRateLimit', {}))).toEqual(['c1', 'c2', 'c3']);
		expect(found(index.search('handle_rate_limit', {}))).toEqual(['c1', 'c2', 'c3']);
		expect(found(index.search('RateLimit', {}))).toEqual(['c1', 'c2', 'c3', 'g1', 'p1']);
		expect(found(index.search('HTTPServer', {}))).toEqual(['c2']);
		expect(found(index.search('Server', {}))).toEqual(['c2']);
		expect(found(index.search('V2Users', {}))).toEqual(['c2']);
		expect(found(index.search('handleRate*', {}))).toEqual(['c1', 'c2', 'c3']);
	});

	it('finds paths and file names', () => {
		expect(found(index.search('src/api/users.ts', {}))).toEqual(['c1']);
		expect(found(index.search('users.ts', {}))).toEqual(['c1']);
		expect(found(index.search('lib/limits.py', {}))).toEqual(['c3']);
		expect(found(index.search('src/api/orders.ts', {}))).toEqual([]);
	});

	it('folds diacritics', () => {
		expect(found(index.search('cafe', {}))).toEqual(['p2']);
		expect(found(index.search('CAFÉ', {}))).toEqual(['p2']);
	});

	it('indexes thinking, tool input and summaries, a bounded prefix of tool output, and no native records', () => {
		expect(found(index.search('getV2Users', {}))).toEqual(['c2']);
		expect(found(index.search('grep', {}))).toEqual(['c2']);
		expect(found(index.search('zeppelin', {}))).toEqual(['p3']);
		expect(found(index.search('tailneedle', {}))).toEqual([]);
		expect(found(index.search('nativeonly', {}))).toEqual([]);
	});

	it('never lets user input break the query', () => {
		const hostile = [
			'foo-bar',
			'C++',
			'node:fs',
			'50%',
			'NOT',
			'AND',
			'OR',
			'"',
			'"unterminated',
			'a"b',
			'*',
			'***',
			'(',
			')',
			'NEAR(a b)',
			'col:value',
			'^start',
			'-x',
			'{body}: x',
			"it's",
			'%',
			'',
			'   ',
			'\u0000',
			'"" ""',
			'x'.repeat(5000),
		];
		for (const query of hostile) {
			expect(() => index.search(query, {}), query).not.toThrow();
		}

		expect(found(index.search('foo-bar', {}))).toEqual(['p2']);
		expect(found(index.search('C++', {}))).toEqual(['p2']);
		expect(found(index.search('node:fs', {}))).toEqual(['p2']);
		expect(found(index.search('50%', {}))).toEqual(['p2']);
		expect(found(index.search('NOT', {}))).toEqual(['p2']);
		expect(found(index.search('"unterminated', {}))).toEqual([]);
		expect(index.search('%', {})).toEqual([]);
		expect(index.search('', {})).toEqual([]);
	});
});

describe('search: hits', () => {
	it('returns ids, role, 1-based position, timestamp and a score, best first', () => {
		const hits = index.search('"rate limit"', {tools: ['codex', 'gemini']});
		expect(hits.map(hit => hit.msg_id)).toEqual(['g1', 'p1']);
		expect(hits[0]).toMatchObject({session_id: GEMINI, msg_id: 'g1', role: 'user', position: 1, timestamp: '2026-06-01T00:00:00.000Z'});
		expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
		const c2 = index.search('HTTPServer', {})[0]!;
		expect(c2).toMatchObject({session_id: CODE, role: 'assistant', position: 2});
	});

	it('marks matched terms in the snippet with \\u0001 … \\u0002', () => {
		const [hit] = index.search('backoff', {});
		expect(hit!.snippet).toContain(`${MARK_START}backoff${MARK_END}`);
		expect(stripMarks(hit!.snippet)).toBe('We hit the rate limit again; the limiter needs a retry with backoff.');
		const camel = index.search('RateLimit', {sessionId: CODE}).find(hit => hit.msg_id === 'c1');
		expect(camel!.snippet).toContain(`handle${MARK_START}RateLimit${MARK_END} in`);
		const snake = index.search('RateLimit', {sessionId: CODE}).find(hit => hit.msg_id === 'c2');
		expect(snake!.snippet).toContain(`handle_${MARK_START}rate${MARK_END}_${MARK_START}limit${MARK_END}`);
		const [folded] = index.search('cafe', {});
		expect(folded!.snippet).toContain(`${MARK_START}Café${MARK_END}`);
	});

	it('cuts long text to a window around the matches', () => {
		const [hit] = index.search('lib/limits.py', {});
		expect(hit!.snippet.length).toBeLessThan(250);
		expect(hit!.snippet).toContain(`${MARK_START}limits${MARK_END}`);
		expect(hit!.snippet.endsWith('…')).toBe(true);
	});

	it('filters by tools, since, session and limit', () => {
		expect(found(index.search('rate', {tools: ['codex']}))).toEqual(['p1', 'p2']);
		expect(found(index.search('rate', {tools: ['codex', 'gemini']}))).toEqual(['g1', 'p1', 'p2']);
		expect(found(index.search('rate', {tools: ['cursor']}))).toEqual([]);
		expect(found(index.search('rate', {since: new Date('2026-01-02T00:00:00Z')}))).toEqual(['c1', 'c2', 'c3', 'g1', 'p2']);
		expect(found(index.search('rate', {sessionId: PROSE}))).toEqual(['p1', 'p2']);
		expect(index.search('rate', {sessionId: 'ses_unknown'})).toEqual([]);
		expect(index.search('rate', {limit: 2}).length).toBe(2);
		expect(index.search('rate', {limit: 0})).toEqual([]);
	});

	it('ranks the newest matches of a very common query by term frequency and length', () => {
		const sessionId = 'ses_b16000000000000a';
		index.upsertSession(manifest(sessionId));
		const filler = Array.from({length: SEARCH_CANDIDATE_LIMIT + 50}, (_, i) =>
			message(`common word number ${i} with some padding text to make it longer than the best one`),
		);
		const best = message('common common common', {msg_id: 'best'});
		index.addMessages(sessionId, [...filler, best], 1);
		const hits = index.search('common', {limit: 5});
		expect(hits.length).toBe(5);
		expect(hits[0]!.msg_id).toBe('best');
		expect(hits[0]!.position).toBe(SEARCH_CANDIDATE_LIMIT + 51);
		for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
	});
});

describe('ranking several terms', () => {
	it('weights a rare term above a common one (IDF from bounded counts)', () => {
		const sessionId = 'ses_1df0000000000001';
		index.upsertSession(manifest(sessionId, {stats: {message_count: 42, total_input_tokens: 0, total_output_tokens: 0}}));
		const filler = Array.from({length: 40}, (_, i) => message(`plain filler ${i} mentions alpha once`));
		const commonHeavy = message('alpha alpha alpha alpha alpha omega', {msg_id: 'common-heavy'});
		const rareHeavy = message('omega omega omega omega omega alpha', {msg_id: 'rare-heavy'});
		// Without IDF the two tie and the newer (common-heavy) would come first.
		index.addMessages(sessionId, [rareHeavy, ...filler, commonHeavy], 1);
		const ranked = index.search('alpha omega', {}).map(hit => hit.msg_id);
		expect(ranked).toEqual(['rare-heavy', 'common-heavy']);
		// Reversed query order, same ranking.
		expect(index.search('omega alpha', {}).map(hit => hit.msg_id)).toEqual(['rare-heavy', 'common-heavy']);
	});
});

describe('query parsing', () => {
	it('quotes every term and ORs in camelCase parts', () => {
		expect(parseSearchQuery('foo-bar NOT').match).toBe('"foo bar" AND "NOT"');
		expect(parseSearchQuery('handleRateLimit').match).toBe('("handleRateLimit" OR "handle Rate Limit")');
		expect(parseSearchQuery('limit*').match).toBe('"limit"*');
		expect(parseSearchQuery('"rate limit"').match).toBe('"rate limit"');
		expect(parseSearchQuery('% * "').match).toBe('');
	});
});

describe('index text', () => {
	it('splits camelCase identifiers', () => {
		expect(splitCamelCase('handleRateLimit')).toEqual(['handle', 'Rate', 'Limit']);
		expect(splitCamelCase('HTTPServer')).toEqual(['HTTP', 'Server']);
		expect(splitCamelCase('getV2Users')).toEqual(['get', 'V2', 'Users']);
		expect(splitCamelCase('plain')).toEqual(['plain']);
	});

	it('lists each identifier once as adjacent parts, skipping long hash-like runs', () => {
		expect(identifierParts('call handleRateLimit and handleRateLimit, not snake_case')).toBe('handle Rate Limit');
		expect(identifierParts('no identifiers here')).toBe('');
		expect(identifierParts(`blob ${'aB'.repeat(40)}`)).toBe('');
	});

	it('bounds tool output and leaves out native records and images', () => {
		const text = messageIndexText(
			message([
				{type: 'text', text: 'hello'},
				{type: 'tool_result', tool_use_id: 't', content: 'y'.repeat(TOOL_RESULT_INDEX_CHARS * 3)},
				{type: 'native_record', record: {big: 'z'.repeat(10_000)}},
				{type: 'image', source: {type: 'base64', data: 'QUFB'}},
				{type: 'mystery', note: 'kept string'},
			]),
		);
		expect(text).toBe(`hello\n${'y'.repeat(TOOL_RESULT_INDEX_CHARS)}\nkept string`);
	});
});

describe('snippets', () => {
	it('merges touching marks and marks prefixes', () => {
		const {terms} = parseSearchQuery('RateLim*');
		expect(buildSnippet('call handleRateLimiter now', terms)).toBe(`call handle${MARK_START}RateLimiter${MARK_END} now`);
	});
});

describe('snippet marking paths agree', () => {
	it('marks ASCII text the same way with the fast path and the per-token path', () => {
		const texts = [
			'call handleRateLimit then handle_rate_limit in src/api/users.ts',
			'HTTPServer getV2Users RateLimiter ratelimit limits limit',
			'xlimit limitx LIMIT Limit limitLimit',
		];
		// (They differ only on a lower-case needle spanning several camelCase parts, like `v2users` in
		// getV2Users, which the fast path marks; FTS5 does not match that query there anyway.)
		for (const query of ['RateLimit', 'limit', 'limit*', 'users.ts', 'V2Users', 'server', '"rate limit"', 'lim*']) {
			const {terms} = parseSearchQuery(query);
			for (const text of texts) {
				const fast = buildSnippet(text, terms, 1000);
				// A non-ASCII character sends the text through the per-token path.
				const slow = buildSnippet(`${text} é`, terms, 1000);
				expect(`${fast} é`, `${query} in ${text}`).toBe(slow);
			}
		}
	});
});
