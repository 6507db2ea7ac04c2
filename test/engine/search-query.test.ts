/**
 * search-query.ts splits ASCII input with ASCII classes and builds its Unicode-property regex only for
 * other input (it costs ~0.2 ms in each process): the words must be what the Unicode classes give.
 */
import {describe, expect, it} from 'vitest';
import {normalizedTokens, parseSearchQuery} from '../../source/engine/search-query.js';
import {buildSnippet, stripMarks} from '../../source/engine/search-snippet.js';

/** The reference: letters and digits by Unicode properties, for any input. */
const unicodeWords = (text: string) => [...text.matchAll(/[\p{L}\p{N}]+/gu)].map(match => match[0]);

const INPUTS = [
	'handleRateLimit',
	'src/api/users.ts',
	'"rate limit" retry*',
	'C++ node:fs 50% a_b-c.d',
	'x86_64 v2 HTTPServer getV2Users',
	'café naïve Über',
	'日本語のテキスト search',
	'emoji 🚀 rocket',
	'ÆØÅ æøå ß',
	'tab\there\nnewline',
	'~!@#$%^&()_+{}|:<>?',
];

describe('parseSearchQuery', () => {
	it.each(INPUTS)('%s splits into the words Unicode letters and digits give', input => {
		const words = parseSearchQuery(input).terms.flatMap(term => term.fts.words);
		const expected = input
			.replaceAll('"', ' ')
			.split(/\s+/)
			.flatMap(part => unicodeWords(part.replace(/\*+$/, '')));
		expect(words).toEqual(expected);
		expect(normalizedTokens(input)).toHaveLength(unicodeWords(input).length);
	});
});

describe('buildSnippet', () => {
	it('marks words in non-ASCII text as in ASCII text', () => {
		const terms = parseSearchQuery('rate limit*').terms;
		const snippet = buildSnippet('Über die rate — limits, café handleRateLimiter', terms);
		expect(snippet).toBe('Über die \u0001rate\u0002 — \u0001limits\u0002, café handle\u0001RateLimiter\u0002');
		expect(stripMarks(snippet)).toBe('Über die rate — limits, café handleRateLimiter');
	});
});
