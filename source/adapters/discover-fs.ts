/**
 * File-system calls for discovery: synchronous on purpose. Discovery is thousands of tiny readdir/stat
 * calls; awaited one by one, each pays a thread-pool round trip that costs ten times the system call
 * (at 10,000 sessions that was most of a no-op rescan). Capture runs in its own process or worker
 * thread, so a few tens of milliseconds of blocking are nobody's wait.
 *
 * Each stat is handed to capture with the session (`NativeSession.stats`), so a file is stat-ed once.
 */
import fs, {type Dirent} from 'node:fs';
import type {FileStat} from './types.js';

/** A folder's entries; absent is empty; one that exists but cannot be listed gets a one-line warning when `warnings` is given. */
export function listDir(dir: string, warnings?: string[]): Dirent[] {
	try {
		return fs.readdirSync(dir, {withFileTypes: true});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (warnings && code !== 'ENOENT' && code !== 'ENOTDIR') warnings.push(`cannot list ${dir}: ${code ?? (error as Error).message}, skipped`);
		return [];
	}
}

/** size, mtime and inode of a regular file (what capture's cursors compare); undefined when absent or not a file. */
export function statFile(file: string): FileStat | undefined {
	let stat: fs.Stats | undefined;
	try {
		stat = fs.statSync(file, {throwIfNoEntry: false});
	} catch {
		return undefined; // EACCES, ENOTDIR…: as good as absent for discovery.
	}

	if (!stat?.isFile()) return undefined;
	return {size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, birthtimeMs: stat.birthtimeMs};
}

/** Like statFile, and records the stat for capture in `stats` (keyed by path). */
export function statInto(stats: Record<string, FileStat>, file: string): FileStat | undefined {
	const stat = statFile(file);
	if (stat) stats[file] = stat;
	return stat;
}
