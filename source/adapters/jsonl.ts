/**
 * Incremental reading of append-only JSONL files, shared by the adapters whose tools append
 * (Claude Code, Codex, Gemini, Copilot). Reads from a cursor's byte offset, only whole lines; a
 * half-written last line is left for next time; a truncated or replaced file is detected and re-read.
 */
import {createHash} from 'node:crypto';
import fsSync, {createReadStream} from 'node:fs';
import fs from 'node:fs/promises';
import {SfsError} from '../engine/errors.js';
import type {FileCursor} from '../engine/types.js';
import {cutDeepNesting, cutWarning} from './json-depth.js';

/** Lines longer than this are skipped with a warning instead of being parsed (protects memory). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const TAIL_BYTES = 256;

export type JsonlLine = {
	/** 1-based line number within the file (for warnings; after a cursor, the lines before it are counted only when asked). */
	lineNumber: number;
	/** Byte offset where the line starts. */
	offset: number;
	text: string;
};

export type JsonlRead = {
	lines: JsonlLine[];
	cursor: FileCursor;
	/** True when the previous cursor could not be continued (file truncated or replaced) and the file was read from 0. */
	restarted: boolean;
	warnings: string[];
};

/** sha256 of the bytes just before `offset` (up to 256), to tell an appended file from a rewritten one. */
async function tailHash(handle: fs.FileHandle, offset: number): Promise<string> {
	const start = Math.max(0, offset - TAIL_BYTES);
	const buffer = Buffer.alloc(offset - start);
	if (buffer.length > 0) await handle.read(buffer, 0, buffer.length, start);
	return createHash('sha256').update(buffer).digest('hex').slice(0, 16);
}

/** True when the file is exactly as the cursor left it (no parsing needed). */
export function unchanged(cursor: FileCursor | undefined, stat: {size: number; mtimeMs: number; ino: number}): boolean {
	return Boolean(cursor && cursor.size === stat.size && cursor.mtime_ms === stat.mtimeMs && cursor.ino === stat.ino);
}

/**
 * Reads the whole lines appended since `cursor` (or the whole file without one).
 * Throws only if the file cannot be opened (vanished, unreadable): callers turn that into a skip reason.
 */
export async function readJsonlFrom(filePath: string, cursor?: FileCursor): Promise<JsonlRead> {
	const handle = await fs.open(filePath, 'r');
	try {
		const stat = await handle.stat();
		let start = 0;
		let restarted = false;
		if (cursor) {
			const sameFile = cursor.ino === stat.ino && stat.size >= cursor.offset;
			const sameTail = sameFile && (cursor.last_line_hash === undefined || (await tailHash(handle, cursor.offset)) === cursor.last_line_hash);
			if (sameFile && sameTail) start = cursor.offset;
			else restarted = true;
		}

		const {lines, consumed, warnings} = await splitLines(filePath, start, stat.size);
		const offset = start + consumed;
		return {
			lines,
			restarted,
			warnings,
			cursor: {
				size: stat.size,
				mtime_ms: stat.mtimeMs,
				ino: stat.ino,
				offset,
				last_line_hash: await tailHash(handle, offset),
			},
		};
	} finally {
		await handle.close();
	}
}

/**
 * How many lines end before `offset`, counted on first call by reading the file's head again: a line read
 * from a cursor is numbered from the file's start (a warning said "line 2" of a line far down the file),
 * and an incremental read that warns about nothing never pays for it.
 */
function linesBefore(filePath: string, offset: number): () => number {
	let count: number | undefined;
	return () => {
		if (count !== undefined) return count;
		count = 0;
		let fd: number | undefined;
		try {
			fd = fsSync.openSync(filePath, 'r');
			const buffer = Buffer.alloc(1024 * 1024);
			for (let position = 0; position < offset; ) {
				const bytesRead = fsSync.readSync(fd, buffer, 0, Math.min(buffer.length, offset - position), position);
				if (bytesRead === 0) break;
				const chunk = buffer.subarray(0, bytesRead);
				for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
				position += bytesRead;
			}
		} catch {
			// Unreadable now: the numbers count from the cursor.
		} finally {
			if (fd !== undefined) fsSync.closeSync(fd);
		}

		return count;
	};
}

class LineAfterCursor implements JsonlLine {
	constructor(
		private readonly before: () => number,
		private readonly relative: number,
		readonly offset: number,
		readonly text: string,
	) {}

	get lineNumber(): number {
		return this.before() + this.relative;
	}
}

