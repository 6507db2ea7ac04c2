/**
 * Org administration under concurrent requests, on a real server on 127.0.0.1 (each backend): every
 * check and the write it guards happen in one storage transaction, so requests that race each other
 * end as if they had run one after the other. Each race runs over several orgs at once, so that many
 * interleavings are tried in one go; the assertions hold for every order. Before the fix these failed
 * on PostgreSQL (its storage calls really wait on the database, so requests interleave between a
 * route's check and its write); on SQLite the in-process calls rarely leave such a gap, and
 * test/sync/storage.test.ts pins the same rules on the storage of both backends.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, describe, expect, test} from 'vitest';
import {BACKENDS, type BackendName, message, raw, server, session, type TestServer} from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ROUNDS = 6;

type Account = {email: string; token: string};

async function setup(backend: BackendName, names: string[]): Promise<{srv: TestServer; people: Record<string, Account>}> {
	const srv = await server({backend, mail: false});
	cleanups.push(() => srv.close());
	const people: Record<string, Account> = {};
	await Promise.all(
		names.map(async name => {
			const email = `${name}@example.com`;
			const answer = await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email, password: `${name}-password`}});
			expect(answer.status).toBe(201);
			people[name] = {email, token: answer.json.token as string};
		}),
	);
	return {srv, people};
}

/** `owner` creates the org; each of `members` joins it with the given role. */
async function org(srv: TestServer, name: string, owner: Account, members: Array<[Account, 'admin' | 'member']>): Promise<void> {
	expect((await raw(srv.url, 'POST', '/api/v1/orgs', {token: owner.token, body: {name, seats: 20}})).status).toBe(201);
	for (const [member, role] of members) {
		const invite = await raw(srv.url, 'POST', `/api/v1/orgs/${name}/invites`, {token: owner.token, body: {email: member.email, role}});
		expect(invite.status).toBe(201);
		expect((await raw(srv.url, 'POST', '/api/v1/orgs/join', {token: member.token, body: {code: invite.json.code}})).status).toBe(200);
	}
}

const remove = (srv: TestServer, by: Account, orgName: string, email: string) => raw(srv.url, 'DELETE', `/api/v1/orgs/${orgName}/members/${email}`, {token: by.token});
const setRole = (srv: TestServer, by: Account, orgName: string, email: string, role: string) => raw(srv.url, 'PATCH', `/api/v1/orgs/${orgName}/members/${email}`, {token: by.token, body: {role}});

async function roles(srv: TestServer, orgName: string): Promise<Record<string, string>> {
	const rows = await srv.location.sql<{email: string; role: string}>(
		'SELECT users.email, org_members.role FROM org_members JOIN orgs ON orgs.id = org_members.org_id JOIN users ON users.id = org_members.user_id WHERE orgs.name = ? ORDER BY users.email',
		[orgName],
	);
	return Object.fromEntries(rows.map(row => [row.email, row.role]));
}

