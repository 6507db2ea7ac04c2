/**
 * Ranking for queries that match too many messages to score them all with FTS5's bm25 (whose IDF
 * pass reads the whole posting list of every phrase, too slow at a million messages for a common
 * word). The most recent matches are scored here with BM25's term-frequency saturation and length
 * normalisation; IDF is left out (every candidate contains every term, so it mainly scales).
 */
import type {QueryTerm} from './search-query.js';

const K1 = 1.2;
const B = 0.75;

export type Candidate = {id: number; body: string};

/** Scores (higher is better) in the order of `candidates`. */
export function scoreCandidates(candidates: Candidate[], terms: QueryTerm[]): number[] {
	if (candidates.length === 0) return [];
	const averageLength = candidates.reduce((sum, candidate) => sum + candidate.body.length, 0) / candidates.length || 1;
	return candidates.map(candidate => {
		const lower = candidate.body.toLowerCase();
		const norm = K1 * (1 - B + (B * candidate.body.length) / averageLength);
		let score = 0;
		for (const term of terms) {
			// FTS5 matched the message, so every term occurs at least once (folding may hide it from indexOf).
			const tf = Math.max(1, termFrequency(lower, term.words), term.parts ? termFrequency(lower, term.parts) : 0);
			score += (tf * (K1 + 1)) / (tf + norm);
		}

		return score;
	});
}

/** Occurrences of the rarest word of the term: a cheap stand-in for phrase frequency. */
function termFrequency(lower: string, words: string[]): number {
	let least = Number.POSITIVE_INFINITY;
	for (const word of words) {
		let count = 0;
		for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + word.length)) count++;
		least = Math.min(least, count);
	}

	return Number.isFinite(least) ? least : 0;
}
