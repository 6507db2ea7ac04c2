/**
 * A daemon that starts or stops while the TUI runs: the TUI's engine (opened first, capturing in-process)
 * notices a real daemon (the built `sfs daemon start`) and attaches to it, follows its events, and goes back
 * to capturing in-process when the daemon stops or is killed, then attaches again to the next one.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {captureLockPath} from '../../source/engine/capture.js';
import {pidFilePath} from '../../source/engine/daemon/files.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import type {CaptureProgress} from '../../source/views/engine-context.js';
import {appendUser, installFixture, killHard, projectsDir, type Sandbox, sandbox, sfs, status, stopQuietly, waitFor, waitIdle, writeSession} from './helpers.js';

let box: Sandbox;
let engine: Engine | undefined;
let tui: ReturnType<typeof createTuiEngine> | undefined;

beforeEach(() => {
	box = sandbox();
	box.env.XDG_RUNTIME_DIR = path.join(box.root, 'runtime');
	fs.mkdirSync(box.env.XDG_RUNTIME_DIR, {mode: 0o700});
});

afterEach(async () => {
	tui?.close();
	tui = undefined;
	engine?.close();
	engine = undefined;
	await stopQuietly(box);
	box.cleanup();
});

const noWriters = async () => {
	throw new Error('no writers in this test');
};

/** The TUI's engine as `sfs` opens it, capture in-process (no worker), looking for a daemon every 100 ms. */
function openTui() {
	engine = openEngine({env: box.env});
	tui = createTuiEngine(engine, {loadWriter: noWriters, captureInWorker: false, daemonLookoutMs: 100});
	const progress: CaptureProgress[] = [];
	tui.onCaptureProgress(event => progress.push(event));
	let changes = 0;
	tui.onSessionsChanged(() => changes++);
	return {tui, progress, changes: () => changes};
}

async function nativeIds(): Promise<Array<string | null>> {
	return (await tui!.listSessions()).map(row => row.native_id);
}

test('a daemon started after the TUI is attached to; its captures reach the TUI; when it stops the TUI captures in-process again', {timeout: 120_000}, async () => {
	const file = installFixture(box);
	const {progress, changes} = openTui();
	await tui!.capture();
	expect(tui!.captureState()).toBe('idle');
	const inProcess = tui!.lastCaptureReport();
	expect(inProcess).toMatchObject({new: 1});

	await sfs(box, ['daemon', 'start']);
	await waitFor('the TUI to attach to the daemon', () => (tui!.captureState() === 'attached' ? true : undefined), 20_000);
	expect(progress.at(-1)).toMatchObject({state: 'attached', notice: expect.stringContaining('attached')});
	await waitIdle(box);

	// A session written now is captured by the daemon, not by the TUI, and reaches the TUI through its events.
	const changesBefore = changes();
	const newId = '0b6a2f61-5a1e-4c3e-9c1b-5d2f3a4b6c7d';
	writeSession(path.join(projectsDir(box), '-home-me-late'), newId, 2);
	await waitFor('the new session in the TUI', async () => (changes() > changesBefore && (await nativeIds()).includes(newId) ? true : undefined), 20_000);
	expect(tui!.lastCaptureReport()).toBe(inProcess); // nothing captured in this process since
	expect((await status(box)).sessions_captured).toBeGreaterThanOrEqual(1);

	// Capture requests go to the daemon.
	const capturesBefore = (await status(box)).captures;
	await tui!.capture();
	expect((await status(box)).captures).toBeGreaterThan(capturesBefore);
	expect(tui!.captureState()).toBe('attached');

	// The daemon stops: the TUI says so and captures in-process again, catching up with what changed.
	await sfs(box, ['daemon', 'stop']);
	await waitFor('the in-process capture after the daemon stopped', () => (tui!.lastCaptureReport() !== inProcess && tui!.captureState() === 'idle' ? true : undefined), 20_000);
	expect(progress.some(event => event.state === 'idle' && event.notice?.includes('daemon stopped'))).toBe(true);
	expect(progress.findLast(event => event.notice)?.notice).toContain('in-process');
	const caughtUp = tui!.lastCaptureReport()!;
	expect(caughtUp.new + caughtUp.updated).toBe(0); // the daemon had captured everything

	// In-process again: the TUI's own capture sees an append.
	appendUser(file, 'captured by the TUI itself');
	await tui!.capture();
	expect(tui!.lastCaptureReport()).toMatchObject({updated: 1});
	expect((await tui!.search('captured by the TUI itself')).length).toBe(1);

	// And a daemon started again is attached to again.
	await sfs(box, ['daemon', 'start']);
	await waitFor('the TUI to attach to the new daemon', () => (tui!.captureState() === 'attached' ? true : undefined), 20_000);
});

