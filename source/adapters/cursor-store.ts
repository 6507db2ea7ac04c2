/**
 * Queries over (snapshots of) Cursor's `state.vscdb` files: which conversations a store holds, with a
 * cheap fingerprint each, and the raw data of one conversation. Knows the key layout, not the mapping.
 */
import type Database from 'better-sqlite3';
import {stableHash} from './jsonl.js';
import {decodeValue, hasTable} from './cursor-snapshot.js';
import {isObject, str, type Json} from './cursor-bubbles.js';

export type ComposerEntry = {
	id: string;
	fingerprint: string;
	name?: string;
	createdAt?: number;
	lastUpdatedAt?: number;
	/** Folder of the workspace the composer belongs to (Cursor 3.x headers). */
	cwd?: string;
	/** For sub-agent composers: the composer that spawned it. */
	parentId?: string;
};

export type LegacyEntry = {id: string; kind: 'tab' | 'composer'; fingerprint: string; lastUpdatedAt?: number};

export type StoreScan = {
	/** Modern composers (global `cursorDiskKV`). */
	composers: ComposerEntry[];
	/** 2024-era conversations kept inline in a workspace `ItemTable`. */
	legacy: LegacyEntry[];
	/** Composer ids a workspace DB lists (their content lives in the global DB). */
	workspaceComposerIds: string[];
	warnings: string[];
};

const BUBBLE_LOW = 'bubbleId:';
const BUBBLE_HIGH = 'bubbleId;'; // ';' sorts right after ':' so [low, high) is exactly the prefix, using the key index.

function itemValue(db: Database.Database, key: string): unknown {
	if (!hasTable(db, 'ItemTable')) return undefined;
	const row = db.prepare('SELECT value FROM ItemTable WHERE key = ?').get(key) as {value: unknown} | undefined;
	return row ? decodeValue(row.value) : undefined;
}

export function fsPathOfUri(uri: unknown): string | undefined {
	if (!isObject(uri)) return undefined;
	return str(uri.fsPath) ?? str(uri.path);
}

function headerIndex(db: Database.Database): Map<string, Json> {
	const index = new Map<string, Json>();
	const headers = itemValue(db, 'composer.composerHeaders');
	if (isObject(headers) && Array.isArray(headers.allComposers)) {
		for (const header of headers.allComposers) if (isObject(header) && typeof header.composerId === 'string') index.set(header.composerId, header);
	}

	return index;
}

function headersOf(data: Json): unknown[] {
	if (Array.isArray(data.fullConversationHeadersOnly)) return data.fullConversationHeadersOnly;
	if (Array.isArray(data.conversation)) return data.conversation;
	return [];
}

export function scanGlobalStore(db: Database.Database): StoreScan {
	const scan: StoreScan = {composers: [], legacy: [], workspaceComposerIds: [], warnings: []};
	if (!hasTable(db, 'cursorDiskKV')) {
		scan.warnings.push('no cursorDiskKV table (not a Cursor global store, or a Cursor version before 2025)');
		return scan;
	}

	const bubbleStats = new Map<string, {count: number; bytes: number}>();
	const rows = db
		.prepare('SELECT key, length(value) AS bytes FROM cursorDiskKV WHERE key >= ? AND key < ?')
		.iterate(BUBBLE_LOW, BUBBLE_HIGH) as Iterable<{key: string; bytes: number | null}>;
	for (const row of rows) {
		const composerId = row.key.slice(BUBBLE_LOW.length).split(':', 1)[0]!;
		const stats = bubbleStats.get(composerId) ?? {count: 0, bytes: 0};
		stats.count++;
		stats.bytes += row.bytes ?? 0;
		bubbleStats.set(composerId, stats);
	}

	const headers = headerIndex(db);
	const parents = new Map<string, string>();
	const composerRows = db.prepare("SELECT key, value FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;'").all() as Array<{key: string; value: unknown}>;
	const entries: ComposerEntry[] = [];
	let unreadable = 0;
	for (const row of composerRows) {
		const id = row.key.slice('composerData:'.length);
		const data = decodeValue(row.value);
		if (!isObject(data)) {
			unreadable++;
			continue;
		}

		const conversation = headersOf(data);
		const bubbles = bubbleStats.get(id) ?? {count: 0, bytes: 0};
		// A composer with no messages at all is an empty draft: nothing to capture.
		if (conversation.length === 0 && bubbles.count === 0) continue;
		for (const key of ['subagentComposerIds', 'subComposerIds']) {
			const children = data[key];
			if (Array.isArray(children)) for (const child of children) if (typeof child === 'string') parents.set(child, id);
		}

		const header = headers.get(id);
		const workspace = header && isObject(header.workspaceIdentifier) ? header.workspaceIdentifier : undefined;
		const lastUpdatedAt = typeof data.lastUpdatedAt === 'number' ? data.lastUpdatedAt : typeof header?.lastUpdatedAt === 'number' ? header.lastUpdatedAt : undefined;
		const entry: ComposerEntry = {
			id,
			fingerprint: [lastUpdatedAt ?? 0, conversation.length, bubbles.count, bubbles.bytes, String(row.value ?? '').length].join(':'),
		};
		const name = str(data.name) ?? str(header?.name);
		if (name) entry.name = name;
		if (typeof data.createdAt === 'number') entry.createdAt = data.createdAt;
		if (lastUpdatedAt !== undefined) entry.lastUpdatedAt = lastUpdatedAt;
		const cwd = fsPathOfUri(workspace?.uri);
		if (cwd) entry.cwd = cwd;
		entries.push(entry);
	}

	for (const entry of entries) {
		const parent = parents.get(entry.id);
		if (parent) entry.parentId = parent;
	}

	if (unreadable > 0) scan.warnings.push(`${unreadable} composerData row(s) are not valid JSON, skipped`);
	scan.composers = entries;
	return scan;
}

