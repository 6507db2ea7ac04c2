/**
 * string-width with a fast path, swapped in for the real one inside the TUI bundle (scripts/bundle-tui.mjs)
 * so that Ink, cli-truncate and widest-line use it. Why: string-width sends any text that is not plain
 * ASCII through Intl.Segmenter and three Unicode-property regexes (`\p{RGI_Emoji}` with the `v` flag
 * among them); compiling those on the first frame's first `│` or `…` cost 30–45 ms of the TUI's start.
 * Text made only of the code points below is measured by counting: each of them is one column wide and
 * a grapheme of its own (test/views/string-width.test.ts checks every one against string-width).
 * Anything else (CJK, emoji, combining marks, ANSI escapes, options) goes to string-width itself.
 */
import realStringWidth from 'string-width';

/** Inclusive ranges of one-column code points that never join a neighbour into one grapheme. */
export const NARROW_RANGES: ReadonlyArray<readonly [number, number]> = [
	[0x20, 0x7e], // printable ASCII
	[0xa0, 0xac], // Latin-1 (0xAD, the soft hyphen, is zero-width)
	[0xae, 0x2ff], // Latin-1, Latin Extended, IPA, spacing modifiers
	[0x370, 0x482], // Greek, Cyrillic (0x483–0x489 are combining)
	[0x48a, 0x52f],
	[0x2010, 0x2027], // dashes, quotes, bullets, … (0x2028–0x202F: separators and bidi controls)
	[0x2030, 0x205e], // ‰ ′ › ‼ ⁄ …
	[0x2070, 0x20bf], // super/subscripts, currency (0x20D0– are combining marks for symbols)
	[0x2100, 0x22ff], // letterlike, number forms, arrows (⇄), mathematical operators
	[0x2440, 0x24ff], // OCR (⑂), enclosed alphanumerics
	[0x2500, 0x25fc], // box drawing (│ └ ─), blocks, geometric shapes (● ○ ◆ ▸); 0x25FD–0x25FE are emoji
	[0x25ff, 0x25ff],
	[0x2713, 0x2718], // ✓ ✔ ✕ ✖ ✗ ✘
];

function isNarrow(code: number): boolean {
	if (code >= 0x20 && code <= 0x7e) return true;
	for (const [from, to] of NARROW_RANGES) {
		if (code < from) return false;
		if (code <= to) return true;
	}

	return false;
}

type Options = Parameters<typeof realStringWidth>[1];

/** The end of the CSI sequence (`ESC [ params intermediates final`, e.g. a colour) starting at `index`, or -1. */
function csiEnd(text: string, index: number): number {
	if (text.charCodeAt(index + 1) !== 0x5b) return -1;
	let at = index + 2;
	while (at < text.length && text.charCodeAt(at) >= 0x30 && text.charCodeAt(at) <= 0x3f) at++; // parameters
	while (at < text.length && text.charCodeAt(at) >= 0x20 && text.charCodeAt(at) <= 0x2f) at++; // intermediates
	const final = text.charCodeAt(at); // NaN past the end
	return final >= 0x40 && final <= 0x7e ? at + 1 : -1;
}

export default function stringWidth(text: string, options?: Options): number {
	if (typeof text !== 'string' || options !== undefined) return realStringWidth(text, options);
	// Ink measures text with its colours in it: CSI sequences take no columns (string-width strips them too).
	let width = 0;
	let index = 0;
	while (index < text.length) {
		const code = text.charCodeAt(index);
		if (code === 0x1b) {
			const end = csiEnd(text, index);
			if (end === -1) return realStringWidth(text);
			index = end;
			continue;
		}

		// Every narrow code point is in the BMP, so a surrogate half also takes the full path.
		if (!isNarrow(code)) return realStringWidth(text);
		width++;
		index++;
	}

	return width;
}