test('a daemon killed with -9 leaves the TUI capturing in-process; a stale pid file is not attached to', {timeout: 120_000}, async () => {
	const file = installFixture(box);
	const {progress} = openTui();
	await tui!.capture();
	await sfs(box, ['daemon', 'start']);
	await waitFor('the TUI to attach', () => (tui!.captureState() === 'attached' ? true : undefined), 20_000);
	const {pid} = await waitIdle(box);
	const reportBefore = tui!.lastCaptureReport();

	appendUser(file, 'written while the daemon is dead');
	await killHard(pid);
	await waitFor('the in-process capture after the kill', () => (tui!.lastCaptureReport() !== reportBefore && tui!.captureState() === 'idle' ? true : undefined), 20_000);
	expect(progress.some(event => event.notice?.includes('daemon stopped'))).toBe(true);
	expect((await tui!.search('written while the daemon is dead')).length).toBe(1);

	// The pid file the killed daemon left names a dead process: the lookout keeps looking, and does not attach.
	expect(fs.existsSync(pidFilePath(box.env))).toBe(true);
	const looksBefore = progress.length;
	await new Promise(resolve => setTimeout(resolve, 500));
	expect(tui!.captureState()).toBe('idle');
	expect(progress.slice(looksBefore).some(event => event.state === 'attached')).toBe(false);
});

test('an in-process capture that runs when a daemon starts finishes before the TUI attaches: never two writers at once', {timeout: 120_000}, async () => {
	installFixture(box);
	const {progress} = openTui();
	// Hold capture.lock as this process: the TUI's capture (same pid) waits for it, and so does the daemon's.
	const lock = captureLockPath(box.env);
	fs.mkdirSync(path.dirname(lock), {recursive: true});
	fs.writeFileSync(lock, String(process.pid));
	const capturing = tui!.capture();
	await waitFor('the in-process capture to start', () => (tui!.captureState() === 'capturing' ? true : undefined), 10_000);

	await sfs(box, ['daemon', 'start']);
	await waitFor('the daemon to wait on the lock', async () => ((await status(box)).capturing ? true : undefined), 20_000);
	// Several looks later, the TUI has found the daemon but still waits for its own capture.
	await new Promise(resolve => setTimeout(resolve, 1000));
	expect(tui!.captureState()).toBe('capturing');
	expect((await status(box)).captures).toBe(0);

	fs.rmSync(lock);
	await capturing;
	await waitFor('the TUI to attach once its capture ended', () => (tui!.captureState() === 'attached' ? true : undefined), 20_000);
	const states = progress.map(event => event.state);
	expect(states.lastIndexOf('capturing')).toBeLessThan(states.indexOf('attached'));
	// One of the two captures (serialised by the lock, in either order) found the session, the other nothing left to do.
	const afterwards = await waitIdle(box);
	expect(afterwards.errors.count).toBe(0);
	expect(afterwards.last_capture!.new + tui!.lastCaptureReport()!.new).toBe(1);
});

test('a TUI that attached at start to a running daemon captures in-process when the daemon stops, and says so', {timeout: 120_000}, async () => {
	const file = installFixture(box);
	await sfs(box, ['daemon', 'start']);
	await waitIdle(box);
	const {progress} = openTui();
	await tui!.capture(); // waits for the first look, then asks the daemon
	expect(tui!.captureState()).toBe('attached');
	expect(tui!.lastCaptureReport()).toBeUndefined();

	await sfs(box, ['daemon', 'stop']);
	appendUser(file, 'after the daemon stopped');
	await waitFor('an in-process capture', () => (tui!.lastCaptureReport() && tui!.captureState() === 'idle' ? true : undefined), 20_000);
	expect(progress.some(event => event.notice?.includes('capturing in-process again'))).toBe(true);
	await tui!.capture();
	expect((await tui!.search('after the daemon stopped')).length).toBe(1);
});
