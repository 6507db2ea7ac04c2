/**
 * Orgs: a creator (admin) invites emails into a fixed number of seats (members plus pending invites);
 * the invited account joins with the invite code. Members share their sessions with the org; every
 * member may list and pull them. To a non-member an org answers exactly like a missing one (404).
 */
import {randomBytes} from 'node:crypto';
import {sha256Hex} from '../credentials.js';
import type {MemberRecord, OrgRecord, OrgRole} from '../storage.js';
import {type Caller, emailOf, HttpError, now, objectBody, type RouteContext, sessionIdParam} from './common.js';

const ORG_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const INVITE_CODE = /^inv_[0-9a-f]{32}$/;
const INVITE_TTL_MS = 14 * 24 * 3600 * 1000;
export const DEFAULT_SEATS = 10;
const MAX_SEATS = 100_000;

/** The org and the caller's membership; 404 (the same answer as a missing org) for non-members. */
export async function membership(context: RouteContext, caller: Caller, rawName: unknown): Promise<{org: OrgRecord; member: MemberRecord}> {
	const name = orgNameOf(rawName);
	const org = await context.storage.orgByName(name);
	const member = org ? await context.storage.member(org.id, caller.user.id) : undefined;
	if (!org || !member) throw notMember(name);
	return {org, member};
}

/** To a non-member an org does not exist. */
function notMember(name: string): HttpError {
	return new HttpError(404, 'NOT_FOUND', `no org ${name} of yours on this server`);
}

