/**
 * The engine as the TUI sees it: everything the views need, all asynchronous so that no key press
 * ever waits on disk or SQLite. The integrator implements this over the real engine (store, index,
 * capture, resume); tests implement it with `test/views/fake-engine.ts`.
 */
import {createContext, useContext} from 'react';
import type {Manifest, Message, ResumeTarget, Role, ToolId} from '../engine/types.js';
import type {Finding} from '../engine/dlp/scanner.js';
import type {Narrative} from '../engine/insight/session-meta.js';
import type {SessionSummary} from '../engine/insight/summary.js';

/** One row of the session list, straight from the index (no message bodies). */
export type SessionRow = {
	session_id: string;
	alias: string | null;
	title: string | null;
	/** Tool the session was captured from (a ToolId, but unknown ids are kept as strings). */
	tool: ToolId | string;
	/** The tool's own session id, for display and resume. */
	native_id: string | null;
	/** Working directory the session ran in; the TUI shows its basename as "project". */
	cwd: string | null;
	model: string | null;
	/** ISO 8601. */
	created_at: string;
	/** ISO 8601; falls back to created_at when the session never changed. */
	updated_at: string | null;
	message_count: number;
	input_tokens: number;
	output_tokens: number;
	/** Present once the insight issue lands. */
	cost_usd?: number | null;
	tags: string[];
	/** Set on forks and checkpoints: the session they were taken from (drawn as a lineage tree). */
	parent_session_id: string | null;
	/** A sub-agent transcript (hidden in the list by default). */
	is_subagent: boolean;
	/** A headless run (`claude -p`, `codex exec`, …), shown with a badge. */
	is_headless: boolean;
	/** The first user prompt, trimmed; used by the preview and the fuzzy filter. */
	first_prompt: string | null;
	/** 'fork' or 'checkpoint' when parent_session_id is set, for the lineage badge. */
	lineage_kind?: 'fork' | 'checkpoint' | null;
	/** Checkpoint name, when lineage_kind is 'checkpoint'. */
	checkpoint_name?: string | null;
};

/** What `listSessions` can narrow on in the index. The fuzzy filter runs in the TUI. */
export type SessionQuery = {
	/** Only these tools (all when absent). */
	tools?: string[];
	/** Include sub-agent transcripts (default: true; the TUI hides them itself so it can toggle without a reload). */
	includeSubagents?: boolean;
	/** At most this many rows, newest first (default: all). */
	limit?: number;
};

/** A full session for the Session screen. */
export type SessionDetail = {manifest: Manifest; messages: Message[]};

/** One full-text hit. `snippet` marks matched terms with \u0001 … \u0002. */
export type SearchHit = {
	session_id: string;
	msg_id: string;
	role: Role;
	/** 0-based index of the message inside its session. */
	position: number;
	snippet: string;
	/** Higher is better (the engine normalises bm25 so). */
	score: number;
};

export type SearchOptions = {tools?: string[]; limit?: number};

/** Where background capture stands. 'attached' = a daemon captures and the TUI only listens. */
export type CaptureStatus = 'idle' | 'capturing' | 'attached';

/** Progress events while capture runs. */
export type CaptureProgress = {
	state: CaptureStatus;
	/** Native files (or sources) done / to do in this pass; total 0 when unknown. */
	done: number;
	total: number;
	/** Sessions created or updated so far in this pass. */
	sessionsChanged: number;
	/** Tool being scanned right now, if any. */
	currentTool?: string | null;
	/** Counted warnings (bad lines etc.) in this pass. */
	warnings: number;
	/** Last error message of this pass, one line. */
	lastError?: string | null;
	/** A change of capture mode to tell the user (a daemon attached to, or gone), one line for the status bar. */
	notice?: string;
};

/** How faithfully a session survives the trip to another tool (issue 4). */
export type FidelityReport = {
	messages_kept: number;
	messages_converted: number;
	messages_dropped: number;
	tool_calls_mapped: number;
	/** What happens to thinking blocks, e.g. 'kept', 'dropped', 'summarised'. */
	thinking: string;
	images_kept: number;
	turns_trimmed: number;
};

