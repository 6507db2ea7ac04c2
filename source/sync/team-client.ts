/**
 * Client calls for the server's team features: orgs (create, list, show, invite, remove, join, seats,
 * roles, share a session), email verification, and synced documents (rules, project context). Every call goes through
 * sync/http.ts (retries on 429/5xx; other 4xx become one-line errors).
 */
import {SfsError} from '../engine/errors.js';
import {type Credentials, normalizeUrl} from './credentials.js';
import {HttpFailure, request, type RequestOptions} from './http.js';

export type OrgRole = 'admin' | 'member';
export type OrgSummary = {name: string; seats: number; role: OrgRole; members: number; created_at: string};
export type OrgDetails = {
	name: string;
	seats: number;
	seats_used: number;
	role: OrgRole;
	created_at: string;
	members: Array<{email: string; role: OrgRole; joined_at: string}>;
	invites: Array<{email: string; role: OrgRole; invited_at: string; expires_at: string}>;
};
/** `code` and `url` come back only when the server's email is off (air-gapped): pass them on yourself. */
export type InviteCreated = {org: string; email: string; role: OrgRole; expires_at: string; mailed: boolean; code?: string; url?: string};

const org = (name: string) => `/api/v1/orgs/${encodeURIComponent(name)}`;
const authed = (credentials: Credentials, options: RequestOptions) => ({...options, token: credentials.token});

export async function createOrg(credentials: Credentials, name: string, seats?: number, options: RequestOptions = {}) {
	return (await request<{name: string; seats: number; role: OrgRole; created_at: string}>(credentials.url, '/api/v1/orgs', {...authed(credentials, options), method: 'POST', body: {name, seats}})).body;
}

export async function listOrgs(credentials: Credentials, options: RequestOptions = {}): Promise<OrgSummary[]> {
	return (await request<OrgSummary[]>(credentials.url, '/api/v1/orgs', authed(credentials, options))).body;
}

export async function showOrg(credentials: Credentials, name: string, options: RequestOptions = {}): Promise<OrgDetails> {
	return (await request<OrgDetails>(credentials.url, org(name), authed(credentials, options))).body;
}

export async function inviteToOrg(credentials: Credentials, name: string, email: string, role: OrgRole = 'member', options: RequestOptions = {}): Promise<InviteCreated> {
	return (await request<InviteCreated>(credentials.url, `${org(name)}/invites`, {...authed(credentials, options), method: 'POST', body: {email, role}})).body;
}

export async function removeFromOrg(credentials: Credentials, name: string, email: string, options: RequestOptions = {}) {
	return (await request<{org: string; email: string; removed: 'member' | 'invite'}>(credentials.url, `${org(name)}/members/${encodeURIComponent(email)}`, {...authed(credentials, options), method: 'DELETE'})).body;
}

export async function setOrgSeats(credentials: Credentials, name: string, seats: number, options: RequestOptions = {}) {
	return (await request<{name: string; seats: number; seats_used: number}>(credentials.url, org(name), {...authed(credentials, options), method: 'PATCH', body: {seats}})).body;
}

export async function setMemberRole(credentials: Credentials, name: string, email: string, role: OrgRole, options: RequestOptions = {}) {
	return (await request<{org: string; email: string; role: OrgRole; changed: boolean}>(credentials.url, `${org(name)}/members/${encodeURIComponent(email)}`, {...authed(credentials, options), method: 'PATCH', body: {role}})).body;
}

/** An invite code from a bare code, a mail's `sfs org join inv_…` line or the invite link. */
export function inviteCodeOf(text: string): string {
	const code = /inv_[0-9a-f]{32}/.exec(text)?.[0];
	if (!code) throw new SfsError('USAGE', `not an invite: ${JSON.stringify(text)}`, {hint: 'invites look like inv_ and 32 hex digits, or the link that contains one'});
	return code;
}

export async function joinOrg(credentials: Credentials, invite: string, options: RequestOptions = {}) {
	return (await request<{org: string; role: OrgRole; joined: boolean}>(credentials.url, '/api/v1/orgs/join', {...authed(credentials, options), method: 'POST', body: {code: inviteCodeOf(invite)}})).body;
}

export async function shareWithOrg(credentials: Credentials, name: string, sessionId: string, options: RequestOptions = {}) {
	return (await request<{org: string; session_id: string; owner: string}>(credentials.url, `${org(name)}/sessions`, {...authed(credentials, options), method: 'POST', body: {session_id: sessionId}})).body;
}

