import path from 'node:path';
import {note, print} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, numberFlag, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs server [--port 8000] [--data DIR] [--host 127.0.0.1]

		Runs the team sync server: an HTTP JSON API under /api/v1 that "sfs auth", "sfs push",
		"sfs pull", "sfs list-remote" and "sfs handoff" talk to. Data is one SQLite file plus a
		folder of session blobs under --data (default: <sfs data dir>/server). Email is not
		configured: verification and handoff links are printed here instead.

		Options
		  --port N              Port to listen on (default 8000; 0 picks a free one)
		  --host ADDR           Address to bind (default 127.0.0.1; 0.0.0.0 for a team)
		  --data DIR            Where the database and blobs live
		  --max-body BYTES      Largest request body (default 33554432)
		  --rate-limit N        Requests per user per minute (default 1200)
		  --max-pushes N        Pushes a user may run at once (default 8)

		Examples
		  $ sfs server --port 8000 --data /srv/sfs
		  $ sfs auth signup --url http://127.0.0.1:8000 --email me@example.com --password-stdin
	`,
	flags: {
		port: {type: 'string'},
		host: {type: 'string'},
		data: {type: 'string'},
		maxBody: {type: 'string'},
		rateLimit: {type: 'string'},
		maxPushes: {type: 'string'},
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
		const {SqliteStorage} = await import('../server/sqlite-storage.js');
		const {startServer, DEFAULT_LIMITS} = await import('../server/app.js');
		const data = path.resolve((flags.data as string | undefined) ?? path.join(dataDir(), 'server'));
		const delay = Number(process.env.SFS_SERVER_TEST_PUSH_DELAY_MS);
		const server = await startServer({
			storage: new SqliteStorage(data),
			host: (flags.host as string | undefined) ?? '127.0.0.1',
			port: numberFlag('port', flags.port) ?? 8000,
			bodyLimit: numberFlag('max-body', flags.maxBody, {min: 1024}),
			limits: {
				requestsPerWindow: numberFlag('rate-limit', flags.rateLimit, {min: 1}) ?? DEFAULT_LIMITS.requestsPerWindow,
				maxConcurrentPushes: numberFlag('max-pushes', flags.maxPushes, {min: 1}) ?? DEFAULT_LIMITS.maxConcurrentPushes,
			},
			log: note,
			pushDelayMs: Number.isFinite(delay) && delay > 0 ? delay : undefined,
		});
		print(`sfs server listening on ${server.url} (data ${data})`);
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

export default command;
