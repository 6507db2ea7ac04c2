/**
 * The daemon as users run it: the built binary, detached, on a temp HOME.
 * Build first (`npm run build`).
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, test} from 'vitest';
import {connectDaemon} from '../../source/engine/daemon/client.js';
import type {DaemonEvent} from '../../source/engine/daemon/protocol.js';
import {cliPath} from '../cli/run-sfs.js';
import {appendUser, FIXTURE_NATIVE_ID, installFixture, killHard, type Sandbox, sandboxPerTest, sessionIds, sfs, status, stored, texts, waitFor, waitIdle} from './helpers.js';

let box: Sandbox;
sandboxPerTest(created => {
	box = created;
});

function runFiles() {
	const run = path.join(box.sfsHome, 'run');
	return {pid: path.join(run, 'daemon.pid'), socket: path.join(run, 'daemon.sock')};
}

describe('sfs daemon start/stop/status', () => {
	test('start launches one detached daemon; a second start says it is running; stop ends it and removes its files', async () => {
		installFixture(box);
		const started = await sfs(box, ['daemon', 'start']);
		expect(started.exitCode).toBe(0);
		expect(started.stderr).toMatch(/^sfs: daemon started \(pid \d+\)/);
		const pid = Number(/pid (\d+)/.exec(started.stderr)![1]);
		expect(Number(fs.readFileSync(runFiles().pid, 'utf8'))).toBe(pid);
		// The socket is private to the user.
		expect(fs.statSync(runFiles().socket).mode & 0o777).toBe(0o600);
		expect(fs.statSync(runFiles().socket).isSocket()).toBe(true);

		const again = await sfs(box, ['daemon', 'start']);
		expect(again.exitCode).toBe(0);
		expect(again.stderr).toContain(`already running (pid ${pid})`);

		const current = await waitIdle(box);
		expect(current.pid).toBe(pid);
		expect(current.uptime_s).toBeGreaterThanOrEqual(0);
		expect(current.watched.find(root => root.tool === 'claude-code' && root.root.endsWith(path.join('.claude', 'projects')))?.watching).toBe(true);
		expect(current.sessions_captured).toBe(1);
		expect(current.last_capture?.new).toBe(1);
		expect(current.errors.count).toBe(0);
		expect(current.memory.rss).toBeGreaterThan(0);

		const human = await sfs(box, ['daemon', 'status']);
		expect(human.exitCode).toBe(0);
		expect(human.stdout).toMatch(/running, pid \d+/);
		expect(human.stdout).toContain('claude-code');

		const stopped = await sfs(box, ['daemon', 'stop']);
		expect(stopped.stderr).toContain(`daemon stopped (pid ${pid})`);
		expect(fs.existsSync(runFiles().pid)).toBe(false);
		expect(fs.existsSync(runFiles().socket)).toBe(false);
		const after = await sfs(box, ['daemon', 'status', '--json']);
		expect(after.exitCode).toBe(1);
		expect(JSON.parse(after.stdout)).toMatchObject({running: false, state: 'stopped'});
		const log = await sfs(box, ['daemon', 'logs']);
		expect(log.stdout).toMatch(/started pid \d+/);
		expect(log.stdout).toContain('stopped');
	});

	test('a second `daemon run` refuses to start while one runs', async () => {
		await sfs(box, ['daemon', 'start']);
		const second = await sfs(box, ['daemon', 'run']);
		expect(second.exitCode).toBe(1);
		expect(second.stderr).toMatch(/^sfs: the daemon is already running \(pid \d+\)/);
	});

	test('a daemon killed with -9 leaves a stale pid file and socket: status says so, start cleans them', async () => {
		await sfs(box, ['daemon', 'start']);
		const {pid} = await waitIdle(box);
		await killHard(pid);
		expect(fs.existsSync(runFiles().pid)).toBe(true);
		expect(fs.existsSync(runFiles().socket)).toBe(true);
		const stale = await sfs(box, ['daemon', 'status', '--json']);
		expect(JSON.parse(stale.stdout)).toMatchObject({running: false, state: 'stale', pid});

		const restarted = await sfs(box, ['daemon', 'start']);
		expect(restarted.exitCode).toBe(0);
		expect(restarted.stderr).toContain('removed a stale pid file');
		expect(restarted.stderr).toContain('removed a stale socket');
		const current = await waitIdle(box);
		expect(current.pid).not.toBe(pid);
	});
});

describe('live capture', () => {
	test('a line appended to a watched session is in `sfs show` and found by `sfs search` within 3 s', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const [sessionId] = sessionIds(box);
		const before = stored(box, sessionId!).length;

		const started = Date.now();
		appendUser(file, 'please refactor the quokkaparser module');
		const hit = await waitFor(
			'the appended line to be searchable',
			async () => {
				const run = await sfs(box, ['search', 'quokkaparser', '--json']);
				const hits = run.exitCode === 0 ? (JSON.parse(run.stdout) as Array<{session_id: string}>) : [];
				return hits.length > 0 ? hits : undefined;
			},
			3000,
			20,
		);
		expect(Date.now() - started).toBeLessThan(3000);
		expect(hit[0]!.session_id).toBe(sessionId);
		const shown = JSON.parse((await sfs(box, ['show', FIXTURE_NATIVE_ID, '--json'])).stdout) as {messages: Array<{content: Array<{text?: string}>}>};
		expect(shown.messages).toHaveLength(before + 1);
		expect(shown.messages.at(-1)!.content[0]!.text).toBe('please refactor the quokkaparser module');
	});

	test('subscribers get session-added and session-updated events over the socket', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const client = await connectDaemon(box.env);
		const events: DaemonEvent[] = [];
		await client.subscribe(event => events.push(event));
		try {
			appendUser(file, 'an update');
			await waitFor('session-updated', () => events.find(event => event.event === 'session-updated'));
			const other = path.join(path.dirname(file), '11111111-2222-4333-8444-555555555555.jsonl');
			fs.writeFileSync(other, '');
			appendUser(other, 'a new session', '11111111-2222-4333-8444-555555555555');
			const added = await waitFor('session-added', () => events.find(event => event.event === 'session-added'));
			expect(added).toMatchObject({event: 'session-added'});
			expect(sessionIds(box)).toContain((added as {session_id: string}).session_id);
			const result = await client.request<{new: number}>('capture');
			expect(result).toHaveProperty('new');
		} finally {
			client.close();
		}
	});

	test('a session in a directory created after start (and a source root created after start) is captured', async () => {
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		// ~/.claude does not exist yet: the daemon waits for it.
		const file = installFixture(box);
		// A root that appears later is found through a watch on its nearest existing parent; under a loaded
		// machine that hand-over can take longer than a plain append (which keeps its 3 s bound below).
		await waitFor('the new root to be captured', () => (sessionIds(box).length === 1 ? true : undefined), 15_000);
		appendUser(file, 'after the root appeared');
		const [id] = sessionIds(box);
		await waitFor('the append', () => (texts(box, id!).includes('after the root appeared') ? true : undefined), 3000);
		expect((await status(box)).watched.find(root => root.tool === 'claude-code' && root.exists)?.watching).toBe(true);
	});

	test('a source root removed and created again is watched again', async () => {
		installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const root = path.join(box.home, '.claude', 'projects');
		fs.rmSync(root, {recursive: true});
		await waitFor('the root to be waited for', async () => ((await status(box)).watched.some(item => item.root === root && !item.watching) ? true : undefined), 3000);
		const file = installFixture(box);
		await waitFor('the root to be watched again', async () => ((await status(box)).watched.some(item => item.root === root && item.watching) ? true : undefined), 3000);
		appendUser(file, 'after the root came back');
		const [id] = sessionIds(box);
		await waitFor('the append', () => (texts(box, id!).includes('after the root came back') ? true : undefined), 3000);
	});

	test('truncation, atomic rewrite (rotation) and deletion of native files: nothing lost, nothing duplicated', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const [id] = sessionIds(box);
		const original = fs.readFileSync(file, 'utf8');
		const count0 = stored(box, id!).length;

		// Rotation: the tool rewrites the file through a temp file + rename (new inode), with one line more.
		const temporary = `${file}.tmp`;
		fs.writeFileSync(temporary, `${original}${`${JSON.stringify(JSON.parse(original.trimEnd().split('\n').at(-1)!))}\n`.replace(/"done"/, '"done, rewritten"')}`);
		fs.renameSync(temporary, file);
		await waitFor('the rewrite', () => (stored(box, id!).length > count0 ? true : undefined), 3000);
		const afterRotation = stored(box, id!);
		expect(new Set(afterRotation.map(message => message.msg_id)).size).toBe(afterRotation.length);

		// Truncation: the file is cut back to its first 4 lines, then gets a new line.
		const firstLines = original.split('\n').slice(0, 4).join('\n');
		fs.writeFileSync(file, `${firstLines}\n`);
		appendUser(file, 'written after truncation');
		await waitFor('the line after truncation', () => (texts(box, id!).includes('written after truncation') ? true : undefined), 3000);
		const afterTruncation = stored(box, id!);
		expect(afterTruncation.length).toBe(afterRotation.length + 1);
		expect(new Set(afterTruncation.map(message => message.msg_id)).size).toBe(afterTruncation.length);

		// Deletion: the native file goes away; sfs keeps the session and the daemon carries on.
		fs.rmSync(file);
		const other = path.join(path.dirname(file), '22222222-2222-4333-8444-555555555555.jsonl');
		fs.writeFileSync(other, '');
		appendUser(other, 'still capturing after a deletion', '22222222-2222-4333-8444-555555555555');
		await waitFor('the other session', () => (sessionIds(box).length === 2 ? true : undefined), 3000);
		expect(stored(box, id!).length).toBe(afterTruncation.length);
		const shown = await sfs(box, ['show', id!, '--json']);
		expect(shown.exitCode).toBe(0);
		const current = await status(box);
		expect(current.running).toBe(true);
		expect(current.errors.count).toBe(0);
	});
});

describe('sources switched on and off while the daemon runs', () => {
	test('`sfs watcher disable` stops watching a source; `enable` watches it again and catches up', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const [id] = sessionIds(box);
		expect((await sfs(box, ['watcher', 'disable', 'claude-code'])).exitCode).toBe(0);
		await waitFor('claude-code unwatched', async () => ((await status(box)).watched.some(root => root.tool === 'claude-code') ? undefined : true), 3000);
		appendUser(file, 'written while the source was off');
		await new Promise(resolve => setTimeout(resolve, 1500));
		expect(texts(box, id!)).not.toContain('written while the source was off');

		expect((await sfs(box, ['watcher', 'enable', 'claude-code'])).exitCode).toBe(0);
		await waitFor('the catch-up', () => (texts(box, id!).includes('written while the source was off') ? true : undefined), 3000);
		appendUser(file, 'and live again');
		await waitFor('live capture again', () => (texts(box, id!).includes('and live again') ? true : undefined), 3000);
	});
});

describe('index rebuilds and logs while the daemon runs', () => {
	async function searchable(word: string): Promise<boolean> {
		const run = await sfs(box, ['search', word, '--json']);
		return run.exitCode === 0 && (JSON.parse(run.stdout) as unknown[]).length > 0;
	}

	test('`sfs daemon rebuild-index` rebuilds through the daemon, which keeps capturing into the new index', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const rebuilt = await sfs(box, ['daemon', 'rebuild-index', '--json']);
		expect(rebuilt.exitCode).toBe(0);
		expect(JSON.parse(rebuilt.stdout)).toMatchObject({sessions: 1, by: 'daemon'});
		appendUser(file, 'after the rebuild wombatfeature');
		await waitFor('the append in the rebuilt index', async () => ((await searchable('wombatfeature')) ? true : undefined), 3000);
	});

	test('`sfs index rebuild` from the CLI replaces index.db under the daemon: it notices and writes to the new file', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const inode = fs.statSync(path.join(box.sfsHome, 'index.db')).ino;
		expect((await sfs(box, ['index', 'rebuild'])).exitCode).toBe(0);
		expect(fs.statSync(path.join(box.sfsHome, 'index.db')).ino).not.toBe(inode);
		appendUser(file, 'after the CLI rebuild platypusfeature');
		await waitFor('the append in the replaced index', async () => ((await searchable('platypusfeature')) ? true : undefined), 3000);
		expect((await status(box)).errors.count).toBe(0);
	});

	test('`sfs daemon logs -f` follows the log', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const follower = execa(process.execPath, [cliPath, 'daemon', 'logs', '-f'], {env: box.env, extendEnv: false, reject: false});
		let output = '';
		follower.stdout!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		try {
			await waitFor('the existing log', () => (output.includes('started pid') ? true : undefined), 5000);
			appendUser(file, 'a line for the log');
			await waitFor('a new log line', () => (/captured \(changes, claude-code\): 0 new, 1 updated/.test(output) ? true : undefined), 5000);
		} finally {
			follower.kill();
			await follower;
		}
	});
});
