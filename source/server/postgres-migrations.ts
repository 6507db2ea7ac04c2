/**
 * The PostgreSQL schema, as numbered steps mirroring the SQLite ones in sqlite-storage.ts (step N here
 * is step N there; test/sync/storage.test.ts holds them to the same count). Text columns use the
 * "C" collation: sorting and the ISO-timestamp comparisons (expires_at > now) then work byte by byte,
 * as in SQLite, whatever locale the database was created with. Timestamps stay the ISO strings the
 * server wrote, so they read back exactly as written.
 */
const T = 'text COLLATE "C"';

export const POSTGRES_MIGRATIONS: readonly string[] = [
	// 1: accounts, tokens, sessions, handoffs; and the blobs, which live in the database here (see postgres-storage.ts).
	`CREATE TABLE users (
		id ${T} PRIMARY KEY,
		email ${T} NOT NULL UNIQUE,
		password_hash ${T} NOT NULL,
		created_at ${T} NOT NULL,
		verified boolean NOT NULL DEFAULT false
	);
	CREATE TABLE tokens (
		token_id ${T} PRIMARY KEY,
		user_id ${T} NOT NULL REFERENCES users(id),
		secret_sha256 ${T} NOT NULL,
		created_at ${T} NOT NULL,
		revoked_at ${T}
	);
	CREATE TABLE sessions (
		owner_id ${T} NOT NULL REFERENCES users(id),
		session_id ${T} NOT NULL,
		title ${T},
		tool ${T} NOT NULL,
		updated_at ${T} NOT NULL,
		message_count integer NOT NULL,
		etag ${T} NOT NULL,
		pushed_at ${T} NOT NULL,
		PRIMARY KEY (owner_id, session_id)
	);
	CREATE INDEX sessions_etag ON sessions(etag);
	CREATE TABLE handoffs (
		handoff_id ${T} PRIMARY KEY,
		sender_id ${T} NOT NULL REFERENCES users(id),
		recipient_email ${T} NOT NULL,
		session_id ${T} NOT NULL,
		etag ${T} NOT NULL,
		message ${T},
		workspace jsonb NOT NULL,
		created_at ${T} NOT NULL,
		expires_at ${T} NOT NULL
	);
	CREATE INDEX handoffs_recipient ON handoffs(recipient_email);
	CREATE INDEX handoffs_etag ON handoffs(etag);
	CREATE TABLE blobs (
		hash ${T} PRIMARY KEY,
		bytes bytea NOT NULL,
		written_at timestamptz NOT NULL
	);
	-- Session blobs are gzip already: keep them out of line without compressing them again.
	ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;`,
	// 2: orgs, members, invites, org sharing of sessions, email verification, synced rules/project documents.
	`CREATE TABLE orgs (
		id ${T} PRIMARY KEY,
		name ${T} NOT NULL UNIQUE,
		seats integer NOT NULL,
		created_by ${T} NOT NULL REFERENCES users(id),
		created_at ${T} NOT NULL
	);
	CREATE TABLE org_members (
		org_id ${T} NOT NULL REFERENCES orgs(id),
		user_id ${T} NOT NULL REFERENCES users(id),
		role ${T} NOT NULL,
		joined_at ${T} NOT NULL,
		PRIMARY KEY (org_id, user_id)
	);
	CREATE INDEX org_members_user ON org_members(user_id);
	CREATE TABLE org_invites (
		invite_id ${T} PRIMARY KEY,
		org_id ${T} NOT NULL REFERENCES orgs(id),
		email ${T} NOT NULL,
		role ${T} NOT NULL,
		code_sha256 ${T} NOT NULL UNIQUE,
		invited_by ${T} NOT NULL REFERENCES users(id),
		created_at ${T} NOT NULL,
		expires_at ${T} NOT NULL,
		accepted_at ${T}
	);
	CREATE INDEX org_invites_org ON org_invites(org_id, email);
	CREATE TABLE session_shares (
		org_id ${T} NOT NULL REFERENCES orgs(id),
		owner_id ${T} NOT NULL REFERENCES users(id),
		session_id ${T} NOT NULL,
		shared_at ${T} NOT NULL,
		PRIMARY KEY (org_id, owner_id, session_id)
	);
	CREATE INDEX session_shares_owner ON session_shares(owner_id, session_id);
	CREATE TABLE verifications (
		token_sha256 ${T} PRIMARY KEY,
		user_id ${T} NOT NULL REFERENCES users(id),
		created_at ${T} NOT NULL,
		expires_at ${T} NOT NULL,
		used_at ${T}
	);
	CREATE TABLE documents (
		scope_id ${T} NOT NULL,
		kind ${T} NOT NULL,
		project_key ${T} NOT NULL,
		content ${T} NOT NULL,
		etag ${T} NOT NULL,
		updated_at ${T} NOT NULL,
		updated_by ${T} NOT NULL REFERENCES users(id),
		PRIMARY KEY (scope_id, kind, project_key)
	);`,
	// 3: a handoff the recipient has taken leaves their waiting list (it stays pullable until it expires).
	`ALTER TABLE handoffs ADD COLUMN taken_at ${T};`,
];
