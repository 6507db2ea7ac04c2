/**
 * Schema migrations of the server's database, one mechanism for both backends: numbered steps (the
 * step at index i is version i + 1), a `schema_migrations` table of the versions applied, and every
 * pending step applied at start in one transaction that holds a lock, so two servers starting at once
 * neither apply a step twice nor see a half-migrated schema. Running it again changes nothing.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import {SfsError} from '../engine/errors.js';

/** pg_advisory_xact_lock key of the migrations (any constant; "sfs-migr" in ASCII). */
const POSTGRES_LOCK_KEY = '8315460400932546418';

function tooNew(found: number, known: number): SfsError {
	return new SfsError('DB', `the server database is at schema version ${found}, newer than this sfs knows (${known})`, {hint: 'run the newer sfs server, or upgrade sfs'});
}

/**
 * SQLite: BEGIN IMMEDIATE takes the write lock, so a second process waits (busy_timeout) and then
 * finds the steps applied. Databases made before `schema_migrations` kept their version in
 * `user_version`; those steps are recorded as applied. `user_version` is kept in step too.
 */
export function migrateSqlite(db: Database.Database, steps: readonly string[]): number {
	let appliedNow = 0;
	db.transaction(() => {
		db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
		const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{version: number}>).map(row => row.version));
		const legacy = db.pragma('user_version', {simple: true}) as number;
		const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
		for (let version = 1; version <= legacy; version++) {
			if (!applied.has(version)) record.run(version, new Date().toISOString());
			applied.add(version);
		}

		const highest = Math.max(0, ...applied);
		if (highest > steps.length) throw tooNew(highest, steps.length);
		for (const [index, sql] of steps.entries()) {
			if (applied.has(index + 1)) continue;
			db.exec(sql);
			record.run(index + 1, new Date().toISOString());
			appliedNow++;
		}

		db.pragma(`user_version = ${steps.length}`);
	}).immediate();
	return appliedNow;
}

/**
 * PostgreSQL: one transaction under a transaction-scoped advisory lock (released by COMMIT or
 * ROLLBACK, also when the connection dies); DDL is transactional there, so a failed step leaves
 * nothing behind. Returns how many steps were applied now.
 */
export async function migratePostgres(client: pg.ClientBase, steps: readonly string[]): Promise<number> {
	await client.query('BEGIN');
	try {
		await client.query(`SELECT pg_advisory_xact_lock(${POSTGRES_LOCK_KEY})`);
		await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
		const {rows} = await client.query<{version: number}>('SELECT version FROM schema_migrations');
		const applied = new Set(rows.map(row => row.version));
		const highest = Math.max(0, ...applied);
		if (highest > steps.length) throw tooNew(highest, steps.length);
		let appliedNow = 0;
		for (const [index, sql] of steps.entries()) {
			if (applied.has(index + 1)) continue;
			await client.query(sql);
			await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
			appliedNow++;
		}

		await client.query('COMMIT');
		return appliedNow;
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		throw error;
	}
}
