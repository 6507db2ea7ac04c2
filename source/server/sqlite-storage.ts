/**
 * The default server storage: one SQLite file (`server.db`) for metadata and a blob directory
 * (`blobs/ab/<sha256>`) for session contents. Migrations are numbered steps applied by migrations.ts (`schema_migrations`).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ensureDir, writeFileAtomic} from '../engine/fs-atomic.js';
import {migrateSqlite} from './migrations.js';
import {HttpError} from './routes/common.js';
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

/** Numbered steps: index i is schema version i + 1 (postgres-migrations.ts mirrors them). */
export const SQLITE_MIGRATIONS: readonly string[] = [
	`CREATE TABLE users (
		id TEXT PRIMARY KEY,
		email TEXT NOT NULL UNIQUE,
		password_hash TEXT NOT NULL,
		created_at TEXT NOT NULL,
		verified INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE tokens (
		token_id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id),
		secret_sha256 TEXT NOT NULL,
		created_at TEXT NOT NULL,
		revoked_at TEXT
	);
	CREATE TABLE sessions (
		owner_id TEXT NOT NULL REFERENCES users(id),
		session_id TEXT NOT NULL,
		title TEXT,
		tool TEXT NOT NULL,
		updated_at TEXT NOT NULL,
		message_count INTEGER NOT NULL,
		etag TEXT NOT NULL,
		pushed_at TEXT NOT NULL,
		PRIMARY KEY (owner_id, session_id)
	);
	CREATE TABLE handoffs (
		handoff_id TEXT PRIMARY KEY,
		sender_id TEXT NOT NULL REFERENCES users(id),
		recipient_email TEXT NOT NULL,
		session_id TEXT NOT NULL,
		etag TEXT NOT NULL,
		message TEXT,
		workspace TEXT NOT NULL,
		created_at TEXT NOT NULL,
		expires_at TEXT NOT NULL
	);
	CREATE INDEX handoffs_recipient ON handoffs(recipient_email);`,
	// 2: orgs, members, invites, org sharing of sessions, email verification, synced rules/project documents.
	`CREATE TABLE orgs (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		seats INTEGER NOT NULL,
		created_by TEXT NOT NULL REFERENCES users(id),
		created_at TEXT NOT NULL
	);
	CREATE TABLE org_members (
		org_id TEXT NOT NULL REFERENCES orgs(id),
		user_id TEXT NOT NULL REFERENCES users(id),
		role TEXT NOT NULL,
		joined_at TEXT NOT NULL,
		PRIMARY KEY (org_id, user_id)
	);
	CREATE INDEX org_members_user ON org_members(user_id);
	CREATE TABLE org_invites (
		invite_id TEXT PRIMARY KEY,
		org_id TEXT NOT NULL REFERENCES orgs(id),
		email TEXT NOT NULL,
		role TEXT NOT NULL,
		code_sha256 TEXT NOT NULL UNIQUE,
		invited_by TEXT NOT NULL REFERENCES users(id),
		created_at TEXT NOT NULL,
		expires_at TEXT NOT NULL,
		accepted_at TEXT
	);
	CREATE INDEX org_invites_org ON org_invites(org_id, email);
	CREATE TABLE session_shares (
		org_id TEXT NOT NULL REFERENCES orgs(id),
		owner_id TEXT NOT NULL REFERENCES users(id),
		session_id TEXT NOT NULL,
		shared_at TEXT NOT NULL,
		PRIMARY KEY (org_id, owner_id, session_id)
	);
	CREATE INDEX session_shares_owner ON session_shares(owner_id, session_id);
	CREATE TABLE verifications (
		token_sha256 TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id),
		created_at TEXT NOT NULL,
		expires_at TEXT NOT NULL,
		used_at TEXT
	);
	CREATE TABLE documents (
		scope_id TEXT NOT NULL,
		kind TEXT NOT NULL,
		project_key TEXT NOT NULL,
		content TEXT NOT NULL,
		etag TEXT NOT NULL,
		updated_at TEXT NOT NULL,
		updated_by TEXT NOT NULL REFERENCES users(id),
		PRIMARY KEY (scope_id, kind, project_key)
	);`,
	// 3: a handoff the recipient has taken leaves their waiting list (it stays pullable until it expires).
	`ALTER TABLE handoffs ADD COLUMN taken_at TEXT;`,
];

