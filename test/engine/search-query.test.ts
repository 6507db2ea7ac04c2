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

describe('buildSnippet on non-ASCII text', () => {
	/** The reference: every token (letters and digits), folded, whole or by camelCase part, marked when it is a needle or starts with a prefix. */
	function referenceMarks(text: string, exact: string[], prefixes: string[]): string {
		const fold = (word: string) => word.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC').toLowerCase();
		const hit = (word: string) => exact.includes(fold(word)) || prefixes.some(prefix => fold(word).startsWith(prefix));
		const marked: Array<[number, number]> = [];
		for (const token of text.matchAll(/[\p{L}\p{N}]+/gu)) {
			if (hit(token[0])) {
				marked.push([token.index, token.index + token[0].length]);
				continue;
			}

			let offset = token.index;
			for (const part of token[0].split(/(?<=[a-z\d])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)) {
				if (hit(part)) marked.push([offset, offset + part.length]);
				offset += part.length;
			}
		}

		let out = '';
		let cursor = 0;
		for (const [start, end] of marked) {
			if (start === cursor && out.endsWith('\u0002')) out = out.slice(0, -1) + text.slice(start, end) + '\u0002';
			else out += `${text.slice(cursor, start)}\u0001${text.slice(start, end)}\u0002`;
			cursor = end;
		}

		return (out + text.slice(cursor)).replaceAll(/\s+/g, ' ').trim();
	}

	it('marks what folding every token and its parts would mark', () => {
		const vocabulary = ['rate', 'Rate', 'RATE', 'rateLimit', 'handleRateLimit', 'HTTPServer', 'getV2Users', 'limiter', 'café', 'Über', 'naïve', 'x1', 'elsewhere', 'theRate', 'uber', 'limit'];
		let state = 11;
		const random = () => {
			state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
			return state / 2_147_483_648;
		};

		for (const query of ['rate', 'rate*', 'limit', 'uber', 'cafe*', 'server', 'v2*', 'RateLimit']) {
			const {terms} = parseSearchQuery(query);
			const exact = terms.flatMap(term => [term.words, term.parts ?? []].flatMap(list => (term.prefix ? list.slice(0, -1) : list)));
			const prefixes = terms.flatMap(term => (term.prefix ? [term.words.at(-1)!, ...(term.parts ? [term.parts.at(-1)!] : [])] : []));
			for (let round = 0; round < 30; round++) {
				const text = `— ${Array.from({length: 8}, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ')}`;
				expect(buildSnippet(text, terms), `${query} in ${text}`).toBe(referenceMarks(text, exact, prefixes));
			}
		}
	});
});
