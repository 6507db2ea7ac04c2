/**
 * Cursor (the IDE, and the Cursor CLI). Four generations of storage may coexist:
 * - modern composers in the global `state.vscdb` (`cursorDiskKV`: `composerData:<id>`, `bubbleId:<id>:<bubble>`);
 * - 2024-era chat tabs and composers inline in a workspace `state.vscdb` `ItemTable`;
 * - agent transcripts under `~/.cursor/projects/<slug>/agent-transcripts/` (only where no store holds the chat);
 * - the Cursor CLI's `~/.cursor/chats/<hash>/<chatId>/store.db`.
 * Cursor's files are never opened in place: SQLite stores are read through private snapshots.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type {FileCursor, Message} from '../engine/types.js';
import type {Adapter, AdapterContext, ReadRequest, ReadResult, SessionInfo} from './types.js';
import {readJsonlFrom} from './jsonl.js';
import {openSnapshot, snapshotStore} from './cursor-snapshot.js';
import {readComposer, readLegacy, type ComposerRead, type LegacyRead} from './cursor-store.js';
import {isObject, isoFromMs, mapBubbles, pruneEmpty, str, type Json} from './cursor-bubbles.js';
import {mapTranscriptLines} from './cursor-transcript.js';
import {isCliStore, mapCliLeaves, readCliStore, type CliStoreRead} from './cursor-cli-store.js';
import {COMPOSER_CWD_CACHE_KEY, cursorUserDir, discoverCursor, dotCursorDir, workspaceFolder} from './cursor-discover.js';

export {cursorSessionsForFile} from './cursor-discover.js';

export {cursorIo} from './cursor-snapshot.js';

type CursorAdapter = Adapter & {
	/** One-line reasons from the last `discover` (unreadable stores), for `sfs capture`/`sfs doctor`. */
	lastDiscoverWarnings: string[];
};

async function statCursor(file: string): Promise<FileCursor | undefined> {
	try {
		const stat = await fs.stat(file);
		return {size: stat.size, mtime_ms: stat.mtimeMs, ino: stat.ino, offset: stat.size};
	} catch {
		return undefined;
	}
}

async function cursorsFor(files: string[]): Promise<Record<string, FileCursor>> {
	const cursors: Record<string, FileCursor> = {};
	for (const file of files) {
		const cursor = await statCursor(file);
		if (cursor) cursors[file] = cursor;
	}

	return cursors;
}

function emptyResult(cursors: Record<string, FileCursor>, warnings: string[]): ReadResult {
	return {mode: 'full', messages: [], info: {}, cursors, warnings, unknownRecords: {}, recordsParsed: 0};
}

function markSidechain(messages: Message[], agentId: string): void {
	for (const message of messages) {
		message.is_sidechain = true;
		message.agent_id = agentId;
	}
}

/**
 * composerData fields not copied into the manifest's native metadata: mapped elsewhere, bulky (inline
 * conversations, file states, the protobuf `conversationState`), or secret (the blob encryption keys).
 */
const COMPOSER_FIELDS_NOT_IN_EXTRA = ['name', 'createdAt', 'lastUpdatedAt', 'fullConversationHeadersOnly', 'conversation', 'conversationMap', 'conversationState', 'richText', 'text', 'blobEncryptionKey', 'speculativeSummarizationEncryptionKey', 'codeBlockData', 'originalFileStates'];

function composerInfo(data: Json, header: Json | undefined, cwd: string | undefined): SessionInfo {
	const info: SessionInfo = {interface: 'ide'};
	const title = str(data.name) ?? str(header?.name);
	if (title) info.title = title;
	const created = isoFromMs(data.createdAt) ?? isoFromMs(header?.createdAt);
	if (created) info.createdAt = created;
	const updated = isoFromMs(data.lastUpdatedAt) ?? isoFromMs(header?.lastUpdatedAt);
	if (updated) info.updatedAt = updated;
	if (cwd) info.cwd = cwd;
	if (str(data.createdOnBranch)) info.gitBranch = data.createdOnBranch as string;
	const modelConfig = isObject(data.modelConfig) ? data.modelConfig : {};
	if (str(modelConfig.modelName)) info.model = modelConfig.modelName as string;
	const extra = pruneEmpty(data, COMPOSER_FIELDS_NOT_IN_EXTRA);
	if (extra) info.extra = extra;
	return info;
}