async function splitLines(filePath: string, start: number, end: number): Promise<{lines: JsonlLine[]; consumed: number; warnings: string[]}> {
	const lines: JsonlLine[] = [];
	const warnings: string[] = [];
	if (end <= start) return {lines, consumed: 0, warnings};

	let pending: Buffer[] = [];
	let pendingBytes = 0;
	let oversized = false;
	let lineStart = start;
	let position = start;
	let lineNumber = 0;
	const before = start > 0 ? linesBefore(filePath, start) : undefined;

	const stream = createReadStream(filePath, {start, end: end - 1, highWaterMark: 1024 * 1024});
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		let from = 0;
		for (;;) {
			const newline = chunk.indexOf(10, from);
			if (newline === -1) {
				const rest = chunk.subarray(from);
				if (!oversized) {
					pending.push(rest);
					pendingBytes += rest.length;
					if (pendingBytes > MAX_LINE_BYTES) {
						oversized = true;
						pending = [];
					}
				}

				position += rest.length;
				break;
			}

			const piece = chunk.subarray(from, newline);
			position += piece.length + 1;
			lineNumber++;
			if (oversized || pendingBytes + piece.length > MAX_LINE_BYTES) {
				warnings.push(`line ${(before?.() ?? 0) + lineNumber}: longer than ${MAX_LINE_BYTES / 1024 / 1024} MB, skipped`);
			} else {
				let text = (pending.length > 0 ? Buffer.concat([...pending, piece]) : piece).toString('utf8');
				if (lineStart === 0) text = withoutBom(text);
				if (text.trim().length > 0) lines.push(before ? new LineAfterCursor(before, lineNumber, lineStart, text) : {lineNumber, offset: lineStart, text});
			}

			pending = [];
			pendingBytes = 0;
			oversized = false;
			lineStart = position;
			from = newline + 1;
		}
	}

	// Whatever follows the last newline is a half-written line: leave it for the next capture.
	return {lines, consumed: lineStart - start, warnings};
}

/** A UTF-8 byte order mark (Windows editors write one) is not part of the JSON: JSON.parse rejects it. */
function withoutBom(text: string): string {
	return text.charCodeAt(0) === 0xfe_ff ? text.slice(1) : text;
}

/**
 * Parses one JSONL line; returns undefined (and a one-line reason) instead of throwing. A value nested
 * too deep comes back with its deep parts cut and a warning saying so (`value` and `warning` both set).
 */
export function parseJsonLine(line: JsonlLine): {value?: unknown; warning?: string} {
	let value: unknown;
	try {
		value = JSON.parse(line.text);
	} catch {
		return {warning: `line ${line.lineNumber}: invalid JSON, skipped`};
	}

	const cut = cutDeepNesting(value);
	return cut === 0 ? {value} : {value, warning: cutWarning(`line ${line.lineNumber}`, cut)};
}

/** A native file that cannot be opened or stat-ed: one line with its error code. */
export function openError(file: string, error: unknown): never {
	const code = typeof error === 'object' && error !== null && typeof (error as {code?: unknown}).code === 'string' ? (error as {code: string}).code : 'unreadable';
	throw new SfsError('IO', `cannot open ${file} (${code})`, {cause: error});
}

/** Reads a whole JSON file (for tools that rewrite their session file), with stat for the cursor; `warning` with `value` when parts were cut (json-depth.ts). */
export async function readJsonFile(filePath: string): Promise<{value?: unknown; cursor: FileCursor; warning?: string}> {
	const handle = await fs.open(filePath, 'r');
	try {
		const stat = await handle.stat();
		const cursor: FileCursor = {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
		if (stat.size > MAX_LINE_BYTES * 4) return {cursor, warning: `${filePath}: larger than ${(MAX_LINE_BYTES * 4) / 1024 / 1024} MB, skipped`};
		const text = withoutBom(await handle.readFile('utf8'));
		if (text.trim().length === 0) return {cursor, warning: `${filePath}: empty file`};
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch {
			return {cursor, warning: `${filePath}: invalid JSON (file may be mid-write), skipped`};
		}

		const cut = cutDeepNesting(value);
		return cut === 0 ? {value, cursor} : {value, cursor, warning: cutWarning(filePath, cut)};
	} finally {
		await handle.close();
	}
}

/**
 * A whole-JSON-file read for tools that rewrite the file: undefined while the file is as `previous` (its
 * cursor) left it. A file that cannot be opened throws (openError), as readJsonlFrom does.
 */
export async function readJsonFileIfChanged(filePath: string, previous: FileCursor | undefined): Promise<Awaited<ReturnType<typeof readJsonFile>> | undefined> {
	try {
		if (unchanged(previous, await fs.stat(filePath))) return undefined;
		return await readJsonFile(filePath);
	} catch (error) {
		return openError(filePath, error);
	}
}

/** A stable short hash for deriving deterministic ids. */
export function stableHash(...parts: Array<string | number>): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(String(part)).update('\u0000');
	return hash.digest('hex').slice(0, 24);
}
