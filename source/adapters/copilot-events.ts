/**
 * Copilot CLI `events.jsonl` events → canonical messages. Conversation events become messages;
 * session bookkeeping events become `is_meta` system messages carrying the raw event (so nothing is
 * dropped); events of unknown type, or of a known type whose payload lacks what we rely on, are kept
 * as `native_record` messages and counted. What must survive between incremental reads (current
 * model, interaction, which tool calls were seen, session fields) lives in a serialisable state.
 */
import type {ContentBlock, ImageBlock, Message, StopReason, TokenUsage} from '../engine/types.js';
import {stableHash} from './jsonl.js';
import {parseNativeJson} from './json-depth.js';
import {addCount, dictionary} from './counts.js';
import {nativeString} from './native-text.js';
import {isIsoTimestamp} from './timestamps.js';

export type CopilotFields = {
	sessionId?: string;
	copilotVersion?: string;
	producer?: string;
	startTime?: string;
	lastTimestamp?: string;
	model?: string;
	reasoningEffort?: string;
	context: Record<string, unknown>;
	/** Per-segment `session.shutdown` model metrics (each resume → exit writes one). */
	shutdowns: Array<Record<string, unknown>>;
	eventCounts: Record<string, number>;
	/** From the system prompt: `copilot -p` tells the model it runs "in non-interactive mode". */
	headless?: boolean;
};

export type CopilotState = {
	fields: CopilotFields;
	/** Last canonical msg_id: the parent of the next message (a truncated log re-read hangs new messages off the right place). */
	head: string | null;
	interactionId?: string;
	turnId?: string;
	/** Tool call ids for which a tool_use block was emitted. */
	toolUses: Record<string, true>;
	/** `tool.execution_start` / `tool.user_requested` data waiting for the matching completion. */
	pendingStarts: Record<string, Record<string, unknown>>;
	lastReasoning?: {text: string; msgId: string};
	/** `session.usage_record` usage by apiCallId, waiting for the assistant.message of the same API call. */
	pendingUsage: Record<string, Record<string, unknown>>;
};

export function emptyCopilotState(): CopilotState {
	return {fields: {context: {}, shutdowns: [], eventCounts: dictionary()}, head: null, toolUses: dictionary(), pendingStarts: dictionary(), pendingUsage: dictionary()};
}

