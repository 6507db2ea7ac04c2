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
	const counters = terms.map(term => [wordCounter(term.words), term.parts ? wordCounter(term.parts) : undefined] as const);
	return candidates.map(candidate => {
		const text = textForCounting(candidate.body);
		const norm = K1 * (1 - B + (B * candidate.body.length) / averageLength);
		let score = 0;
		for (const [index, [words, parts]] of counters.entries()) {
			// FTS5 matched the message, so every term occurs at least once (folding may hide it from the count).
			const tf = Math.max(1, words(text), parts ? parts(text) : 0);
			score += ((weights?.[index] ?? 1) * (tf * (K1 + 1))) / (tf + norm);
		}

		return score;
	});
}

const ASCII_ONLY = /^[\u0000-\u007F]*$/;

/**
 * What the counts run on: the body as it is when it is ASCII (then counted case-insensitively, the
 * same as in its lower-case copy, without making one), else its lower-case copy.
 */
type CountedText = {ascii: true; body: string} | {ascii: false; lower: string};

function textForCounting(body: string): CountedText {
	return ASCII_ONLY.test(body) ? {ascii: true, body} : {ascii: false, lower: body.toLowerCase()};
}

/** Occurrences of the rarest of the words (non-overlapping, as indexOf steps): a cheap stand-in for phrase frequency. */
function wordCounter(words: string[]): (text: CountedText) => number {
	const patterns = words.map(word => new RegExp(word.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'));
	return text => {
		let least = Number.POSITIVE_INFINITY;
		for (const [index, word] of words.entries()) {
			least = Math.min(least, text.ascii ? countMatches(patterns[index]!, text.body) : countIndexOf(text.lower, word));
			if (least === 0) break;
		}

		return Number.isFinite(least) ? least : 0;
	};
}

function countMatches(pattern: RegExp, text: string): number {
	pattern.lastIndex = 0;
	let count = 0;
	while (pattern.exec(text)) count++;
	return count;
}

function countIndexOf(lower: string, word: string): number {
	let count = 0;
	for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + word.length)) count++;
	return count;
}
