/**
 * File-system calls for discovery: synchronous on purpose. Discovery is thousands of tiny readdir/stat
 * calls; awaited one by one, each pays a thread-pool round trip that costs ten times the system call
 * (at 10,000 sessions that was most of a no-op rescan). Capture runs in its own process or worker
 * thread, so a few tens of milliseconds of blocking are nobody's wait.
 *
 * Each stat is handed to capture with the session (`NativeSession.stats`), so a file is stat-ed once.
 *
 * While capture has lent a listing memory (`rememberListingsIn`), a folder whose stat (mtime, ctime,
 * inode) is the one of a remembered listing is not read again: adding, removing or renaming an entry
 * changes the folder's mtime and ctime. A listing is remembered only when the folder's last change was
 * more than LISTING_TRUST_MS before the listing began (the racy-git rule: an entry added in the same
 * timestamp tick as the listing would leave the folder's times as they were); a younger one is read
 * again next time.
 *
 * While capture observes a discovery (`observeDiscoveryIn`), every folder stat and file stat it takes is
 * written down (path, kind, three numbers), so that a later capture can tell, by taking the same stats
 * (`restat`), that the same discovery would find the same thing.
 */
import fs, {type Dirent} from 'node:fs';
import type {FileStat} from './types.js';

/** What discovery needs of a folder entry (a Dirent, or a remembered one). */
export type DirEntry = Pick<Dirent, 'name' | 'isFile' | 'isDirectory' | 'isSymbolicLink'>;

/** A folder listing as remembered: the folder's stamp when it was read, and its entries. */
export type Listing = {mtimeMs: number; ctimeMs: number; ino: number; entries: RememberedEntry[]};
/** An entry's name and type: `f` file, `d` folder, `l` symbolic link, `o` anything else. */
export type RememberedEntry = {name: string; type: EntryType};
export type EntryType = 'f' | 'd' | 'l' | 'o';

/** Where listings are kept between captures (capture lends one for the time of its discovery). */
export type ListingMemory = {
	get(dir: string): Listing | undefined;
	set(dir: string, listing: Listing): void;
	/** The folder is gone, unreadable or changed too recently to be trusted. */
	forget(dir: string): void;
};

/** Filesystems stamp times at up to 2 s granularity (FAT; coarse clocks elsewhere): younger listings are not trusted. */
export const LISTING_TRUST_MS = 2000;

let memory: ListingMemory | undefined;

/**
 * What one adapter's discovery looked at: per stat-ed path, four numbers in `stamps` (kind, then mtime,
 * ctime, inode of a folder or size, mtime, inode of a file); `trusted` false when a listing was too
 * young to be relied on later.
 */
export type Observations = {paths: string[]; stamps: number[]; trusted: boolean};

/** Observation kinds: no folder there, a folder, no file there, a file. */
export const NO_DIR = 0;
export const DIR = 1;
export const NO_FILE = 2;
export const FILE = 3;

let observations: Observations | undefined;

/** Writes down every folder and file stat of discovery in `target` until called again (with undefined to stop). */
export function observeDiscoveryIn(target: Observations | undefined): void {
	observations = target;
}


function statOrNothing(target: string): fs.Stats | undefined {
	try {
		return fs.statSync(target, {throwIfNoEntry: false});
	} catch {
		return undefined;
	}
}

function observeDir(stat: fs.Stats | undefined, target: string): void {
	if (!observations) return;
	observations.paths.push(target);
	if (stat?.isDirectory()) observations.stamps.push(DIR, stat.mtimeMs, stat.ctimeMs, stat.ino);
	else observations.stamps.push(NO_DIR, 0, 0, 0);
}

function observeFile(stat: fs.Stats | undefined, target: string): void {
	if (!observations) return;
	observations.paths.push(target);
	if (stat?.isFile()) observations.stamps.push(FILE, stat.size, stat.mtimeMs, stat.ino);
	else observations.stamps.push(NO_FILE, 0, 0, 0);
}

/**
 * Takes again the stat of observation `at`: 'same' as observed, 'grown' when it is the same file (same
 * inode) with another size or mtime (`observed.stamps` then holds the new ones), 'other' for anything else.
 */
