/**
 * What capture remembers between runs, one index meta row per thing, so that a run reads it with one
 * query and writes back only what changed:
 *
 * - per session, `capture:cursor:<sessionId>`: the stamps (path, size, mtime, inode) of the files it
 *   read, or the fingerprint, and whether an exclude glob kept it out. The value is the same string a
 *   native session's discovery stats give when nothing changed (`stampRow`), so an unchanged session is
 *   recognised by comparing two strings, without parsing anything. (This used to be one JSON value for
 *   all sessions, ~3 MB at 10,000 sessions, parsed whole and rewritten whole by every capture.)
 * - per folder, `capture:dir:<path>`: a trusted listing (see discover-fs.ts), so discovery does not read
 *   folders that did not change.
 */
import type {Listing, ListingMemory, RememberedEntry} from '../adapters/discover-fs.js';
import type {FileStat, NativeSession} from '../adapters/types.js';
import type {SessionIndex} from './index-db.js';
import type {FileCursor} from './types.js';

/** One session's saved capture state, as capture compares it. */
export type SavedCaptureState = {files: Record<string, FileCursor>; fingerprint?: string; excluded?: boolean};

const ROW_PREFIX = 'capture:cursor:';
/** The layout before per-session rows (one JSON value for every session); read once and converted. */
export const LEGACY_CURSORS_KEY = 'capture:cursors';
/** The layout before that, with adapter states inline; converted the same way. */
export const LEGACY_SESSIONS_KEY = 'capture:sessions';

type Stamp = {size: number; mtime: number; ino: number};

/**
 * The row for a session: `[excluded, fingerprint, path, size, mtime, inode, path, …]` with its files in
 * the order discovery lists them. A file without a stamp (vanished, or not read) is left out.
 */
export function stampRow(native: NativeSession, stampOf: (file: string) => Stamp | undefined, excluded = false): string {
	if (native.fingerprint !== undefined) return JSON.stringify([excluded ? 1 : 0, native.fingerprint]);
	const row: Array<string | number | null> = [excluded ? 1 : 0, null];
	for (const file of native.files) {
		const stamp = stampOf(file);
		if (stamp) row.push(file, stamp.size, stamp.mtime, stamp.ino);
	}

	return JSON.stringify(row);
}

/** Stamps from file stats (discovery's, or a stat taken now). */
export function statStamps(native: NativeSession, statOf: (file: string) => FileStat | undefined): (file: string) => Stamp | undefined {
	return file => {
		const stat = native.stats?.[file] ?? statOf(file);
		return stat && {size: stat.size, mtime: stat.mtimeMs, ino: stat.ino};
	};
}

/** Stamps from the cursors a read returned (the files as they were read, which may be newer than discovery's stats). */
export function cursorStamps(cursors: Record<string, FileCursor>): (file: string) => Stamp | undefined {
	return file => {
		const cursor = cursors[file];
		return cursor && {size: cursor.size, mtime: cursor.mtime_ms, ino: cursor.ino};
	};
}

/** A row read back as the state capture compares; undefined when it is not one (a damaged row is as good as none). */
export function parseStampRow(row: string): SavedCaptureState | undefined {
	let value: unknown;
	try {
		value = JSON.parse(row);
	} catch {
		return undefined;
	}

	if (!Array.isArray(value) || value.length < 2 || (value.length - 2) % 4 !== 0) return undefined;
	const state: SavedCaptureState = {files: {}};
	if (value[0] === 1) state.excluded = true;
	if (typeof value[1] === 'string') state.fingerprint = value[1];
	for (let at = 2; at < value.length; at += 4) {
		const [file, size, mtime, ino] = value.slice(at, at + 4) as unknown[];
		if (typeof file !== 'string' || typeof size !== 'number' || typeof mtime !== 'number' || typeof ino !== 'number') return undefined;
		state.files[file] = {size, mtime_ms: mtime, ino, offset: 0};
	}

	return state;
}

/** A state of the earlier layouts as a row (its files in the order they were saved). */
function legacyRow(state: {files?: Record<string, FileCursor>; fingerprint?: string; excluded?: boolean}): string {
	if (state.fingerprint !== undefined) return JSON.stringify([state.excluded ? 1 : 0, state.fingerprint]);
	const row: Array<string | number | null> = [state.excluded ? 1 : 0, null];
	for (const [file, cursor] of Object.entries(state.files ?? {})) row.push(file, cursor.size, cursor.mtime_ms, cursor.ino);
	return JSON.stringify(row);
}

/** Every session's saved capture state, read at the start of a capture and written back (changed rows only) at its end. */
export class CaptureStateRows {
	/** Rows read so far (undefined: looked up, none saved). */
	private readonly rows = new Map<string, string | undefined>();
	private readonly changed = new Map<string, string | undefined>();
	private readonly dropKeys: string[] = [];
	private all = false;

	/** Rows are looked up one by one until `loadAll` (a discovery compares every session: then one query is cheaper). */
	constructor(private readonly index: SessionIndex) {}

	static load(index: SessionIndex): CaptureStateRows {
		const state = new CaptureStateRows(index);
		state.loadAll();
		return state;
	}

