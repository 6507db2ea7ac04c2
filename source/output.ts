/**
 * Printing for the scriptable commands: data to stdout, diagnostics to stderr. No dependencies (chalk
 * and ink stay unloaded here, so commands start fast); colour only when the stream is a TTY and
 * neither NO_COLOR nor FORCE_COLOR=0 asks otherwise.
 */
import {formatError, SfsError} from './engine/errors.js';

type Stream = NodeJS.WriteStream;

/** Colour on `stream`? FORCE_COLOR wins over the TTY check; NO_COLOR (non-empty) wins over both. */
export function colorEnabled(stream: Stream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
	if (env.NO_COLOR) return false;
	const force = env.FORCE_COLOR;
	if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
	if (env.TERM === 'dumb') return false;
	return Boolean(stream.isTTY);
}

export type Paint = (text: string) => string;
export type Palette = {bold: Paint; dim: Paint; accent: Paint; danger: Paint; ok: Paint; warn: Paint; match: Paint};

function sgr(open: number, close: number): Paint {
	return text => `\u001B[${open}m${text}\u001B[${close}m`;
}

const plain: Paint = text => text;

export function palette(enabled: boolean): Palette {
	if (!enabled) return {bold: plain, dim: plain, accent: plain, danger: plain, ok: plain, warn: plain, match: plain};
	return {bold: sgr(1, 22), dim: sgr(2, 22), accent: sgr(36, 39), danger: sgr(31, 39), ok: sgr(32, 39), warn: sgr(33, 39), match: sgr(7, 27)};
}

/**
 * Colours for stdout and stderr, decided once per process, on first use: merely reading
 * `process.stdout` makes Node set up the stream (for a pipe: the net and stream modules, ~4 ms),
 * which `sfs search --json` into a pipe never needs (see commands/search.ts writeStdout).
 */
export const out = lazyPalette(() => process.stdout);
export const err = lazyPalette(() => process.stderr);

function lazyPalette(stream: () => Stream): Palette {
	let chosen: Palette | undefined;
	const paint = (key: keyof Palette): Paint => text => (chosen ??= palette(colorEnabled(stream())))[key](text);
	return {bold: paint('bold'), dim: paint('dim'), accent: paint('accent'), danger: paint('danger'), ok: paint('ok'), warn: paint('warn'), match: paint('match')};
}

