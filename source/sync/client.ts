/**
 * The sync client: accounts, push, pull, list-remote and handoffs against an sfs server. Outgoing
 * sessions pass the DLP gate (egress push/handoff) before they leave. A pulled session is created
 * whole in the store, or, when it is here already, gains the messages it lacks (append-only: nothing
 * local is dropped) and is reindexed.
 */
import {errorLine, SfsError} from '../engine/errors.js';
import {isSafeSessionId} from '../engine/format.js';
import type {Engine} from '../engine/open-engine.js';
import type {Session} from '../engine/types.js';
import type {HandoffWorkspace} from '../server/storage.js';
import {type Credentials, normalizeUrl, saveCredentials} from './credentials.js';
import {HttpFailure, request, type RequestOptions, type Response} from './http.js';
import {type EtagBook, fileEtagBook} from './state.js';
import {storeIncoming, withoutLocalState} from './store-incoming.js';
import {senderWorkspace, workspaceDifferences} from './workspace-state.js';

export type AuthAnswer = {user: {id: string; email: string}; token: string; token_id: string};

export async function signup(url: string, email: string, password: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
	const base = normalizeUrl(url);
	const answer = await request<AuthAnswer>(base, '/api/v1/auth/signup', {method: 'POST', body: {email, password}});
	return keep(base, answer.body, env);
}

export async function login(url: string, email: string, password: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
	const base = normalizeUrl(url);
	const answer = await request<AuthAnswer>(base, '/api/v1/auth/login', {method: 'POST', body: {email, password}});
	return keep(base, answer.body, env);
}

/** Logs in with an existing API token (checked with the server first). */
export async function loginWithToken(url: string, token: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
	const base = normalizeUrl(url);
	const me = await request<{user: {id: string; email: string}; token_id: string}>(base, '/api/v1/auth/me', {token});
	return keep(base, {user: me.body.user, token, token_id: me.body.token_id}, env);
}

function keep(url: string, answer: AuthAnswer, env: NodeJS.ProcessEnv): Credentials {
	const credentials: Credentials = {url, email: answer.user.email, token: answer.token, token_id: answer.token_id, user_id: answer.user.id};
	saveCredentials(credentials, env);
	return credentials;
}

export async function whoAmI(credentials: Credentials): Promise<{user: {id: string; email: string}; token_id: string}> {
	return (await request<{user: {id: string; email: string}; token_id: string}>(credentials.url, '/api/v1/auth/me', {token: credentials.token, attempts: 2})).body;
}

export async function revoke(credentials: Credentials): Promise<boolean> {
	return (await request<{revoked: boolean}>(credentials.url, '/api/v1/auth/logout', {method: 'POST', token: credentials.token, attempts: 2})).body.revoked;
}

/** `org` is set on a teammate's session shared with one of your orgs (servers with orgs); null or absent on yours. */
export type RemoteSession = {session_id: string; title: string | null; tool: string; updated_at: string; owner: string; org?: string | null; message_count: number; etag: string};

export async function listRemote(credentials: Credentials, options: RequestOptions = {}): Promise<RemoteSession[]> {
	return (await request<RemoteSession[]>(credentials.url, '/api/v1/sessions', {...options, token: credentials.token})).body;
}

export type PushResult = {session_id: string; etag: string; merged: boolean; added: number; message_count: number; pulled: number};

/** Hook for the DLP gate: returns the session as it may leave (redacted), or throws when blocked. */
export type OutgoingGate = (session: Session, egress: 'push' | 'handoff') => Promise<Session> | Session;

/** The DLP gate of source/engine/dlp on an outgoing session; its notices go to `notify`. */
export function dlpGate(options: {allowSecrets?: boolean; notify: (line: string) => void}): OutgoingGate {
	return async (session, egress) => {
		const {enforce, gateSession} = await import('../engine/dlp/gate.js');
		const outcome = gateSession(session, {egress, allowSecrets: options.allowSecrets === true});
		enforce(outcome, options.notify);
		return outcome.session;
	};
}

