/**
 * Orgs on a real server (127.0.0.1, each backend): create, invite, join, seats enforced and changed,
 * roles set by admins (an org never left without one), sessions shared with an org (members list and
 * pull them, owner set), and every org endpoint refused to non-members exactly like a missing org
 * (404), to other accounts' invites, and to anonymous callers.
 */
import {createHash} from 'node:crypto';
import {afterEach, describe, expect, test} from 'vitest';
import type {ServerStorage} from '../../source/server/storage.js';
import {listRemote, pullSession, pushSession, signup} from '../../source/sync/client.js';
import type {Credentials} from '../../source/sync/credentials.js';
import {createOrg, inviteToOrg, joinOrg, listOrgs, removeFromOrg, setMemberRole, setOrgSeats, shareWithOrg, showOrg, unshareFromOrg} from '../../source/sync/team-client.js';
import {BACKENDS, type BackendName, machine, type Machine, message, raw, server, session} from './helpers.js';

const pass = (value: Parameters<Parameters<typeof pushSession>[3]>[0]) => value;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(backend: BackendName, logs: string[] = []) {
	const srv = await server({backend, mail: false, log: line => logs.push(line)});
	cleanups.push(() => srv.close());
	const people: Record<string, {m: Machine; c: Credentials}> = {};
	for (const name of ['alice', 'bob', 'carol', 'dave']) {
		const m = machine(name);
		cleanups.push(() => m.close());
		people[name] = {m, c: await signup(srv.url, `${name}@example.com`, `${name}-password`, m.env)};
	}

	return {srv, ...(people as Record<'alice' | 'bob' | 'carol' | 'dave', {m: Machine; c: Credentials}>)};
}

function seed(m: Machine, id: string, count: number): void {
	m.engine.store.createSession(session(id, Array.from({length: count}, (_, i) => message(`${id}-${i}`, `says ${i}`))));
}

async function failure(promise: Promise<unknown>): Promise<{status: number; errorCode: string; message: string}> {
	try {
		await promise;
	} catch (error) {
		const value = error as {status: number; errorCode: string; message: string};
		return {status: value.status, errorCode: value.errorCode, message: value.message};
	}

	throw new Error('expected a failure');
}

