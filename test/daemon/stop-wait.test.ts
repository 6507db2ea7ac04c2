/**
 * stopDaemon against daemons that do not go at once: one busy past the notice (the user is told, then
 * it is killed at the deadline) and one stopped with SIGSTOP (its SIGTERM is delivered once it runs).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {stopDaemon} from '../../source/engine/daemon/control.js';
import {pidFilePath} from '../../source/engine/daemon/files.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A process that looks like `sfs daemon run` (its argv holds both words) and runs `script`. */
function fakeDaemon(script: string): {env: NodeJS.ProcessEnv; child: ChildProcess} {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-stop-wait-'));
	const env = {HOME: root, SFS_HOME: path.join(root, 'sfs'), XDG_RUNTIME_DIR: path.join(root, 'run')};
	const child = spawn(process.execPath, ['-e', script, 'daemon', 'run'], {stdio: 'ignore'});
	cleanups.push(() => {
		child.kill('SIGKILL');
		fs.rmSync(root, {recursive: true, force: true});
	});
	fs.mkdirSync(path.dirname(pidFilePath(env)), {recursive: true});
	fs.writeFileSync(pidFilePath(env), String(child.pid));
	return {env, child};
}

async function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
	if (child.exitCode !== null || child.signalCode !== null) return child.signalCode ?? child.exitCode;
	return new Promise(resolve => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

test('a daemon still busy after two seconds is announced once, then killed at the deadline', {timeout: 20_000}, async () => {
	const {env, child} = fakeDaemon("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);");
	await new Promise(resolve => setTimeout(resolve, 300)); // its SIGTERM handler is in place
	const told: number[] = [];
	const result = await stopDaemon(env, {timeoutMs: 3500, onWaiting: pid => told.push(pid)});
	expect(result).toMatchObject({status: 'stopped', pid: child.pid});
	expect(told).toEqual([child.pid]);
	expect(await exited(child)).toBe('SIGKILL');
});

test('a stopped (SIGSTOP) daemon gets its SIGTERM and exits without being killed', {timeout: 20_000}, async () => {
	const {env, child} = fakeDaemon("process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);");
	await new Promise(resolve => setTimeout(resolve, 300));
	child.kill('SIGSTOP');
	const told: number[] = [];
	const result = await stopDaemon(env, {timeoutMs: 10_000, onWaiting: pid => told.push(pid)});
	expect(result.status).toBe('stopped');
	expect(await exited(child)).toBe(0);
	expect(told).toEqual([]);
});
