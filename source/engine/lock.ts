/**
 * A cross-process lock file (O_EXCL + the owner's pid). A lock whose owner is gone (killed with -9)
 * is stale and taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {SfsError} from './errors.js';
import {ensureDir} from './fs-atomic.js';

/** The lock stayed held by another live process for the whole wait. */
export class LockBusyError extends SfsError {
	constructor(
		readonly file: string,
		readonly holder: number | undefined,
		what: string,
	) {
		super('IO', `${what} is held by process ${holder ?? '?'}`, {hint: 'wait for it to finish, or stop it'});
	}
}

export function pidAlive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export function readLockOwner(file: string): number | undefined {
	try {
		const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
		return Number.isFinite(pid) ? pid : undefined;
	} catch {
		return undefined;
	}
}

function tryAcquire(file: string): boolean {
	try {
		const fd = fs.openSync(file, 'wx', 0o600);
		fs.writeSync(fd, String(process.pid));
		fs.closeSync(fd);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		const owner = readLockOwner(file);
		if (owner === process.pid) return false;
		if (owner === undefined || !pidAlive(owner)) {
			// Stale: the owner died. Remove and retry once; a racing taker may win, which is fine.
			fs.rmSync(file, {force: true});
			return tryAcquire(file);
		}

		return false;
	}
}

/**
 * `withLock` for short synchronous critical sections (a manifest read-modify-write): waits by
 * blocking the thread in small steps, up to `waitMs`.
 */
export function withLockSync<T>(file: string, fn: () => T, options: {waitMs?: number; what?: string} = {}): T {
	ensureDir(path.dirname(file));
	const deadline = Date.now() + (options.waitMs ?? 10_000);
	const pause = new Int32Array(new SharedArrayBuffer(4));
	while (!tryAcquire(file)) {
		if (Date.now() > deadline) {
			throw new LockBusyError(file, readLockOwner(file), options.what ?? 'lock');
		}

		Atomics.wait(pause, 0, 0, 5);
	}

	try {
		return fn();
	} finally {
		if (readLockOwner(file) === process.pid) fs.rmSync(file, {force: true});
	}
}

/** Runs `fn` holding the lock, waiting up to `waitMs` for another holder to finish. */
export async function withLock<T>(file: string, fn: () => Promise<T>, options: {waitMs?: number; what?: string} = {}): Promise<T> {
	ensureDir(path.dirname(file));
	const deadline = Date.now() + (options.waitMs ?? 120_000);
	while (!tryAcquire(file)) {
		if (Date.now() > deadline) {
			throw new LockBusyError(file, readLockOwner(file), options.what ?? 'lock');
		}

		await sleep(50);
	}

	try {
		return await fn();
	} finally {
		if (readLockOwner(file) === process.pid) fs.rmSync(file, {force: true});
	}
}
