/**
 * The VS Code-family task folders shared by the Cline extension (`saoudrizwan.claude-dev`) and
 * Roo Code (`rooveterinaryinc.roo-cline`): `<storage root>/tasks/<taskId>/` holding
 * `api_conversation_history.json` (what the model saw: Anthropic-style messages), `ui_messages.json`
 * (the UI timeline: timestamps, per-request tokens and cost), `task_metadata.json` and, for Roo,
 * `history_item.json`. All are rewritten whole, so every read is a full read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type {ContentBlock, FileCursor, Message, TokenUsage, ToolId, Workspace} from '../engine/types.js';
import {listDir, readDirEntries, statInto} from './discover-fs.js';
import type {AdapterContext, FileStat, NativeSession, ReadRequest, ReadResult, SessionInfo} from './types.js';
import {
	convertContent,
	cwdFromEnvironmentDetails,
	imageFromDataUrl,
	isRecord,
	numberField,
	stringField,
	timeField,
	usageFromApiReqInfo,
	usageFromClassicMetrics,
	xmlToolCalls,
} from './cline-content.js';
import {addStatCursors, readSharedJson, tryReadJson} from './json-files.js';
import {stableHash} from './jsonl.js';
import {parseNativeJson} from './json-depth.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

type Raw = Record<string, unknown>;
export type TaskFlavor = 'cline' | 'roo-code';

export const CLINE_EXTENSION_ID = 'saoudrizwan.claude-dev';
export const ROO_CODE_EXTENSION_ID = 'rooveterinaryinc.roo-cline';

/** VS Code and the forks/builds that host the same extensions, by their user-data folder name. */
export const EDITOR_NAMES = ['Code', 'Code - Insiders', 'Code - OSS', 'VSCodium', 'VSCodium - Insiders', 'Cursor', 'Windsurf', 'Trae', 'Kiro', 'Positron'];
/** Remote/server installs keep the same layout under `~/.<server>/data/User`. */
const SERVER_DIRS = ['.vscode-server', '.vscode-server-insiders', '.cursor-server', '.windsurf-server', '.vscodium-server'];

/** `<editor>/User` folders: XDG_CONFIG_HOME (default ~/.config) on Linux, Application Support on macOS, APPDATA on Windows. */
export function editorUserDirs(ctx: AdapterContext): string[] {
	let base: string;
	if (ctx.platform === 'darwin') base = path.join(ctx.home, 'Library', 'Application Support');
	else if (ctx.platform === 'win32') base = ctx.env.APPDATA && ctx.env.APPDATA.length > 0 ? ctx.env.APPDATA : path.join(ctx.home, 'AppData', 'Roaming');
	else base = ctx.env.XDG_CONFIG_HOME && ctx.env.XDG_CONFIG_HOME.length > 0 ? ctx.env.XDG_CONFIG_HOME : path.join(ctx.home, '.config');
	return [
		...EDITOR_NAMES.map(editor => path.join(base, editor, 'User')),
		...SERVER_DIRS.map(server => path.join(ctx.home, server, 'data', 'User')),
	];
}

/** `<editor>/User/globalStorage/<extension id>` for every known editor. */
export function extensionStorageRoots(ctx: AdapterContext, extensionId: string): string[] {
	return editorUserDirs(ctx).map(userDir => path.join(userDir, 'globalStorage', extensionId));
}

const API_FILE = 'api_conversation_history.json';
const UI_FILE = 'ui_messages.json';
/** Very old name of one of the two (Cline: the UI timeline; Roo reads it as API history); told apart by shape. */
const OLD_FILE = 'claude_messages.json';
const METADATA_FILE = 'task_metadata.json';
const HISTORY_ITEM_FILE = 'history_item.json';
/** Files of a task in the order they are listed: the first present one is the main file; unknown files follow. */
const TASK_FILES = [API_FILE, UI_FILE, OLD_FILE, METADATA_FILE, HISTORY_ITEM_FILE, 'context_history.json', 'settings.json'];
const CONVERSATION_FILES = new Set([API_FILE, UI_FILE, OLD_FILE]);

/** True when the session was found by discoverTaskFolders (its files are task-folder files). */
export function isTaskFolderSession(session: NativeSession): boolean {
	return TASK_FILES.includes(path.basename(session.files[0] ?? ''));
}

