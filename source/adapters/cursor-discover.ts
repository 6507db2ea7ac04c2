/**
 * Where Cursor keeps conversations, and which ones are there. The SQLite stores are scanned through
 * snapshots (see cursor-snapshot.ts) and each store's scan is remembered in the engine's cache under the
 * store's stat stamp, so discovering an unchanged store costs a few `stat` calls and no SQLite work.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {isDirectory, listDir, statFile} from './discover-fs.js';
import type {AdapterContext, FileStat, NativeSession} from './types.js';
import {dropSnapshots, openSnapshot, reason, snapshotStore, storeStamp} from './cursor-snapshot.js';
import {scanGlobalStore, scanWorkspaceStore, type StoreScan} from './cursor-store.js';
import {isCliStore, readCliStore} from './cursor-cli-store.js';
import {isObject, str} from './cursor-bubbles.js';

const CACHE_VERSION = 1;
export const COMPOSER_CWD_CACHE_KEY = `cursor:v${CACHE_VERSION}:composer-cwd`;

/** Cursor's Electron "User" directory. */
export function cursorUserDir(ctx: AdapterContext): string {
	if (ctx.platform === 'darwin') return path.join(ctx.home, 'Library', 'Application Support', 'Cursor', 'User');
	if (ctx.platform === 'win32' && ctx.env.APPDATA) return path.join(ctx.env.APPDATA, 'Cursor', 'User');
	const config = ctx.env.XDG_CONFIG_HOME && ctx.env.XDG_CONFIG_HOME.length > 0 ? ctx.env.XDG_CONFIG_HOME : path.join(ctx.home, '.config');
	return path.join(config, 'Cursor', 'User');
}

/** `~/.cursor`: agent transcripts and the Cursor CLI's chat stores. */
export function dotCursorDir(ctx: AdapterContext): string {
	return path.join(ctx.home, '.cursor');
}

function readdirSafe(dir: string): string[] {
	return listDir(dir)
		.map(entry => entry.name)
		.sort();
}

/** The folder a workspace DB belongs to, from `workspace.json` next to it. */
export async function workspaceFolder(dbPath: string): Promise<string | undefined> {
	try {
		const json = JSON.parse(await fs.readFile(path.join(path.dirname(dbPath), 'workspace.json'), 'utf8')) as unknown;
		const uri = isObject(json) ? (str(json.folder) ?? str(json.workspace)) : undefined;
		if (!uri) return undefined;
		if (uri.startsWith('file:')) return fileURLToPath(uri);
		return uri;
	} catch {
		return undefined;
	}
}

type CachedScan = {stamp: string; scan?: StoreScan; error?: string};

/** storeStamp through discover-fs (so that capture can tell later that the store is as it was). */
function discoveredStoreStamp(dbPath: string): string | undefined {
	const db = statFile(dbPath);
	if (!db) return undefined;
	const wal = statFile(`${dbPath}-wal`);
	return `${db.size}:${Math.round(db.mtimeMs)}:${db.ino}|${wal ? `${wal.size}:${Math.round(wal.mtimeMs)}:${wal.ino}` : '-'}`;
}

/** The scan of one store, from the cache when its stamp is unchanged. Never throws. */
async function scanStore(dbPath: string, kind: 'global' | 'workspace', ctx: AdapterContext, warnings: string[]): Promise<StoreScan | undefined> {
	const stamp = discoveredStoreStamp(dbPath);
	if (!stamp) return undefined;
	const key = `cursor:v${CACHE_VERSION}:scan:${dbPath}`;
	const cached = ctx.cache.get(key) as CachedScan | undefined;
	if (cached && cached.stamp === stamp) {
		if (cached.error) warnings.push(cached.error);
		return cached.scan;
	}

	let entry: CachedScan;
	try {
		const snapshot = await snapshotStore(dbPath, ctx.env);
		warnings.push(...snapshot.warnings);
		const db = openSnapshot(snapshot.path);
		try {
			const scan = kind === 'global' ? scanGlobalStore(db) : scanWorkspaceStore(db);
			// A workspace DB without chat data is normal; only the global store must have cursorDiskKV.
			scan.warnings = scan.warnings.map(line => `${dbPath}: ${line}`);
			warnings.push(...scan.warnings);
			entry = {stamp: snapshot.stamp, scan};
		} finally {
			db.close();
		}

		// Only workspace DBs holding 2024-era conversations are read again; keep no copy of the others.
		if (kind === 'workspace' && entry.scan!.legacy.length === 0) await dropSnapshots(dbPath, ctx.env);
	} catch (error) {
		entry = {stamp, error: `${dbPath}: unreadable SQLite store (${reason(error)}), skipped`};
		warnings.push(entry.error!);
	}

	ctx.cache.set(key, entry);
	return entry.scan;
}

