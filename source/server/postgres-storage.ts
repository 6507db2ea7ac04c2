/**
 * Server storage on PostgreSQL (chosen by `SFS_DATABASE_URL=postgres://…`), for a team that wants a
 * real database server: several `sfs server` processes, on one machine or several, may share it.
 *
 * Session blobs are kept IN the database (table `blobs`, bytea), not in a blob directory: the
 * database is then the whole state (one pg_dump is a full backup), servers on different hosts share
 * it without a shared file system, and the sweep of unreferenced blobs is one DELETE that is
 * consistent with the session and handoff rows (see sweepBlobs). Blobs are bounded by the request
 * body limit (32 MiB by default), well within bytea's reach.
 *
 * The pool is bounded (`poolSize`, default 10). A lost or refused connection answers 503 with
 * Retry-After (clients retry 5xx); pg's idle-client errors are caught so the server never crashes on them.
 */
import pg from 'pg';
import {SfsError} from '../engine/errors.js';
import {HttpError} from './app.js';
import {migratePostgres} from './migrations.js';
import {POSTGRES_MIGRATIONS} from './postgres-migrations.js';
import type {
	DocumentKind,
	DocumentRecord,
	HandoffRecord,
	InviteOutcome,
	InviteRecord,
	JoinOutcome,
	MemberRecord,
	MemberView,
	OrgRecord,
	OrgRole,
	RemovalOutcome,
	RoleOutcome,
	SeatsOutcome,
	ServerStorage,
	SessionRecord,
	ShareOutcome,
	ShareRecord,
	SharedSessionRecord,
	TokenRecord,
	UserRecord,
	VerificationRecord,
} from './storage.js';

export type PostgresOptions = {
	/** Most connections this server holds (default 10). */
	poolSize?: number;
	/** How long a request waits for a free connection or a new one (default 5 s) before a 503. */
	connectTimeoutMs?: number;
	/** One-line notices (a lost connection). */
	log?: (line: string) => void;
};

