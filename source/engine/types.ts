/**
 * The `.sfs` format (SessionFS spec v0.1.0) as TypeScript types.
 * The JSON Schemas in `schemas/` are the authority; these types mirror them.
 * Everything sfs adds that the schemas have no field for lives in a `metadata` object.
 */

export const SFS_VERSION = '0.1.0';

/** The eight tools sfs captures from. The first four can also be resume targets. */
export const TOOL_IDS = ['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp', 'cline', 'roo-code'] as const;
export type ToolId = (typeof TOOL_IDS)[number];
export const RESUME_TARGETS = ['claude-code', 'codex', 'gemini', 'copilot'] as const;
export type ResumeTarget = (typeof RESUME_TARGETS)[number];

export function isToolId(value: string): value is ToolId {
	return (TOOL_IDS as readonly string[]).includes(value);
}

export type Role = 'user' | 'assistant' | 'system' | 'developer' | 'tool';

export type TextBlock = {type: 'text'; text: string};
export type ThinkingBlock = {
	type: 'thinking';
	text: string;
	signature?: string | null;
	redacted?: boolean;
	summary?: string | null;
};
export type ToolUseBlock = {type: 'tool_use'; tool_use_id: string; name: string; input: Record<string, unknown>};
export type ToolResultBlock = {
	type: 'tool_result';
	tool_use_id: string;
	/** Always a string in the spec; structured native results are flattened to text, originals go in message metadata. */
	content?: string;
	is_error?: boolean;
	exit_code?: number | null;
	duration_ms?: number | null;
};
export type ImageBlock = {
	type: 'image';
	source: {type: 'url' | 'base64' | 'path'; data?: string; media_type?: string | null};
};
export type SummaryBlock = {type: 'summary'; text: string; summarized_through_msg_id?: string | null};
/** A block of a type sfs does not know keeps its `type` and fields. `native_record` holds a whole unknown native record. */
export type UnknownBlock = {type: string; [key: string]: unknown};
export type NativeRecordBlock = {type: 'native_record'; record: unknown};

export type ContentBlock =
	| TextBlock
	| ThinkingBlock
	| ToolUseBlock
	| ToolResultBlock
	| ImageBlock
	| SummaryBlock
	| NativeRecordBlock
	| UnknownBlock;

export type TokenUsage = {
	input_tokens?: number;
	output_tokens?: number;
	cache_read_tokens?: number;
	cache_write_tokens?: number;
	reasoning_tokens?: number;
};

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'interrupted' | 'stop_sequence' | null;

export type Message = {
	msg_id: string;
	parent_msg_id?: string | null;
	role: Role;
	content: ContentBlock[];
	/** ISO 8601. */
	timestamp: string;
	turn_id?: string | null;
	model?: string | null;
	provider?: string | null;
	stop_reason?: StopReason;
	usage?: TokenUsage | null;
	is_sidechain?: boolean;
	is_meta?: boolean;
	agent_id?: string | null;
	metadata?: Record<string, unknown>;
};

export type SourceInfo = {
	tool: string;
	tool_version?: string | null;
	sfs_converter_version?: string | null;
	original_session_id?: string | null;
	original_path?: string | null;
	interface?: string | null;
};

export type ModelInfo = {provider?: string | null; model_id?: string | null; reasoning_effort?: 'low' | 'medium' | 'high' | null};

export type SessionStats = {
	message_count?: number;
	turn_count?: number;
	tool_use_count?: number;
	total_input_tokens?: number;
	total_output_tokens?: number;
	estimated_cost_usd?: number | null;
	duration_ms?: number | null;
};

export type Manifest = {
	sfs_version: string;
	session_id: string;
	title?: string | null;
	tags?: string[];
	created_at: string;
	updated_at?: string | null;
	source: SourceInfo;
	model?: ModelInfo | null;
	ownership?: Record<string, unknown> | null;
	stats?: SessionStats;
	sync?: Record<string, unknown> | null;
	parent_session_id?: string | null;
	checkpoint_count?: number;
	sub_agents?: Array<{agent_id: string; model?: string | null; message_count?: number}>;
	metadata?: ManifestMetadata;
};

/**
 * Keys sfs keeps in `manifest.metadata`. All optional; unknown keys from other writers are preserved.
 * See docs/sfs-format.md.
 */
export type ManifestMetadata = {
	alias?: string;
	/** Working directory the native session ran in. */
	cwd?: string;
	git_branch?: string;
	/** Fork point: the message the fork was taken at. */
	fork?: {from_session_id: string; at_msg_id: string | null; created_at: string};
	checkpoint?: {from_session_id: string; name: string};
	/** Capture bookkeeping (see engine/capture). */
	capture?: CaptureState;
	/** Counts of native records sfs did not understand, keyed `<tool>@<version>:<record type>`. */
	unknown_records?: Record<string, number>;
	subagent?: {parent_native_id: string; agent_id: string};
	headless?: boolean;
	first_prompt?: string;
	/** Instruction files present in the workspace when captured (rules issue). */
	instruction_artifacts?: Array<{path: string; sha256: string}>;
	rules_hash?: string;
	/** Set on native sessions sfs itself wrote during resume, so re-capture links instead of duplicating. */
	written_by_sfs?: {from_session_id: string; through_msg_id: string | null; target: string};
	[key: string]: unknown;
};

export type CaptureState = {
	/** Per native file: where capture left off. */
	files: Record<string, FileCursor>;
	/** Byte length of messages.jsonl when this manifest was committed; a longer file means lines were appended after. */
	messages_bytes: number;
	/** Adapter-private state carried between incremental reads (e.g. the current model). */
	adapter_state?: unknown;
	captured_at: string;
};

export type FileCursor = {
	size: number;
	mtime_ms: number;
	ino: number;
	/** Bytes consumed: everything before this offset has been parsed (whole lines only). */
	offset: number;
	/** sha256 (hex, first 16 chars) of the last consumed line, to detect a rewritten file of the same or larger size. */
	last_line_hash?: string;
};

export type Workspace = {
	root_path: string;
	git?: {
		remote_url?: string | null;
		branch?: string | null;
		commit_sha?: string | null;
		commit_message?: string | null;
		dirty?: boolean | null;
		diff_path?: string | null;
	} | null;
	files?: Array<{
		path: string;
		sha256?: string | null;
		size_bytes?: number | null;
		last_modified?: string | null;
		role?: 'read' | 'written' | 'edited' | 'created' | 'deleted' | 'referenced';
	}>;
	environment?: Record<string, unknown> | null;
	metadata?: Record<string, unknown>;
};

export type ToolsInfo = {
	mcp_servers?: Array<Record<string, unknown>>;
	shell?: Record<string, unknown> | null;
	custom_tools?: Array<Record<string, unknown>>;
	tools_used?: string[];
	metadata?: Record<string, unknown>;
};

/** A whole session as held in memory. */
export type Session = {
	manifest: Manifest;
	messages: Message[];
	workspace?: Workspace;
	tools?: ToolsInfo;
};
