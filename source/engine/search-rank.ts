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

/**
 * What scoring needs of one candidate, taken from its text as soon as it is found: its length and
 * each term's frequency. Keeping these numbers instead of the texts lets each text be collected as
 * soon as it is read, rather than kept (and copied by each scavenge) until all ~1,000 are scored.
 */
export type CandidateStats = {id: number; length: number; tf: number[]};

export function candidateStats(id: number, body: string, terms: QueryTerm[]): CandidateStats {
	const lower = body.toLowerCase();
	// FTS5 matched the message, so every term occurs at least once (folding may hide it from indexOf).
	const tf = terms.map(term => Math.max(1, termFrequency(lower, term.words), term.parts ? termFrequency(lower, term.parts) : 0));
	return {id, length: body.length, tf};
}

/** Scores (higher is better) in the order of `candidates`. `weights` (one per term) default to 1. */
export function scoreCandidates(candidates: Candidate[], terms: QueryTerm[], weights?: number[]): number[] {
	return scoreStats(
		candidates.map(candidate => candidateStats(candidate.id, candidate.body, terms)),
		weights,
	);
}

/** scoreCandidates over the candidates' stats. */
export function scoreStats(candidates: CandidateStats[], weights?: number[]): number[] {
	if (candidates.length === 0) return [];
	let total = 0;
	for (const candidate of candidates) total += candidate.length;
	const averageLength = total / candidates.length || 1;
	const scores = new Array<number>(candidates.length);
	for (let at = 0; at < candidates.length; at++) {
		const {length, tf} = candidates[at]!;
		const norm = K1 * (1 - B + (B * length) / averageLength);
		let score = 0;
		for (let index = 0; index < tf.length; index++) score += ((weights?.[index] ?? 1) * (tf[index]! * (K1 + 1))) / (tf[index]! + norm);
		scores[at] = score;
	}

	return scores;
}

export type Ranked = {id: number; score: number};

/**
 * The `limit` best candidates, best first: higher score, then newer (higher id) — what sorting them all
 * and keeping the first `limit` gives. A short list is kept by insertion as the candidates go by (~1,000
 * candidates for 20 hits: a comparison each instead of a sort's ~10,000 calls of a comparator).
 */
export function bestFirst(ids: number[], scores: number[], limit: number): Ranked[] {
	if (limit <= 0) return [];
	const before = (a: Ranked, b: Ranked) => a.score > b.score || (a.score === b.score && a.id > b.id);
	if (limit * 8 >= ids.length) {
		return ids
			.map((id, at) => ({id, score: scores[at]!}))
			.sort((a, b) => b.score - a.score || b.id - a.id)
			.slice(0, limit);
	}

	const best: Ranked[] = [];
	for (let at = 0; at < ids.length; at++) {
		const candidate = {id: ids[at]!, score: scores[at]!};
		if (best.length === limit && !before(candidate, best[limit - 1]!)) continue;
		let place = best.length;
		while (place > 0 && before(candidate, best[place - 1]!)) place--;
		best.splice(place, 0, candidate);
		if (best.length > limit) best.pop();
	}

	return best;
}

/**
 * Occurrences of the rarest word of the term: a cheap stand-in for phrase frequency. Non-overlapping,
 * left to right, as a loop of indexOf stepping by the word's length counts them. The longest word
 * (likeliest the rarest) is counted first, with split (one call; a common word occurs dozens of times
 * in a text); each other word only up to the least count so far (`for` in "for user" stops at the
 * count of `user`).
 */
function termFrequency(lower: string, words: string[]): number {
	if (words.length === 0) return 0;
	let longest = 0;
	for (let at = 1; at < words.length; at++) if (words[at]!.length > words[longest]!.length) longest = at;
	let least = lower.split(words[longest]!).length - 1;
	for (let index = 0; index < words.length && least > 0; index++) {
		if (index === longest) continue;
		const word = words[index]!;
		let count = 0;
		for (let at = lower.indexOf(word); at !== -1 && count < least; at = lower.indexOf(word, at + word.length)) count++;
		least = count;
	}

	return least;
}
