/**
 * What the sync server keeps, behind one interface: accounts, API tokens, the latest version of each
 * user's sessions (metadata + the hash of a content-addressed blob) and handoffs. Every method is
 * async so a networked database fits the same shape: SQLite is the default (sqlite-storage.ts), PostgreSQL
 * when SFS_DATABASE_URL is set (postgres-storage.ts). Both run the same numbered migrations (migrations.ts).
 * Every read of user data takes the owner: nothing is looked up by session id alone.
 */
export type UserRecord = {id: string; email: string; password_hash: string; created_at: string; verified: boolean};

export type TokenRecord = {token_id: string; user_id: string; secret_sha256: string; created_at: string; revoked_at: string | null};

export type SessionRecord = {
	owner_id: string;
	session_id: string;
	title: string | null;
	tool: string;
	updated_at: string;
	message_count: number;
	/** The content hash of the stored blob; also the ETag clients send back in If-Match. */
	etag: string;
	pushed_at: string;
};

export type HandoffRecord = {
	handoff_id: string;
	sender_id: string;
	recipient_email: string;
	session_id: string;
	/** The session version handed over (a blob hash), fixed when the handoff was made. */
	etag: string;
	message: string | null;
	/** git remote, branch, commit and cwd on the sender's machine; rules hash. */
	workspace: HandoffWorkspace;
	created_at: string;
	expires_at: string;
	/**
	 * When the recipient confirmed the import (null: not yet). A taken handoff leaves the recipient's
	 * list of waiting handoffs but can still be pulled again by id until it expires.
	 */
	taken_at: string | null;
};

export type HandoffWorkspace = {
	cwd?: string | null;
	git_remote?: string | null;
	git_branch?: string | null;
	git_commit?: string | null;
	rules_hash?: string | null;
};

export type OrgRole = 'admin' | 'member';

/** A team. `name` is unique on the server (lowercase letters, digits, - and _). */
export type OrgRecord = {id: string; name: string; seats: number; created_by: string; created_at: string};

export type MemberRecord = {org_id: string; user_id: string; role: OrgRole; joined_at: string};

/** A member as listed: with the account's email. */
export type MemberView = MemberRecord & {email: string};

/**
 * An invitation of one email address into an org. The invite code is shown once (mailed, or printed when
 * email is off); only its SHA-256 is kept. Pending = not accepted and not expired; a pending invite holds a seat.
 */
export type InviteRecord = {
	invite_id: string;
	org_id: string;
	email: string;
	role: OrgRole;
	code_sha256: string;
	invited_by: string;
	created_at: string;
	expires_at: string;
	accepted_at: string | null;
};

/** An email verification token: only its SHA-256 is kept; used once. */
export type VerificationRecord = {token_sha256: string; user_id: string; created_at: string; expires_at: string; used_at: string | null};

/** A session of `owner_id` shared with an org: every member may list and pull it (read only). */
export type ShareRecord = {org_id: string; owner_id: string; session_id: string; shared_at: string};

/** A session shared with one of the caller's orgs, as listed to a member. */
export type SharedSessionRecord = SessionRecord & {org_id: string; org_name: string; owner_email: string};

export type DocumentKind = 'rules' | 'project';

/**
 * A synced text document: a project's canonical rules (JSON text of {tools, files}) or its context
 * (Markdown). Scoped to one user (`scope_id` = a user id) or one org (an org id), keyed by the project
 * (`remote:<normalized git remote>` or `dir:<directory name>`).
 */
export type DocumentRecord = {
	scope_id: string;
	kind: DocumentKind;
	project_key: string;
	content: string;
	/** sha256 of `content`; the ETag clients send back in If-Match. */
	etag: string;
	updated_at: string;
	updated_by: string;
};

