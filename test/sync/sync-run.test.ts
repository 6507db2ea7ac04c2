/**
 * `runSync` both ways against the real server on 127.0.0.1 (and a strict-ETag fake that answers 412):
 * two "machines" (two HOMEs) on one account, conflicts merged with both sides kept, modes and the
 * watch list, the DLP gate, tombstones, bounded concurrency and 429s.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import {listRemote, login, pullSession, pushSession, signup} from '../../source/sync/client.js';
import {loadState, runLockPath, setMode, setWatched} from '../../source/sync/state.js';
import {runSync, type SyncProgress} from '../../source/sync/sync-run.js';
import {machine, message, server} from './helpers.js';
import {append, ids, pass, seed, strictServer} from './sync-support.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function twoMachines() {
	const a = machine('a');
	const b = machine('b');
	cleanups.push(() => a.close(), () => b.close());
	return {a, b};
}

async function realServer() {
	const srv = await server();
	cleanups.push(() => srv.close());
	const {a, b} = twoMachines();
	const onA = await signup(srv.url, 'ana@example.com', 'ana-password', a.env);
	const onB = await login(srv.url, 'ana@example.com', 'ana-password', b.env);
	return {srv, a, b, onA, onB};
}

const counts = (report: {pushed: number; pulled: number; merged: number; unchanged: number; failed: number}) => {
	const {pushed, pulled, merged, unchanged, failed} = report;
	return {pushed, pulled, merged, unchanged, failed};
};

describe('sfs sync (runSync)', {timeout: 60_000}, () => {
	test('mode all pushes every session; the other machine pulls them; a second run moves nothing', async () => {
		const {a, b, onA, onB} = await realServer();
		seed(a, 'ses_0000000000000a01', 3);
		seed(a, 'ses_0000000000000a02', 2);
		seed(b, 'ses_0000000000000b01', 4);
		setMode('all', a.env);
		const events: SyncProgress[] = [];
		const first = await runSync({engine: a.engine, credentials: onA, gate: pass, progress: event => events.push(event)});
		expect(counts(first)).toEqual({pushed: 2, pulled: 0, merged: 0, unchanged: 0, failed: 0});
		expect(events[0]).toEqual({kind: 'plan', push: 2, pull: 0, unchanged: 0, skipped: 0});
		expect(events.filter(event => event.kind === 'transfer').map(event => (event as {done: number}).done).sort()).toEqual([1, 2]);

		// B's autosync is off and it watches nothing: a manual sync pushes nothing of B's, pulls A's two.
		const onBFirst = await runSync({engine: b.engine, credentials: onB, gate: pass});
		expect(counts(onBFirst)).toEqual({pushed: 0, pulled: 2, merged: 0, unchanged: 0, failed: 0});
		expect(ids(b, 'ses_0000000000000a01')).toEqual(ids(a, 'ses_0000000000000a01'));
		expect(b.engine.index.getSession('ses_0000000000000a02')?.message_count).toBe(2);

		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 2, failed: 0});
		expect(counts(await runSync({engine: b.engine, credentials: onB, gate: pass}))).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 2, failed: 0});

		// Watching B's own session pushes it; A then pulls it.
		setWatched('ses_0000000000000b01', true, b.env);
		expect(counts(await runSync({engine: b.engine, credentials: onB, gate: pass}))).toMatchObject({pushed: 1, unchanged: 2});
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toMatchObject({pulled: 1, unchanged: 2});
		expect(ids(a, 'ses_0000000000000b01')).toEqual(['0b01-0', '0b01-1', '0b01-2', '0b01-3']);
		const state = loadState(a.env);
		expect(state.servers[onA.url]!.last_sync).toMatchObject({pulled: 1, unchanged: 2, failed: 0, by: 'cli'});
		expect(state.servers[onA.url]!.last_error).toBeNull();
	});

	test('a conflict from two machines is merged with both sides kept (server-side merge)', async () => {
		const {srv, a, b, onA, onB} = await realServer();
		seed(a, 'ses_00000000000000c1', 2, 'base');
		setMode('all', a.env);
		setMode('all', b.env);
		await runSync({engine: a.engine, credentials: onA, gate: pass});
		await runSync({engine: b.engine, credentials: onB, gate: pass});
		append(a, 'ses_00000000000000c1', [message('from-a-1', 'a one'), message('from-a-2', 'a two')], '2026-03-21T10:00:00.000Z');
		append(b, 'ses_00000000000000c1', [message('from-b-1', 'b one')], '2026-03-21T11:00:00.000Z');

		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toEqual({pushed: 1, pulled: 0, merged: 0, unchanged: 0, failed: 0});
		const onBReport = await runSync({engine: b.engine, credentials: onB, gate: pass});
		expect(counts(onBReport)).toEqual({pushed: 0, pulled: 0, merged: 1, unchanged: 0, failed: 0});
		expect(ids(b, 'ses_00000000000000c1')).toEqual(['base-0', 'base-1', 'from-b-1', 'from-a-1', 'from-a-2']);
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toEqual({pushed: 0, pulled: 1, merged: 0, unchanged: 0, failed: 0});
		expect(ids(a, 'ses_00000000000000c1')).toEqual(['base-0', 'base-1', 'from-a-1', 'from-a-2', 'from-b-1']);
		const remote = await fetch(`${srv.url}/api/v1/sessions/ses_00000000000000c1`, {headers: {authorization: `Bearer ${onA.token}`}});
		const body = (await remote.json()) as {session: {messages: Array<{msg_id: string}>}};
		const onServer = body.session.messages.map(item => item.msg_id);
		expect(new Set(onServer).size).toBe(onServer.length);
		expect([...onServer].sort()).toEqual(['base-0', 'base-1', 'from-a-1', 'from-a-2', 'from-b-1']);
		// Settled: nothing moves on either side, and both have the same messages.
		expect(counts(await runSync({engine: b.engine, credentials: onB, gate: pass}))).toMatchObject({unchanged: 1, pushed: 0, pulled: 0});
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toMatchObject({unchanged: 1, pushed: 0, pulled: 0});
		expect(b.engine.index.getSession('ses_00000000000000c1')?.message_count).toBe(5);
	});

	test('a stale If-Match answered 412: the client pulls, merges both sides and pushes again', async () => {
		const strict = await strictServer();
		cleanups.push(() => strict.close());
		const {a, b} = twoMachines();
		seed(a, 'ses_00000000000000e1', 2, 'base');
		setMode('all', a.env);
		setMode('all', b.env);
		await runSync({engine: a.engine, credentials: strict.credentials, gate: pass});
		expect(counts(await runSync({engine: b.engine, credentials: strict.credentials, gate: pass}))).toMatchObject({pulled: 1});
		append(a, 'ses_00000000000000e1', [message('from-a', 'a')]);
		append(b, 'ses_00000000000000e1', [message('from-b', 'b')]);
		expect(counts(await runSync({engine: a.engine, credentials: strict.credentials, gate: pass}))).toMatchObject({pushed: 1});
		expect(strict.stats.preconditionFailed).toBe(0);
		const merged = await runSync({engine: b.engine, credentials: strict.credentials, gate: pass});
		expect(counts(merged)).toEqual({pushed: 0, pulled: 0, merged: 1, unchanged: 0, failed: 0});
		expect(strict.stats.preconditionFailed).toBe(1);
		expect(ids(b, 'ses_00000000000000e1')).toEqual(['base-0', 'base-1', 'from-b', 'from-a']);
		expect(strict.stored.get('ses_00000000000000e1')!.session.messages.map(item => item.msg_id)).toEqual(['base-0', 'base-1', 'from-b', 'from-a']);
		expect(counts(await runSync({engine: a.engine, credentials: strict.credentials, gate: pass}))).toEqual({pushed: 0, pulled: 1, merged: 0, unchanged: 0, failed: 0});
		expect(ids(a, 'ses_00000000000000e1')).toEqual(['base-0', 'base-1', 'from-a', 'from-b']);
	});

	test('transfers are bounded (4 at once by default) and a 429 is waited out', async () => {
		const strict = await strictServer({putDelayMs: 150, throttle: 1, retryAfter: '1'});
		cleanups.push(() => strict.close());
		const {a} = twoMachines();
		for (let i = 0; i < 12; i++) seed(a, `ses_00000000000001${String(i).padStart(2, '0')}`, 2);
		setMode('all', a.env);
		const retries: string[] = [];
		const started = Date.now();
		const report = await runSync({engine: a.engine, credentials: strict.credentials, gate: pass, request: {onRetry: reason => retries.push(reason)}});
		expect(counts(report)).toEqual({pushed: 12, pulled: 0, merged: 0, unchanged: 0, failed: 0});
		expect(retries).toEqual(['HTTP 429: slow down']);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(strict.stats.maxInFlight).toBe(4);
		expect(strict.stored.size).toBe(12);
		for (let i = 0; i < 12; i++) seed(a, `ses_00000000000002${String(i).padStart(2, '0')}`, 1);
		strict.stats.maxInFlight = 0;
		expect((await runSync({engine: a.engine, credentials: strict.credentials, gate: pass, concurrency: 2})).pushed).toBe(12);
		expect(strict.stats.maxInFlight).toBe(2);
	});

	test('selective mode pushes watched sessions only; a DLP block fails once, then waits for a change; deleted sessions are not pulled back', async () => {
		const {a, b, onA, onB} = await realServer();
		seed(a, 'ses_00000000000000w1', 1);
		seed(a, 'ses_00000000000000w2', 1);
		seed(a, 'ses_00000000000000w3', 1);
		setMode('selective', a.env);
		setWatched('ses_00000000000000w1', true, a.env);
		setWatched('ses_00000000000000w3', true, a.env);
		const blockW3 = (session: Parameters<typeof pass>[0]) => {
			if (session.manifest.session_id === 'ses_00000000000000w3') throw new SfsError('BLOCKED', 'push blocked: 1 secret');
			return session;
		};
		const first = await runSync({engine: a.engine, credentials: onA, gate: blockW3});
		expect(counts(first)).toEqual({pushed: 1, pulled: 0, merged: 0, unchanged: 0, failed: 1});
		expect(first.failures).toEqual([{session_id: 'ses_00000000000000w3', direction: 'push', reason: 'push blocked: 1 secret'}]);
		expect(loadState(a.env).servers[onA.url]!.last_error?.message).toBe('push ses_00000000000000w3: push blocked: 1 secret');
		const second = await runSync({engine: a.engine, credentials: onA, gate: blockW3});
		expect(counts(second)).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 1, failed: 0});
		expect(second.skips).toEqual([{session_id: 'ses_00000000000000w3', reason: 'not sent again until it changes: push blocked: 1 secret (sfs push ses_00000000000000w3 tries it now)'}]);
		append(a, 'ses_00000000000000w3', [message('w3-more', 'changed')]);
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toMatchObject({pushed: 1, failed: 0});
		expect(loadState(a.env).servers[onA.url]!.last_error).toBeNull();

		// B pulls both, deletes one; the next sync does not bring it back.
		expect(counts(await runSync({engine: b.engine, credentials: onB, gate: pass}))).toMatchObject({pulled: 2});
		b.engine.store.delete('ses_00000000000000w1');
		b.engine.index.removeSession('ses_00000000000000w1');
		const afterDelete = await runSync({engine: b.engine, credentials: onB, gate: pass});
		expect(counts(afterDelete)).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 1, failed: 0});
		expect(afterDelete.skips.map(skip => skip.session_id)).toEqual(['ses_00000000000000w1']);
	});

	test('a session whose push is blocked here still takes what another machine pushed of it since', async () => {
		const {a, b, onA, onB} = await realServer();
		seed(a, 'ses_00000000000000k1', 2);
		setMode('all', a.env);
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toMatchObject({pushed: 1});
		expect(counts(await runSync({engine: b.engine, credentials: onB, gate: pass}))).toMatchObject({pulled: 1});

		// A's next message holds a secret: A's push is refused for good.
		append(a, 'ses_00000000000000k1', [message('k1-secret', 'the key is …')]);
		const blockK1 = (session: Parameters<typeof pass>[0]) => {
			if (session.manifest.session_id === 'ses_00000000000000k1') throw new SfsError('BLOCKED', 'push blocked: 1 secret');
			return session;
		};
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: blockK1}))).toMatchObject({failed: 1});

		// B continues the session and pushes it: A's next sync pulls B's message (and still sends nothing).
		append(b, 'ses_00000000000000k1', [message('k1-from-b', 'continued on b')]);
		setWatched('ses_00000000000000k1', true, b.env);
		expect(counts(await runSync({engine: b.engine, credentials: onB, gate: pass}))).toMatchObject({pushed: 1});
		const after = await runSync({engine: a.engine, credentials: onA, gate: blockK1});
		expect(counts(after)).toEqual({pushed: 0, pulled: 1, merged: 0, unchanged: 0, failed: 0});
		expect(ids(a, 'ses_00000000000000k1')).toEqual(['00k1-0', '00k1-1', 'k1-secret', 'k1-from-b']);
		const onServer = (await listRemote(onA)).find(entry => entry.session_id === 'ses_00000000000000k1');
		expect(onServer?.message_count).toBe(3);
		// The refusal still stands for what is only here: the next run says so, and sends nothing.
		const next = await runSync({engine: a.engine, credentials: onA, gate: blockK1});
		expect(counts(next)).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 0, failed: 0});
		expect(next.skips).toEqual([{session_id: 'ses_00000000000000k1', reason: expect.stringMatching(/^not sent again until it changes: push blocked: 1 secret/)}]);
	});

	test('a pull into a session with messages not sent yet leaves it to push: a later sync that selects it sends them', async () => {
		const {a, b, onA, onB} = await realServer();
		seed(a, 'ses_00000000000000u1', 1);
		await pushSession(a.engine, onA, 'ses_00000000000000u1', pass);
		// Autosync off, not watched: A's new message stays here; B continues the session and pushes.
		append(a, 'ses_00000000000000u1', [message('u1-only-on-a', 'written on a')]);
		await pullSession(b.engine, onB, 'ses_00000000000000u1');
		append(b, 'ses_00000000000000u1', [message('u1-from-b', 'written on b')]);
		await pushSession(b.engine, onB, 'ses_00000000000000u1', pass);
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toMatchObject({pulled: 1});
		expect(ids(a, 'ses_00000000000000u1')).toEqual(['00u1-0', 'u1-only-on-a', 'u1-from-b']);

		setMode('all', a.env);
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toMatchObject({pushed: 1});
		expect((await listRemote(onA)).find(entry => entry.session_id === 'ses_00000000000000u1')?.message_count).toBe(3);
		expect(counts(await runSync({engine: a.engine, credentials: onA, gate: pass}))).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 1, failed: 0});
	});

	test('a session the server refuses as too large fails once and is not resent until it changes', async () => {
		const srv = await server({bodyLimit: 20_000});
		cleanups.push(() => srv.close());
		const {a} = twoMachines();
		const ana = await signup(srv.url, 'big@example.com', 'big-password', a.env);
		seed(a, 'ses_00000000000000g1', 1);
		seed(a, 'ses_00000000000000g2', 1);
		append(a, 'ses_00000000000000g2', [message('huge', 'x'.repeat(30_000))]);
		setMode('all', a.env);
		const first = await runSync({engine: a.engine, credentials: ana, gate: pass, request: {attempts: 1}});
		expect(counts(first)).toEqual({pushed: 1, pulled: 0, merged: 0, unchanged: 0, failed: 1});
		expect(first.failures).toEqual([{session_id: 'ses_00000000000000g2', direction: 'push', reason: expect.stringMatching(/^server: /)}]);
		const second = await runSync({engine: a.engine, credentials: ana, gate: pass});
		expect(counts(second)).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 1, failed: 0});
		expect(second.skips).toEqual([{session_id: 'ses_00000000000000g2', reason: expect.stringMatching(/^not sent again until it changes: server: /)}]);
		append(a, 'ses_00000000000000g2', [message('more', 'still too big')]);
		expect(counts(await runSync({engine: a.engine, credentials: ana, gate: pass}))).toMatchObject({failed: 1});
	});

	test('a pull killed between appending messages and committing the manifest is completed by the next sync', async () => {
		const {a, b, onA, onB} = await realServer();
		seed(a, 'ses_00000000000000h1', 2, 'base');
		setMode('all', a.env);
		await runSync({engine: a.engine, credentials: onA, gate: pass});
		await runSync({engine: b.engine, credentials: onB, gate: pass});
		append(a, 'ses_00000000000000h1', [message('late-1', 'one'), message('late-2', 'two')]);
		await runSync({engine: a.engine, credentials: onA, gate: pass});
		// What a kill leaves on B: the two new lines are in messages.jsonl, the manifest and index still say 2.
		const file = path.join(b.engine.store.dir('ses_00000000000000h1'), 'messages.jsonl');
		fs.appendFileSync(file, `${JSON.stringify(message('late-1', 'one'))}\n${JSON.stringify(message('late-2', 'two'))}\n`);
		expect(b.engine.store.readManifest('ses_00000000000000h1').stats?.message_count).toBe(2);
		const report = await runSync({engine: b.engine, credentials: onB, gate: pass});
		expect(counts(report)).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 1, failed: 0});
		expect(ids(b, 'ses_00000000000000h1')).toEqual(['base-0', 'base-1', 'late-1', 'late-2']);
		expect(b.engine.store.readManifest('ses_00000000000000h1').stats?.message_count).toBe(4);
		expect(b.engine.index.getSession('ses_00000000000000h1')?.message_count).toBe(4);
		expect(b.engine.index.search('two', {sessionId: 'ses_00000000000000h1'}).length).toBe(1);
	});

	test("a teammate's session shared with an org is not pulled by sync, and once pulled by hand is never pushed as yours", async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const {a, b} = twoMachines();
		const ana = await signup(srv.url, 'ana@example.com', 'ana-password', a.env);
		const ben = await signup(srv.url, 'ben@example.com', 'ben-password', b.env);
		const {createOrg, inviteToOrg, joinOrg, shareWithOrg} = await import('../../source/sync/team-client.js');
		await createOrg(ana, 'crew', 5);
		const invite = await inviteToOrg(ana, 'crew', 'ben@example.com');
		await joinOrg(ben, invite.code ?? invite.url!);
		seed(a, 'ses_00000000000000s1', 2, 'ana');
		setMode('all', a.env);
		await runSync({engine: a.engine, credentials: ana, gate: pass});
		await shareWithOrg(ana, 'crew', 'ses_00000000000000s1');
		expect((await listRemote(ben)).map(row => [row.session_id, row.owner, row.org])).toEqual([['ses_00000000000000s1', 'ana@example.com', 'crew']]);

		setMode('all', b.env);
		seed(b, 'ses_00000000000000s2', 1, 'ben');
		expect(counts(await runSync({engine: b.engine, credentials: ben, gate: pass}))).toEqual({pushed: 1, pulled: 0, merged: 0, unchanged: 0, failed: 0});
		expect(b.engine.store.exists('ses_00000000000000s1')).toBe(false);

		// Ben takes it by hand and adds to it; his syncs leave it alone (it is ana's), and ana's copy is untouched.
		await pullSession(b.engine, ben, 'ses_00000000000000s1');
		append(b, 'ses_00000000000000s1', [message('ben-note', 'ben was here')]);
		expect(counts(await runSync({engine: b.engine, credentials: ben, gate: pass}))).toEqual({pushed: 0, pulled: 0, merged: 0, unchanged: 1, failed: 0});
		expect((await listRemote(ben)).filter(row => row.owner === 'ben@example.com').map(row => row.session_id)).toEqual(['ses_00000000000000s2']);
		expect((await listRemote(ana)).find(row => row.session_id === 'ses_00000000000000s1')?.message_count).toBe(2);
	});

	test('two runs never overlap: one waits for the holder of the run lock (and says so), or gives up at once when asked', async () => {
		const {a, onA} = await realServer();
		seed(a, 'ses_00000000000000l1', 1);
		setMode('all', a.env);
		const holder = spawn('sleep', ['1.5']);
		cleanups.push(() => holder.kill());
		const exited = new Promise(resolve => holder.once('exit', resolve));
		fs.mkdirSync(path.dirname(runLockPath(a.env)), {recursive: true});
		fs.writeFileSync(runLockPath(a.env), String(holder.pid));
		await expect(runSync({engine: a.engine, credentials: onA, gate: pass, lockWaitMs: 0})).rejects.toThrow(`another sfs sync is held by process ${holder.pid}`);
		const waited: number[] = [];
		const started = Date.now();
		const report = await runSync({engine: a.engine, credentials: onA, gate: pass, onWait: pid => waited.push(pid)});
		await exited;
		expect(waited).toEqual([holder.pid]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(report.pushed).toBe(1);
		expect(fs.existsSync(runLockPath(a.env))).toBe(false);
	});

	test('an unreachable server fails the run in one line and records the error', async () => {
		const {a} = twoMachines();
		seed(a, 'ses_00000000000000u1', 1);
		const gone = await strictServer();
		await gone.close();
		await expect(runSync({engine: a.engine, credentials: gone.credentials, gate: pass, request: {attempts: 2, baseDelayMs: 1}})).rejects.toThrow(/cannot reach the sfs server .* after 2 attempt\(s\): ECONNREFUSED/);
		expect(loadState(a.env).servers[gone.url]!.last_error?.message).toMatch(/cannot reach .*ECONNREFUSED/);
	});
});