/** How a session looks here now, for telling later whether it changed since it was last synced. */
export function localFingerprint(engine: Engine, sessionId: string): string | undefined {
	const row = engine.index.getSession(sessionId);
	return row ? fingerprintOf(row) : undefined;
}

export function fingerprintOf(row: {message_count: number; updated_at: string | null}): string {
	return `${row.message_count}@${row.updated_at ?? ''}`;
}

const MAX_CONFLICT_ROUNDS = 5;

/**
 * Pushes a local session with If-Match (the version last seen here). A server that merged in messages
 * pushed from elsewhere answers with more messages than were sent: they are pulled in. A server that
 * refuses a stale If-Match (412) gets the remote version pulled and merged here (both sides kept),
 * then the push again, up to a few rounds.
 */
export async function pushSession(engine: Engine, credentials: Credentials, sessionId: string, gate: OutgoingGate, options: RequestOptions = {}, book: EtagBook = fileEtagBook(engine.env)): Promise<PushResult> {
	let pulled = 0;
	let conflicts = 0;
	for (;;) {
		const read = engine.store.readSession(sessionId);
		const local: Session = {manifest: read.manifest, messages: read.messages, workspace: read.workspace, tools: read.tools};
		const outgoing = withoutLocalState(await gate(local, 'push'));
		const ifMatch = book.known(credentials.url, sessionId);
		let answer: Response<Omit<PushResult, 'pulled'>>;
		try {
			answer = await request<Omit<PushResult, 'pulled'>>(credentials.url, `/api/v1/sessions/${encodeURIComponent(sessionId)}`, {
				...options,
				method: 'PUT',
				token: credentials.token,
				body: outgoing,
				headers: ifMatch ? {'if-match': `"${ifMatch}"`} : {},
			});
		} catch (error) {
			if (!(error instanceof HttpFailure) || error.status !== 412 || conflicts >= MAX_CONFLICT_ROUNDS) throw error;
			conflicts++;
			pulled += (await pullSession(engine, credentials, sessionId, options, book)).added;
			continue;
		}

		if (answer.body.message_count > local.messages.length) pulled += (await pullSession(engine, credentials, sessionId, options, book)).added;
		else book.remember(credentials.url, sessionId, answer.body.etag, localFingerprint(engine, sessionId));
		return {...answer.body, merged: answer.body.merged || conflicts > 0, pulled};
	}
}

export type PullResult = {session_id: string; etag: string; created: boolean; added: number; message_count: number};

export async function pullSession(engine: Engine, credentials: Credentials, sessionId: string, options: RequestOptions = {}, book: EtagBook = fileEtagBook(engine.env)): Promise<PullResult> {
	if (!isSafeSessionId(sessionId)) throw new SfsError('USAGE', `not a valid session id: ${JSON.stringify(sessionId)}`);
	const answer = await request<{session: Session; etag: string; owner?: string}>(credentials.url, `/api/v1/sessions/${encodeURIComponent(sessionId)}`, {...options, token: credentials.token});
	const written = await storeIncoming(engine, answer.body.session, 'pulled');
	// A teammate's session (shared with an org) is theirs: noted, so that sync never pushes it as yours.
	const owner = answer.body.owner && answer.body.owner !== credentials.email ? answer.body.owner : undefined;
	// Messages only this machine has (not sent yet) leave the local version unsynced: the next sync that selects it pushes them.
	const inSync = written.message_count <= answer.body.session.messages.length;
	book.remember(credentials.url, sessionId, answer.body.etag, inSync ? localFingerprint(engine, sessionId) : undefined, owner);
	return {session_id: sessionId, etag: answer.body.etag, ...written};
}

export type HandoffCreated = {handoff_id: string; url: string; expires_at: string};