/** What an invite or join came to; the seat checks are atomic with the write. */
export type InviteOutcome = 'added' | 'no_seats' | 'already_member';
export type JoinOutcome = 'joined' | 'no_seats' | 'already_member' | 'gone';
/** What a change of seats came to: refused below the members seated, or below members + pending invites. */
export type SeatsOutcome = {outcome: 'set' | 'below_members' | 'below_invites'; members: number; pending: number};
/**
 * What a change of role came to; 'last_admin': the org would be left without an admin; 'forbidden':
 * the caller is no longer an admin of the org (checked in the same transaction as the change).
 */
export type RoleOutcome = 'changed' | 'unchanged' | 'not_member' | 'last_admin' | 'forbidden';
/**
 * What removing an email from an org came to: its member removed ('member'), else its pending invites
 * withdrawn ('invite'), or neither ('not_found'); refused for the org's last admin ('last_admin') and
 * for a caller who is neither that account nor (still) an admin ('forbidden').
 */
export type RemovalOutcome = 'member' | 'invite' | 'not_found' | 'last_admin' | 'forbidden';
/** What sharing a session with an org came to: refused when the owner is not a member or has no such session. */
export type ShareOutcome = 'shared' | 'not_member' | 'no_session';

export interface ServerStorage {
	/** Undefined when the email is taken. */
	createUser(user: UserRecord): Promise<UserRecord | undefined>;
	userByEmail(email: string): Promise<UserRecord | undefined>;
	userById(id: string): Promise<UserRecord | undefined>;
	addToken(token: TokenRecord): Promise<void>;
	tokenById(tokenId: string): Promise<TokenRecord | undefined>;
	/** Revokes a token of this user only; false when it is not theirs. */
	revokeToken(userId: string, tokenId: string): Promise<boolean>;

	session(ownerId: string, sessionId: string): Promise<SessionRecord | undefined>;
	sessions(ownerId: string): Promise<SessionRecord[]>;
	/**
	 * Compare-and-set: commits `record` only when the stored etag still equals `expected` (undefined:
	 * no row yet). False when another writer got there first (the caller merges again).
	 */
	putSession(record: SessionRecord, expected: string | undefined): Promise<boolean>;

	addHandoff(handoff: HandoffRecord): Promise<void>;
	handoff(handoffId: string): Promise<HandoffRecord | undefined>;
	/** Every handoff to `email` (taken and expired ones too), newest first. */
	handoffsFor(email: string): Promise<HandoffRecord[]>;
	/**
	 * Marks the handoff taken at `now` unless it was already (the first time is kept); returns its
	 * taken_at, undefined when there is no such handoff.
	 */
	markHandoffTaken(handoffId: string, now: string): Promise<string | undefined>;

	/** Marks the user verified (used by the verification flow and by admins' tooling). */
	setVerified(userId: string): Promise<void>;
	addVerification(record: VerificationRecord): Promise<void>;
	/**
	 * Atomically: when the token is known, unused and not expired at `now`, marks it used and its user
	 * verified, and returns the user id; else undefined.
	 */
	useVerification(tokenSha256: string, now: string): Promise<string | undefined>;