function composerResult(session: ReadRequest['session'], read: ComposerRead, cwd: string | undefined, ctx: AdapterContext): Omit<ReadResult, 'cursors'> {
	const info = composerInfo(read.data, read.header, cwd);
	const mapped = mapBubbles(read.bubbles, {sessionId: session.nativeId, fallbackTime: info.createdAt ?? ctx.now().toISOString(), model: info.model});
	if (!info.model && mapped.lastModel) info.model = mapped.lastModel;
	if (session.agentId) markSidechain(mapped.messages, session.agentId);

	const warnings = [...mapped.warnings];
	if (read.missing > 0) warnings.push(`composer ${session.nativeId}: ${read.missing} bubble(s) listed but not written yet`);
	if (read.invalid > 0) warnings.push(`composer ${session.nativeId}: ${read.invalid} bubble row(s) are not valid JSON, skipped`);
	if (read.orphans > 0) info.extra = {...info.extra, orphan_bubbles: read.orphans};
	const result: Omit<ReadResult, 'cursors'> = {mode: 'full', messages: mapped.messages, info, warnings, unknownRecords: mapped.unknownRecords, recordsParsed: read.bubbles.length + 1};
	if (cwd) result.workspace = {root_path: cwd};
	if (mapped.toolsUsed.length > 0) result.tools = {tools_used: mapped.toolsUsed};
	return result;
}

function legacyResult(session: ReadRequest['session'], read: LegacyRead, cwd: string | undefined, ctx: AdapterContext): Omit<ReadResult, 'cursors'> {
	const source = read.kind === 'tab' ? read.tab : read.composer;
	const rawBubbles = read.kind === 'tab' ? read.tab.bubbles : read.composer.conversation;
	const bubbles = Array.isArray(rawBubbles) ? rawBubbles : [];
	const info: SessionInfo = {interface: 'ide'};
	const title = str(source.chatTitle) ?? str(source.name);
	if (title) info.title = title;
	const created = isoFromMs(source.createdAt) ?? isoFromMs(source.lastSendTime);
	if (created) info.createdAt = created;
	const updated = isoFromMs(source.lastUpdatedAt) ?? isoFromMs(source.lastSendTime);
	if (updated) info.updatedAt = updated;
	if (cwd) info.cwd = cwd;
	const extra = pruneEmpty(source, ['bubbles', 'conversation', 'chatTitle', 'name', 'createdAt', 'lastUpdatedAt', 'richText', 'text', 'codeBlockData']);
	info.extra = {...extra, cursor_storage: read.kind === 'tab' ? 'legacy-chat-tab' : 'legacy-inline-composer'};

	const mapped = mapBubbles(bubbles, {sessionId: session.nativeId, fallbackTime: created ?? ctx.now().toISOString()});
	if (mapped.lastModel) info.model = mapped.lastModel;
	const result: Omit<ReadResult, 'cursors'> = {mode: 'full', messages: mapped.messages, info, warnings: mapped.warnings, unknownRecords: mapped.unknownRecords, recordsParsed: bubbles.length};
	if (cwd) result.workspace = {root_path: cwd};
	if (mapped.toolsUsed.length > 0) result.tools = {tools_used: mapped.toolsUsed};
	return result;
}

/** One conversation of a SQLite store: a modern composer, a 2024-era chat, or a Cursor CLI chat. */
async function readSqliteSession(request: ReadRequest, ctx: AdapterContext): Promise<ReadResult> {
	const {session} = request;
	const file = session.files[0]!;
	const snapshot = await snapshotStore(file, ctx.env);
	const db = openSnapshot(snapshot.path);
	let composer: ComposerRead | undefined;
	let legacy: LegacyRead | undefined;
	let cli: CliStoreRead | undefined;
	try {
		// The Cursor CLI's store.db has its own tables; a state.vscdb holds either generation of chats.
		if (isCliStore(db)) cli = readCliStore(db);
		else composer = readComposer(db, session.nativeId);
		if (!cli && !composer) legacy = readLegacy(db, session.nativeId);
	} finally {
		db.close();
	}

	if (cli) return readCliChat(request, ctx, cli, snapshot.warnings);

	const cursors = await cursorsFor([file]);
	let result: Omit<ReadResult, 'cursors'>;
	if (composer) {
		const knownCwd = (ctx.cache.get(COMPOSER_CWD_CACHE_KEY) as Record<string, string> | undefined)?.[session.nativeId];
		const workspace = composer.header && isObject(composer.header.workspaceIdentifier) && isObject(composer.header.workspaceIdentifier.uri) ? composer.header.workspaceIdentifier.uri : undefined;
		result = composerResult(session, composer, str(workspace?.fsPath) ?? knownCwd, ctx);
	} else if (legacy) {
		result = legacyResult(session, legacy, await workspaceFolder(file), ctx);
	} else {
		return emptyResult(cursors, [...snapshot.warnings, `conversation ${session.nativeId}: no longer in ${file}`]);
	}

	return {...result, cursors, warnings: [...snapshot.warnings, ...result.warnings]};
}

