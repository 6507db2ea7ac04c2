/**
 * What of a message goes into the full-text index, and the identifier parts indexed beside it.
 * The store keeps everything; the index holds a bounded text per message so that it stays small
 * and fast to build (tool output is mostly noise for search beyond its first lines).
 */
import type {ContentBlock, Message} from './types.js';

/** Prefix of each tool_result kept for search. */
export const TOOL_RESULT_INDEX_CHARS = 2048;
/** Prefix of the string fields of a tool_use input (commands, paths, edit strings). */
export const TOOL_INPUT_INDEX_CHARS = 2048;
/** Prefix of the string fields of a block type sfs does not know. */
export const UNKNOWN_BLOCK_INDEX_CHARS = 512;
/** Upper bound for one message's indexed text. */
export const MESSAGE_INDEX_CHARS = 32_768;

/** The searchable text of one message (also what snippets are cut from). */
export function messageIndexText(message: Message): string {
	// History that resume copied into a native session is searchable once, in the session it came from.
	if (message.metadata?.copied_from) return '';
	const parts: string[] = [];
	let length = 0;
	for (const block of Array.isArray(message.content) ? message.content : []) {
		const text = blockIndexText(block);
		if (!text) continue;
		parts.push(text);
		length += text.length + 1;
		if (length >= MESSAGE_INDEX_CHARS) break;
	}

	const joined = parts.join('\n');
	return joined.length > MESSAGE_INDEX_CHARS ? cutAtBoundary(joined, MESSAGE_INDEX_CHARS) : joined;
}

export function blockIndexText(block: ContentBlock): string {
	if (!block || typeof block !== 'object') return '';
	switch (block.type) {
		case 'text':
		case 'summary': {
			return typeof block.text === 'string' ? block.text : '';
		}

		case 'thinking': {
			const text = typeof block.text === 'string' ? block.text : '';
			const summary = typeof block.summary === 'string' ? block.summary : '';
			return summary ? `${text}\n${summary}` : text;
		}

		case 'tool_use': {
			const name = typeof block.name === 'string' ? block.name : '';
			const input = collectStrings(block.input, TOOL_INPUT_INDEX_CHARS);
			return input ? `${name} ${input}` : name;
		}

		case 'tool_result': {
			const content = typeof block.content === 'string' ? block.content : '';
			return content.length > TOOL_RESULT_INDEX_CHARS ? cutAtBoundary(content, TOOL_RESULT_INDEX_CHARS) : content;
		}

		// Raw native records and images are not searchable text; the store keeps them.
		case 'native_record':
		case 'image': {
			return '';
		}

		default: {
			const {type: _type, ...rest} = block;
			return collectStrings(rest, UNKNOWN_BLOCK_INDEX_CHARS);
		}
	}
}

/** String leaves of a JSON value, depth-first, joined by spaces, stopping at `limit` characters. */
function collectStrings(value: unknown, limit: number): string {
	const out: string[] = [];
	let length = 0;
	const visit = (node: unknown, depth: number): void => {
		if (length >= limit || depth > 6) return;
		if (typeof node === 'string') {
			const piece = node.length > limit - length ? node.slice(0, limit - length) : node;
			out.push(piece);
			length += piece.length + 1;
		} else if (Array.isArray(node)) {
			for (const item of node) visit(item, depth + 1);
		} else if (node && typeof node === 'object') {
			for (const item of Object.values(node)) visit(item, depth + 1);
		}
	};

	visit(value, 0);
	return out.join(' ');
}

/** Cut to at most `limit` characters without splitting a surrogate pair. */
function cutAtBoundary(text: string, limit: number): string {
	const code = text.charCodeAt(limit - 1);
	return code >= 0xd8_00 && code <= 0xdb_ff ? text.slice(0, limit - 1) : text.slice(0, limit);
}

/**
 * Scripts whose words are not separated by spaces, as a regex character class body: FTS5's unicode61
 * tokenizer makes one token of a whole run of them, and of ASCII words written against them.
 */
