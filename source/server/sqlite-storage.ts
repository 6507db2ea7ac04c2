/**
 * The default server storage: one SQLite file (`server.db`) for metadata and a blob directory
 * (`blobs/ab/<sha256>`) for session contents. Migrations are numbered and tracked in `user_version`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ensureDir, writeFileAtomic} from '../engine/fs-atomic.js';
import type {HandoffRecord, ServerStorage, SessionRecord, TokenRecord, UserRecord} from './storage.js';

const MIGRATIONS: string[] = [
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
		migrate(this.db);
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

	private blobPath(hash: string): string {
		if (!HASH.test(hash)) throw new Error(`not a blob hash: ${hash}`);
		return path.join(this.blobRoot, hash.slice(0, 2), hash);
	}
}

function migrate(db: Database.Database): void {
	const version = db.pragma('user_version', {simple: true}) as number;
	for (let next = version; next < MIGRATIONS.length; next++) {
		db.transaction(() => {
			db.exec(MIGRATIONS[next]!);
			db.pragma(`user_version = ${next + 1}`);
		})();
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
