/**
 * PostgreSQL only: the server reaches its database through a TCP proxy the test can cut. A lost
 * database answers 503 with Retry-After (never a crash, never a hang), the client's retries carry a
 * push across the outage, and the pool never holds more connections than its bound.
 */
import net from 'node:net';
import {afterEach, describe, expect, test} from 'vitest';
import {startServer} from '../../source/server/app.js';
import {PostgresStorage} from '../../source/server/postgres-storage.js';
import {pushSession, signup} from '../../source/sync/client.js';
import {postgresSkipReason, withClient} from '../support/postgres.js';
import {machine, message, raw, session, storageLocation} from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP proxy to `target` on a fixed local port; `cut()` drops every connection and refuses new ones until `restore()`. */
async function proxy(target: {host: string; port: number}) {
	const sockets = new Set<net.Socket>();
	let listener: net.Server | undefined;
	let port = 0;
	const listen = () =>
		new Promise<void>((resolve, reject) => {
			listener = net.createServer(client => {
				const upstream = net.connect(target.port, target.host);
				for (const socket of [client, upstream]) {
					sockets.add(socket);
					socket.on('error', () => undefined);
					socket.on('close', () => {
						sockets.delete(socket);
						client.destroy();
						upstream.destroy();
					});
				}

				client.pipe(upstream).pipe(client);
			});
			listener.once('error', reject);
			listener.listen(port, '127.0.0.1', () => {
				const address = listener!.address();
				port = typeof address === 'object' && address ? address.port : port;
				resolve();
			});
		});
	await listen();
	return {
		get port() {
			return port;
		},
		async cut() {
			await new Promise<void>(resolve => {
				listener!.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			});
		},
		restore: listen,
	};
}

const skip = postgresSkipReason();

describe('the sync server when PostgreSQL goes away', {timeout: 60_000}, () => {
	if (skip) {
		test.skip(`postgres: ${skip}`, () => {});
		return;
	}

	async function setup(poolSize: number) {
		const location = await storageLocation('postgres');
		cleanups.push(() => location.dispose());
		const direct = new URL(location.databaseUrl!);
		const tunnel = await proxy({host: direct.hostname, port: Number(direct.port)});
		cleanups.push(() => tunnel.cut());
		const viaProxy = new URL(location.databaseUrl!);
		viaProxy.port = String(tunnel.port);
		const lines: string[] = [];
		const storage = await PostgresStorage.open(viaProxy.toString(), {poolSize, connectTimeoutMs: 1000, log: line => lines.push(line)});
		const srv = await startServer({storage, host: '127.0.0.1', port: 0, log: line => lines.push(line)});
		cleanups.push(() => srv.close());
		const m = machine('pg-outage');
		cleanups.push(() => m.close());
		const alice = await signup(srv.url, 'alice@example.com', 'alice-password', m.env);
		return {location, tunnel, srv, m, alice, lines};
	}

	test('requests answer 503 with Retry-After while the database is unreachable, and work again after', async () => {
		const {tunnel, srv, alice, lines} = await setup(3);
		const before = await raw(srv.url, 'PUT', '/api/v1/sessions/ses_00000000000000o1', {token: alice.token, body: session('ses_00000000000000o1', [message('o-1', 'before')])});
		expect(before.status).toBe(201);

		await tunnel.cut();
		for (const [method, route] of [
			['GET', '/api/v1/sessions'],
			['GET', '/api/v1/sessions/ses_00000000000000o1'],
			['GET', '/api/v1/auth/me'],
		] as const) {
			const answer = await raw(srv.url, method, route, {token: alice.token});
			expect(answer.status, `${method} ${route}`).toBe(503);
			expect(answer.headers.get('retry-after')).toBe('2');
			expect(answer.json.error.code).toBe('DATABASE_UNAVAILABLE');
		}

		const login = await raw(srv.url, 'POST', '/api/v1/auth/login', {body: {email: 'alice@example.com', password: 'alice-password'}});
		expect(login.status).toBe(503);
		// The process is up: routes that need no database still answer.
		expect((await raw(srv.url, 'GET', '/api/v1/health')).status).toBe(200);
		expect(lines.some(line => /database unavailable/.test(line))).toBe(true);

		await tunnel.restore();
		const after = await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000o1', {token: alice.token});
		expect(after.status).toBe(200);
		expect(after.json.session.messages.map((m: {msg_id: string}) => m.msg_id)).toEqual(['o-1']);
	});

	test("a push during an outage finishes on the client's retries once the database is back", async () => {
		const {tunnel, srv, m, alice} = await setup(3);
		m.engine.store.createSession(session('ses_00000000000000o2', [message('o-2', 'during the outage')]));
		await tunnel.cut();
		const retries: string[] = [];
		const pushing = pushSession(m.engine, alice, 'ses_00000000000000o2', value => value, {baseDelayMs: 100, attempts: 20, maxRetryAfterMs: 300, onRetry: reason => retries.push(reason)});
		await new Promise(resolve => setTimeout(resolve, 1500));
		await tunnel.restore();
		const pushed = await pushing;
		expect(pushed).toMatchObject({added: 1, message_count: 1});
		expect(retries.length).toBeGreaterThan(0);
		expect(retries.every(reason => /HTTP 503/.test(reason))).toBe(true);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token: alice.token})).json).toEqual([expect.objectContaining({session_id: 'ses_00000000000000o2'})]);
	});

	test('the pool stays within its bound under 40 concurrent requests', async () => {
		const {location, srv, alice} = await setup(3);
		const counts: number[] = [];
		const admin = new URL(location.databaseUrl!);
		admin.pathname = '/postgres';
		let done = false;
		const sampler = (async () => {
			while (!done) {
				const rows = await withClient(admin.toString(), async client =>
					(await client.query<{n: number}>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sfs server'", [location.databaseUrl!.split('/').pop()])).rows,
				);
				counts.push(rows[0]!.n);
				await new Promise(resolve => setTimeout(resolve, 20));
			}
		})();
		const answers = await Promise.all(Array.from({length: 40}, () => raw(srv.url, 'GET', '/api/v1/sessions', {token: alice.token})));
		done = true;
		await sampler;
		expect(answers.every(answer => answer.status === 200)).toBe(true);
		expect(counts.length).toBeGreaterThan(0);
		expect(Math.max(...counts)).toBeGreaterThan(0);
		expect(Math.max(...counts)).toBeLessThanOrEqual(3);
	});

	test('connections killed by the database (pg_terminate_backend, as on a restart): no 500s, no crash, the next requests work', async () => {
		const {location, srv, alice} = await setup(3);
		const warm = await Promise.all(Array.from({length: 6}, () => raw(srv.url, 'GET', '/api/v1/sessions', {token: alice.token})));
		expect(warm.every(answer => answer.status === 200)).toBe(true);
		const admin = new URL(location.databaseUrl!);
		admin.pathname = '/postgres';
		const killed = await withClient(admin.toString(), async client =>
			(await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sfs server'", [location.databaseUrl!.split('/').pop()])).rowCount,
		);
		expect(killed).toBeGreaterThan(0);
		const statuses: number[] = [];
		for (let i = 0; i < 10; i++) statuses.push((await raw(srv.url, 'GET', '/api/v1/sessions', {token: alice.token})).status);
		expect(statuses.every(status => status === 200 || status === 503)).toBe(true);
		expect(statuses.at(-1)).toBe(200);
	});
});