const HASH = /^[0-9a-f]{64}$/;

export class SqliteStorage implements ServerStorage {
	private readonly db: Database.Database;
	private readonly blobRoot: string;

	constructor(dataDir: string) {
		ensureDir(dataDir);
		this.blobRoot = path.join(dataDir, 'blobs');
		ensureDir(this.blobRoot);
		this.db = new Database(path.join(dataDir, 'server.db'));
		this.db.pragma('journal_mode = WAL');
		this.db.pragma('busy_timeout = 5000');
		this.db.pragma('foreign_keys = ON');
		migrateSqlite(this.db, SQLITE_MIGRATIONS);
	}

	async createUser(user: UserRecord): Promise<UserRecord | undefined> {
		const result = this.db
			.prepare('INSERT OR IGNORE INTO users (id, email, password_hash, created_at, verified) VALUES (?, ?, ?, ?, ?)')
			.run(user.id, user.email, user.password_hash, user.created_at, user.verified ? 1 : 0);
		return result.changes === 1 ? user : undefined;
	}

	async userByEmail(email: string): Promise<UserRecord | undefined> {
		return toUser(this.db.prepare('SELECT * FROM users WHERE email = ?').get(email));
	}

	async userById(id: string): Promise<UserRecord | undefined> {
		return toUser(this.db.prepare('SELECT * FROM users WHERE id = ?').get(id));
	}

	async addToken(token: TokenRecord): Promise<void> {
		this.db
			.prepare('INSERT INTO tokens (token_id, user_id, secret_sha256, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)')
			.run(token.token_id, token.user_id, token.secret_sha256, token.created_at, token.revoked_at);
	}

	async tokenById(tokenId: string): Promise<TokenRecord | undefined> {
		return this.db.prepare('SELECT * FROM tokens WHERE token_id = ?').get(tokenId) as TokenRecord | undefined;
	}

	async revokeToken(userId: string, tokenId: string): Promise<boolean> {
		const result = this.db
			.prepare('UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND user_id = ? AND revoked_at IS NULL')
			.run(new Date().toISOString(), tokenId, userId);
		return result.changes === 1;
	}

	async session(ownerId: string, sessionId: string): Promise<SessionRecord | undefined> {
		return this.db.prepare('SELECT * FROM sessions WHERE owner_id = ? AND session_id = ?').get(ownerId, sessionId) as SessionRecord | undefined;
	}

	async sessions(ownerId: string): Promise<SessionRecord[]> {
		return this.db.prepare('SELECT * FROM sessions WHERE owner_id = ? ORDER BY updated_at DESC, session_id').all(ownerId) as SessionRecord[];
	}

