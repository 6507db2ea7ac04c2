/**
 * Checks in JS whether a message matches one query term the way the FTS5 expression built by
 * search-query.ts would: each alternative of the term (its words; its camelCase parts) as a phrase,
 * the last word a prefix when the term is one, in the indexed text or in its identifier parts (the
 * two FTS columns, see index-db.ts).
 *
 * Why: FTS5 answers a prefix term by merging the posting lists of every indexed word that starts
 * with it, all of them, before the first row comes out (about a second for `the*` at a million
 * messages). A common prefix is quicker to find by reading the newest candidate messages and testing
 * them here; a rare one is then cheap for FTS5 (see SessionIndex.search).
 */
import {identifierParts} from './index-text.js';
import type {QueryTerm} from './search-query.js';

export type TermTest = (text: string) => boolean;

const ASCII_ONLY = /^[\u0000-\u007F]*$/;
const COMBINING_MARKS = /\p{M}+/gu;
/** What FTS5's unicode61 tokenizer keeps in a token (roughly: letters and digits), for a character class. */
const WORD_CHAR = '\\p{L}\\p{N}';
/** The same for ASCII text: without the `u` flag V8 matches several times faster. */
const ASCII_WORD_CHAR = 'A-Za-z0-9';

/** Lower case without diacritics, as `unicode61 remove_diacritics 2` folds tokens (search-query.ts foldWord, for a whole text). */
export function foldText(text: string): string {
	if (ASCII_ONLY.test(text)) return text.toLowerCase();
	return text.normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC').toLowerCase();
}

/** A test for one term against a message's indexed text (not yet folded). */
export function termTest(term: QueryTerm): TermTest {
	const alternatives = [term.words, ...(term.parts ? [term.parts] : [])].filter(words => words.length > 0);
	// ASCII text (the common case) is matched case-insensitively as it is, without a folded copy.
	const asciiPatterns = alternatives.map(words => phrasePattern(words, term.prefix, ASCII_WORD_CHAR, 'i'));
	const foldedPatterns = alternatives.map(words => phrasePattern(words, term.prefix, WORD_CHAR, 'u'));
	// Inside one identifier the parts are written together (`doElseIf` holds `elsei`): without that
	// the identifier-parts column cannot match, and computing it (a regex over the text) is skipped.
	const joined = new RegExp(alternatives.map(words => escapeRegExp(words.join(''))).join('|'), 'i');
	return text => {
		const ascii = ASCII_ONLY.test(text);
		const subject = ascii ? text : foldText(text);
		const patterns = ascii ? asciiPatterns : foldedPatterns;
		if (patterns.some(pattern => pattern.test(subject))) return true;
		if (!joined.test(subject)) return false;
		const parts = identifierParts(text);
		if (!parts) return false;
		return foldedPatterns.some(pattern => pattern.test(foldText(parts)));
	};
}

/** Words at token boundaries, separated by anything but token characters (what a phrase is to FTS5). */
function phrasePattern(words: string[], prefix: boolean, wordChar: string, flags: string): RegExp {
	const body = words.map(word => escapeRegExp(word)).join(`[^${wordChar}]+`);
	return new RegExp(`(?<![${wordChar}])${body}${prefix ? '' : `(?![${wordChar}])`}`, flags);
}

function escapeRegExp(text: string): string {
	return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
