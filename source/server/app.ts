/**
 * The sync server: a fastify HTTP JSON API under /api/v1. Every route but signup, login and health
 * needs `Authorization: Bearer <token>`, and every lookup is scoped to the caller: another user's
 * session or handoff is answered exactly like a missing one (404). Errors are `{"error": {code, message}}`.
 * Orgs, email verification and rules/project documents live in ./routes/. When email is configured
 * (SMTP), an account must verify its email before it may touch data.
 */
import {scanSession} from '../engine/dlp/scanner.js';
import {randomBytes} from 'node:crypto';
import {setTimeout as sleep} from 'node:timers/promises';
import zlib from 'node:zlib';
import Fastify, {type FastifyInstance, type FastifyRequest} from 'fastify';
import {SfsError} from '../engine/errors.js';
import {assertValid, isSafeSessionId, prepareValidation} from '../engine/format.js';
import type {Session} from '../engine/types.js';
import {hashPassword, issueToken, parseToken, secretMatches, sha256Hex, verifyPassword} from './credentials.js';
import {type LimitOptions, PushSlots, RateLimiter} from './limits.js';
import {mergeSessions} from './merge.js';
import {type Mailer, type MailSettings, mailSettingsFromEnv, smtpMailer} from './mailer.js';
import {type AuthenticateOptions, type Caller, emailOf, etagHeader, HttpError, now, objectBody, type RouteContext, sessionIdParam, stringField} from './routes/common.js';
import {registerDocumentRoutes} from './routes/documents.js';
import {registerOrgRoutes} from './routes/orgs.js';
import {issueVerification, registerVerificationRoutes} from './routes/verification.js';
import type {HandoffRecord, HandoffWorkspace, ServerStorage, SessionRecord, UserRecord} from './storage.js';

export {HttpError} from './routes/common.js';

export type ServerOptions = {
	storage: ServerStorage;
	/** Largest request body in bytes (default 32 MiB). */
	bodyLimit?: number;
	limits?: Partial<LimitOptions>;
	/** One-line notices (links printed instead of emails, errors). */
	log?: (line: string) => void;
	/** Test hook: wait this long inside a push, after its content is staged and before it is committed. */
	pushDelayMs?: number;
	/**
	 * Email: SMTP settings or a ready mailer; false = off (air-gapped). Undefined: from the environment
	 * (SFS_SMTP_URL, SFS_MAIL_FROM), off when SFS_SMTP_URL is unset.
	 */
	mail?: MailSettings | Mailer | false;
	/** The address links in mails and answers use (default: SFS_PUBLIC_URL, else the request's host). */
	publicUrl?: string;
};