/** A state kept from the previous read (parsed from JSON), with its id-keyed maps as dictionaries again. */
export function restoredCopilotState<State extends CopilotState>(state: State): State {
	const fields = {...state.fields, eventCounts: dictionary(state.fields.eventCounts)};
	return {...state, fields, toolUses: dictionary(state.toolUses), pendingStarts: dictionary(state.pendingStarts), pendingUsage: dictionary(state.pendingUsage)};
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/** Known event types that are session bookkeeping: kept as meta messages with the raw event. */
const META_TYPES = new Set([
	'session.info', 'session.warning', 'session.error', 'session.resume', 'session.shutdown', 'session.usage_checkpoint',
	'session.model_change', 'session.mode_changed', 'session.context_changed', 'session.compaction_start', 'session.compaction_complete',
	'session.truncation', 'session.context_cleared', 'session.handoff', 'session.task_complete', 'session.plan_changed',
	'session.workspace_file_changed', 'session.binary_asset', 'session.auto_mode_resolved', 'session.autopilot_objective_changed',
	'session.session_limits_changed', 'session.permissions_changed', 'session.remote_steerable_changed', 'session.canvas.recorded',
	'session.canvas.removed', 'system.notification', 'abort', 'subagent.started', 'subagent.completed', 'subagent.failed',
	'subagent.selected', 'subagent.deselected', 'skill.invoked', 'hook.start', 'hook.end', 'permission.requested',
	'permission.completed', 'external_tool.requested', 'external_tool.completed', 'tool_search.activated',
]);

/** What each type we interpret must carry; a payload without it is format drift and kept raw. */
const REQUIRED: Record<string, (data: Record<string, unknown>) => boolean> = {
	'session.start': data => typeof data.sessionId === 'string',
	'user.message': data => typeof data.content === 'string',
	'assistant.message': data => typeof data.content === 'string' || Array.isArray(data.toolRequests),
	'assistant.reasoning': data => typeof data.content === 'string',
	'tool.execution_start': data => typeof data.toolCallId === 'string' && typeof data.toolName === 'string',
	'tool.user_requested': data => typeof data.toolCallId === 'string' && typeof data.toolName === 'string',
	'tool.execution_complete': data => typeof data.toolCallId === 'string' && typeof data.success === 'boolean',
	'session.model_change': data => typeof data.newModel === 'string',
	'session.shutdown': data => typeof data.shutdownType === 'string',
	'session.truncation': data => typeof data.tokenLimit === 'number',
	'session.compaction_complete': data => typeof data.success === 'boolean',
	'session.usage_record': data => isObject(data.usage),
};

export function providerForModel(model: string | undefined): string | undefined {
	if (!model) return undefined;
	if (/claude|anthropic/i.test(model)) return 'anthropic';
	if (/^(gpt|o\d|codex|chatgpt)/i.test(model)) return 'openai';
	if (/gemini/i.test(model)) return 'google';
	return undefined;
}

function stringOf(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Tool arguments arrive as an object or (some builds) a JSON string. */
function toolInput(value: unknown): {input: Record<string, unknown>; raw?: unknown} {
	if (isObject(value)) return {input: value};
	if (typeof value === 'string') {
		try {
			const parsed = parseNativeJson(value);
			if (isObject(parsed)) return {input: parsed};
		} catch {
			// fall through: keep the raw string
		}
	}

	return value === undefined || value === null ? {input: {}} : {input: {}, raw: value};
}

export class CopilotAssembler {
	readonly unknownRecords: Record<string, number> = {};
	recordsParsed = 0;
	readonly messages: Message[] = [];

	constructor(
		private readonly state: CopilotState,
		private readonly fallbackTime: string,
	) {}

	get fields(): CopilotFields {
		return this.state.fields;
	}

	addEvent(event: unknown, offset: number): void {
		this.recordsParsed++;
		if (!isObject(event) || typeof event.type !== 'string') {
			this.keepRaw(event, offset, isObject(event) ? '(no type)' : event === null ? 'null' : Array.isArray(event) ? 'array' : typeof event);
			return;
		}

		const {type} = event;
		const data = isObject(event.data) ? event.data : {};
		const fields = this.state.fields;
		addCount(fields.eventCounts, type);
		const timestamp = this.timestamp(event.timestamp);
		// Own entries only: an event type "hasOwnProperty" would call Object.prototype's (it throws, and the session was skipped).
		const check = Object.hasOwn(REQUIRED, type) ? REQUIRED[type] : undefined;
		if (check && !check(data)) {
			this.keepRaw(event, offset, type);
			return;
		}

		switch (type) {
			case 'session.start': {
				this.takeSessionStart(data);
				break;
			}

			case 'assistant.turn_start': {
				this.state.turnId = stringOf(data.turnId) ?? this.state.turnId;
				this.state.interactionId = stringOf(data.interactionId) ?? this.state.interactionId;
				if (stringOf(data.model)) fields.model = data.model as string;
				break;
			}

			case 'assistant.turn_end': {
				break;
			}

			case 'session.usage_record': {
				const usage = data.usage as Record<string, unknown>;
				if (stringOf(usage.apiCallId)) {
					this.state.pendingUsage[usage.apiCallId as string] = {...usage, event_id: event.id};
					if (stringOf(usage.model)) fields.model = usage.model as string;
				} else {
					this.metaEvent(event, data, offset, timestamp);
				}

				break;
			}

			case 'system.message': {
				if (typeof data.content === 'string' && data.role !== 'developer') fields.headless = /\bnon-interactive mode\b/.test(data.content);
				this.push(event, offset, {role: data.role === 'developer' ? 'developer' : 'system', content: [{type: 'text', text: typeof data.content === 'string' ? data.content : JSON.stringify(data.content ?? '')}], timestamp, is_meta: true}, data, ['content', 'role']);
				break;
			}

			case 'user.message': {
				this.userMessage(event, data, offset, timestamp);
				break;
			}

			case 'assistant.reasoning': {
				const message = this.push(event, offset, {role: 'assistant', content: [{type: 'thinking', text: data.content as string}], timestamp}, data, ['content']);
				this.state.lastReasoning = {text: data.content as string, msgId: message.msg_id};
				break;
			}

			case 'assistant.message': {
				this.assistantMessage(event, data, offset, timestamp);
				break;
			}

			case 'tool.execution_start':
			case 'tool.user_requested': {
				this.state.pendingStarts[data.toolCallId as string] = {...data, event: type};
				break;
			}

			case 'tool.execution_complete': {
				this.toolComplete(event, data, offset, timestamp);
				break;
			}

			default: {
				if (META_TYPES.has(type) || type.startsWith('session.schedule_')) this.metaEvent(event, data, offset, timestamp);
				else this.keepRaw(event, offset, type);
			}
		}
	}

	private timestamp(value: unknown): string {
		if (isIsoTimestamp(value)) {
			this.state.fields.lastTimestamp = value;
			return value;
		}

		return this.state.fields.lastTimestamp ?? this.state.fields.startTime ?? this.fallbackTime;
	}

	private msgId(event: Record<string, unknown>, offset: number): string {
		return typeof event.id === 'string' && UUID.test(event.id) ? event.id : stableHash(this.state.fields.sessionId ?? '', offset, JSON.stringify(event));
	}

	/** Appends a message, linking it to the previous one; raw-event leftovers go to metadata. */
	private push(event: Record<string, unknown>, offset: number, message: Omit<Message, 'msg_id'>, data: Record<string, unknown>, consumed: string[], msgId?: string): Message {
		const full: Message = {msg_id: msgId ?? this.msgId(event, offset), parent_msg_id: this.state.head, ...message};
		const agentId = stringOf(event.agentId) ?? stringOf(data.parentToolCallId);
		if (agentId) {
			full.is_sidechain = true;
			full.agent_id = agentId;
		}

		const leftover = Object.fromEntries(Object.entries(data).filter(([key]) => !consumed.includes(key)));
		const metadata: Record<string, unknown> = {...full.metadata, copilot_event_type: event.type};
		if (typeof event.id === 'string' && event.id !== full.msg_id) metadata.native_id = event.id;
		if (typeof event.timestamp === 'string' && event.timestamp !== full.timestamp) metadata.native_timestamp = event.timestamp;
		if (Object.keys(leftover).length > 0) metadata.copilot = leftover;
		const envelopeExtras = Object.fromEntries(Object.entries(event).filter(([key]) => !['type', 'data', 'id', 'timestamp', 'parentId', 'agentId'].includes(key)));
		if (Object.keys(envelopeExtras).length > 0) metadata.copilot_envelope = envelopeExtras;
		full.metadata = metadata;
		if (full.content.length === 0) full.content = [{type: 'text', text: ''}];
		this.messages.push(full);
		this.state.head = full.msg_id;
		return full;
	}

	private keepRaw(event: unknown, offset: number, kind: string): void {
		addCount(this.unknownRecords, kind);
		const record = isObject(event) ? event : {value: event};
		const message: Message = {
			msg_id: isObject(event) ? this.msgId(event, offset) : stableHash(this.state.fields.sessionId ?? '', offset, JSON.stringify(event) ?? ''),
			parent_msg_id: this.state.head,
			role: 'system',
			content: [{type: 'native_record', record: event}],
			timestamp: this.timestamp(record.timestamp),
			is_meta: true,
		};
		this.messages.push(message);
		this.state.head = message.msg_id;
	}

	private takeSessionStart(data: Record<string, unknown>): void {
		const fields = this.state.fields;
		fields.sessionId = stringOf(data.sessionId) ?? fields.sessionId;
		fields.copilotVersion = stringOf(data.copilotVersion) ?? fields.copilotVersion;
		fields.producer = stringOf(data.producer) ?? fields.producer;
		fields.startTime = isIsoTimestamp(data.startTime) ? data.startTime : fields.startTime;
		if (stringOf(data.selectedModel)) fields.model = data.selectedModel as string;
		if (stringOf(data.reasoningEffort)) fields.reasoningEffort = data.reasoningEffort as string;
		if (isObject(data.context)) fields.context = {...fields.context, ...data.context};
		const rest = Object.fromEntries(Object.entries(data).filter(([key]) => !['sessionId', 'copilotVersion', 'producer', 'startTime', 'selectedModel', 'reasoningEffort', 'context'].includes(key)));
		if (Object.keys(rest).length > 0) fields.context = {...fields.context, start: rest};
	}

	private userMessage(event: Record<string, unknown>, data: Record<string, unknown>, offset: number, timestamp: string): void {
		this.state.interactionId = stringOf(data.interactionId) ?? this.state.interactionId;
		const content: ContentBlock[] = [];
		if ((data.content as string).length > 0) content.push({type: 'text', text: data.content as string});
		const attachments = Array.isArray(data.attachments) ? data.attachments.filter(isObject) : [];
		for (const attachment of attachments) {
			const image = attachmentImage(attachment);
			if (image) content.push(image);
		}

		const consumed = ['content', ...(data.transformedContent === data.content ? ['transformedContent'] : []), ...(attachments.length === 0 ? ['attachments'] : [])];
		// Hidden injections (`skill-<name>`) are not something the user typed.
		const hidden = typeof data.source === 'string' && data.source.startsWith('skill-');
		this.push(event, offset, {role: 'user', content, timestamp, turn_id: this.state.interactionId ?? null, ...(hidden ? {is_meta: true} : {})}, data, consumed);
	}

	private assistantMessage(event: Record<string, unknown>, data: Record<string, unknown>, offset: number, timestamp: string): void {
		const fields = this.state.fields;
		const content: ContentBlock[] = [];
		const consumed = ['content', 'toolRequests', 'model', 'outputTokens', 'reasoningText', 'reasoningOpaque'];
		const metadata: Record<string, unknown> = {};
		const reasoning = stringOf(data.reasoningText);
		const opaque = stringOf(data.reasoningOpaque);
		const reasoningBlocks = isObject(data.reasoningBlocks) && Array.isArray(data.reasoningBlocks.blocks) ? data.reasoningBlocks.blocks.filter(isObject) : [];
		if (reasoning && this.state.lastReasoning?.text === reasoning) {
			// The same reasoning was already captured from its own `assistant.reasoning` event.
			metadata.reasoning_msg_id = this.state.lastReasoning.msgId;
			if (opaque) metadata.reasoning_signature = opaque;
		} else if (reasoningBlocks.length > 0) {
			// Provider-native blocks (Anthropic thinking with signature, redacted thinking) are the most faithful form.
			for (const block of reasoningBlocks) {
				if (block.type === 'thinking') content.push({type: 'thinking', text: typeof block.thinking === 'string' ? block.thinking : '', signature: stringOf(block.signature) ?? null});
				else if (block.type === 'redacted_thinking') content.push({type: 'thinking', text: '', signature: stringOf(block.data) ?? null, redacted: true});
				else content.push({type: 'copilot_reasoning_block', ...block});
			}

			consumed.push('reasoningBlocks');
			metadata.reasoning_provider = (data.reasoningBlocks as Record<string, unknown>).provider;
		} else if (reasoning) {
			content.push({type: 'thinking', text: reasoning, signature: opaque ?? null});
		} else if (opaque) {
			content.push({type: 'thinking', text: '', signature: opaque, redacted: true});
		}

		this.state.lastReasoning = undefined;
		if (typeof data.content === 'string' && data.content.length > 0) content.push({type: 'text', text: data.content});

		const requests = Array.isArray(data.toolRequests) ? data.toolRequests.filter(isObject) : [];
		const requestExtras: Array<Record<string, unknown>> = [];
		requests.forEach((request, index) => {
			const callId = stringOf(request.toolCallId) ?? `${this.msgId(event, offset)}:call:${index}`;
			const {input, raw} = toolInput(request.arguments);
			content.push({type: 'tool_use', tool_use_id: callId, name: stringOf(request.name) ?? 'unknown', input});
			this.state.toolUses[callId] = true;
			const extras = Object.fromEntries(Object.entries(request).filter(([key]) => key !== 'toolCallId' && key !== 'name' && key !== 'arguments'));
			if (raw !== undefined || typeof request.arguments === 'string') extras.arguments = request.arguments;
			requestExtras.push(extras);
		});
		if (requestExtras.some(extras => Object.keys(extras).length > 0)) metadata.tool_requests = requestExtras;

		const apiCallId = stringOf(data.apiCallId);
		const usageRecord = apiCallId ? this.state.pendingUsage[apiCallId] : undefined;
		if (apiCallId) delete this.state.pendingUsage[apiCallId];
		if (usageRecord) metadata.usage_record = usageRecord;
		const model = stringOf(data.model) ?? stringOf(usageRecord?.model) ?? fields.model;
		if (model) fields.model = model;
		const stopReason: StopReason | undefined = finishReason(usageRecord?.finishReason) ?? (requests.length > 0 ? 'tool_use' : content.some(block => block.type === 'text') ? 'end_turn' : undefined);
		const message: Omit<Message, 'msg_id'> = {role: 'assistant', content, timestamp, turn_id: stringOf(data.interactionId) ?? this.state.interactionId ?? null};
		if (model) message.model = model;
		const provider = stringOf(usageRecord?.modelProvider) ?? providerForModel(model);
		if (provider) message.provider = provider;
		if (stopReason) message.stop_reason = stopReason;
		const usage = usageRecord ? recordUsage(usageRecord) : {};
		if (usage.output_tokens === undefined && typeof data.outputTokens === 'number' && Number.isInteger(data.outputTokens) && data.outputTokens >= 0) usage.output_tokens = data.outputTokens;
		if (Object.keys(usage).length > 0) message.usage = usage;
		if (Object.keys(metadata).length > 0) message.metadata = metadata;
		this.push(event, offset, message, data, consumed);
	}

	private toolComplete(event: Record<string, unknown>, data: Record<string, unknown>, offset: number, timestamp: string): void {
		const callId = data.toolCallId as string;
		const start = this.state.pendingStarts[callId];
		delete this.state.pendingStarts[callId];
		if (!this.state.toolUses[callId] && start) {
			// Executed without an assistant tool request on record (user-requested tools, reordered logs).
			const {input} = toolInput(start.arguments);
			this.push(event, offset, {role: 'assistant', content: [{type: 'tool_use', tool_use_id: callId, name: stringOf(start.toolName) ?? 'unknown', input}], timestamp, metadata: {synthesized_from: start.event}}, {}, [], stableHash(this.msgId(event, offset), 'tool_use'));
			this.state.toolUses[callId] = true;
		}

		const result = isObject(data.result) ? data.result : undefined;
		const error = isObject(data.error) ? data.error : undefined;
		const contents = Array.isArray(result?.contents) ? result.contents.filter(isObject) : [];
		let text = typeof result?.content === 'string' ? result.content : '';
		if (text.length === 0) text = contents.filter(item => (item.type === 'text' || item.type === 'terminal') && typeof item.text === 'string').map(item => item.text as string).join('\n');
		if (text.length === 0 && typeof error?.message === 'string') text = error.message;

		const block: ContentBlock = {type: 'tool_result', tool_use_id: callId, content: text};
		if (data.success === false) block.is_error = true;
		const exit = contents.find(item => item.type === 'shell_exit') ?? contents.find(item => item.type === 'terminal');
		const exitCode = isObject(data.shellExecution) ? data.shellExecution.exitCode : exit?.exitCode;
		if (typeof exitCode === 'number' && Number.isInteger(exitCode)) block.exit_code = exitCode;
		const telemetry = isObject(data.toolTelemetry) && isObject(data.toolTelemetry.metrics) ? data.toolTelemetry.metrics : undefined;
		if (typeof telemetry?.durationMs === 'number') block.duration_ms = telemetry.durationMs;

		const images = contents.map(item => (item.type === 'image' ? mediaImage(item.mimeType, item.data) : undefined)).filter((image): image is ImageBlock => Boolean(image));
		const metadata: Record<string, unknown> = {};
		if (start) metadata.execution_start = start;
		if (!this.state.toolUses[callId]) metadata.orphan_result = true;
		const consumed = ['toolCallId', 'success', ...(result && Object.keys(result).every(key => key === 'content' || (key === 'detailedContent' && (result.detailedContent === null || result.detailedContent === result.content))) ? ['result'] : [])];
		this.push(event, offset, {role: 'tool', content: [block, ...images], timestamp, turn_id: this.state.interactionId ?? null, metadata}, data, consumed);
	}

	private metaEvent(event: Record<string, unknown>, data: Record<string, unknown>, offset: number, timestamp: string): void {
		const type = event.type as string;
		const fields = this.state.fields;
		if (type === 'session.model_change') fields.model = data.newModel as string;
		if ((type === 'session.model_change' || type === 'session.resume') && stringOf(data.reasoningEffort)) fields.reasoningEffort = data.reasoningEffort as string;
		if (type === 'session.resume' && stringOf(data.selectedModel)) fields.model = data.selectedModel as string;
		if (type === 'session.context_changed') fields.context = {...fields.context, ...data};
		if (type === 'session.resume' && isObject(data.context)) fields.context = {...fields.context, ...data.context};
		if (type === 'session.shutdown') {
			fields.shutdowns.push(data);
			if (stringOf(data.currentModel)) fields.model = data.currentModel as string;
		}

		const content: ContentBlock[] = [];
		if (type === 'session.compaction_complete' && typeof data.summaryContent === 'string') {
			content.push({type: 'summary', text: data.summaryContent, summarized_through_msg_id: this.state.head});
		} else if (type === 'session.binary_asset') {
			const image = mediaImage(data.mimeType, data.data);
			if (image) content.push(image);
		}

		if (content.length === 0) content.push({type: 'text', text: describeEvent(type, data)});
		this.push(event, offset, {role: 'system', content, timestamp, is_meta: true}, data, []);
	}
}

/** OpenAI-style finish reasons as Copilot records them in `session.usage_record`. */
function finishReason(value: unknown): StopReason | undefined {
	switch (value) {
		case 'tool_calls':
		case 'tool_use': {
			return 'tool_use';
		}

		case 'stop':
		case 'end_turn': {
			return 'end_turn';
		}

		case 'length':
		case 'max_tokens': {
			return 'max_tokens';
		}

		case 'stop_sequence': {
			return 'stop_sequence';
		}

		default: {
			return undefined;
		}
	}
}

function recordUsage(record: Record<string, unknown>): TokenUsage {
	const usage: TokenUsage = {};
	const take = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined);
	const pairs: Array<[keyof TokenUsage, unknown]> = [
		['input_tokens', record.inputTokens],
		['output_tokens', record.outputTokens],
		['cache_read_tokens', record.cacheReadTokens],
		['cache_write_tokens', record.cacheWriteTokens],
		['reasoning_tokens', record.reasoningTokens],
	];
	for (const [key, value] of pairs) {
		const count = take(value);
		if (count !== undefined) usage[key] = count;
	}

	return usage;
}

function mediaImage(mimeType: unknown, data: unknown): ImageBlock | undefined {
	if (typeof mimeType !== 'string' || !mimeType.startsWith('image/') || typeof data !== 'string' || data.length === 0) return undefined;
	return {type: 'image', source: {type: 'base64', data, media_type: mimeType}};
}

function attachmentImage(attachment: Record<string, unknown>): ImageBlock | undefined {
	if (attachment.type === 'blob') return mediaImage(attachment.mimeType, attachment.data);
	if (attachment.type === 'file' && typeof attachment.mimeType === 'string' && attachment.mimeType.startsWith('image/') && typeof attachment.path === 'string') {
		return {type: 'image', source: {type: 'path', data: attachment.path, media_type: attachment.mimeType}};
	}

	return undefined;
}

/** One readable line for a bookkeeping event, so it shows up in search and transcripts. */
function describeEvent(type: string, data: Record<string, unknown>): string {
	const message = stringOf(data.message) ?? stringOf(data.content);
	if (message) return `${type}: ${message}`;
	switch (type) {
		case 'session.model_change': {
			return `${type}: ${stringOf(data.previousModel) ?? '?'} → ${nativeString(data.newModel)}`;
		}

		case 'session.shutdown': {
			return `${type}: ${nativeString(data.shutdownType)}`;
		}

		case 'abort': {
			return `${type}: ${nativeString(data.reason ?? '')}`;
		}

		case 'session.mode_changed': {
			return `${type}: ${nativeString(data.previousMode ?? '?')} → ${nativeString(data.newMode ?? '?')}`;
		}

		default: {
			const name = stringOf(data.agentDisplayName) ?? stringOf(data.agentName) ?? stringOf(data.name) ?? stringOf(data.hookType) ?? stringOf(data.infoType);
			return name ? `${type}: ${name}` : type;
		}
	}
}