	async putSession(record: SessionRecord, expected: string | undefined): Promise<boolean> {
		const values = [record.title, record.tool, record.updated_at, record.message_count, record.etag, record.pushed_at];
		if (expected === undefined) {
			const result = this.db
				.prepare('INSERT OR IGNORE INTO sessions (owner_id, session_id, title, tool, updated_at, message_count, etag, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
				.run(record.owner_id, record.session_id, ...values);
			return result.changes === 1;
		}

		const result = this.db
			.prepare('UPDATE sessions SET title = ?, tool = ?, updated_at = ?, message_count = ?, etag = ?, pushed_at = ? WHERE owner_id = ? AND session_id = ? AND etag = ?')
			.run(...values, record.owner_id, record.session_id, expected);
		return result.changes === 1;
	}

	async addHandoff(handoff: HandoffRecord): Promise<void> {
		// Re-stamped like PostgresStorage does, so a sweep cannot take the blob between reading the session and this insert.
		try {
			const now = new Date();
			fs.utimesSync(this.blobPath(handoff.etag), now, now);
		} catch {
			throw new HttpError(503, 'BUSY', 'the session changed while the handoff was made; retry', {'retry-after': '1'});
		}

		this.db
			.prepare('INSERT INTO handoffs (handoff_id, sender_id, recipient_email, session_id, etag, message, workspace, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
			.run(handoff.handoff_id, handoff.sender_id, handoff.recipient_email, handoff.session_id, handoff.etag, handoff.message, JSON.stringify(handoff.workspace), handoff.created_at, handoff.expires_at);
	}

	async handoff(handoffId: string): Promise<HandoffRecord | undefined> {
		return toHandoff(this.db.prepare('SELECT * FROM handoffs WHERE handoff_id = ?').get(handoffId));
	}

	async handoffsFor(email: string): Promise<HandoffRecord[]> {
		return (this.db.prepare('SELECT * FROM handoffs WHERE recipient_email = ? ORDER BY created_at DESC').all(email) as unknown[]).map(row => toHandoff(row)!);
	}

	async markHandoffTaken(handoffId: string, now: string): Promise<string | undefined> {
		this.db.prepare('UPDATE handoffs SET taken_at = ? WHERE handoff_id = ? AND taken_at IS NULL').run(now, handoffId);
		return (this.db.prepare('SELECT taken_at FROM handoffs WHERE handoff_id = ?').get(handoffId) as {taken_at: string} | undefined)?.taken_at;
	}

	async setVerified(userId: string): Promise<void> {
		this.db.prepare('UPDATE users SET verified = 1 WHERE id = ?').run(userId);
	}

	async addVerification(record: VerificationRecord): Promise<void> {
		this.db
			.prepare('INSERT INTO verifications (token_sha256, user_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?)')
			.run(record.token_sha256, record.user_id, record.created_at, record.expires_at, record.used_at);
	}

	async useVerification(tokenSha256: string, now: string): Promise<string | undefined> {
		return this.db.transaction(() => {
			const row = this.db.prepare('SELECT user_id FROM verifications WHERE token_sha256 = ? AND used_at IS NULL AND expires_at > ?').get(tokenSha256, now) as {user_id: string} | undefined;
			if (!row) return undefined;
			this.db.prepare('UPDATE verifications SET used_at = ? WHERE token_sha256 = ?').run(now, tokenSha256);
			this.db.prepare('UPDATE users SET verified = 1 WHERE id = ?').run(row.user_id);
			return row.user_id;
		}).immediate();
	}

	async createOrg(org: OrgRecord, creator: MemberRecord): Promise<OrgRecord | undefined> {
		return this.db.transaction(() => {
			const result = this.db.prepare('INSERT OR IGNORE INTO orgs (id, name, seats, created_by, created_at) VALUES (?, ?, ?, ?, ?)').run(org.id, org.name, org.seats, org.created_by, org.created_at);
			if (result.changes !== 1) return undefined;
			this.insertMember(creator);
			return org;
		}).immediate();
	}

	async orgByName(name: string): Promise<OrgRecord | undefined> {
		return this.db.prepare('SELECT * FROM orgs WHERE name = ?').get(name) as OrgRecord | undefined;
	}

	async orgById(id: string): Promise<OrgRecord | undefined> {
		return this.db.prepare('SELECT * FROM orgs WHERE id = ?').get(id) as OrgRecord | undefined;
	}

	async orgsOf(userId: string): Promise<Array<OrgRecord & {role: OrgRole}>> {
		return this.db.prepare('SELECT orgs.*, org_members.role FROM orgs JOIN org_members ON org_members.org_id = orgs.id WHERE org_members.user_id = ? ORDER BY orgs.name').all(userId) as Array<OrgRecord & {role: OrgRole}>;
	}

	async member(orgId: string, userId: string): Promise<MemberRecord | undefined> {
		return this.db.prepare('SELECT * FROM org_members WHERE org_id = ? AND user_id = ?').get(orgId, userId) as MemberRecord | undefined;
	}

	async members(orgId: string): Promise<MemberView[]> {
		return this.db.prepare('SELECT org_members.*, users.email FROM org_members JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = ? ORDER BY org_members.joined_at, users.email').all(orgId) as MemberView[];
	}

	async addInvite(invite: InviteRecord, now: string): Promise<InviteOutcome> {
		return this.db.transaction((): InviteOutcome => {
			const member = this.db.prepare('SELECT 1 FROM org_members JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = ? AND users.email = ?').get(invite.org_id, invite.email);
			if (member) return 'already_member';
			this.db.prepare('DELETE FROM org_invites WHERE org_id = ? AND email = ? AND accepted_at IS NULL').run(invite.org_id, invite.email);
			const {seats} = this.db.prepare('SELECT seats FROM orgs WHERE id = ?').get(invite.org_id) as {seats: number};
			if (this.seatsTaken(invite.org_id, now) >= seats) return 'no_seats';
			this.db
				.prepare('INSERT INTO org_invites (invite_id, org_id, email, role, code_sha256, invited_by, created_at, expires_at, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
				.run(invite.invite_id, invite.org_id, invite.email, invite.role, invite.code_sha256, invite.invited_by, invite.created_at, invite.expires_at, invite.accepted_at);
			return 'added';
		}).immediate();
	}

	async inviteByCode(codeSha256: string): Promise<InviteRecord | undefined> {
		return this.db.prepare('SELECT * FROM org_invites WHERE code_sha256 = ?').get(codeSha256) as InviteRecord | undefined;
	}

	async pendingInvites(orgId: string, now: string): Promise<InviteRecord[]> {
		return this.db.prepare('SELECT * FROM org_invites WHERE org_id = ? AND accepted_at IS NULL AND expires_at > ? ORDER BY created_at, email').all(orgId, now) as InviteRecord[];
	}

	async acceptInvite(inviteId: string, member: MemberRecord, now: string): Promise<JoinOutcome> {
		return this.db.transaction((): JoinOutcome => {
			const invite = this.db.prepare('SELECT * FROM org_invites WHERE invite_id = ? AND accepted_at IS NULL AND expires_at > ?').get(inviteId, now) as InviteRecord | undefined;
			if (!invite) return 'gone';
			if (this.db.prepare('SELECT 1 FROM org_members WHERE org_id = ? AND user_id = ?').get(invite.org_id, member.user_id)) return 'already_member';
			const {seats} = this.db.prepare('SELECT seats FROM orgs WHERE id = ?').get(invite.org_id) as {seats: number};
			const {count} = this.db.prepare('SELECT COUNT(*) AS count FROM org_members WHERE org_id = ?').get(invite.org_id) as {count: number};
			if (count >= seats) return 'no_seats';
			this.insertMember({...member, org_id: invite.org_id, role: invite.role});
			this.db.prepare('UPDATE org_invites SET accepted_at = ? WHERE invite_id = ?').run(now, inviteId);
			return 'joined';
		}).immediate();
	}

	async removeFromOrg(orgId: string, email: string, actorId: string): Promise<RemovalOutcome> {
		return this.db.transaction((): RemovalOutcome => {
			const actor = this.db
				.prepare('SELECT users.email, org_members.role FROM users LEFT JOIN org_members ON org_members.user_id = users.id AND org_members.org_id = ? WHERE users.id = ?')
				.get(orgId, actorId) as {email: string; role: OrgRole | null} | undefined;
			if (!actor || (actor.email !== email && actor.role !== 'admin')) return 'forbidden';
			const target = this.db
				.prepare('SELECT org_members.user_id, org_members.role FROM org_members JOIN users ON users.id = org_members.user_id WHERE org_members.org_id = ? AND users.email = ?')
				.get(orgId, email) as {user_id: string; role: OrgRole} | undefined;
			if (target) {
				if (target.role === 'admin' && this.adminCount(orgId) <= 1) return 'last_admin';
				this.db.prepare('DELETE FROM session_shares WHERE org_id = ? AND owner_id = ?').run(orgId, target.user_id);
				this.db.prepare('DELETE FROM org_members WHERE org_id = ? AND user_id = ?').run(orgId, target.user_id);
				return 'member';
			}

			return this.db.prepare('DELETE FROM org_invites WHERE org_id = ? AND email = ? AND accepted_at IS NULL').run(orgId, email).changes > 0 ? 'invite' : 'not_found';
		}).immediate();
	}

	async setSeats(orgId: string, seats: number, now: string): Promise<SeatsOutcome> {
		return this.db.transaction((): SeatsOutcome => {
			const members = (this.db.prepare('SELECT COUNT(*) AS count FROM org_members WHERE org_id = ?').get(orgId) as {count: number}).count;
			const pending = this.seatsTaken(orgId, now) - members;
			const outcome = seats < members ? 'below_members' : seats < members + pending ? 'below_invites' : 'set';
			if (outcome === 'set') this.db.prepare('UPDATE orgs SET seats = ? WHERE id = ?').run(seats, orgId);
			return {outcome, members, pending};
		}).immediate();
	}

	async setRole(orgId: string, userId: string, role: OrgRole, actorId: string): Promise<RoleOutcome> {
		return this.db.transaction((): RoleOutcome => {
			if (this.roleOf(orgId, actorId) !== 'admin') return 'forbidden';
			const member = this.roleOf(orgId, userId);
			if (!member) return 'not_member';
			if (member === role) return 'unchanged';
			if (member === 'admin' && this.adminCount(orgId) <= 1) return 'last_admin';
			this.db.prepare('UPDATE org_members SET role = ? WHERE org_id = ? AND user_id = ?').run(role, orgId, userId);
			return 'changed';
		}).immediate();
	}

	async shareSession(share: ShareRecord): Promise<ShareOutcome> {
		return this.db.transaction((): ShareOutcome => {
			if (!this.roleOf(share.org_id, share.owner_id)) return 'not_member';
			if (!this.db.prepare('SELECT 1 FROM sessions WHERE owner_id = ? AND session_id = ?').get(share.owner_id, share.session_id)) return 'no_session';
			this.db.prepare('INSERT OR IGNORE INTO session_shares (org_id, owner_id, session_id, shared_at) VALUES (?, ?, ?, ?)').run(share.org_id, share.owner_id, share.session_id, share.shared_at);
			return 'shared';
		}).immediate();
	}

	async unshareSession(orgId: string, ownerId: string, sessionId: string): Promise<boolean> {
		return this.db.prepare('DELETE FROM session_shares WHERE org_id = ? AND owner_id = ? AND session_id = ?').run(orgId, ownerId, sessionId).changes === 1;
	}

	async sharesOf(ownerId: string, sessionId: string): Promise<string[]> {
		return (this.db.prepare('SELECT org_id FROM session_shares WHERE owner_id = ? AND session_id = ? ORDER BY org_id').all(ownerId, sessionId) as Array<{org_id: string}>).map(row => row.org_id);
	}

	async sharedSessions(userId: string, sessionId?: string): Promise<SharedSessionRecord[]> {
		const sql = `SELECT sessions.*, session_shares.org_id, orgs.name AS org_name, users.email AS owner_email
			FROM session_shares
			JOIN org_members ON org_members.org_id = session_shares.org_id AND org_members.user_id = ?
			JOIN sessions ON sessions.owner_id = session_shares.owner_id AND sessions.session_id = session_shares.session_id
			JOIN orgs ON orgs.id = session_shares.org_id
			JOIN users ON users.id = session_shares.owner_id
			WHERE session_shares.owner_id <> ?${sessionId === undefined ? '' : ' AND session_shares.session_id = ?'}
			ORDER BY sessions.updated_at DESC, sessions.session_id, orgs.name`;
		const params = sessionId === undefined ? [userId, userId] : [userId, userId, sessionId];
		return this.db.prepare(sql).all(...params) as SharedSessionRecord[];
	}

	async document(scopeId: string, kind: DocumentKind, projectKey: string): Promise<DocumentRecord | undefined> {
		return this.db.prepare('SELECT * FROM documents WHERE scope_id = ? AND kind = ? AND project_key = ?').get(scopeId, kind, projectKey) as DocumentRecord | undefined;
	}

	async documents(scopeId: string): Promise<DocumentRecord[]> {
		return this.db.prepare('SELECT * FROM documents WHERE scope_id = ? ORDER BY kind, project_key').all(scopeId) as DocumentRecord[];
	}

	async putDocument(record: DocumentRecord, expected: string | null | undefined): Promise<boolean> {
		const values = [record.scope_id, record.kind, record.project_key, record.content, record.etag, record.updated_at, record.updated_by];
		const insert = 'INSERT INTO documents (scope_id, kind, project_key, content, etag, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)';
		if (expected === undefined) return this.db.prepare(`${insert} ON CONFLICT DO NOTHING`).run(...values).changes === 1;
		if (expected === null) {
			this.db.prepare(`${insert} ON CONFLICT (scope_id, kind, project_key) DO UPDATE SET content = excluded.content, etag = excluded.etag, updated_at = excluded.updated_at, updated_by = excluded.updated_by`).run(...values);
			return true;
		}

		const result = this.db
			.prepare('UPDATE documents SET content = ?, etag = ?, updated_at = ?, updated_by = ? WHERE scope_id = ? AND kind = ? AND project_key = ? AND etag = ?')
			.run(record.content, record.etag, record.updated_at, record.updated_by, record.scope_id, record.kind, record.project_key, expected);
		return result.changes === 1;
	}

	async putBlob(hash: string, bytes: Buffer): Promise<void> {
		const file = this.blobPath(hash);
		if (fs.existsSync(file)) {
			// Refreshed so a sweep running now sees it as young (it is about to be referenced again).
			const now = new Date();
			fs.utimesSync(file, now, now);
			return;
		}

		writeFileAtomic(file, bytes, {durable: true});
	}

	async blob(hash: string): Promise<Buffer | undefined> {
		try {
			return fs.readFileSync(this.blobPath(hash));
		} catch {
			return undefined;
		}
	}

	async sweepBlobs(olderThanMs: number, now = new Date()): Promise<number> {
		const live = new Set<string>();
		for (const row of this.db.prepare('SELECT etag FROM sessions').iterate() as Iterable<{etag: string}>) live.add(row.etag);
		for (const row of this.db.prepare('SELECT etag FROM handoffs WHERE expires_at >= ?').iterate(now.toISOString()) as Iterable<{etag: string}>) live.add(row.etag);
		let removed = 0;
		for (const dir of fs.readdirSync(this.blobRoot)) {
			const folder = path.join(this.blobRoot, dir);
			let names: string[];
			try {
				names = fs.readdirSync(folder);
			} catch {
				continue;
			}

			for (const name of names) {
				if (live.has(name)) continue;
				const file = path.join(folder, name);
				try {
					if (now.getTime() - fs.statSync(file).mtimeMs < olderThanMs) continue;
					fs.rmSync(file);
					removed++;
				} catch {
					// Gone already (another sweep): nothing to do.
				}
			}
		}

		return removed;
	}

	async close(): Promise<void> {
		this.db.close();
	}

	private insertMember(member: MemberRecord): void {
		this.db.prepare('INSERT INTO org_members (org_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)').run(member.org_id, member.user_id, member.role, member.joined_at);
	}

	private roleOf(orgId: string, userId: string): OrgRole | undefined {
		return (this.db.prepare('SELECT role FROM org_members WHERE org_id = ? AND user_id = ?').get(orgId, userId) as {role: OrgRole} | undefined)?.role;
	}

	private adminCount(orgId: string): number {
		return (this.db.prepare("SELECT COUNT(*) AS count FROM org_members WHERE org_id = ? AND role = 'admin'").get(orgId) as {count: number}).count;
	}

	/** Members plus pending invites: the seats in use. */
	private seatsTaken(orgId: string, now: string): number {
		const members = (this.db.prepare('SELECT COUNT(*) AS count FROM org_members WHERE org_id = ?').get(orgId) as {count: number}).count;
		const pending = (this.db.prepare('SELECT COUNT(*) AS count FROM org_invites WHERE org_id = ? AND accepted_at IS NULL AND expires_at > ?').get(orgId, now) as {count: number}).count;
		return members + pending;
	}

	private blobPath(hash: string): string {
		if (!HASH.test(hash)) throw new Error(`not a blob hash: ${hash}`);
		return path.join(this.blobRoot, hash.slice(0, 2), hash);
	}
}

function toUser(row: unknown): UserRecord | undefined {
	if (!row) return undefined;
	const value = row as UserRecord & {verified: number | boolean};
	return {...value, verified: Boolean(value.verified)};
}

function toHandoff(row: unknown): HandoffRecord | undefined {
	if (!row) return undefined;
	const value = row as HandoffRecord & {workspace: string};
	return {...value, workspace: JSON.parse(value.workspace) as HandoffRecord['workspace']};
}
