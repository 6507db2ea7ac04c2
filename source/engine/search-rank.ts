/**
 * Ranking of a query's newest matches (FTS5's bm25 is not used: its IDF pass reads the whole posting
 * list of every phrase, too slow at a million messages for a common word). Scored here with BM25's
 * term-frequency saturation and length normalisation; each term weighted by its IDF when the caller
 * knows it (`termIdf`, from document counts bounded by the caller), else equally.
 */
import type {QueryTerm} from './search-query.js';

const K1 = 1.2;
const B = 0.75;

export type Candidate = {id: number; body: string};

/**
 * BM25's IDF of a term found in `documents` of `total` messages; `documents` may be a lower bound
 * (counted only up to a cap), which gives every common term the same, lowest weight.
 */
export function termIdf(documents: number, total: number): number {
	const n = Math.max(total, documents, 1);
	return Math.log(1 + (n - documents + 0.5) / (documents + 0.5));
}

/** Scores (higher is better) in the order of `candidates`. `weights` (one per term) default to 1. */
export function scoreCandidates(candidates: Candidate[], terms: QueryTerm[], weights?: number[]): number[] {
	if (candidates.length === 0) return [];
	const averageLength = candidates.reduce((sum, candidate) => sum + candidate.body.length, 0) / candidates.length || 1;
	return candidates.map(candidate => {
		const lower = candidate.body.toLowerCase();
		const norm = K1 * (1 - B + (B * candidate.body.length) / averageLength);
		let score = 0;
		for (const [index, term] of terms.entries()) {
			// FTS5 matched the message, so every term occurs at least once (folding may hide it from indexOf).
			const tf = Math.max(1, termFrequency(lower, term.words), term.parts ? termFrequency(lower, term.parts) : 0);
			score += ((weights?.[index] ?? 1) * (tf * (K1 + 1))) / (tf + norm);
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
