/**
 * A handoff its recipient has taken leaves their waiting list (GET /api/v1/handoffs), on a real server
 * on 127.0.0.1, each backend: only a successful import confirms it (POST /api/v1/handoffs/:id/taken),
 * taking it again by id works until it expires, only the recipient may confirm, and a server without
 * the endpoint (404) or one failing to answer leaves the import standing and the handoff listed.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {sessionsDir} from '../../source/engine/paths.js';
import {listHandoffs, pullHandoff, pushSession, signup} from '../../source/sync/client.js';
import type {Credentials} from '../../source/sync/credentials.js';
import {BACKENDS, type BackendName, machine, type Machine, message, raw, server, session} from './helpers.js';

const pass = (value: Parameters<Parameters<typeof pushSession>[3]>[0]) => value;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SESSION = 'ses_00000000000000t1';

/** alice pushes a session and hands it to bob; carol is a third account. */
async function setup(backend: BackendName) {
	const srv = await server({backend, mail: false});
	cleanups.push(() => srv.close());
	const people = {} as Record<'alice' | 'bob' | 'carol', {m: Machine; c: Credentials}>;
	for (const name of ['alice', 'bob', 'carol'] as const) {
		const m = machine(name);
		cleanups.push(() => m.close());
		people[name] = {m, c: await signup(srv.url, `${name}@example.com`, `${name}-password`, m.env)};
	}

	const {alice} = people;
	alice.m.engine.store.createSession(session(SESSION, [message('t-1', 'half done'), message('t-2', 'your turn')]));
	await pushSession(alice.m.engine, alice.c, SESSION, pass);
	const created = await raw(srv.url, 'POST', '/api/v1/handoffs', {token: alice.c.token, body: {session_id: SESSION, to: 'bob@example.com', message: 'over to you'}});
	expect(created.status).toBe(201);
	return {srv, ...people, handoffId: created.json.handoff_id as string};
}

const waitingIds = async (credentials: Credentials) => (await listHandoffs(credentials)).map(handoff => handoff.handoff_id);