	/** Reads every row, and converts an earlier layout if one is there. */
	loadAll(): void {
		if (this.all) return;
		this.all = true;
		for (const {key, value} of this.index.metaByPrefix(ROW_PREFIX)) {
			const sessionId = key.slice(ROW_PREFIX.length);
			if (!this.changed.has(sessionId)) this.rows.set(sessionId, value);
		}

		for (const key of [LEGACY_CURSORS_KEY, LEGACY_SESSIONS_KEY]) {
			const legacy = this.index.getMeta(key) as Record<string, {files?: Record<string, FileCursor>; fingerprint?: string; excluded?: boolean} | null> | null | undefined;
			if (legacy === undefined) continue;
			this.dropKeys.push(key);
			if (this.dropKeys.length > 1) continue; // Both present: the first (newer) layout wins.
			// The legacy value is what the last capture saved (an older sfs ran after a newer one, or this is the first run): it replaces every row.
			for (const sessionId of [...this.rows.keys()]) this.set(sessionId, undefined);
			for (const [sessionId, saved] of Object.entries(typeof legacy === 'object' && legacy !== null ? legacy : {})) {
				if (typeof saved === 'object' && saved !== null) this.set(sessionId, legacyRow(saved));
			}
		}
	}

	/** Whether an earlier layout is still there to convert (cheap: its value is not parsed). */
	static legacyPresent(index: SessionIndex): boolean {
		return [LEGACY_CURSORS_KEY, LEGACY_SESSIONS_KEY].some(key => index.metaByPrefix(key).some(row => row.key === key));
	}

	/** The saved row of a session, as stored. */
	row(sessionId: string): string | undefined {
		if (!this.all && !this.rows.has(sessionId)) {
			const key = `${ROW_PREFIX}${sessionId}`;
			this.rows.set(sessionId, this.index.metaByPrefix(key).find(entry => entry.key === key)?.value);
		}

		return this.rows.get(sessionId);
	}

	saved(sessionId: string): SavedCaptureState | undefined {
		const row = this.row(sessionId);
		return row === undefined ? undefined : parseStampRow(row);
	}

	set(sessionId: string, row: string | undefined): void {
		if (this.row(sessionId) === row && !this.changed.has(sessionId)) return;
		this.rows.set(sessionId, row);
		this.changed.set(sessionId, row);
	}

	get dirty(): boolean {
		return this.changed.size > 0 || this.dropKeys.length > 0;
	}

	/** The meta writes that save the changed rows (and drop a converted legacy value). */
	takeWrites(): Array<[string, string | undefined]> {
		const entries: Array<[string, string | undefined]> = [...this.changed].map(([sessionId, row]) => [`${ROW_PREFIX}${sessionId}`, row]);
		for (const key of this.dropKeys) entries.push([key, undefined]);
		this.changed.clear();
		this.dropKeys.length = 0;
		return entries;
	}
}

const DIR_PREFIX = 'capture:dir:';

/**
 * Folder listings kept as index meta rows, lent to discovery (discover-fs.ts `rememberListingsIn`).
 * A row is parsed only when its folder is listed; rows of folders no full scan met are dropped.
 */
export class ListingRows implements ListingMemory {
	private loaded: Map<string, string> | undefined;
	private readonly changed = new Map<string, string | undefined>();
	private readonly met = new Set<string>();

	/** The rows are read when a folder is first listed (a capture whose every discovery was journaled lists none). */
	constructor(private readonly index: SessionIndex) {}

	private get rows(): Map<string, string> {
		if (!this.loaded) {
			this.loaded = new Map();
			for (const {key, value} of this.index.metaByPrefix(DIR_PREFIX)) this.loaded.set(key.slice(DIR_PREFIX.length), value);
		}

		return this.loaded;
	}

	get(dir: string): Listing | undefined {
		this.met.add(dir);
		const row = this.rows.get(dir);
		return row === undefined ? undefined : parseListing(row);
	}

	set(dir: string, listing: Listing): void {
		this.met.add(dir);
		const row = listingRow(listing);
		if (this.rows.get(dir) === row) return;
		this.rows.set(dir, row);
		this.changed.set(dir, row);
	}

	forget(dir: string): void {
		this.met.add(dir);
		if (!this.rows.has(dir)) return;
		this.rows.delete(dir);
		this.changed.set(dir, undefined);
	}

	/**
	 * The meta writes that save what changed. After a scan of every source (`complete`), the folders it did
	 * not meet (neither listed nor looked at by a journal that held, `alsoMet`) are dropped.
	 */
	takeWrites(complete: boolean, alsoMet: () => Iterable<string>): Array<[string, string | undefined]> {
		if (!this.loaded) return [];
		if (complete) {
			for (const dir of alsoMet()) this.met.add(dir);
			for (const dir of this.rows.keys()) if (!this.met.has(dir)) this.forget(dir);
		}

		const writes = [...this.changed].map(([dir, row]): [string, string | undefined] => [`${DIR_PREFIX}${dir}`, row]);
		this.changed.clear();
		return writes;
	}
}

/** `[mtime, ctime, inode, "<type><name>", …]` */
function listingRow(listing: Listing): string {
	return JSON.stringify([listing.mtimeMs, listing.ctimeMs, listing.ino, ...listing.entries.map(entry => `${entry.type}${entry.name}`)]);
}

const ENTRY_TYPES = new Set(['f', 'd', 'l', 'o']);

function parseListing(row: string): Listing | undefined {
	let value: unknown;
	try {
		value = JSON.parse(row);
	} catch {
		return undefined;
	}

	if (!Array.isArray(value) || value.length < 3) return undefined;
	const [mtimeMs, ctimeMs, ino] = value as unknown[];
	if (typeof mtimeMs !== 'number' || typeof ctimeMs !== 'number' || typeof ino !== 'number') return undefined;
	const entries: RememberedEntry[] = [];
	for (let at = 3; at < value.length; at++) {
		const entry = value[at] as unknown;
		if (typeof entry !== 'string' || entry.length < 2 || !ENTRY_TYPES.has(entry[0]!)) return undefined;
		entries.push({name: entry.slice(1), type: entry[0] as RememberedEntry['type']});
	}

	return {mtimeMs, ctimeMs, ino, entries};
}
