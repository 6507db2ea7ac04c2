/**
 * The Handoff screen (ink-testing-library): not logged in (the exact login command), handing the session in
 * view to a teammate (form, validation, DLP result), a DLP block, writing a bundle, pulling a received
 * handoff (what differs), keys typed into the form staying there, help and footer. Then the real engine's
 * handoff actions against an in-process server and two stores, driven through the same screen.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import type {BundleWritten, HandoffEngine, HandoffInfo, HandoffLogin, HandoffSent, HandoffTaken} from '../../source/engine/handoff-actions.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {serverState, updateState} from '../../source/sync/state.js';
import {readBundle} from '../../source/sync/bundle.js';
import {defaultBundleName} from '../../source/views/handoff-controller.js';
import {handoffReducer, initialHandoffState} from '../../source/views/handoff-state.js';
import {signup} from '../../source/sync/client.js';
import {loadCredentials} from '../../source/sync/credentials.js';
import {type Machine, machine, message, server, session} from '../sync/helpers.js';
import {FakeEngine, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	cleanup();
	for (const each of cleanups.splice(0).reverse()) await each();
});

const KEY = {fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', public_key: 'x'.repeat(44)};

function login(overrides: Partial<HandoffLogin> = {}): HandoffLogin {
	return {
		logged_in: true,
		url: 'http://127.0.0.1:8000',
		email: 'ana@example.com',
		reachable: true,
		error: null,
		login_command: 'sfs auth login --url http://127.0.0.1:8000 --email ana@example.com --password-stdin',
		signup_command: 'sfs auth signup --url http://127.0.0.1:8000 --email ana@example.com --password-stdin',
		signing_key: KEY,
		...overrides,
	};
}

const future = new Date(Date.now() + 7 * 86_400_000 + 60_000).toISOString();
const received: HandoffInfo[] = [
	{handoff_id: 'hnd_00000000000000a1', from: 'ben@example.com', to: 'ana@example.com', session_id: 'ses_from_ben_1', message: 'tests still red', workspace: {}, created_at: '2026-11-25T10:00:00Z', expires_at: future},
	{handoff_id: 'hnd_00000000000000a2', from: 'cy@example.com', to: 'ana@example.com', session_id: 'ses_from_cy_2', message: null, workspace: {}, created_at: '2026-11-25T11:00:00Z', expires_at: future},
];

/** The fake TUI engine plus scripted handoff answers. */
class HandoffFake extends FakeEngine implements HandoffEngine {
	loginState = login();
	inbox = received;
	sendError: Error | undefined;

	async handoffLogin() {
		this.calls.push({method: 'handoffLogin', args: []});
		return this.loginState;
	}

	async sendHandoff(sessionId: string, to: string, note?: string): Promise<HandoffSent> {
		this.calls.push({method: 'sendHandoff', args: [sessionId, to, note]});
		if (this.sendError) throw this.sendError;
		return {handoff_id: 'hnd_0123456789abcdef', url: 'http://127.0.0.1:8000/api/v1/handoffs/hnd_0123456789abcdef', expires_at: future, to, session_id: sessionId, dlp: {action: 'redact', notices: ['dlp: redacted 1 secret(s) in session x (github-token ×1)']}};
	}

	async receivedHandoffs() {
		this.calls.push({method: 'receivedHandoffs', args: []});
		return this.inbox;
	}

	async takeHandoff(handoffId: string): Promise<HandoffTaken> {
		this.calls.push({method: 'takeHandoff', args: [handoffId]});
		return {handoff_id: handoffId, session_id: 'ses_from_cy_2', from: 'cy@example.com', message: null, message_count: 8, added: 8, created: true, folder: '/home/dev/app', differences: ['git commit: sender 1111111, here 2222222']};
	}

	async writeHandoffBundle(sessionId: string, file: string, note?: string): Promise<BundleWritten> {
		this.calls.push({method: 'writeHandoffBundle', args: [sessionId, file, note]});
		return {file: `/home/dev/${file}`, bundle_id: 'bnd_0000000000000001', session_id: sessionId, fingerprint: KEY.fingerprint, sender: 'ana@example.com', dlp: {action: 'pass', notices: []}};
	}
}

async function ready(engine: FakeEngine, size = {columns: 120, rows: 34}) {
	const app = renderApp(engine, size);
	await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
	return app;
}

