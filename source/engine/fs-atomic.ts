/**
 * Crash-safe file primitives. Whole files are replaced by temp file + rename (readers see the old or
 * the new file, never a mix); JSONL files only ever gain whole lines (a torn last line left by a
 * killed writer is never a committed record, and is cut before the next append).
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {DIR_MODE, FILE_MODE} from './paths.js';

export function ensureDir(dir: string): void {
	fs.mkdirSync(dir, {recursive: true, mode: DIR_MODE});
}

export function tempPathFor(target: string): string {
	return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Replaces `target` atomically. `durable` adds an fsync, for writes a user asked for. */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: {durable?: boolean} = {}): void {
	ensureDir(path.dirname(target));
	const temp = tempPathFor(target);
	const fd = fs.openSync(temp, 'w', FILE_MODE);
	try {
		fs.writeFileSync(fd, data);
		if (options.durable) fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}

	try {
		fs.renameSync(temp, target);
	} catch (error) {
		fs.rmSync(temp, {force: true});
		throw error;
	}
}

export function writeJsonAtomic(target: string, value: unknown, options: {durable?: boolean} = {}): void {
	writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, options);
}

/**
 * Appends whole lines. If a previous writer was killed mid-line, the torn tail (bytes after the last
 * newline) is cut first, so every line in the file is a complete record. Returns the new file size.
 */
export function appendLines(target: string, lines: string[]): number {
	const fd = fs.openSync(target, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, FILE_MODE);
	try {
		const {size} = fs.fstatSync(fd);
		if (size > 0) {
			const cut = completeLength(fd, size);
			if (cut !== size) fs.ftruncateSync(fd, cut);
		}

		if (lines.length > 0) {
			const buffer = Buffer.from(lines.map(line => `${line}\n`).join(''), 'utf8');
			let written = 0;
			while (written < buffer.length) written += fs.writeSync(fd, buffer, written);
		}

		return fs.fstatSync(fd).size;
	} finally {
		fs.closeSync(fd);
	}
}

/** Length of the file up to and including its last newline. */
export function completeLength(fd: number, size: number): number {
	const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
	let end = size;
	while (end > 0) {
		const start = Math.max(0, end - chunk.length);
		const length = end - start;
		fs.readSync(fd, chunk, 0, length, start);
		const newline = chunk.subarray(0, length).lastIndexOf(10);
		if (newline !== -1) return start + newline + 1;
		end = start;
	}

	return 0;
}

/** The pid a temp name carries (`.<name>.tmp-<pid>-…`), if any. */
function tempOwner(name: string): number | undefined {
	const match = /\.tmp-(\d+)-/.exec(name);
	return match ? Number(match[1]) : undefined;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Removes leftovers of killed writers (`.*.tmp-*`) in a directory, never those of a live process; returns how many. */
export function removeOrphanTemps(dir: string): number {
	let removed = 0;
	let names: string[];
	try {
		names = fs.readdirSync(dir);
	} catch {
		return 0;
	}

	for (const name of names) {
		const owner = tempOwner(name);
		if (name.startsWith('.') && name.includes('.tmp-') && !(owner !== undefined && owner !== process.pid && alive(owner))) {
			fs.rmSync(path.join(dir, name), {recursive: true, force: true});
			removed++;
		}
	}

	return removed;
}