export function registerOrgRoutes(context: RouteContext): void {
	const {app, storage} = context;
	const memberOf = async (caller: Caller, name: unknown) => membership(context, caller, name);

	function forbidden(org: OrgRecord, what: string): never {
		throw new HttpError(403, 'FORBIDDEN', `only an admin of ${org.name} may ${what}`);
	}

	function requireAdmin(org: OrgRecord, member: MemberRecord, what: string): void {
		if (member.role !== 'admin') forbidden(org, what);
	}

	app.post('/api/v1/orgs', async (request, reply) => {
		const caller = await context.authenticate(request);
		const body = objectBody(request.body);
		const name = orgNameOf(body.name);
		const seats = body.seats === undefined || body.seats === null ? DEFAULT_SEATS : seatsOf(body.seats);
		const created = now();
		const org: OrgRecord = {id: `org_${randomBytes(8).toString('hex')}`, name, seats, created_by: caller.user.id, created_at: created};
		const stored = await storage.createOrg(org, {org_id: org.id, user_id: caller.user.id, role: 'admin', joined_at: created});
		if (!stored) throw new HttpError(409, 'NAME_TAKEN', `an org named ${name} exists already`);
		return reply.code(201).send({name, seats, role: 'admin', created_at: created});
	});

	app.get('/api/v1/orgs', async request => {
		const caller = await context.authenticate(request);
		const orgs = await storage.orgsOf(caller.user.id);
		return Promise.all(orgs.map(async org => ({name: org.name, seats: org.seats, role: org.role, members: (await storage.members(org.id)).length, created_at: org.created_at})));
	});

	app.get<{Params: {name: string}}>('/api/v1/orgs/:name', async request => {
		const caller = await context.authenticate(request);
		const {org, member} = await memberOf(caller, request.params.name);
		const members = await storage.members(org.id);
		const invites = await storage.pendingInvites(org.id, now());
		return {
			name: org.name,
			seats: org.seats,
			seats_used: members.length + invites.length,
			role: member.role,
			created_at: org.created_at,
			members: members.map(row => ({email: row.email, role: row.role, joined_at: row.joined_at})),
			// Who else is invited is for admins; members see the count through seats_used.
			invites: member.role === 'admin' ? invites.map(row => ({email: row.email, role: row.role, invited_at: row.created_at, expires_at: row.expires_at})) : [],
		};
	});

	// Admins change the seats; never below the seats taken (members, then pending invites).
	app.patch<{Params: {name: string}}>('/api/v1/orgs/:name', async request => {
		const caller = await context.authenticate(request);
		const {org, member} = await memberOf(caller, request.params.name);
		requireAdmin(org, member, 'change its seats');
		const seats = seatsOf(objectBody(request.body).seats);
		const {outcome, members, pending} = await storage.setSeats(org.id, seats, now());
		if (outcome === 'below_members') {
			throw new HttpError(409, 'SEATS_IN_USE', `${org.name} has ${members} member(s): it needs at least ${members} seat(s) (remove members first: sfs org remove EMAIL)`);
		}

		if (outcome === 'below_invites') {
			throw new HttpError(409, 'SEATS_IN_USE', `${org.name} has ${members} member(s) and ${pending} pending invite(s): it needs at least ${members + pending} seat(s) (withdraw invites first: sfs org remove EMAIL)`);
		}

		return {name: org.name, seats, seats_used: members + pending};
	});

	// Admins make a member an admin or a member; the org always keeps an admin.
	app.patch<{Params: {name: string; email: string}}>('/api/v1/orgs/:name/members/:email', async request => {
		const caller = await context.authenticate(request);
		const {org, member} = await memberOf(caller, request.params.name);
		requireAdmin(org, member, 'change roles');
		const email = emailOf(request.params.email, 'email');
		const role = roleOf(objectBody(request.body).role);
		const target = await storage.userByEmail(email);
		const outcome = target ? await storage.setRole(org.id, target.id, role, caller.user.id) : 'not_member';
		if (outcome === 'forbidden') forbidden(org, 'change roles');
		if (outcome === 'not_member') throw new HttpError(404, 'NOT_FOUND', `${email} is not a member of ${org.name}`);
		if (outcome === 'last_admin') {
			const who = email === caller.user.email ? 'you are' : `${email} is`;
			throw new HttpError(409, 'LAST_ADMIN', `${who} the last admin of ${org.name}: make another member admin first (sfs org role EMAIL admin)`);
		}

		return {org: org.name, email, role, changed: outcome === 'changed'};
	});

	app.post<{Params: {name: string}}>('/api/v1/orgs/:name/invites', async (request, reply) => {
		const caller = await context.authenticate(request);
		const {org, member} = await memberOf(caller, request.params.name);
		requireAdmin(org, member, 'invite');
		const body = objectBody(request.body);
		const email = emailOf(body.email, 'email');
		const role = body.role === undefined || body.role === null ? 'member' : roleOf(body.role);
		const code = `inv_${randomBytes(16).toString('hex')}`;
		const created = new Date();
		const invite = {
			invite_id: `oin_${randomBytes(8).toString('hex')}`,
			org_id: org.id,
			email,
			role,
			code_sha256: sha256Hex(code),
			invited_by: caller.user.id,
			created_at: created.toISOString(),
			expires_at: new Date(created.getTime() + INVITE_TTL_MS).toISOString(),
			accepted_at: null,
		};
		const outcome = await storage.addInvite(invite, created.toISOString());
		if (outcome === 'already_member') throw new HttpError(409, 'ALREADY_MEMBER', `${email} is a member of ${org.name} already`);
		if (outcome === 'no_seats') throw new HttpError(409, 'NO_SEATS', `${org.name} has no free seat (${org.seats} seat(s), counting pending invites): remove a member or an invite first`);
		const base = context.baseUrl(request);
		const url = `${base}/api/v1/invites/${code}`;
		const mailed = await context.deliver(
			{
				to: email,
				subject: `${caller.user.email} invited you to the sfs org ${org.name}`,
				text: `${caller.user.email} invited you to join ${org.name} (as ${role}) on the sfs server ${base}.\n\nLog in there as ${email} (sfs auth signup --url ${base} or sfs auth login --url ${base}), then run:\n\n  sfs org join ${code}\n\nInvite details: ${url}\nThe invite expires at ${invite.expires_at}.\n`,
			},
			`invite to ${org.name} for ${email}: sfs org join ${code} (${url})`,
		);
		const answer = {org: org.name, email, role, expires_at: invite.expires_at, mailed};
		// With email on, the code goes to the invited address only.
		return reply.code(201).send(context.mailer ? answer : {...answer, code, url});
	});

	app.get<{Params: {code: string}}>('/api/v1/invites/:code', async request => {
		context.limitBy(`ip:${request.ip}`);
		const invite = INVITE_CODE.test(request.params.code) ? await storage.inviteByCode(sha256Hex(request.params.code)) : undefined;
		if (!invite) throw new HttpError(404, 'NOT_FOUND', 'no such invite');
		const org = await storage.orgById(invite.org_id);
		const inviter = await storage.userById(invite.invited_by);
		const state = invite.accepted_at ? 'accepted' : Date.parse(invite.expires_at) <= Date.now() ? 'expired' : 'pending';
		return {org: org?.name ?? null, email: invite.email, role: invite.role, invited_by: inviter?.email ?? null, expires_at: invite.expires_at, state, join: `sfs org join ${request.params.code}`};
	});

	app.post('/api/v1/orgs/join', async request => {
		const caller = await context.authenticate(request);
		const code = objectBody(request.body).code;
		if (typeof code !== 'string' || !INVITE_CODE.test(code)) throw new HttpError(400, 'BAD_REQUEST', 'not an invite code (inv_ and 32 hex digits)');
		const invite = await storage.inviteByCode(sha256Hex(code));
		// An invite is for one address: to any other account it does not exist.
		if (!invite || invite.email !== caller.user.email) throw new HttpError(404, 'NOT_FOUND', `no such invite for ${caller.user.email}`);
		const org = await storage.orgById(invite.org_id);
		if (!org) throw new HttpError(404, 'NOT_FOUND', `no such invite for ${caller.user.email}`);
		const outcome = await storage.acceptInvite(invite.invite_id, {org_id: org.id, user_id: caller.user.id, role: invite.role, joined_at: now()}, now());
		if (outcome === 'gone') throw new HttpError(410, 'GONE', `this invite to ${org.name} was used or has expired: ask an admin for a new one`);
		if (outcome === 'already_member') throw new HttpError(409, 'ALREADY_MEMBER', `you are a member of ${org.name} already`);
		if (outcome === 'no_seats') throw new HttpError(409, 'NO_SEATS', `${org.name} has no free seat (${org.seats} seat(s)): ask an admin to free one`);
		return {org: org.name, role: invite.role, joined: true};
	});

	app.delete<{Params: {name: string; email: string}}>('/api/v1/orgs/:name/members/:email', async request => {
		const caller = await context.authenticate(request);
		const {org, member} = await memberOf(caller, request.params.name);
		const email = emailOf(request.params.email, 'email');
		if (email !== caller.user.email) requireAdmin(org, member, 'remove others');
		// Checked again inside the removal, with the last-admin rule: another admin may act at the same moment.
		const outcome = await storage.removeFromOrg(org.id, email, caller.user.id);
		if (outcome === 'forbidden') forbidden(org, 'remove others');
		if (outcome === 'last_admin') throw new HttpError(409, 'LAST_ADMIN', `${email} is the last admin of ${org.name}: invite another admin first`);
		if (outcome === 'not_found') throw new HttpError(404, 'NOT_FOUND', `${email} is neither a member of ${org.name} nor invited`);
		return {org: org.name, email, removed: outcome};
	});

	app.post<{Params: {name: string}}>('/api/v1/orgs/:name/sessions', async (request, reply) => {
		const caller = await context.authenticate(request);
		const {org} = await memberOf(caller, request.params.name);
		const sessionId = sessionIdParam(objectBody(request.body).session_id);
		// Membership is checked again with the write: a member removed meanwhile leaves no share behind.
		const outcome = await storage.shareSession({org_id: org.id, owner_id: caller.user.id, session_id: sessionId, shared_at: now()});
		if (outcome === 'not_member') throw notMember(org.name);
		if (outcome === 'no_session') throw new HttpError(404, 'NOT_FOUND', `no session ${sessionId} of yours on this server (sfs push it first)`);
		return reply.code(201).send({org: org.name, session_id: sessionId, owner: caller.user.email});
	});

	app.delete<{Params: {name: string; id: string}}>('/api/v1/orgs/:name/sessions/:id', async request => {
		const caller = await context.authenticate(request);
		const {org} = await memberOf(caller, request.params.name);
		const sessionId = sessionIdParam(request.params.id);
		if (!(await storage.unshareSession(org.id, caller.user.id, sessionId))) throw new HttpError(404, 'NOT_FOUND', `session ${sessionId} of yours is not shared with ${org.name}`);
		return {org: org.name, session_id: sessionId, shared: false};
	});
}

export function orgNameOf(value: unknown): string {
	const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
	if (!ORG_NAME.test(name)) throw new HttpError(400, 'BAD_REQUEST', 'an org name is 1 to 63 lowercase letters, digits, - or _ (starting with a letter or digit)');
	return name;
}

function seatsOf(value: unknown): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SEATS) throw new HttpError(400, 'BAD_REQUEST', `seats must be a whole number from 1 to ${MAX_SEATS}`);
	return value;
}

function roleOf(value: unknown): OrgRole {
	if (value !== 'admin' && value !== 'member') throw new HttpError(400, 'BAD_REQUEST', 'role must be admin or member');
	return value;
}
