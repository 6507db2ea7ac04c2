/**
 * The Codex read loop: rollout lines in order → `.sfs` messages, with the session facts carried in a
 * JSON-serialisable state so the next incremental read continues where this one stopped.
 */
import type {ContentBlock, Message} from '../engine/types.js';
import {codexSessionInfo} from './codex-info.js';
import {imageFromUrl, isoTimestamp, isRecord, looksInjected, mapCodexUsage, mapMessageContent, mapReasoning, mapToolOutput, parseArguments, recordType, str, typedByUser} from './codex-items.js';
import {cutDeepNesting, cutWarning} from './json-depth.js';
import {type JsonlLine, stableHash} from './jsonl.js';
import type {SessionInfo} from './types.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

/** What a response item and its UI event twin are paired by: the speaker (or reasoning part) and the text. */
type Role = 'user' | 'assistant' | 'reasoning' | 'reasoning_raw';
/** A user/assistant text seen on one side (response item or event) and not yet matched by the other. */
type Unmatched = {role: Role; key: string; side: 'response' | 'event'};

export type CodexState = {
	meta?: Record<string, unknown>;
	model?: string;
	cwd?: string;
	effort?: string;
	turnId?: string;
	threadName?: string;
	/** The first user_message event's text. */
	firstPrompt?: string;
	/** The first user response item's text, for rollouts without events. */
	firstItemPrompt?: string;
	createdAt?: string;
	updatedAt?: string;
	totalUsage?: unknown;
	contextWindow?: number;
	approvalPolicy?: unknown;
	sandboxPolicy?: unknown;
	parentThreadId?: string;
	legacy?: boolean;
	/** File names of a thread that a rewind continued in new rollouts, oldest first. */
	rolloutFiles?: string[];
	/** Unmatched texts at the end of the previous read (a pair can straddle two reads). */
	recent?: Unmatched[];
};

const KNOWN_EVENTS = new Set([
	'task_started',
	'task_complete',
	'turn_started',
	'turn_complete',
	'context_compacted',
	'entered_review_mode',
	'exited_review_mode',
	'thread_rolled_back',
	'undo_completed',
	'turn_aborted',
	'image_generation_end',
	'injected_message',
	'item_completed',
	'error',
	'exec_command_end',
	'patch_apply_end',
	'mcp_tool_call_end',
	'web_search_end',
	'view_image_tool_call',
	'collab_tool_call',
	'plan_update',
	'stream_error',
	'warning',
	// Seen in the recorded real Codex 0.169.0 (test/fixtures/recorded/codex).
	'thread_settings_applied',
]);

/** Top-level rollout item types that are understood but carry no conversation; kept as native records. */
const KNOWN_LINE_TYPES = new Set(['world_state', 'token_usage_record', 'inter_agent_communication', 'inter_agent_communication_metadata', 'rollout_reference']);

const KNOWN_ITEMS = new Set(['compaction', 'compaction_summary', 'ghost_snapshot', 'tool_search_call', 'tool_search_output', 'image_generation_call']);
const RESPONSE_ITEM_TYPES = new Set([
	'message',
	'reasoning',
	'function_call',
	'function_call_output',
	'custom_tool_call',
	'custom_tool_call_output',
	'local_shell_call',
	'web_search_call',
	...KNOWN_ITEMS,
]);
const MAX_LINE_WARNINGS = 20;
const RECENT_LIMIT = 16;

export class CodexReader {
	readonly state: CodexState;
	readonly warnings: string[] = [];
	readonly unknownRecords: Record<string, number> = {};
	recordsParsed = 0;
	private readonly out: Array<Message | undefined> = [];
	private readonly pending: Array<Unmatched & {index: number; lineIndex: number; typedByUser?: boolean}> = [];
	private readonly userEventLines: number[] = [];
	private lastAssistant: number | undefined;
	/** Exit code and duration of finished commands (item_completed CommandExecution), by call id. */
	private readonly commandFacts = new Map<string, {exit_code?: number; duration_ms?: number}>();
	private lineIndex = 0;
	private badLines = 0;

