/**
 * What this machine knows about syncing, in `<data>/sync/state.json`: the autosync mode, the watched
 * sessions, and per server the last version (ETag) of each session this machine pushed or pulled
 * (the If-Match of its next push) with the local fingerprint it had then, plus the last sync run and
 * the last error. Every change is a read-modify-write under a lock file, written atomically, so the
 * daemon's autosync and `sfs sync watch` in another process never lose each other's change.
 */
import fs from 'node:fs';
import path from 'node:path';
import {writeJsonAtomic} from '../engine/fs-atomic.js';
import {withLockSync} from '../engine/lock.js';
import {dataDir, type Env} from '../engine/paths.js';

export const SYNC_MODES = ['off', 'all', 'selective'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export type SessionSyncRecord = {
	/** The server version this machine last pushed or pulled. */
	etag: string;
	/** The local fingerprint (message count and updated_at) right after that push or pull. */
	local?: string;
	synced_at?: string;
	/** This local fingerprint was refused for good (DLP gate, too large, invalid): not tried again until the session changes. */
	blocked?: string;
	blocked_reason?: string;
	/** Pulled from a teammate (shared with an org): their session, never pushed by sync as yours. */
	owner?: string;
};

export type SyncRunSummary = {
	started_at: string;
	finished_at: string;
	pushed: number;
	pulled: number;
	merged: number;
	unchanged: number;
	failed: number;
	skipped: number;
	/** 'cli' or 'daemon'. */
	by: string;
};

export type ServerSyncState = {
	sessions: Record<string, SessionSyncRecord>;
	last_sync: SyncRunSummary | null;
	last_error: {at: string; message: string} | null;
};

export type SyncState = {
	version: 2;
	mode: SyncMode;
	/** Session ids pushed in selective mode (and by a manual `sfs sync` when autosync is off). */
	watched: string[];
	servers: Record<string, ServerSyncState>;
};

export function syncDir(env: Env = process.env): string {
	return path.join(dataDir(env), 'sync');
}

export function statePath(env: Env = process.env): string {
	return path.join(syncDir(env), 'state.json');
}

/** Held by a whole `sfs sync` run (CLI or daemon): two runs never transfer at once. */
export function runLockPath(env: Env = process.env): string {
	return path.join(syncDir(env), 'run.lock');
}

function emptyState(): SyncState {
	return {version: 2, mode: 'off', watched: [], servers: {}};
}

export function emptyServerState(): ServerSyncState {
	return {sessions: {}, last_sync: null, last_error: null};
}

/** The state as stored; a missing or unreadable file is an empty state (the first version's `{url: {id: etag}}` is carried over). */
export function loadState(env: Env = process.env): SyncState {
	let value: unknown;
	try {
		value = JSON.parse(fs.readFileSync(statePath(env), 'utf8'));
	} catch {
		return emptyState();
	}

	if (!value || typeof value !== 'object' || Array.isArray(value)) return emptyState();
	const raw = value as Record<string, unknown>;
	if (raw.version !== 2) return fromFirstVersion(raw);
	const state = emptyState();
	if (SYNC_MODES.includes(raw.mode as SyncMode)) state.mode = raw.mode as SyncMode;
	if (Array.isArray(raw.watched)) state.watched = raw.watched.filter((id): id is string => typeof id === 'string');
	if (raw.servers && typeof raw.servers === 'object') {
		for (const [url, server] of Object.entries(raw.servers as Record<string, Partial<ServerSyncState>>)) {
			if (!server || typeof server !== 'object') continue;
			state.servers[url] = {
				sessions: server.sessions && typeof server.sessions === 'object' ? server.sessions : {},
				last_sync: server.last_sync ?? null,
				last_error: server.last_error ?? null,
			};
		}
	}

	return state;
}

function fromFirstVersion(raw: Record<string, unknown>): SyncState {
	const state = emptyState();
	for (const [url, etags] of Object.entries(raw)) {
		if (!etags || typeof etags !== 'object') continue;
		const server = emptyServerState();
		for (const [id, etag] of Object.entries(etags as Record<string, unknown>)) if (typeof etag === 'string') server.sessions[id] = {etag};
		state.servers[url] = server;
	}

	return state;
}

/** Read-modify-write under the state lock; returns what `change` returns. */
export function updateState<T>(env: Env, change: (state: SyncState) => T): T {
	return withLockSync(
		path.join(syncDir(env), 'state.lock'),
		() => {
			const state = loadState(env);
			const result = change(state);
			writeJsonAtomic(statePath(env), state);
			return result;
		},
		{what: 'the sync state'},
	);
}

export function serverState(state: SyncState, url: string): ServerSyncState {
	state.servers[url] ??= emptyServerState();
	return state.servers[url];
}

export function knownEtag(url: string, sessionId: string, env: Env = process.env): string | undefined {
	return loadState(env).servers[url]?.sessions[sessionId]?.etag;
}

/** Records the server version of a session (after a push or pull) and, when given, the local fingerprint it matches. */
export function rememberEtag(url: string, sessionId: string, etag: string, env: Env = process.env, local?: string, owner?: string): void {
	updateState(env, state => {
		const sessions = serverState(state, url).sessions;
		sessions[sessionId] = syncRecord(etag, local, owner);
	});
}

function syncRecord(etag: string, local: string | undefined, owner: string | undefined): SessionSyncRecord {
	return {etag, ...(local === undefined ? {} : {local}), ...(owner === undefined ? {} : {owner}), synced_at: new Date().toISOString()};
}

/** Where push and pull look up and record session versions: the state file itself, or a run's buffer of it. */
export type EtagBook = {
	known(url: string, sessionId: string): string | undefined;
	remember(url: string, sessionId: string, etag: string, local?: string, owner?: string): void;
};

export function fileEtagBook(env: Env = process.env): EtagBook {
	return {known: (url, id) => knownEtag(url, id, env), remember: (url, id, etag, local, owner) => rememberEtag(url, id, etag, env, local, owner)};
}

/**
 * A sync run's view of the records: read once, written back in batches (every `maxPending` records or
 * `maxAgeMs`, and at flush()), not once per session: rewriting the whole file for each of thousands
 * of sessions would cost seconds. A run killed before a flush only redoes those sessions, which the
 * server and the local merge both find unchanged.
 */
export class BufferedEtagBook implements EtagBook {
	private readonly pending = new Map<string, SessionSyncRecord & {url: string; id: string}>();
	private lastFlush = Date.now();

	constructor(
		private readonly env: Env,
		private readonly state: SyncState,
		private readonly options: {maxPending?: number; maxAgeMs?: number} = {},
	) {}

	known(url: string, sessionId: string): string | undefined {
		return this.pending.get(`${url}\n${sessionId}`)?.etag ?? this.state.servers[url]?.sessions[sessionId]?.etag;
	}

	remember(url: string, sessionId: string, etag: string, local?: string, owner?: string): void {
		const record = {url, id: sessionId, ...syncRecord(etag, local, owner)};
		this.pending.set(`${url}\n${sessionId}`, record);
		if (this.pending.size >= (this.options.maxPending ?? 50) || Date.now() - this.lastFlush >= (this.options.maxAgeMs ?? 500)) this.flush();
	}

	/** Also applies `change` to the state in the same write. */
	flush(change?: (state: SyncState) => void): void {
		const records = [...this.pending.values()];
		this.pending.clear();
		this.lastFlush = Date.now();
		if (records.length === 0 && !change) return;
		updateState(this.env, state => {
			for (const {url, id, ...record} of records) {
				serverState(state, url).sessions[id] = record;
				serverState(this.state, url).sessions[id] = record;
			}

			change?.(state);
		});
	}
}

export function setMode(mode: SyncMode, env: Env = process.env): void {
	updateState(env, state => {
		state.mode = mode;
	});
}

/** Adds (true) or removes (false) a watched session; returns whether the list changed. */
export function setWatched(sessionId: string, watched: boolean, env: Env = process.env): boolean {
	return updateState(env, state => {
		const has = state.watched.includes(sessionId);
		if (has === watched) return false;
		state.watched = watched ? [...state.watched, sessionId] : state.watched.filter(id => id !== sessionId);
		return true;
	});
}
