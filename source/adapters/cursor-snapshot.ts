/**
 * Read-only access to SQLite files that belong to Cursor. Opening Cursor's own `state.vscdb` (even
 * read-only) can create `-shm`/`-wal` files next to it and can contend with Cursor's locks, so sfs never
 * opens it: it copies a consistent snapshot (the database plus its `-wal`) into its own cache and opens the
 * copy. A snapshot is keyed by the (size, mtime, inode) of the database and of its WAL, so an unchanged
 * store is never copied twice.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import {cacheDir} from '../engine/paths.js';
import {stableHash} from './jsonl.js';
import {parseNativeJson} from './json-depth.js';

/** Counters for tests and `sfs doctor`: how much real work the Cursor adapter did. */
export const cursorIo = {snapshotCopies: 0, sqliteOpens: 0};

async function statStamp(file: string): Promise<string | undefined> {
	try {
		const stat = await fs.stat(file);
		return `${stat.size}:${Math.round(stat.mtimeMs)}:${stat.ino}`;
	} catch {
		return undefined;
	}
}

/** Identifies the current content of a SQLite store by stat only; undefined when the database is missing. */
export async function storeStamp(dbPath: string): Promise<string | undefined> {
	const db = await statStamp(dbPath);
	if (!db) return undefined;
	return `${db}|${(await statStamp(`${dbPath}-wal`)) ?? '-'}`;
}

export type Snapshot = {path: string; stamp: string; warnings: string[]};

const COPY_ATTEMPTS = 3;

/**
 * Returns a private copy of `dbPath` (plus WAL) matching its current stamp, copying only when the
 * stamp changed since the last snapshot. Throws when the database cannot be read at all.
 */
function snapshotHome(dbPath: string, env: NodeJS.ProcessEnv): string {
	return path.join(cacheDir(env), 'cursor', stableHash(path.resolve(dbPath)));
}

/** Deletes the snapshots of a store no read will need (e.g. a workspace DB without conversations). */
export async function dropSnapshots(dbPath: string, env: NodeJS.ProcessEnv): Promise<void> {
	await fs.rm(snapshotHome(dbPath, env), {recursive: true, force: true});
}

export async function snapshotStore(dbPath: string, env: NodeJS.ProcessEnv): Promise<Snapshot> {
	const home = snapshotHome(dbPath, env);
	const warnings: string[] = [];
	let stamp = await storeStamp(dbPath);
	if (!stamp) throw new Error(`${dbPath}: database not found`);

	for (let attempt = 1; ; attempt++) {
		const target = path.join(home, stableHash(stamp));
		const copy = path.join(target, 'state.vscdb');
		if (await exists(copy)) return {path: copy, stamp, warnings};

		const temporary = `${target}.tmp-${process.pid}-${Date.now()}`;
		await fs.mkdir(temporary, {recursive: true, mode: 0o700});
		try {
			await fs.copyFile(dbPath, path.join(temporary, 'state.vscdb'), fs.constants.COPYFILE_FICLONE);
			try {
				await fs.copyFile(`${dbPath}-wal`, path.join(temporary, 'state.vscdb-wal'), fs.constants.COPYFILE_FICLONE);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
			}
		} catch (error) {
			await fs.rm(temporary, {recursive: true, force: true});
			throw error;
		}

		cursorIo.snapshotCopies++;
		const after = await storeStamp(dbPath);
		// Cursor wrote while we copied: the pair may not match. Try again, then settle for the last copy.
		if (after !== stamp && attempt < COPY_ATTEMPTS && after) {
			await fs.rm(temporary, {recursive: true, force: true});
			stamp = after;
			continue;
		}

		if (after !== stamp) warnings.push(`${dbPath}: changed while being copied; read a possibly inconsistent snapshot`);
		try {
			await fs.rename(temporary, target);
		} catch {
			// Another process published the same snapshot first: use theirs.
			await fs.rm(temporary, {recursive: true, force: true});
		}

		await removeOlderSnapshots(home, path.basename(target));
		return {path: copy, stamp, warnings};
	}
}

async function exists(file: string): Promise<boolean> {
	try {
		await fs.access(file);
		return true;
	} catch {
		return false;
	}
}

async function removeOlderSnapshots(home: string, keep: string): Promise<void> {
	let entries: string[] = [];
	try {
		entries = await fs.readdir(home);
	} catch {
		return;
	}

	await Promise.all(entries.filter(entry => entry !== keep && !entry.includes('.tmp-')).map(entry => fs.rm(path.join(home, entry), {recursive: true, force: true})));
}

/** Opens a snapshot copy read-only; the caller closes it. */
export function openSnapshot(snapshotPath: string): Database.Database {
	cursorIo.sqliteOpens++;
	const db = new Database(snapshotPath, {readonly: true, fileMustExist: true});
	try {
		// Fails fast with "file is not a database" on garbage instead of at the first query.
		db.prepare('SELECT count(*) FROM sqlite_master').get();
	} catch (error) {
		db.close();
		throw error;
	}

	return db;
}

export function hasTable(db: Database.Database, table: string): boolean {
	return Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table));
}

/** Values are UTF-8 JSON stored as TEXT or BLOB. */
export function decodeValue(value: unknown): unknown {
	if (value === null || value === undefined) return undefined;
	const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : undefined;
	if (text === undefined) return undefined;
	try {
		return parseNativeJson(text);
	} catch {
		return undefined;
	}
}

/** First line of an error, for one-line warnings. */
export function reason(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return message.split('\n', 1)[0] ?? message;
}
