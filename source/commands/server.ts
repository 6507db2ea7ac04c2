import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import type {ServerStorage} from '../server/storage.js';
import {note, print} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, numberFlag, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs server [--port 8000] [--data DIR] [--host 127.0.0.1]
		  $ SFS_DATABASE_URL=postgres://user:pass@host/db sfs server [--db-pool 10]

		Runs the team sync server: an HTTP JSON API under /api/v1 that "sfs auth", "sfs push",
		"sfs pull", "sfs list-remote" and "sfs handoff" talk to. By default data is one SQLite
		file plus a folder of session blobs under --data (default: <sfs data dir>/server). With
		SFS_DATABASE_URL=postgres://… everything (blobs included) lives in that PostgreSQL
		database instead, and several servers may share it. Migrations run at start. Without
		SFS_SMTP_URL email is off (air-gapped): verification and invite links are printed here.

		Options
		  --port N              Port to listen on (default 8000; 0 picks a free one)
		  --host ADDR           Address to bind (default 127.0.0.1; 0.0.0.0 for a team)
		  --data DIR            Where the SQLite database and blobs live
		  --max-body BYTES      Largest request body (default 33554432)
		  --rate-limit N        Requests per user per minute (default 1200)
		  --max-pushes N        Pushes a user may run at once (default 8)
		  --db-pool N           PostgreSQL connections this server may hold (default 10)

		Environment
		  SFS_DATABASE_URL      postgres://… (or postgresql://…): use PostgreSQL, not SQLite
		  SFS_SMTP_URL          smtp://host:port (or smtps://): mail verification and invites
		  SFS_MAIL_FROM         The sender of those mails
		  SFS_PUBLIC_URL        The server's address as teammates reach it, used in links

		Examples
		  $ sfs server --port 8000 --data /srv/sfs
		  $ SFS_DATABASE_URL=postgres://sfs:secret@db.internal/sfs sfs server --host 0.0.0.0
		  $ sfs auth signup --url http://127.0.0.1:8000 --email me@example.com --password-stdin
	`,
	flags: {
		port: {type: 'string'},
		host: {type: 'string'},
		data: {type: 'string'},
		maxBody: {type: 'string'},
		rateLimit: {type: 'string'},
		maxPushes: {type: 'string'},
		dbPool: {type: 'string'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('server', argv, spec);
		if (!parsed) return 0;
		expectArgs('server', parsed.input, 0, 0, 'nothing');
		const {flags} = parsed;
		const {dataDir} = await import('../engine/paths.js');
		const {startServer, DEFAULT_LIMITS} = await import('../server/app.js');
		const data = path.resolve((flags.data as string | undefined) ?? path.join(dataDir(), 'server'));
		const poolSize = numberFlag('db-pool', flags.dbPool, {min: 1});
		const {storage, where} = await openStorage(data, poolSize);
		const delay = Number(process.env.SFS_SERVER_TEST_PUSH_DELAY_MS);
		let server: Awaited<ReturnType<typeof startServer>>;
		try {
			server = await startServer({
				storage,
				host: (flags.host as string | undefined) ?? '127.0.0.1',
				port: numberFlag('port', flags.port, {max: 65_535}) ?? 8000,
				bodyLimit: numberFlag('max-body', flags.maxBody, {min: 1024}),
				limits: {
					requestsPerWindow: numberFlag('rate-limit', flags.rateLimit, {min: 1}) ?? DEFAULT_LIMITS.requestsPerWindow,
					maxConcurrentPushes: numberFlag('max-pushes', flags.maxPushes, {min: 1}) ?? DEFAULT_LIMITS.maxConcurrentPushes,
				},
				log: note,
				pushDelayMs: Number.isFinite(delay) && delay > 0 ? delay : undefined,
			});
		} catch (error) {
			await storage.close().catch(() => undefined);
			throw error;
		}

		print(`sfs server listening on ${server.url} (${where})`);
		const host = (flags.host as string | undefined) ?? '127.0.0.1';
		if (!['127.0.0.1', 'localhost', '::1'].includes(host)) note('sfs server: serving plain http beyond this machine: put it behind a TLS proxy (https) so passwords and tokens are encrypted');
		await new Promise<void>(resolve => {
			const stop = () => resolve();
			process.once('SIGINT', stop);
			process.once('SIGTERM', stop);
		});
		await server.close();
		note('sfs server: stopped');
		return 0;
	},
};

/** SQLite under `data`, or PostgreSQL when SFS_DATABASE_URL is set; `where` names it without a password. */
async function openStorage(data: string, poolSize: number | undefined): Promise<{storage: ServerStorage; where: string}> {
	const url = process.env.SFS_DATABASE_URL?.trim();
	if (url) {
		if (!/^postgres(ql)?:\/\//.test(url)) throw new SfsError('USAGE', 'SFS_DATABASE_URL must be a postgres:// or postgresql:// URL', {hint: 'unset it to use SQLite under --data'});
		const {PostgresStorage, redactUrl} = await import('../server/postgres-storage.js');
		return {storage: await PostgresStorage.open(url, {poolSize, log: note}), where: `database ${redactUrl(url)}`};
	}

	if (poolSize !== undefined) note('sfs server: --db-pool applies to PostgreSQL only (SFS_DATABASE_URL is not set)');
	const {SqliteStorage} = await import('../server/sqlite-storage.js');
	return {storage: new SqliteStorage(data), where: `data ${data}`};
}

export default command;