	private fileName = '';
	private stem = '';

	constructor(
		private readonly nativeId: string,
		previous: CodexState | undefined,
		private readonly fallbackTime: string,
	) {
		this.state = previous ? {...previous, recent: Array.isArray(previous.recent) ? [...previous.recent] : []} : {recent: []};
	}

	/** The rollout file the next lines come from (a thread continued after a rewind spans several). */
	file(fileName: string, stem: string): void {
		this.fileName = fileName;
		this.stem = stem;
	}

	line(line: JsonlLine): void {
		this.recordsParsed++;
		this.lineIndex++;
		let value: unknown;
		try {
			value = JSON.parse(line.text);
		} catch {
			this.bad(`line ${line.lineNumber}: invalid JSON, skipped`);
			return;
		}

		if (!isRecord(value)) {
			this.bad(`line ${line.lineNumber}: not a JSON object, skipped`);
			return;
		}

		const cut = cutDeepNesting(value);
		if (cut > 0) this.bad(cutWarning(`line ${line.lineNumber}`, cut));

		const id = (suffix = '') => stableHash(this.nativeId, this.stem, line.offset, line.text) + suffix;
		const isEnvelope = typeof value.type === 'string' && 'payload' in value;
		if (isEnvelope) {
			const timestamp = isoTimestamp(value.timestamp);
			if (timestamp) {
				this.state.createdAt ??= timestamp;
				this.state.updatedAt = timestamp;
			}

			const before = this.out.length;
			this.envelope(value, id, timestamp ?? this.state.updatedAt ?? this.fallbackTime);
			// Envelope fields beside the payload (ordinal, metadata{history_sequence…} in 0.16x) stay with the message.
			const envelopeExtra: Record<string, unknown> = {};
			for (const [key, field] of Object.entries(value)) if (!['timestamp', 'type', 'payload'].includes(key)) envelopeExtra[key] = field;
			if (Object.keys(envelopeExtra).length > 0) {
				for (const message of this.out.slice(before)) {
					if (message && !message.content.some(block => block.type === 'native_record')) message.metadata = {...message.metadata, envelope: envelopeExtra};
				}
			}

			return;
		}

		// Pre-envelope rollouts (≤ mid-2025): a first line {id, timestamp, instructions}, then bare items.
		const timestamp = this.state.updatedAt ?? this.fallbackTime;
		if (typeof value.type === 'string' && RESPONSE_ITEM_TYPES.has(value.type)) {
			this.responseItem(value, id, timestamp, value);
		} else if (value.record_type !== undefined) {
			this.push(this.nativeRecord(value, id(), timestamp));
		} else if (typeof value.id === 'string' && value.type === undefined && this.out.length === 0 && !this.state.meta) {
			this.state.legacy = true;
			this.sessionMeta(value, id, isoTimestamp(value.timestamp) ?? timestamp, value);
		} else {
			this.unknown(nativeString(value.type ?? '(no type)'));
			this.push(this.nativeRecord(value, id(), timestamp));
		}
	}

	private bad(warning: string): void {
		this.badLines++;
		if (this.badLines <= MAX_LINE_WARNINGS) this.warnings.push(`${this.fileName}: ${warning}`);
	}

	private unknown(type: string): void {
		addCount(this.unknownRecords, type);
	}

	private push(message: Message): number {
		if (this.state.turnId && message.turn_id === undefined) message.turn_id = this.state.turnId;
		this.out.push(message);
		return this.out.length - 1;
	}

	private nativeRecord(record: Record<string, unknown>, msgId: string, timestamp: string): Message {
		return {
			msg_id: msgId,
			role: 'system',
			content: [{type: 'native_record', record}],
			timestamp,
			is_meta: true,
			metadata: {record_type: recordType(record)},
		};
	}