describe.each(BACKENDS)('orgs on $name', {timeout: 60_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('create, invite, join; seats count members and pending invites; roles', async () => {
		const logs: string[] = [];
		const {alice, bob, carol, dave} = await setup(backend, logs);
		expect(await createOrg(alice.c, 'Acme', 3)).toMatchObject({name: 'acme', seats: 3, role: 'admin'});
		expect(await failure(createOrg(bob.c, 'acme'))).toMatchObject({status: 409, errorCode: 'NAME_TAKEN'});
		// Email is off: the code comes back to the admin and goes to the server log.
		const invite = await inviteToOrg(alice.c, 'acme', 'Bob@Example.com');
		expect(invite).toMatchObject({org: 'acme', email: 'bob@example.com', role: 'member', mailed: false, code: expect.stringMatching(/^inv_[0-9a-f]{32}$/)});
		expect(logs.some(line => line.includes(`sfs org join ${invite.code}`))).toBe(true);
		const inviteCarol = await inviteToOrg(alice.c, 'acme', 'carol@example.com');
		// Three seats: alice, and two pending invites. A fourth person is refused.
		const full = await failure(inviteToOrg(alice.c, 'acme', 'dave@example.com'));
		expect(full).toMatchObject({status: 409, errorCode: 'NO_SEATS'});
		expect(full.message).toMatch(/acme has no free seat \(3 seat\(s\)/);
		expect(await showOrg(alice.c, 'acme')).toMatchObject({seats: 3, seats_used: 3, invites: [expect.objectContaining({email: 'bob@example.com'}), expect.objectContaining({email: 'carol@example.com'})]});

		// An invite is for its address only: dave cannot use bob's code, and learns nothing from trying.
		const stolen = await failure(joinOrg(dave.c, invite.code!));
		const unknown = await failure(joinOrg(dave.c, `inv_${'0'.repeat(32)}`));
		expect(stolen).toEqual(unknown);
		expect(stolen.status).toBe(404);

		expect(await joinOrg(bob.c, `${invite.url}`)).toEqual({org: 'acme', role: 'member', joined: true});
		expect(await failure(joinOrg(bob.c, invite.code!))).toMatchObject({status: 410, errorCode: 'GONE'});
		expect(await listOrgs(bob.c)).toEqual([expect.objectContaining({name: 'acme', role: 'member', members: 2, seats: 3})]);

		// A member may neither invite nor remove others; an admin may withdraw an invite to free its seat.
		expect(await failure(inviteToOrg(bob.c, 'acme', 'dave@example.com'))).toMatchObject({status: 403, errorCode: 'FORBIDDEN'});
		expect(await failure(removeFromOrg(bob.c, 'acme', 'alice@example.com'))).toMatchObject({status: 403});
		expect((await showOrg(bob.c, 'acme')).invites).toEqual([]);
		expect(await removeFromOrg(alice.c, 'acme', 'carol@example.com')).toEqual({org: 'acme', email: 'carol@example.com', removed: 'invite'});
		expect(await failure(joinOrg(carol.c, inviteCarol.code!))).toMatchObject({status: 404});
		const inviteDave = await inviteToOrg(alice.c, 'acme', 'dave@example.com', 'admin');
		expect(await joinOrg(dave.c, inviteDave.code!)).toEqual({org: 'acme', role: 'admin', joined: true});
		expect(await failure(inviteToOrg(alice.c, 'acme', 'bob@example.com'))).toMatchObject({status: 409, errorCode: 'ALREADY_MEMBER'});
		expect(await failure(inviteToOrg(alice.c, 'acme', 'carol@example.com'))).toMatchObject({status: 409, errorCode: 'NO_SEATS'});

		// Members leave on their own; the last admin cannot be removed.
		expect(await removeFromOrg(bob.c, 'acme', 'bob@example.com')).toMatchObject({removed: 'member'});
		expect(await listOrgs(bob.c)).toEqual([]);
		expect(await removeFromOrg(alice.c, 'acme', 'dave@example.com')).toMatchObject({removed: 'member'});
		expect(await failure(removeFromOrg(alice.c, 'acme', 'alice@example.com'))).toMatchObject({status: 409, errorCode: 'LAST_ADMIN'});
		expect(await showOrg(alice.c, 'acme')).toMatchObject({seats_used: 1, members: [expect.objectContaining({email: 'alice@example.com', role: 'admin'})]});
	});

	test('admins change the seats, never below the members seated nor their pending invites; members may not', async () => {
		const {srv, alice, bob, carol, dave} = await setup(backend);
		await createOrg(alice.c, 'acme', 3);
		await joinOrg(bob.c, (await inviteToOrg(alice.c, 'acme', 'bob@example.com')).code!);
		await inviteToOrg(alice.c, 'acme', 'carol@example.com');
		expect(await failure(inviteToOrg(alice.c, 'acme', 'dave@example.com'))).toMatchObject({status: 409, errorCode: 'NO_SEATS'});

		// A member may not; to a non-member the org does not exist; without a token nothing happens.
		expect(await failure(setOrgSeats(bob.c, 'acme', 10))).toEqual({status: 403, errorCode: 'FORBIDDEN', message: 'server: only an admin of acme may change its seats'});
		const stranger = await raw(srv.url, 'PATCH', '/api/v1/orgs/acme', {token: dave.c.token, body: {seats: 10}});
		const missing = await raw(srv.url, 'PATCH', '/api/v1/orgs/nosuchorg', {token: dave.c.token, body: {seats: 10}});
		expect(stranger.status).toBe(404);
		expect(stranger.json.error.message.replace('acme', 'nosuchorg')).toBe(missing.json.error.message);
		expect((await raw(srv.url, 'PATCH', '/api/v1/orgs/acme', {body: {seats: 10}})).status).toBe(401);

		// Below the two members, or below them plus carol's pending invite: refused with what to do.
		expect(await failure(setOrgSeats(alice.c, 'acme', 1))).toEqual({
			status: 409,
			errorCode: 'SEATS_IN_USE',
			message: 'server: acme has 2 member(s): it needs at least 2 seat(s) (remove members first: sfs org remove EMAIL)',
		});
		expect(await failure(setOrgSeats(alice.c, 'acme', 2))).toEqual({
			status: 409,
			errorCode: 'SEATS_IN_USE',
			message: 'server: acme has 2 member(s) and 1 pending invite(s): it needs at least 3 seat(s) (withdraw invites first: sfs org remove EMAIL)',
		});
		for (const seats of [0, -1, 1.5, '4', 100_001, null]) {
			expect((await raw(srv.url, 'PATCH', '/api/v1/orgs/acme', {token: alice.c.token, body: {seats}})).status, String(seats)).toBe(400);
		}

		expect((await showOrg(alice.c, 'acme')).seats).toBe(3);
		expect(await setOrgSeats(alice.c, 'acme', 4)).toEqual({name: 'acme', seats: 4, seats_used: 3});
		expect(await inviteToOrg(alice.c, 'acme', 'dave@example.com')).toMatchObject({email: 'dave@example.com'});
		expect(await listOrgs(bob.c)).toEqual([expect.objectContaining({name: 'acme', seats: 4})]);
		// Withdrawing an invite frees its seat for a smaller org.
		await removeFromOrg(alice.c, 'acme', 'carol@example.com');
		await removeFromOrg(alice.c, 'acme', 'dave@example.com');
		expect(await setOrgSeats(alice.c, 'acme', 2)).toEqual({name: 'acme', seats: 2, seats_used: 2});
		expect(await failure(inviteToOrg(alice.c, 'acme', 'carol@example.com'))).toMatchObject({status: 409, errorCode: 'NO_SEATS'});
	});

	test('admins set roles; only admins may; the last admin cannot demote themselves', async () => {
		const {srv, alice, bob, carol, dave} = await setup(backend);
		await createOrg(alice.c, 'acme', 5);
		await joinOrg(bob.c, (await inviteToOrg(alice.c, 'acme', 'bob@example.com')).code!);
		await inviteToOrg(alice.c, 'acme', 'carol@example.com');

		// The only admin cannot step down.
		expect(await failure(setMemberRole(alice.c, 'acme', 'alice@example.com', 'member'))).toEqual({
			status: 409,
			errorCode: 'LAST_ADMIN',
			message: 'server: you are the last admin of acme: make another member admin first (sfs org role EMAIL admin)',
		});
		// A member may not change roles, not even their own.
		expect(await failure(setMemberRole(bob.c, 'acme', 'bob@example.com', 'admin'))).toEqual({status: 403, errorCode: 'FORBIDDEN', message: 'server: only an admin of acme may change roles'});
		// A non-member: the org does not exist; an invited (not joined) email and a stranger are not members.
		const stranger = await raw(srv.url, 'PATCH', '/api/v1/orgs/acme/members/bob@example.com', {token: dave.c.token, body: {role: 'member'}});
		const missing = await raw(srv.url, 'PATCH', '/api/v1/orgs/nosuchorg/members/bob@example.com', {token: dave.c.token, body: {role: 'member'}});
		expect(stranger.status).toBe(404);
		expect(stranger.json.error.message.replace('acme', 'nosuchorg')).toBe(missing.json.error.message);
		expect((await raw(srv.url, 'PATCH', '/api/v1/orgs/acme/members/bob@example.com', {body: {role: 'admin'}})).status).toBe(401);
		expect(await failure(setMemberRole(alice.c, 'acme', 'carol@example.com', 'admin'))).toEqual({status: 404, errorCode: 'NOT_FOUND', message: 'server: carol@example.com is not a member of acme'});
		expect(await failure(setMemberRole(alice.c, 'acme', 'dave@example.com', 'admin'))).toMatchObject({status: 404});
		expect((await raw(srv.url, 'PATCH', '/api/v1/orgs/acme/members/bob@example.com', {token: alice.c.token, body: {role: 'owner'}})).status).toBe(400);
		expect((await raw(srv.url, 'PATCH', '/api/v1/orgs/acme/members/not-an-email', {token: alice.c.token, body: {role: 'admin'}})).status).toBe(400);

		expect(await setMemberRole(alice.c, 'acme', 'Bob@Example.com', 'admin')).toEqual({org: 'acme', email: 'bob@example.com', role: 'admin', changed: true});
		expect(await setMemberRole(alice.c, 'acme', 'bob@example.com', 'admin')).toEqual({org: 'acme', email: 'bob@example.com', role: 'admin', changed: false});
		// As an admin now, bob invites; alice may step down as there is another admin.
		expect(await inviteToOrg(bob.c, 'acme', 'dave@example.com')).toMatchObject({email: 'dave@example.com'});
		expect(await setMemberRole(alice.c, 'acme', 'alice@example.com', 'member')).toMatchObject({role: 'member', changed: true});
		expect(await failure(setOrgSeats(alice.c, 'acme', 9))).toMatchObject({status: 403});
		expect(await failure(setMemberRole(alice.c, 'acme', 'alice@example.com', 'admin'))).toMatchObject({status: 403});
		expect(await failure(setMemberRole(bob.c, 'acme', 'bob@example.com', 'member'))).toMatchObject({status: 409, errorCode: 'LAST_ADMIN'});
		expect((await showOrg(bob.c, 'acme')).members).toEqual([
			expect.objectContaining({email: 'alice@example.com', role: 'member'}),
			expect.objectContaining({email: 'bob@example.com', role: 'admin'}),
		]);
		expect(await listOrgs(alice.c)).toEqual([expect.objectContaining({name: 'acme', role: 'member'})]);
	});

	test('a join past the seats is refused even with a valid invite (atomic seat check)', async () => {
		const srv = await server({backend, mail: false});
		cleanups.push(() => srv.close());
		// Straight on the storage: two invites made at times when the other had expired, so both exist pending.
		const storage: ServerStorage = await srv.location.open();
		cleanups.push(() => storage.close());
		const at = (day: number) => `2030-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
		for (const id of ['u1', 'u2', 'u3']) await storage.createUser({id, email: `${id}@example.com`, password_hash: 'x', created_at: at(1), verified: true});
		await storage.createOrg({id: 'org1', name: 'tiny', seats: 2, created_by: 'u1', created_at: at(1)}, {org_id: 'org1', user_id: 'u1', role: 'admin', joined_at: at(1)});
		const invite = (id: string, email: string, expires: number) => ({invite_id: id, org_id: 'org1', email, role: 'member' as const, code_sha256: `code-${id}`, invited_by: 'u1', created_at: at(1), expires_at: at(expires), accepted_at: null});
		expect(await storage.addInvite(invite('i2', 'u2@example.com', 5), at(1))).toBe('added');
		expect(await storage.addInvite(invite('i3', 'u3@example.com', 20), at(1))).toBe('no_seats');
		expect(await storage.addInvite(invite('i3', 'u3@example.com', 20), at(6))).toBe('added');
		expect(await storage.acceptInvite('i2', {org_id: 'org1', user_id: 'u2', role: 'member', joined_at: at(2)}, at(2))).toBe('joined');
		expect(await storage.acceptInvite('i3', {org_id: 'org1', user_id: 'u3', role: 'member', joined_at: at(7)}, at(7))).toBe('no_seats');
		expect((await storage.members('org1')).map(row => row.email)).toEqual(['u1@example.com', 'u2@example.com']);
		expect(await storage.acceptInvite('i2', {org_id: 'org1', user_id: 'u2', role: 'member', joined_at: at(3)}, at(3))).toBe('gone');
	});

	test('a join past the seats answers 409 NO_SEATS over HTTP and in one line', async () => {
		const {srv, alice, bob, carol} = await setup(backend);
		await createOrg(alice.c, 'duo', 2);
		const bobInvite = await inviteToOrg(alice.c, 'duo', 'bob@example.com');
		// A second pending invite written behind the server's back (as an older server with more seats might have left it).
		const code = `inv_${'c'.repeat(32)}`;
		const [org] = await srv.location.sql<{id: string}>('SELECT id FROM orgs WHERE name = ?', ['duo']);
		const [admin] = await srv.location.sql<{id: string}>('SELECT id FROM users WHERE email = ?', ['alice@example.com']);
		await srv.location.sql('INSERT INTO org_invites (invite_id, org_id, email, role, code_sha256, invited_by, created_at, expires_at, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
			'oin_extra',
			org!.id,
			'carol@example.com',
			'member',
			createHash('sha256').update(code).digest('hex'),
			admin!.id,
			new Date().toISOString(),
			new Date(Date.now() + 3600_000).toISOString(),
			null,
		]);
		await joinOrg(bob.c, bobInvite.code!);
		const refused = await failure(joinOrg(carol.c, code));
		expect(refused).toEqual({status: 409, errorCode: 'NO_SEATS', message: 'server: duo has no free seat (2 seat(s)): ask an admin to free one'});
		expect((await showOrg(alice.c, 'duo')).members.map(row => row.email)).toEqual(['alice@example.com', 'bob@example.com']);
		await removeFromOrg(alice.c, 'duo', 'bob@example.com');
		expect(await joinOrg(carol.c, code)).toMatchObject({org: 'duo', joined: true});
	});

	test('sessions shared with an org: members list (owner set) and pull them; others get 404 like missing', async () => {
		const {srv, alice, bob, carol} = await setup(backend);
		await createOrg(alice.c, 'acme', 5);
		await joinOrg(bob.c, (await inviteToOrg(alice.c, 'acme', 'bob@example.com')).code!);
		seed(alice.m, 'ses_00000000000000b1', 3);
		seed(alice.m, 'ses_00000000000000b2', 1);
		await pushSession(alice.m.engine, alice.c, 'ses_00000000000000b1', pass);
		await pushSession(alice.m.engine, alice.c, 'ses_00000000000000b2', pass);
		expect(await failure(shareWithOrg(alice.c, 'acme', 'ses_00000000000000ff'))).toMatchObject({status: 404});
		expect(await shareWithOrg(alice.c, 'acme', 'ses_00000000000000b1')).toEqual({org: 'acme', session_id: 'ses_00000000000000b1', owner: 'alice@example.com'});
		// Sharing twice is harmless.
		await shareWithOrg(alice.c, 'acme', 'ses_00000000000000b1');

		const bobSees = await listRemote(bob.c);
		expect(bobSees).toEqual([expect.objectContaining({session_id: 'ses_00000000000000b1', owner: 'alice@example.com', org: 'acme', message_count: 3})]);
		const pulled = await pullSession(bob.m.engine, bob.c, 'ses_00000000000000b1');
		expect(pulled).toMatchObject({created: true, message_count: 3});
		expect(bob.m.engine.store.readSession('ses_00000000000000b1').messages.map(m => m.msg_id)).toEqual(['ses_00000000000000b1-0', 'ses_00000000000000b1-1', 'ses_00000000000000b1-2']);
		// The unshared one stays alice's alone.
		const unshared = await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b2', {token: bob.c.token});
		const missing = await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b3', {token: bob.c.token});
		expect(unshared.status).toBe(404);
		expect(unshared.json.error.message.replace('b2', 'b3')).toBe(missing.json.error.message);

		// carol is in no org: the shared session is invisible to her, exactly like a missing one.
		expect(await listRemote(carol.c)).toEqual([]);
		const asCarol = await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b1', {token: carol.c.token});
		const missingCarol = await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b3', {token: carol.c.token});
		expect(asCarol.status).toBe(404);
		expect(asCarol.json.error.message.replace('b1', 'b3')).toBe(missingCarol.json.error.message);
		// ?owner= picks a copy: bob's own copy does not exist until he pushes it.
		expect((await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b1?owner=alice@example.com', {token: bob.c.token})).json.owner).toBe('alice@example.com');
		expect((await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b1?owner=bob@example.com', {token: bob.c.token})).status).toBe(404);

		// A member cannot unshare what is not theirs; the owner can, and then it is gone for members.
		expect(await failure(unshareFromOrg(bob.c, 'acme', 'ses_00000000000000b1'))).toMatchObject({status: 404});
		await unshareFromOrg(alice.c, 'acme', 'ses_00000000000000b1');
		expect(await listRemote(bob.c)).toEqual([]);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b1', {token: bob.c.token})).status).toBe(404);

		// A member who leaves takes their shares along; the rest see them no more.
		seed(bob.m, 'ses_00000000000000b4', 2);
		await pushSession(bob.m.engine, bob.c, 'ses_00000000000000b4', pass);
		await shareWithOrg(bob.c, 'acme', 'ses_00000000000000b4');
		expect((await listRemote(alice.c)).map(row => [row.session_id, row.owner])).toContainEqual(['ses_00000000000000b4', 'bob@example.com']);
		await removeFromOrg(alice.c, 'acme', 'bob@example.com');
		expect((await listRemote(alice.c)).map(row => row.session_id).sort()).toEqual(['ses_00000000000000b1', 'ses_00000000000000b2']);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions/ses_00000000000000b4', {token: alice.c.token})).status).toBe(404);
	});

	test('every org endpoint: non-members get the answer of a missing org; anonymous callers 401', async () => {
		const {srv, alice, bob, carol} = await setup(backend);
		await createOrg(alice.c, 'acme', 5);
		const invite = await inviteToOrg(alice.c, 'acme', 'bob@example.com');
		await joinOrg(bob.c, invite.code!);
		seed(carol.m, 'ses_00000000000000c1', 1);
		await pushSession(carol.m.engine, carol.c, 'ses_00000000000000c1', pass);
		seed(alice.m, 'ses_00000000000000a1', 1);
		await pushSession(alice.m.engine, alice.c, 'ses_00000000000000a1', pass);
		await shareWithOrg(alice.c, 'acme', 'ses_00000000000000a1');

		const routes: Array<[string, (org: string) => string, object | undefined]> = [
			['GET', org => `/api/v1/orgs/${org}`, undefined],
			['POST', org => `/api/v1/orgs/${org}/invites`, {email: 'carol@example.com'}],
			['DELETE', org => `/api/v1/orgs/${org}/members/bob@example.com`, undefined],
			['DELETE', org => `/api/v1/orgs/${org}/members/carol@example.com`, undefined],
			['PATCH', org => `/api/v1/orgs/${org}`, {seats: 7}],
			['PATCH', org => `/api/v1/orgs/${org}/members/bob@example.com`, {role: 'admin'}],
			['POST', org => `/api/v1/orgs/${org}/sessions`, {session_id: 'ses_00000000000000c1'}],
			['DELETE', org => `/api/v1/orgs/${org}/sessions/ses_00000000000000a1`, undefined],
			['GET', org => `/api/v1/docs?org=${org}`, undefined],
			['GET', org => `/api/v1/docs/rules?project=dir:x&org=${org}`, undefined],
			['PUT', () => '/api/v1/docs/project', {project: 'dir:x', content: 'hi'}],
		];
		for (const [method, route, body] of routes) {
			const bodyFor = (org: string) => (method === 'PUT' ? {...body, org} : body);
			const real = await raw(srv.url, method, route('acme'), {token: carol.c.token, body: bodyFor('acme')});
			const none = await raw(srv.url, method, route('nosuchorg'), {token: carol.c.token, body: bodyFor('nosuchorg')});
			expect({route: route('acme'), status: real.status}).toEqual({route: route('acme'), status: 404});
			expect(real.json.error.message.replace('acme', 'nosuchorg')).toBe(none.json.error.message);
			const anonymous = await raw(srv.url, method, route('acme'), {body: bodyFor('acme')});
			expect(anonymous.status).toBe(401);
		}

		for (const [method, route, body] of [
			['GET', '/api/v1/orgs', undefined],
			['POST', '/api/v1/orgs', {name: 'other'}],
			['POST', '/api/v1/orgs/join', {code: invite.code}],
		] as const) {
			expect((await raw(srv.url, method, route, {body})).status).toBe(401);
		}

		// Nothing changed for the members: bob still in, the share still there, carol's session not shared.
		expect((await showOrg(alice.c, 'acme')).members.map(row => row.email)).toEqual(['alice@example.com', 'bob@example.com']);
		expect((await listRemote(bob.c)).map(row => row.session_id)).toEqual(['ses_00000000000000a1']);
		expect(await listOrgs(carol.c)).toEqual([]);
		// Malformed input: a clear 400, the server stays up.
		expect((await raw(srv.url, 'POST', '/api/v1/orgs', {token: carol.c.token, body: {name: 'Bad Name!'}})).status).toBe(400);
		expect((await raw(srv.url, 'POST', '/api/v1/orgs', {token: carol.c.token, body: {name: 'ok', seats: 0}})).status).toBe(400);
		expect((await raw(srv.url, 'POST', '/api/v1/orgs/acme/invites', {token: alice.c.token, body: {email: 'not-an-email'}})).status).toBe(400);
		expect((await raw(srv.url, 'POST', '/api/v1/orgs/join', {token: carol.c.token, body: {code: 'nope'}})).status).toBe(400);
		expect((await raw(srv.url, 'GET', '/api/v1/health')).status).toBe(200);
	});
});
