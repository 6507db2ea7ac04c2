/**
 * Turns what a user typed into a safe FTS5 MATCH expression. User input never reaches FTS5 syntax:
 * every term becomes a quoted string, so `foo-bar`, `C++`, `node:fs`, `50%`, `NOT` or a stray `"`
 * are searched for, not parsed.
 *
 * - words are ANDed;
 * - `"rate limit"` is a phrase (an unterminated quote runs to the end of the input);
 * - a trailing `*` makes a prefix (`limit*`, `handleRate*`);
 * - identifiers and paths are phrases of their tokens (the tokenizer splits at `_ / . - :`), and a
 *   camelCase term also matches as its parts (`RateLimit` finds `handleRateLimit` through the
 *   identifier-parts column, and `handleRateLimit` finds `handle_rate_limit`);
 * - a term in a script written without spaces (Chinese, Japanese, Korean particles, Thai…) is a
 *   substring: FTS5's unicode61 tokenizer keeps a whole run of such text as one token, so `東京` is not
 *   a token of `東京タワーに行った`. Such terms are tested on the messages' text (search-verify.ts).
 */
import {GLUED_SCRIPTS, splitCamelCase} from './index-text.js';

export type QueryTerm = {
	/** The term as typed, without quotes or the prefix star. */
	text: string;
	/** Lower-cased, diacritic-free tokens of the term, for highlighting. */
	words: string[];
	/** camelCase parts of the words (lower-cased), when they differ from `words`. */
	parts?: string[];
	prefix: boolean;
	phrase: boolean;
	/**
	 * For a term holding characters of a script written without spaces (see above): its pieces (NFC, lower
	 * case, split where it has neither letters, marks nor digits), matched in order as substrings of the
	 * text, not by FTS5. Marks are kept (Japanese `ビル` is not `ヒル`, a Thai vowel stays in its word).
	 */
	substring?: string[];
	/** What is handed to FTS5 (which folds case and diacritics itself). */
	fts: {words: string[]; parts?: string[]};
};

export type ParsedQuery = {
	terms: QueryTerm[];
	/** The MATCH expression; empty when the input holds nothing searchable. */
	match: string;
};

const ASCII_ONLY = /^[\u0000-\u007F]*$/;
/** Letters and digits, as the tokenizer keeps them; in ASCII text that is [A-Za-z0-9]. */
const ASCII_TOKEN = /[A-Za-z0-9]+/g;
/** Built on first use: a regex of Unicode properties takes ~0.1–0.2 ms to build in each process. */
let unicodeToken: RegExp | undefined;

/** A character of a script whose words are not separated by spaces (unicode61 makes one token of a whole run). */
let gluedScript: RegExp | undefined;

/** Text as substring terms compare it: NFC, lower case (no diacritic folding). */
export function substringForm(text: string): string {
	return text.normalize('NFC').toLowerCase();
}

function substringPieces(text: string): string[] | undefined {
	if (ASCII_ONLY.test(text)) return undefined;
	if (!(gluedScript ??= new RegExp(`[${GLUED_SCRIPTS}]`, 'u')).test(text)) return undefined;
	return substringForm(text)
		.split(/[^\p{L}\p{M}\p{N}]+/u)
		.filter(piece => piece.length > 0);
}

/**
 * A run for the first filter: those scripts' characters and the prolonged sound mark ー (ｰ, and the
 * half-width voicing marks), which are in no script (Common) but inside Japanese words: サーバー is one run, not サ and バ.
 */
let gluedRun: RegExp | undefined;

/**
 * The longest run of characters of scripts without spaces in the query's substring terms, in NFC and
 * NFD: text every match holds in one of the two forms (a cheap first filter); undefined when none.
 */
export function longestGluedRun(terms: QueryTerm[]): string[] | undefined {
	gluedRun ??= new RegExp(`[${GLUED_SCRIPTS}\\u30FC\\uFF70\\uFF9E\\uFF9F]+`, 'gu');
	let longest = '';
	for (const piece of terms.flatMap(term => term.substring ?? [])) {
		for (const run of piece.match(gluedRun) ?? []) if (run.length > longest.length) longest = run;
	}

	if (!longest) return undefined;
	const decomposed = longest.normalize('NFD');
	return decomposed === longest ? [longest] : [longest, decomposed];
}

