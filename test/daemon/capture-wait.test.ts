/**
 * The daemon never loses a capture it was asked for: when another process holds capture.lock (a TUI or
 * `sfs capture` doing a long cold capture) or the index is busy longer than the daemon waits, its
 * capture is put off and tried again, and what changed becomes searchable once the obstacle is gone,
 * with no further file change. Real daemons (the built binary) on temp homes; another real process
 * holds the lock. SFS_DAEMON_LOCK_WAIT_MS shortens the daemon's wait for capture.lock (default 5 s).
 */
import {randomUUID} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa, type ResultPromise} from 'execa';
import {describe, expect, test} from 'vitest';
import {logFilePath} from '../../source/engine/daemon/files.js';
import {configPath} from '../../source/engine/paths.js';
import {connectDaemon} from '../../source/engine/daemon/client.js';
import type {CaptureSummary, CaptureWaiting} from '../../source/engine/daemon/protocol.js';
import {appendUser, installFixture, projectsDir, type Sandbox, sandboxPerTest, sfs, type StatusJson, waitFor, waitIdle, writeSession} from './helpers.js';

let box: Sandbox;
sandboxPerTest(created => {
	box = created;
});

type Status = StatusJson & {pending?: boolean; waiting?: CaptureWaiting | null};

const LOCK_WAIT = {SFS_DAEMON_LOCK_WAIT_MS: '300'};

async function daemonStatus(): Promise<Status> {
	return JSON.parse((await sfs(box, ['daemon', 'status', '--json'])).stdout) as Status;
}

async function idle(): Promise<Status> {
	return (await waitIdle(box)) as Status;
}

async function hits(term: string): Promise<number> {
	const run = await sfs(box, ['search', term, '--json']);
	return (JSON.parse(run.stdout) as unknown[]).length;
}

function log(): string[] {
	try {
		return fs.readFileSync(logFilePath(box.env), 'utf8').split('\n').filter(Boolean);
	} catch {
		return [];
	}
}

/** Starts a fixture process that takes a lock and keeps it until a line arrives on its stdin. */
async function holdLock(fixture: string): Promise<{process: ResultPromise; release(): Promise<void>}> {
	const child = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, fixture)], {env: box.env, extendEnv: false, reject: false, stdin: 'pipe', timeout: 120_000});
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	await waitFor('the lock holder to take its lock', () => (output.includes('locked') ? true : undefined), 20_000);
	return {
		process: child,
		async release() {
			child.stdin!.write('release\n');
			await child;
			expect(output).toContain('released');
		},
	};
}

