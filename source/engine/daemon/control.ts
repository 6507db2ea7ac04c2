/**
 * Starting and stopping the daemon from the CLI. `start` launches the same sfs (this Node binary and
 * this build's cli.js) detached as `sfs daemon run` and waits until its socket answers.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {errorLine, SfsError} from '../errors.js';
import {ensureDir} from '../fs-atomic.js';
import {pidAlive} from '../lock.js';
import {type Env, logsDir, runDir} from '../paths.js';
import {queryStatus} from './client.js';
import {cleanStale, livePid, logFilePath, readPid, socketPath} from './files.js';
import type {DaemonStatus} from './protocol.js';

/** The built CLI entry (dist/cli.js) next to this module's build output. */
export function cliEntry(): string {
	return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli.js');
}

/** The command that runs the daemon in the foreground: `node <dist/cli.js> daemon run`. */
export function daemonCommand(): string[] {
	return [process.execPath, cliEntry(), 'daemon', 'run'];
}

export type StartResult = {status: 'started' | 'running'; pid: number; cleaned: string[]};

export async function startDaemon(env: Env, options: {timeoutMs?: number} = {}): Promise<StartResult> {
	const running = livePid(env);
	if (running !== undefined) return {status: 'running', pid: running, cleaned: []};
	assertWritable(runDir(env));
	assertWritable(logsDir(env));
	const cleaned = cleanStale(env);
	const entry = cliEntry();
	if (!fs.existsSync(entry)) throw new SfsError('NOT_AVAILABLE', `${entry} is missing`, {hint: 'run npm run build'});
	const [node, ...args] = daemonCommand();
	const child = spawn(node!, args, {detached: true, stdio: 'ignore', env: {...env}, cwd: path.parse(process.cwd()).root});
	child.unref();
	const logSizeBefore = fileSize(logFilePath(env));
	let exitCode: number | null = null;
	child.once('exit', code => {
		exitCode = code;
	});
	const deadline = Date.now() + (options.timeoutMs ?? 15_000);
	while (Date.now() < deadline) {
		const status = await queryStatus(env, 500);
		if (status) return {status: 'started', pid: status.pid, cleaned};
		if (exitCode !== null) {
			// A second start racing this one won: that daemon is running.
			const other = livePid(env);
			if (other !== undefined) return {status: 'running', pid: other, cleaned};
			// A daemon that died before writing its log: the log (if any) is an older run's.
			const logged = fileSize(logFilePath(env)) !== logSizeBefore;
			throw new SfsError('IO', `the daemon exited at start (code ${exitCode})`, {hint: logged ? `see ${logFilePath(env)}` : 'run it in the foreground to see why: sfs daemon run'});
		}

		await sleep(100);
	}

	throw new SfsError('IO', 'the daemon did not come up in time', {hint: `see ${logFilePath(env)}`});
}

/**
 * The detached daemon's stderr goes nowhere: a run or logs dir it cannot write (another user's, a
 * file in the way, a read-only disk) would only show as "exited at start". Said here instead.
 */
function assertWritable(dir: string): void {
	try {
		ensureDir(dir);
		fs.accessSync(dir, fs.constants.W_OK);
	} catch (error) {
		throw new SfsError('IO', `the daemon cannot write to ${dir}: ${errorLine(error)}`, {hint: 'check the owner and permissions of the sfs data dir (SFS_HOME)'});
	}
}

function fileSize(file: string): number | undefined {
	try {
		return fs.statSync(file).size;
	} catch {
		return undefined;
	}
}

export type StopResult = {status: 'stopped' | 'not-running'; pid?: number; cleaned: string[]};

/** After this long a stop that is still waiting says so (`onWaiting`). */
const STOP_NOTICE_MS = 2000;

/**
 * Asks the daemon to stop (SIGTERM), waits for it, and kills it if it does not go. `onWaiting` is told
 * once when the daemon has not gone after two seconds (it may be finishing a capture).
 */
export async function stopDaemon(env: Env, options: {timeoutMs?: number; onWaiting?: (pid: number, timeoutMs: number) => void} = {}): Promise<StopResult> {
	const pid = livePid(env);
	if (pid === undefined) return {status: 'not-running', cleaned: cleanStale(env)};
	try {
		process.kill(pid, 'SIGTERM');
		// A stopped daemon (Ctrl+Z, SIGSTOP) only sees the SIGTERM once it runs again.
		process.kill(pid, 'SIGCONT');
	} catch {}

	const timeoutMs = options.timeoutMs ?? 30_000;
	const started = Date.now();
	let told = false;
	while (pidAlive(pid) && Date.now() - started < timeoutMs) {
		if (!told && Date.now() - started >= STOP_NOTICE_MS) {
			told = true;
			options.onWaiting?.(pid, timeoutMs);
		}

		await sleep(50);
	}

	if (pidAlive(pid)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}

		while (pidAlive(pid)) await sleep(50);
	}

	return {status: 'stopped', pid, cleaned: cleanStale(env)};
}

export type DaemonState =
	| {state: 'running'; status: DaemonStatus}
	| {state: 'unresponsive'; pid: number}
	| {state: 'stale'; pid?: number}
	| {state: 'stopped'};

export async function daemonState(env: Env, timeoutMs = 2000): Promise<DaemonState> {
	const pid = livePid(env);
	if (pid === undefined) {
		const recorded = readPid(env);
		const socketLeft = fs.existsSync(socketPath(env));
		return recorded !== undefined || socketLeft ? {state: 'stale', pid: recorded} : {state: 'stopped'};
	}

	const status = await queryStatus(env, timeoutMs);
	return status ? {state: 'running', status} : {state: 'unresponsive', pid};
}