export const DEFAULT_LIMITS: LimitOptions = {requestsPerWindow: 1200, windowMs: 60_000, maxConcurrentPushes: 8};
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
const HANDOFF_TTL_MS = 7 * 24 * 3600 * 1000;
const HANDOFF_ID = /^hnd_[0-9a-f]{16}$/;
const MAX_MERGE_ATTEMPTS = 50;
const BLOB_GRACE_MS = 3600 * 1000;

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
	await prepareValidation();
	const {storage} = options;
	const log = options.log ?? (() => {});
	const mailer = mailerOf(options.mail);
	const publicUrl = (options.publicUrl ?? process.env.SFS_PUBLIC_URL)?.trim().replace(/\/+$/, '') || undefined;
	const limits = {...DEFAULT_LIMITS, ...options.limits};
	const rate = new RateLimiter(limits);
	const pushSlots = new PushSlots(limits.maxConcurrentPushes);
	const app = Fastify({bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, logger: false, return503OnClosing: true});

	app.setErrorHandler((error: Error & {statusCode?: number; code?: string}, _request, reply) => {
		if (error instanceof HttpError) {
			void reply.code(error.statusCode).headers(error.headers).send({error: {code: error.code, message: error.message}});
			return;
		}

		if (error instanceof SfsError) {
			void reply.code(error.code === 'INVALID_SESSION' || error.code === 'UNSUPPORTED_VERSION' ? 422 : 400).send({error: {code: error.code, message: error.message}});
			return;
		}

		const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
		if (status === 500) log(`sfs server: error: ${error.message}`);
		const code = status === 413 ? 'BODY_TOO_LARGE' : status === 500 ? 'INTERNAL' : 'BAD_REQUEST';
		void reply.code(status).send({error: {code, message: status === 500 ? 'internal error' : error.message}});
	});
	app.setNotFoundHandler((request, reply) => {
		void reply.code(404).send({error: {code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}`}});
	});

	const limitBy = (key: string) => {
		const wait = rate.take(key);
		if (wait > 0) throw new HttpError(429, 'RATE_LIMITED', `too many requests; retry in ${wait}s`, {'retry-after': String(wait)});
	};

	async function authenticate(request: FastifyRequest, authOptions: AuthenticateOptions = {}): Promise<Caller> {
		const header = request.headers.authorization ?? '';
		const parsed = header.startsWith('Bearer ') ? parseToken(header.slice(7).trim()) : undefined;
		if (!parsed) {
			limitBy(`ip:${request.ip}`);
			throw new HttpError(401, 'UNAUTHORIZED', 'a valid API token is required (sfs auth login)');
		}

		const token = await storage.tokenById(parsed.token_id);
		if (!token || token.revoked_at || !secretMatches(parsed.secret, token.secret_sha256)) {
			limitBy(`ip:${request.ip}`);
			throw new HttpError(401, 'UNAUTHORIZED', 'this token is not valid (revoked or unknown)');
		}

		const user = await storage.userById(token.user_id);
		if (!user) throw new HttpError(401, 'UNAUTHORIZED', 'this token is not valid');
		limitBy(`user:${user.id}`);
		if (mailer && !user.verified && !authOptions.allowUnverified) {
			throw new HttpError(403, 'UNVERIFIED', `verify ${user.email} first: open the link mailed to it, or run sfs auth verify <token> (sfs auth verify --resend mails a new one)`);
		}

		return {user, tokenId: token.token_id};
	}

	const baseUrl = (request: FastifyRequest) => publicUrl ?? `${request.protocol}://${request.host}`;

	async function deliver(mail: {to: string; subject: string; text: string}, logLine: string): Promise<boolean> {
		if (!mailer) {
			log(`sfs server: email is off; ${logLine}`);
			return false;
		}

		try {
			await mailer.send(mail);
			return true;
		} catch (error) {
			log(`sfs server: mail to ${mail.to} failed (${(error as Error).message.split('\n', 1)[0]}); ${logLine}`);
			return false;
		}
	}

	const context: RouteContext = {app, storage, mailer, log, authenticate, limitBy, baseUrl, deliver};
	if (mailer) log(`sfs server: email on (${mailer.describe}): accounts verify their email before using data`);

	app.get('/api/v1/health', async () => ({ok: true}));

	app.post('/api/v1/auth/signup', async (request, reply) => {
		limitBy(`ip:${request.ip}`);
		const {email, password} = credentialsBody(request.body, 'signup');
		const user = await storage.createUser({id: `usr_${randomBytes(8).toString('hex')}`, email, password_hash: await hashPassword(password), created_at: now(), verified: false});
		if (!user) throw new HttpError(409, 'EMAIL_TAKEN', `an account for ${email} exists already (sfs auth login)`);
		const verification = await issueVerification(context, request, user);
		const token = await newToken(user);
		return reply.code(201).send({user: publicUser(user), ...token, verification});
	});

	app.post('/api/v1/auth/login', async request => {
		limitBy(`ip:${request.ip}`);
		const {email, password} = credentialsBody(request.body, 'login');
		const user = await storage.userByEmail(email);
		// An unknown email costs the same scrypt as a wrong password, so timing does not tell which accounts exist.
		const matches = await verifyPassword(password, user?.password_hash ?? (await unknownUserHash()));
		if (!user || !matches) throw new HttpError(401, 'BAD_CREDENTIALS', 'wrong email or password');
		return {user: publicUser(user), ...(await newToken(user))};
	});

	app.post('/api/v1/auth/logout', async request => {
		const caller = await authenticate(request, {allowUnverified: true});
		return {revoked: await storage.revokeToken(caller.user.id, caller.tokenId)};
	});

	app.get('/api/v1/auth/me', async request => {
		const caller = await authenticate(request, {allowUnverified: true});
		return {user: publicUser(caller.user), token_id: caller.tokenId, verified: caller.user.verified, verification_required: mailer !== undefined};
	});

	// Your sessions, then sessions teammates shared with your orgs (owner: their email; org: the org's name).
	app.get('/api/v1/sessions', async request => {
		const caller = await authenticate(request);
		const rows = await storage.sessions(caller.user.id);
		const own = rows.map(row => ({session_id: row.session_id, title: row.title, tool: row.tool, updated_at: row.updated_at, owner: caller.user.email, org: null, message_count: row.message_count, etag: row.etag}));
		const seen = new Set<string>();
		const shared = [];
		for (const row of await storage.sharedSessions(caller.user.id)) {
			const key = `${row.owner_id}/${row.session_id}`;
			if (seen.has(key)) continue;
			seen.add(key);
			shared.push({session_id: row.session_id, title: row.title, tool: row.tool, updated_at: row.updated_at, owner: row.owner_email, org: row.org_name, message_count: row.message_count, etag: row.etag});
		}

		return [...own, ...shared];
	});

	// Yours first; else the newest copy shared with one of your orgs (?owner=EMAIL picks whose).
	app.get<{Params: {id: string}; Querystring: {owner?: string}}>('/api/v1/sessions/:id', async (request, reply) => {
		const caller = await authenticate(request);
		const id = sessionIdParam(request.params.id);
		const owner = request.query.owner === undefined ? undefined : emailOf(request.query.owner, 'owner');
		const find = async (): Promise<{row: SessionRecord; owner: string; org: string | null} | undefined> => {
			if (owner === undefined || owner === caller.user.email) {
				const row = await storage.session(caller.user.id, id);
				if (row) return {row, owner: caller.user.email, org: null};
			}

			if (owner === caller.user.email) return undefined;
			const shared = (await storage.sharedSessions(caller.user.id, id)).find(row => owner === undefined || row.owner_email === owner);
			return shared ? {row: shared, owner: shared.owner_email, org: shared.org_name} : undefined;
		};

		const {value: found, session} = await readCurrent(find, found => found.row.etag);
		if (!found) throw new HttpError(404, 'NOT_FOUND', `no session ${id} on this server`);
		return reply.header('etag', `"${found.row.etag}"`).send({session_id: id, etag: found.row.etag, owner: found.owner, org: found.org, session});
	});

	app.put<{Params: {id: string}}>('/api/v1/sessions/:id', async (request, reply) => {
		const caller = await authenticate(request);
		const id = sessionIdParam(request.params.id);
		const incoming = sessionBody(request.body, id);
		// The server scans what it receives too: clients gate what they send, but not every client is sfs.
		const scanned = scanSession(incoming);
		const dlp = {secrets: scanned.secrets, personal: scanned.personal};
		if (scanned.secrets > 0) request.log.warn({session_id: id, secrets: scanned.secrets}, 'pushed session holds secrets');
		const ifMatch = etagHeader(request.headers['if-match']);
		if (!pushSlots.tryTake(caller.user.id)) throw new HttpError(429, 'TOO_MANY_PUSHES', `at most ${limits.maxConcurrentPushes} pushes at once`, {'retry-after': '1'});
		try {
			// The pushed version is staged as a blob first: a kill from here on leaves at most an unreferenced blob.
			await saveSession(incoming);
			if (options.pushDelayMs) await sleep(options.pushDelayMs);
			for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
				const {value: row, session: stored} = await readCurrent(async () => storage.session(caller.user.id, id), row => row.etag);
				const conflict = row !== undefined && ifMatch !== row.etag;
				const merged = mergeSessions(stored, incoming);
				if (row && merged.added === 0) {
					return reply.header('etag', `"${row.etag}"`).send({session_id: id, etag: row.etag, merged: conflict, added: 0, message_count: row.message_count, dlp});
				}

				const etag = await saveSession(merged.session);
				const record = recordFor(caller.user.id, merged.session, etag);
				if (await storage.putSession(record, row?.etag)) {
					return reply
						.code(row ? 200 : 201)
						.header('etag', `"${etag}"`)
						.send({session_id: id, etag, merged: conflict, added: merged.added, message_count: record.message_count, dlp});
				}
			}

			throw new HttpError(503, 'BUSY', 'the session changed too often while merging; retry', {'retry-after': '1'});
		} finally {
			pushSlots.release(caller.user.id);
		}
	});

	app.post('/api/v1/handoffs', async (request, reply) => {
		const caller = await authenticate(request);
		const body = objectBody(request.body);
		const sessionId = sessionIdParam(body.session_id);
		const to = emailOf(body.to, 'to');
		const message = body.message === undefined || body.message === null ? null : stringField(body.message, 'message', 10_000);
		const row = await storage.session(caller.user.id, sessionId);
		if (!row) throw new HttpError(404, 'NOT_FOUND', `no session ${sessionId} on this server (sfs push it first)`);
		const created = new Date();
		const handoff: HandoffRecord = {
			handoff_id: `hnd_${randomBytes(8).toString('hex')}`,
			sender_id: caller.user.id,
			recipient_email: to,
			session_id: sessionId,
			etag: row.etag,
			message,
			workspace: workspaceBody(body.workspace),
			created_at: created.toISOString(),
			expires_at: new Date(created.getTime() + HANDOFF_TTL_MS).toISOString(),
			taken_at: null,
		};
		await storage.addHandoff(handoff);
		const url = `${baseUrl(request)}/api/v1/handoffs/${handoff.handoff_id}`;
		await deliver(
			{
				to,
				subject: `${caller.user.email} handed you a session (${handoff.handoff_id})`,
				text: `${caller.user.email} handed you session ${sessionId} on ${baseUrl(request)}.\n${message ? `\n${message}\n` : ''}\nTake it with:\n\n  sfs pull-handoff ${handoff.handoff_id}\n\nIt expires at ${handoff.expires_at}.\n`,
			},
			`handoff ${handoff.handoff_id} from ${caller.user.email} to ${to}: ${url}`,
		);
		return reply.code(201).send({handoff_id: handoff.handoff_id, url, expires_at: handoff.expires_at});
	});

	app.get('/api/v1/handoffs', async request => {
		const caller = await authenticate(request);
		// An expired handoff can no longer be taken (410), and a taken one has its recipient already: neither is waiting.
		const rows = (await storage.handoffsFor(caller.user.email)).filter(row => row.taken_at === null && Date.parse(row.expires_at) >= Date.now());
		return Promise.all(rows.map(async row => publicHandoff(row, await storage.userById(row.sender_id))));
	});

	/** A handoff its recipient or its sender may see (404 to anyone else, as if missing), not expired (410). */
	async function visibleHandoff(caller: {user: UserRecord}, id: string): Promise<HandoffRecord> {
		const handoff = HANDOFF_ID.test(id) ? await storage.handoff(id) : undefined;
		if (!handoff || (handoff.recipient_email !== caller.user.email && handoff.sender_id !== caller.user.id)) throw new HttpError(404, 'NOT_FOUND', `no handoff ${id} for you`);
		if (Date.parse(handoff.expires_at) < Date.now()) throw new HttpError(410, 'EXPIRED', `handoff ${id} expired at ${handoff.expires_at}`);
		return handoff;
	}

	// Taking a handoff again (taken or not) works until it expires: a failed import on the recipient's side can be retried.
	app.get<{Params: {id: string}}>('/api/v1/handoffs/:id', async request => {
		const caller = await authenticate(request);
		const handoff = await visibleHandoff(caller, request.params.id);
		const session = await loadSession(handoff.etag);
		return {handoff: publicHandoff(handoff, await storage.userById(handoff.sender_id)), session};
	});

	// The recipient confirms the import (after it succeeded): the handoff leaves their waiting list. Idempotent.
	app.post<{Params: {id: string}}>('/api/v1/handoffs/:id/taken', async request => {
		const caller = await authenticate(request);
		const handoff = await visibleHandoff(caller, request.params.id);
		if (handoff.recipient_email !== caller.user.email) throw new HttpError(403, 'FORBIDDEN', `only ${handoff.recipient_email}, its recipient, may mark handoff ${handoff.handoff_id} taken`);
		const takenAt = await storage.markHandoffTaken(handoff.handoff_id, now());
		if (takenAt === undefined) throw new HttpError(404, 'NOT_FOUND', `no handoff ${handoff.handoff_id} for you`);
		return {handoff_id: handoff.handoff_id, taken_at: takenAt};
	});

	registerVerificationRoutes(context);
	registerOrgRoutes(context);
	registerDocumentRoutes(context);

	app.addHook('onClose', async () => mailer?.close());

	async function newToken(user: UserRecord) {
		const issued = issueToken();
		await storage.addToken({token_id: issued.token_id, user_id: user.id, secret_sha256: sha256Hex(issued.secret), created_at: now(), revoked_at: null});
		return {token: issued.token, token_id: issued.token_id};
	}

	async function saveSession(session: Session): Promise<string> {
		const text = JSON.stringify(session);
		const etag = sha256Hex(text);
		await storage.putBlob(etag, zlib.gzipSync(text));
		return etag;
	}

	async function loadSession(etag: string): Promise<Session> {
		const session = await blobSession(etag);
		if (!session) throw new HttpError(500, 'MISSING_BLOB', `stored content ${etag} is missing`);
		return session;
	}

	async function blobSession(etag: string): Promise<Session | undefined> {
		const bytes = await storage.blob(etag);
		return bytes ? (JSON.parse(zlib.gunzipSync(bytes).toString('utf8')) as Session) : undefined;
	}

	/**
	 * A row and the session its etag names. Between reading the row and its blob, a push may replace
	 * the version and the sweep take the old blob (unreferenced by then): the row is read again, and only
	 * a blob missing for the row's current etag is an error.
	 */
	async function readCurrent<Row>(readRow: () => Promise<Row | undefined>, etagOf: (row: Row) => string): Promise<{value: Row | undefined; session: Session | undefined}> {
		let value = await readRow();
		for (let attempt = 0; value !== undefined; attempt++) {
			const etag = etagOf(value);
			const session = await blobSession(etag);
			if (session) return {value, session};
			value = await readRow();
			if (value !== undefined && (etagOf(value) === etag || attempt === MAX_MERGE_ATTEMPTS)) {
				throw new HttpError(500, 'MISSING_BLOB', `stored content ${etag} is missing`);
			}
		}

		return {value: undefined, session: undefined};
	}

	return app;
}

let dummyHash: Promise<string> | undefined;
function unknownUserHash(): Promise<string> {
	dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
	return dummyHash;
}

function mailerOf(mail: ServerOptions['mail']): Mailer | undefined {
	if (mail === false) return undefined;
	if (mail === undefined) {
		const settings = mailSettingsFromEnv();
		return settings ? smtpMailer(settings) : undefined;
	}

	return 'send' in mail ? mail : smtpMailer(mail);
}

function publicUser(user: UserRecord) {
	return {id: user.id, email: user.email};
}

function publicHandoff(handoff: HandoffRecord, sender: UserRecord | undefined) {
	return {
		handoff_id: handoff.handoff_id,
		from: sender?.email ?? null,
		to: handoff.recipient_email,
		session_id: handoff.session_id,
		message: handoff.message,
		workspace: handoff.workspace,
		created_at: handoff.created_at,
		expires_at: handoff.expires_at,
		taken_at: handoff.taken_at ?? null,
	};
}

function recordFor(ownerId: string, session: Session, etag: string): SessionRecord {
	const {manifest} = session;
	return {
		owner_id: ownerId,
		session_id: manifest.session_id,
		title: manifest.title ?? null,
		tool: manifest.source.tool,
		updated_at: manifest.updated_at ?? manifest.created_at,
		message_count: session.messages.length,
		etag,
		pushed_at: now(),
	};
}

/** The length rule is for new passwords only: at login a short password is just a wrong one. */
function credentialsBody(body: unknown, purpose: 'signup' | 'login'): {email: string; password: string} {
	const value = objectBody(body);
	const email = emailOf(value.email, 'email');
	const password = stringField(value.password, 'password', 1024);
	if (purpose === 'signup' && password.length < 8) throw new HttpError(400, 'BAD_REQUEST', 'password must have at least 8 characters');
	return {email, password};
}

/** A pushed session: {manifest, messages, workspace?, tools?}, each part checked against the .sfs schemas. */
function sessionBody(body: unknown, id: string): Session {
	const value = objectBody(body);
	const manifest = value.manifest as Session['manifest'];
	if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new HttpError(400, 'BAD_REQUEST', 'manifest must be an object');
	if (!Array.isArray(value.messages)) throw new HttpError(400, 'BAD_REQUEST', 'messages must be an array');
	assertValid('manifest', manifest, 'manifest');
	if (manifest.session_id !== id) throw new HttpError(400, 'BAD_REQUEST', `manifest.session_id ${JSON.stringify(manifest.session_id)} is not ${id}`);
	const seen = new Set<string>();
	for (const [index, message] of (value.messages as unknown[]).entries()) {
		assertValid('message', message, `message ${index + 1}`);
		const msgId = (message as {msg_id: string}).msg_id;
		if (seen.has(msgId)) throw new HttpError(400, 'BAD_REQUEST', `message ${index + 1}: msg_id ${msgId} appears twice`);
		seen.add(msgId);
	}

	const session: Session = {manifest, messages: value.messages as Session['messages']};
	if (value.workspace !== undefined && value.workspace !== null) {
		assertValid('workspace', value.workspace, 'workspace');
		session.workspace = value.workspace as Session['workspace'];
	}

	if (value.tools !== undefined && value.tools !== null) {
		assertValid('tools', value.tools, 'tools');
		session.tools = value.tools as Session['tools'];
	}

	return session;
}

function workspaceBody(value: unknown): HandoffWorkspace {
	if (value === undefined || value === null) return {};
	const body = objectBody(value);
	const workspace: HandoffWorkspace = {};
	for (const key of ['cwd', 'git_remote', 'git_branch', 'git_commit', 'rules_hash'] as const) {
		const field = body[key];
		if (field === undefined || field === null) continue;
		workspace[key] = stringField(field, `workspace.${key}`, 4096);
	}

	return workspace;
}

export type RunningServer = {url: string; port: number; app: FastifyInstance; close(): Promise<void>};

export async function startServer(options: ServerOptions & {host?: string; port?: number}): Promise<RunningServer> {
	const app = await buildServer(options);
	// Superseded versions and blobs staged by pushes killed mid-way; an hour's grace for pushes still running.
	const swept = await options.storage.sweepBlobs(BLOB_GRACE_MS);
	if (swept > 0) options.log?.(`sfs server: removed ${swept} unreferenced blob(s)`);
	const sweeper = setInterval(() => void options.storage.sweepBlobs(BLOB_GRACE_MS).catch(() => undefined), BLOB_GRACE_MS);
	sweeper.unref();
	await app.listen({host: options.host ?? '127.0.0.1', port: options.port ?? 8000});
	const address = app.server.address();
	const port = typeof address === 'object' && address ? address.port : (options.port ?? 8000);
	const host = options.host ?? '127.0.0.1';
	return {
		url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
		port,
		app,
		async close() {
			clearInterval(sweeper);
			await app.close();
			await options.storage.close();
		},
	};
}