describe('Handoff screen', () => {
	test('not logged in: says so with the exact command to run; n explains instead of opening a form', async () => {
		const engine = new HandoffFake(makeRows(3));
		engine.loginState = login({logged_in: false, url: null, email: null, reachable: null, signing_key: null});
		const app = await ready(engine);
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Server: not logged in. To hand off by email, run in a shell:'));
		const frame = app.frame();
		expect(frame).toContain('sfs auth login --url http://127.0.0.1:8000 --email ana@example.com --password-stdin');
		expect(frame).toContain('Bundle key: none yet');
		expect(frame).toContain('Handoff · session 001');
		expect(frame).toContain('Received: log in to see the handoffs sent to you.');
		expect(engine.callsTo('receivedHandoffs')).toHaveLength(0);
		app.stdin.write('n');
		await vi.waitFor(() => expect(app.frame()).toContain('✗ Handoff failed: not logged in to an sfs server; run: sfs auth login --url'));
		expect(app.frame()).not.toContain('To (email)');
		// After logging in elsewhere, r checks again.
		engine.loginState = login();
		app.stdin.write('r');
		await vi.waitFor(() => expect(app.frame()).toContain('Server: http://127.0.0.1:8000 · logged in as ana@example.com'));
		await vi.waitFor(() => expect(app.frame()).toContain('Received (2)'));
	});

	test('a short terminal (60x15), logged out, bundle form open: no line is drawn over another, the form shows whole', async () => {
		const engine = new HandoffFake(makeRows(3));
		engine.loginState = login({logged_in: false, url: null, email: null, reachable: null, signing_key: null});
		const app = await ready(engine, {columns: 60, rows: 15});
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Server: not logged in.'));
		const lines = () => app.frame().split('\n');
		expect(lines()[1]).toContain('Handoff · session 001');
		expect(app.frame()).toContain('… (a taller terminal shows the rest)');
		expect(app.frame()).toContain('Received: log in');
		expect(lines()).toHaveLength(14);
		app.stdin.write('b');
		await vi.waitFor(() => expect(app.frame()).toContain('Bundle file:'));
		expect(lines()[1]).toContain('Handoff · session 001');
		for (const text of ['Write a signed bundle file (offline handoff)', 'Message (optional):', 'Enter next · Esc cancels']) {
			expect(lines().filter(line => line.includes(text))).toHaveLength(1);
		}

		// Every line of the frame is one of the screen's own lines: none is two texts drawn over each other.
		expect(app.frame()).not.toMatch(/--email[a-z]/);
		expect(lines()).toHaveLength(14);
	});

	test('from the Session screen: hand it off by email; the form validates; id, url, expiry and DLP result are shown', async () => {
		const engine = new HandoffFake(makeRows(3));
		const app = await ready(engine);
		app.stdin.write('j');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Please fix the flaky login test in session 002'));
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Handoff · session 002 (sess-002)'));
		await vi.waitFor(() => expect(app.frame()).toContain('Received (2)'));
		expect(app.frame()).toMatch(/n hand off/);
		app.stdin.write('n');
		await vi.waitFor(() => expect(app.frame()).toContain('To (email):'));
		expect(app.frame()).toMatch(/Enter accept/);
		// Keys that mean something elsewhere are text here.
		app.stdin.write('q1s');
		await vi.waitFor(() => expect(app.frame()).toContain('q1s'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('an email address is needed'));
		app.stdin.write('\u0015'); // Ctrl+U clears
		app.stdin.write('ben@example.com');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter sends'));
		app.stdin.write('half done, see the last test');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('✓ Handed off to ben@example.com as hnd_0123456789abcdef'));
		expect(engine.callsTo('sendHandoff')[0]!.args).toEqual(['sess-002', 'ben@example.com', 'half done, see the last test']);
		const frame = app.frame();
		expect(frame).toMatch(/expires \d{4}-\d\d-\d\dT.* \(in 1w\)/);
		expect(frame).toContain('url: http://127.0.0.1:8000/api/v1/handoffs/hnd_0123456789abcdef');
		expect(frame).toContain('they run: sfs pull-handoff hnd_0123456789abcdef');
		expect(frame).toContain('DLP (redact): redacted 1 secret(s)');
		expect(frame).not.toContain('To (email):');
	});

	test('a DLP block is shown as the failure and the form stays to try again; Esc closes it, then Esc leaves', async () => {
		const engine = new HandoffFake(makeRows(2));
		engine.sendError = new SfsError('BLOCKED', 'handoff blocked: session sess-001 contains 1 secret(s) (github-token ×1)', {hint: 'redact instead: sfs dlp policy set secrets redact'});
		const app = await ready(engine);
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Received (2)'));
		app.stdin.write('n');
		await vi.waitFor(() => expect(app.frame()).toContain('To (email):'));
		app.stdin.write('ben@example.com\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Enter sends'));
		app.stdin.write(keys.enter);
		// The whole one-line error is shown (wrapped to the width), not cut.
		await vi.waitFor(() => expect(app.frame().replaceAll(/\s+/g, ' ')).toContain('✗ Handoff failed: handoff blocked: session sess-001 contains 1 secret(s) (github-token ×1) (redact instead: sfs dlp policy set secrets redact)'));
		expect(app.frame()).toContain('To (email):');
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).not.toContain('To (email):'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
	});

	test('write a bundle: the file name is suggested, the message optional; the result names the file and key', async () => {
		const engine = new HandoffFake(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Received (2)'));
		app.stdin.write('b');
		await vi.waitFor(() => expect(app.frame()).toContain('Bundle file:'));
		expect(app.frame()).toContain('handoff-sess-001.sfs-bundle');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter sends'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('✓ Wrote /home/dev/handoff-sess-001.sfs-bundle'));
		expect(engine.callsTo('writeHandoffBundle')[0]!.args).toEqual(['sess-001', 'handoff-sess-001.sfs-bundle', '']);
		expect(app.frame()).toContain(`signed by ${KEY.fingerprint} (ana@example.com)`);
		expect(app.frame()).toContain('they run: sfs import /home/dev/handoff-sess-001.sfs-bundle');
		expect(app.frame()).toContain('DLP: nothing sensitive found');
	});

	test('received handoffs: j moves (also chunked), Enter pulls the selected one and shows what differs; help lists the keys', async () => {
		const engine = new HandoffFake(makeRows(2));
		engine.inbox = [...received, {...received[0]!, handoff_id: 'hnd_00000000000000a3', from: 'dee@example.com'}];
		const app = await ready(engine);
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Received (3)'));
		expect(app.frame()).toMatch(/› hnd_00000000000000a1 {2}from ben@example.com {2}ses_from_ben_1 {2}“tests still red” {2}expires in 1w/);
		app.stdin.write('jj'); // one chunk, two moves (G10)
		await vi.waitFor(() => expect(app.frame()).toMatch(/› hnd_00000000000000a3/));
		app.stdin.write('k');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› hnd_00000000000000a2/));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('✓ Pulled ses_from_cy_2 from cy@example.com (8 message(s), 8 new)'));
		expect(engine.callsTo('takeHandoff')[0]!.args).toEqual(['hnd_00000000000000a2']);
		// Taken, it leaves the list (the server's list drops it too).
		expect(app.frame()).toContain('Received (2)');
		expect(app.frame()).not.toContain('hnd_00000000000000a2');
		expect(app.frame()).toContain('differs: git commit: sender 1111111, here 2222222');
		expect(app.frame()).toContain('continue: sfs resume ses_from_cy_2');
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Handoff'));
		expect(app.frame()).toContain('Write a signed bundle file (offline handoff)');
		expect(app.frame()).toContain('Pull the selected handoff (shows what differs here)');
		app.stdin.write('?');
		app.stdin.write('1');
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
	});

	test('with no session at all, n and b say to pick one first', async () => {
		const engine = new HandoffFake([]);
		const app = renderApp(engine, {columns: 120, rows: 34});
		await vi.waitFor(() => expect(app.frame()).toContain('sfs'));
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('No session selected: pick one in Sessions (1), then press 4.'));
		app.stdin.write('b');
		await vi.waitFor(() => expect(app.frame()).toContain('✗ Bundle not written: no session to hand off'));
	});
});