describe('daemon capture put off by another process', () => {
	test('capture.lock held longer than the daemon waits: one waiting line, status shows it, the append becomes searchable after release with no further change', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start'], {env: LOCK_WAIT});
		const before = await idle();
		const holder = await holdLock('capture-lock-holder.fixture.ts');
		try {
			const probe = `lockwait${randomUUID().slice(0, 8)}`;
			appendUser(file, `appended while capture.lock was held ${probe}`);
			const waiting = await waitFor('the status to show a capture waiting for capture.lock', async () => {
				const current = await daemonStatus();
				return current.waiting?.reason === 'capture-lock' ? current : undefined;
			}, 15_000, 100);
			expect(waiting.waiting!.holder_pid).toBe(holder.process.pid);
			expect(waiting.pending).toBe(true);
			// The human status says it too.
			expect((await sfs(box, ['daemon', 'status'])).stdout).toMatch(new RegExp(`waiting +a capture waits for another one \\(pid ${holder.process.pid}\\)`));

			// Several back-off tries (1 s, 2 s) pass while it is held: still not captured, still one log line, no error.
			await waitFor('a few more tries', async () => ((await daemonStatus()).waiting!.attempts >= 3 ? true : undefined), 15_000, 200);
			expect(await hits(probe)).toBe(0);
			const lines = log();
			expect(lines.filter(line => line.includes('capture waiting'))).toHaveLength(1);
			expect(lines.filter(line => line.includes('capture failed'))).toHaveLength(0);
			const during = await daemonStatus();
			expect(during.errors.count).toBe(before.errors.count);

			// Released: the capture runs at once (woken by the lock's removal), with no further file change.
			const releasedAt = Date.now();
			await holder.release();
			await waitFor('the appended line to be searchable', async () => ((await hits(probe)) === 1 ? true : undefined), 10_000, 100);
			// Well before the next back-off try (4 s after the third): the release woke it.
			expect(Date.now() - releasedAt).toBeLessThan(3500);
			const after = await idle();
			expect(after.waiting).toBeNull();
			expect(after.pending).toBe(false);
			expect(after.errors.count).toBe(before.errors.count);
			expect(log().filter(line => line.includes('capture.lock is free again'))).toHaveLength(1);
		} finally {
			holder.process.kill();
		}
	});

	test('the start-up capture waits for a capture.lock held before the daemon started, and runs when it is released', async () => {
		const sessionId = randomUUID();
		writeSession(path.join(projectsDir(box), '-home-me-startup'), sessionId, 2);
		const holder = await holdLock('capture-lock-holder.fixture.ts');
		try {
			await sfs(box, ['daemon', 'start'], {env: LOCK_WAIT});
			const waiting = await waitFor('the start-up capture to wait', async () => {
				const current = await daemonStatus();
				return current.waiting?.reason === 'capture-lock' ? current : undefined;
			}, 15_000, 100);
			expect(waiting.captures).toBe(0);
			expect(await hits(`"question 1 of ${sessionId}"`)).toBe(0);
			await holder.release();
			await waitFor('the start-up capture to be done', async () => ((await hits(`"question 1 of ${sessionId}"`)) === 1 ? true : undefined), 10_000, 100);
			const after = await idle();
			expect(after.waiting).toBeNull();
			expect(after.last_capture?.kind).toBe('full');
		} finally {
			holder.process.kill();
		}
	});

	test('a capture asked for over the socket (the TUI, sfs init) while capture.lock is held answers once the capture has run, not before', async () => {
		installFixture(box);
		await sfs(box, ['daemon', 'start'], {env: LOCK_WAIT});
		const before = await idle();
		const holder = await holdLock('capture-lock-holder.fixture.ts');
		const client = await connectDaemon(box.env);
		try {
			let answered: CaptureSummary | null | undefined;
			const request = client.request<CaptureSummary | null>('capture', undefined, {timeoutMs: 60_000}).then(result => {
				answered = result;
			});
			await waitFor('the requested capture to wait', async () => ((await daemonStatus()).waiting?.reason === 'capture-lock' ? true : undefined), 15_000, 100);
			await sleep(1500);
			expect(answered).toBeUndefined();
			const releasedAt = Date.now();
			await holder.release();
			await request;
			// The answer is the capture that ran after the release, not the one before it.
			expect(answered?.kind).toBe('full');
			expect(Date.parse(answered!.at)).toBeGreaterThanOrEqual(releasedAt);
			expect((await idle()).captures).toBe(before.captures + 1);
			expect((await daemonStatus()).waiting).toBeNull();
		} finally {
			client.close();
			holder.process.kill();
		}
	});

	test('a holder killed with -9 leaves a stale capture.lock: the back-off try takes it over and captures', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start'], {env: LOCK_WAIT});
		await idle();
		const holder = await holdLock('capture-lock-holder.fixture.ts');
		const probe = `stalelock${randomUUID().slice(0, 8)}`;
		appendUser(file, `appended before the holder died ${probe}`);
		await waitFor('a capture waiting for capture.lock', async () => ((await daemonStatus()).waiting?.reason === 'capture-lock' ? true : undefined), 15_000, 100);
		holder.process.kill('SIGKILL');
		await holder.process;
		// The lock file stays (no clean-up on SIGKILL), so no release event: the back-off (at most 30 s, here a few seconds) finds it stale.
		await waitFor('the append to be captured', async () => ((await hits(probe)) === 1 ? true : undefined), 20_000, 200);
		expect((await idle()).waiting).toBeNull();
	});

	test('the index busy longer than SQLite waits: the skipped session is reported once, looked at again, and searchable after the writer commits', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		const before = await idle();
		const holder = await holdLock('index-busy-holder.fixture.ts');
		const probe = `indexbusy${randomUUID().slice(0, 8)}`;
		try {
			appendUser(file, `appended while the index was busy ${probe}`);
			// SQLite's busy timeout is 5 s: the first try skips the session after it, and so do the next ones.
			const failing = await waitFor('the status to show skipped sessions being looked at again', async () => {
				const current = await daemonStatus().catch(() => undefined); // The daemon does not answer while SQLite waits.
				return current?.waiting?.reason === 'skipped' && current.waiting.attempts >= 2 ? current : undefined;
			}, 60_000, 250);
			expect(failing.waiting!.message).toMatch(/database is locked/);
			expect(failing.pending).toBe(true);
			expect(await hits(probe)).toBe(0);
		} finally {
			await holder.release();
		}

		// No further file change: the next try (at most 4 s after the second) captures it.
		await waitFor('the appended line to be searchable', async () => ((await hits(probe)) === 1 ? true : undefined), 30_000, 250);
		const after = await waitFor('the retry to be over', async () => {
			const current = await idle();
			return current.waiting === null ? current : undefined;
		}, 20_000, 250);
		expect(after.pending).toBe(false);
		// One line for the skipped session however many tries it took; no "gave up".
		expect(log().filter(line => line.includes('database is locked'))).toHaveLength(1);
		expect(after.errors.count).toBe(before.errors.count + 1);
		expect(log().some(line => line.includes('gave up'))).toBe(false);
	}, 120_000);

	test('a broken config.json fails the whole capture: one error line, tried again, captured once the config is fixed', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await idle();
		const config = configPath(box.env);
		const original = fs.existsSync(config) ? fs.readFileSync(config, 'utf8') : undefined;
		fs.writeFileSync(config, '{"watchers": ');
		const probe = `brokenconfig${randomUUID().slice(0, 8)}`;
		appendUser(file, `appended while config.json was broken ${probe}`);
		const failing = await waitFor('the status to show a failed capture', async () => {
			const current = await daemonStatus();
			return current.waiting?.reason === 'error' && current.waiting.attempts >= 3 ? current : undefined;
		}, 20_000, 200);
		expect(failing.waiting!.message).toMatch(/config file .* is not valid JSON/);
		expect(failing.pending).toBe(true);
		// One error for the capture however many tries failed (the config reload says its own once).
		expect(failing.errors.recent.filter(error => error.message.startsWith('capture failed'))).toHaveLength(1);
		expect(log().filter(line => line.includes('capture failed'))).toHaveLength(1);
		expect(await hits(probe)).toBe(0);

		const fixedAt = Date.now();
		if (original === undefined) fs.rmSync(config);
		else fs.writeFileSync(config, original);
		await waitFor('the appended line to be searchable', async () => ((await hits(probe)) === 1 ? true : undefined), 15_000, 100);
		// Well before the next back-off try (4 s after the third): editing config.json woke it.
		expect(Date.now() - fixedAt).toBeLessThan(3500);
		const after = await idle();
		expect(after.waiting).toBeNull();
		expect(log().some(line => line.includes('capture works again'))).toBe(true);
	});

	test('a store write that fails (messages.jsonl unwritable) is reported once, looked at again, and captured once the store is writable', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		const before = await idle();
		const [sessionId] = fs.readdirSync(path.join(box.sfsHome, 'sessions')).filter(name => !name.startsWith('.'));
		const messages = path.join(box.sfsHome, 'sessions', sessionId!, 'messages.jsonl');
		const saved = fs.readFileSync(messages);
		// A directory where the file was: every append fails (EISDIR), as a full disk or a bad mount would fail it.
		fs.rmSync(messages);
		fs.mkdirSync(messages);
		const probe = `storefail${randomUUID().slice(0, 8)}`;
		appendUser(file, `appended while the store could not be written ${probe}`);
		const failing = await waitFor('the skipped session to be looked at again', async () => {
			const current = await daemonStatus();
			return current.waiting?.reason === 'skipped' && current.waiting.attempts >= 3 ? current : undefined;
		}, 20_000, 200);
		expect(failing.pending).toBe(true);
		expect(failing.errors.count).toBe(before.errors.count + 1);
		expect(log().filter(line => line.includes(`skipped ${file}`))).toHaveLength(1);

		fs.rmdirSync(messages);
		fs.writeFileSync(messages, saved);
		// The next try (8 s after the third at most) captures it, with no change to the native file.
		await waitFor('the appended line to be searchable', async () => ((await hits(probe)) === 1 ? true : undefined), 20_000, 250);
		const after = await idle();
		expect(after.waiting).toBeNull();
		expect(after.pending).toBe(false);
		expect(after.errors.count).toBe(before.errors.count + 1);
		expect(log().some(line => line.includes('skipped session(s) captured on retry'))).toBe(true);
	});

	test('a captured native file deleted (retention, a user) is no error: the remembered discovery is not trusted for it', async () => {
		const file = installFixture(box);
		const other = writeSession(path.dirname(file), undefined, 2);
		await sfs(box, ['daemon', 'start']);
		const before = await idle();
		expect(before.sessions_captured).toBe(2);
		fs.rmSync(other);
		const probe = `afterdelete${randomUUID().slice(0, 8)}`;
		appendUser(file, `appended after a neighbour was deleted ${probe}`);
		await waitFor('the append to be searchable', async () => ((await hits(probe)) === 1 ? true : undefined), 10_000, 100);
		await sleep(2500); // Time for retries, had the deletion been taken for a failed read.
		const after = await idle();
		expect(after.errors).toEqual(before.errors);
		expect(after.waiting).toBeNull();
		expect(log().filter(line => / error /.test(line))).toEqual([]);
	});
});
