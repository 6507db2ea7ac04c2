/** Gemini CLI session reading (loaded on first read; see gemini.ts). */
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import type {FileCursor} from '../engine/types.js';
import {parseJsonLine, readJsonFileIfChanged, readJsonlFrom, openError, type JsonlRead} from './jsonl.js';
import {emptyGeminiState, GeminiAssembler, restoredGeminiState, type GeminiSessionFields, type GeminiState} from './gemini-assembler.js';
import {isHeadlessSession, projectRootFor} from './gemini-discover.js';
import {isObject} from './gemini-parts.js';
import type {AdapterContext, ReadRequest, ReadResult, SessionInfo} from './types.js';
import {isIsoTimestamp} from './timestamps.js';

function isGeminiState(value: unknown): value is GeminiState {
	return isObject(value) && isObject(value.hashes) && Array.isArray(value.chain) && isObject(value.pred) && isObject(value.resultOwner) && isObject(value.lastOf) && isObject(value.fields);
}

/** Collapses per-line JSON failures into one line per file. */
function invalidLinesWarning(file: string, lineNumbers: number[]): string[] {
	if (lineNumbers.length === 0) return [];
	const name = path.basename(file);
	return lineNumbers.length === 1
		? [`${name}: line ${lineNumbers[0]}: invalid JSON, skipped`]
		: [`${name}: ${lineNumbers.length} invalid JSON lines skipped (first at line ${lineNumbers[0]})`];
}

async function sessionInfo(fields: GeminiSessionFields, file: string, ctx: AdapterContext): Promise<SessionInfo> {
	const info: SessionInfo = {interface: 'cli', provider: 'google'};
	if (fields.kind !== 'subagent') {
		const headless = await isHeadlessSession(ctx, file, fields.sessionId);
		if (headless !== undefined) info.headless = headless;
	}

	if (fields.summary) info.title = fields.summary;
	if (fields.model) info.model = fields.model;
	// Not a date: left out (the manifest's schema rejected it, and with it the whole session).
	if (isIsoTimestamp(fields.startTime)) info.createdAt = fields.startTime;
	if (isIsoTimestamp(fields.lastUpdated)) info.updatedAt = fields.lastUpdated;
	const cwd = await projectRootFor(ctx, file, fields.projectHash);
	if (cwd) info.cwd = cwd;
	const extra: Record<string, unknown> = {...fields.extra};
	if (fields.projectHash) extra.projectHash = fields.projectHash;
	if (fields.kind) extra.kind = fields.kind;
	if (fields.directories) extra.directories = fields.directories;
	if (Object.keys(extra).length > 0) info.extra = extra;
	return info;
}

async function readLegacy(file: string, request: ReadRequest, ctx: AdapterContext): Promise<ReadResult> {
	const previous = request.cursors?.[file];
	const read = await readJsonFileIfChanged(file, previous);
	if (!read) {
		const state = isGeminiState(request.state) ? request.state : emptyGeminiState();
		return {mode: 'incremental', messages: [], info: await sessionInfo(state.fields, file, ctx), cursors: {[file]: previous!}, state, warnings: [], unknownRecords: {}, recordsParsed: 0};
	}

	const fresh = emptyGeminiState();
	const assembler = new GeminiAssembler(fresh, {fallbackTime: new Date(read.cursor.mtime_ms).toISOString(), agentId: request.session.agentId});
	// Capture already names the file: the warning says only its base name.
	const warnings = read.warning ? [read.warning.replace(file, path.basename(file))] : [];
	const record = read.value;
	if (isObject(record)) {
		const {messages, ...fields} = record;
		assembler.addRecord(fields, 'session');
		if (Array.isArray(messages)) messages.forEach((message, index) => assembler.addRecord(message, index));
		else warnings.push(`${path.basename(file)}: no messages array`);
	} else if (record !== undefined) {
		warnings.push(`${path.basename(file)}: not a Gemini conversation record, skipped`);
	}

	const out = assembler.finish();
	return {
		mode: 'full',
		messages: out,
		info: await sessionInfo(fresh.fields, file, ctx),
		cursors: {[file]: read.cursor},
		state: fresh,
		warnings,
		unknownRecords: assembler.unknownRecords,
		recordsParsed: assembler.recordsParsed,
	};
}

type LogRead = {file: string; read: JsonlRead};

/** Reads every file of the session from its cursor; when any was truncated or replaced, all are read from the start. */
async function readLogs(files: string[], cursors: Record<string, FileCursor> | undefined, warnings: string[]): Promise<{reads: LogRead[]; restarted: boolean}> {
	const reads: LogRead[] = [];
	let restarted = false;
	for (const [index, file] of files.entries()) {
		try {
			const read = await readJsonlFrom(file, cursors?.[file]);
			restarted ||= read.restarted;
			reads.push({file, read});
		} catch (error) {
			// The main file must open; a secondary one (a stray resume file Gemini may clean up) may vanish.
			if (index === 0) return openError(file, error);
			warnings.push(`${path.basename(file)}: vanished or unreadable, skipped`);
		}
	}

	if (!restarted) return {reads, restarted};
	const again: LogRead[] = [];
	for (const {file} of reads) again.push({file, read: await readJsonlFrom(file)});
	return {reads: again, restarted};
}

async function readAppendLog(files: string[], request: ReadRequest, ctx: AdapterContext): Promise<ReadResult> {
	const warnings: string[] = [];
	const {reads, restarted} = await readLogs(files, request.cursors, warnings);
	const continuing = Boolean(request.cursors?.[files[0]]) && !restarted && isGeminiState(request.state);
	const state = continuing ? restoredGeminiState(request.state as GeminiState) : emptyGeminiState();
	const mainCursor = reads[0].read.cursor;
	const assembler = new GeminiAssembler(state, {fallbackTime: new Date(mainCursor.mtime_ms).toISOString(), agentId: request.session.agentId});
	const cursors: Record<string, FileCursor> = {};
	for (const {file, read} of reads) {
		cursors[file] = read.cursor;
		const invalid: number[] = [];
		for (const line of read.lines) {
			const {value, warning} = parseJsonLine(line);
			if (value === undefined) {
				invalid.push(line.lineNumber);
				continue;
			}

			if (warning) warnings.push(`${path.basename(file)}: ${warning}`);

			// Offsets of secondary files are made distinct so ids derived from them cannot collide.
			assembler.addRecord(value, file === files[0] ? line.offset : `${path.basename(file)}:${line.offset}`);
		}

		warnings.push(...read.warnings.map(warning => `${path.basename(file)}: ${warning}`), ...invalidLinesWarning(file, invalid));
		if (read.cursor.size === 0) warnings.push(`${path.basename(file)}: empty file`);
	}

	const messages = assembler.finish();
	return {
		// A message re-appended with new content must be compared with what is stored: only 'full' does that.
		mode: continuing && !assembler.revisedEarlier ? 'incremental' : 'full',
		messages,
		info: await sessionInfo(state.fields, files[0], ctx),
		cursors,
		state,
		warnings,
		unknownRecords: assembler.unknownRecords,
		recordsParsed: assembler.recordsParsed,
	};
}

export async function readGeminiSession(request: ReadRequest, ctx: AdapterContext): Promise<ReadResult> {
	const file = request.session.files[0];
	if (!file) throw new SfsError('INVALID_SESSION', `gemini session ${request.session.nativeId} has no file`);
	return file.endsWith('.json') ? readLegacy(file, request, ctx) : readAppendLog(request.session.files, request, ctx);
}