describe('Handoff screen over the real engine and an in-process server', () => {
	async function twoMachines() {
		const running = await server();
		cleanups.push(() => running.close());
		const made: Machine[] = [];
		for (const name of ['tui-a', 'tui-b']) {
			const each = machine(name);
			cleanups.push(() => each.close());
			made.push(each);
		}

		return {running, a: made[0]!, b: made[1]!};
	}

	const noWriters = async () => {
		throw new Error('no writers in this test');
	};

	function tuiOver(m: Machine) {
		const tui = createTuiEngine(m.engine, {loadWriter: noWriters, captureInWorker: false, autoAttach: false});
		return tui;
	}

	test('logged out, the login command suggests the server this machine synced with last (sync state v2)', async () => {
		const m = machine('tui-last');
		cleanups.push(() => m.close());
		expect((await tuiOver(m).handoffLogin()).login_command).toContain('--url http://127.0.0.1:8000 ');
		updateState(m.env, state => serverState(state, 'https://sfs.team.example:9443'));
		const login = await tuiOver(m).handoffLogin();
		expect(login.logged_in).toBe(false);
		expect(login.login_command).toBe('sfs auth login --url https://sfs.team.example:9443 --email you@example.com --password-stdin');
	});

	test('A hands the selected session to B and writes a bundle; B sees it in Received and pulls it', async () => {
		const {running, a, b} = await twoMachines();
		const id = 'ses_00000000000000t1';
		const stored = session(id, [message('t-1', 'the cache key ignores the locale'), message('t-2', 'fixed in cache.ts, tests pending')], {metadata: {cwd: a.root}});
		a.engine.store.createSession(stored);
		a.engine.index.upsertSession(stored.manifest);
		await signup(running.url, 'ana@example.com', 'ana-password-1', a.env);
		await signup(running.url, 'ben@example.com', 'ben-password-1', b.env);
		expect(loadCredentials(b.env)?.email).toBe('ben@example.com');

		const appA = renderApp(tuiOver(a) as unknown as FakeEngine, {columns: 140, rows: 34});
		cleanups.push(() => appA.unmount());
		await vi.waitFor(() => expect(appA.frame()).toContain(`title of ${id}`));
		appA.stdin.write('4');
		await vi.waitFor(() => expect(appA.frame()).toContain(`Server: ${running.url} · logged in as ana@example.com`), {timeout: 10_000});
		await vi.waitFor(() => expect(appA.frame()).toContain('Received: no handoffs for you'));
		appA.stdin.write('n');
		await vi.waitFor(() => expect(appA.frame()).toContain('To (email):'));
		appA.stdin.write('ben@example.com');
		appA.stdin.write(keys.enter);
		await vi.waitFor(() => expect(appA.frame()).toContain('Enter sends'));
		appA.stdin.write('locale bug');
		appA.stdin.write(keys.enter);
		await vi.waitFor(() => expect(appA.frame()).toMatch(/✓ Handed off to ben@example\.com as hnd_[0-9a-f]{16}/), {timeout: 15_000});
		expect(appA.frame()).toContain('DLP: nothing sensitive found');
		const handoffId = /as (hnd_[0-9a-f]{16})/.exec(appA.frame())![1]!;
		expect(appA.frame()).toContain(`url: ${running.url}/api/v1/handoffs/${handoffId}`);

		// The bundle action writes a signed file where the TUI runs (here: the test's temp folder).
		appA.stdin.write('b');
		await vi.waitFor(() => expect(appA.frame()).toContain('Bundle file:'));
		appA.stdin.write('\u0015');
		const bundle = path.join(a.root, 'to-ben.sfs-bundle');
		appA.stdin.write(bundle);
		appA.stdin.write(keys.enter);
		await vi.waitFor(() => expect(appA.frame()).toContain('Enter sends'));
		appA.stdin.write(keys.enter);
		await vi.waitFor(() => expect(appA.frame()).toContain(`✓ Wrote ${bundle}`), {timeout: 10_000});
		const verified = readBundle(bundle);
		expect(verified.payload.session.manifest.session_id).toBe(id);
		expect(verified.payload.sender.email).toBe('ana@example.com');
		await vi.waitFor(() => expect(appA.frame()).toContain(`Bundle key: ${verified.signer.fingerprint}`));

		const appB = renderApp(tuiOver(b) as unknown as FakeEngine, {columns: 140, rows: 34});
		cleanups.push(() => appB.unmount());
		await vi.waitFor(() => expect(appB.frame()).toContain('sfs'));
		appB.stdin.write('4');
		await vi.waitFor(() => expect(appB.frame()).toContain('Received (1)'), {timeout: 10_000});
		expect(appB.frame()).toMatch(new RegExp(`› ${handoffId} {2}from ana@example.com {2}${id} {2}“locale bug”`));
		appB.stdin.write(keys.enter);
		await vi.waitFor(() => expect(appB.frame()).toContain(`✓ Pulled ${id} from ana@example.com (2 message(s), 2 new)`), {timeout: 15_000});
		expect(appB.frame()).toContain('message: locale bug');
		expect(b.engine.store.readSession(id).messages.map(m => m.msg_id)).toEqual(['t-1', 't-2']);
		// The list on B reloads with the pulled session.
		appB.stdin.write('1');
		await vi.waitFor(() => expect(appB.frame()).toContain(`title of ${id}`));
		expect(fs.existsSync(bundle)).toBe(true);
	}, 60_000);
});

