/**
 * Codex CLI adapter: rollouts `{timestamp, type, payload}` (session_meta, turn_context, response_item,
 * event_msg, compacted), append-only `.jsonl` read from a cursor, compressed `.jsonl.zst` read whole.
 * `response_item`s are the conversation; `event_msg` user/agent messages repeat them for the UI and only
 * become messages when no response item says the same thing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {decompress} from 'fzstd';
import {SfsError} from '../engine/errors.js';
import type {FileCursor, Message} from '../engine/types.js';
import {codexRoots, discoverCodexSessions} from './codex-discover.js';
import {type CodexState, CodexReader} from './codex-reader.js';
import {type JsonlLine, readJsonlFrom} from './jsonl.js';
import type {Adapter, AdapterContext, ReadRequest, ReadResult} from './types.js';

/** A compressed rollout is read whole: its lines with byte offsets into the decompressed text. */
async function readCompressed(file: string): Promise<{lines: JsonlLine[]; cursor: FileCursor; warnings: string[]}> {
	const handle = await fs.open(file, 'r');
	try {
		const stat = await handle.stat();
		const cursor: FileCursor = {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
		let text: Buffer;
		try {
			text = Buffer.from(decompress(await handle.readFile()));
		} catch (error) {
			return {lines: [], cursor, warnings: [`${path.basename(file)}: not valid zstd (${error instanceof Error ? error.message : String(error)}), skipped`]};
		}

		const lines: JsonlLine[] = [];
		let start = 0;
		let lineNumber = 0;
		for (;;) {
			const newline = text.indexOf(10, start);
			const end = newline === -1 ? text.length : newline;
			lineNumber++;
			const line = text.subarray(start, end).toString('utf8');
			if (line.trim().length > 0) lines.push({lineNumber, offset: start, text: line});
			if (newline === -1) break;
			start = newline + 1;
		}

		return {lines, cursor, warnings: []};
	} finally {
		await handle.close();
	}
}

export async function readCodexSession(request: ReadRequest): Promise<ReadResult> {
	const {session} = request;
	const file = session.files[0];
	if (!file) throw new SfsError('ADAPTER_PARSE', `codex session ${session.nativeId} has no file`);
	const name = path.basename(file);
	const cursor = request.cursors?.[file];
	let lines: JsonlLine[];
	let newCursor: FileCursor;
	let warnings: string[];
	let mode: ReadResult['mode'] = 'full';
	try {
		if (file.endsWith('.zst')) {
			({lines, cursor: newCursor, warnings} = await readCompressed(file));
		} else {
			const read = await readJsonlFrom(file, cursor);
			lines = read.lines;
			newCursor = read.cursor;
			warnings = read.warnings.map(warning => `${name}: ${warning}`);
			if (cursor && !read.restarted) mode = 'incremental';
			if (read.restarted) warnings.push(`${name}: file was truncated or replaced, read again from the start`);
		}
	} catch (error) {
		throw new SfsError('IO', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	if (newCursor.size === 0) warnings.push(`${name}: empty file`);
	const previous = mode === 'incremental' && typeof request.state === 'object' && request.state !== null ? (request.state as CodexState) : undefined;
	const reader = new CodexReader(session.nativeId, name, previous, new Date(newCursor.mtime_ms).toISOString());
	for (const line of lines) reader.line(line);
	const messages: Message[] = reader.finish();
	if (session.parentNativeId) reader.state.parentThreadId ??= session.parentNativeId;

	return {
		mode,
		messages,
		info: reader.info(),
		cursors: {[file]: newCursor},
		state: reader.state,
		warnings: [...warnings, ...reader.warnings],
		unknownRecords: reader.unknownRecords,
		recordsParsed: reader.recordsParsed,
	};
}

export const codexAdapter: Adapter = {
	id: 'codex',
	name: 'Codex',
	roots: (ctx: AdapterContext) => codexRoots(ctx),
	discover: async (ctx: AdapterContext) => discoverCodexSessions(ctx),
	read: async (request: ReadRequest) => readCodexSession(request),
};