	private envelope(line: Record<string, unknown>, id: (suffix?: string) => string, timestamp: string): void {
		const payload = isRecord(line.payload) ? line.payload : {};
		switch (line.type) {
			case 'session_meta': {
				this.sessionMeta(payload, id, timestamp, line);
				return;
			}

			case 'turn_context': {
				this.state.model = str(payload.model) ?? this.state.model;
				this.state.cwd = str(payload.cwd) ?? this.state.cwd;
				const collaboration = isRecord(payload.collaboration_mode) ? payload.collaboration_mode : {};
				const settings = isRecord(collaboration.settings) ? collaboration.settings : collaboration;
				this.state.effort = str(payload.effort) ?? str(settings.reasoning_effort) ?? this.state.effort;
				this.state.turnId = str(payload.turn_id) ?? this.state.turnId;
				if (payload.approval_policy !== undefined) this.state.approvalPolicy = payload.approval_policy;
				if (payload.sandbox_policy !== undefined) this.state.sandboxPolicy = payload.sandbox_policy;
				return;
			}

			case 'response_item': {
				this.responseItem(payload, id, timestamp, line);
				return;
			}

			case 'event_msg': {
				this.event(payload, id, timestamp, line);
				return;
			}

			case 'compacted': {
				const text = str(payload.message) ?? '';
				const metadata: Record<string, unknown> = {record_type: 'compacted'};
				for (const [key, value] of Object.entries(payload)) if (key !== 'message') metadata[key] = value;
				this.push({msg_id: id(), role: 'system', content: [{type: 'summary', text, summarized_through_msg_id: null}], timestamp, is_meta: true, metadata});
				return;
			}

			default: {
				if (!KNOWN_LINE_TYPES.has(nativeString(line.type))) this.unknown(nativeString(line.type));
				this.push(this.nativeRecord(line, id(), timestamp));
			}
		}
	}

	private sessionMeta(payload: Record<string, unknown>, id: (suffix?: string) => string, timestamp: string, line: Record<string, unknown>): void {
		const {base_instructions: baseInstructions, instructions, ...rest} = payload;
		// The first session_meta is canonical; forks copy their parent's after it.
		if (!this.state.meta) {
			this.state.meta = rest;
			this.state.cwd ??= str(payload.cwd);
			this.state.createdAt = isoTimestamp(payload.timestamp) ?? this.state.createdAt ?? timestamp;
			this.state.updatedAt ??= this.state.createdAt;
			const source = payload.source;
			if (isRecord(source) && isRecord(source.subagent) && isRecord(source.subagent.thread_spawn)) {
				this.state.parentThreadId = str(source.subagent.thread_spawn.parent_thread_id);
			}

			this.state.parentThreadId ??= str(payload.parent_thread_id);
		}

		const text = isRecord(baseInstructions) ? str(baseInstructions.text) : str(baseInstructions) ?? str(instructions);
		const content: ContentBlock[] = text ? [{type: 'text', text}] : [{type: 'native_record', record: line}];
		this.push({msg_id: id(), role: 'system', content, timestamp, is_meta: true, metadata: {record_type: 'session_meta', session_meta: rest}});
	}

	private assistantMessage(msgId: string, timestamp: string, content: ContentBlock[], metadata: Record<string, unknown>): Message {
		const message: Message = {msg_id: msgId, role: 'assistant', content, timestamp, metadata};
		if (this.state.model) message.model = this.state.model;
		const provider = str(this.state.meta?.model_provider);
		if (provider) message.provider = provider;
		return message;
	}

