/** Codex rollout reading (loaded on first read; see codex.ts). */
import fs from 'node:fs/promises';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import type {FileCursor, Message} from '../engine/types.js';
import {rolloutStem} from './codex-discover.js';
import {type CodexState, CodexReader} from './codex-reader.js';
import {type JsonlLine, readJsonlFrom} from './jsonl.js';
import type {ReadRequest, ReadResult} from './types.js';
import {zstdLines} from './zstd-lines.js';

/** A compressed rollout is read whole: its lines with byte offsets into the decompressed text. */
async function readCompressed(file: string): Promise<{lines: JsonlLine[]; cursor: FileCursor; warnings: string[]}> {
	const handle = await fs.open(file, 'r');
	try {
		const stat = await handle.stat();
		const cursor: FileCursor = {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
		try {
			const {lines, warnings} = zstdLines(await handle.readFile());
			return {lines, cursor, warnings: warnings.map(warning => `${path.basename(file)}: ${warning}`)};
		} catch (error) {
			return {lines: [], cursor, warnings: [`${path.basename(file)}: not valid zstd (${error instanceof Error ? error.message : String(error)}), skipped`]};
		}
	} finally {
		await handle.close();
	}
}

type FileRead = {file: string; lines: JsonlLine[]; cursor: FileCursor; warnings: string[]; continued: boolean};

/** Reads one rollout from its cursor (a compressed one whole); throws only when it cannot be opened. */
async function readRollout(file: string, cursor: FileCursor | undefined): Promise<FileRead> {
	const name = path.basename(file);
	try {
		if (file.endsWith('.zst')) {
			const whole = await readCompressed(file);
			const same = Boolean(cursor && cursor.size === whole.cursor.size && cursor.mtime_ms === whole.cursor.mtime_ms && cursor.ino === whole.cursor.ino);
			return {file, ...whole, lines: same ? [] : whole.lines, continued: same};
		}

		const read = await readJsonlFrom(file, cursor);
		const warnings = read.warnings.map(warning => `${name}: ${warning}`);
		if (read.restarted) warnings.push(`${name}: file was truncated or replaced, read again from the start`);
		return {file, lines: read.lines, cursor: read.cursor, warnings, continued: Boolean(cursor) && !read.restarted};
	} catch (error) {
		throw new SfsError('IO', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}
}

/**
 * A thread is one rollout, or several when a rewind continued it in a new file. The read is incremental when
 * every file either continues from its cursor or is new; otherwise (a truncated, replaced or renamed file)
 * every file is read again from the start.
 */
export async function readCodexSession(request: ReadRequest): Promise<ReadResult> {
	const {session} = request;
	if (session.files.length === 0) throw new SfsError('ADAPTER_PARSE', `codex session ${session.nativeId} has no file`);
	const previous = request.cursors ?? {};
	const knownPaths = Object.keys(previous);
	// A rollout that vanished since discovery is skipped with a warning; only when none can be read is it an error.
	const vanished: string[] = [];
	const readAll = async (withCursors: boolean): Promise<FileRead[]> => {
		const settled = await Promise.allSettled(session.files.map(async file => readRollout(file, withCursors ? previous[file] : undefined)));
		const ok = settled.flatMap(outcome => (outcome.status === 'fulfilled' ? [outcome.value] : []));
		if (ok.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
		vanished.length = 0;
		settled.forEach((outcome, index) => {
			if (outcome.status === 'rejected') vanished.push(`${path.basename(session.files[index]!)}: cannot be read, skipped`);
		});
		return ok;
	};

	let reads = await readAll(true);
	const incremental =
		knownPaths.length > 0 &&
		knownPaths.every(file => reads.some(read => read.file === file)) &&
		reads.every(read => read.continued || !previous[read.file]);
	if (!incremental && knownPaths.length > 0 && reads.some(read => read.continued)) {
		const restartWarnings = reads.flatMap(read => read.warnings);
		reads = await readAll(false);
		reads[0]!.warnings.unshift(...restartWarnings.filter(warning => warning.includes('truncated or replaced')));
	}

	const state = incremental && typeof request.state === 'object' && request.state !== null ? (request.state as CodexState) : undefined;
	const newest = Math.max(...reads.map(read => read.cursor.mtime_ms));
	const reader = new CodexReader(session.nativeId, state, new Date(newest).toISOString());
	const warnings: string[] = [...vanished];
	const cursors: Record<string, FileCursor> = {};
	for (const read of reads) {
		const name = path.basename(read.file);
		if (read.cursor.size === 0) warnings.push(`${name}: empty file`);
		warnings.push(...read.warnings);
		cursors[read.file] = read.cursor;
		reader.file(name, rolloutStem(read.file));
		for (const line of read.lines) reader.line(line);
	}

	const messages: Message[] = reader.finish();
	if (session.parentNativeId) reader.state.parentThreadId ??= session.parentNativeId;
	if (session.files.length > 1) reader.state.rolloutFiles = session.files.map(file => path.basename(file));

	return {
		mode: incremental ? 'incremental' : 'full',
		messages,
		info: reader.info(),
		cursors,
		state: reader.state,
		warnings: [...warnings, ...reader.warnings],
		unknownRecords: reader.unknownRecords,
		recordsParsed: reader.recordsParsed,
	};
}
