/**
 * One Claude Code transcript record → zero or one `.sfs` message, plus what it tells about the session.
 * Conversation records (user, assistant, system, attachment) keep their uuid as msg_id and their
 * parentUuid as parent_msg_id, so rewinds stay a tree. Metadata records (titles, last-prompt) feed the
 * session info. Anything else is kept whole as a `native_record` block.
 */
import type {Message} from '../engine/types.js';
import {stableHash} from './jsonl.js';
import {isoTimestamp, isRecord, mapContent, mapStopReason, mapUsage} from './claude-code-content.js';
import {nativeString} from './native-text.js';

/** What the adapter carries between incremental reads of one transcript (JSON-serialisable). */
export type ClaudeState = {
	createdAt?: string;
	updatedAt?: string;
	cwd?: string;
	gitBranch?: string;
	model?: string;
	version?: string;
	entrypoint?: string;
	userType?: string;
	sessionKind?: string;
	permissionMode?: string;
	customTitle?: string;
	aiTitle?: string;
	summaryTitle?: string;
	agentName?: string;
	firstPrompt?: string;
	/** A sub-agent transcript's first prompt (the task its parent gave it). */
	firstAgentPrompt?: string;
	lastPrompt?: string;
	forkedFrom?: unknown;
	/** The record carrying the usage of the latest API response (see keepUsageOncePerResponse). */
	usageCarrier?: {api_message_id: string; msg_id: string};
	/** The latest `cost-state` record (Claude's own running cost and token totals). */
	costState?: Record<string, unknown>;
};

/** Record types that are understood but carry no conversation; kept as native_record messages, not counted as unknown. */
const KNOWN_NATIVE_TYPES = new Set([
	'file-history-snapshot',
	'queue-operation',
	'progress',
	'tag',
	'mode',
	'permission-mode',
	'worktree-state',
	'pr-link',
	'agent-setting',
	'agent-color',
	'attribution-snapshot',
	'content-replacement',
	'marble-origami-commit',
	'marble-origami-snapshot',
	// Seen in the recorded real Claude Code 2.1.332 (test/fixtures/recorded/claude-code): request logs, cost, tool use.
	'api-request',
	'api-request-shape',
	'api-request-blob',
	'cost-state',
	'tools-used',
	'atis-latch',
]);

const ENVELOPE_KEYS = new Set([
	'type',
	'uuid',
	'parentUuid',
	'isSidechain',
	'isMeta',
	'agentId',
	'timestamp',
	'message',
	'sessionId',
	'cwd',
	'gitBranch',
	'version',
	'userType',
	'entrypoint',
	'requestId',
	'toolUseResult',
	'isCompactSummary',
	'attachment',
]);

export type RecordContext = {
	nativeId: string;
	/** Byte offset of the current line: keeps ids of identical uuid-less records (e.g. repeated metadata) distinct. */
	offset: number;
	/** Set for sub-agent transcripts. */
	agentId?: string;
	fallbackTimestamp: () => string;
};

export type RecordOutcome = {message?: Message; unknownType?: string};

const HEADLESS_ENTRYPOINTS = new Set(['sdk-cli', 'sdk-ts', 'sdk-py']);

export function isHeadlessEntrypoint(entrypoint: string | undefined): boolean {
	return entrypoint !== undefined && HEADLESS_ENTRYPOINTS.has(entrypoint);
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Envelope keys sfs has no field for (promptId, permissionMode, slug, …), kept in metadata. */
function envelopeExtras(record: Record<string, unknown>): Record<string, unknown> {
	const extras: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(record)) if (!ENVELOPE_KEYS.has(key)) extras[key] = value;
	return extras;
}

/** A prompt a person typed (not a command wrapper, notification or injected context). */
function promptText(message: Message): string | undefined {
	if (message.role !== 'user' || message.is_meta) return undefined;
	for (const block of message.content) {
		if (block.type !== 'text' || typeof block.text !== 'string') continue;
		const text = block.text.trim();
		if (text.length === 0 || text.startsWith('<') || text.startsWith('Caveat:')) continue;
		return text;
	}

	return undefined;
}

function learnEnvelope(record: Record<string, unknown>, state: ClaudeState, timestamp: string | undefined): void {
	if (timestamp) {
		state.createdAt ??= timestamp;
		state.updatedAt = timestamp;
	}

	state.cwd = str(record.cwd) ?? state.cwd;
	state.gitBranch = str(record.gitBranch) ?? state.gitBranch;
	state.version = str(record.version) ?? state.version;
	state.entrypoint ??= str(record.entrypoint);
	state.userType ??= str(record.userType);
	state.sessionKind ??= str(record.sessionKind);
	state.permissionMode = str(record.permissionMode) ?? state.permissionMode;
}

