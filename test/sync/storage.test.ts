/**
 * The ServerStorage contract on both backends (SQLite; PostgreSQL in a fresh database): numbered
 * migrations that are idempotent and safe when two servers start at once, an atomic compare-and-set
 * putSession under concurrency, a blob sweep that never takes a blob a push is about to commit, and
 * a database of the previous schema upgraded in place.
 */
import {createHash, randomBytes} from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, test} from 'vitest';
import {migratePostgres, migrateSqlite} from '../../source/server/migrations.js';
import {POSTGRES_MIGRATIONS} from '../../source/server/postgres-migrations.js';
import {SQLITE_MIGRATIONS} from '../../source/server/sqlite-storage.js';
import type {ServerStorage, SessionRecord} from '../../source/server/storage.js';
import {withClient} from '../support/postgres.js';
import {BACKENDS, type StorageLocation, storageLocation} from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fresh(backend: StorageLocation['backend']): Promise<{location: StorageLocation; storage: ServerStorage}> {
	const location = await storageLocation(backend);
	cleanups.push(() => location.dispose());
	const storage = await location.open();
	cleanups.push(() => storage.close());
	return {location, storage};
}

function blob(text: string): {hash: string; bytes: Buffer} {
	const bytes = Buffer.from(text);
	return {hash: createHash('sha256').update(bytes).digest('hex'), bytes};
}

function record(ownerId: string, sessionId: string, etag: string, title = 'a title'): SessionRecord {
	return {owner_id: ownerId, session_id: sessionId, title, tool: 'claude-code', updated_at: '2026-03-20T14:00:00.000Z', message_count: 1, etag, pushed_at: new Date().toISOString()};
}

async function user(storage: ServerStorage, name: string): Promise<string> {
	const id = `usr_${name}`;
	await storage.createUser({id, email: `${name}@example.com`, password_hash: 'x', created_at: new Date().toISOString(), verified: false});
	return id;
}

