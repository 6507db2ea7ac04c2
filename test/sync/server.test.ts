/**
 * The sync server for real on 127.0.0.1 (random port), on each storage backend (SQLite in a temp dir;
 * PostgreSQL in a fresh database), driven by the sync
 * client library from two "machines" (two HOMEs): isolation on every endpoint, malformed and
 * oversized requests, rate limits, conflicts merged with both sides kept, 50 concurrent pushes.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {listRemote, login, loginWithToken, pullSession, pushSession, signup} from '../../source/sync/client.js';
import type {Credentials} from '../../source/sync/credentials.js';
import {startServer} from '../../source/server/app.js';
import type {ServerStorage} from '../../source/server/storage.js';
import {BACKENDS, type BackendName, machine, type Machine, message, raw, server, session, storageLocation} from './helpers.js';

const pass = (value: Parameters<Parameters<typeof pushSession>[3]>[0]) => value;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(backend: BackendName, options: Parameters<typeof server>[0] = {}) {
	const srv = await server({...options, backend});
	cleanups.push(() => srv.close());
	const a = machine('a');
	const b = machine('b');
	cleanups.push(() => a.close(), () => b.close());
	const alice = await signup(srv.url, 'alice@example.com', 'alice-password', a.env);
	const bob = await signup(srv.url, 'bob@example.com', 'bob-password', b.env);
	return {srv, a, b, alice, bob};
}

function seed(m: Machine, id: string, count: number, prefix = 'm'): void {
	m.engine.store.createSession(session(id, Array.from({length: count}, (_, i) => message(`${prefix}-${i}`, `${prefix} says ${i}`))));
}

describe.each(BACKENDS)('sync server on $name', {timeout: 60_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('push from one HOME, pull into another with the same account', async () => {
		const {srv, a, alice} = await setup(backend);
		seed(a, 'ses_00000000000000a1', 3);
		const pushed = await pushSession(a.engine, alice, 'ses_00000000000000a1', pass);
		expect(pushed).toMatchObject({merged: false, added: 3, message_count: 3});
		const c = machine('c');
		cleanups.push(() => c.close());
		const again = await login(srv.url, 'alice@example.com', 'alice-password', c.env);
		const pulled = await pullSession(c.engine, again, 'ses_00000000000000a1');
		expect(pulled).toMatchObject({created: true, message_count: 3, etag: pushed.etag});
		expect(c.engine.store.readSession('ses_00000000000000a1').messages.map(m => m.msg_id)).toEqual(['m-0', 'm-1', 'm-2']);
		expect(c.engine.index.getSession('ses_00000000000000a1')).toBeTruthy();
		const listed = await listRemote(again);
		expect(listed).toEqual([expect.objectContaining({session_id: 'ses_00000000000000a1', title: 'title of ses_00000000000000a1', tool: 'claude-code', owner: 'alice@example.com'})]);
		// The database holds a scrypt hash, not the password, and the SHA-256 of each token's secret, not the token.
		const [user] = await srv.location.sql<{password_hash: string}>('SELECT password_hash FROM users WHERE email = ?', ['alice@example.com']);
		expect(user!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
		expect(user!.password_hash).not.toContain('alice-password');
		const secret = alice.token.split('_').slice(3).join('_');
		const [token] = await srv.location.sql<{secret_sha256: string}>('SELECT secret_sha256 FROM tokens WHERE token_id = ?', [alice.token_id]);
		expect(token!.secret_sha256).toBe(createHash('sha256').update(secret).digest('hex'));
		const dump = await srv.location.dumpText();
		expect(dump).toContain(alice.token_id);
		expect(dump).not.toContain(secret);
		expect(dump).not.toContain('alice-password');
		for (const file of fs.readdirSync(srv.data).filter(name => name.startsWith('server.db'))) {
			expect(fs.readFileSync(path.join(srv.data, file)).includes(secret)).toBe(false);
		}
	});

	test('a conflicting push keeps both sides; a repeated push changes nothing', async () => {
		const {srv, a, alice} = await setup(backend);
		seed(a, 'ses_00000000000000c1', 2);
		await pushSession(a.engine, alice, 'ses_00000000000000c1', pass);
		const c = machine('c');
		cleanups.push(() => c.close());
		const other = await login(srv.url, 'alice@example.com', 'alice-password', c.env);
		await pullSession(c.engine, other, 'ses_00000000000000c1');
		// Both machines append different messages from the same base.
		const appendOn = (m: Machine, id: string) => {
			const manifest = m.engine.store.readManifest('ses_00000000000000c1');
			m.engine.store.appendMessages('ses_00000000000000c1', [message(id, `from ${id}`)], manifest);
		};

		appendOn(a, 'from-a');
		appendOn(c, 'from-c');
		const first = await pushSession(a.engine, alice, 'ses_00000000000000c1', pass);
		expect(first).toMatchObject({merged: false, added: 1, message_count: 3});
		const second = await pushSession(c.engine, other, 'ses_00000000000000c1', pass);
		expect(second).toMatchObject({merged: true, added: 1, message_count: 4, pulled: 1});
		expect(c.engine.store.readSession('ses_00000000000000c1').messages.map(m => m.msg_id)).toEqual(['m-0', 'm-1', 'from-c', 'from-a']);
		const pulledBack = await pullSession(a.engine, alice, 'ses_00000000000000c1');
		expect(pulledBack.added).toBe(1);
		expect(a.engine.store.readSession('ses_00000000000000c1').messages.map(m => m.msg_id)).toEqual(['m-0', 'm-1', 'from-a', 'from-c']);
		const repeat = await pushSession(a.engine, alice, 'ses_00000000000000c1', pass);
		expect(repeat).toMatchObject({added: 0, message_count: 4, etag: second.etag});
	});

	test('the server scans what it receives and says what it found, never echoing the secret', async () => {
		const {srv, alice} = await setup(backend);
		const secret = `ghp_${'a1B2c3D4e5F6g7H8i9J0'.repeat(2).slice(0, 36)}`;
		const pushed = await raw(srv.url, 'PUT', '/api/v1/sessions/ses_00000000000000f1', {token: alice.token, body: session('ses_00000000000000f1', [message('f-1', `token ${secret} and mail ana@corp.dev`)])});
		expect(pushed.status).toBe(201);
		expect(pushed.json).toMatchObject({dlp: {secrets: 1, personal: 1}});
		expect(JSON.stringify(pushed.json)).not.toContain(secret);
	});

	test('no user reads or writes what is not theirs, on every endpoint', async () => {
		const {srv, a, alice, bob} = await setup(backend);
		seed(a, 'ses_00000000000000d1', 2);
		await pushSession(a.engine, alice, 'ses_00000000000000d1', pass);
		const handoff = await raw(srv.url, 'POST', '/api/v1/handoffs', {token: alice.token, body: {session_id: 'ses_00000000000000d1', to: 'carol@example.com'}});
		expect(handoff.status).toBe(201);
		const hnd = handoff.json.handoff_id as string;

		// Bob: alice's session is not there for him (404, same as missing), his list is empty.
		expect((await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000d1', {token: bob.token})).status).toBe(404);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token: bob.token})).json).toEqual([]);
		// Bob cannot hand over alice's session, nor read a handoff meant for carol.
		expect((await raw(srv.url, 'POST', '/api/v1/handoffs', {token: bob.token, body: {session_id: 'ses_00000000000000d1', to: 'bob@example.com'}})).status).toBe(404);
		expect((await raw(srv.url, 'GET', `/api/v1/handoffs/${hnd}`, {token: bob.token})).status).toBe(404);
		expect((await raw(srv.url, 'GET', '/api/v1/handoffs', {token: bob.token})).json).toEqual([]);
		// Bob pushing the same id writes his own copy; alice's is untouched.
		const bobPush = await raw(srv.url, 'PUT', '/api/v1/sessions/ses_00000000000000d1', {token: bob.token, body: session('ses_00000000000000d1', [message('evil', 'overwrite')])});
		expect(bobPush.status).toBe(201);
		const alices = await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000d1', {token: alice.token});
		expect(alices.json.session.messages.map((m: {msg_id: string}) => m.msg_id)).toEqual(['m-0', 'm-1']);
		expect(alices.json.owner).toBe('alice@example.com');
		// Bob's logout revokes his token only.
		expect((await raw(srv.url, 'POST', '/api/v1/auth/logout', {token: bob.token})).json).toEqual({revoked: true});
		expect((await raw(srv.url, 'GET', '/api/v1/auth/me', {token: bob.token})).status).toBe(401);
		expect((await raw(srv.url, 'GET', '/api/v1/auth/me', {token: alice.token})).json.user.email).toBe('alice@example.com');

		// Without a token, or with a forged one, every endpoint refuses.
		const forged = alice.token.slice(0, -4) + 'AAAA';
		const routes: Array<[string, string, object?]> = [
			['GET', '/api/v1/auth/me'],
			['POST', '/api/v1/auth/logout'],
			['GET', '/api/v1/sessions'],
			['GET', '/api/v1/sessions/ses_00000000000000d1'],
			['PUT', '/api/v1/sessions/ses_00000000000000d1', session('ses_00000000000000d1', [])],
			['POST', '/api/v1/handoffs', {session_id: 'ses_00000000000000d1', to: 'x@example.com'}],
			['GET', '/api/v1/handoffs'],
			['GET', `/api/v1/handoffs/${hnd}`],
			['POST', `/api/v1/handoffs/${hnd}/taken`],
		];
		for (const [method, route, body] of routes) {
			for (const token of [undefined, forged, 'garbage']) {
				const answer = await raw(srv.url, method, route, {token, body});
				expect(answer.status, `${method} ${route} with ${token ?? 'no token'}`).toBe(401);
				expect(answer.json.error.code).toBe('UNAUTHORIZED');
			}
		}

		// Carol, the recipient, sees the handoff; alice (the sender) too.
		const carol = await signup(srv.url, 'carol@example.com', 'carol-password', a.env);
		expect((await raw(srv.url, 'GET', `/api/v1/handoffs/${hnd}`, {token: carol.token})).json.session.manifest.session_id).toBe('ses_00000000000000d1');
		expect((await raw(srv.url, 'GET', `/api/v1/handoffs/${hnd}`, {token: alice.token})).status).toBe(200);
		// Wrong password, taken email.
		expect((await raw(srv.url, 'POST', '/api/v1/auth/login', {body: {email: 'alice@example.com', password: 'wrong-password'}})).status).toBe(401);
		// The client says each failure once: no "log in again" under a wrong password or a message that says it already.
		const wrong = (await login(srv.url, 'alice@example.com', 'wrong-password', a.env).catch((error: unknown) => error)) as {message: string; hint?: string};
		expect([wrong.message, wrong.hint]).toEqual(['server: wrong email or password', undefined]);
		const garbage = (await loginWithToken(srv.url, 'garbage', a.env).catch((error: unknown) => error)) as {message: string; hint?: string};
		expect([garbage.message, garbage.hint]).toEqual(['server: a valid API token is required (sfs auth login)', undefined]);
		const revoked = (await loginWithToken(srv.url, `${alice.token.slice(0, -4)}xxxx`, a.env).catch((error: unknown) => error)) as {message: string; hint?: string};
		expect([revoked.message, revoked.hint]).toEqual(['server: this token is not valid (revoked or unknown)', 'log in again: sfs auth login --url URL']);
		// A mistyped short password at login is a wrong password, not a lesson in password rules.
		const short = await raw(srv.url, 'POST', '/api/v1/auth/login', {body: {email: 'alice@example.com', password: 'alice'}});
		expect(short.status).toBe(401);
		expect(short.json.error.message).toBe('wrong email or password');
		expect((await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'dave@example.com', password: 'short'}})).status).toBe(400);
		expect((await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'alice@example.com', password: 'another-password'}})).status).toBe(409);
	});

	test('malformed and oversized requests get a clear 4xx and the server stays up', async () => {
		const {srv, alice} = await setup(backend, {bodyLimit: 64 * 1024});
		const t = alice.token;
		const cases: Array<[string, string, string | object | undefined, number, RegExp]> = [
			['PUT', '/api/v1/sessions/ses_00000000000000e1', '{"manifest": ', 400, /JSON/],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', [1, 2], 400, /object/],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', {manifest: {}, messages: []}, 422, /manifest/],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', {...session('ses_00000000000000e1', []), messages: [{msg_id: 'x'}]}, 422, /message 1/],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', session('ses_00000000000000e2', []), 400, /is not ses_00000000000000e1/],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', session('ses_00000000000000e1', [message('a', 'x'), message('a', 'y')]), 400, /twice/],
			['PUT', '/api/v1/sessions/..%2F..%2Fetc', session('ses_00000000000000e1', []), 400, /session id/],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', session('ses_00000000000000e1', [message('big', 'x'.repeat(100 * 1024))]), 413, /body/i],
			['POST', '/api/v1/handoffs', {session_id: 'ses_00000000000000e1', to: 'not-an-email'}, 400, /email/],
			['POST', '/api/v1/auth/signup', {email: 'x@example.com', password: 'short'}, 400, /8 characters/],
			['POST', '/api/v1/auth/signup', 'null', 400, /object/],
			['GET', '/api/v1/nothing-here', undefined, 404, /no route/],
		];
		for (const [method, route, body, status, pattern] of cases) {
			const answer = await raw(srv.url, method, route, {token: t, body});
			expect(answer.status, `${method} ${route}`).toBe(status);
			expect(answer.json.error.message, `${method} ${route}`).toMatch(pattern);
		}

		expect((await raw(srv.url, 'GET', '/api/v1/health')).json).toEqual({ok: true});
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token: t})).json).toEqual([]);
	});

	test('over the rate limit: 429 with Retry-After; other users are not affected', async () => {
		const {srv, alice, bob} = await setup(backend, {limits: {requestsPerWindow: 5, windowMs: 60_000}});
		const statuses: number[] = [];
		let retryAfter: string | null = null;
		for (let i = 0; i < 7; i++) {
			const answer = await raw(srv.url, 'GET', '/api/v1/sessions', {token: alice.token});
			statuses.push(answer.status);
			if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
		}

		// Signup used one request of the window already.
		expect(statuses.filter(status => status === 200).length).toBeLessThanOrEqual(5);
		expect(statuses.at(-1)).toBe(429);
		expect(Number(retryAfter)).toBeGreaterThan(0);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token: bob.token})).status).toBe(200);
	});

	test('a GET or a push that reads a row whose blob the sweep took (the version was replaced meanwhile) reads the row again', async () => {
		// The storage runs `meanwhile` inside the next blob read, after the row naming that blob was read: another
		// push replaces the version and the sweep takes every unreferenced blob, the one about to be read too.
		const location = await storageLocation(backend);
		const real = await location.open();
		let meanwhile: (() => Promise<void>) | undefined;
		const storage = new Proxy(real, {
			get(target, key) {
				if (key === 'blob') {
					return async (hash: string) => {
						const run = meanwhile;
						meanwhile = undefined;
						await run?.();
						return target.blob(hash);
					};
				}

				const value = Reflect.get(target, key, target) as unknown;
				return typeof value === 'function' ? value.bind(target) : value;
			},
		}) as ServerStorage;
		const running = await startServer({storage, host: '127.0.0.1', port: 0});
		cleanups.push(async () => {
			await running.close();
			await location.dispose();
		});
		const a = machine('a');
		const b = machine('b');
		cleanups.push(() => a.close(), () => b.close());
		const alice = await signup(running.url, 'alice@example.com', 'alice-password', a.env);
		const onB = await login(running.url, 'alice@example.com', 'alice-password', b.env);
		seed(a, 'ses_00000000000000r1', 2, 'a');
		const first = await pushSession(a.engine, alice, 'ses_00000000000000r1', pass);
		let replaced = '';
		const replaceAndSweep = (prefix: string) => async () => {
			seed(b, 'ses_00000000000000r1', 2, prefix);
			replaced = (await pushSession(b.engine, onB, 'ses_00000000000000r1', pass)).etag;
			await real.sweepBlobs(0);
		};

		// A pull: its GET read the first version's row, then found that version's blob gone.
		// (Raw requests: the client would retry a 500 and hide it.)
		meanwhile = replaceAndSweep('b');
		const got = await raw(running.url, 'GET', '/api/v1/sessions/ses_00000000000000r1', {token: alice.token});
		expect(meanwhile).toBeUndefined();
		expect(replaced).not.toBe(first.etag);
		expect(await location.blobHashes()).not.toContain(first.etag);
		expect(got.status).toBe(200);
		expect(got.json.etag).toBe(replaced);
		expect(got.json.session.messages.map((m: {msg_id: string}) => m.msg_id).sort()).toEqual(['a-0', 'a-1', 'b-0', 'b-1']);

		// A push: its merge read the current row, then found that version's blob gone.
		a.engine.store.appendMessages('ses_00000000000000r1', [message('a-2', 'later')], a.engine.store.readManifest('ses_00000000000000r1'));
		const before = replaced;
		meanwhile = async () => {
			b.engine.store.appendMessages('ses_00000000000000r1', [message('b-2', 'also later')], b.engine.store.readManifest('ses_00000000000000r1'));
			replaced = (await pushSession(b.engine, onB, 'ses_00000000000000r1', pass)).etag;
			await real.sweepBlobs(0);
		};
		const local = a.engine.store.readSession('ses_00000000000000r1');
		const pushed = await raw(running.url, 'PUT', '/api/v1/sessions/ses_00000000000000r1', {token: alice.token, body: {manifest: local.manifest, messages: local.messages}});
		expect(meanwhile).toBeUndefined();
		expect(replaced).not.toBe(before);
		expect(pushed.status).toBe(200);
		expect(pushed.json).toMatchObject({added: 1, message_count: 6});
		const final = await raw(running.url, 'GET', '/api/v1/sessions/ses_00000000000000r1', {token: alice.token});
		expect(final.status).toBe(200);
		expect(final.json.session.messages.map((m: {msg_id: string}) => m.msg_id).sort()).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'b-2']);
	});

	test('unreferenced blobs are swept, current and handed-over versions stay; an expired handoff answers 410', async () => {
		const {srv, a, alice} = await setup(backend);
		seed(a, 'ses_00000000000000g1', 1);
		const first = await pushSession(a.engine, alice, 'ses_00000000000000g1', pass);
		const handoff = await raw(srv.url, 'POST', '/api/v1/handoffs', {token: alice.token, body: {session_id: 'ses_00000000000000g1', to: 'bob@example.com'}});
		a.engine.store.appendMessages('ses_00000000000000g1', [message('later', 'more')], a.engine.store.readManifest('ses_00000000000000g1'));
		const second = await pushSession(a.engine, alice, 'ses_00000000000000g1', pass);
		a.engine.store.appendMessages('ses_00000000000000g1', [message('latest', 'most')], a.engine.store.readManifest('ses_00000000000000g1'));
		const third = await pushSession(a.engine, alice, 'ses_00000000000000g1', pass);
		expect(await srv.location.blobHashes()).toEqual(expect.arrayContaining([first.etag, second.etag, third.etag]));
		const storage = await srv.location.open();
		try {
			expect(await storage.sweepBlobs(60_000)).toBe(0);
			await storage.sweepBlobs(0);
			// The second version is gone; the first stays for the handoff, the third is current.
			expect(await srv.location.blobHashes()).toEqual([first.etag, third.etag].sort());
		} finally {
			await storage.close();
		}

		const bob = await login(srv.url, 'bob@example.com', 'bob-password', a.env);
		const taken = await raw(srv.url, 'GET', `/api/v1/handoffs/${handoff.json.handoff_id}`, {token: bob.token});
		expect(taken.json.session.messages).toHaveLength(1);
		expect((await raw(srv.url, 'GET', '/api/v1/handoffs', {token: bob.token})).json).toEqual([expect.objectContaining({handoff_id: handoff.json.handoff_id})]);
		await srv.location.sql('UPDATE handoffs SET expires_at = ?', ['2020-01-01T00:00:00.000Z']);

		const expired = await raw(srv.url, 'GET', `/api/v1/handoffs/${handoff.json.handoff_id}`, {token: bob.token});
		expect(expired.status).toBe(410);
		expect(expired.json.error.message).toMatch(/expired/);
		// … and is no longer listed as waiting.
		expect((await raw(srv.url, 'GET', '/api/v1/handoffs', {token: bob.token})).json).toEqual([]);
	});

	test('50 concurrent pushes (25 sessions, 25 appends to one session): nothing lost', async () => {
		// Each push holds its slot 50 ms, so 50 at once must meet the bound of 4 (and retry).
		const {srv, a, alice} = await setup(backend, {limits: {maxConcurrentPushes: 4}, pushDelayMs: 50});
		const shared = 'ses_00000000000000f0';
		seed(a, shared, 1, 'base');
		await pushSession(a.engine, alice, shared, pass);
		const base = a.engine.store.readSession(shared);
		const ids = Array.from({length: 25}, (_, i) => `ses_00000000000001${String(i).padStart(2, '0')}`);
		for (const id of ids) seed(a, id, 2, id);
		const retries: string[] = [];
		const onRetry = (reason: string) => retries.push(reason);
		const pushes = [
			...ids.map(id => pushSession(a.engine, alice, id, pass, {baseDelayMs: 20, attempts: 40, onRetry})),
			// Each of these pushes the shared session from its own base plus one message of its own (as 25 machines would).
			...Array.from({length: 25}, (_, i) =>
				raw(srv.url, 'PUT', `/api/v1/sessions/${shared}`, {token: alice.token, body: {...base, messages: [...base.messages, message(`extra-${i}`, `extra ${i}`)]}}),
			),
		];
		const results = await Promise.all(pushes.map(async (push, i) => {
			if (i < 25) return push;
			// Raw pushes get no client retries: retry here on 429 until accepted.
			let answer = (await push) as Awaited<ReturnType<typeof raw>>;
			for (let attempt = 0; answer.status === 429 && attempt < 200; attempt++) {
				retries.push('raw 429');
				await new Promise(resolve => setTimeout(resolve, 20));
				answer = await raw(srv.url, 'PUT', `/api/v1/sessions/${shared}`, {token: alice.token, body: {...base, messages: [...base.messages, message(`extra-${i - 25}`, `extra ${i - 25}`)]}});
			}

			return answer;
		}));
		expect(results.slice(25).every(answer => (answer as {status: number}).status === 200)).toBe(true);
		expect(retries.filter(reason => /429/.test(reason)).length).toBeGreaterThan(0);
		const listed = await listRemote(alice);
		expect(listed).toHaveLength(26);
		for (const id of ids) expect(listed.find(row => row.session_id === id)?.message_count).toBe(2);
		const sharedRemote = await raw(srv.url, 'GET', `/api/v1/sessions/${shared}`, {token: alice.token});
		const msgIds = (sharedRemote.json.session.messages as Array<{msg_id: string}>).map(m => m.msg_id);
		expect(msgIds).toHaveLength(26);
		expect(new Set(msgIds)).toEqual(new Set(['base-0', ...Array.from({length: 25}, (_, i) => `extra-${i}`)]));
		expect(msgIds[0]).toBe('base-0');
	});
});