describe('handoff reducer and helpers', () => {
	test('the cursor stays inside the received list; a new list clamps it', () => {
		let state = handoffReducer(initialHandoffState, {type: 'handoff/received', items: received});
		state = handoffReducer(state, {type: 'handoff/move', delta: 1});
		state = handoffReducer(state, {type: 'handoff/move', delta: 1});
		expect(state.received.cursor).toBe(1);
		state = handoffReducer(state, {type: 'handoff/received', items: received.slice(0, 1)});
		expect(state.received.cursor).toBe(0);
		expect(handoffReducer(state, {type: 'handoff/move', delta: -1}).received.cursor).toBe(0);
	});

	test('a taken handoff leaves the received list, unless the server still lists it (older server, or it was not told)', () => {
		const [first, second] = received as [HandoffInfo, HandoffInfo];
		const taken = (handoffId: string, stillWaiting?: boolean): HandoffTaken => ({handoff_id: handoffId, session_id: 's', from: null, message: null, message_count: 1, added: 1, created: true, folder: '/', differences: [], still_waiting: stillWaiting});
		let state = handoffReducer(initialHandoffState, {type: 'handoff/received', items: [first, second]});
		state = handoffReducer(state, {type: 'handoff/move', delta: 1});
		expect(handoffReducer(state, {type: 'handoff/outcome', outcome: {kind: 'taken', value: taken(second.handoff_id, true)}}).received.items).toEqual([first, second]);
		state = handoffReducer(state, {type: 'handoff/outcome', outcome: {kind: 'taken', value: taken(second.handoff_id)}});
		expect(state.received).toMatchObject({items: [first], cursor: 0});
	});

	test('a form keeps its text through a failure and closes on success; opening another session drops it', () => {
		let state = handoffReducer({...initialHandoffState, sessionId: 'a'}, {type: 'handoff/form', kind: 'send'});
		state = handoffReducer(state, {type: 'handoff/edit', event: {command: 'input/insert', text: 'ben@example.com'}});
		state = handoffReducer(state, {type: 'handoff/outcome', outcome: {kind: 'failed', action: 'send', error: 'blocked'}});
		expect(state.form).toMatchObject({kind: 'send', to: {value: 'ben@example.com'}});
		expect(handoffReducer(state, {type: 'handoff/open', sessionId: 'a'}).form).toBeDefined();
		expect(handoffReducer(state, {type: 'handoff/open', sessionId: 'b'}).form).toBeUndefined();
		const taken = {handoff_id: 'h', session_id: 's', from: null, message: null, message_count: 1, added: 1, created: true, folder: '/', differences: []};
		expect(handoffReducer(state, {type: 'handoff/outcome', outcome: {kind: 'taken', value: taken}}).form).toBeUndefined();
	});

	test('the suggested bundle name comes from the session id', () => {
		expect(defaultBundleName('ses_3f2a9b8c7d6e5f40')).toBe('handoff-3f2a9b8c.sfs-bundle');
		expect(defaultBundleName('b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e')).toBe('handoff-b2c3d4e5.sfs-bundle');
		expect(defaultBundleName('../../etc')).toBe('handoff-etc.sfs-bundle');
	});
});