/** A root that exists but cannot be listed is worth a warning; a missing one is not. */
export function noteUnreadable(dir: string, error: unknown, warnings: string[]): void {
	const code = (error as NodeJS.ErrnoException).code;
	if (code !== 'ENOENT' && code !== 'ENOTDIR') warnings.push(`${dir}: unreadable (${code ?? 'error'})`);
}

/** The session of one task folder, or undefined when it holds no conversation file. Never throws. */
export async function taskFolderSession(tool: ToolId, taskDir: string): Promise<NativeSession | undefined> {
	return taskFolderSessionSync(tool, taskDir);
}

function taskFolderSessionSync(tool: ToolId, taskDir: string): NativeSession | undefined {
	// Atomic writes leave `<name>.tmp.<n>.json` siblings for a moment: never part of the task.
	const names = listDir(taskDir)
		.filter(entry => entry.isFile() && !/\.tmp[.-]/.test(entry.name))
		.map(entry => entry.name);
	const present = TASK_FILES.filter(name => names.includes(name));
	if (!present.some(name => CONVERSATION_FILES.has(name))) return undefined;
	// Known files first (the first is the main one), then any other file of the task, so a change to any is noticed.
	const others = names.filter(name => !TASK_FILES.includes(name)).sort();
	const files = [...present, ...others].map(name => path.join(taskDir, name));
	const stats: Record<string, FileStat> = {};
	let mtimeMs: number | undefined;
	for (const file of files) {
		// A file that vanished between readdir and stat is left for read() to report.
		const stat = statInto(stats, file);
		if (stat) mtimeMs = Math.max(mtimeMs ?? 0, stat.mtimeMs);
	}

	return {tool, nativeId: path.basename(taskDir), files, growth: 'rewrite', mtimeMs, stats};
}

/** Lists `<root>/tasks/<id>/` folders that hold a conversation. Never throws. */
export async function discoverTaskFolders(tool: ToolId, storageRoots: string[], warnings: string[] = []): Promise<NativeSession[]> {
	const sessions: NativeSession[] = [];
	for (const root of storageRoots) {
		const tasksDir = path.join(root, 'tasks');
		const entries = readDirEntries(tasksDir);
		if (!Array.isArray(entries)) {
			noteUnreadable(tasksDir, entries, warnings);
			continue;
		}

		for (const entry of entries) {
			if (!entry.isDirectory()) continue;
			const session = taskFolderSessionSync(tool, path.join(tasksDir, entry.name));
			if (session) sessions.push(session);
		}
	}

	return sessions;
}

/** A short name for the store a session file lives in: the editor (`Cursor`), else the storage folder's name. */
function storeLabel(file: string): string {
	const parts = file.split(path.sep);
	const at = parts.lastIndexOf('globalStorage');
	if (at >= 2 && parts[at - 1] === 'User') return parts[at - 2] === 'data' && at >= 3 ? parts[at - 3] : parts[at - 2];
	return parts.at(-4) ?? 'store';
}

/**
 * The same task id can exist in two stores (the extension installed in VS Code and in Cursor, or a legacy
 * task converted to a CLI session). The engine keys sessions by tool + native id, so later duplicates
 * get `<id>@<store>`; the first keeps the id the tool resumes by.
 */
export function uniqueNativeIds(sessions: NativeSession[]): NativeSession[] {
	const seen = new Set<string>();
	return sessions.map(session => {
		let {nativeId} = session;
		if (seen.has(nativeId)) nativeId = `${session.nativeId}@${storeLabel(session.files[0] ?? '')}`;
		for (let n = 2; seen.has(nativeId); n++) nativeId = `${session.nativeId}@${storeLabel(session.files[0] ?? '')}-${n}`;
		seen.add(nativeId);
		return nativeId === session.nativeId ? session : {...session, nativeId};
	});
}

/**
 * Sessions at a path given by the user (`sfs import --from cline|roo-code <path>`): a storage root
 * (holding `tasks/`), a `tasks/` folder, one task folder, or one file inside a task folder.
 */