describe.each(BACKENDS)('server storage on $name', {timeout: 60_000}, backend => {
	if (backend.skip) {
		test.skip(`${backend.name}: ${backend.skip}`, () => {});
		return;
	}

	test('migrations: numbered steps recorded in schema_migrations; opening again applies nothing', async () => {
		const {location, storage} = await fresh(backend.name);
		await storage.close();
		const again = await location.open();
		await again.close();
		const rows = await location.sql<{version: number}>('SELECT version FROM schema_migrations ORDER BY version');
		expect(rows.map(row => Number(row.version))).toEqual(POSTGRES_MIGRATIONS.map((_, index) => index + 1));
	});

	test('two servers starting at once on a new database: both open, each step applied once', async () => {
		const location = await storageLocation(backend.name);
		cleanups.push(() => location.dispose());
		const opened = await Promise.all([location.open(), location.open(), location.open()]);
		for (const storage of opened) cleanups.push(() => storage.close());
		const rows = await location.sql<{version: number}>('SELECT version FROM schema_migrations ORDER BY version');
		expect(rows.map(row => Number(row.version))).toEqual(POSTGRES_MIGRATIONS.map((_, index) => index + 1));
		// All three work on the same data.
		const alice = await user(opened[0]!, 'alice');
		expect((await opened[2]!.userById(alice))?.email).toBe('alice@example.com');
	});

	test('putSession is a compare-and-set: of many writers from the same base, exactly one wins', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		const bob = await user(storage, 'bob');
		const base = blob('base');
		expect(await storage.putSession(record(alice, 'ses_1', base.hash), undefined)).toBe(true);
		// A second create of the same id loses; another owner's same id is a row of its own.
		expect(await storage.putSession(record(alice, 'ses_1', blob('other').hash), undefined)).toBe(false);
		expect(await storage.putSession(record(bob, 'ses_1', blob('bobs').hash), undefined)).toBe(true);
		const writers = Array.from({length: 20}, (_, i) => storage.putSession(record(alice, 'ses_1', blob(`next ${i}`).hash), base.hash));
		const won = (await Promise.all(writers)).map((ok, i) => (ok ? i : -1)).filter(i => i >= 0);
		expect(won).toHaveLength(1);
		expect((await storage.session(alice, 'ses_1'))?.etag).toBe(blob(`next ${won[0]}`).hash);
		expect((await storage.session(bob, 'ses_1'))?.etag).toBe(blob('bobs').hash);
		// A stale expected etag never writes.
		expect(await storage.putSession(record(alice, 'ses_1', blob('late').hash), base.hash)).toBe(false);
	});

	test('records read back exactly as written (text timestamps, booleans, workspace JSON)', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		expect(await storage.userByEmail('alice@example.com')).toMatchObject({id: alice, verified: false});
		const stored = blob('handed over');
		await storage.putBlob(stored.hash, stored.bytes);
		const row = {...record(alice, 'ses_2', stored.hash, 'Ünïcode title ✓'), updated_at: '2026-03-20T16:05:30+02:00'};
		await storage.putSession(row, undefined);
		expect(await storage.session(alice, 'ses_2')).toEqual(row);
		const handoff = {
			handoff_id: 'hnd_0123456789abcdef',
			sender_id: alice,
			recipient_email: 'bob@example.com',
			session_id: 'ses_2',
			etag: stored.hash,
			message: null,
			workspace: {cwd: '/work/repo', git_branch: 'main'},
			created_at: '2026-03-20T14:00:00.000Z',
			expires_at: '2099-03-27T14:00:00.000Z',
			taken_at: null,
		};
		await storage.addHandoff(handoff);
		expect(await storage.handoff(handoff.handoff_id)).toEqual(handoff);
		expect(await storage.handoffsFor('bob@example.com')).toEqual([handoff]);
		// Taken once: the first time stays, whoever confirms again.
		expect(await storage.markHandoffTaken(handoff.handoff_id, '2026-03-21T09:00:00.000Z')).toBe('2026-03-21T09:00:00.000Z');
		expect(await storage.markHandoffTaken(handoff.handoff_id, '2026-03-22T09:00:00.000Z')).toBe('2026-03-21T09:00:00.000Z');
		expect(await storage.handoff(handoff.handoff_id)).toEqual({...handoff, taken_at: '2026-03-21T09:00:00.000Z'});
		expect(await storage.markHandoffTaken('hnd_00000000000000aa', '2026-03-21T09:00:00.000Z')).toBeUndefined();
		expect(await storage.blob(stored.hash)).toEqual(stored.bytes);
		expect(await storage.blob(blob('missing').hash)).toBeUndefined();
	});

	test('a handoff whose blob is gone (swept meanwhile) is refused with 503 and not recorded', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		const handoff = {
			handoff_id: 'hnd_00000000000000ff',
			sender_id: alice,
			recipient_email: 'bob@example.com',
			session_id: 'ses_3',
			etag: blob('never stored').hash,
			message: null,
			workspace: {},
			created_at: '2026-03-20T14:00:00.000Z',
			expires_at: '2099-03-27T14:00:00.000Z',
			taken_at: null,
		};
		await expect(storage.addHandoff(handoff)).rejects.toMatchObject({statusCode: 503, code: 'BUSY'});
		expect(await storage.handoff(handoff.handoff_id)).toBeUndefined();
	});

	test('sweepBlobs under concurrent pushes: a blob being pushed is never taken, unreferenced old ones are', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		const grace = 2000;
		const old = blob('superseded');
		const gone = blob('unreferenced and old');
		await storage.putBlob(old.hash, old.bytes);
		await storage.putBlob(gone.hash, gone.bytes);
		await new Promise(resolve => setTimeout(resolve, grace + 500));
		// Pushes, each: stage a blob (a new one, or the old unreferenced one again), then commit a session to it.
		const pushes = Array.from({length: 30}, async (_, i) => {
			const content = i % 3 === 0 ? old : blob(`version ${i} ${randomBytes(4).toString('hex')}`);
			await storage.putBlob(content.hash, content.bytes);
			await new Promise(resolve => setTimeout(resolve, 5));
			await storage.putSession(record(alice, `ses_p${i}`, content.hash), undefined);
			return content.hash;
		});
		// Sweeps run meanwhile, each one finding the old blob unreferenced and old until a push re-stages it.
		const sweeps = Array.from({length: 10}, async (_, i) => {
			await new Promise(resolve => setTimeout(resolve, i * 3));
			return storage.sweepBlobs(grace);
		});
		const hashes = await Promise.all(pushes);
		expect((await Promise.all(sweeps)).reduce((sum, n) => sum + n, 0)).toBe(1);
		expect(await storage.blob(gone.hash)).toBeUndefined();
		// Whatever the interleaving, every committed session's blob is readable.
		for (const hash of hashes) expect(await storage.blob(hash), hash).toBeDefined();
		const orphan = blob('orphan');
		await storage.putBlob(orphan.hash, orphan.bytes);
		expect(await storage.sweepBlobs(60_000)).toBe(0);
		expect(await storage.sweepBlobs(0, new Date(Date.now() + 1000))).toBe(1);
		expect(await storage.blob(orphan.hash)).toBeUndefined();
		for (const hash of hashes) expect(await storage.blob(hash)).toBeDefined();
	});

	test('seats hold under concurrency: of many invites at once into a 3-seat org, only 2 are added', async () => {
		const {storage} = await fresh(backend.name);
		const admin = await user(storage, 'admin');
		const now = new Date().toISOString();
		const org = {id: 'org_1', name: 'acme', seats: 3, created_by: admin, created_at: now};
		expect(await storage.createOrg(org, {org_id: org.id, user_id: admin, role: 'admin', joined_at: now})).toEqual(org);
		expect(await storage.createOrg({...org, id: 'org_2'}, {org_id: 'org_2', user_id: admin, role: 'admin', joined_at: now})).toBeUndefined();
		const invite = (i: number) => ({
			invite_id: `inv_${i}`,
			org_id: org.id,
			email: `person${i}@example.com`,
			role: 'member' as const,
			code_sha256: `code${i}`,
			invited_by: admin,
			created_at: now,
			expires_at: '2099-01-01T00:00:00.000Z',
			accepted_at: null,
		});
		const outcomes = await Promise.all(Array.from({length: 12}, (_, i) => storage.addInvite(invite(i), now)));
		expect(outcomes.filter(outcome => outcome === 'added')).toHaveLength(2);
		expect(outcomes.filter(outcome => outcome === 'no_seats')).toHaveLength(10);
		expect(await storage.pendingInvites(org.id, now)).toHaveLength(2);
	});

	test('joins hold the seat count under concurrency, and an invite is used once', async () => {
		const {storage} = await fresh(backend.name);
		const admin = await user(storage, 'admin');
		const now = new Date().toISOString();
		const org = {id: 'org_1', name: 'acme', seats: 2, created_by: admin, created_at: now};
		await storage.createOrg(org, {org_id: org.id, user_id: admin, role: 'admin', joined_at: now});
		await storage.addInvite({invite_id: 'inv_1', org_id: org.id, email: 'b@example.com', role: 'member', code_sha256: 'c1', invited_by: admin, created_at: now, expires_at: '2099-01-01T00:00:00.000Z', accepted_at: null}, now);
		const joiners = await Promise.all(['b', 'c', 'd', 'e'].map(name => user(storage, name)));
		const outcomes = await Promise.all(joiners.map(id => storage.acceptInvite('inv_1', {org_id: org.id, user_id: id, role: 'member', joined_at: now}, now)));
		expect(outcomes.filter(outcome => outcome === 'joined')).toHaveLength(1);
		expect(outcomes.filter(outcome => outcome === 'gone')).toHaveLength(3);
		expect((await storage.members(org.id)).map(member => member.role).sort()).toEqual(['admin', 'member']);
	});

	test('roles and seats hold under concurrency: admins demoting each other keep one; seats never fall below members + invites', async () => {
		const {storage} = await fresh(backend.name);
		const now = new Date().toISOString();
		const ids = await Promise.all(['a0', 'a1', 'a2', 'a3', 'a4'].map(name => user(storage, name)));
		const org = {id: 'org_r', name: 'roles', seats: 10, created_by: ids[0]!, created_at: now};
		await storage.createOrg(org, {org_id: org.id, user_id: ids[0]!, role: 'admin', joined_at: now});
		for (const [index, id] of ids.slice(1).entries()) {
			await storage.addInvite({invite_id: `i${index}`, org_id: org.id, email: `a${index + 1}@example.com`, role: 'admin', code_sha256: `r${index}`, invited_by: ids[0]!, created_at: now, expires_at: '2099-01-01T00:00:00.000Z', accepted_at: null}, now);
			expect(await storage.acceptInvite(`i${index}`, {org_id: org.id, user_id: id, role: 'member', joined_at: now}, now)).toBe('joined');
		}

		// All five admins step down at once: four do, the last one is refused.
		const outcomes = await Promise.all(ids.map(id => storage.setRole(org.id, id, 'member', id)));
		expect(outcomes.filter(outcome => outcome === 'changed')).toHaveLength(4);
		expect(outcomes.filter(outcome => outcome === 'last_admin')).toHaveLength(1);
		const admins = (await storage.members(org.id)).filter(member => member.role === 'admin');
		expect(admins).toHaveLength(1);
		const admin = admins[0]!.user_id;
		expect(await storage.setRole(org.id, 'usr_nobody', 'admin', admin)).toBe('not_member');
		// The actor's role is read in the same transaction: one demoted meanwhile may change no role.
		expect(await storage.setRole(org.id, admin, 'member', ids.find(id => id !== admin)!)).toBe('forbidden');
		expect(await storage.setRole(org.id, ids.find(id => id !== admin)!, 'admin', 'usr_nobody')).toBe('forbidden');

		// Shrinking the seats while invites arrive: whatever the order, members + pending invites fit the seats.
		const invites = Array.from({length: 6}, (_, i) =>
			storage.addInvite({invite_id: `s${i}`, org_id: org.id, email: `s${i}@example.com`, role: 'member', code_sha256: `s${i}`, invited_by: ids[0]!, created_at: now, expires_at: '2099-01-01T00:00:00.000Z', accepted_at: null}, now),
		);
		const shrinks = [8, 7, 6].map(seats => storage.setSeats(org.id, seats, now));
		await Promise.all([...invites, ...shrinks]);
		const {seats} = (await storage.orgById(org.id))!;
		const taken = (await storage.members(org.id)).length + (await storage.pendingInvites(org.id, now)).length;
		expect(taken).toBeLessThanOrEqual(seats);
		expect(await storage.setSeats(org.id, 4, now)).toEqual({outcome: 'below_members', members: 5, pending: taken - 5});
		expect(await storage.setSeats(org.id, taken, now)).toEqual({outcome: 'set', members: 5, pending: taken - 5});
		expect((await storage.orgById(org.id))?.seats).toBe(taken);
	});

	test('removals hold under concurrency: admins leaving at once keep one; removing each other leaves one; no share outlives its owner\'s membership', async () => {
		const {storage} = await fresh(backend.name);
		const now = new Date().toISOString();
		const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'm1', 'm2', 'm3', 'm4'];
		const ids = Object.fromEntries(await Promise.all(names.map(async name => [name, await user(storage, name)] as const)));
		const email = (name: string) => `${name}@example.com`;
		const org = async (id: string, admins: string[], members: string[]) => {
			await storage.createOrg({id, name: id, seats: 20, created_by: ids[admins[0]!]!, created_at: now}, {org_id: id, user_id: ids[admins[0]!]!, role: 'admin', joined_at: now});
			for (const name of [...admins.slice(1), ...members]) {
				const invite = `${id}-${name}`;
				const role = admins.includes(name) ? 'admin' : 'member';
				await storage.addInvite({invite_id: invite, org_id: id, email: email(name), role, code_sha256: invite, invited_by: ids[admins[0]!]!, created_at: now, expires_at: '2099-01-01T00:00:00.000Z', accepted_at: null}, now);
				expect(await storage.acceptInvite(invite, {org_id: id, user_id: ids[name]!, role: 'member', joined_at: now}, now)).toBe('joined');
			}
		};

		// Five admins leave at once: four go, the last is refused.
		const admins = ['a0', 'a1', 'a2', 'a3', 'a4'];
		await org('org_leave', admins, []);
		const left = await Promise.all(admins.map(name => storage.removeFromOrg('org_leave', email(name), ids[name]!)));
		expect(left.filter(outcome => outcome === 'member')).toHaveLength(4);
		expect(left.filter(outcome => outcome === 'last_admin')).toHaveLength(1);
		expect((await storage.members('org_leave')).map(member => member.role)).toEqual(['admin']);

		// Two admins remove each other at once (a third stays): only one acts, the other has lost the right first.
		await org('org_duel', ['a0', 'a1', 'a2'], ['m1']);
		const duel = await Promise.all([storage.removeFromOrg('org_duel', email('a2'), ids.a1!), storage.removeFromOrg('org_duel', email('a1'), ids.a2!)]);
		expect([...duel].sort()).toEqual(['forbidden', 'member']);
		const survivors = await storage.members('org_duel');
		expect(survivors.filter(member => member.role === 'admin').map(member => member.email)).toEqual(['a0@example.com', duel[0] === 'member' ? 'a1@example.com' : 'a2@example.com']);
		expect(survivors).toHaveLength(3);
		// A member may remove only themselves; a stranger nobody; an invite is withdrawn once.
		expect(await storage.removeFromOrg('org_duel', email('a0'), ids.m1!)).toBe('forbidden');
		expect(await storage.removeFromOrg('org_duel', email('m1'), ids.m2!)).toBe('forbidden');
		await storage.addInvite({invite_id: 'duel-m2', org_id: 'org_duel', email: email('m2'), role: 'member', code_sha256: 'duel-m2', invited_by: ids.a0!, created_at: now, expires_at: '2099-01-01T00:00:00.000Z', accepted_at: null}, now);
		expect(await storage.removeFromOrg('org_duel', email('m2'), ids.a0!)).toBe('invite');
		expect(await storage.removeFromOrg('org_duel', email('m2'), ids.a0!)).toBe('not_found');
		expect(await storage.acceptInvite('duel-m2', {org_id: 'org_duel', user_id: ids.m2!, role: 'member', joined_at: now}, now)).toBe('gone');
		expect(await storage.removeFromOrg('org_duel', email('m1'), ids.m1!)).toBe('member');

		// Shares: only a member's own sessions; members removed while they share leave no share behind.
		const members = ['m1', 'm2', 'm3', 'm4'];
		await org('org_share', ['a0'], members);
		for (const name of members) expect(await storage.putSession(record(ids[name]!, `ses_${name}`, blob(name).hash), undefined)).toBe(true);
		const share = (name: string, session = `ses_${name}`) => storage.shareSession({org_id: 'org_share', owner_id: ids[name]!, session_id: session, shared_at: now});
		expect(await share('m1', 'ses_m2')).toBe('no_session');
		expect(await storage.shareSession({org_id: 'org_share', owner_id: ids.a1!, session_id: 'ses_m1', shared_at: now})).toBe('not_member');
		const raced = await Promise.all(members.flatMap(name => [share(name), storage.removeFromOrg('org_share', email(name), ids.a0!)]));
		expect(raced.filter(outcome => outcome === 'member')).toHaveLength(4);
		for (const name of members) expect(await storage.sharesOf(ids[name]!, `ses_${name}`)).toEqual([]);
		expect(await storage.sharedSessions(ids.a0!)).toEqual([]);
		expect(await share('m1')).toBe('not_member');
	});

	test('a verification token is used once, even by concurrent requests', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		const now = new Date().toISOString();
		await storage.addVerification({token_sha256: 'tok', user_id: alice, created_at: now, expires_at: '2099-01-01T00:00:00.000Z', used_at: null});
		const used = await Promise.all(Array.from({length: 8}, () => storage.useVerification('tok', now)));
		expect(used.filter(id => id === alice)).toHaveLength(1);
		expect(used.filter(id => id === undefined)).toHaveLength(7);
		expect((await storage.userById(alice))?.verified).toBe(true);
		await storage.addVerification({token_sha256: 'old', user_id: alice, created_at: now, expires_at: '2000-01-01T00:00:00.000Z', used_at: null});
		expect(await storage.useVerification('old', now)).toBeUndefined();
	});

	test('putDocument: create-only, compare-and-set (one of many writers wins) and forced writes', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		const doc = (content: string) => ({scope_id: alice, kind: 'rules' as const, project_key: 'dir:repo', content, etag: blob(content).hash, updated_at: new Date().toISOString(), updated_by: alice});
		expect(await storage.putDocument(doc('v1'), undefined)).toBe(true);
		expect(await storage.putDocument(doc('again'), undefined)).toBe(false);
		const results = await Promise.all(Array.from({length: 10}, (_, i) => storage.putDocument(doc(`v2 ${i}`), blob('v1').hash)));
		expect(results.filter(Boolean)).toHaveLength(1);
		expect(await storage.putDocument(doc('forced'), null)).toBe(true);
		expect((await storage.document(alice, 'rules', 'dir:repo'))?.content).toBe('forced');
		expect((await storage.documents(alice)).map(row => row.project_key)).toEqual(['dir:repo']);
	});

	test('a title with a NUL character is stored (PostgreSQL text holds none: kept as U+FFFD)', async () => {
		const {storage} = await fresh(backend.name);
		const alice = await user(storage, 'alice');
		expect(await storage.putSession(record(alice, 'ses_3', blob('nul').hash, 'a\u0000b'), undefined)).toBe(true);
		expect((await storage.session(alice, 'ses_3'))?.title).toMatch(/^a[\u0000\uFFFD]b$/);
	});
});