export const GLUED_SCRIPTS = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}`;
/**
 * A cheap first test for those scripts (code unit ranges: Thai, Lao, Myanmar, Hangul jamo, Khmer, kana,
 * CJK, Hangul syllables, half-width kana, and the high surrogates of the supplementary ideographs): most
 * texts have none, and the exact pattern with Unicode properties is several times slower to run.
 */
const MAYBE_GLUED = /[\u0E00-\u0EFF\u1000-\u11FF\u1780-\u17FF\u3040-\u9FFF\uAC00-\uD7AF\uD840-\uD87F\uF900-\uFAFF\uFF66-\uFF9F]/;
/** Built on first use (text that is not ASCII only). */
let gluedNeighbour: RegExp | undefined;

/** Whether `text` may hold characters of those scripts (false: it surely does not). */
export function mayHoldGluedText(text: string): boolean {
	return MAYBE_GLUED.test(text);
}

// An inner case boundary: fooBar, HTTPServer, getV2Users.
const CASE_BOUNDARY = /[a-z\d][A-Z]|[A-Z][A-Z][a-z]/g;
/** Longer runs are hashes or base64, not identifiers: splitting them only bloats the index. */
const MAX_IDENTIFIER_LENGTH = 64;

/**
 * Split one identifier at camelCase boundaries: `handleRateLimit` → handle, Rate, Limit;
 * `HTTPServer` → HTTP, Server; `getV2Users` → get, V2, Users. Snake case and paths need no help:
 * the FTS tokenizer already splits at `_`, `/`, `.` and `-`.
 */
export function splitCamelCase(word: string): string[] {
	const parts: string[] = [];
	let start = 0;
	for (let i = 1; i < word.length; i++) {
		const previous = word[i - 1]!;
		const current = word[i]!;
		const next = word[i + 1];
		const lowerOrDigitThenUpper = isUpper(current) && (isLower(previous) || isDigit(previous));
		const acronymEnd = isUpper(current) && isUpper(previous) && next !== undefined && isLower(next);
		if (lowerOrDigitThenUpper || acronymEnd) {
			parts.push(word.slice(start, i));
			start = i;
		}
	}

	parts.push(word.slice(start));
	return parts;
}

/**
 * The extra indexed column: the parts of every camelCase identifier in `text`, each identifier's
 * parts adjacent (so a phrase query `"rate limit"` matches `handleRateLimit`), each identifier once;
 * and each ASCII word written against Chinese, Japanese, Korean or Thai text (`React` in
 * `使用React组件`), which the tokenizer would keep only inside that text's token.
 */
export function identifierParts(text: string): string {
	// Find boundaries (cheap), then widen each to its whole word: much faster than matching every word.
	const seen = new Set<string>();
	CASE_BOUNDARY.lastIndex = 0;
	let match: RegExpExecArray | null;
	while ((match = CASE_BOUNDARY.exec(text))) {
		let start = match.index;
		while (start > 0 && isAsciiWordChar(text.charCodeAt(start - 1))) start--;
		let end = match.index + match[0].length;
		while (end < text.length && isAsciiWordChar(text.charCodeAt(end))) end++;
		CASE_BOUNDARY.lastIndex = end;
		if (end - start >= 3 && end - start <= MAX_IDENTIFIER_LENGTH) seen.add(text.slice(start, end));
	}

	if (mayHoldGluedText(text)) {
		gluedNeighbour ??= new RegExp(`[A-Za-z0-9]+(?=[${GLUED_SCRIPTS}])|(?<=[${GLUED_SCRIPTS}])[A-Za-z0-9]+`, 'gu');
		for (const [word] of text.matchAll(gluedNeighbour)) if (word.length <= MAX_IDENTIFIER_LENGTH) seen.add(word);
	}

	if (seen.size === 0) return '';

	const out: string[] = [];
	for (const identifier of seen) out.push(splitCamelCase(identifier).join(' '));
	return out.join(' ');
}

function isAsciiWordChar(code: number): boolean {
	return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isUpper(char: string): boolean {
	return char >= 'A' && char <= 'Z';
}

function isLower(char: string): boolean {
	return char >= 'a' && char <= 'z';
}

function isDigit(char: string): boolean {
	return char >= '0' && char <= '9';
}
