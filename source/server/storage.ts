/**
 * What the sync server keeps, behind one interface: accounts, API tokens, the latest version of each
 * user's sessions (metadata + the hash of a content-addressed blob) and handoffs. Every method is
 * async so a networked database (PostgreSQL, planned) fits the same shape; SQLite is the default.
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
};

export type HandoffWorkspace = {
	cwd?: string | null;
	git_remote?: string | null;
	git_branch?: string | null;
	git_commit?: string | null;
	rules_hash?: string | null;
};

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
	handoffsFor(email: string): Promise<HandoffRecord[]>;

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