export async function taskFolderSessionsAt(tool: ToolId, target: string): Promise<NativeSession[]> {
	const stat = await fs.stat(target).catch(() => undefined);
	if (!stat) return [];
	const dir = stat.isDirectory() ? target : path.dirname(target);
	const single = await taskFolderSession(tool, dir);
	if (single) return [single];
	if (path.basename(dir) === 'tasks') return discoverTaskFolders(tool, [path.dirname(dir)]);
	return discoverTaskFolders(tool, [dir]);
}

/** A message before its timestamp is settled: `ts` is native, `inferredMs` a guess from the UI timeline. */
type DraftMessage = Omit<Message, 'timestamp'> & {ts?: number; inferredMs?: number};

type UiRequest = {ts: number; index?: number; info: Raw; uiIndex: number};

type TaskFiles = {
	api?: unknown[];
	ui?: Raw[];
	metadata?: Raw;
	history?: Raw;
	cursors: Record<string, FileCursor>;
	warnings: string[];
	recordsParsed: number;
};

async function loadTaskFiles(taskDir: string, flavor: TaskFlavor): Promise<TaskFiles> {
	const loaded: TaskFiles = {cursors: {}, warnings: [], recordsParsed: 0};
	const read = async (name: string, required: boolean) => {
		const filePath = path.join(taskDir, name);
		const result = await tryReadJson(filePath);
		if (result.cursor) loaded.cursors[filePath] = result.cursor;
		if (result.warning) loaded.warnings.push(result.warning);
		else if (result.missing && required) loaded.warnings.push(`${name}: missing`);
		return result.value;
	};

	const api = await read(API_FILE, true);
	const ui = await read(UI_FILE, true);
	if (api !== undefined && !Array.isArray(api)) loaded.warnings.push(`${API_FILE}: not an array, skipped`);
	else if (Array.isArray(api)) loaded.api = api;
	if (ui !== undefined && !Array.isArray(ui)) loaded.warnings.push(`${UI_FILE}: not an array, skipped`);
	else if (Array.isArray(ui)) loaded.ui = ui.filter(isRecord);

	if (!loaded.api || !loaded.ui) {
		const old = await read(OLD_FILE, false);
		if (Array.isArray(old) && old.length > 0) {
			const looksLikeUi = isRecord(old[0]) && (old[0].type === 'say' || old[0].type === 'ask');
			if (looksLikeUi && !loaded.ui) loaded.ui = old.filter(isRecord);
			else if (!looksLikeUi && !loaded.api) loaded.api = old;
		}
	}

	const metadata = await read(METADATA_FILE, false);
	if (isRecord(metadata)) loaded.metadata = metadata;
	if (flavor === 'roo-code') {
		const item = await read(HISTORY_ITEM_FILE, false);
		if (isRecord(item)) loaded.history = item;
	}

	loaded.recordsParsed = (loaded.api?.length ?? 0) + (loaded.ui?.length ?? 0);
	return loaded;
}

/** The task's entry in the store-wide history: Cline `state/taskHistory.json`, Roo `tasks/_index.json`. */
async function historyFromIndex(storageRoot: string, taskId: string, flavor: TaskFlavor): Promise<Raw | undefined> {
	const indexPath = flavor === 'cline' ? path.join(storageRoot, 'state', 'taskHistory.json') : path.join(storageRoot, 'tasks', '_index.json');
	const index = await readSharedJson(indexPath, async p => fs.stat(p));
	const items = Array.isArray(index) ? index : isRecord(index) && Array.isArray(index.entries) ? index.entries : [];
	return items.find((item): item is Raw => isRecord(item) && item.id === taskId);
}

