/**
 * The server's other checks that guard a write, under concurrent requests on a real server on
 * 127.0.0.1 (each backend). Each is safe because the check and the write are one statement or one
 * transaction in storage (a unique key, a compare-and-set, an UPDATE that keeps the first value), so
 * racing requests end as if run one after the other. Signups hash their passwords on libuv's thread
 * pool, so concurrent signups really interleave on both backends.
 */
import {afterEach, describe, expect, test} from 'vitest';
import {BACKENDS, message, raw, server, session} from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(BACKENDS)('server races on $name', {timeout: 120_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	async function setup() {
		const srv = await server({backend, mail: false});
		cleanups.push(() => srv.close());
		return srv;
	}

	test('signups with one email at once: one account (201), the others 409 EMAIL_TAKEN; the winner\'s token works', async () => {
		const srv = await setup();
		const answers = await Promise.all(
			Array.from({length: 6}, (_, i) => raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: i % 2 ? 'Same@Example.com' : 'same@example.com', password: `password-${i}`}})),
		);
		expect(answers.map(answer => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
		for (const answer of answers.filter(item => item.status === 409)) expect(answer.json.error.code).toBe('EMAIL_TAKEN');
		expect(await srv.location.sql('SELECT id FROM users WHERE email = ?', ['same@example.com'])).toHaveLength(1);
		const winner = answers.find(answer => answer.status === 201)!;
		expect((await raw(srv.url, 'GET', '/api/v1/auth/me', {token: winner.json.token})).json.user.email).toBe('same@example.com');
	});

	test('a handoff confirmed taken by several requests at once: all answer the first taken_at', async () => {
		const srv = await setup();
		const [alice, bob] = await Promise.all(['alice', 'bob'].map(async name => (await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: `${name}@example.com`, password: `${name}-password`}})).json.token as string));
		const id = 'ses_00000000000000r1';
		expect((await raw(srv.url, 'PUT', `/api/v1/sessions/${id}`, {token: alice, body: session(id, [message('r-1', 'hello')])})).status).toBe(201);
		const handoff = (await raw(srv.url, 'POST', '/api/v1/handoffs', {token: alice, body: {session_id: id, to: 'bob@example.com'}})).json.handoff_id as string;
		const answers = await Promise.all(Array.from({length: 8}, () => raw(srv.url, 'POST', `/api/v1/handoffs/${handoff}/taken`, {token: bob})));
		expect(answers.map(answer => answer.status)).toEqual(Array.from({length: 8}, () => 200));
		expect(new Set(answers.map(answer => answer.json.taken_at)).size).toBe(1);
		const stored = await srv.location.sql<{taken_at: string}>('SELECT taken_at FROM handoffs WHERE handoff_id = ?', [handoff]);
		expect(stored.map(row => row.taken_at)).toEqual([answers[0]!.json.taken_at]);
	});

	test('logging out several times at once with one token, while it is in use: revoked once; then the token lets nothing through', async () => {
		const srv = await setup();
		const token = (await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'carol@example.com', password: 'carol-password'}})).json.token as string;
		const answers = await Promise.all([
			...Array.from({length: 4}, () => raw(srv.url, 'POST', '/api/v1/auth/logout', {token})),
			...Array.from({length: 4}, () => raw(srv.url, 'GET', '/api/v1/sessions', {token})),
		]);
		const logouts = answers.slice(0, 4);
		// A logout either revokes, finds it revoked already (false), or is refused as unauthenticated.
		expect(logouts.filter(answer => answer.status === 200 && answer.json.revoked === true)).toHaveLength(1);
		for (const answer of logouts) expect(answer.status === 401 ? 'refused' : typeof answer.json.revoked).toBeOneOf(['refused', 'boolean']);
		for (const answer of answers.slice(4)) expect(answer.status).toBeOneOf([200, 401]);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token})).status).toBe(401);
	});

	test('documents created at once with If-None-Match: * : one 201, the others 412; stale If-Match writes: one wins', async () => {
		const srv = await setup();
		const token = (await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'dave@example.com', password: 'dave-password'}})).json.token as string;
		const put = (content: string, headers: Record<string, string>) => raw(srv.url, 'PUT', '/api/v1/docs/project', {token, body: {project: 'dir:race', content}, headers});
		const creates = await Promise.all(Array.from({length: 6}, (_, i) => put(`version ${i}`, {'if-none-match': '*'})));
		expect(creates.map(answer => answer.status).sort()).toEqual([201, 412, 412, 412, 412, 412]);
		const base = creates.find(answer => answer.status === 201)!.json.etag as string;
		const updates = await Promise.all(Array.from({length: 6}, (_, i) => put(`update ${i}`, {'if-match': `"${base}"`})));
		expect(updates.map(answer => answer.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
		const winner = updates.find(answer => answer.status === 200)!;
		const stored = await raw(srv.url, 'GET', '/api/v1/docs/project?project=dir:race', {token});
		expect(stored.json.etag).toBe(winner.json.etag);
	});
});