describe.each(BACKENDS)('schema versions on $name', backend => {
	if (backend.skip) {
		test.skip(`${backend.name}: ${backend.skip}`, () => {});
		return;
	}

	test('a database at the previous schema (2) upgrades in place: its handoffs stay, untaken, and can be taken', async () => {
		const location = await storageLocation(backend.name);
		cleanups.push(() => location.dispose());
		// The database an older server left: steps 1 and 2 exactly as they shipped, and its rows.
		if (backend.name === 'sqlite') {
			const db = new Database(path.join(location.data, 'server.db'));
			migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 2));
			db.close();
		} else {
			await withClient(location.databaseUrl!, async client => migratePostgres(client, POSTGRES_MIGRATIONS.slice(0, 2)));
		}

		await location.sql('INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)', ['usr_old', 'old@example.com', 'x', '2026-01-01T00:00:00.000Z']);
		const columns = 'handoff_id, sender_id, recipient_email, session_id, etag, message, workspace, created_at, expires_at';
		await location.sql(`INSERT INTO handoffs (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ['hnd_00000000000000c1', 'usr_old', 'bob@example.com', 'ses_1', 'e'.repeat(64), 'from before', '{"git_branch":"main"}', '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z']);
		expect((await location.sql<{version: number}>('SELECT version FROM schema_migrations ORDER BY version')).map(row => Number(row.version))).toEqual([1, 2]);

		const storage = await location.open();
		cleanups.push(() => storage.close());
		expect((await location.sql<{version: number}>('SELECT version FROM schema_migrations ORDER BY version')).map(row => Number(row.version))).toEqual([1, 2, 3]);
		const before = {
			handoff_id: 'hnd_00000000000000c1',
			sender_id: 'usr_old',
			recipient_email: 'bob@example.com',
			session_id: 'ses_1',
			etag: 'e'.repeat(64),
			message: 'from before',
			workspace: {git_branch: 'main'},
			created_at: '2026-01-01T00:00:00.000Z',
			expires_at: '2099-01-01T00:00:00.000Z',
			taken_at: null,
		};
		expect(await storage.handoffsFor('bob@example.com')).toEqual([before]);
		expect(await storage.markHandoffTaken(before.handoff_id, '2026-02-01T00:00:00.000Z')).toBe('2026-02-01T00:00:00.000Z');
		expect(await storage.handoff(before.handoff_id)).toEqual({...before, taken_at: '2026-02-01T00:00:00.000Z'});
		expect((await storage.userByEmail('old@example.com'))?.id).toBe('usr_old');
	});

	test('a database at a newer schema version than this sfs knows is refused with one clear error', async () => {
		const {location, storage} = await fresh(backend.name);
		await storage.close();
		await location.sql('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [99, new Date().toISOString()]);
		await expect(location.open()).rejects.toThrow(/schema version 99, newer than this sfs knows/);
	});
});

test('the two backends have the same numbered steps', () => {
	expect(SQLITE_MIGRATIONS.length).toBe(POSTGRES_MIGRATIONS.length);
});

test('SQLite: a database from before schema_migrations (version in user_version) is adopted, nothing re-applied', async () => {
	const {location, storage} = await fresh('sqlite');
	await storage.close();
	await location.sql('DROP TABLE schema_migrations');
	await location.sql(`PRAGMA user_version = ${POSTGRES_MIGRATIONS.length}`);
	const reopened = await location.open();
	await reopened.close();
	const rows = await location.sql<{version: number}>('SELECT version FROM schema_migrations ORDER BY version');
	expect(rows.map(row => row.version)).toEqual(POSTGRES_MIGRATIONS.map((_, index) => index + 1));
});