export function print(line = ''): void {
	process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
	process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A diagnostic line on stderr. */
export function note(line: string): void {
	process.stderr.write(`${line}\n`);
}

/** A single self-overwriting progress line on stderr, drawn at most every 80 ms; call `done()` to clear it. */
export function progressLine(): {update(label: string, done: number, total: number): void; done(): void} {
	let last = 0;
	return {
		update(label, done, total) {
			const now = Date.now();
			if (now - last < 80 && done !== total) return;
			last = now;
			const width = 24;
			const filled = total === 0 ? width : Math.round((done / total) * width);
			process.stderr.write(`\r\u001B[2K${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
		},
		done() {
			process.stderr.write('\r\u001B[2K');
		},
	};
}

export function warn(line: string): void {
	process.stderr.write(`${err.warn('sfs: warning:')} ${line}\n`);
}

/**
 * Prints an error the way every command does: one line `sfs: <what> (<fix>)`, then any detail lines
 * (e.g. the candidates of an ambiguous prefix); the stack only with SFS_DEBUG=1.
 */
export function printError(error: unknown, env: NodeJS.ProcessEnv = process.env): void {
	process.stderr.write(`${formatError(error)}\n`);
	if (error instanceof SfsError && error.details) for (const line of error.details) process.stderr.write(`  ${line}\n`);
	if (env.SFS_DEBUG === '1' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/** "3m ago", "2h ago", "5d ago", or the date for anything older than a few weeks. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
	if (!iso) return '-';
	const time = Date.parse(iso);
	if (Number.isNaN(time)) return '-';
	const seconds = Math.round((now - time) / 1000);
	if (seconds < 0) return new Date(time).toISOString().slice(0, 10);
	if (seconds < 60) return 'just now';
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m ago`;
	const hours = Math.floor(minutes / 60);
	if (hours < 48) return `${hours}h ago`;
	const days = Math.floor(hours / 24);
	if (days < 30) return `${days}d ago`;
	return new Date(time).toISOString().slice(0, 10);
}

export function compactNumber(value: number | null | undefined): string {
	const n = value ?? 0;
	if (n < 1000) return String(n);
	// The bounds are where rounding would carry into the next unit (999_999 is 1.0M, not 1000k).
	if (n < 9950) return `${(n / 1000).toFixed(1)}k`;
	if (n < 999_500) return `${(n / 1000).toFixed(0)}k`;
	return `${(n / 1_000_000).toFixed(1)}M`;
}

export function humanBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes / 1024;
	let unit = 0;
	// 1023.5 and up would print as "1024 KiB": that is the next unit.
	while (value >= 1023.5 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Visible width of a string that may hold SGR sequences. */
export function visibleLength(text: string): number {
	// eslint-disable-next-line no-control-regex
	return [...text.replace(/\u001B\[[0-9;]*m/g, '')].length;
}

/**
 * Cuts `text` to `width` visible characters (the last one an ellipsis). SGR sequences are kept whole
 * and do not count; when one was kept, a reset follows so a cut colour does not bleed into the next line.
 */
export function truncate(text: string, width: number): string {
	if (visibleLength(text) <= width) return text;
	const keep = width <= 1 ? width : width - 1;
	// eslint-disable-next-line no-control-regex
	const tokens = text.match(/\u001B\[[0-9;]*m|[\s\S]/gu) ?? [];
	let visible = 0;
	let styled = false;
	let result = '';
	for (const token of tokens) {
		if (token.length > 1 && token.startsWith('\u001B[')) {
			if (visible < keep) {
				result += token;
				styled = true;
			}

			continue;
		}

		if (visible >= keep) break;
		result += token;
		visible++;
	}

	return `${result}${width <= 1 ? '' : '…'}${styled ? '\u001B[0m' : ''}`;
}

export type Column = {header: string; align?: 'left' | 'right'; /** Shrinks first when the table is too wide. */ flex?: boolean};

/**
 * A plain-text table: columns separated by two spaces, the flex column truncated to fit `width`
 * (the terminal width, or unlimited when not a TTY so pipes get whole values).
 */
export function table(columns: Column[], rows: string[][], options: {width?: number; paint?: Palette} = {}): string[] {
	const widths = columns.map((column, index) => Math.max(visibleLength(column.header), ...rows.map(row => visibleLength(row[index] ?? ''))));
	const flex = columns.findIndex(column => column.flex);
	if (options.width && flex !== -1) {
		const total = widths.reduce((sum, w) => sum + w, 0) + 2 * (columns.length - 1);
		if (total > options.width) widths[flex] = Math.max(8, widths[flex]! - (total - options.width));
	}

	const cell = (text: string, index: number) => {
		const width = widths[index]!;
		const fitted = visibleLength(text) > width ? truncate(text, width) : text;
		const pad = ' '.repeat(Math.max(0, width - visibleLength(fitted)));
		if (index === columns.length - 1 && columns[index]!.align !== 'right') return fitted;
		return columns[index]!.align === 'right' ? pad + fitted : fitted + pad;
	};

	const bold = options.paint?.bold ?? plain;
	const lines = [bold(columns.map((column, index) => cell(column.header, index)).join('  ').trimEnd())];
	for (const row of rows) lines.push(row.map((text, index) => cell(text, index)).join('  ').trimEnd());
	return lines;
}

/** Terminal width for human tables; undefined when stdout is not a TTY. */
export function terminalWidth(): number | undefined {
	return process.stdout.isTTY ? process.stdout.columns || 80 : undefined;
}

/** Session text for a human on a terminal (see terminal-text.ts); --json output is never passed through this. */
export {plainText as printable} from './terminal-text.js';

/** Replaces the \u0001…\u0002 match markers of a snippet with highlighting (or nothing). */
export function renderSnippet(snippet: string, paint: Paint): string {
	return snippet.replace(/\u0001([^\u0002]*)\u0002/g, (_all, match: string) => paint(match)).replace(/[\u0001\u0002]/g, '');
}

export function plainSnippet(snippet: string): string {
	return snippet.replace(/[\u0001\u0002]/g, '');
}
