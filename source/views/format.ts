/** Small pure formatters for the views (no Ink, unit-testable). */

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

	if (value < 1_000_000) {
		return `${trimZero((value / 1000).toFixed(value < 10_000 ? 1 : 0))}k`;
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

/** Cut to width with an ellipsis; pad to width when `pad`. Counts code points (good enough for a TUI). */
export function fit(text: string, width: number, pad = false): string {
	if (width <= 0) {
		return '';
	}

	const chars = [...text];
	if (chars.length > width) {
		return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
	}

	return pad ? text + ' '.repeat(width - chars.length) : text;
}

/** One line: newlines and tabs become spaces, runs of spaces collapse. */
export function oneLine(text: string | null | undefined): string {
	return (text ?? '').replaceAll(/\s+/g, ' ').trim();
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

/** Hard-wrap text to width (splits on newlines first; long words are cut). */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	const safe = Math.max(1, width);
	for (const raw of text.replaceAll('\t', '  ').split(/\r?\n/)) {
		const chars = [...raw];
		if (chars.length === 0) {
			lines.push('');
			continue;
		}

		for (let index = 0; index < chars.length; index += safe) {
			lines.push(chars.slice(index, index + safe).join(''));
		}
	}

	return lines;
}