export type ResumePlan = {
	report: FidelityReport;
	/** The command line that will run, for display (argv). */
	command: string[];
	cwd: string;
	warnings: string[];
};

/** A process to hand the terminal to. */
/** A folder and whether it exists as a directory. */
export type SessionFolder = {path: string | null; exists: boolean};

export type LaunchSpec = {command: string; args: string[]; cwd: string; env?: Record<string, string>};

export type ExportFormat = 'sfs' | 'json' | 'markdown';

/** One file the agent edited, as a unified diff body ("@@", " ", "+", "-" lines, no ---/+++ header needed). */
export type FileDiff = {
	path: string;
	change: 'modified' | 'created' | 'deleted';
	/** Unified diff lines; the TUI colours them by their first character. */
	unified: string;
	/** Message that made the (last) edit, to jump to it. */
	msg_id?: string | null;
};

/** A message as listed by a comparison. */
export type MessageSummary = {msg_id: string; role: Role; timestamp: string; preview: string};

/** Session a vs b: b is usually a fork or checkpoint of a. */
export type SessionComparison = {
	a: string;
	b: string;
	/** Messages both share (the common prefix, or by msg_id). */
	common: number;
	/** In b, not in a. */
	added: MessageSummary[];
	/** In a, not in b. */
	removed: MessageSummary[];
};

/** One place sfs looked for native sessions (the first-run empty state lists them). */
export type SourceLooked = {tool: string; path: string; exists: boolean; sessions: number};

/** A running sfs session that will be continued elsewhere (tmux) instead of in this terminal. */
export type TmuxKind = 'pane' | 'window';

/** What a session did (deterministic summary), its stored narrative if any, and its DLP findings (masked excerpts). */
export type SessionInsight = {
	summary: SessionSummary;
	/** Models without a price (the cost then shows "unpriced" when nothing was priced). */
	unpriced_models: string[];
	narrative?: Narrative | null;
};

export type SessionFindingsView = {secrets: number; personal: number; findings: Finding[]};

/** One rules target file (CLAUDE.md, AGENTS.md, …) as the Rules screen shows it. */
export type RulesTargetView = {
	file: string;
	tools: string[];
	/** ok | missing | stale | edited | unmanaged | broken */
	state: string;
	/** Unified diff from the file on disk to what a compile writes ('' when equal). */
	diff: string;
	/** The file as a compile leaves it. */
	expected?: string;
	warning?: string;
};

export type RulesView = {
	root: string;
	/** False when the repository has no .sfs/rules/config.json. */
	configured: boolean;
	/** Canonical rule files. */
	files: Array<{name: string; text: string}>;
	targets: RulesTargetView[];
	check: {exitCode: 0 | 1; stale: string[]; warnings: string[]};
};

/** Everything the TUI asks of the engine. Every call may reject with an SfsError; the TUI shows its message in the status bar. */
export interface TuiEngine {
	/** Session rows from the index. Must be fast (first frame); the TUI holds all rows in memory. */
	listSessions(query?: SessionQuery): Promise<SessionRow[]>;
	/** A whole session (manifest + messages) for the Session screen. Rejects with NOT_FOUND. */
	getSession(sessionId: string): Promise<SessionDetail>;
	/** Full-text search over message content (FTS). The engine quotes the query; raw FTS syntax is not passed. */
	search(query: string, options?: SearchOptions): Promise<SearchHit[]>;

	/** Current capture state, synchronously (for the first frame). */
	captureState(): CaptureStatus;
	/**
	 * Start one capture pass in the background (no-op when one runs or a daemon is attached).
	 * Resolves when the pass ends; progress comes through onCaptureProgress.
	 */
	capture(): Promise<void>;
	/** Subscribe to capture progress; returns the unsubscribe function. */
	onCaptureProgress(listener: (progress: CaptureProgress) => void): () => void;
	/** Subscribe to "the set of sessions changed" (capture, daemon, actions); returns the unsubscribe function. */
	onSessionsChanged(listener: () => void): () => void;