describe.each(BACKENDS)('taken handoffs on $name', {timeout: 60_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('a failed import leaves the handoff waiting; a successful one takes it off the list; taking it again works until it expires', async () => {
		const {srv, bob, handoffId} = await setup(backend);
		expect(await waitingIds(bob.c)).toEqual([handoffId]);

		// The import fails after the handoff was fetched (a file where the session's folder goes): nothing is confirmed.
		fs.mkdirSync(sessionsDir(bob.m.env), {recursive: true});
		const blocker = path.join(sessionsDir(bob.m.env), SESSION);
		fs.writeFileSync(blocker, 'in the way');
		await expect(pullHandoff(bob.m.engine, bob.c, handoffId, bob.m.root)).rejects.toThrow(/session ses_00000000000000t1 already/);
		expect(await waitingIds(bob.c)).toEqual([handoffId]);
		expect((await srv.location.sql<{taken_at: string | null}>('SELECT taken_at FROM handoffs'))[0]!.taken_at).toBeNull();

		fs.rmSync(blocker);
		const taken = await pullHandoff(bob.m.engine, bob.c, handoffId, bob.m.root);
		expect(taken).toMatchObject({session_id: SESSION, created: true, message_count: 2, confirmation: {state: 'taken'}});
		const takenAt = taken.handoff.taken_at!;
		expect(Date.parse(takenAt)).toBeGreaterThan(Date.now() - 60_000);
		expect(bob.m.engine.store.readSession(SESSION).messages.map(m => m.msg_id)).toEqual(['t-1', 't-2']);
		expect(await waitingIds(bob.c)).toEqual([]);

		// Again by id: the session comes again (nothing new), the first taken time stays.
		const again = await pullHandoff(bob.m.engine, bob.c, handoffId, bob.m.root);
		expect(again).toMatchObject({created: false, added: 0, message_count: 2, confirmation: {state: 'taken', taken_at: takenAt}});
		const shown = await raw(srv.url, 'GET', `/api/v1/handoffs/${handoffId}`, {token: bob.c.token});
		expect(shown.json.handoff).toMatchObject({handoff_id: handoffId, taken_at: takenAt, message: 'over to you'});
		expect(await waitingIds(bob.c)).toEqual([]);

		// Expired: neither pulled nor confirmed any more.
		await srv.location.sql('UPDATE handoffs SET expires_at = ?', ['2020-01-01T00:00:00.000Z']);
		expect((await raw(srv.url, 'GET', `/api/v1/handoffs/${handoffId}`, {token: bob.c.token})).status).toBe(410);
		const late = await raw(srv.url, 'POST', `/api/v1/handoffs/${handoffId}/taken`, {token: bob.c.token});
		expect([late.status, late.json.error.code]).toEqual([410, 'EXPIRED']);
	});

	test('only the recipient marks a handoff taken: the sender 403, anyone else 404 like a missing one, anonymous 401', async () => {
		const {srv, alice, bob, carol, handoffId} = await setup(backend);
		const route = `/api/v1/handoffs/${handoffId}/taken`;
		const bySender = await raw(srv.url, 'POST', route, {token: alice.c.token});
		expect([bySender.status, bySender.json.error.code]).toEqual([403, 'FORBIDDEN']);
		const byStranger = await raw(srv.url, 'POST', route, {token: carol.c.token});
		const missing = await raw(srv.url, 'POST', '/api/v1/handoffs/hnd_ffffffffffffffff/taken', {token: carol.c.token});
		expect(byStranger.status).toBe(404);
		expect(byStranger.json.error.message.replace(handoffId, 'hnd_ffffffffffffffff')).toBe(missing.json.error.message);
		expect((await raw(srv.url, 'POST', route)).status).toBe(401);
		expect((await raw(srv.url, 'POST', '/api/v1/handoffs/not-an-id/taken', {token: bob.c.token})).status).toBe(404);
		// None of them took it off bob's list.
		expect(await waitingIds(bob.c)).toEqual([handoffId]);

		const first = await raw(srv.url, 'POST', route, {token: bob.c.token});
		expect(first.status).toBe(200);
		expect(first.json).toEqual({handoff_id: handoffId, taken_at: expect.any(String)});
		expect((await raw(srv.url, 'POST', route, {token: bob.c.token})).json).toEqual(first.json);
		expect(await waitingIds(bob.c)).toEqual([]);
	});

	test('the sender taking their own handoff: it still waits for its recipient, and nothing is reported as failed', async () => {
		const {alice, bob, handoffId} = await setup(backend);
		const own = await pullHandoff(alice.m.engine, alice.c, handoffId, alice.m.root);
		expect(own).toMatchObject({session_id: SESSION, created: false, confirmation: {state: 'not-recipient'}});
		expect(own.handoff.taken_at).toBeNull();
		expect(await waitingIds(bob.c)).toEqual([handoffId]);
	});

	test('a server without the endpoint (404), or one that fails to answer it: the import stands and the handoff stays listed', async () => {
		const {bob, srv, handoffId} = await setup(backend);
		const old = await forwarder(srv.url, {status: 404, body: {error: {code: 'NOT_FOUND', message: `no route POST /api/v1/handoffs/${handoffId}/taken`}}});
		const viaOld = {...bob.c, url: old.url};
		const taken = await pullHandoff(bob.m.engine, viaOld, handoffId, bob.m.root);
		expect(taken).toMatchObject({session_id: SESSION, created: true, message_count: 2, confirmation: {state: 'unsupported'}});
		expect(await waitingIds(viaOld)).toEqual([handoffId]);

		const failing = await forwarder(srv.url, {status: 503, body: {error: {code: 'BUSY', message: 'try later'}}});
		const viaFailing = {...bob.c, url: failing.url};
		const retried = await pullHandoff(bob.m.engine, viaFailing, handoffId, bob.m.root, {attempts: 2, baseDelayMs: 1});
		expect(retried).toMatchObject({created: false, message_count: 2, confirmation: {state: 'failed', error: expect.stringMatching(/HTTP 503: try later/)}});
		expect(await waitingIds(bob.c)).toEqual([handoffId]);
		expect(bob.m.engine.store.readSession(SESSION).messages.map(m => m.msg_id)).toEqual(['t-1', 't-2']);
	});
});

/** Forwards every request to `target` but answers POST …/taken itself with `answer` (as an older or failing server would). */
async function forwarder(target: string, answer: {status: number; body: object}): Promise<{url: string}> {
	const upstream = new URL(target);
	const proxy = http.createServer((request, response) => {
		if (request.method === 'POST' && /^\/api\/v1\/handoffs\/[^/]+\/taken$/.test(request.url ?? '')) {
			request.resume();
			response.writeHead(answer.status, {'content-type': 'application/json'}).end(JSON.stringify(answer.body));
			return;
		}

		const forward = http.request({host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers}, reply => {
			response.writeHead(reply.statusCode ?? 502, reply.headers);
			reply.pipe(response);
		});
		forward.on('error', () => response.destroy());
		request.pipe(forward);
	});
	await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
	cleanups.push(async () => {
		proxy.closeAllConnections();
		await new Promise(resolve => proxy.close(resolve));
	});
	return {url: `http://127.0.0.1:${(proxy.address() as {port: number}).port}`};
}