export type Discovery = {sessions: NativeSession[]; warnings: string[]};

export async function discoverCursor(ctx: AdapterContext): Promise<Discovery> {
	const warnings: string[] = [];
	const sessions: NativeSession[] = [];
	const known = new Set<string>();
	const composerCwd: Record<string, string> = {};
	const userDir = cursorUserDir(ctx);

	const globalDb = path.join(userDir, 'globalStorage', 'state.vscdb');
	const global = await scanStore(globalDb, 'global', ctx, warnings);
	for (const composer of global?.composers ?? []) {
		known.add(composer.id);
		const session: NativeSession = {tool: 'cursor', nativeId: composer.id, files: [globalDb], fingerprint: composer.fingerprint, growth: 'rewrite'};
		if (composer.lastUpdatedAt) session.mtimeMs = composer.lastUpdatedAt;
		if (composer.parentId) {
			session.parentNativeId = composer.parentId;
			session.agentId = composer.id;
		}

		sessions.push(session);
	}

	const workspaceRoot = path.join(userDir, 'workspaceStorage');
	for (const name of readdirSafe(workspaceRoot)) {
		const dbPath = path.join(workspaceRoot, name, 'state.vscdb');
		if (!statFile(dbPath)) continue;
		const scan = await scanStore(dbPath, 'workspace', ctx, warnings);
		if (!scan) continue;
		// Stat-ed first, so that capture knows discovery depends on it.
		const folder = scan.workspaceComposerIds.length > 0 || scan.legacy.length > 0 ? (statFile(path.join(path.dirname(dbPath), 'workspace.json')), await workspaceFolder(dbPath)) : undefined;
		if (folder) for (const id of scan.workspaceComposerIds) composerCwd[id] = folder;
		for (const entry of scan.legacy) {
			if (known.has(entry.id)) continue;
			known.add(entry.id);
			const session: NativeSession = {tool: 'cursor', nativeId: entry.id, files: [dbPath], fingerprint: entry.fingerprint, growth: 'rewrite'};
			if (entry.lastUpdatedAt) session.mtimeMs = entry.lastUpdatedAt;
			sessions.push(session);
		}
	}

	// Written only when it changed: every cache write costs the engine a write of its own.
	if (JSON.stringify(ctx.cache.get(COMPOSER_CWD_CACHE_KEY) ?? {}) !== JSON.stringify(composerCwd)) ctx.cache.set(COMPOSER_CWD_CACHE_KEY, composerCwd);
	sessions.push(...discoverTranscripts(ctx, known));
	sessions.push(...(await discoverCliChats(ctx, known)));
	return {sessions, warnings};
}

async function mtimeOf(file: string): Promise<number | undefined> {
	try {
		return (await fs.stat(file)).mtimeMs;
	} catch {
		return undefined;
	}
}

/** Agent transcripts of conversations the SQLite stores do not hold (the stores are richer). */
function discoverTranscripts(ctx: AdapterContext, known: Set<string>): NativeSession[] {
	const sessions: NativeSession[] = [];
	const transcript = (nativeId: string, file: string, stat: FileStat, extra: Partial<NativeSession> = {}): NativeSession => ({
		tool: 'cursor',
		nativeId,
		files: [file],
		growth: 'append',
		...extra,
		mtimeMs: stat.mtimeMs,
		stats: {[file]: stat},
	});
	const projects = path.join(dotCursorDir(ctx), 'projects');
	for (const project of sortedDir(projects)) {
		const transcripts = path.join(projects, project.name, 'agent-transcripts');
		for (const entry of sortedDir(transcripts)) {
			const entryPath = path.join(transcripts, entry.name);
			if (entry.name.endsWith('.jsonl')) {
				const id = entry.name.slice(0, -'.jsonl'.length);
				const stat = known.has(id) ? undefined : statFile(entryPath);
				if (stat) sessions.push(transcript(id, entryPath, stat));
				continue;
			}

			if (!entry.isDirectory() && !(entry.isSymbolicLink() && isDirectory(entryPath))) continue;
			const main = path.join(entryPath, `${entry.name}.jsonl`);
			const mainStat = known.has(entry.name) ? undefined : statFile(main);
			if (mainStat) sessions.push(transcript(entry.name, main, mainStat));
			const subagents = path.join(entryPath, 'subagents');
			for (const sub of sortedDir(subagents)) {
				if (!sub.name.endsWith('.jsonl')) continue;
				const subId = sub.name.slice(0, -'.jsonl'.length);
				if (known.has(subId)) continue;
				const file = path.join(subagents, sub.name);
				const stat = statFile(file);
				if (stat) sessions.push(transcript(subId, file, stat, {parentNativeId: entry.name, agentId: subId}));
			}
		}
	}

	return sessions;
}

