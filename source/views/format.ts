/** Small pure formatters for the views (no Ink, unit-testable). */
import stringWidth from './string-width.js';
import {plainText} from '../terminal-text.js';

export {plainText};

/** "3m", "5h", "2d", "4w", "7mo", "1y" ago; "now" within a minute; "" for a bad date. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
	if (!iso) {
		return '';
	}

	const then = Date.parse(iso);
	if (Number.isNaN(then)) {
		return '';
	}

	const seconds = Math.max(0, Math.round((now - then) / 1000));
	if (seconds < 60) {
		return 'now';
	}

	const steps: Array<[number, string]> = [
		[60, 'm'],
		[60 * 60, 'h'],
		[60 * 60 * 24, 'd'],
		[60 * 60 * 24 * 7, 'w'],
		[60 * 60 * 24 * 30, 'mo'],
		[60 * 60 * 24 * 365, 'y'],
	];
	let label = '';
	for (const [size, unit] of steps) {
		if (seconds >= size) {
			label = `${Math.floor(seconds / size)}${unit}`;
		}
	}

	return label;
}

/** 950 → "950", 12_345 → "12.3k", 4_200_000 → "4.2M". */
export function compactNumber(value: number): string {
	if (!Number.isFinite(value) || value < 1000) {
		return String(Math.max(0, Math.round(value || 0)));
	}

	// The bounds are where rounding would carry into the next unit (999_999 is 1M, not 1000k).
	if (value < 999_500) {
		return `${trimZero((value / 1000).toFixed(value < 9950 ? 1 : 0))}k`;
	}

	return `${trimZero((value / 1_000_000).toFixed(1))}M`;
}

function trimZero(text: string): string {
	return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** The last path segment of a working directory ("" when unknown). */
export function projectName(cwd: string | null | undefined): string {
	if (!cwd) {
		return '';
	}

	const parts = cwd.split(/[\\/]+/).filter(Boolean);
	return parts.at(-1) ?? cwd;
}

/**
 * Columns one code point takes in a terminal: 0 for combining marks, joiners and variation selectors
 * (they ride on the character before), 2 for CJK and emoji, 1 otherwise. Code points are measured one
 * at a time (cached): a ZWJ emoji sequence counts as its parts, which is how tmux and most terminals
 * draw it anyway.
 */
const codePointWidths = new Map<number, number>();
function codePointWidth(char: string): number {
	const code = char.codePointAt(0)!;
	if (code >= 0x20 && code < 0x7f) {
		return 1;
	}

	let width = codePointWidths.get(code);
	if (width === undefined) {
		width = code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f) ? 0 : stringWidth(char);
		codePointWidths.set(code, width);
	}

	return width;
}

/** Columns a string takes (see codePointWidth). */
export function columnWidth(text: string): number {
	let width = 0;
	for (const char of text) {
		width += codePointWidth(char);
	}

	return width;
}

/**
 * Cut to `width` terminal columns with an ellipsis; pad to width when `pad`. Wide characters (CJK,
 * emoji) count two columns, so a row of them keeps the columns after it in place.
 */
export function fit(raw: string, width: number, pad = false): string {
	if (width <= 0) {
		return '';
	}

	const text = plainText(raw);

	const total = columnWidth(text);
	if (total > width) {
		let kept = '';
		let used = 0;
		for (const char of text) {
			const next = codePointWidth(char);
			if (used + next > width - 1) {
				break;
			}

			kept += char;
			used += next;
		}

		return kept + '…' + (pad ? ' '.repeat(width - 1 - used) : '');
	}

	return pad ? text + ' '.repeat(width - total) : text;
}

/** One line: newlines and tabs become spaces, runs of spaces collapse; escape sequences are dropped. */
export function oneLine(text: string | null | undefined): string {
	return plainText(text ?? '').replaceAll(/\s+/g, ' ').trim();
}

/** "2026-11-25 14:03" in local time; "" for a bad date. */
export function shortTimestamp(iso: string | null | undefined): string {
	if (!iso) {
		return '';
	}

	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) {
		return '';
	}

	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "$0.42"; "" when unknown. */
export function money(value: number | null | undefined): string {
	return typeof value === 'number' && Number.isFinite(value) ? `$${value.toFixed(2)}` : '';
}

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/** Hard-wrap text to `width` terminal columns (splits on newlines first; long words are cut; wide characters count two). */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	const safe = Math.max(1, width);
	for (const raw of plainText(text.replaceAll('\t', '  ').replaceAll('\r\n', '\n')).split('\n')) {
		if (raw.length === 0) {
			lines.push('');
			continue;
		}

		if (PRINTABLE_ASCII.test(raw)) {
			for (let index = 0; index < raw.length; index += safe) {
				lines.push(raw.slice(index, index + safe));
			}

			continue;
		}

		let line = '';
		let used = 0;
		for (const char of raw) {
			const next = codePointWidth(char);
			if (used + next > safe && line) {
				lines.push(line);
				line = '';
				used = 0;
			}

			line += char;
			used += next;
		}

		lines.push(line);
	}

	return lines;
}
