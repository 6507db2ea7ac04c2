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
import {type QueryTerm, substringForm} from './search-query.js';

export type TermTest = (text: string) => boolean;

const ASCII_ONLY = /^[\u0000-\u007F]*$/;
/**
 * Built on first use (non-ASCII text): a regex of Unicode properties takes ~0.1–0.2 ms to build, in each
 * `sfs search` process, and most searches meet only ASCII text.
 */
let combiningMarks: RegExp | undefined;
/** What FTS5's unicode61 tokenizer keeps in a token (roughly: letters and digits), for a character class. */
const WORD_CHAR = '\\p{L}\\p{N}';
/** The same for ASCII text: without the `u` flag V8 matches several times faster. */
const ASCII_WORD_CHAR = 'A-Za-z0-9';

/** Lower case without diacritics, as `unicode61 remove_diacritics 2` folds tokens (search-query.ts foldWord, for a whole text). */
export function foldText(text: string): string {
	if (ASCII_ONLY.test(text)) return text.toLowerCase();
	return text.normalize('NFD').replace((combiningMarks ??= /\p{M}+/gu), '').normalize('NFC').toLowerCase();
}

/**
 * A test for one term against a message's indexed text (not yet folded). Each text is scanned once:
 * one regex holds every alternative of the term as a phrase at token boundaries and, last, the
 * alternatives' words written together (`elsei` in `doElseIf`), which is the only way the
 * identifier-parts column can match and so the only case that computes those parts.
 */
export function termTest(term: QueryTerm): TermTest {
	if (term.substring) return substringTest(term.substring);
	const alternatives = [term.words, ...(term.parts ? [term.parts] : [])].filter(words => words.length > 0);
	const joined = alternatives.map(words => escapeRegExp(words.join(''))).join('|');
	// ASCII text (the common case) is matched case-insensitively as it is, without a folded copy.
	const ascii = scanPattern(alternatives, term.prefix, ASCII_WORD_CHAR, joined, 'gi');
	// The Unicode patterns are built on first use (see combiningMarks); ASCII identifier parts, folded, are
	// tested with ASCII classes, which is the same there.
	let folded: RegExp | undefined;
	let foldedPatterns: RegExp[] | undefined;
	let asciiPartPatterns: RegExp[] | undefined;
	const partsMatch = (parts: string): boolean => {
		if (!parts) return false;
		const foldedParts = foldText(parts);
		const patterns = ASCII_ONLY.test(foldedParts)
			? (asciiPartPatterns ??= alternatives.map(words => phrasePattern(words, term.prefix, ASCII_WORD_CHAR, '')))
			: (foldedPatterns ??= alternatives.map(words => phrasePattern(words, term.prefix, WORD_CHAR, 'u')));
		return patterns.some(pattern => pattern.test(foldedParts));
	};

	// One word can match the identifier-parts column only inside one identifier (a phrase of several may
	// run from one identifier's parts into the next's): for it, each place the word is written together
	// is checked in its own run of letters and digits instead of computing the whole text's parts.
	const oneWord = alternatives.length === 1 && alternatives[0]!.length === 1;
	return text => {
		if (ASCII_ONLY.test(text)) {
			const seen = scan(ascii, text, index => mayStartPart(text, index) && (!oneWord || partsMatch(identifierParts(runAround(text, index)))));
			if (seen !== 'joined') return seen === 'phrase';
			return oneWord || partsMatch(identifierParts(text));
		}

		const seen = scan((folded ??= scanPattern(alternatives, term.prefix, WORD_CHAR, joined, 'gu')), foldText(text));
		if (seen !== 'joined') return seen === 'phrase';
		return partsMatch(identifierParts(text));
	};
}

/** A substring term (search-query.ts): its pieces in order, with nothing but non-letters between them. */
function substringTest(pieces: string[]): TermTest {
	const pattern = new RegExp(pieces.map(piece => escapeRegExp(piece)).join('[^\\p{L}\\p{M}\\p{N}]*'), 'u');
	return text => !ASCII_ONLY.test(text) && pattern.test(substringForm(text));
}

/** `(phrase alternatives)|(joined words)`: group 1 is set when a phrase matched. */
function scanPattern(alternatives: string[][], prefix: boolean, wordChar: string, joined: string, flags: string): RegExp {
	const phrases = alternatives.map(words => phraseBody(words, prefix, wordChar)).join('|');
	return new RegExp(`(${phrases})|${joined}`, flags);
}

/**
 * 'phrase' when some alternative matches as a phrase; else 'joined' when the words occur written
 * together where an identifier part may start (`startsPart`, when given); else 'none'.
 */
function scan(pattern: RegExp, subject: string, startsPart?: (index: number) => boolean): 'phrase' | 'joined' | 'none' {
	pattern.lastIndex = 0;
	let seen: 'joined' | 'none' = 'none';
	for (let match = pattern.exec(subject); match; match = pattern.exec(subject)) {
		if (match[1] !== undefined) return 'phrase';
		if (!startsPart || startsPart(match.index)) seen = 'joined';
		// A phrase may still start inside this joined match (`elseielse i`): look again one character on.
		pattern.lastIndex = match.index + 1;
	}

	return seen;
}

/**
 * Whether an identifier part (index-text.ts identifierParts) can start at `index` of an ASCII text: at
 * the start of a run of letters and digits, or at a camelCase boundary (`fooBar`, `getV2Users`,
 * `HTTPServer`). Elsewhere (`you` inside `layout`) words written together cannot match that column,
 * so their identifier parts are not computed.
 */
function mayStartPart(text: string, index: number): boolean {
	if (index === 0) return true;
	const previous = text.charCodeAt(index - 1);
	if (!isAsciiLetterOrDigit(previous)) return true;
	if (!isUpper(text.charCodeAt(index))) return false;
	return !isUpper(previous) || isLower(text.charCodeAt(index + 1));
}

/** The run of ASCII letters and digits around `index`: what identifierParts takes as one identifier. */
function runAround(text: string, index: number): string {
	let start = index;
	while (start > 0 && isAsciiLetterOrDigit(text.charCodeAt(start - 1))) start--;
	let end = index;
	while (end < text.length && isAsciiLetterOrDigit(text.charCodeAt(end))) end++;
	return text.slice(start, end);
}

function isAsciiLetterOrDigit(code: number): boolean {
	return (code >= 48 && code <= 57) || isUpper(code) || isLower(code);
}

function isUpper(code: number): boolean {
	return code >= 65 && code <= 90;
}

function isLower(code: number): boolean {
	return code >= 97 && code <= 122;
}

/** Words at token boundaries, separated by anything but token characters (what a phrase is to FTS5). */
function phrasePattern(words: string[], prefix: boolean, wordChar: string, flags: string): RegExp {
	return new RegExp(phraseBody(words, prefix, wordChar), flags);
}

function phraseBody(words: string[], prefix: boolean, wordChar: string): string {
	const body = words.map(word => escapeRegExp(word)).join(`[^${wordChar}]+`);
	return `(?<![${wordChar}])${body}${prefix ? '' : `(?![${wordChar}])`}`;
}

function escapeRegExp(text: string): string {
	return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
