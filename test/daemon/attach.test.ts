/**
 * Attach mode: the TUI's engine over a running (built, detached) daemon receives its events, shows
 * "attached", and sends capture requests to the daemon; when the daemon stops it works in-process.
 */
import {afterEach, beforeEach, expect, test} from 'vitest';
import {openTuiEngine} from '../../source/engine/daemon/attach.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {appendUser, FIXTURE_NATIVE_ID, installFixture, type Sandbox, sandbox, sfs, status, stopQuietly, waitFor, waitIdle} from './helpers.js';

let box: Sandbox;
let engine: Engine | undefined;

beforeEach(() => {
	box = sandbox();
});

afterEach(async () => {
	engine?.close();
	engine = undefined;
	await stopQuietly(box);
	box.cleanup();
});

const noWriters = async () => {
	throw new Error('no writers in this test');
};

test('the TUI engine attaches to a running daemon, updates live and asks it to capture', async () => {
	const file = installFixture(box);
	await sfs(box, ['daemon', 'start']);
	await waitIdle(box);
	engine = openEngine({env: box.env});
	const tui = await openTuiEngine(engine, {loadWriter: noWriters});
	try {
		expect(tui.attached).toBe(true);
		expect(tui.captureState()).toBe('attached');
		const [row] = await tui.listSessions();
		expect(row!.native_id).toBe(FIXTURE_NATIVE_ID);
		const before = row!.message_count;

		let changes = 0;
		tui.onSessionsChanged(() => changes++);
		appendUser(file, 'seen live by the TUI');
		await waitFor('a live update', () => (changes > 0 ? true : undefined), 3000);
		const [updated] = await tui.listSessions();
		expect(updated!.message_count).toBe(before + 1);
		expect((await tui.search('live by the TUI')).length).toBe(1);

		const capturesBefore = (await status(box)).captures;
		await tui.capture();
		expect((await status(box)).captures).toBeGreaterThan(capturesBefore);
		expect(tui.captureState()).toBe('attached');

		// The daemon goes away: the TUI captures in-process again.
		await sfs(box, ['daemon', 'stop']);
		await waitFor('detach', () => (tui.captureState() === 'idle' ? true : undefined), 3000);
	} finally {
		tui.close();
	}
});

test('createTuiEngine (as `sfs` calls it) attaches by itself: a capture request waits for the attempt and goes to the daemon', async () => {
	const file = installFixture(box);
	await sfs(box, ['daemon', 'start']);
	await waitIdle(box);
	engine = openEngine({env: box.env});
	const tui = createTuiEngine(engine, {loadWriter: noWriters, captureInWorker: false});
	const states: string[] = [];
	tui.onCaptureProgress(progress => states.push(progress.state));
	const capturesBefore = (await status(box)).captures;
	await tui.capture();
	expect(tui.captureState()).toBe('attached');
	expect(states).toContain('attached');
	expect(states).not.toContain('capturing');
	expect((await status(box)).captures).toBeGreaterThan(capturesBefore);
	expect(tui.lastCaptureReport()).toBeUndefined(); // Nothing captured in this process.

	let changes = 0;
	tui.onSessionsChanged(() => changes++);
	appendUser(file, 'live without openTuiEngine');
	await waitFor('a live update', () => (changes > 0 ? true : undefined), 3000);
});

test('without a daemon the TUI engine works in-process', async () => {
	engine = openEngine({env: box.env});
	const tui = await openTuiEngine(engine, {loadWriter: noWriters});
	expect(tui.attached).toBe(false);
	expect(tui.captureState()).toBe('idle');
	tui.close();
	const plain = createTuiEngine(engine, {loadWriter: noWriters, captureInWorker: false});
	await plain.capture();
	expect(plain.captureState()).toBe('idle');
	expect(plain.lastCaptureReport()).toMatchObject({new: 0});
});
