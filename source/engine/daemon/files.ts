/**
 * Where the daemon keeps its run-time files (pid file and socket in the run dir, log in the logs dir)
 * and the pid file that makes it a single instance. A pid file whose process is gone (kill -9) is
 * stale: it and the socket are removed before a new daemon starts.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pidAlive} from '../lock.js';
import {type Env, logsDir, runDir} from '../paths.js';
import {ensureDir} from '../fs-atomic.js';

export function pidFilePath(env: Env): string {
	return path.join(runDir(env), 'daemon.pid');
}

/**
 * The socket lives in the run dir, unless that path is longer than a Unix socket address allows
 * (108 bytes on Linux, 104 on macOS): then in a private directory under the temp dir, named after
 * the data dir so that each data dir keeps its own daemon.
 */
export function socketPath(env: Env): string {
	const preferred = path.join(runDir(env), 'daemon.sock');
	if (Buffer.byteLength(preferred) <= 100) return preferred;
	const uid = process.getuid?.() ?? 0;
	const dir = path.join(os.tmpdir(), `sfs-${uid}`);
	ensureDir(dir);
	return path.join(dir, `${createHash('sha256').update(runDir(env)).digest('hex').slice(0, 16)}.sock`);
}

export function logFilePath(env: Env): string {
	return path.join(logsDir(env), 'daemon.log');
}

export function readPid(env: Env): number | undefined {
	try {
		const pid = Number.parseInt(fs.readFileSync(pidFilePath(env), 'utf8').trim(), 10);
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/**
 * True when `pid` is alive and (where /proc tells) is an sfs daemon: after a reboot the recorded pid
 * may belong to an unrelated process.
 */
export function isDaemonProcess(pid: number): boolean {
	if (!pidAlive(pid)) return false;
	try {
		const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
		return command.includes('daemon') && command.includes('run');
	} catch {
		return true; // No /proc (macOS): trust the pid.
	}
}

/** The running daemon's pid, or undefined. */
export function livePid(env: Env): number | undefined {
	const pid = readPid(env);
	return pid !== undefined && isDaemonProcess(pid) ? pid : undefined;
}

/** Removes a pid file and socket left by a daemon that died without cleaning up; returns what it removed. */
export function cleanStale(env: Env): string[] {
	const removed: string[] = [];
	const pid = readPid(env);
	if (pid !== undefined && isDaemonProcess(pid)) return removed;
	for (const file of [pidFilePath(env), socketPath(env)]) {
		if (fs.existsSync(file)) {
			fs.rmSync(file, {force: true});
			removed.push(file);
		}
	}

	return removed;
}

/**
 * Claims the pid file for this process (O_EXCL). Returns the pid of the daemon already running
 * instead, if there is one.
 */
export function claimPidFile(env: Env): {claimed: true} | {claimed: false; pid: number} {
	ensureDir(runDir(env));
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const fd = fs.openSync(pidFilePath(env), 'wx', 0o600);
			fs.writeSync(fd, `${process.pid}\n`);
			fs.closeSync(fd);
			return {claimed: true};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const owner = readPid(env);
			if (owner === process.pid) return {claimed: true};
			if (owner !== undefined && isDaemonProcess(owner)) return {claimed: false, pid: owner};
			cleanStale(env);
		}
	}

	const owner = readPid(env);
	return owner === undefined ? {claimed: true} : {claimed: false, pid: owner};
}

export function releasePidFile(env: Env): void {
	if (readPid(env) === process.pid) fs.rmSync(pidFilePath(env), {force: true});
}