	private responseItem(payload: Record<string, unknown>, id: (suffix?: string) => string, timestamp: string, line: Record<string, unknown>): void {
		const type = typeof payload.type === 'string' ? payload.type : '(no type)';
		const metadata: Record<string, unknown> = {record_type: `response_item:${type}`};
		const keep = (used: string[]) => {
			for (const [key, value] of Object.entries(payload)) if (!used.includes(key)) metadata[key] = value;
		};

		switch (type) {
			case 'message': {
				this.messageItem(payload, id(), timestamp, metadata);
				return;
			}

			case 'reasoning': {
				const {block, encrypted, summaries, raw} = mapReasoning(payload);
				keep(['type', 'summary', 'content', 'encrypted_content']);
				if (encrypted) metadata.encrypted_content = encrypted;
				const index = this.push(this.assistantMessage(id(), timestamp, [block], metadata));
				this.lastAssistant = index;
				// The item always stays (it holds the encrypted content); its parts replace their event twins.
				for (const part of summaries) this.pairReasoningPart('reasoning', part.trim(), index);
				for (const part of raw) this.pairReasoningPart('reasoning_raw', part.trim(), index);
				return;
			}

			case 'function_call':
			case 'custom_tool_call':
			case 'local_shell_call': {
				const callId = str(payload.call_id) ?? str(payload.id) ?? id('-call');
				let input: Record<string, unknown>;
				if (type === 'function_call') {
					const parsed = parseArguments(payload.arguments);
					input = parsed.input;
					if (parsed.raw !== undefined) metadata.arguments_raw = parsed.raw;
					keep(['type', 'name', 'arguments', 'call_id']);
				} else if (type === 'custom_tool_call') {
					input = {input: payload.input ?? ''};
					keep(['type', 'name', 'input', 'call_id']);
				} else {
					input = isRecord(payload.action) ? payload.action : {action: payload.action};
					keep(['type', 'action', 'call_id']);
				}

				const name = str(payload.name) ?? (type === 'local_shell_call' ? 'local_shell' : 'unknown');
				const block: ContentBlock = {type: 'tool_use', tool_use_id: callId, name, input};
				this.lastAssistant = this.push(this.assistantMessage(id(), timestamp, [block], metadata));
				return;
			}

			case 'web_search_call': {
				const action = isRecord(payload.action) ? payload.action : {};
				keep(['type', 'action']);
				const block: ContentBlock = {type: 'tool_use', tool_use_id: str(payload.id) ?? id('-search'), name: 'web_search', input: action};
				this.lastAssistant = this.push(this.assistantMessage(id(), timestamp, [block], metadata));
				return;
			}

			case 'function_call_output':
			case 'custom_tool_call_output': {
				const callId = str(payload.call_id) ?? 'unknown';
				const mapped = mapToolOutput(callId, payload.output);
				const facts = this.commandFacts.get(callId);
				const result = mapped.blocks[0];
				if (facts && result?.type === 'tool_result') {
					if (result.exit_code === undefined && facts.exit_code !== undefined) result.exit_code = facts.exit_code;
					if (result.duration_ms === undefined && facts.duration_ms !== undefined) result.duration_ms = facts.duration_ms;
					if (result.exit_code !== undefined && result.exit_code !== 0) result.is_error = true;
				}

				if (mapped.structured !== undefined) metadata.output_structured = mapped.structured;
				keep(['type', 'call_id', 'output']);
				this.push({msg_id: id(), role: 'tool', content: mapped.blocks, timestamp, metadata});
				return;
			}

			default: {
				if (!KNOWN_ITEMS.has(type)) this.unknown(`response_item:${type}`);
				this.push(this.nativeRecord(line, id(), timestamp));
			}
		}
	}

