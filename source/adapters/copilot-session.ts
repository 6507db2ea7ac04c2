/** Copilot CLI session reading (loaded on first read; see copilot.ts). */
import fs from 'node:fs/promises';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import type {FileCursor} from '../engine/types.js';
import {parseJsonLine, readJsonFileIfChanged, readJsonlFrom, stableHash, unchanged, openError} from './jsonl.js';
import {CopilotAssembler, emptyCopilotState, isObject, restoredCopilotState, type CopilotFields, type CopilotState} from './copilot-events.js';
import {parseWorkspaceYaml} from './copilot-discover.js';
import type {ReadRequest, ReadResult, SessionInfo} from './types.js';
import {isIsoTimestamp} from './timestamps.js';

type AdapterState = CopilotState & {workspace?: Record<string, unknown>};

function isCopilotState(value: unknown): value is AdapterState {
	return isObject(value) && isObject(value.fields) && isObject(value.toolUses) && isObject(value.pendingStarts) && isObject(value.pendingUsage);
}

const EFFORTS = new Set(['low', 'medium', 'high']);

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function copilotSessionInfo(fields: CopilotFields, workspace: Record<string, unknown> | undefined, pendingStarts: Record<string, unknown> = {}, pendingUsage: Record<string, unknown> = {}): SessionInfo {
	const info: SessionInfo = {interface: 'cli'};
	const context = fields.context;
	const title = text(workspace?.name) ?? text(workspace?.summary);
	if (title) info.title = title;
	const cwd = text(context.cwd) ?? text(workspace?.cwd);
	if (cwd) info.cwd = cwd;
	const branch = text(context.branch) ?? text(workspace?.branch);
	if (branch) info.gitBranch = branch;
	const commit = text(context.headCommit);
	if (commit) info.gitCommit = commit;
	const repository = text(context.repository) ?? text(workspace?.repository);
	if (repository && text(context.repositoryHost)) info.gitRemote = `https://${context.repositoryHost as string}/${repository}`;
	if (fields.model) info.model = fields.model;
	if (fields.reasoningEffort && EFFORTS.has(fields.reasoningEffort)) info.reasoningEffort = fields.reasoningEffort as SessionInfo['reasoningEffort'];
	if (fields.copilotVersion) info.toolVersion = fields.copilotVersion;
	if (fields.headless !== undefined) info.headless = fields.headless;
	// Not a date: left out (the manifest's schema rejected it, and with it the whole session).
	const created = fields.startTime ?? workspace?.created_at;
	if (isIsoTimestamp(created)) info.createdAt = created;
	const updated = fields.lastTimestamp ?? workspace?.updated_at;
	if (isIsoTimestamp(updated)) info.updatedAt = updated;

	const extra: Record<string, unknown> = {};
	if (fields.sessionId) extra.sessionId = fields.sessionId;
	if (fields.producer) extra.producer = fields.producer;
	if (repository) extra.repository = repository;
	const contextRest = Object.fromEntries(Object.entries(context).filter(([key]) => !['cwd', 'branch', 'headCommit', 'repository'].includes(key)));
	if (Object.keys(contextRest).length > 0) extra.context = contextRest;
	if (fields.shutdowns.length > 0) extra.shutdowns = fields.shutdowns;
	if (workspace) extra.workspace = workspace;
	extra.eventCounts = fields.eventCounts;
	// Tool executions that started but have not completed (yet): kept visible rather than dropped.
	if (Object.keys(pendingStarts).length > 0) extra.pendingToolExecutions = Object.values(pendingStarts);
	if (Object.keys(pendingUsage).length > 0) extra.pendingUsageRecords = Object.values(pendingUsage);
	info.extra = extra;
	return info;
}

