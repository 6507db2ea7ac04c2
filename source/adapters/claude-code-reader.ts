/** Claude Code session reading (loaded on first read; see claude-code.ts). */
import fs from 'node:fs/promises';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import type {FileCursor, Message} from '../engine/types.js';
import {isRecord} from './claude-code-content.js';
import {type ClaudeState, claudeTitle, isHeadlessEntrypoint, mapClaudeRecord} from './claude-code-records.js';
import {parseJsonLine, readJsonlFrom} from './jsonl.js';
import type {ReadRequest, ReadResult, SessionInfo} from './types.js';
import {parseNativeJson} from './json-depth.js';
import {addCount} from './counts.js';

/** Above this many bad lines in one read, the rest are summarised in one warning. */
const MAX_LINE_WARNINGS = 20;

function isClaudeState(value: unknown): value is ClaudeState {
	return isRecord(value);
}

function interfaceFor(entrypoint: string | undefined): string {
	if (!entrypoint) return 'cli';
	if (/vscode|jetbrains|ide/i.test(entrypoint)) return 'ide';
	if (/desktop/i.test(entrypoint)) return 'desktop';
	return 'cli';
}

function sessionInfo(state: ClaudeState, isSubagent: boolean): SessionInfo {
	const info: SessionInfo = {interface: interfaceFor(state.entrypoint)};
	const title = claudeTitle(state);
	if (title) info.title = title;
	if (state.cwd) info.cwd = state.cwd;
	if (state.gitBranch) info.gitBranch = state.gitBranch;
	if (state.model) {
		info.model = state.model;
		info.provider = 'anthropic';
	}

	if (state.version) info.toolVersion = state.version;
	if (state.createdAt) info.createdAt = state.createdAt;
	if (state.updatedAt) info.updatedAt = state.updatedAt;
	if (!isSubagent) info.headless = isHeadlessEntrypoint(state.entrypoint) || state.sessionKind === 'daemon-worker';
	const extra: Record<string, unknown> = {};
	for (const [key, value] of Object.entries({
		entrypoint: state.entrypoint,
		user_type: state.userType,
		session_kind: state.sessionKind,
		permission_mode: state.permissionMode,
		custom_title: state.customTitle,
		ai_title: state.aiTitle,
		agent_name: state.agentName,
		last_prompt: state.lastPrompt,
		forked_from: state.forkedFrom,
		total_cost_usd: state.costState?.totalCostUSD,
		model_usage: state.costState?.modelUsage,
	})) {
		if (value !== undefined) extra[key] = value;
	}

	if (Object.keys(extra).length > 0) info.extra = extra;
	return info;
}

