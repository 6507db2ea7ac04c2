/** A real Fastify server on 127.0.0.1 whose GET /thing gives the listed error answers first, then 200; closed after each test. */
import Fastify from 'fastify';
import {afterEach} from 'vitest';

export type Answer = {status: number; headers?: Record<string, string>};
/** close() stops it early (then afterEach leaves it alone), to test a refused connection. */
export type FlakyServer = {url: string; hits: () => number; close: () => Promise<void>};

/** Registers the afterEach that closes every server; returns the function that starts one. */
export function flakyServers(): (answers: Answer[]) => Promise<FlakyServer> {
	const apps: Array<ReturnType<typeof Fastify>> = [];
	afterEach(async () => {
		for (const app of apps.splice(0)) await app.close();
	});
	return async answers => {
		const app = Fastify();
		apps.push(app);
		let hits = 0;
		app.get('/thing', async (_request, reply) => {
			const answer = answers[hits++];
			if (answer) return reply.code(answer.status).headers(answer.headers ?? {}).send({error: {code: 'X', message: `answer ${hits}`}});
			return {ok: true};
		});
		await app.listen({host: '127.0.0.1', port: 0});
		return {url: `http://127.0.0.1:${(app.server.address() as {port: number}).port}`, hits: () => hits, close: async () => {
			apps.splice(apps.indexOf(app), 1);
			await app.close();
		}};
	};
}