export async function createHandoff(engine: Engine, credentials: Credentials, sessionId: string, to: string, message: string | undefined, gate: OutgoingGate, options: RequestOptions = {}): Promise<HandoffCreated & {workspace: HandoffWorkspace}> {
	await pushSession(engine, credentials, sessionId, async session => gate(session, 'handoff'), options);
	const read = engine.store.readSession(sessionId);
	const workspace = senderWorkspace({manifest: read.manifest, messages: [], workspace: read.workspace, tools: read.tools});
	const answer = await request<HandoffCreated>(credentials.url, '/api/v1/handoffs', {
		...options,
		method: 'POST',
		token: credentials.token,
		body: {session_id: sessionId, to, message: message ?? null, workspace},
	});
	return {...answer.body, workspace};
}

/** `taken_at`: when the recipient took it (servers from before it was recorded leave it out). */
export type HandoffInfo = {handoff_id: string; from: string | null; to: string; session_id: string; message: string | null; workspace: HandoffWorkspace; created_at: string; expires_at: string; taken_at?: string | null};

/** Handoffs addressed to the logged-in user (newest first). */
export async function listHandoffs(credentials: Credentials, options: RequestOptions = {}): Promise<HandoffInfo[]> {
	return (await request<HandoffInfo[]>(credentials.url, '/api/v1/handoffs', {...options, token: credentials.token})).body;
}

/**
 * Whether the server now lists the handoff as taken: 'taken'; 'unsupported' (a server from before
 * taken handoffs answers 404: it keeps listing it until it expires); or why telling it failed;
 * 'not-recipient': the sender took their own handoff (it waits for its recipient still; nothing to tell).
 */
export type TakenConfirmation = {state: 'taken'; taken_at: string} | {state: 'unsupported'} | {state: 'failed'; error: string} | {state: 'not-recipient'};

export type HandoffPulled = PullResult & {handoff: HandoffInfo; folder: string; differences: string[]; confirmation: TakenConfirmation};

/**
 * Takes a handoff into the store, then tells the server it was taken, so it leaves the waiting list.
 * Only a successful import confirms (a failure before leaves it listed); a failed confirmation does not
 * undo the import. Taking it again by id works until it expires.
 */
export async function pullHandoff(engine: Engine, credentials: Credentials, handoffId: string, here: string, options: RequestOptions = {}): Promise<HandoffPulled> {
	if (!/^hnd_[0-9a-f]{16}$/.test(handoffId)) throw new SfsError('USAGE', `not a handoff id: ${JSON.stringify(handoffId)}`, {hint: 'handoff ids look like hnd_0123456789abcdef'});
	const answer = await request<{handoff: HandoffInfo; session: Session}>(credentials.url, `/api/v1/handoffs/${handoffId}`, {...options, token: credentials.token});
	const {handoff, session} = answer.body;
	const written = await storeIncoming(engine, session, 'pulled');
	const forMe = handoff.to.toLowerCase() === credentials.email.toLowerCase();
	const confirmation: TakenConfirmation = forMe ? await confirmTaken(credentials, handoffId, options) : {state: 'not-recipient'};
	const {folder, differences} = workspaceDifferences(handoff.workspace, here);
	const taken = confirmation.state === 'taken' ? {...handoff, taken_at: confirmation.taken_at} : handoff;
	return {session_id: session.manifest.session_id, etag: '', ...written, handoff: taken, folder, differences, confirmation};
}

async function confirmTaken(credentials: Credentials, handoffId: string, options: RequestOptions): Promise<TakenConfirmation> {
	try {
		const answer = await request<{handoff_id: string; taken_at: string}>(credentials.url, `/api/v1/handoffs/${handoffId}/taken`, {...options, method: 'POST', token: credentials.token});
		return {state: 'taken', taken_at: answer.body.taken_at};
	} catch (error) {
		if (error instanceof HttpFailure && error.status === 404) return {state: 'unsupported'};
		return {state: 'failed', error: errorLine(error)};
	}
}

