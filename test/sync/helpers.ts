/**
 * Sessions, temp homes and an in-process server on 127.0.0.1 for the sync tests, on either storage
 * backend: SQLite in a temp dir, or PostgreSQL (a fresh database per server, dropped at close; see
 * test/support/postgres.ts for where the PostgreSQL comes from).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {openEngine, type Engine} from '../../source/engine/open-engine.js';
import type {Message, Session} from '../../source/engine/types.js';
import {type RunningServer, type ServerOptions, startServer} from '../../source/server/app.js';
import {PostgresStorage} from '../../source/server/postgres-storage.js';
import {SqliteStorage} from '../../source/server/sqlite-storage.js';
import type {ServerStorage} from '../../source/server/storage.js';
import {createTestDatabase, postgresSkipReason, testPostgres, withClient} from '../support/postgres.js';

export function tempDir(prefix: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), `sfs-sync-${prefix}-`));
}

export function message(id: string, text: string, at = '2026-03-20T14:00:00.000Z'): Message {
	return {msg_id: id, role: 'user', content: [{type: 'text', text}], timestamp: at};
}

export function session(id: string, messages: Message[], extra: Partial<Session['manifest']> = {}): Session {
	return {
		manifest: {sfs_version: '0.1.0', session_id: id, title: `title of ${id}`, created_at: '2026-03-20T14:00:00.000Z', updated_at: '2026-03-20T14:00:00.000Z', source: {tool: 'claude-code'}, ...extra},
		messages,
	};
}

/** A "machine": its own HOME/SFS_HOME and an open engine over it. */
export type Machine = {root: string; env: NodeJS.ProcessEnv; engine: Engine; close(): void};

export function machine(name: string): Machine {
	const root = tempDir(name);
	const env: NodeJS.ProcessEnv = {HOME: path.join(root, 'home'), SFS_HOME: path.join(root, 'sfs'), PATH: process.env.PATH};
	fs.mkdirSync(env.HOME!, {recursive: true});
	const engine = openEngine({env});
	return {
		root,
		env,
		engine,
		close() {
			engine.close();
			fs.rmSync(root, {recursive: true, force: true});
		},
	};
}

export type BackendName = 'sqlite' | 'postgres';

/** A backend the suites run over; `skip` says why it cannot run on this machine (printed). */
export type Backend = {name: BackendName; skip?: string};

/**
 * The backends every server suite runs on: `describe.each(BACKENDS)`. SFS_TEST_BACKENDS=sqlite (or
 * postgres) narrows the list for a quick local run.
 */
export const BACKENDS: Backend[] = (['sqlite', 'postgres'] as const)
	.filter(name => !process.env.SFS_TEST_BACKENDS || process.env.SFS_TEST_BACKENDS.split(',').includes(name))
	.map(name => ({name, skip: name === 'postgres' ? postgresSkipReason() : undefined}));
for (const backend of BACKENDS) if (backend.skip) console.warn(`sync tests: skipping the ${backend.name} backend: ${backend.skip}`);

/** The backend of `server()` calls that name none: SFS_TEST_BACKEND, else SQLite. */
export function defaultBackend(): BackendName {
	return process.env.SFS_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * Where one server keeps its data, and a way for tests to look at it directly. `data` is a temp dir
 * on both backends (SQLite's file and blobs; for PostgreSQL only the --data argument). `env` is what
 * `sfs server` needs to use the same storage. `sql` takes `?` placeholders on both backends.
 */
export type StorageLocation = {
	backend: BackendName;
	data: string;
	databaseUrl?: string;
	env: Record<string, string>;
	open(): Promise<ServerStorage>;
	sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
	/** The hashes of the stored blobs, sorted. */
	blobHashes(): Promise<string[]>;
	/** Every row of every table but the blobs, as JSON text (to prove what is not stored). */
	dumpText(): Promise<string>;
	dispose(): Promise<void>;
};

export async function storageLocation(backend: BackendName = defaultBackend()): Promise<StorageLocation> {
	const data = tempDir('server');
	if (backend === 'sqlite') {
		const withDb = <T>(run: (db: Database.Database) => T): T => {
			const db = new Database(path.join(data, 'server.db'));
			try {
				return run(db);
			} finally {
				db.close();
			}
		};

		const blobRoot = path.join(data, 'blobs');
		return {
			backend,
			data,
			env: {},
			async open() {
				return new SqliteStorage(data);
			},
			async sql<Row>(text: string, params: unknown[] = []) {
				return withDb(db => {
					const statement = db.prepare(text);
					return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as Row[];
				});
			},
			async blobHashes() {
				if (!fs.existsSync(blobRoot)) return [];
				return fs
					.readdirSync(blobRoot)
					.flatMap(dir => fs.readdirSync(path.join(blobRoot, dir)))
					.filter(name => !name.startsWith('.'))
					.sort();
			},
			async dumpText() {
				return withDb(db => {
					const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{name: string}>;
					return tables.map(table => JSON.stringify(db.prepare(`SELECT * FROM "${table.name}"`).all())).join('\n');
				});
			},
			async dispose() {
				fs.rmSync(data, {recursive: true, force: true});
			},
		};
	}

	const available = await testPostgres();
	if ('skip' in available) throw new Error(`PostgreSQL is not available: ${available.skip}`);
	const database = await createTestDatabase(available.url);
	const query = <Row>(text: string, params: unknown[] = []) => {
		let n = 0;
		const numbered = text.replace(/\?/g, () => `$${++n}`);
		return withClient(database.url, async client => (await client.query(numbered, params)).rows as Row[]);
	};

	return {
		backend,
		data,
		databaseUrl: database.url,
		env: {SFS_DATABASE_URL: database.url},
		open: () => PostgresStorage.open(database.url, {poolSize: 20}),
		sql: query,
		async blobHashes() {
			return (await query<{hash: string}>('SELECT hash FROM blobs ORDER BY hash')).map(row => row.hash);
		},
		async dumpText() {
			const tables = await query<{table_name: string}>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'blobs'");
			const dumps = await Promise.all(tables.map(async table => JSON.stringify(await query(`SELECT * FROM "${table.table_name}"`))));
			return dumps.join('\n');
		},
		async dispose() {
			await database.drop();
			fs.rmSync(data, {recursive: true, force: true});
		},
	};
}

export type TestServer = RunningServer & {data: string; location: StorageLocation};

export async function server(options: Partial<ServerOptions> & {backend?: BackendName} = {}): Promise<TestServer> {
	const {backend, ...serverOptions} = options;
	const location = await storageLocation(backend);
	let running: RunningServer;
	try {
		running = await startServer({storage: await location.open(), host: '127.0.0.1', port: 0, ...serverOptions});
	} catch (error) {
		await location.dispose();
		throw error;
	}

	return {
		...running,
		data: location.data,
		location,
		async close() {
			await running.close();
			await location.dispose();
		},
	};
}

/** One raw request (no retries), for the server's own answers. */
export async function raw(url: string, method: string, route: string, options: {token?: string; body?: string | object; headers?: Record<string, string>} = {}) {
	const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const response = await fetch(`${url}${route}`, {
		method,
		headers: {...(body === undefined ? {} : {'content-type': 'application/json'}), ...(options.token ? {authorization: `Bearer ${options.token}`} : {}), ...options.headers},
		body,
		signal: AbortSignal.timeout(30_000),
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = text;
	}

	return {status: response.status, headers: response.headers, json: json as any};
}