function tokenPattern(text: string): RegExp {
	return ASCII_ONLY.test(text) ? ASCII_TOKEN : (unicodeToken ??= /[\p{L}\p{N}]+/gu);
}

export function parseSearchQuery(input: string): ParsedQuery {
	const terms: QueryTerm[] = [];
	for (const raw of splitUserInput(input)) {
		const term = toTerm(raw.text, raw.phrase);
		if (term) terms.push(term);
	}

	return {terms, match: terms.map(term => termExpression(term)).join(' AND ')};
}

/** The words of a text as the FTS tokenizer sees them (approximately): lower case, no diacritics. */
export function normalizedTokens(text: string): string[] {
	return [...text.matchAll(tokenPattern(text))].map(match => foldWord(match[0]));
}

export function foldWord(word: string): string {
	if (ASCII_ONLY.test(word)) return word.toLowerCase();
	// NFD then dropping marks is what `remove_diacritics 2` does for Latin scripts.
	// NFC afterwards recomposes scripts that NFD splits into letters (Hangul).
	return word.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC').toLowerCase();
}

function splitUserInput(input: string): Array<{text: string; phrase: boolean}> {
	const out: Array<{text: string; phrase: boolean}> = [];
	let i = 0;
	while (i < input.length) {
		const char = input[i]!;
		if (/\s/.test(char)) {
			i++;
			continue;
		}

		if (char === '"') {
			const end = input.indexOf('"', i + 1);
			const stop = end === -1 ? input.length : end;
			let text = input.slice(i + 1, stop);
			// `"rate lim"*` is a phrase whose last word is a prefix.
			let next = stop + 1;
			if (end !== -1 && input[next] === '*') {
				text += '*';
				next++;
			}

			out.push({text, phrase: true});
			i = next;
			continue;
		}

		let end = i;
		while (end < input.length && !/\s/.test(input[end]!) && input[end] !== '"') end++;
		out.push({text: input.slice(i, end), phrase: false});
		i = end;
	}

	return out;
}

function toTerm(raw: string, phrase: boolean): QueryTerm | undefined {
	const trimmed = raw.trim();
	const prefix = trimmed.endsWith('*');
	const text = trimmed.replace(/\*+$/, '');
	const originalWords = [...text.matchAll(tokenPattern(text))].map(match => match[0]);
	if (originalWords.length === 0) return undefined;
	const originalParts = originalWords.flatMap(word => splitCamelCase(word));
	const hasParts = originalParts.length > originalWords.length;
	return {
		text,
		words: originalWords.map(word => foldWord(word)),
		parts: hasParts ? originalParts.map(word => foldWord(word)) : undefined,
		prefix,
		phrase,
		substring: substringPieces(text),
		fts: {words: originalWords, parts: hasParts ? originalParts : undefined},
	};
}

function quote(words: string[], prefix: boolean): string {
	return `"${words.join(' ').replaceAll('"', '""')}"${prefix ? '*' : ''}`;
}

/** The MATCH expression of one term. */
export function termExpression(term: QueryTerm): string {
	const whole = quote(term.fts.words, term.prefix);
	if (!term.fts.parts) return whole;
	return `(${whole} OR ${quote(term.fts.parts, term.prefix)})`;
}

/** A prefix at most this long, as the last of several words, costs FTS5 a merge of very many posting lists. */
export const SHORT_PREFIX_CHARS = 3;

/**
 * A MATCH expression that finds every message the query finds, and some more: in a prefix term, an
 * alternative of several words whose last (prefix) word is short loses that word (`"Else I"*` becomes
 * `"Else"`). What it finds must then be checked with search-verify.ts. Equal to `match` when nothing
 * was relaxed.
 */
export function relaxedMatch(parsed: ParsedQuery): string {
	return parsed.terms.map(term => (term.prefix ? relaxedExpression(term) : termExpression(term))).join(' AND ');
}

function relaxedExpression(term: QueryTerm): string {
	const alternatives = [term.fts.words, ...(term.fts.parts ? [term.fts.parts] : [])].map(words => {
		const last = words.at(-1)!;
		if (words.length > 1 && last.length <= SHORT_PREFIX_CHARS) return quote(words.slice(0, -1), false);
		return quote(words, true);
	});
	return alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`;
}