function parseJsonObject(text: unknown): Raw | undefined {
	if (typeof text !== 'string') return undefined;
	try {
		const value: unknown = parseNativeJson(text);
		return isRecord(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

function uiRequests(ui: Raw[]): UiRequest[] {
	const requests: UiRequest[] = [];
	for (const [uiIndex, message] of ui.entries()) {
		if (message.say !== 'api_req_started') continue;
		const info = parseJsonObject(message.text);
		const ts = timeField(message.ts);
		if (!info || ts === undefined) continue;
		if (usageFromApiReqInfo(info) === undefined && numberField(info.cost) === undefined) continue;
		requests.push({ts, index: numberField(message.conversationHistoryIndex), info, uiIndex});
	}

	return requests;
}

/**
 * Pairs each UI request (tokens, cost) with the assistant message it produced: by
 * `conversationHistoryIndex` (Cline: the next assistant after that index), else by time (Roo stores
 * no index), else in order.
 */
function pairRequests(requests: UiRequest[], assistants: Array<{index: number; ts?: number}>): Map<number, UiRequest> {
	const paired = new Map<number, UiRequest>();
	let cursor = 0;
	for (const request of requests) {
		const target =
			request.index === undefined
				? assistants.slice(cursor).find(a => a.ts === undefined || a.ts >= request.ts)
				: assistants.find(a => a.index > request.index!);
		if (!target) continue;
		paired.set(target.index, request);
		cursor = assistants.indexOf(target) + 1;
	}

	return paired;
}

function modelFromMetadata(metadata: Raw | undefined, ts: number | undefined): {model?: string; provider?: string} {
	const usage = Array.isArray(metadata?.model_usage) ? metadata.model_usage.filter(isRecord) : [];
	if (usage.length === 0) return {};
	const before = ts === undefined ? usage : usage.filter(entry => (numberField(entry.ts) ?? 0) <= ts);
	const entry = before.at(-1) ?? usage[0];
	return {model: stringField(entry.model_id), provider: stringField(entry.model_provider_id)};
}

function stripTaskTags(text: string): string {
	return text.replace(/^\s*<(task|user_message)>\n?/, '').replace(/\n?<\/(task|user_message)>[\s\S]*$/, '').trim();
}

export function titleFrom(text: string | undefined): string | undefined {
	if (!text) return undefined;
	const line = text.trim().split('\n').find(candidate => candidate.trim().length > 0)?.trim();
	if (!line) return undefined;
	return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** A Map, not an object: a `record_source` of "constructor" must not find Object.prototype's (the session failed validation). */
const FILE_ROLES = new Map<string, NonNullable<Workspace['files']>[number]['role']>([
	['read_tool', 'read'],
	['cline_edited', 'edited'],
	['roo_edited', 'edited'],
	['user_edited', 'edited'],
	['file_mentioned', 'referenced'],
]);

function workspaceFrom(cwd: string | undefined, metadata: Raw | undefined): Partial<Workspace> | undefined {
	if (!cwd) return undefined;
	const entries = Array.isArray(metadata?.files_in_context) ? metadata.files_in_context.filter(isRecord) : [];
	const files = entries
		.filter(entry => typeof entry.path === 'string')
		.map(entry => ({path: nativeString(entry.path), role: FILE_ROLES.get(nativeString(entry.record_source)) ?? 'referenced'}));
	return {root_path: cwd, ...(files.length > 0 ? {files} : {})};
}

/** Roo Code (some versions) stored reasoning as its own history entry: {type: 'reasoning', text?, summary, encrypted_content}. */
function isReasoningEntry(raw: unknown): boolean {
	return isRecord(raw) && raw.type === 'reasoning' && raw.content === undefined;
}

/**
 * Roo keeps some providers' reasoning on the message instead of in a block: `reasoning_content` (DeepSeek,
 * Z.ai) or `reasoning_details` (OpenRouter, Gemini 3). The fields themselves stay in metadata.
 */
function reasoningOfMessage(raw: Raw): ContentBlock | undefined {
	if (typeof raw.reasoning_content === 'string' && raw.reasoning_content.length > 0) return {type: 'thinking', text: raw.reasoning_content};
	if (!Array.isArray(raw.reasoning_details)) return undefined;
	const details = raw.reasoning_details.filter(isRecord);
	const texts = details.map(detail => stringField(detail.text) ?? stringField(detail.summary)).filter((text): text is string => Boolean(text));
	if (texts.length > 0) return {type: 'thinking', text: texts.join('\n')};
	return details.length > 0 ? {type: 'thinking', text: '', redacted: true} : undefined;
}

const KNOWN_API_FIELDS = ['role', 'content', 'ts', 'id', 'modelInfo', 'metrics'];

/** Builds one canonical message from one API-history entry; unknown shapes become native_record messages. */
function apiMessage(raw: unknown, index: number, flavor: TaskFlavor, taskId: string): {message: DraftMessage; unknownKind?: string; unknown: Record<string, number>; text: string} {
	const id = stableHash(flavor, taskId, index, isRecord(raw) ? nativeString(raw.role) : typeof raw, JSON.stringify(isRecord(raw) ? raw.content ?? raw : raw) ?? '');
	const unknownMessage = (kind: string) => ({
		message: {msg_id: id, role: 'system' as const, is_meta: true, content: [{type: 'native_record', record: raw}], ts: isRecord(raw) ? timeField(raw.ts) : undefined},
		unknownKind: kind,
		unknown: {},
		text: '',
	});

	if (!isRecord(raw)) return unknownMessage('record:non-object');
	const reasoningEntry = isReasoningEntry(raw);
	const role = reasoningEntry ? 'assistant' : raw.role;
	if (role !== 'user' && role !== 'assistant') return unknownMessage(`role:${nativeString(role)}`);
	if (!reasoningEntry && typeof raw.content !== 'string' && !Array.isArray(raw.content)) return unknownMessage('content:' + typeof raw.content);

	const converted = convertContent(reasoningEntry ? [{type: 'reasoning', text: raw.text, summary: raw.summary, encrypted_content: raw.encrypted_content}] : raw.content);
	let blocks: ContentBlock[] = converted.blocks;
	if (raw.isSummary === true) {
		// Roo's non-destructive condense: the summary message replaces older ones (which stay, marked condenseParent).
		const first = blocks.findIndex(block => block.type === 'text');
		if (first !== -1) blocks = blocks.map((block, at) => (at === first ? {type: 'summary', text: (block as {text: string}).text} : block));
	}

	const messageReasoning = role === 'assistant' && !blocks.some(block => block.type === 'thinking') ? reasoningOfMessage(raw) : undefined;
	if (messageReasoning) blocks = [messageReasoning, ...blocks];
	if (blocks.length === 0) blocks = [{type: 'text', text: ''}];
	const metadata: Raw = {...converted.metadata};
	if (typeof raw.id === 'string') metadata.native_id = raw.id;
	const extra: Raw = {};
	for (const [key, value] of Object.entries(raw)) if (!KNOWN_API_FIELDS.includes(key) && !(reasoningEntry && ['type', 'text', 'summary', 'encrypted_content'].includes(key))) extra[key] = value;
	if (Object.keys(extra).length > 0) metadata.native_fields = extra;
	if (role === 'assistant') {
		const xml = xmlToolCalls(converted.text);
		if (xml.length > 0) metadata.xml_tool_calls = xml;
	}

	const message: DraftMessage = {msg_id: id, role, content: blocks, ts: timeField(raw.ts)};
	if (raw.isTruncationMarker === true) message.is_meta = true;
	if (Object.keys(metadata).length > 0) message.metadata = metadata;
	return {message, unknown: converted.unknown, text: converted.text};
}

/** When the API history is missing or unreadable, the UI timeline still tells the conversation. */
function messagesFromUi(ui: Raw[], flavor: TaskFlavor, taskId: string): Array<DraftMessage> {
	const messages: Array<DraftMessage> = [];
	let lastCommandId: string | undefined;
	let pendingUsage: {usage?: TokenUsage; cost?: number} | undefined;
	for (const [index, entry] of ui.entries()) {
		if (entry.partial === true) continue;
		const ts = timeField(entry.ts);
		const kind = nativeString(entry.say ?? entry.ask ?? '');
		const text = stringField(entry.text) ?? '';
		const id = stableHash(flavor, taskId, 'ui', index, kind, text);
		const push = (role: Message['role'], content: ContentBlock[], extra: Partial<Message> = {}) => {
			const message: DraftMessage = {msg_id: id, role, content, ts, ...extra, metadata: {from_ui_timeline: true, ui_type: `${nativeString(entry.type)}:${kind}`}};
			if (role === 'assistant' && pendingUsage) {
				if (pendingUsage.usage) message.usage = pendingUsage.usage;
				if (pendingUsage.cost !== undefined) message.metadata!.cost_usd = pendingUsage.cost;
				pendingUsage = undefined;
			}

			messages.push(message);
		};

		const images = Array.isArray(entry.images) ? entry.images.filter((image): image is string => typeof image === 'string').map(image => imageFromDataUrl(image)) : [];
		switch (kind) {
			case 'task':
			case 'user_feedback': {
				push('user', [{type: 'text', text}, ...images]);
				break;
			}

			case 'text':
			case 'completion_result': {
				if (text.length === 0 && !stringField(entry.reasoning)) break;
				const blocks: ContentBlock[] = [];
				if (stringField(entry.reasoning)) blocks.push({type: 'thinking', text: nativeString(entry.reasoning)});
				if (text.length > 0) blocks.push({type: 'text', text});
				push('assistant', blocks);
				break;
			}

			case 'reasoning': {
				push('assistant', [{type: 'thinking', text}]);
				break;
			}

			case 'followup': {
				const question = parseJsonObject(text);
				push('assistant', [{type: 'text', text: stringField(question?.question) ?? text}]);
				break;
			}

			case 'tool': {
				const tool = parseJsonObject(text);
				push('assistant', [{type: 'tool_use', tool_use_id: `ui-${ts ?? index}`, name: stringField(tool?.tool) ?? 'tool', input: tool ?? {text}}]);
				break;
			}

			case 'command': {
				lastCommandId = `ui-${ts ?? index}`;
				push('assistant', [{type: 'tool_use', tool_use_id: lastCommandId, name: 'execute_command', input: {command: text}}]);
				break;
			}

			case 'command_output': {
				if (lastCommandId) push('user', [{type: 'tool_result', tool_use_id: lastCommandId, content: text}]);
				break;
			}

			case 'error': {
				push('system', [{type: 'text', text}], {is_meta: true});
				break;
			}

			case 'api_req_started': {
				const info = parseJsonObject(text);
				if (info) pendingUsage = {usage: usageFromApiReqInfo(info), cost: numberField(info.cost)};
				break;
			}

			default:
				// Other UI events (checkpoints, api_req_finished, resume asks…) carry no conversation content.
				break;
		}
	}

	return messages;
}

/** The Roo CLI keeps tasks under ~/.vscode-mock; the pre-SDK Cline CLI under ~/.cline/data; the rest are editors. */
function interfaceOf(taskDir: string, flavor: TaskFlavor): 'cli' | 'extension' {
	if (flavor === 'roo-code') return taskDir.includes(`${path.sep}.vscode-mock${path.sep}`) ? 'cli' : 'extension';
	return taskDir.includes(`${path.sep}globalStorage${path.sep}`) ? 'extension' : 'cli';
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/**
 * Reads one task folder. Keeps whatever is readable; throws only when none of the task's files
 * could be read at all.
 */
export async function readTaskFolder(request: ReadRequest, ctx: AdapterContext, flavor: TaskFlavor): Promise<ReadResult> {
	const {session} = request;
	const taskDir = path.dirname(session.files[0]);
	const storageRoot = path.dirname(path.dirname(taskDir));
	const taskId = session.nativeId;
	const files = await loadTaskFiles(taskDir, flavor);
	if (!files.api && !files.ui && !files.metadata && !files.history) {
		throw new Error(`${flavor} task ${taskId}: nothing readable (${files.warnings.join('; ') || 'no files'})`);
	}

	const history = files.history ?? (await historyFromIndex(storageRoot, taskId, flavor));
	const ui = files.ui ?? [];
	const unknownRecords: Record<string, number> = {};
	const count = (kind: string, n = 1) => {
		addCount(unknownRecords, kind, n);
	};

	const taskSay = ui.find(entry => entry.say === 'task');
	const startMs = timeField(taskSay?.ts) ?? timeField(ui[0]?.ts) ?? (/^\d{12,14}$/.test(taskId) ? Number(taskId) : undefined) ?? timeField(history?.ts);

	let drafts: DraftMessage[] = [];
	let firstUserText: string | undefined;
	if (files.api && files.api.length > 0) {
		const requests = uiRequests(ui);
		const built = files.api.map((raw, index) => apiMessage(raw, index, flavor, taskId));
		// A stand-alone reasoning entry (older Roo) precedes the response it belongs to: the response gets the usage.
		const assistants = built.flatMap((entry, index) => (entry.message.role === 'assistant' && !isReasoningEntry(files.api![index]) ? [{index, ts: entry.message.ts}] : []));
		const paired = pairRequests(requests, assistants);
		for (const [index, entry] of built.entries()) {
			if (entry.unknownKind) count(entry.unknownKind);
			for (const [kind, n] of Object.entries(entry.unknown)) count(kind, n);
			const message = entry.message;
			if (message.role === 'user' && firstUserText === undefined) firstUserText = entry.text;
			const raw = files.api[index] as Raw;
			if (message.role === 'assistant') {
				const metadata: Raw = message.metadata ?? {};
				const request = paired.get(index);
				const metrics = isRecord(raw.metrics) ? raw.metrics : undefined;
				const usage = request ? usageFromApiReqInfo(request.info) : metrics ? usageFromClassicMetrics(metrics) : undefined;
				if (usage) message.usage = usage;
				const cost = request ? numberField(request.info.cost) : numberField(metrics?.cost);
				if (cost !== undefined) metadata.cost_usd = cost;
				if (metrics) metadata.native_metrics = metrics;
				if (request?.info.cancelReason) metadata.cancel_reason = request.info.cancelReason;
				if (message.ts === undefined && request) message.inferredMs = request.ts;

				const modelInfo = isRecord(raw.modelInfo) ? raw.modelInfo : undefined;
				const fromMetadata = modelFromMetadata(files.metadata, message.ts ?? message.inferredMs);
				const model = stringField(modelInfo?.modelId) ?? fromMetadata.model ?? (flavor === 'cline' ? stringField(history?.modelId) : undefined);
				const provider = stringField(modelInfo?.providerId) ?? fromMetadata.provider;
				if (model) message.model = model;
				if (provider) message.provider = provider;
				if (stringField(modelInfo?.mode)) metadata.mode = modelInfo!.mode;
				if (Object.keys(metadata).length > 0) message.metadata = metadata;
			}

			drafts.push(message);
		}
	} else if (ui.length > 0) {
		files.warnings.push(`${API_FILE} unavailable: conversation rebuilt from ${UI_FILE}`);
		drafts = messagesFromUi(ui, flavor, taskId);
		const firstText = drafts.find(message => message.role === 'user')?.content.find(block => block.type === 'text');
		firstUserText = firstText ? String((firstText as {text: unknown}).text) : undefined;
	}

	// Older builds wrote no per-message time: fall back to the previous message, then the task start, then the file time.
	const fallbackMs = startMs ?? session.mtimeMs ?? ctx.now().getTime();
	let previousMs = fallbackMs;
	const messages: Message[] = drafts.map(draft => {
		const {ts, inferredMs, ...rest} = draft;
		const ms = ts ?? Math.max(previousMs, inferredMs ?? previousMs);
		previousMs = ms;
		const message: Message = {...rest, timestamp: iso(ms)};
		if (ts === undefined) message.metadata = {...message.metadata, timestamp_inferred: true};
		return message;
	});

	const environment = Array.isArray(files.metadata?.environment_history) ? files.metadata.environment_history.filter(isRecord).at(-1) : undefined;
	const cwd = stringField(history?.cwdOnTaskInitialization) ?? stringField(history?.workspace) ?? cwdFromEnvironmentDetails(firstUserText ?? '');
	const lastModel = [...messages].reverse().find(message => message.model);
	const info: SessionInfo = {
		title: titleFrom(stringField(history?.task) ?? stringField(taskSay?.text) ?? stripTaskTags(firstUserText ?? '')),
		cwd,
		model: lastModel?.model ?? undefined,
		provider: lastModel?.provider ?? undefined,
		toolVersion: stringField(environment?.cline_version),
		createdAt: messages[0]?.timestamp ?? (startMs === undefined ? undefined : iso(startMs)),
		updatedAt: messages.at(-1)?.timestamp,
		interface: interfaceOf(taskDir, flavor),
		extra: {
			storage_root: storageRoot,
			...(history ? {history_item: history} : {}),
			...(environment ? {environment} : {}),
		},
	};
	if (info.model === undefined && flavor === 'cline' && stringField(history?.modelId)) info.model = stringField(history?.modelId);

	const toolsUsed = [...new Set(messages.flatMap(message => message.content.filter(block => block.type === 'tool_use').map(block => String((block as {name: string}).name))))];
	await addStatCursors(session.files, files.cursors);
	return {
		mode: 'full',
		messages,
		info,
		cursors: files.cursors,
		workspace: workspaceFrom(cwd, files.metadata),
		...(toolsUsed.length > 0 ? {tools: {tools_used: toolsUsed}} : {}),
		warnings: files.warnings,
		unknownRecords,
		recordsParsed: files.recordsParsed,
	};
}