export async function unshareFromOrg(credentials: Credentials, name: string, sessionId: string, options: RequestOptions = {}) {
	return (await request<{org: string; session_id: string; shared: false}>(credentials.url, `${org(name)}/sessions/${encodeURIComponent(sessionId)}`, {...authed(credentials, options), method: 'DELETE'})).body;
}

/**
 * The org a command means: `--org NAME` when given, else the only org the user belongs to (admin-only
 * commands: the only org they administer).
 */
export async function chooseOrg(credentials: Credentials, given: string | undefined, adminOnly = false): Promise<string> {
	if (given) return given;
	const orgs = (await listOrgs(credentials)).filter(item => !adminOnly || item.role === 'admin');
	if (orgs.length === 1) return orgs[0]!.name;
	if (orgs.length === 0) throw new SfsError('NOT_FOUND', adminOnly ? 'you administer no org on this server' : 'you are in no org on this server', {hint: 'sfs org create NAME, or sfs org join <invite>'});
	throw new SfsError('USAGE', `which org? you are in ${orgs.map(item => item.name).join(', ')}`, {hint: 'pass --org NAME'});
}

export type VerifyAnswer = {verified: boolean; email: string | null};

/** Verifies an email with a token (vrf_…) or the link mailed/printed; the server comes from the link, else `url`. */
export async function verifyEmail(tokenOrLink: string, url: string | undefined, options: RequestOptions = {}): Promise<VerifyAnswer & {url: string}> {
	const token = /vrf_[0-9a-f]{32}/.exec(tokenOrLink)?.[0];
	if (!token) throw new SfsError('USAGE', `not a verification token or link: ${JSON.stringify(tokenOrLink)}`, {hint: 'tokens look like vrf_ and 32 hex digits'});
	const base = /^https?:\/\//.test(tokenOrLink) ? normalizeUrl(tokenOrLink) : url ? normalizeUrl(url) : undefined;
	if (!base) throw new SfsError('USAGE', 'which server? log in first (sfs auth login --url URL) or pass --url', {hint: 'or give the whole link'});
	const answer = (await request<VerifyAnswer>(base, '/api/v1/auth/verify', {...options, method: 'POST', body: {token}})).body;
	return {...answer, url: base};
}

export type ResendAnswer = {verified: boolean; verification: null | {required: true; sent_to: string; mailed: boolean} | {required: false; url: string; token: string}};

export async function resendVerification(credentials: Credentials, options: RequestOptions = {}): Promise<ResendAnswer> {
	return (await request<ResendAnswer>(credentials.url, '/api/v1/auth/verify/resend', {...authed(credentials, options), method: 'POST'})).body;
}

export type DocumentKind = 'rules' | 'project';
export type RemoteDocument = {kind: DocumentKind; project: string; org: string | null; etag: string; updated_at: string; updated_by: string | null; content: string};
export type DocumentWritten = Omit<RemoteDocument, 'content'> & {changed: boolean};

/** The server's document, or undefined when it has none (an org you are not in is still an error). */
export async function getDocument(credentials: Credentials, kind: DocumentKind, project: string, orgName: string | undefined, options: RequestOptions = {}): Promise<RemoteDocument | undefined> {
	const query = new URLSearchParams({project, ...(orgName ? {org: orgName} : {})});
	try {
		return (await request<RemoteDocument>(credentials.url, `/api/v1/docs/${kind}?${query}`, authed(credentials, options))).body;
	} catch (error) {
		if (error instanceof HttpFailure && error.errorCode === 'NO_DOCUMENT') return undefined;
		throw error;
	}
}

/**
 * Writes a document: over version `base` only (a stale base answers 412), or only when the server has
 * none (`base` undefined), or whatever is there (`force`).
 */
export async function putDocument(
	credentials: Credentials,
	kind: DocumentKind,
	project: string,
	content: string,
	write: {org?: string; base?: string; force?: boolean},
	options: RequestOptions = {},
): Promise<DocumentWritten> {
	const headers: Record<string, string> = write.force ? {} : write.base ? {'if-match': `"${write.base}"`} : {'if-none-match': '*'};
	return (await request<DocumentWritten>(credentials.url, `/api/v1/docs/${kind}`, {...authed(credentials, options), method: 'PUT', headers, body: {project, org: write.org ?? null, content}})).body;
}
