/** Shared by the sfs sync tests: indexed local sessions, appends like capture makes, and a strict-ETag fake server. */
import {createHash} from 'node:crypto';
import http from 'node:http';
import Fastify from 'fastify';
import {manifestForIndex} from '../../source/engine/archive.js';
import {statsFor} from '../../source/engine/session-stats.js';
import type {Message, Session} from '../../source/engine/types.js';
import type {OutgoingGate} from '../../source/sync/client.js';
import {type Machine, message, session} from './helpers.js';

export const pass: OutgoingGate = value => value;

function reindex(m: Machine, id: string): void {
	const {manifest, messages} = m.engine.store.readSession(id);
	m.engine.index.transaction(() => {
		m.engine.index.removeSession(id);
		m.engine.index.upsertSession(manifestForIndex(manifest, messages));
		m.engine.index.addMessages(id, messages, 1);
	});
}

export function messages(prefix: string, count: number, from = 0): Message[] {
	return Array.from({length: count}, (_, i) => message(`${prefix}-${from + i}`, `${prefix} says ${from + i}`));
}

/** A session in the store and the index, as capture leaves it. */
export function seed(m: Machine, id: string, count: number, prefix = id.slice(-4)): void {
	const list = messages(prefix, count);
	m.engine.store.createSession(session(id, list, {stats: statsFor(list)}));
	reindex(m, id);
}

/** Appends messages the way capture does (manifest stats and updated_at move, index follows). */
export function append(m: Machine, id: string, added: Message[], at = new Date().toISOString()): void {
	const {manifest, messages: existing} = m.engine.store.readSession(id);
	m.engine.store.appendMessages(id, added, {...manifest, updated_at: at, stats: {...manifest.stats, ...statsFor([...existing, ...added])}});
	reindex(m, id);
}

export function ids(m: Machine, id: string): string[] {
	return m.engine.store.readSession(id).messages.map(item => item.msg_id);
}

/**
 * A server with strict ETags and no merging of its own: a PUT whose If-Match is not the current
 * version is answered 412; the client has to pull, merge and push again. Counts 412s and the most
 * PUTs in flight at once; `putDelayMs` keeps each PUT open a while; the first `throttle` requests get 429.
 */
export async function strictServer(options: {putDelayMs?: number; throttle?: number; retryAfter?: string} = {}) {
	const app = Fastify({bodyLimit: 64 * 1024 * 1024});
	const stored = new Map<string, {session: Session; etag: string; updated_at: string}>();
	const stats = {preconditionFailed: 0, inFlight: 0, maxInFlight: 0, puts: 0, throttled: 0};
	let throttle = options.throttle ?? 0;
	app.addHook('onRequest', async (request, reply) => {
		if (request.headers.authorization !== 'Bearer test-token') return reply.code(401).send({error: {code: 'UNAUTHORIZED', message: 'no'}});
		if (throttle > 0) {
			throttle--;
			stats.throttled++;
			return reply.code(429).header('retry-after', options.retryAfter ?? '1').send({error: {code: 'RATE_LIMITED', message: 'slow down'}});
		}
	});
	app.get('/api/v1/sessions', async () =>
		[...stored.entries()].map(([id, row]) => ({session_id: id, title: null, tool: 'claude-code', updated_at: row.updated_at, owner: 'strict@example.com', message_count: row.session.messages.length, etag: row.etag})),
	);
	app.get<{Params: {id: string}}>('/api/v1/sessions/:id', async (request, reply) => {
		const row = stored.get(request.params.id);
		if (!row) return reply.code(404).send({error: {code: 'NOT_FOUND', message: 'no such session'}});
		return reply.header('etag', `"${row.etag}"`).send({session_id: request.params.id, etag: row.etag, session: row.session});
	});
	app.put<{Params: {id: string}}>('/api/v1/sessions/:id', async (request, reply) => {
		stats.puts++;
		stats.inFlight++;
		stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
		try {
			if (options.putDelayMs) await new Promise(resolve => setTimeout(resolve, options.putDelayMs));
			const id = request.params.id;
			const current = stored.get(id);
			const ifMatch = (request.headers['if-match'] ?? '').replace(/"/g, '');
			if (current && ifMatch !== current.etag) {
				stats.preconditionFailed++;
				return reply.code(412).send({error: {code: 'PRECONDITION_FAILED', message: 'the session changed on the server'}});
			}

			const session = request.body as Session;
			const etag = createHash('sha256').update(JSON.stringify(session)).digest('hex');
			stored.set(id, {session, etag, updated_at: session.manifest.updated_at ?? session.manifest.created_at});
			return reply.code(current ? 200 : 201).header('etag', `"${etag}"`).send({session_id: id, etag, merged: false, added: session.messages.length - (current?.session.messages.length ?? 0), message_count: session.messages.length});
		} finally {
			stats.inFlight--;
		}
	});
	await app.listen({host: '127.0.0.1', port: 0});
	const url = `http://127.0.0.1:${(app.server.address() as {port: number}).port}`;
	return {url, stored, stats, credentials: {url, email: 'strict@example.com', token: 'test-token', token_id: 'tok_test'}, close: async () => app.close()};
}

/**
 * A TCP-level stand-in for the server: forwards HTTP to `target`, holding each single-session request
 * (GET or PUT /api/v1/sessions/<id>) for `delayMs` first. `close()` refuses connections from then on
 * (a server gone); `reopen()` listens again on the same port.
 */
export async function proxy(target: string, options: {delayMs?: number} = {}) {
	const upstream = new URL(target);
	let server: http.Server | undefined;
	let port = 0;
	const open = async () => {
		server = http.createServer((request, response) => {
			const slow = /^\/api\/v1\/sessions\/[^/]+$/.test(request.url ?? '');
			setTimeout(
				() => {
					const forward = http.request({host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers}, answer => {
						response.writeHead(answer.statusCode ?? 502, answer.headers);
						answer.pipe(response);
					});
					forward.on('error', () => response.destroy());
					request.pipe(forward);
				},
				slow ? (options.delayMs ?? 0) : 0,
			);
		});
		await new Promise<void>(resolve => server!.listen(port, '127.0.0.1', resolve));
		port = (server.address() as {port: number}).port;
	};

	await open();
	return {
		url: `http://127.0.0.1:${port}`,
		async close() {
			const closing = server;
			server = undefined;
			if (!closing) return;
			closing.closeAllConnections();
			await new Promise(resolve => closing.close(resolve));
		},
		reopen: open,
	};
}