	private messageItem(payload: Record<string, unknown>, msgId: string, timestamp: string, metadata: Record<string, unknown>): void {
		const nativeRole = str(payload.role) ?? 'user';
		const mapped = mapMessageContent(payload.content);
		for (const [key, value] of Object.entries(payload)) if (!['type', 'role', 'content'].includes(key)) metadata[key] = value;
		if (mapped.imageMarkers.length > 0) metadata.image_markers = mapped.imageMarkers;
		const content = mapped.blocks.length > 0 ? mapped.blocks : [{type: 'text', text: ''} as ContentBlock];

		if (nativeRole === 'assistant') {
			const message = this.assistantMessage(msgId, timestamp, content, metadata);
			const index = this.push(message);
			this.lastAssistant = index;
			this.pairResponse('assistant', mapped.text, index);
			return;
		}

		const role = nativeRole === 'developer' || nativeRole === 'system' ? nativeRole : 'user';
		const message: Message = {msg_id: msgId, role, content, timestamp, metadata};
		if (role !== 'user') {
			message.is_meta = true;
			this.push(message);
			return;
		}

		if (!typedByUser(payload) && looksInjected(mapped.text)) {
			message.is_meta = true;
			metadata.injected_context = true;
			this.push(message);
			return;
		}

		const index = this.push(message);
		this.pairResponse('user', mapped.text, index);
		if (typedByUser(payload)) {
			const entry = this.pending.find(pending => pending.index === index);
			if (entry) entry.typedByUser = true;
		}
	}

	/** A response message: if its event twin came first, the event's provisional message gives way. */
	private pairResponse(role: Role, key: string, index: number): void {
		const twin = this.pending.findIndex(entry => entry.side === 'event' && entry.role === role && entry.key === key);
		if (twin !== -1) {
			const [entry] = this.pending.splice(twin, 1);
			const provisional = this.out[entry!.index];
			this.out[entry!.index] = undefined;
			if (provisional?.metadata?.event) this.out[index]!.metadata = {...this.out[index]!.metadata, event: provisional.metadata.event};
			return;
		}

		const recent = this.state.recent!.findIndex(entry => entry.side === 'event' && entry.role === role && entry.key === key);
		if (recent !== -1) {
			// Its event twin was already captured as a message by the previous read: keep that one only.
			this.state.recent!.splice(recent, 1);
			if (!this.out[index]!.content.some(block => block.type === 'image')) this.out[index] = undefined;
			return;
		}

		this.pending.push({role, key, side: 'response', index, lineIndex: this.lineIndex});
	}

	private pairReasoningPart(role: Role, key: string, index: number): void {
		const twin = this.pending.findIndex(entry => entry.side === 'event' && entry.role === role && entry.key === key);
		if (twin !== -1) {
			const [entry] = this.pending.splice(twin, 1);
			this.out[entry!.index] = undefined;
			return;
		}

		const recent = this.state.recent!.findIndex(entry => entry.side === 'event' && entry.role === role && entry.key === key);
		if (recent !== -1) {
			this.state.recent!.splice(recent, 1);
			return;
		}

		this.pending.push({role, key, side: 'response', index, lineIndex: this.lineIndex});
	}

	/** agent_reasoning events repeat reasoning parts; one that no reasoning item repeats becomes a thinking message. */
	private reasoningEvent(role: Role, text: string, id: (suffix?: string) => string, timestamp: string, type: string): void {
		const key = text.trim();
		const twin = this.pending.findIndex(entry => entry.side === 'response' && entry.role === role && entry.key === key);
		if (twin !== -1) {
			this.pending.splice(twin, 1);
			return;
		}

		const recent = this.state.recent!.findIndex(entry => entry.side === 'response' && entry.role === role && entry.key === key);
		if (recent !== -1) {
			this.state.recent!.splice(recent, 1);
			return;
		}

		const block: ContentBlock = role === 'reasoning' ? {type: 'thinking', text: '', summary: text, signature: null} : {type: 'thinking', text, signature: null};
		const index = this.push(this.assistantMessage(id(), timestamp, [block], {record_type: `event_msg:${type}`}));
		this.pending.push({role, key, side: 'event', index, lineIndex: this.lineIndex});
	}