function nativeRecordMessage(record: Record<string, unknown>, rawLine: string, ctx: RecordContext, timestamp: string): Message {
	const uuid = str(record.uuid);
	const message: Message = {
		msg_id: uuid ?? stableHash(ctx.nativeId, 'record', ctx.offset, rawLine),
		role: 'system',
		content: [{type: 'native_record', record}],
		timestamp,
		is_meta: true,
		metadata: {record_type: typeof record.type === 'string' ? record.type : null},
	};
	if (record.parentUuid !== undefined) message.parent_msg_id = str(record.parentUuid) ?? null;
	if (ctx.agentId) message.agent_id = ctx.agentId;
	return message;
}

function conversationMessage(record: Record<string, unknown>, ctx: RecordContext, timestamp: string, rawLine: string): Message {
	const isSidechain = record.isSidechain === true || ctx.agentId !== undefined;
	const agentId = str(record.agentId) ?? ctx.agentId;
	const metadata: Record<string, unknown> = {record_type: record.type};
	const message: Message = {
		msg_id: str(record.uuid) ?? stableHash(ctx.nativeId, nativeString(record.type), ctx.offset, rawLine),
		parent_msg_id: str(record.parentUuid) ?? null,
		role: 'user',
		content: [],
		timestamp,
		metadata,
	};
	if (isSidechain) message.is_sidechain = true;
	if (agentId) message.agent_id = agentId;
	if (record.isMeta === true) message.is_meta = true;
	const extras = envelopeExtras(record);
	if (Object.keys(extras).length > 0) metadata.envelope = extras;
	return message;
}