	/** Inserts the org and its creator as admin in one transaction; undefined when the name is taken. */
	createOrg(org: OrgRecord, creator: MemberRecord): Promise<OrgRecord | undefined>;
	orgByName(name: string): Promise<OrgRecord | undefined>;
	orgById(id: string): Promise<OrgRecord | undefined>;
	/** The orgs `userId` is a member of, with their role, by name. */
	orgsOf(userId: string): Promise<Array<OrgRecord & {role: OrgRole}>>;
	/** The membership of `userId` in `orgId`, undefined when not a member. */
	member(orgId: string, userId: string): Promise<MemberRecord | undefined>;
	/** Members by join time. */
	members(orgId: string): Promise<MemberView[]>;
	/**
	 * Atomically (one transaction; PostgreSQL: lock the org row): 'already_member' when `invite.email`
	 * belongs to a member; else replaces any pending invite of the same email in the org, and adds
	 * `invite` only when members + other pending invites (expires_at > now) < seats ('no_seats' otherwise).
	 */
	addInvite(invite: InviteRecord, now: string): Promise<InviteOutcome>;
	/** The invite with this code hash (any state), undefined when unknown. */
	inviteByCode(codeSha256: string): Promise<InviteRecord | undefined>;
	/** Pending invites of the org (not accepted, expires_at > now), oldest first. */
	pendingInvites(orgId: string, now: string): Promise<InviteRecord[]>;
	/**
	 * Atomically (one transaction; PostgreSQL: lock the org row): 'gone' when the invite is accepted or
	 * expired at `now`; 'already_member' when the user is one; 'no_seats' when members >= seats; else adds
	 * `member` (role from the invite) and marks the invite accepted at `now`.
	 */
	acceptInvite(inviteId: string, member: MemberRecord, now: string): Promise<JoinOutcome>;
	/**
	 * Atomically (one transaction; PostgreSQL: lock the org row), `actorId` removes `email` from the org:
	 * the member and the shares of their sessions with the org, else the email's pending invites. The
	 * actor must be that account or an admin, and the last admin stays: both checked inside the
	 * transaction, so two admins removing each other at once cannot leave the org without one.
	 */
	removeFromOrg(orgId: string, email: string, actorId: string): Promise<RemovalOutcome>;
	/**
	 * Atomically (one transaction; PostgreSQL: lock the org row): sets the org's seats unless fewer than
	 * its members ('below_members') or than its members plus pending invites at `now` ('below_invites').
	 */
	setSeats(orgId: string, seats: number, now: string): Promise<SeatsOutcome>;
	/**
	 * Atomically (as setSeats): `actorId` sets a member's role; 'forbidden' when the actor is not (or
	 * no longer) an admin, 'last_admin' when that would demote the org's only admin, 'not_member' when
	 * `userId` is not a member.
	 */
	setRole(orgId: string, userId: string, role: OrgRole, actorId: string): Promise<RoleOutcome>;

	/**
	 * Shares a session of `share.owner_id` with an org (nothing changes when shared already), atomically
	 * with the checks that the owner is a member (PostgreSQL: under the org row's lock, which removals
	 * take too) and has that session: a share never outlives its owner's membership.
	 */
	shareSession(share: ShareRecord): Promise<ShareOutcome>;
	/** False when it was not shared. */
	unshareSession(orgId: string, ownerId: string, sessionId: string): Promise<boolean>;
	/** The org ids a session of `ownerId` is shared with. */
	sharesOf(ownerId: string, sessionId: string): Promise<string[]>;
	/**
	 * Sessions of OTHER users shared with an org `userId` is a member of (optionally only `sessionId`),
	 * newest updated_at first; a session shared with two of the caller's orgs appears once per org.
	 */
	sharedSessions(userId: string, sessionId?: string): Promise<SharedSessionRecord[]>;

	document(scopeId: string, kind: DocumentKind, projectKey: string): Promise<DocumentRecord | undefined>;
	/** The documents of a scope (with content), by kind then project_key. */
	documents(scopeId: string): Promise<DocumentRecord[]>;
	/**
	 * Compare-and-set like putSession: `expected` undefined = only when absent; a string = only when the
	 * stored etag equals it; null = unconditionally (forced). False when the condition failed.
	 */
	putDocument(record: DocumentRecord, expected: string | null | undefined): Promise<boolean>;

	/** Stores bytes under their sha256 (written whole: temp file, then rename); returns the hash. */
	putBlob(hash: string, bytes: Buffer): Promise<void>;
	blob(hash: string): Promise<Buffer | undefined>;
	/**
	 * Removes blobs no session or unexpired handoff refers to and last written more than `olderThanMs`
	 * ago (younger ones may belong to a push still running); returns how many went.
	 */
	sweepBlobs(olderThanMs: number, now?: Date): Promise<number>;
	close(): Promise<void>;
}