	private event(payload: Record<string, unknown>, id: (suffix?: string) => string, timestamp: string, line: Record<string, unknown>): void {
		const type = typeof payload.type === 'string' ? payload.type : '(no type)';
		switch (type) {
			case 'user_message':
			case 'agent_message': {
				const role: Role = type === 'user_message' ? 'user' : 'assistant';
				const text = typeof payload.message === 'string' ? payload.message : '';
				if (role === 'user') {
					this.userEventLines.push(this.lineIndex);
					this.state.firstPrompt ??= text.replace(/^## My request for Codex:\s*/, '').trim() || undefined;
				}

				// The event's images repeat the response item's (or become image blocks below): keep only their count.
				const {message: _message, images: eventImages, ...eventRest} = payload;
				if (Array.isArray(eventImages) && eventImages.length > 0) eventRest.images_count = eventImages.length;
				const key = text.trim();
				const twin = this.pending.findIndex(entry => entry.side === 'response' && entry.role === role && entry.key === key);
				if (twin !== -1) {
					const [entry] = this.pending.splice(twin, 1);
					const target = this.out[entry!.index];
					if (target) target.metadata = {...target.metadata, event: eventRest};
					return;
				}

				const recent = this.state.recent!.findIndex(entry => entry.side === 'response' && entry.role === role && entry.key === key);
				if (recent !== -1) {
					this.state.recent!.splice(recent, 1);
					return;
				}

				// No response item says this (yet): keep it as a message; a twin later in this read replaces it.
				const content: ContentBlock[] = [{type: 'text', text}];
				const images = Array.isArray(payload.images) ? payload.images.filter((image): image is string => typeof image === 'string') : [];
				for (const image of images) content.push(/^(?:data:|https?:)/.test(image) ? imageFromUrl(image) : {type: 'image', source: {type: 'path', data: image}});
				const metadata = {record_type: `event_msg:${type}`, event: eventRest};
				const message: Message =
					role === 'assistant' ? this.assistantMessage(id(), timestamp, content, metadata) : {msg_id: id(), role: 'user', content, timestamp, metadata};
				const index = this.push(message);
				if (role === 'assistant') this.lastAssistant = index;
				this.pending.push({role, key, side: 'event', index, lineIndex: this.lineIndex});
				return;
			}

			case 'agent_reasoning':
			case 'agent_reasoning_raw_content': {
				const text = typeof payload.text === 'string' ? payload.text : typeof payload.message === 'string' ? payload.message : '';
				this.reasoningEvent(type === 'agent_reasoning' ? 'reasoning' : 'reasoning_raw', text, id, timestamp, type);
				return;
			}

			case 'token_count': {
				this.tokenCount(payload, id, timestamp);
				return;
			}

			case 'thread_name_updated': {
				this.state.threadName = str(payload.thread_name) ?? str(payload.name) ?? this.state.threadName;
				this.push(this.nativeRecord(line, id(), timestamp));
				return;
			}

			case 'item_completed': {
				this.itemCompleted(payload);
				this.push(this.nativeRecord(line, id(), timestamp));
				return;
			}

			case 'task_started':
			case 'turn_started': {
				this.state.turnId = str(payload.turn_id) ?? this.state.turnId;
				this.push(this.nativeRecord(line, id(), timestamp));
				return;
			}

			default: {
				if (!KNOWN_EVENTS.has(type)) this.unknown(`event_msg:${type}`);
				this.push(this.nativeRecord(line, id(), timestamp));
			}
		}
	}

	/**
	 * 0.16x reports finished items as `item_completed` events (UserMessage, AgentMessage, Reasoning,
	 * CommandExecution) instead of user_message/agent_message. They repeat response items, so they stay
	 * native records; a user prompt marks the session's first prompt, a command gives its tool result
	 * the exit code and duration.
	 */
	private itemCompleted(payload: Record<string, unknown>): void {
		const item = isRecord(payload.item) ? payload.item : undefined;
		if (!item) return;
		if (item.type === 'UserMessage') {
			const text = Array.isArray(item.content)
				? item.content.flatMap(part => (isRecord(part) && typeof part.text === 'string' ? [part.text] : [])).join('\n').trim()
				: '';
			// The response item it repeats is a real prompt: pair them so it is not taken for injected context.
			const twin = this.pending.findIndex(entry => entry.side === 'response' && entry.role === 'user' && entry.key === text);
			if (twin !== -1) this.pending.splice(twin, 1);
			this.userEventLines.push(this.lineIndex);
			if (text) this.state.firstPrompt ??= text;
		} else if (item.type === 'CommandExecution' && typeof item.id === 'string') {
			const facts: {exit_code?: number; duration_ms?: number} = {};
			if (typeof item.exit_code === 'number') facts.exit_code = item.exit_code;
			const duration = isRecord(item.duration) ? item.duration : undefined;
			if (duration && typeof duration.secs === 'number') facts.duration_ms = duration.secs * 1000 + (typeof duration.nanos === 'number' ? duration.nanos / 1e6 : 0);
			this.commandFacts.set(item.id, facts);
		}
	}

	/** Usage of one model request: on the last assistant message it produced, else on a meta message of its own. */
	private tokenCount(payload: Record<string, unknown>, id: (suffix?: string) => string, timestamp: string): void {
		const info = isRecord(payload.info) ? payload.info : undefined;
		if (!info) return;
		if (info.total_token_usage !== undefined) this.state.totalUsage = info.total_token_usage;
		if (typeof info.model_context_window === 'number') this.state.contextWindow = info.model_context_window;
		const usage = mapCodexUsage(info.last_token_usage);
		if (!usage) return;
		const target = this.lastAssistant === undefined ? undefined : this.out[this.lastAssistant];
		this.lastAssistant = undefined;
		if (target && !target.usage) {
			target.usage = usage;
			target.metadata = {...target.metadata, token_count: info};
			return;
		}

		this.push({
			msg_id: id(),
			role: 'system',
			content: [{type: 'token_count', info}],
			timestamp,
			is_meta: true,
			usage,
			metadata: {record_type: 'event_msg:token_count'},
		});
	}

	/** The messages of this read, in order; remembers unmatched texts for the next read. */
	finish(): Message[] {
		if (this.badLines > MAX_LINE_WARNINGS) this.warnings.push(`${this.badLines - MAX_LINE_WARNINGS} more bad lines skipped`);
		// A user response item no event repeats, followed by a real user prompt, is injected context (AGENTS.md, …).
		for (const entry of this.pending) {
			if (entry.side !== 'response' || entry.role !== 'user' || entry.typedByUser) continue;
			if (!this.userEventLines.some(line => line > entry.lineIndex)) continue;
			const message = this.out[entry.index];
			if (message) {
				message.is_meta = true;
				message.metadata = {...message.metadata, injected_context: true};
			}
		}

		const unmatched = this.pending.filter(entry => !(entry.side === 'response' && entry.role === 'user' && this.out[entry.index]?.is_meta));
		this.state.recent = [...this.state.recent!, ...unmatched.map(({role, key, side}) => ({role, key, side}))].slice(-RECENT_LIMIT);

		const messages = this.out.filter((message): message is Message => message !== undefined);
		// Rollouts without user_message events: the first real user item; an event seen later still wins.
		if (!this.state.firstPrompt && !this.state.firstItemPrompt) {
			for (const message of messages) {
				if (message.role !== 'user' || message.is_meta) continue;
				const text = message.content.find(block => block.type === 'text' && typeof block.text === 'string' && block.text.trim()) as {text: string} | undefined;
				if (text) {
					this.state.firstItemPrompt = text.text.trim();
					break;
				}
			}
		}

		return messages;
	}

	info(): SessionInfo {
		return codexSessionInfo(this.state);
	}
}