function mapUser(record: Record<string, unknown>, ctx: RecordContext, timestamp: string, rawLine: string): Message {
	const message = conversationMessage(record, ctx, timestamp, rawLine);
	const metadata = message.metadata!;
	const native = isRecord(record.message) ? record.message : {};
	const mapped = mapContent(native.content);
	message.content = mapped.blocks;
	if (Object.keys(mapped.blockExtras).length > 0) metadata.block_extras = mapped.blockExtras;
	if (Object.keys(mapped.toolResultContent).length > 0) metadata.tool_result_content = mapped.toolResultContent;
	if (record.toolUseResult !== undefined) metadata.tool_use_result = record.toolUseResult;

	const onlyToolResults = message.content.length > 0 && message.content.every(block => block.type === 'tool_result' || block.type === 'image');
	if (onlyToolResults && message.content.some(block => block.type === 'tool_result')) {
		message.role = 'tool';
		metadata.native_role = 'user';
	}

	// Background-task notifications and other harness-injected prompts are user records by form only.
	if (isRecord(record.origin) && typeof record.origin.kind === 'string' && record.origin.kind !== 'human') message.is_meta = true;

	if (record.isCompactSummary === true) {
		// The summary Claude writes after compaction: a user record by form, a summary by meaning.
		const text = message.content.map(block => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('\n');
		message.content = [{type: 'summary', text, summarized_through_msg_id: null}];
		message.is_meta = true;
		metadata.compact_summary = true;
	}

	return message;
}

function mapAssistant(record: Record<string, unknown>, ctx: RecordContext, timestamp: string, rawLine: string, state: ClaudeState): Message {
	const message = conversationMessage(record, ctx, timestamp, rawLine);
	message.role = 'assistant';
	const metadata = message.metadata!;
	const native = isRecord(record.message) ? record.message : {};
	const mapped = mapContent(native.content);
	message.content = mapped.blocks;
	if (Object.keys(mapped.blockExtras).length > 0) metadata.block_extras = mapped.blockExtras;
	if (Object.keys(mapped.redactedThinking).length > 0) metadata.redacted_thinking = mapped.redactedThinking;

	const model = str(native.model);
	if (model) {
		message.model = model;
		if (model !== '<synthetic>') state.model = model;
	}

	message.provider = 'anthropic';
	const stop = mapStopReason(native.stop_reason);
	message.stop_reason = stop.stop_reason;
	if (stop.native) metadata.native_stop_reason = stop.native;
	const usage = mapUsage(native.usage);
	if (usage) message.usage = usage;
	if (isRecord(native.usage)) metadata.native_usage = native.usage;
	// One API response is streamed over several records sharing message.id: cost code counts each id once.
	if (str(native.id)) metadata.api_message_id = native.id;
	if (str(record.requestId)) metadata.request_id = record.requestId;
	if (native.stop_sequence !== undefined && native.stop_sequence !== null) metadata.stop_sequence = native.stop_sequence;
	for (const [key, value] of Object.entries(native)) {
		if (!['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage'].includes(key)) {
			(metadata.api_extra ??= {} as Record<string, unknown>);
			(metadata.api_extra as Record<string, unknown>)[key] = value;
		}
	}

	return message;
}

function mapSystem(record: Record<string, unknown>, ctx: RecordContext, timestamp: string, rawLine: string, state: ClaudeState): Message {
	const message = conversationMessage(record, ctx, timestamp, rawLine);
	message.role = 'system';
	message.is_meta = true;
	const metadata = message.metadata!;
	if (str(record.subtype)) metadata.subtype = record.subtype;
	if (record.subtype === 'compact_boundary') {
		// The chain restarts at null after compaction; the logical parent keeps the tree connected.
		const logical = str(record.logicalParentUuid);
		if (logical && message.parent_msg_id === null) {
			message.parent_msg_id = logical;
			metadata.native_parent_uuid = null;
		}

		if (record.forkedFrom !== undefined) state.forkedFrom = record.forkedFrom;
	}

	if (typeof record.content === 'string' && record.content.length > 0) {
		message.content = [{type: 'text', text: record.content}];
	} else {
		message.content = [{type: 'native_record', record}];
		delete metadata.envelope;
	}

	return message;
}

function mapAttachment(record: Record<string, unknown>, ctx: RecordContext, timestamp: string, rawLine: string): Message {
	const message = conversationMessage(record, ctx, timestamp, rawLine);
	message.role = 'system';
	message.is_meta = true;
	const attachment = isRecord(record.attachment) ? record.attachment : undefined;
	message.content = [{type: 'attachment', attachment: record.attachment ?? null}];
	if (attachment && str(attachment.type)) message.metadata!.attachment_type = attachment.type;
	return message;
}

function learnTitles(record: Record<string, unknown>, state: ClaudeState): boolean {
	switch (record.type) {
		case 'custom-title': {
			state.customTitle = str(record.customTitle) ?? state.customTitle;
			return true;
		}

		case 'ai-title': {
			state.aiTitle = str(record.aiTitle) ?? state.aiTitle;
			return true;
		}

		case 'agent-name': {
			state.agentName = str(record.agentName) ?? state.agentName;
			return true;
		}

		case 'last-prompt': {
			state.lastPrompt = str(record.lastPrompt) ?? state.lastPrompt;
			return true;
		}

		default: {
			return false;
		}
	}
}

/** Maps one parsed record. Mutates `state` with what the record tells about the session. */
export function mapClaudeRecord(record: Record<string, unknown>, rawLine: string, ctx: RecordContext, state: ClaudeState): RecordOutcome {
	const snapshot = isRecord(record.snapshot) ? record.snapshot : undefined;
	const timestampValue = isoTimestamp(record.timestamp) ?? isoTimestamp(snapshot?.timestamp);
	const type = typeof record.type === 'string' ? record.type : undefined;
	if (type === 'user' || type === 'assistant' || type === 'system' || type === 'attachment') learnEnvelope(record, state, timestampValue);
	else if (timestampValue) state.updatedAt = timestampValue;
	const timestamp = timestampValue ?? ctx.fallbackTimestamp();

	switch (type) {
		case 'user': {
			const message = mapUser(record, ctx, timestamp, rawLine);
			if (message.content.length === 0) message.content = [{type: 'text', text: ''}];
			if (!state.firstPrompt && !message.is_sidechain) state.firstPrompt = promptText(message);
			if (!state.firstAgentPrompt && message.is_sidechain) state.firstAgentPrompt = promptText(message);
			return {message};
		}

		case 'assistant': {
			const message = mapAssistant(record, ctx, timestamp, rawLine, state);
			if (message.content.length === 0) message.content = [{type: 'text', text: ''}];
			return {message};
		}

		case 'system': {
			return {message: mapSystem(record, ctx, timestamp, rawLine, state)};
		}

		case 'attachment': {
			return {message: mapAttachment(record, ctx, timestamp, rawLine)};
		}

		case 'summary': {
			// Older title record; may name a leaf of another session, so it is a summary, not a parent link.
			const text = str(record.summary) ?? '';
			state.summaryTitle = text || state.summaryTitle;
			return {
				message: {
					msg_id: stableHash(ctx.nativeId, 'summary', ctx.offset, rawLine),
					role: 'system',
					content: [{type: 'summary', text, summarized_through_msg_id: str(record.leafUuid) ?? null}],
					timestamp,
					is_meta: true,
					metadata: {record_type: 'summary'},
				},
			};
		}

		default: {
			if (type && learnTitles(record, state)) return {};
			if (type === 'cost-state') state.costState = record;
			const message = nativeRecordMessage(record, rawLine, ctx, timestamp);
			if (type && KNOWN_NATIVE_TYPES.has(type)) return {message};
			return {message, unknownType: type ?? '(no type)'};
		}
	}
}

/** The best title: the user's own name for it, then Claude's, then the first real prompt. */
export function claudeTitle(state: ClaudeState): string | undefined {
	const title = state.customTitle ?? state.aiTitle ?? state.summaryTitle ?? state.agentName ?? state.firstPrompt ?? state.firstAgentPrompt;
	if (!title) return undefined;
	const flat = title.replace(/\s+/g, ' ').trim();
	return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