export function scanWorkspaceStore(db: Database.Database): StoreScan {
	const scan: StoreScan = {composers: [], legacy: [], workspaceComposerIds: [], warnings: []};
	if (!hasTable(db, 'ItemTable')) {
		scan.warnings.push('no ItemTable table');
		return scan;
	}

	const chat = itemValue(db, 'workbench.panel.aichat.view.aichat.chatdata');
	if (isObject(chat) && Array.isArray(chat.tabs)) {
		for (const tab of chat.tabs) {
			if (!isObject(tab) || typeof tab.tabId !== 'string' || !Array.isArray(tab.bubbles) || tab.bubbles.length === 0) continue;
			scan.legacy.push({id: tab.tabId, kind: 'tab', fingerprint: stableHash(JSON.stringify(tab)), lastUpdatedAt: typeof tab.lastSendTime === 'number' ? tab.lastSendTime : undefined});
		}
	}

	const composers = itemValue(db, 'composer.composerData');
	if (isObject(composers) && Array.isArray(composers.allComposers)) {
		for (const composer of composers.allComposers) {
			if (!isObject(composer) || typeof composer.composerId !== 'string') continue;
			if (Array.isArray(composer.conversation) && composer.conversation.length > 0) {
				scan.legacy.push({id: composer.composerId, kind: 'composer', fingerprint: stableHash(JSON.stringify(composer)), lastUpdatedAt: typeof composer.lastUpdatedAt === 'number' ? composer.lastUpdatedAt : undefined});
			} else {
				scan.workspaceComposerIds.push(composer.composerId);
			}
		}
	}

	for (const key of ['selectedComposerIds', 'lastFocusedComposerIds']) {
		const ids = isObject(composers) ? composers[key] : undefined;
		if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string' && !scan.workspaceComposerIds.includes(id)) scan.workspaceComposerIds.push(id);
	}

	return scan;
}

export type ComposerRead = {
	data: Json;
	header?: Json;
	/** Bubbles in conversation order (headers order; inline bubbles for older composers). */
	bubbles: unknown[];
	/** Header entries whose bubble row is not written (yet). */
	missing: number;
	/** Bubble rows no header references (edited/regenerated turns). */
	orphans: number;
	invalid: number;
};

export function readComposer(db: Database.Database, composerId: string): ComposerRead | undefined {
	if (!hasTable(db, 'cursorDiskKV')) return undefined;
	const row = db.prepare('SELECT value FROM cursorDiskKV WHERE key = ?').get(`composerData:${composerId}`) as {value: unknown} | undefined;
	const data = row ? decodeValue(row.value) : undefined;
	if (!isObject(data)) return undefined;

	const stored = new Map<string, unknown>();
	let invalid = 0;
	const prefix = `bubbleId:${composerId}:`;
	const rows = db.prepare('SELECT key, value FROM cursorDiskKV WHERE key >= ? AND key < ?').iterate(prefix, `bubbleId:${composerId};`) as Iterable<{key: string; value: unknown}>;
	for (const bubbleRow of rows) {
		const bubble = decodeValue(bubbleRow.value);
		if (isObject(bubble)) stored.set(bubbleRow.key.slice(prefix.length), bubble);
		else invalid++;
	}

	const inlineMap = isObject(data.conversationMap) ? data.conversationMap : {};
	const bubbles: unknown[] = [];
	let missing = 0;
	const used = new Set<string>();
	for (const entry of headersOf(data)) {
		const bubbleId = isObject(entry) ? str(entry.bubbleId) : undefined;
		const bubble = bubbleId ? (stored.get(bubbleId) ?? inlineMap[bubbleId]) : undefined;
		if (bubbleId && isObject(bubble)) {
			bubbles.push(bubble);
			used.add(bubbleId);
		} else if (isObject(entry) && (typeof entry.text === 'string' || entry.toolFormerData !== undefined)) {
			// Older composers keep whole bubbles inline in `conversation`.
			bubbles.push(entry);
			if (bubbleId) used.add(bubbleId);
		} else {
			missing++;
		}
	}

	const orphans = [...stored.keys()].filter(id => !used.has(id)).length;
	return {data, header: headerIndex(db).get(composerId), bubbles, missing, orphans, invalid};
}

export type LegacyRead = {kind: 'tab'; tab: Json} | {kind: 'composer'; composer: Json};

export function readLegacy(db: Database.Database, id: string): LegacyRead | undefined {
	const chat = itemValue(db, 'workbench.panel.aichat.view.aichat.chatdata');
	if (isObject(chat) && Array.isArray(chat.tabs)) {
		const tab = chat.tabs.find(candidate => isObject(candidate) && candidate.tabId === id);
		if (isObject(tab)) return {kind: 'tab', tab};
	}

	const composers = itemValue(db, 'composer.composerData');
	if (isObject(composers) && Array.isArray(composers.allComposers)) {
		const composer = composers.allComposers.find(candidate => isObject(candidate) && candidate.composerId === id);
		if (isObject(composer)) return {kind: 'composer', composer};
	}

	return undefined;
}
