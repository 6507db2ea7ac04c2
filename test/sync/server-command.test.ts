/**
 * `sfs server`'s choice of backend, as real processes of the built CLI: SFS_DATABASE_URL picks
 * PostgreSQL (two servers started at once on a new database both come up and share it), a bad or
 * unreachable URL is one line on stderr with the password hidden.
 */
import {execa, type ResultPromise} from 'execa';
import {describe, expect, test} from 'vitest';
import {cliPath, expectOneLineError, type Sandbox, sfs} from '../cli/run-sfs.js';
import {serverChildrenPerTest} from '../support/cleanups.js';
import {postgresSkipReason} from '../support/postgres.js';
import {raw, storageLocation} from './helpers.js';

const {box, children, locations} = serverChildrenPerTest('SIGTERM');

/** Starts `sfs server` and resolves with its first stdout line once it listens. */
function start(host: Sandbox, env: Record<string, string>): Promise<{url: string; line: string; child: ResultPromise}> {
	const child = execa(process.execPath, [cliPath, 'server', '--port', '0', '--data', `${host.root}/data`], {env: {...host.env, ...env}, extendEnv: false, reject: false, buffer: false});
	children.push(child);
	return new Promise((resolve, reject) => {
		let seen = '';
		const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 30_000);
		child.stdout!.on('data', (chunk: Buffer) => {
			seen += chunk.toString();
			const match = /listening on (http:\/\/127\.0\.0\.1:\d+).*/.exec(seen);
			if (match) {
				clearTimeout(timer);
				resolve({url: match[1]!, line: match[0], child});
			}
		});
		child.stderr!.on('data', (chunk: Buffer) => {
			seen += chunk.toString();
		});
		void child.then(result => reject(new Error(`server exited (${result.exitCode}): ${seen}`)));
	});
}

describe('sfs server: the storage backend', {timeout: 90_000}, () => {
	test('SFS_DATABASE_URL that is not postgres://, or a --port past 65535, is a usage error (exit 2); an unreachable database exits 1 without showing the password', async () => {
		const host = box();
		const wrong = await sfs(host, ['server', '--port', '0'], {env: {SFS_DATABASE_URL: 'mysql://root@localhost/sfs'}});
		expect(wrong.exitCode).toBe(2);
		expectOneLineError(wrong, /SFS_DATABASE_URL must be a postgres:\/\//);
		// A port past 65535 is a usage error too (it was Node's "options.port should be >= 0 and < 65536", exit 1).
		const badPort = await sfs(host, ['server', '--port', '99999']);
		expect(badPort.exitCode).toBe(2);
		expectOneLineError(badPort, /--port takes a whole number from 0 to 65535/);
		const unreachable = await sfs(host, ['server', '--port', '0'], {env: {SFS_DATABASE_URL: 'postgres://sfs:hunter22@127.0.0.1:1/sfs'}});
		expect(unreachable.exitCode).toBe(1);
		expectOneLineError(unreachable, /^sfs: cannot open the PostgreSQL database postgres:\/\/sfs:\*\*\*@127\.0\.0\.1:1\/sfs: .*ECONNREFUSED/);
		expect(unreachable.stderr).not.toContain('hunter22');
	});

	const skip = postgresSkipReason();
	test.skipIf(Boolean(skip))(`two servers started at once on a new PostgreSQL database both come up and share it${skip ? ` (skipped: ${skip})` : ''}`, async () => {
		const location = await storageLocation('postgres');
		locations.push(location);
		const [one, two] = await Promise.all([start(box(), location.env), start(box(), location.env)]);
		expect(one.line).toMatch(/\(database postgres:\/\/.*\/sfs_test_[0-9a-f]+\)/);
		const versions = await location.sql<{version: number}>('SELECT version FROM schema_migrations ORDER BY version');
		expect(versions.map(row => row.version)).toEqual(versions.map((_, index) => index + 1));
		expect(versions.length).toBeGreaterThan(0);
		// An account made through one server logs in through the other.
		const signup = await raw(one.url, 'POST', '/api/v1/auth/signup', {body: {email: 'ana@example.com', password: 'ana-password'}});
		expect(signup.status).toBe(201);
		const login = await raw(two.url, 'POST', '/api/v1/auth/login', {body: {email: 'ana@example.com', password: 'ana-password'}});
		expect(login.status).toBe(200);
		expect((await raw(two.url, 'GET', '/api/v1/auth/me', {token: signup.json.token})).json.user.email).toBe('ana@example.com');
	});
});
