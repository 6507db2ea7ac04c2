/**
 * `sfs sync` through the built CLI, as real child processes against the real server on 127.0.0.1
 * (behind a proxy that slows each session transfer, so a run can be killed midway): `kill -9` in the
 * middle of pushing and of pulling, then `sfs sync` again finishes with nothing lost and nothing
 * doubled. Also auto/watch/unwatch/status and their errors.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, expect, test} from 'vitest';
import {openEngine} from '../../source/engine/open-engine.js';
import {cliPath, expectOneLineError, parseJson, type Sandbox, sfs} from '../cli/run-sfs.js';
import {cleanupsPerTest} from '../support/cleanups.js';
import {server} from './helpers.js';
import {proxy, seed} from './sync-support.js';

const {cleanups, box} = cleanupsPerTest();

/** Seeds indexed sessions into a sandbox's store, the way capture leaves them. */
function seedBox(target: Sandbox, count: number, messagesEach: number): string[] {
	const engine = openEngine({env: target.env});
	const ids: string[] = [];
	try {
		const m = {root: target.root, env: target.env, engine, close() {}};
		for (let i = 0; i < count; i++) {
			const id = `ses_000000000000k${String(i).padStart(3, '0')}`;
			seed(m, id, messagesEach, `k${i}`);
			ids.push(id);
		}
	} finally {
		engine.close();
	}

	return ids;
}

function storedIds(target: Sandbox, id: string): string[] {
	const file = path.join(target.sfsHome, 'sessions', id, 'messages.jsonl');
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(line => (JSON.parse(line) as {msg_id: string}).msg_id);
}

function localSessions(target: Sandbox): string[] {
	try {
		return fs.readdirSync(path.join(target.sfsHome, 'sessions')).filter(name => !name.startsWith('.'));
	} catch {
		return [];
	}
}

async function remoteCount(url: string, token: string): Promise<number> {
	const response = await fetch(`${url}/api/v1/sessions`, {headers: {authorization: `Bearer ${token}`}});
	return ((await response.json()) as unknown[]).length;
}

/** Starts `sfs sync --json` and SIGKILLs it once `ready()` holds; returns whether it was still running then. */
async function killMidway(target: Sandbox, ready: () => Promise<boolean> | boolean): Promise<boolean> {
	const child = spawn(process.execPath, [cliPath, 'sync', '--json'], {env: target.env, cwd: target.root, stdio: 'ignore'});
	const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
	let running = true;
	void exited.then(() => {
		running = false;
	});
	for (let i = 0; i < 600 && running && !(await ready()); i++) await sleep(25);
	const killedWhileRunning = running;
	child.kill('SIGKILL');
	await exited;
	return killedWhileRunning;
}

type Report = {pushed: number; pulled: number; merged: number; unchanged: number; failed: number; skipped: number};

