/**
 * The one interface every tool adapter implements. An adapter knows its tool's native format and
 * nothing about SQLite, Ink or the CLI. It only reads native stores (never writes to them) during capture.
 */
import type {FileCursor, Message, ToolId, ToolsInfo, Workspace} from '../engine/types.js';

/** Everything an adapter may know about the machine; tests pass a temp HOME here. */
export type AdapterContext = {
	env: NodeJS.ProcessEnv;
	/** The user's home directory (from `env.HOME`). */
	home: string;
	platform: NodeJS.Platform;
	now: () => Date;
	/**
	 * A small persistent key-value cache owned by the engine (survives between captures, may be wiped).
	 * Adapters use it to skip expensive discovery when nothing changed (e.g. Cursor's SQLite stores).
	 */
	cache: {get(key: string): unknown; set(key: string, value: unknown): void};
};

/** What discovery's stat of a file found. */
export type FileStat = {size: number; mtimeMs: number; ino: number; birthtimeMs?: number};

/** One native session as found on disk, before parsing. */
export type NativeSession = {
	tool: ToolId;
	/** The tool's own session id (what the tool itself resumes by). */
	nativeId: string;
	/** Every file that makes up this session; the first is the main one. Capture stats each to detect change. */
	files: string[];
	/**
	 * When set, the engine treats the session as unchanged while the fingerprint is the same, instead of
	 * comparing file stats (for stores holding many sessions in one file, like Cursor's state.vscdb).
	 */
	fingerprint?: string;
	/** 'append': files only grow (JSONL) and can be read from a cursor; 'rewrite': files are rewritten whole. */
	growth: 'append' | 'rewrite';
	/** Set for sub-agent transcripts: the native id of the session that spawned it. */
	parentNativeId?: string;
	agentId?: string;
	/** Best known update time (ms since epoch) for ordering; usually the main file's mtime. */
	mtimeMs?: number;
	/**
	 * The stats discovery took of `files` (by path), so that capture does not stat them again; a file
	 * missing here is stat-ed by capture. Only as fresh as the discovery that made them: drop them when
	 * a discovery result is reused later (the daemon's cache does).
	 */
	stats?: Record<string, FileStat>;
};

export type ReadRequest = {
	session: NativeSession;
	/** Cursors from the previous capture of this session, keyed by file path. Absent on first capture. */
	cursors?: Record<string, FileCursor>;
	/** The adapter's own state from the previous read of this session (opaque to the engine). */
	state?: unknown;
};

/** What an adapter learned about a session besides its messages. Everything is optional. */
export type SessionInfo = {
	title?: string;
	cwd?: string;
	gitBranch?: string;
	gitCommit?: string;
	gitRemote?: string;
	model?: string;
	provider?: string;
	reasoningEffort?: 'low' | 'medium' | 'high';
	toolVersion?: string;
	/** ISO 8601. */
	createdAt?: string;
	updatedAt?: string;
	/** A non-interactive run (`claude -p`, `codex exec`, `gemini -p`, `copilot -p`). */
	headless?: boolean;
	/** 'cli', 'ide', 'extension', … */
	interface?: string;
	/** Native fields the schema cannot hold; merged into manifest.metadata.native. */
	extra?: Record<string, unknown>;
};

export type ReadResult = {
	/**
	 * 'incremental': `messages` are only those after the cursors.
	 * 'full': the whole native session was read; the engine appends only messages it has not captured
	 * (by msg_id), and a known msg_id whose content changed as a new branch.
	 */
	mode: 'incremental' | 'full';
	/**
	 * Canonical messages in order. `msg_id`s must be deterministic (derived from native ids, or from the
	 * session id + position + content) so that re-reading the same native data yields the same ids.
	 */
	messages: Message[];
	info: SessionInfo;
	/** New cursors for every file read. */
	cursors: Record<string, FileCursor>;
	state?: unknown;
	workspace?: Partial<Workspace>;
	tools?: ToolsInfo;
	/** One-line reasons for anything skipped or partially read ("line 12: invalid JSON"). */
	warnings: string[];
	/** Native records not understood, counted by record type (they are still kept as native_record messages). */
	unknownRecords: Record<string, number>;
	/** How many native records were parsed in this read (the no-op rescan test asserts 0). */
	recordsParsed: number;
};

export interface Adapter {
	readonly id: ToolId;
	/** Human name, e.g. "Claude Code". */
	readonly name: string;
	/** Directories where the tool keeps sessions (whether or not they exist), for scanning, watching and doctor. */
	roots(ctx: AdapterContext): string[];
	/** Lists native sessions. Must be cheap (readdir/stat); must never throw for a missing or unreadable root. */
	discover(ctx: AdapterContext): Promise<NativeSession[]>;
	/** One-line problems met by the last `discover` (e.g. an unreadable database), reported by capture. */
	readonly lastDiscoverWarnings?: readonly string[];
	/** Parses one native session from its cursors onward. Throws only when nothing at all can be read. */
	read(request: ReadRequest, ctx: AdapterContext): Promise<ReadResult>;
}
