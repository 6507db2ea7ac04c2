/**
 * A PostgreSQL for the tests. `SFS_TEST_DATABASE_URL` (set by scripts/test-all.sh in CI) names a
 * server whose role may CREATE DATABASE; without it, a private throwaway cluster is started from
 * /usr/lib/postgresql/<version>/bin in a temp dir on a free port (as the postgres user when running
 * as root), once per test process, and stopped when that process ends, however it ends.
 *
 * When neither is possible the PG tests skip with a printed reason, unless SFS_TEST_REQUIRE_POSTGRES=1
 * (CI): then they fail. Vitest forces CI=false in its workers (Ink), so CI cannot be read here.
 */
import {execFileSync, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type PostgresAvailability = {url: string; source: 'env' | 'private'} | {skip: string};

/** A database of its own for one suite; `drop()` removes it (and any connections left to it). */
export type TestDatabase = {url: string; name: string; drop(): Promise<void>};

let cluster: Promise<PostgresAvailability> | undefined;

export function postgresRequired(): boolean {
	return process.env.SFS_TEST_REQUIRE_POSTGRES === '1' || Boolean(process.env.SFS_TEST_DATABASE_URL);
}

/** The admin URL of a reachable server, or why there is none. Throws instead when PG is required. */
export function testPostgres(): Promise<PostgresAvailability> {
	cluster ??= locate().then(found => {
		if ('skip' in found && postgresRequired()) throw new Error(`PostgreSQL is required here (SFS_TEST_REQUIRE_POSTGRES/SFS_TEST_DATABASE_URL) but: ${found.skip}`);
		return found;
	});
	return cluster;
}

/** CREATE DATABASE sfs_test_<random> on the test server. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
	const name = `sfs_test_${randomBytes(6).toString('hex')}`;
	await withClient(adminUrl, client => client.query(`CREATE DATABASE ${name}`));
	const url = withDatabase(adminUrl, name);
	return {
		url,
		name,
		async drop() {
			await withClient(adminUrl, client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
		},
	};
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 10_000});
	await client.connect();
	try {
		return await run(client);
	} finally {
		await client.end().catch(() => undefined);
	}
}

export function withDatabase(url: string, database: string): string {
	const parsed = new URL(url);
	parsed.pathname = `/${database}`;
	return parsed.toString();
}

/**
 * Why the PG tests cannot run here, known without starting anything (undefined: they can, or they
 * must, and then any failure to start is a test failure).
 */
export function postgresSkipReason(): string | undefined {
	if (postgresRequired()) return undefined;
	if (!postgresBin()) return 'no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and pg_config --bindir); install postgresql or set SFS_TEST_DATABASE_URL';
	if (process.getuid?.() === 0 && !postgresUser()) return 'running as root and there is no "postgres" user to run a private cluster as';
	return undefined;
}

async function locate(): Promise<PostgresAvailability> {
	const given = process.env.SFS_TEST_DATABASE_URL;
	if (given) {
		// Required: an unreachable server is a failure, never a skip.
		await withClient(given, client => client.query('SELECT 1'));
		return {url: given, source: 'env'};
	}

	const bin = postgresBin();
	if (!bin) return {skip: 'no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and pg_config --bindir); install postgresql or set SFS_TEST_DATABASE_URL'};
	const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
	if (process.getuid?.() === 0 && !runAs) return {skip: 'running as root and there is no "postgres" user to run a private cluster as'};
	return {url: await startPrivateCluster(bin, runAs), source: 'private'};
}

function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter(name => fs.existsSync(path.join(root, name, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length > 0) return path.join(root, versions[0]!, 'bin');
	try {
		const bindir = execFileSync('pg_config', ['--bindir'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
		return fs.existsSync(path.join(bindir, 'initdb')) ? bindir : undefined;
	} catch {
		return undefined;
	}
}

function postgresUser(): {uid: number; gid: number} | undefined {
	try {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim());
		return Number.isInteger(uid) && Number.isInteger(gid) ? {uid, gid} : undefined;
	} catch {
		return undefined;
	}
}

/** Runs a server binary as the postgres user (setpriv execs in place, so signals reach postgres itself). */
function asUser(runAs: {uid: number; gid: number} | undefined, file: string, args: string[]): [string, string[]] {
	if (!runAs) return [file, args];
	return ['setpriv', [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', file, ...args]];
}

async function startPrivateCluster(bin: string, runAs: {uid: number; gid: number} | undefined): Promise<string> {
	for (let attempt = 0; ; attempt++) {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-test-pg-'));
		const log = `${root}.log`;
		if (runAs) fs.chownSync(root, runAs.uid, runAs.gid);
		const data = path.join(root, 'data');
		const [initdb, initArgs] = asUser(runAs, path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
		execFileSync(initdb, initArgs, {stdio: ['ignore', 'ignore', 'pipe'], cwd: root});
		const port = await freePort();
		const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
		const [postgres, pgArgs] = asUser(runAs, path.join(bin, 'postgres'), [
			'-D', data, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1',
			'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300',
		]);
		const quoted = [postgres, ...pgArgs].map(arg => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
		// A watchdog shell owns the cluster: once this test process is gone (ended, crashed or killed)
		// it stops postgres and removes the temp dir, so no cluster outlives its tests. When postgres
		// itself fails to start, the log stays for the error message below.
		const watchdog = spawn(
			'sh',
			[
				'-c',
				`${quoted} >"$LOG" 2>&1 & pg=$!
				while kill -0 "$OWNER" 2>/dev/null && kill -0 "$pg" 2>/dev/null; do sleep 0.5; done
				kill -INT "$pg" 2>/dev/null; wait "$pg"; rm -rf "$ROOT"
				kill -0 "$OWNER" 2>/dev/null || rm -f "$LOG"`,
			],
			{detached: true, stdio: 'ignore', env: {...process.env, OWNER: String(process.pid), ROOT: root, LOG: log}},
		);
		watchdog.unref();
		if (await reachable(url, 30_000)) return url;
		const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
		fs.rmSync(log, {force: true});
		// Another process took the port between the probe and postgres binding it: try another.
		if (attempt < 3 && /could not bind|already in use/i.test(text)) continue;
		throw new Error(`the private PostgreSQL cluster in ${root} did not start: ${text.trim().split('\n').slice(-3).join(' / ')}`);
	}
}

async function reachable(url: string, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			await withClient(url, client => client.query('SELECT 1'));
			return true;
		} catch {
			await new Promise(resolve => setTimeout(resolve, 150));
		}
	}

	return false;
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}