export const DEFAULT_POOL_SIZE = 10;
const HASH = /^[0-9a-f]{64}$/;
/** Node socket errors and pg's own messages when the connection is gone or cannot be made. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT']);
const CONNECTION_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect|Query read timeout|Client was closed|Cannot use a pool after calling end/i;
/** SQLSTATEs worth a retry: connection exceptions (08…), shutdown/startup (57P0x), statement timeout, too many connections, serialization. */
const RETRY_SQLSTATES = /^(08...|57P0[1-3]|57014|53300|40001|40P01)$/;
/** Text PostgreSQL cannot store (NUL) or a bad JSON escape in jsonb. */
const UNSTORABLE_SQLSTATES = new Set(['22021', '22P05']);

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresStorage implements ServerStorage {
	private reportedAt = 0;

	private constructor(
		private readonly pool: pg.Pool,
		private readonly log: (line: string) => void,
	) {}

	/** Connects, applies pending migrations (under an advisory lock) and returns the storage. */
	static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStorage> {
		const log = options.log ?? (() => {});
		const pool = new pg.Pool({
			connectionString: url,
			max: options.poolSize ?? DEFAULT_POOL_SIZE,
			connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
			idleTimeoutMillis: 30_000,
			application_name: 'sfs server',
			// A request never waits on the database forever: a stuck statement is cancelled by the
			// server, a silent network (no reset) is noticed by keepalive and a client-side timeout.
			statement_timeout: 60_000,
			query_timeout: 90_000,
			keepAlive: true,
		});
		let reported = 0;
		// An idle connection dropped by the server (restart, network): pg emits it here; without a
		// listener it would crash the process. The pool replaces the connection on next use.
		pool.on('error', error => {
			if (Date.now() - reported > 10_000) log(`sfs server: database connection lost: ${error.message}`);
			reported = Date.now();
		});
		try {
			const client = await pool.connect();
			const onError = () => undefined;
			client.on('error', onError);
			try {
				await migratePostgres(client, POSTGRES_MIGRATIONS);
			} finally {
				client.off('error', onError);
				client.release();
			}
		} catch (error) {
			await pool.end().catch(() => undefined);
			if (error instanceof SfsError) throw error;
			throw new SfsError('DB', `cannot open the PostgreSQL database ${redactUrl(url)}: ${(error as Error).message}`, {cause: error, hint: 'check SFS_DATABASE_URL and that the server is up'});
		}

		const storage = new PostgresStorage(pool, log);
		return storage;
	}

	async createUser(user: UserRecord): Promise<UserRecord | undefined> {
		const result = await this.query(
			'INSERT INTO users (id, email, password_hash, created_at, verified) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
			[user.id, user.email, user.password_hash, user.created_at, user.verified],
		);
		return result.rowCount === 1 ? user : undefined;
	}

	async userByEmail(email: string): Promise<UserRecord | undefined> {
		return (await this.query<UserRecord>('SELECT * FROM users WHERE email = $1', [email])).rows[0];
	}

	async userById(id: string): Promise<UserRecord | undefined> {
		return (await this.query<UserRecord>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
	}

	async addToken(token: TokenRecord): Promise<void> {
		await this.query('INSERT INTO tokens (token_id, user_id, secret_sha256, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5)', [
			token.token_id,
			token.user_id,
			token.secret_sha256,
			token.created_at,
			token.revoked_at,
		]);
	}

	async tokenById(tokenId: string): Promise<TokenRecord | undefined> {
		return (await this.query<TokenRecord>('SELECT * FROM tokens WHERE token_id = $1', [tokenId])).rows[0];
	}

	async revokeToken(userId: string, tokenId: string): Promise<boolean> {
		const result = await this.query('UPDATE tokens SET revoked_at = $1 WHERE token_id = $2 AND user_id = $3 AND revoked_at IS NULL', [new Date().toISOString(), tokenId, userId]);
		return result.rowCount === 1;
	}

	async session(ownerId: string, sessionId: string): Promise<SessionRecord | undefined> {
		return (await this.query<SessionRecord>('SELECT * FROM sessions WHERE owner_id = $1 AND session_id = $2', [ownerId, sessionId])).rows[0];
	}

	async sessions(ownerId: string): Promise<SessionRecord[]> {
		return (await this.query<SessionRecord>('SELECT * FROM sessions WHERE owner_id = $1 ORDER BY updated_at DESC, session_id', [ownerId])).rows;
	}

	/**
	 * One statement each way, so the check and the write are atomic: INSERT … ON CONFLICT DO NOTHING
	 * for a new row; UPDATE … WHERE etag = expected otherwise (a concurrent writer's UPDATE makes this
	 * one wait, then re-check the etag against the committed row, and match nothing).
	 */
	async putSession(record: SessionRecord, expected: string | undefined): Promise<boolean> {
		const values = [storable(record.title), storable(record.tool), storable(record.updated_at), record.message_count, record.etag, record.pushed_at];
		if (expected === undefined) {
			const result = await this.query(
				'INSERT INTO sessions (owner_id, session_id, title, tool, updated_at, message_count, etag, pushed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING',
				[record.owner_id, record.session_id, ...values],
			);
			return result.rowCount === 1;
		}

		const result = await this.query(
			'UPDATE sessions SET title = $1, tool = $2, updated_at = $3, message_count = $4, etag = $5, pushed_at = $6 WHERE owner_id = $7 AND session_id = $8 AND etag = $9',
			[...values, record.owner_id, record.session_id, expected],
		);
		return result.rowCount === 1;
	}

	/**
	 * The handed-over blob is touched in the same transaction: a sweep that found it unreferenced and
	 * old then re-checks the touched row and keeps it (without this, a push replacing the session just
	 * before could leave the handoff pointing at a swept blob).
	 */
	async addHandoff(handoff: HandoffRecord): Promise<void> {
		await this.transaction(async client => {
			const touched = await client.query('UPDATE blobs SET written_at = $1 WHERE hash = $2', [new Date(), handoff.etag]);
			if (touched.rowCount !== 1) throw new HttpError(503, 'BUSY', 'the session changed while the handoff was made; retry', {'retry-after': '1'});
			await client.query(
				'INSERT INTO handoffs (handoff_id, sender_id, recipient_email, session_id, etag, message, workspace, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
				[
					handoff.handoff_id,
					handoff.sender_id,
					handoff.recipient_email,
					handoff.session_id,
					handoff.etag,
					handoff.message,
					JSON.stringify(handoff.workspace),
					handoff.created_at,
					handoff.expires_at,
				],
			);
		});
	}

	async handoff(handoffId: string): Promise<HandoffRecord | undefined> {
		return (await this.query<HandoffRecord>('SELECT * FROM handoffs WHERE handoff_id = $1', [handoffId])).rows[0];
	}

	async handoffsFor(email: string): Promise<HandoffRecord[]> {
		return (await this.query<HandoffRecord>('SELECT * FROM handoffs WHERE recipient_email = $1 ORDER BY created_at DESC', [email])).rows;
	}

	async markHandoffTaken(handoffId: string, now: string): Promise<string | undefined> {
		// COALESCE keeps the first time; the UPDATE returns the row whether or not it was taken before.
		const result = await this.query<{taken_at: string}>('UPDATE handoffs SET taken_at = COALESCE(taken_at, $2) WHERE handoff_id = $1 RETURNING taken_at', [handoffId, now]);
		return result.rows[0]?.taken_at;
	}

	async setVerified(userId: string): Promise<void> {
		await this.query('UPDATE users SET verified = true WHERE id = $1', [userId]);
	}

	async addVerification(record: VerificationRecord): Promise<void> {
		await this.query('INSERT INTO verifications (token_sha256, user_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)', [
			record.token_sha256,
			record.user_id,
			record.created_at,
			record.expires_at,
			record.used_at,
		]);
	}

	/** One UPDATE … RETURNING claims the token: of two concurrent uses, one gets the user id. */
	async useVerification(tokenSha256: string, now: string): Promise<string | undefined> {
		return this.transaction(async client => {
			const used = await client.query<{user_id: string}>(
				'UPDATE verifications SET used_at = $2 WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id',
				[tokenSha256, now],
			);
			const userId = used.rows[0]?.user_id;
			if (userId === undefined) return undefined;
			await client.query('UPDATE users SET verified = true WHERE id = $1', [userId]);
			return userId;
		});
	}

	async createOrg(org: OrgRecord, creator: MemberRecord): Promise<OrgRecord | undefined> {
		return this.transaction(async client => {
			const result = await client.query('INSERT INTO orgs (id, name, seats, created_by, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
				org.id,
				org.name,
				org.seats,
				org.created_by,
				org.created_at,
			]);
			if (result.rowCount !== 1) return undefined;
			await insertMember(client, creator);
			return org;
		});
	}

	async orgByName(name: string): Promise<OrgRecord | undefined> {
		return (await this.query<OrgRecord>('SELECT * FROM orgs WHERE name = $1', [name])).rows[0];
	}

	async orgById(id: string): Promise<OrgRecord | undefined> {
		return (await this.query<OrgRecord>('SELECT * FROM orgs WHERE id = $1', [id])).rows[0];
	}

	async orgsOf(userId: string): Promise<Array<OrgRecord & {role: OrgRole}>> {
		const sql = 'SELECT orgs.*, org_members.role FROM orgs JOIN org_members ON org_members.org_id = orgs.id WHERE org_members.user_id = $1 ORDER BY orgs.name';
		return (await this.query<OrgRecord & {role: OrgRole}>(sql, [userId])).rows;
	}

	async member(orgId: string, userId: string): Promise<MemberRecord | undefined> {
		return (await this.query<MemberRecord>('SELECT * FROM org_members WHERE org_id = $1 AND user_id = $2', [orgId, userId])).rows[0];
	}

	async members(orgId: string): Promise<MemberView[]> {
		const sql =
			'SELECT org_members.*, users.email FROM org_members JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = $1 ORDER BY org_members.joined_at, users.email';
		return (await this.query<MemberView>(sql, [orgId])).rows;
	}

	/** The org row is locked FOR UPDATE first: invites and joins of one org are serialized, so seats hold. */
	async addInvite(invite: InviteRecord, now: string): Promise<InviteOutcome> {
		return this.transaction(async (client): Promise<InviteOutcome> => {
			const org = await client.query<{seats: number}>('SELECT seats FROM orgs WHERE id = $1 FOR UPDATE', [invite.org_id]);
			const seats = org.rows[0]?.seats ?? 0;
			const member = await client.query(
				'SELECT 1 FROM org_members JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = $1 AND users.email = $2',
				[invite.org_id, invite.email],
			);
			if (member.rowCount) return 'already_member';
			await client.query('DELETE FROM org_invites WHERE org_id = $1 AND email = $2 AND accepted_at IS NULL', [invite.org_id, invite.email]);
			if ((await seatsTaken(client, invite.org_id, now)) >= seats) return 'no_seats';
			await client.query(
				'INSERT INTO org_invites (invite_id, org_id, email, role, code_sha256, invited_by, created_at, expires_at, accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
				[invite.invite_id, invite.org_id, invite.email, invite.role, invite.code_sha256, invite.invited_by, invite.created_at, invite.expires_at, invite.accepted_at],
			);
			return 'added';
		});
	}

	async inviteByCode(codeSha256: string): Promise<InviteRecord | undefined> {
		return (await this.query<InviteRecord>('SELECT * FROM org_invites WHERE code_sha256 = $1', [codeSha256])).rows[0];
	}

	async pendingInvites(orgId: string, now: string): Promise<InviteRecord[]> {
		const sql = 'SELECT * FROM org_invites WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at, email';
		return (await this.query<InviteRecord>(sql, [orgId, now])).rows;
	}

	async acceptInvite(inviteId: string, member: MemberRecord, now: string): Promise<JoinOutcome> {
		return this.transaction(async (client): Promise<JoinOutcome> => {
			const found = await client.query<InviteRecord>('SELECT * FROM org_invites WHERE invite_id = $1', [inviteId]);
			const orgId = found.rows[0]?.org_id;
			if (orgId === undefined) return 'gone';
			const org = await client.query<{seats: number}>('SELECT seats FROM orgs WHERE id = $1 FOR UPDATE', [orgId]);
			// Read again under the org lock: another join may have taken it meanwhile.
			const invite = (await client.query<InviteRecord>('SELECT * FROM org_invites WHERE invite_id = $1 AND accepted_at IS NULL AND expires_at > $2', [inviteId, now])).rows[0];
			if (!invite) return 'gone';
			if ((await client.query('SELECT 1 FROM org_members WHERE org_id = $1 AND user_id = $2', [orgId, member.user_id])).rowCount) return 'already_member';
			const count = await client.query<{count: number}>('SELECT COUNT(*)::int AS count FROM org_members WHERE org_id = $1', [orgId]);
			if (count.rows[0]!.count >= (org.rows[0]?.seats ?? 0)) return 'no_seats';
			await insertMember(client, {...member, org_id: orgId, role: invite.role});
			await client.query('UPDATE org_invites SET accepted_at = $1 WHERE invite_id = $2', [now, inviteId]);
			return 'joined';
		});
	}

	/**
	 * Under the org row's lock (as joins, role changes and shares take it): two admins removing each
	 * other at once cannot leave the org with none, a join cannot slip between "not a member" and the
	 * withdrawal of the invite, and a share of the member's session cannot land after its removal.
	 */
	async removeFromOrg(orgId: string, email: string, actorId: string): Promise<RemovalOutcome> {
		return this.transaction(async (client): Promise<RemovalOutcome> => {
			await lockOrg(client, orgId, 'UPDATE');
			const actor = await client.query<{email: string; role: OrgRole | null}>(
				'SELECT users.email, org_members.role FROM users LEFT JOIN org_members ON org_members.user_id = users.id AND org_members.org_id = $1 WHERE users.id = $2',
				[orgId, actorId],
			);
			const found = actor.rows[0];
			if (!found || (found.email !== email && found.role !== 'admin')) return 'forbidden';
			const target = await client.query<{user_id: string; role: OrgRole}>(
				'SELECT org_members.user_id, org_members.role FROM org_members JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = $1 AND users.email = $2',
				[orgId, email],
			);
			const member = target.rows[0];
			if (member) {
				if (member.role === 'admin' && (await adminCount(client, orgId)) <= 1) return 'last_admin';
				await client.query('DELETE FROM session_shares WHERE org_id = $1 AND owner_id = $2', [orgId, member.user_id]);
				await client.query('DELETE FROM org_members WHERE org_id = $1 AND user_id = $2', [orgId, member.user_id]);
				return 'member';
			}

			const withdrawn = await client.query('DELETE FROM org_invites WHERE org_id = $1 AND email = $2 AND accepted_at IS NULL', [orgId, email]);
			return withdrawn.rowCount ? 'invite' : 'not_found';
		});
	}

	/** The org row is locked FOR UPDATE, like invites and joins: the counts cannot change under the check. */
	async setSeats(orgId: string, seats: number, now: string): Promise<SeatsOutcome> {
		return this.transaction(async (client): Promise<SeatsOutcome> => {
			await lockOrg(client, orgId, 'UPDATE');
			const counted = await client.query<{count: number}>('SELECT COUNT(*)::int AS count FROM org_members WHERE org_id = $1', [orgId]);
			const members = counted.rows[0]!.count;
			const pending = (await seatsTaken(client, orgId, now)) - members;
			const outcome = seats < members ? 'below_members' : seats < members + pending ? 'below_invites' : 'set';
			if (outcome === 'set') await client.query('UPDATE orgs SET seats = $1 WHERE id = $2', [seats, orgId]);
			return {outcome, members, pending};
		});
	}

	/**
	 * Under the org row's lock: two admins demoting each other at once cannot leave the org with none,
	 * nor can both succeed when a third admin remains (the second has lost the right by then).
	 */
	async setRole(orgId: string, userId: string, role: OrgRole, actorId: string): Promise<RoleOutcome> {
		return this.transaction(async (client): Promise<RoleOutcome> => {
			await lockOrg(client, orgId, 'UPDATE');
			if ((await roleOf(client, orgId, actorId)) !== 'admin') return 'forbidden';
			const member = await roleOf(client, orgId, userId);
			if (!member) return 'not_member';
			if (member === role) return 'unchanged';
			if (member === 'admin' && (await adminCount(client, orgId)) <= 1) return 'last_admin';
			await client.query('UPDATE org_members SET role = $1 WHERE org_id = $2 AND user_id = $3', [role, orgId, userId]);
			return 'changed';
		});
	}

	/**
	 * The org row is share-locked, so the membership read here cannot be removed before this commits
	 * (removeFromOrg takes the row FOR UPDATE and deletes the member's shares after it); shares of one org don't wait on each other.
	 */
	async shareSession(share: ShareRecord): Promise<ShareOutcome> {
		return this.transaction(async (client): Promise<ShareOutcome> => {
			await lockOrg(client, share.org_id, 'SHARE');
			if (!(await roleOf(client, share.org_id, share.owner_id))) return 'not_member';
			const owned = await client.query('SELECT 1 FROM sessions WHERE owner_id = $1 AND session_id = $2', [share.owner_id, share.session_id]);
			if (!owned.rowCount) return 'no_session';
			await client.query('INSERT INTO session_shares (org_id, owner_id, session_id, shared_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
				share.org_id,
				share.owner_id,
				share.session_id,
				share.shared_at,
			]);
			return 'shared';
		});
	}

	async unshareSession(orgId: string, ownerId: string, sessionId: string): Promise<boolean> {
		return (await this.query('DELETE FROM session_shares WHERE org_id = $1 AND owner_id = $2 AND session_id = $3', [orgId, ownerId, sessionId])).rowCount === 1;
	}

	async sharesOf(ownerId: string, sessionId: string): Promise<string[]> {
		const rows = (await this.query<{org_id: string}>('SELECT org_id FROM session_shares WHERE owner_id = $1 AND session_id = $2 ORDER BY org_id', [ownerId, sessionId])).rows;
		return rows.map(row => row.org_id);
	}

	async sharedSessions(userId: string, sessionId?: string): Promise<SharedSessionRecord[]> {
		const sql = `SELECT sessions.*, session_shares.org_id, orgs.name AS org_name, users.email AS owner_email
			FROM session_shares
			JOIN org_members ON org_members.org_id = session_shares.org_id AND org_members.user_id = $1
			JOIN sessions ON sessions.owner_id = session_shares.owner_id AND sessions.session_id = session_shares.session_id
			JOIN orgs ON orgs.id = session_shares.org_id
			JOIN users ON users.id = session_shares.owner_id
			WHERE session_shares.owner_id <> $1${sessionId === undefined ? '' : ' AND session_shares.session_id = $2'}
			ORDER BY sessions.updated_at DESC, sessions.session_id, orgs.name`;
		return (await this.query<SharedSessionRecord>(sql, sessionId === undefined ? [userId] : [userId, sessionId])).rows;
	}

	async document(scopeId: string, kind: DocumentKind, projectKey: string): Promise<DocumentRecord | undefined> {
		return (await this.query<DocumentRecord>('SELECT * FROM documents WHERE scope_id = $1 AND kind = $2 AND project_key = $3', [scopeId, kind, projectKey])).rows[0];
	}

	async documents(scopeId: string): Promise<DocumentRecord[]> {
		return (await this.query<DocumentRecord>('SELECT * FROM documents WHERE scope_id = $1 ORDER BY kind, project_key', [scopeId])).rows;
	}

	async putDocument(record: DocumentRecord, expected: string | null | undefined): Promise<boolean> {
		const values = [record.scope_id, record.kind, record.project_key, record.content, record.etag, record.updated_at, record.updated_by];
		const insert = 'INSERT INTO documents (scope_id, kind, project_key, content, etag, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)';
		if (expected === undefined) return (await this.query(`${insert} ON CONFLICT DO NOTHING`, values)).rowCount === 1;
		if (expected === null) {
			await this.query(
				`${insert} ON CONFLICT (scope_id, kind, project_key) DO UPDATE SET content = excluded.content, etag = excluded.etag, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				values,
			);
			return true;
		}

		const result = await this.query(
			'UPDATE documents SET content = $4, etag = $5, updated_at = $6, updated_by = $7 WHERE scope_id = $1 AND kind = $2 AND project_key = $3 AND etag = $8',
			[...values, expected],
		);
		return result.rowCount === 1;
	}

	/**
	 * An existing blob is only touched (written_at = now), without sending its bytes again: a sweep
	 * running now then sees it as young. A new one is inserted; two pushes of the same bytes at once
	 * both succeed (ON CONFLICT touches).
	 */
	async putBlob(hash: string, bytes: Buffer): Promise<void> {
		checkHash(hash);
		const now = new Date();
		const touched = await this.query('UPDATE blobs SET written_at = $1 WHERE hash = $2', [now, hash]);
		if (touched.rowCount === 1) return;
		await this.query('INSERT INTO blobs (hash, bytes, written_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO UPDATE SET written_at = excluded.written_at', [hash, bytes, now]);
	}

	async blob(hash: string): Promise<Buffer | undefined> {
		checkHash(hash);
		return (await this.query<{bytes: Buffer}>('SELECT bytes FROM blobs WHERE hash = $1', [hash])).rows[0]?.bytes;
	}

	/**
	 * One DELETE, so it is correct under concurrent pushes: a push touches (or inserts) its blob before
	 * it commits the session row that refers to it. If that touch commits first, the DELETE's snapshot
	 * sees the blob as young; if it commits while the DELETE waits on the row, PostgreSQL re-checks
	 * written_at on the touched row and keeps it; if the DELETE wins, the push's UPDATE finds no row
	 * and inserts the bytes again.
	 */
	async sweepBlobs(olderThanMs: number, now = new Date()): Promise<number> {
		const result = await this.query(
			`DELETE FROM blobs
			WHERE written_at < $1
				AND NOT EXISTS (SELECT 1 FROM sessions WHERE sessions.etag = blobs.hash)
				AND NOT EXISTS (SELECT 1 FROM handoffs WHERE handoffs.etag = blobs.hash AND handoffs.expires_at >= $2)`,
			[new Date(now.getTime() - olderThanMs), now.toISOString()],
		);
		return result.rowCount ?? 0;
	}

	async close(): Promise<void> {
		if (this.pool.ended || this.pool.ending) return;
		await this.pool.end();
	}

	private async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = [], on: Queryable = this.pool): Promise<pg.QueryResult<Row>> {
		try {
			return await on.query<Row>(sql, values);
		} catch (error) {
			throw this.translate(error);
		}
	}

	/** BEGIN … COMMIT on one pooled connection (READ COMMITTED; row locks where a method says so). */
	private async transaction<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		let client: pg.PoolClient;
		try {
			client = await this.pool.connect();
		} catch (error) {
			throw this.translate(error);
		}

		// A checked-out client's connection error is emitted on it, not on the pool: caught here too.
		const onError = () => undefined;
		client.on('error', onError);
		let broken = false;
		try {
			await client.query('BEGIN');
			const result = await run(client);
			await client.query('COMMIT');
			return result;
		} catch (error) {
			broken = isConnectionError(error);
			if (!broken) await client.query('ROLLBACK').catch(() => undefined);
			throw this.translate(error);
		} finally {
			client.off('error', onError);
			// A broken connection is destroyed, not returned to the pool.
			client.release(broken ? true : undefined);
		}
	}

	private translate(error: unknown): unknown {
		if (error instanceof HttpError) return error;
		if (isConnectionError(error)) {
			// One line per 10 s at most: during an outage every request fails the same way.
			if (Date.now() - this.reportedAt > 10_000) this.log(`sfs server: database unavailable: ${(error as Error).message}`);
			this.reportedAt = Date.now();
			return new HttpError(503, 'DATABASE_UNAVAILABLE', 'the database is unavailable; retry shortly', {'retry-after': '2'});
		}

		const code = (error as {code?: string}).code;
		if (code && UNSTORABLE_SQLSTATES.has(code)) return new HttpError(400, 'BAD_REQUEST', `the database cannot store this text: ${(error as Error).message}`);
		return error;
	}
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString();
	} catch {
		return 'postgres://…';
	}
}

export function isConnectionError(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	const code = (error as {code?: string}).code;
	if (code && CONNECTION_ERRNOS.has(code)) return true;
	if (code && RETRY_SQLSTATES.test(code)) return true;
	return CONNECTION_MESSAGES.test(error.message);
}

async function insertMember(client: pg.PoolClient, member: MemberRecord): Promise<void> {
	await client.query('INSERT INTO org_members (org_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)', [member.org_id, member.user_id, member.role, member.joined_at]);
}

/** Serializes an org's membership changes (FOR UPDATE) or holds them off while a share is made (FOR SHARE). */
async function lockOrg(client: pg.PoolClient, orgId: string, mode: 'UPDATE' | 'SHARE'): Promise<void> {
	await client.query(`SELECT 1 FROM orgs WHERE id = $1 FOR ${mode}`, [orgId]);
}

async function roleOf(client: pg.PoolClient, orgId: string, userId: string): Promise<OrgRole | undefined> {
	return (await client.query<{role: OrgRole}>('SELECT role FROM org_members WHERE org_id = $1 AND user_id = $2', [orgId, userId])).rows[0]?.role;
}

async function adminCount(client: pg.PoolClient, orgId: string): Promise<number> {
	return (await client.query<{count: number}>("SELECT COUNT(*)::int AS count FROM org_members WHERE org_id = $1 AND role = 'admin'", [orgId])).rows[0]!.count;
}

/** Members plus pending invites: the seats in use. */
async function seatsTaken(client: pg.PoolClient, orgId: string, now: string): Promise<number> {
	const members = await client.query<{count: number}>('SELECT COUNT(*)::int AS count FROM org_members WHERE org_id = $1', [orgId]);
	const pending = await client.query<{count: number}>('SELECT COUNT(*)::int AS count FROM org_invites WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2', [orgId, now]);
	return members.rows[0]!.count + pending.rows[0]!.count;
}

function checkHash(hash: string): void {
	if (!HASH.test(hash)) throw new Error(`not a blob hash: ${hash}`);
}

/** PostgreSQL text holds no NUL character; a title or tool name with one is kept with U+FFFD instead. */
function storable(value: string): string;
function storable(value: string | null): string | null;
function storable(value: string | null): string | null {
	return value === null ? null : value.replaceAll('\u0000', '\uFFFD');
}