	/**
	 * The fidelity report and the command line for resuming into target (nothing is written). `cwd`: the
	 * folder to resume in instead of the session's own (as `sfs resume --cwd`). Off the TUI's main thread
	 * (it converts the whole session); while a newer plan is asked for, an older one still waiting may
	 * reject instead of being made.
	 */
	planResume(sessionId: string, target: ResumeTarget, model?: string, cwd?: string): Promise<ResumePlan>;
	/** Write whatever the target needs (native session file) and return the process to run (in `cwd` when given, as `--cwd`). */
	prepareLaunch(sessionId: string, target: ResumeTarget, model?: string, cwd?: string): Promise<LaunchSpec>;
	/** The folder the session ran in (null when it recorded none) and whether it still exists. */
	sessionFolder?(sessionId: string): Promise<SessionFolder>;
	/** A folder typed on the Resume screen: `~` and relative paths resolved to an absolute path, and whether it is a directory. */
	checkFolder?(folder: string): Promise<SessionFolder & {path: string}>;
	/** True when running inside tmux (so the Resume screen offers a pane or a window). */
	inTmux(): boolean;
	/** Open the command in a new tmux pane or window; the TUI keeps running. */
	openInTmux(kind: TmuxKind, spec: LaunchSpec): Promise<void>;

	/** Set (or clear with null) a session's alias. Rejects with CONFLICT when another session has it. */
	setAlias(sessionId: string, alias: string | null): Promise<void>;
	/** Replace a session's tags. */
	setTags(sessionId: string, tags: string[]): Promise<void>;
	/** Fork a session (at a message, or at its end); resolves with the new session id. */
	fork(sessionId: string, atMsgId?: string): Promise<string>;
	/** Save a named checkpoint; resolves with the new session id. */
	checkpoint(sessionId: string, name: string): Promise<string>;
	/** Export to a file; resolves with the path written. */
	exportSession(sessionId: string, format: ExportFormat, path: string): Promise<string>;
	/** Delete from sfs only (never the tool's native files). */
	deleteSession(sessionId: string): Promise<void>;

	/** File edits the session made, from Edit/Write/apply_patch-style tool calls, in order of first edit. */
	diff(sessionId: string): Promise<FileDiff[]>;
	/** Compare a session with another (its fork or checkpoint). */
	compareSessions(a: string, b: string): Promise<SessionComparison>;

	/** Where capture looked for native sessions (for the empty state). */
	sourcesLooked(): Promise<SourceLooked[]>;
	/**
	 * Put text on the system clipboard (pbcopy, wl-copy, xclip…). Resolve false when none is
	 * available; the TUI then falls back to OSC 52.
	 */
	copyToClipboard?(text: string): Promise<boolean>;

	/** Summary, cost and narrative of one session (reads its messages; the TUI caches it per session id). */
	sessionInsight?(sessionId: string): Promise<SessionInsight>;
	/** DLP findings of one session (from index.db when current, else scanned now). */
	sessionFindings?(sessionId: string): Promise<SessionFindingsView>;
	/** Cost per session id (null = unpriced); may read messages the first time, so the TUI asks after the first frame. */
	sessionCosts?(sessionIds: string[]): Promise<Record<string, number | null>>;
	/** The rules of the repository around cwd: canonical rules, each target's diff and the check status. */
	rulesStatus?(cwd: string): Promise<RulesView>;
	/** Compile the rules of the repository around cwd; resolves with the files written. */
	compileRules?(cwd: string): Promise<string[]>;
	/** The editor process for the canonical rule files of the repository around cwd ($EDITOR). */
	rulesEditLaunch?(cwd: string): Promise<LaunchSpec>;
}

export const EngineContext = createContext<TuiEngine | undefined>(undefined);

/** The engine of the surrounding <EngineContext.Provider>. */
export function useEngine(): TuiEngine {
	const engine = useContext(EngineContext);
	if (!engine) {
		throw new Error('useEngine() outside <EngineContext.Provider>');
	}

	return engine;
}
