/**
 * Snippets for search hits, cut from the indexed text of a message. Built here rather than with
 * FTS5's snippet() because the FTS table is contentless (see index-db.ts) and because a match on
 * part of an identifier (`RateLimit` in `handleRateLimit`) should be marked too.
 */
import {splitCamelCase} from './index-text.js';
import {foldWord, type QueryTerm, substringForm} from './search-query.js';

export const MARK_START = '\u0001';
export const MARK_END = '\u0002';
export const SNIPPET_CHARS = 160;

/** Built on first use (non-ASCII text only): a regex of Unicode properties takes ~0.1–0.2 ms to build. */
let unicodeToken: RegExp | undefined;
const MAX_MARKS = 500;

type Range = {start: number; end: number};

/** Remove the highlight markers (for plain-text output). */
export function stripMarks(snippet: string): string {
	return snippet.replaceAll(MARK_START, '').replaceAll(MARK_END, '');
}

export function buildSnippet(text: string, terms: QueryTerm[], maxChars = SNIPPET_CHARS): string {
	const matcher = makeMatcher(terms);
	const marks = findMarks(text, matcher);
	const [from, to] = chooseWindow(text, marks, maxChars);
	let out = from > 0 ? '…' : '';
	let cursor = from;
	for (const mark of marks) {
		if (mark.start < from || mark.end > to) continue;
		out += clean(text.slice(cursor, mark.start)) + MARK_START + clean(text.slice(mark.start, mark.end)) + MARK_END;
		cursor = mark.end;
	}

	out += clean(text.slice(cursor, to));
	if (to < text.length) out += '…';
	return out.trim();
}

/** `substrings`: the words of terms in scripts written without spaces, marked wherever they occur in a token. */
type Needles = {exact: Set<string>; prefixes: string[]; substrings: string[]};

function makeMatcher(terms: QueryTerm[]): Needles {
	const exact = new Set<string>();
	const prefixes: string[] = [];
	const substrings: string[] = [];
	for (const term of terms) {
		if (term.substring) {
			substrings.push(...term.substring);
			continue;
		}

		for (const list of [term.words, term.parts ?? []]) {
			list.forEach((word, index) => {
				if (term.prefix && index === list.length - 1) prefixes.push(word);
				else exact.add(word);
			});
		}
	}

	return {exact, prefixes, substrings};
}

const NON_ASCII = /[^\u0000-\u007F]/;
const ASCII_WORD = /^[A-Za-z0-9]+$/;

function findMarks(text: string, needles: Needles): Range[] {
	return NON_ASCII.test(text) ? findMarksByToken(text, needles) : findMarksAscii(text, needles);
}

/**
 * ASCII text (the common case): look the needles up with indexOf and check the boundaries, instead
 * of folding every token. A needle matches a whole token or a camelCase part of one.
 */
function findMarksAscii(text: string, needles: Needles): Range[] {
	const lower = text.toLowerCase();
	const marks: Range[] = [];
	const scan = (needle: string, prefix: boolean): void => {
		if (needle.length === 0) return;
		for (let at = lower.indexOf(needle); at !== -1 && marks.length < MAX_MARKS; at = lower.indexOf(needle, at + 1)) {
			if (!startsPart(text, at)) continue;
			let end = at + needle.length;
			if (prefix) {
				while (end < text.length && isWordCode(text.charCodeAt(end)) && !startsPart(text, end)) end++;
			} else if (end < text.length && isWordCode(text.charCodeAt(end)) && !startsPart(text, end)) {
				continue;
			}

			marks.push({start: at, end});
		}
	};

	for (const needle of needles.exact) scan(needle, false);
	for (const needle of needles.prefixes) scan(needle, true);
	return mergeTouching(sortedDisjoint(marks));
}

/** Whether a token or a camelCase part starts at `i` (the same boundaries as splitCamelCase). */
function startsPart(text: string, i: number): boolean {
	if (i === 0) return true;
	const previous = text.charCodeAt(i - 1);
	if (!isWordCode(previous)) return true;
	const current = text.charCodeAt(i);
	if (!isUpperCode(current)) return false;
	if (isLowerCode(previous) || isDigitCode(previous)) return true;
	return isUpperCode(previous) && i + 1 < text.length && isLowerCode(text.charCodeAt(i + 1));
}