describe.each(BACKENDS)('org races on $name', {timeout: 120_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('two admins removing each other at the same moment: one goes, the other is refused; the org keeps its admin', async () => {
		const {srv, people} = await setup(backend, ['alice', 'bob']);
		const {alice, bob} = people as Record<'alice' | 'bob', Account>;
		const names = Array.from({length: ROUNDS}, (_, i) => `duel${i}`);
		for (const name of names) await org(srv, name, alice, [[bob, 'admin']]);
		const answers = await Promise.all(names.flatMap(name => [remove(srv, alice, name, bob.email), remove(srv, bob, name, alice.email)]));
		for (const [i, name] of names.entries()) {
			const pair = [answers[2 * i]!, answers[2 * i + 1]!];
			// The one removed first has lost the right: no admin (403) or, checked after the removal, no member (404).
			expect(pair.filter(answer => answer.status === 200)).toHaveLength(1);
			expect(pair.map(answer => answer.status).find(status => status !== 200)).toBeOneOf([403, 404]);
			expect(Object.values(await roles(srv, name))).toEqual(['admin']);
		}
	});

	test('two admins leaving at the same moment: one leaves, the last admin is refused with LAST_ADMIN', async () => {
		const {srv, people} = await setup(backend, ['alice', 'bob']);
		const {alice, bob} = people as Record<'alice' | 'bob', Account>;
		const names = Array.from({length: ROUNDS}, (_, i) => `leave${i}`);
		for (const name of names) await org(srv, name, alice, [[bob, 'admin']]);
		const answers = await Promise.all(names.flatMap(name => [remove(srv, alice, name, alice.email), remove(srv, bob, name, bob.email)]));
		for (const [i, name] of names.entries()) {
			const pair = [answers[2 * i]!, answers[2 * i + 1]!];
			expect(pair.map(answer => answer.status).sort()).toEqual([200, 409]);
			expect(pair.find(answer => answer.status === 409)!.json.error.code).toBe('LAST_ADMIN');
			expect(Object.values(await roles(srv, name))).toEqual(['admin']);
		}
	});

	test('with a third admin, two admins removing or demoting each other at once: only one of the two acts (the other has lost the right)', async () => {
		const {srv, people} = await setup(backend, ['alice', 'bob', 'carol']);
		const {alice, bob, carol} = people as Record<'alice' | 'bob' | 'carol', Account>;
		const removals = Array.from({length: ROUNDS}, (_, i) => `trio${i}`);
		const demotions = Array.from({length: ROUNDS}, (_, i) => `demote${i}`);
		for (const name of [...removals, ...demotions]) await org(srv, name, carol, [[alice, 'admin'], [bob, 'admin']]);
		const answers = await Promise.all([
			...removals.flatMap(name => [remove(srv, alice, name, bob.email), remove(srv, bob, name, alice.email)]),
			...demotions.flatMap(name => [setRole(srv, alice, name, bob.email, 'member'), setRole(srv, bob, name, alice.email, 'member')]),
		]);
		for (const [i, name] of [...removals, ...demotions].entries()) {
			const pair = [answers[2 * i]!, answers[2 * i + 1]!];
			expect(pair.filter(answer => answer.status === 200)).toHaveLength(1);
			const after = await roles(srv, name);
			expect(after[carol.email]).toBe('admin');
			// Exactly one of alice and bob acted on the other: one is still an admin.
			expect([after[alice.email], after[bob.email]].filter(role => role === 'admin')).toHaveLength(1);
		}
	});

	test('a member removed while sharing a session: no share outlives its owner\'s membership', async () => {
		const names = Array.from({length: ROUNDS}, (_, i) => `m${i}`);
		const {srv, people} = await setup(backend, ['alice', ...names]);
		const alice = people.alice!;
		const orgs = ['share0', 'share1'];
		for (const name of orgs) await org(srv, name, alice, names.map(member => [people[member]!, 'member'] as [Account, 'member']));
		for (const [i, member] of names.entries()) {
			const id = `ses_0000000000000s${String(i).padStart(2, '0')}`;
			const pushed = await raw(srv.url, 'PUT', `/api/v1/sessions/${id}`, {token: people[member]!.token, body: session(id, [message(`${id}-1`, `from ${member}`)])});
			expect(pushed.status).toBe(201);
		}

		const answers = await Promise.all(
			orgs.flatMap(name =>
				names.flatMap((member, i) => [
					raw(srv.url, 'POST', `/api/v1/orgs/${name}/sessions`, {token: people[member]!.token, body: {session_id: `ses_0000000000000s${String(i).padStart(2, '0')}`}}),
					remove(srv, alice, name, people[member]!.email),
				]),
			),
		);
		for (const answer of answers) expect(answer.status).toBeOneOf([200, 201, 404]);
		const orphans = await srv.location.sql(
			'SELECT * FROM session_shares WHERE NOT EXISTS (SELECT 1 FROM org_members WHERE org_members.org_id = session_shares.org_id AND org_members.user_id = session_shares.owner_id)',
		);
		expect(orphans).toEqual([]);
		// Every member is gone, so alice sees none of their sessions.
		const listed = await raw(srv.url, 'GET', '/api/v1/sessions', {token: alice.token});
		expect(listed.json).toEqual([]);
		for (const name of orgs) expect(Object.keys(await roles(srv, name))).toEqual([alice.email]);
	});

	test('an invite withdrawn while it is being accepted: the withdrawal always removes something and leaves no member behind', async () => {
		const {srv, people} = await setup(backend, ['alice', 'dave']);
		const {alice, dave} = people as Record<'alice' | 'dave', Account>;
		const names = Array.from({length: ROUNDS * 2}, (_, i) => `withdraw${i}`);
		const codes: string[] = [];
		for (const name of names) {
			expect((await raw(srv.url, 'POST', '/api/v1/orgs', {token: alice.token, body: {name, seats: 5}})).status).toBe(201);
			codes.push((await raw(srv.url, 'POST', `/api/v1/orgs/${name}/invites`, {token: alice.token, body: {email: dave.email}})).json.code as string);
		}

		// The join has more to do before it commits than the withdrawal: the withdrawals start 0 to 11 ms later, so some land mid-join.
		const answers = await Promise.all(
			names.flatMap((name, i) => [sleep(i).then(async () => remove(srv, alice, name, dave.email)), raw(srv.url, 'POST', '/api/v1/orgs/join', {token: dave.token, body: {code: codes[i]}})]),
		);
		for (const [i, name] of names.entries()) {
			const [withdrawal, join] = [answers[2 * i]!, answers[2 * i + 1]!];
			// Either order is fine: withdrawn then the join refused (the invite is gone: 404, or 410 when the join
			// had read it before), or joined then removed as a member.
			expect(withdrawal.status).toBe(200);
			expect(withdrawal.json.removed).toBe(join.status === 200 ? 'member' : 'invite');
			if (join.status !== 200) expect(join.status).toBeOneOf([404, 410]);
			expect(Object.keys(await roles(srv, name))).toEqual([alice.email]);
		}
	});
});