/** A sub-agent's `.meta.json` sidecar ({agentType, description, toolUseId}); read whole each time, it is tiny. */
async function readSidecar(file: string, warnings: string[]): Promise<{meta?: Record<string, unknown>; cursor?: FileCursor}> {
	try {
		const handle = await fs.open(file, 'r');
		try {
			const stat = await handle.stat();
			const cursor: FileCursor = {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
			if (stat.size > 1024 * 1024) {
				warnings.push(`${path.basename(file)}: larger than 1 MB, skipped`);
				return {cursor};
			}

			const value: unknown = parseNativeJson(await handle.readFile('utf8'));
			return {meta: isRecord(value) ? value : undefined, cursor};
		} finally {
			await handle.close();
		}
	} catch (error) {
		warnings.push(`${path.basename(file)}: ${error instanceof SyntaxError ? 'invalid JSON' : 'unreadable'}, skipped`);
		return {};
	}
}

/**
 * Claude Code writes one API response as several records (one per content block), each repeating the
 * response's usage as it stood when the block was written. So that summing `usage` counts each response once,
 * only the response's last record (whose usage is final) keeps it; the others keep theirs in
 * `metadata.native_usage` and point at the carrier with `metadata.usage_in`.
 */
export function keepUsageOncePerResponse(messages: Message[], state: ClaudeState): void {
	// A response whose records straddle two reads already counted its usage on the previous read's carrier.
	const counted = state.usageCarrier;
	const last = new Map<string, string>();
	for (const message of messages) {
		const id = message.metadata?.api_message_id;
		if (typeof id === 'string' && message.usage) last.set(id, id === counted?.api_message_id ? counted.msg_id : message.msg_id);
	}

	for (const message of messages) {
		const id = message.metadata?.api_message_id;
		if (typeof id !== 'string' || !message.usage) continue;
		const carrier = last.get(id)!;
		if (carrier !== message.msg_id) {
			delete message.usage;
			message.metadata = {...message.metadata, usage_in: carrier};
		}

		state.usageCarrier = {api_message_id: id, msg_id: carrier};
	}
}

export async function readClaudeSession(request: ReadRequest): Promise<ReadResult> {
	const {session} = request;
	const file = session.files[0];
	if (!file) throw new SfsError('ADAPTER_PARSE', `claude-code session ${session.nativeId} has no file`);
	const cursor = request.cursors?.[file];
	let read;
	try {
		read = await readJsonlFrom(file, cursor);
	} catch (error) {
		throw new SfsError('IO', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	const mode = cursor && !read.restarted ? 'incremental' : 'full';
	const state: ClaudeState = mode === 'incremental' && isClaudeState(request.state) ? {...request.state} : {};
	const name = path.basename(file);
	const warnings = read.warnings.map(warning => `${name}: ${warning}`);
	if (read.restarted) warnings.push(`${name}: file was truncated or replaced, read again from the start`);
	if (read.cursor.size === 0) warnings.push(`${name}: empty file`);

	const mtimeIso = new Date(read.cursor.mtime_ms).toISOString();
	const context = {
		nativeId: session.nativeId,
		agentId: session.agentId,
		offset: 0,
		fallbackTimestamp: () => state.updatedAt ?? mtimeIso,
	};
	const messages: Message[] = [];
	const unknownRecords: Record<string, number> = {};
	let badLines = 0;
	let recordsParsed = 0;
	for (const line of read.lines) {
		recordsParsed++;
		const parsed = parseJsonLine(line);
		if (!isRecord(parsed.value)) {
			badLines++;
			if (badLines <= MAX_LINE_WARNINGS) warnings.push(`${name}: ${parsed.warning ?? `line ${line.lineNumber}: not a JSON object, skipped`}`);
			continue;
		}

		if (parsed.warning) warnings.push(`${name}: ${parsed.warning}`);
		context.offset = line.offset;
		const outcome = mapClaudeRecord(parsed.value, line.text, context, state);
		if (outcome.message) messages.push(outcome.message);
		if (outcome.unknownType) addCount(unknownRecords, outcome.unknownType);
	}

	if (badLines > MAX_LINE_WARNINGS) warnings.push(`${name}: ${badLines - MAX_LINE_WARNINGS} more bad lines skipped`);
	keepUsageOncePerResponse(messages, state);

	const info = sessionInfo(state, session.agentId !== undefined);
	const cursors: Record<string, FileCursor> = {[file]: read.cursor};
	for (const sidecar of session.files.slice(1)) {
		const {meta, cursor: sidecarCursor} = await readSidecar(sidecar, warnings);
		if (sidecarCursor) cursors[sidecar] = sidecarCursor;
		if (meta) {
			info.extra = {...info.extra, subagent: meta};
			// The parent's description of the task names a sub-agent better than its (long) prompt.
			if (typeof meta.description === 'string' && meta.description.trim() && !state.customTitle && !state.aiTitle) info.title = meta.description.trim();
		}
	}

	if (session.parentNativeId) info.extra = {...info.extra, parent_native_id: session.parentNativeId, agent_id: session.agentId};
	return {mode, messages, info, cursors, state, warnings, unknownRecords, recordsParsed};
}