async function readWorkspace(file: string | undefined, previous: FileCursor | undefined, state: AdapterState, warnings: string[]): Promise<FileCursor | undefined> {
	if (!file) return undefined;
	try {
		const stat = await fs.stat(file);
		if (previous && unchanged(previous, stat) && state.workspace) return previous;
		state.workspace = parseWorkspaceYaml(await fs.readFile(file, 'utf8'));
		return {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
	} catch {
		warnings.push(`${path.basename(file)}: unreadable, session name skipped`);
		return undefined;
	}
}

async function readEventLog(request: ReadRequest): Promise<ReadResult> {
	const [file, workspaceFile] = request.session.files;
	const previous = request.cursors?.[file];
	let read;
	try {
		read = await readJsonlFrom(file, previous);
	} catch (error) {
		return openError(file, error);
	}

	const continuing = Boolean(previous) && !read.restarted && isCopilotState(request.state);
	const state: AdapterState = continuing ? restoredCopilotState(request.state as AdapterState) : emptyCopilotState();
	if (!continuing && isCopilotState(request.state) && request.state.workspace) state.workspace = request.state.workspace;
	const assembler = new CopilotAssembler(state, new Date(read.cursor.mtime_ms).toISOString());
	const invalid: number[] = [];
	const cut: string[] = [];
	for (const line of read.lines) {
		// Copilot pads with NUL bytes after a crash; its own loader skips such lines.
		if (/^\u0000+$/.test(line.text.trim())) continue;
		const {value, warning} = parseJsonLine(line);
		if (value === undefined) invalid.push(line.lineNumber);
		else assembler.addEvent(value, line.offset);
		if (value !== undefined && warning) cut.push(warning);
	}

	const name = path.basename(path.dirname(file)) + '/' + path.basename(file);
	const warnings = [...read.warnings, ...cut].map(warning => `${name}: ${warning}`);
	if (invalid.length === 1) warnings.push(`${name}: line ${invalid[0]}: invalid JSON, skipped`);
	else if (invalid.length > 1) warnings.push(`${name}: ${invalid.length} invalid JSON lines skipped (first at line ${invalid[0]})`);
	if (read.cursor.size === 0) warnings.push(`${name}: empty file`);

	const cursors: Record<string, FileCursor> = {[file]: read.cursor};
	const workspaceCursor = await readWorkspace(workspaceFile, request.cursors?.[workspaceFile ?? ''], state, warnings);
	if (workspaceFile && workspaceCursor) cursors[workspaceFile] = workspaceCursor;

	return {
		mode: continuing ? 'incremental' : 'full',
		messages: assembler.messages,
		info: copilotSessionInfo(state.fields, state.workspace, state.pendingStarts, state.pendingUsage),
		cursors,
		state,
		warnings,
		unknownRecords: assembler.unknownRecords,
		recordsParsed: assembler.recordsParsed,
	};
}

/** `history-session-state/<id>.json` (≤ 0.0.341): undocumented, so kept whole as one native record. */
async function readLegacyDocument(request: ReadRequest): Promise<ReadResult> {
	const file = request.session.files[0];
	const previous = request.cursors?.[file];
	const read = await readJsonFileIfChanged(file, previous);
	if (!read) return {mode: 'incremental', messages: [], info: {interface: 'cli'}, cursors: {[file]: previous!}, warnings: [], unknownRecords: {}, recordsParsed: 0};

	// Capture already names the file: the warning says only its base name.
	const warnings = read.warning ? [read.warning.replace(file, path.basename(file))] : [];
	const info: SessionInfo = {interface: 'cli'};
	const messages: ReadResult['messages'] = [];
	if (read.value !== undefined) {
		const document = read.value;
		const startTime = isObject(document) && typeof document.startTime === 'string' && !Number.isNaN(Date.parse(document.startTime)) ? new Date(document.startTime).toISOString() : undefined;
		if (startTime) info.createdAt = startTime;
		messages.push({
			msg_id: stableHash(request.session.nativeId, 'history-session-state', read.cursor.size, read.cursor.mtime_ms),
			role: 'system',
			content: [{type: 'native_record', record: document}],
			timestamp: startTime ?? new Date(read.cursor.mtime_ms).toISOString(),
			is_meta: true,
		});
	}

	return {
		mode: 'full',
		messages,
		info,
		cursors: {[file]: read.cursor},
		warnings,
		unknownRecords: read.value === undefined ? {} : {'history-session-state': 1},
		recordsParsed: read.value === undefined ? 0 : 1,
	};
}

export async function readCopilotSession(request: ReadRequest): Promise<ReadResult> {
	const file = request.session.files[0];
	if (!file) throw new SfsError('INVALID_SESSION', `copilot session ${request.session.nativeId} has no file`);
	return file.endsWith('.json') ? readLegacyDocument(request) : readEventLog(request);
}