export function restat(observed: Pick<Observations, 'paths' | 'stamps'>, at: number): 'same' | 'grown' | 'other' {
	const stamps = observed.stamps;
	const offset = at * 4;
	const kind = stamps[offset];
	const stat = statOrNothing(observed.paths[at]!);
	if (kind === DIR || kind === NO_DIR) {
		if (!stat?.isDirectory()) return kind === NO_DIR ? 'same' : 'other';
		return kind === DIR && stat.mtimeMs === stamps[offset + 1] && stat.ctimeMs === stamps[offset + 2] && stat.ino === stamps[offset + 3] ? 'same' : 'other';
	}

	if (!stat?.isFile()) return kind === NO_FILE ? 'same' : 'other';
	if (kind !== FILE || stat.ino !== stamps[offset + 3]) return 'other';
	if (stat.size === stamps[offset + 1] && stat.mtimeMs === stamps[offset + 2]) return 'same';
	stamps[offset + 1] = stat.size;
	stamps[offset + 2] = stat.mtimeMs;
	return 'grown';
}

/** Lends `listings` to every listDir until called again (with undefined to stop). */
export function rememberListingsIn(listings: ListingMemory | undefined): void {
	memory = listings;
}

class RememberedDirEntry implements DirEntry {
	constructor(
		readonly name: string,
		private readonly type: EntryType,
	) {}

	isFile(): boolean {
		return this.type === 'f';
	}

	isDirectory(): boolean {
		return this.type === 'd';
	}

	isSymbolicLink(): boolean {
		return this.type === 'l';
	}
}

function entryType(entry: Dirent): EntryType {
	if (entry.isFile()) return 'f';
	if (entry.isDirectory()) return 'd';
	if (entry.isSymbolicLink()) return 'l';
	return 'o';
}

/** A folder's entries, or the error that kept it from being listed. */
export function readDirEntries(dir: string): DirEntry[] | NodeJS.ErrnoException {
	if (!memory && !observations) return readdir(dir);
	const started = Date.now();
	let stat: fs.Stats | undefined;
	try {
		stat = fs.statSync(dir, {throwIfNoEntry: false});
	} catch (error) {
		memory?.forget(dir);
		observeDir(undefined, dir);
		return error as NodeJS.ErrnoException;
	}

	observeDir(stat, dir);
	if (!stat?.isDirectory()) {
		memory?.forget(dir);
		return Object.assign(new Error(`${stat ? 'ENOTDIR' : 'ENOENT'}: ${dir}`), {code: stat ? 'ENOTDIR' : 'ENOENT'});
	}

	// Stat first, list second: a change during the listing moves the folder's times past the stamp kept here.
	const trusted = started - Math.max(stat.mtimeMs, stat.ctimeMs) > LISTING_TRUST_MS;
	if (!trusted && observations) observations.trusted = false;
	const known = memory?.get(dir);
	if (known && known.mtimeMs === stat.mtimeMs && known.ctimeMs === stat.ctimeMs && known.ino === stat.ino) {
		return known.entries.map(entry => new RememberedDirEntry(entry.name, entry.type));
	}

	const entries = readdir(dir);
	if (!memory) return entries;
	if (!Array.isArray(entries) || !trusted) memory.forget(dir);
	else memory.set(dir, {mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, entries: entries.map(entry => ({name: entry.name, type: entryType(entry)}))});
	return entries;
}

function readdir(dir: string): Dirent[] | NodeJS.ErrnoException {
	try {
		return fs.readdirSync(dir, {withFileTypes: true});
	} catch (error) {
		return error as NodeJS.ErrnoException;
	}
}

/** Whether `target` is a folder (following links), observed like a listing's stat. */
export function isDirectory(target: string): boolean {
	const stat = statOrNothing(target);
	observeDir(stat, target);
	return stat?.isDirectory() ?? false;
}

/** A folder's entries; absent is empty; one that exists but cannot be listed gets a one-line warning when `warnings` is given. */
export function listDir(dir: string, warnings?: string[]): DirEntry[] {
	const entries = readDirEntries(dir);
	if (Array.isArray(entries)) return entries;
	const code = entries.code;
	if (warnings && code !== 'ENOENT' && code !== 'ENOTDIR') warnings.push(`cannot list ${dir}: ${code ?? entries.message}, skipped`);
	return [];
}

/** size, mtime and inode of a regular file (what capture's cursors compare); undefined when absent or not a file. */
export function statFile(file: string): FileStat | undefined {
	// EACCES, ENOTDIR…: as good as absent for discovery.
	const stat = statOrNothing(file);
	observeFile(stat, file);

	if (!stat?.isFile()) return undefined;
	return {size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, birthtimeMs: stat.birthtimeMs};
}

/** Like statFile, and records the stat for capture in `stats` (keyed by path). */
export function statInto(stats: Record<string, FileStat>, file: string): FileStat | undefined {
	const stat = statFile(file);
	if (stat) stats[file] = stat;
	return stat;
}