describe('sfs sync (CLI)', {timeout: 180_000}, () => {
	test('kill -9 midway through pushing and through pulling; the next sync finishes, nothing lost or doubled', async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const slow = await proxy(srv.url, {delayMs: 250});
		cleanups.push(() => slow.close());
		const {url} = slow;
		const a = box();
		const b = box();
		const ids = seedBox(a, 24, 3);
		const signup = await sfs(a, ['auth', 'signup', '--url', url, '--email', 'kay@example.com', '--password-stdin'], {input: 'kay-password\n'});
		expect(signup.exitCode, signup.stderr).toBe(0);
		const token = (JSON.parse(fs.readFileSync(path.join(a.sfsHome, 'credentials.json'), 'utf8')) as {token: string}).token;
		expect((await sfs(a, ['sync', 'auto', '--mode', 'all'])).stdout).toContain('autosync all');

		expect(await killMidway(a, async () => (await remoteCount(srv.url, token)) >= 5)).toBe(true);
		const pushedBeforeKill = await remoteCount(srv.url, token);
		expect(pushedBeforeKill).toBeGreaterThanOrEqual(5);
		expect(pushedBeforeKill).toBeLessThan(24);

		const resumed = await sfs(a, ['sync', '--json']);
		expect(resumed.exitCode, resumed.stderr).toBe(0);
		const report = parseJson<Report>(resumed);
		expect(report.failed).toBe(0);
		// Sessions the killed run pushed are not sent again as new (at most re-sent and found unchanged).
		expect(report.pushed + report.unchanged).toBe(24);
		expect(report.pushed).toBeLessThanOrEqual(24 - pushedBeforeKill);
		expect(resumed.stderr).toMatch(/sfs: sync with http:\/\/127\.0\.0\.1:\d+: \d+ to push, 0 to pull/);
		expect(resumed.stderr).toMatch(/\[\d+\/\d+\] pushed ses_000000000000k\d{3} \(3 sent\)/);
		const listed = parseJson<Array<{session_id: string; message_count: number}>>(await sfs(a, ['list-remote', '--json']));
		expect(listed.map(row => row.session_id).sort()).toEqual(ids);
		expect(listed.every(row => row.message_count === 3)).toBe(true);
		expect(parseJson<Report>(await sfs(a, ['sync', '--json']))).toMatchObject({pushed: 0, pulled: 0, unchanged: 24, failed: 0});

		// The second machine pulls everything; killed midway, then finished.
		const login = await sfs(b, ['auth', 'login', '--url', url, '--email', 'kay@example.com', '--password-stdin'], {input: 'kay-password\n'});
		expect(login.exitCode, login.stderr).toBe(0);
		expect(await killMidway(b, () => localSessions(b).length >= 5)).toBe(true);
		const pulledBeforeKill = localSessions(b).length;
		expect(pulledBeforeKill).toBeLessThan(24);
		const finished = await sfs(b, ['sync', '--json']);
		expect(finished.exitCode, finished.stderr).toBe(0);
		const pullReport = parseJson<Report>(finished);
		expect(pullReport.pulled + pullReport.unchanged).toBe(24);
		expect(pullReport.pulled).toBeGreaterThanOrEqual(24 - pulledBeforeKill);
		expect(localSessions(b).sort()).toEqual(ids);
		for (const id of ids) expect(storedIds(b, id)).toEqual(storedIds(a, id));
		const listedHere = parseJson<Array<{session_id: string; message_count: number}>>(await sfs(b, ['list', '--json', '--limit', '100']));
		expect(listedHere.map(row => row.session_id).sort()).toEqual(ids);
		expect(listedHere.every(row => row.message_count === 3)).toBe(true);
		expect(parseJson<Report>(await sfs(b, ['sync', '--json']))).toMatchObject({pushed: 0, pulled: 0, unchanged: 24, failed: 0});
	});

	test('auto, watch, unwatch and status; usage errors and not logged in', async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const a = box();
		const [first, second] = seedBox(a, 2, 2);
		const notLoggedIn = await sfs(a, ['sync']);
		expect(notLoggedIn.exitCode).toBe(1);
		expectOneLineError(notLoggedIn, /^sfs: not logged in/);
		const offlineStatus = parseJson<Record<string, unknown>>(await sfs(a, ['sync', 'status', '--json']));
		expect(offlineStatus).toMatchObject({mode: 'off', server: null, last_sync: null, pending_pushes: null, watched: []});

		expect((await sfs(a, ['auth', 'signup', '--url', srv.url, '--email', 'sam@example.com', '--password-stdin'], {input: 'sam-password\n'})).exitCode).toBe(0);
		const badMode = await sfs(a, ['sync', 'auto', '--mode', 'sometimes']);
		expect(badMode.exitCode).toBe(2);
		expectOneLineError(badMode, /--mode must be one of off, all, selective/);
		expect((await sfs(a, ['sync', '--mode', 'all'])).exitCode).toBe(2);
		expect((await sfs(a, ['sync', 'sideways'])).exitCode).toBe(2);
		const unknownRef = await sfs(a, ['sync', 'watch', 'no-such-session']);
		expect(unknownRef.exitCode).toBe(1);

		const watched = parseJson<{session_id: string; watched: boolean; changed: boolean}>(await sfs(a, ['sync', 'watch', first!, '--json']));
		expect(watched).toMatchObject({session_id: first, watched: true, changed: true});
		expect((await sfs(a, ['sync', 'watch', first!])).stdout).toContain(`already watching ${first}`);
		const selective = await sfs(a, ['sync', 'auto', '--mode', 'selective']);
		expect(selective.stdout).toMatch(/^autosync selective: the daemon pushes 1 watched session/);
		expect(selective.stderr).toBe('sfs: the daemon is not running; autosync runs in it (sfs daemon start)\n');
		expect(parseJson(await sfs(a, ['sync', 'auto', '--json']))).toEqual({mode: 'selective', watched: 1, daemon_running: false});
		let status = parseJson<Record<string, unknown>>(await sfs(a, ['sync', 'status', '--json']));
		expect(status).toMatchObject({mode: 'selective', server: srv.url, last_sync: null, pending_pushes: 1, pending_pulls: 0, watched: [first], last_error: null, server_error: null});

		const synced = await sfs(a, ['sync']);
		expect(synced.exitCode, synced.stderr).toBe(0);
		expect(synced.stdout).toBe(`synced with ${srv.url}: 1 pushed, 0 pulled, 0 merged, 0 unchanged, 0 failed\n`);
		status = parseJson<Record<string, unknown>>(await sfs(a, ['sync', 'status', '--json']));
		expect(status).toMatchObject({pending_pushes: 0, pending_pulls: 0, last_sync: expect.objectContaining({pushed: 1, by: 'cli'})});
		const human = await sfs(a, ['sync', 'status']);
		expect(human.stdout).toMatch(/^mode {6}selective/m);
		expect(human.stdout).toMatch(/^last {6}.* by cli: 1 pushed, 0 pulled/m);
		expect(human.stdout).toMatch(/^pending {3}0 to push, 0 to pull$/m);
		expect(human.stdout).toContain(`watched   ${first}`);

		expect((await sfs(a, ['sync', 'unwatch', first!])).stdout).toContain(`stopped watching ${first}`);
		expect((await sfs(a, ['sync', 'watch', second!])).exitCode).toBe(0);
		await srv.close();
		cleanups.pop();
		const down = parseJson<Record<string, unknown>>(await sfs(a, ['sync', 'status', '--json']));
		expect(down).toMatchObject({pending_pushes: 1, pending_pulls: null, watched: [second], server_error: expect.stringMatching(/cannot reach the sfs server/)});
		const failed = await sfs(a, ['sync'], {env: {SFS_SYNC_ATTEMPTS: '2'}});
		expect(failed.exitCode).toBe(1);
		expect(failed.stderr).toMatch(/^sfs: sync: ECONNREFUSED; retrying in [\d.]+s\nsfs: cannot reach the sfs server at http:\/\/127\.0\.0\.1:\d+ after 2 attempt\(s\): ECONNREFUSED \(is `sfs server` running there\?\)\n$/);
		expect(parseJson<{last_error: {message: string}}>(await sfs(a, ['sync', 'status', '--json', '--offline'])).last_error.message).toMatch(/cannot reach/);
		// list-remote and pull-handoff say each retry too (they waited ~12 s in silence).
		for (const command of ['list-remote', 'pull-handoff']) {
			const quiet = await sfs(a, [command], {env: {SFS_SYNC_ATTEMPTS: '2'}});
			expect(quiet.exitCode).toBe(1);
			expect(quiet.stderr).toMatch(new RegExp(`^sfs: ${command}: ECONNREFUSED; retrying in [\\d.]+s\nsfs: cannot reach the sfs server`));
		}
	});
});
