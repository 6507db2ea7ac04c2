/**
 * Reading whole-file JSON stores (Cline, Roo Code) without ever throwing: a missing, vanished,
 * unreadable, empty or half-written file becomes a one-line reason and the caller keeps going.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type {FileCursor} from '../engine/types.js';
import {readJsonFile} from './jsonl.js';

export type JsonFileRead = {
	value?: unknown;
	cursor?: FileCursor;
	/** One-line reason when `value` is absent (undefined when the file simply does not exist). */
	warning?: string;
	missing?: boolean;
};

export async function tryReadJson(filePath: string): Promise<JsonFileRead> {
	try {
		const read = await readJsonFile(filePath);
		return {value: read.value, cursor: read.cursor, warning: read.warning ? shorten(read.warning, filePath) : undefined};
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return {missing: true};
		return {warning: `${path.basename(filePath)}: unreadable (${code ?? (error as Error).message})`};
	}
}

/** readJsonFile prefixes the full path; the session is already identified, the file name is enough. */
function shorten(warning: string, filePath: string): string {
	return warning.startsWith(filePath) ? path.basename(filePath) + warning.slice(filePath.length) : warning;
}

type Memo = {key: string; value: unknown};
const memo = new Map<string, Memo>();

/**
 * Reads a JSON file shared by many sessions (a history index) once per change, not once per session.
 * Keyed by path and stat, kept in memory for this process only.
 */
export async function readSharedJson(filePath: string, stat: (p: string) => Promise<{size: number; mtimeMs: number; ino: number}>): Promise<unknown> {
	let key: string;
	try {
		const s = await stat(filePath);
		key = `${s.size}:${s.mtimeMs}:${s.ino}`;
	} catch {
		return undefined;
	}

	const cached = memo.get(filePath);
	if (cached && cached.key === key) return cached.value;
	const read = await tryReadJson(filePath);
	memo.set(filePath, {key, value: read.value});
	return read.value;
}

/**
 * Cursors for the files of a session that were listed but not parsed (e.g. a task's settings.json),
 * so that the engine sees them unchanged next time instead of re-reading the session on every scan.
 */
export async function addStatCursors(files: string[], cursors: Record<string, FileCursor>): Promise<void> {
	for (const file of files) {
		if (cursors[file]) continue;
		try {
			const stat = await fs.stat(file);
			cursors[file] = {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
		} catch {
			// Vanished: nothing to remember.
		}
	}
}