type TranscriptState = {lastMsgId?: string; turnId?: string};

async function readTranscript(request: ReadRequest): Promise<ReadResult> {
	const {session} = request;
	const file = session.files[0]!;
	const previous = request.cursors?.[file];
	const read = await readJsonlFrom(file, previous);
	const incremental = Boolean(previous) && !read.restarted;
	const state: TranscriptState = incremental && isObject(request.state) ? (request.state as TranscriptState) : {};
	const mapped = mapTranscriptLines(read.lines, {sessionId: session.nativeId, timestamp: new Date(read.cursor.mtime_ms).toISOString(), agentId: session.agentId});

	let lastMsgId = state.lastMsgId;
	let turnId = state.turnId;
	for (const message of mapped.messages) {
		message.parent_msg_id = lastMsgId ?? null;
		if (message.role === 'user') turnId = message.msg_id;
		if (turnId) message.turn_id = turnId;
		lastMsgId = message.msg_id;
	}

	const segments = file.split(path.sep);
	const projectSlug = segments[segments.lastIndexOf('agent-transcripts') - 1];
	const info: SessionInfo = {interface: 'ide', extra: {cursor_storage: 'agent-transcript', project_slug: projectSlug}};
	const result: ReadResult = {
		mode: incremental ? 'incremental' : 'full',
		messages: mapped.messages,
		info,
		cursors: {[file]: read.cursor},
		state: {lastMsgId, turnId} satisfies TranscriptState,
		warnings: [...read.warnings, ...mapped.warnings].map(line => `${path.basename(file)}: ${line}`),
		unknownRecords: mapped.unknownRecords,
		recordsParsed: read.lines.length,
	};
	if (mapped.toolsUsed.length > 0) result.tools = {tools_used: mapped.toolsUsed};
	return result;
}

async function readCliChat(request: ReadRequest, ctx: AdapterContext, read: CliStoreRead, snapshotWarnings: string[]): Promise<ReadResult> {
	const {session} = request;
	const [store, metaFile] = session.files;

	let metaJson: Json = {};
	if (metaFile) {
		try {
			const parsed = JSON.parse(await fs.readFile(metaFile, 'utf8')) as unknown;
			if (isObject(parsed)) metaJson = parsed;
		} catch {}
	}

	const cursors = await cursorsFor(session.files);
	const createdAt = isoFromMs(read.meta?.createdAt) ?? isoFromMs(metaJson.createdAtMs);
	const mapped = mapCliLeaves(read.leaves, read.meta, createdAt ?? ctx.now().toISOString());
	const info: SessionInfo = {interface: 'cli'};
	const title = str(read.meta?.name) ?? str(metaJson.title);
	if (title) info.title = title;
	if (createdAt) info.createdAt = createdAt;
	const updated = isoFromMs(metaJson.updatedAtMs);
	if (updated) info.updatedAt = updated;
	if (str(metaJson.cwd)) info.cwd = metaJson.cwd as string;
	if (str(read.meta?.lastUsedModel)) info.model = read.meta!.lastUsedModel as string;
	info.extra = {cursor_storage: 'cli-store', ...pruneEmpty(read.meta ?? {}, ['name', 'createdAt'])};
	const result: ReadResult = {
		mode: 'full',
		messages: mapped.messages,
		info,
		cursors,
		warnings: [...snapshotWarnings, ...read.warnings.map(line => `${store}: ${line}`)],
		unknownRecords: mapped.unknownRecords,
		recordsParsed: read.leaves.length + 1,
	};
	if (info.cwd) result.workspace = {root_path: info.cwd};
	return result;
}

export const cursorAdapter: CursorAdapter = {
	id: 'cursor',
	name: 'Cursor',
	lastDiscoverWarnings: [],

	roots(ctx) {
		const user = cursorUserDir(ctx);
		return [path.join(user, 'globalStorage'), path.join(user, 'workspaceStorage'), path.join(dotCursorDir(ctx), 'projects'), path.join(dotCursorDir(ctx), 'chats')];
	},

	async discover(ctx) {
		const {sessions, warnings} = await discoverCursor(ctx);
		this.lastDiscoverWarnings = warnings;
		return sessions;
	},

	async read(request, ctx) {
		const file = request.session.files[0];
		if (!file) throw new Error('cursor: session has no file');
		if (file.endsWith('.jsonl')) return readTranscript(request);
		return readSqliteSession(request, ctx);
	},
};