const hasTmux = (() => {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
})();

const builtCli = path.resolve(import.meta.dirname, '../../dist/cli.js');

describe.skipIf(!hasTmux || !fs.existsSync(builtCli))('Handoff screen of the built sfs in a real tmux', () => {
	const socket = `sfs-handoff-tui-${process.pid}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const screen = (target: string) => tmux('capture-pane', '-p', '-t', target);
	const wait = {timeout: 30_000, interval: 150};

	afterEach(() => {
		try {
			tmux('kill-server'); // the private socket's server only
		} catch {}
	});

	/** `sfs` (the TUI) for one machine in its own tmux session; the pane stays readable after it exits. */
	function launch(name: string, m: Machine): void {
		const env = Object.entries({...m.env, XDG_CONFIG_HOME: path.join(m.root, 'config'), XDG_DATA_HOME: path.join(m.root, 'data'), XDG_CACHE_HOME: path.join(m.root, 'cache'), CI: 'false', TERM: 'xterm-256color', LANG: 'C.UTF-8'})
			.map(([key, value]) => `${key}='${String(value)}'`)
			.join(' ');
		tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '32', `cd '${m.root}' && env -i ${env} '${process.execPath}' '${builtCli}'; echo "SFS-EXITED $?"; sleep 60`);
	}

	test('A hands a session to B by email and writes a bundle; B pulls it; both quit cleanly', async () => {
		const running = await server();
		cleanups.push(() => running.close());
		const a = machine('tmux-a');
		const b = machine('tmux-b');
		cleanups.push(() => a.close(), () => b.close());
		const id = 'ses_00000000000000x1';
		const stored = session(id, [message('x-1', 'the retry loop never backs off'), message('x-2', 'added jitter, one test left')], {metadata: {cwd: a.root}});
		a.engine.store.createSession(stored);
		a.engine.index.upsertSession(stored.manifest);
		await signup(running.url, 'ana@example.com', 'ana-password-1', a.env);
		await signup(running.url, 'ben@example.com', 'ben-password-1', b.env);

		launch('a', a);
		await vi.waitFor(() => expect(screen('a')).toContain(`title of ${id}`), wait);
		tmux('send-keys', '-t', 'a', '4');
		await vi.waitFor(() => expect(screen('a')).toContain(`Server: ${running.url} · logged in as ana@example.com`), wait);
		tmux('send-keys', '-t', 'a', 'n');
		await vi.waitFor(() => expect(screen('a')).toContain('To (email):'), wait);
		tmux('send-keys', '-t', 'a', '-l', 'ben@example.com');
		tmux('send-keys', '-t', 'a', 'Enter');
		await vi.waitFor(() => expect(screen('a')).toContain('Enter sends'), wait);
		tmux('send-keys', '-t', 'a', '-l', 'jitter added');
		tmux('send-keys', '-t', 'a', 'Enter');
		await vi.waitFor(() => expect(screen('a')).toMatch(/✓ Handed off to ben@example\.com as hnd_[0-9a-f]{16}/), wait);
		expect(screen('a')).toContain('they run: sfs pull-handoff hnd_');
		tmux('send-keys', '-t', 'a', 'b');
		await vi.waitFor(() => expect(screen('a')).toContain('Bundle file:'), wait);
		tmux('send-keys', '-t', 'a', 'Enter');
		tmux('send-keys', '-t', 'a', 'Enter');
		const bundle = path.join(a.root, 'handoff-00000000.sfs-bundle');
		await vi.waitFor(() => expect(screen('a')).toContain(`✓ Wrote ${bundle}`), wait);
		expect(readBundle(bundle).payload.session.manifest.session_id).toBe(id);

		launch('b', b);
		await vi.waitFor(() => expect(screen('b')).toContain('sfs'), wait);
		tmux('send-keys', '-t', 'b', '4');
		await vi.waitFor(() => expect(screen('b')).toContain('Received (1)'), wait);
		expect(screen('b')).toMatch(/› hnd_[0-9a-f]{16} {2}from ana@example\.com/);
		tmux('send-keys', '-t', 'b', 'Enter');
		await vi.waitFor(() => expect(screen('b')).toContain(`✓ Pulled ${id} from ana@example.com (2 message(s), 2 new)`), wait);
		expect(screen('b')).toContain('message: jitter added');

		for (const name of ['a', 'b']) {
			tmux('send-keys', '-t', name, 'Escape');
			// eslint-disable-next-line no-await-in-loop
			await vi.waitFor(() => expect(screen(name)).toContain('q quit'), wait);
			tmux('send-keys', '-t', name, 'q');
			// eslint-disable-next-line no-await-in-loop
			await vi.waitFor(() => expect(screen(name)).toContain('SFS-EXITED 0'), wait);
		}
	}, 120_000);
});