function isWordCode(code: number): boolean {
	return isLowerCode(code) || isUpperCode(code) || isDigitCode(code);
}

function isUpperCode(code: number): boolean {
	return code >= 65 && code <= 90;
}

function isLowerCode(code: number): boolean {
	return code >= 97 && code <= 122;
}

function isDigitCode(code: number): boolean {
	return code >= 48 && code <= 57;
}

function findMarksByToken(text: string, needles: Needles): Range[] {
	const matches = (folded: string): boolean =>
		needles.exact.has(folded) || needles.prefixes.some(prefix => folded.startsWith(prefix));
	const all = [...needles.exact, ...needles.prefixes];
	const marks: Range[] = [];
	for (const token of text.matchAll((unicodeToken ??= /[\p{L}\p{N}]+/gu))) {
		if (marks.length >= MAX_MARKS) break;
		const start = token.index;
		const word = token[0];
		// An ASCII token folds to its lower case, and its parts to pieces of that: when no needle occurs in
		// it, neither it nor a part of it can match (most tokens of a text), so it is not split and folded.
		if (ASCII_WORD.test(word)) {
			const lower = word.toLowerCase();
			if (!all.some(needle => lower.includes(needle))) continue;
		}

		if (matches(foldWord(word))) {
			marks.push({start, end: start + word.length});
			continue;
		}

		let offset = start;
		for (const part of splitCamelCase(word)) {
			if (matches(foldWord(part))) marks.push({start: offset, end: offset + part.length});
			offset += part.length;
		}
	}

	if (needles.substrings.length === 0) return mergeTouching(marks);
	// Positions in the compared form are the text's own only when that form kept its length.
	const form = substringForm(text);
	if (form.length === text.length) {
		for (const needle of needles.substrings) {
			for (let at = form.indexOf(needle); at !== -1 && marks.length < MAX_MARKS; at = form.indexOf(needle, at + needle.length)) marks.push({start: at, end: at + needle.length});
		}
	}

	return mergeTouching(sortedDisjoint(marks));
}

/** Marks in order, overlapping ones joined. */
function sortedDisjoint(marks: Range[]): Range[] {
	marks.sort((a, b) => a.start - b.start || b.end - a.end);
	const disjoint: Range[] = [];
	for (const mark of marks) {
		const last = disjoint.at(-1);
		if (last && mark.start < last.end) last.end = Math.max(last.end, mark.end);
		else disjoint.push({...mark});
	}

	return disjoint;
}

function mergeTouching(marks: Range[]): Range[] {
	const merged: Range[] = [];
	for (const mark of marks) {
		const last = merged.at(-1);
		if (last && last.end === mark.start) last.end = mark.end;
		else merged.push({...mark});
	}

	return merged;
}

/** The window of about `maxChars` that holds the most marks, starting a little before the first. */
function chooseWindow(text: string, marks: Range[], maxChars: number): [number, number] {
	if (text.length <= maxChars) return [0, text.length];
	let bestStart = 0;
	let bestCount = 0;
	const lead = Math.floor(maxChars / 4);
	for (let i = 0; i < marks.length; i++) {
		const start = Math.max(0, marks[i]!.start - lead);
		let count = 0;
		for (let j = i; j < marks.length && marks[j]!.end <= start + maxChars; j++) count++;
		if (count > bestCount) {
			bestCount = count;
			bestStart = start;
		}
	}

	let from = bestStart;
	// Start at a word boundary unless that would drop the first mark.
	if (from > 0) {
		const space = text.indexOf(' ', from);
		const firstMark = marks.find(mark => mark.start >= from);
		if (space !== -1 && space < from + 20 && (!firstMark || space < firstMark.start)) from = space + 1;
	}

	let to = Math.min(text.length, from + maxChars);
	if (to < text.length) {
		const space = text.lastIndexOf(' ', to);
		const lastMark = marks.filter(mark => mark.end <= to).at(-1);
		if (space > to - 20 && (!lastMark || space >= lastMark.end)) to = space;
	}

	return [from, to];
}

function clean(text: string): string {
	return text.replaceAll(/[\u0001\u0002]/g, ' ').replaceAll(/\s+/g, ' ');
}