function sortedDir(dir: string): ReturnType<typeof listDir> {
	return listDir(dir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The Cursor CLI (`cursor-agent`) keeps each chat in `~/.cursor/chats/<md5(cwd)>/<chatId>/{meta.json, store.db}`. */
async function discoverCliChats(ctx: AdapterContext, known: Set<string>): Promise<NativeSession[]> {
	const sessions: NativeSession[] = [];
	const roots = [path.join(dotCursorDir(ctx), 'chats')];
	const chatDirs: string[] = [];
	for (const hash of readdirSafe(roots[0]!)) for (const chat of readdirSafe(path.join(roots[0]!, hash))) chatDirs.push(path.join(roots[0]!, hash, chat));
	const acp = path.join(dotCursorDir(ctx), 'acp-sessions');
	for (const chat of readdirSafe(acp)) chatDirs.push(path.join(acp, chat));

	for (const dir of chatDirs) {
		const store = path.join(dir, 'store.db');
		const stamp = discoveredStoreStamp(store);
		// Without store.db the chat has no conversation yet.
		if (!stamp) continue;
		const id = path.basename(dir);
		if (known.has(id)) continue;
		const meta = path.join(dir, 'meta.json');
		const metaMtime = statFile(meta)?.mtimeMs;
		sessions.push({tool: 'cursor', nativeId: id, files: [store, meta], fingerprint: `${stamp}|${metaMtime ?? '-'}`, growth: 'rewrite', mtimeMs: metaMtime ?? statFile(store)?.mtimeMs});
	}

	return sessions;
}

/**
 * The native sessions in one file given by hand (`sfs import --from cursor <path>`): a `state.vscdb`
 * (global or workspace, decided by its content), an agent transcript `.jsonl`, or a CLI chat `store.db`.
 * Throws when the file cannot be read at all.
 */
export async function cursorSessionsForFile(file: string, ctx: AdapterContext): Promise<NativeSession[]> {
	const resolved = path.resolve(file);
	const stat = await fs.stat(resolved);
	if (resolved.endsWith('.jsonl')) {
		const nativeId = path.basename(resolved, '.jsonl');
		const session: NativeSession = {tool: 'cursor', nativeId, files: [resolved], growth: 'append', mtimeMs: stat.mtimeMs};
		if (path.basename(path.dirname(resolved)) === 'subagents') {
			session.parentNativeId = path.basename(path.dirname(path.dirname(resolved)));
			session.agentId = nativeId;
		}

		return [session];
	}

	const snapshot = await snapshotStore(resolved, ctx.env);
	const db = openSnapshot(snapshot.path);
	let global: StoreScan;
	let workspace: StoreScan;
	let cliAgentId: string | undefined;
	try {
		if (isCliStore(db)) cliAgentId = readCliStore(db).meta?.agentId as string | undefined;
		global = scanGlobalStore(db);
		workspace = scanWorkspaceStore(db);
	} finally {
		db.close();
	}

	if (cliAgentId !== undefined || path.basename(resolved) === 'store.db') {
		// A CLI chat is named by its directory (`chats/<hash>/<chatId>/store.db`); a loose copy by its agentId.
		const meta = path.join(path.dirname(resolved), 'meta.json');
		const nativeId = path.basename(resolved) === 'store.db' ? path.basename(path.dirname(resolved)) : (cliAgentId ?? path.basename(resolved));
		return [{tool: 'cursor', nativeId, files: [resolved, meta], growth: 'rewrite', fingerprint: `${await storeStamp(resolved)}|${(await mtimeOf(meta)) ?? '-'}`, mtimeMs: stat.mtimeMs}];
	}

	const sessions: NativeSession[] = [];
	const seen = new Set<string>();
	for (const composer of global.composers) {
		seen.add(composer.id);
		const session: NativeSession = {tool: 'cursor', nativeId: composer.id, files: [resolved], fingerprint: composer.fingerprint, growth: 'rewrite', mtimeMs: composer.lastUpdatedAt ?? stat.mtimeMs};
		if (composer.parentId) {
			session.parentNativeId = composer.parentId;
			session.agentId = composer.id;
		}

		sessions.push(session);
	}

	for (const entry of workspace.legacy) {
		if (seen.has(entry.id)) continue;
		sessions.push({tool: 'cursor', nativeId: entry.id, files: [resolved], fingerprint: entry.fingerprint, growth: 'rewrite', mtimeMs: entry.lastUpdatedAt ?? stat.mtimeMs});
	}

	return sessions;
}
