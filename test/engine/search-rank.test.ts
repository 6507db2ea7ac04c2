/**
 * scoreCandidates: BM25's tf saturation and length norm over the candidates, tf being the rarest
 * word's count in the lower-case text. Pinned against a reference written out here, so that a faster
 * counting (tried: a case-insensitive regex over ASCII texts, slower in a fresh process) keeps the scores.
 */
import {describe, expect, it} from 'vitest';
import {parseSearchQuery} from '../../source/engine/search-query.js';
import {bestFirst, scoreCandidates} from '../../source/engine/search-rank.js';

const K1 = 1.2;
const B = 0.75;

/** The reference: term frequency as the rarest word's count in body.toLowerCase(), stepping by the word's length. */
function referenceScores(bodies: string[], query: string): number[] {
	const terms = parseSearchQuery(query).terms;
	const average = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length || 1;
	const count = (lower: string, words: string[]) =>
		Math.min(
			...words.map(word => {
				let n = 0;
				for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + word.length)) n++;
				return n;
			}),
		);
	return bodies.map(body => {
		const lower = body.toLowerCase();
		const norm = K1 * (1 - B + (B * body.length) / average);
		return terms.reduce((score, term) => {
			const tf = Math.max(1, count(lower, term.words), term.parts ? count(lower, term.parts) : 0);
			return score + (tf * (K1 + 1)) / (tf + norm);
		}, 0);
	});
}

const BODIES = [
	'The rate limit, the RATE LIMIT and the Rate-Limit again',
	'handleRateLimit calls handle_rate_limit; rate limits rate',
	'CAFÉ café Café: the naïve cafe',
	'İstanbul and the KELVIN sign K next to k',
	'aaaa aaa aa a',
	'nothing to see',
	'Über über UBER uber',
	'a.b*c (x) [y] a.b*c',
];

describe('scoreCandidates', () => {
	it.each(['rate', 'RateLimit', '"rate limit"', 'the rate', '"the rate limit"', '"limit the"', '"a aa aaaa"', 'cafe', 'café', 'k', 'aa', 'uber', 'über', 'a.b*c', 'stanbul'])(
		'%s scores as counting in the lower-case text does',
		query => {
			const candidates = BODIES.map((body, id) => ({id, body}));
			const scores = scoreCandidates(candidates, parseSearchQuery(query).terms);
			const expected = referenceScores(BODIES, query);
			expect(scores).toHaveLength(expected.length);
			for (const [index, score] of scores.entries()) expect(score, `${query} on ${BODIES[index]}`).toBeCloseTo(expected[index]!, 12);
		},
	);

	it('counts more occurrences as a higher score, in ASCII text of any case', () => {
		const [many, one] = scoreCandidates(
			[
				{id: 1, body: 'LIMIT limit Limit'},
				{id: 2, body: 'limit xxxx xxxxx'},
			],
			parseSearchQuery('limit').terms,
		);
		expect(many).toBeGreaterThan(one!);
	});
});

describe('bestFirst', () => {
	/** The reference: all of them sorted by score, then id, both descending, cut to the limit. */
	const sorted = (ids: number[], scores: number[], limit: number) =>
		ids
			.map((id, at) => ({id, score: scores[at]!}))
			.sort((a, b) => b.score - a.score || b.id - a.id)
			.slice(0, limit);

	it('keeps what sorting all candidates keeps, ties to the newer id, for short and long lists', () => {
		let state = 7;
		const random = () => {
			state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
			return state / 2_147_483_648;
		};

		for (const count of [0, 1, 5, 40, 1001]) {
			// Few distinct scores, so that many candidates tie; ids in no particular order.
			const ids = Array.from({length: count}, (_, at) => (at * 7919) % 10_007);
			const scores = ids.map(() => Math.round(random() * 12) / 4);
			for (const limit of [0, 1, 3, 20, 100, 1000, 2000]) expect(bestFirst(ids, scores, limit), `${count} for ${limit}`).toEqual(sorted(ids, scores, limit));
		}
	});
});
