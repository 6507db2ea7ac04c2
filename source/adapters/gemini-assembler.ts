/**
 * Turns Gemini CLI chat records (JSONL lines or the messages of a legacy JSON file) into canonical
 * messages, keeping what it needs between incremental reads in a small serialisable state:
 * - a re-appended message id replaces the earlier message: it is emitted again (same msg_id) only
 *   when its canonical form changed;
 * - `$rewindTo` moves the branch point back, so what follows hangs off the message before the rewound one;
 * - `$set` updates session fields (`messages` in it is a full-history checkpoint: each listed message is
 *   treated like a re-append, nothing captured is removed).
 */
import type {ContentBlock, Message, StopReason, TokenUsage} from '../engine/types.js';
import {stableHash} from './jsonl.js';
import {flattenToolResult, isObject, partsToBlocks, toParts, type GeminiPart} from './gemini-parts.js';
import {addCount, dictionary} from './counts.js';
import {isIsoTimestamp} from './timestamps.js';

export type GeminiSessionFields = {
	sessionId?: string;
	projectHash?: string;
	startTime?: string;
	lastUpdated?: string;
	summary?: string;
	kind?: string;
	directories?: string[];
	model?: string;
	/** Other native session fields (from the metadata line or `$set`). */
	extra: Record<string, unknown>;
};

export type GeminiState = {
	/** msg_id → hash of the canonical message last emitted under it. */
	hashes: Record<string, string>;
	/** Native message ids of the active branch, in order. */
	chain: string[];
	/** Native id → the canonical msg_id just before its first message (its parent). */
	pred: Record<string, string | null>;
	/** Last canonical msg_id of the active branch: the parent of whatever comes next. */
	head: string | null;
	/** Tool call id → msg_id of the message that carries its result (so a result is emitted once). */
	resultOwner: Record<string, string>;
	/** Native id → the last canonical msg_id of its group (every native id ever placed). */
	lastOf: Record<string, string>;
	lastTimestamp?: string;
	fields: GeminiSessionFields;
};

export function emptyGeminiState(): GeminiState {
	return {hashes: dictionary(), chain: [], pred: dictionary(), head: null, resultOwner: dictionary(), lastOf: dictionary(), fields: {extra: {}}};
}

/** A state kept from the previous read (parsed from JSON), with its id-keyed maps as dictionaries again. */
export function restoredGeminiState(state: GeminiState): GeminiState {
	return {...state, hashes: dictionary(state.hashes), pred: dictionary(state.pred), resultOwner: dictionary(state.resultOwner), lastOf: dictionary(state.lastOf)};
}

const MESSAGE_TYPES = new Set(['user', 'gemini', 'info', 'error', 'warning']);
const TERMINAL_STATUSES = new Set(['success', 'error', 'cancelled']);
const KNOWN_MESSAGE_KEYS = new Set(['id', 'timestamp', 'type', 'content', 'displayContent', 'toolCalls', 'thoughts', 'tokens', 'model']);
const KNOWN_SESSION_KEYS = new Set(['sessionId', 'projectHash', 'startTime', 'lastUpdated', 'summary', 'kind', 'directories', 'messages']);

const isTimestamp = isIsoTimestamp;

type Options = {
	/** Fallback timestamp when a record has none (the file's mtime). */
	fallbackTime: string;
	/** Set for subagent transcripts. */
	agentId?: string;
};

type Group = {nativeId: string; messages: Message[]};

export class GeminiAssembler {
	readonly unknownRecords: Record<string, number> = {};
	recordsParsed = 0;
	/** Set by finish() when an id captured by an earlier read came back with new content. */
	revisedEarlier = false;
	private readonly emitted = new Map<string, Message>();

	constructor(
		private readonly state: GeminiState,
		private readonly options: Options,
	) {}

	get fields(): GeminiSessionFields {
		return this.state.fields;
	}

	/** One parsed JSONL line (or one legacy message); `position` makes ids of id-less records deterministic. */
	addRecord(record: unknown, position: number | string): void {
		this.recordsParsed++;
		if (!isObject(record)) {
			this.addUnknown(record, position, record === null ? 'null' : Array.isArray(record) ? 'array' : typeof record);
			return;
		}

		if (typeof record.$rewindTo === 'string') {
			this.rewind(record.$rewindTo);
		} else if (isObject(record.$set)) {
			this.applySet(record.$set, position);
		} else if (typeof record.id === 'string') {
			this.addMessageRecord(record);
		} else if (typeof record.sessionId === 'string') {
			this.applyFields(record);
		} else {
			this.addUnknown(record, position, 'unrecognised line');
		}
	}

	/** The messages that are new or changed since the state's previous read, in order. */
	finish(): Message[] {
		const out: Message[] = [];
		for (const message of this.emitted.values()) {
			const hash = stableHash(JSON.stringify(message)).slice(0, 12);
			const previous = this.state.hashes[message.msg_id];
			if (previous === hash) continue;
			if (previous !== undefined) this.revisedEarlier = true;
			this.state.hashes[message.msg_id] = hash;
			out.push(message);
		}

		this.emitted.clear();
		return out;
	}

	private applyFields(record: Record<string, unknown>): void {
		const fields = this.state.fields;
		for (const [key, value] of Object.entries(record)) {
			if (key === 'messages') continue;
			if (key === 'sessionId' && typeof value === 'string') fields.sessionId = value;
			else if (key === 'projectHash' && typeof value === 'string') fields.projectHash = value;
			else if (key === 'startTime' && typeof value === 'string') fields.startTime ??= value; // a resume appends a new metadata line with the resume time
			else if (key === 'lastUpdated' && typeof value === 'string') fields.lastUpdated = !fields.lastUpdated || value > fields.lastUpdated ? value : fields.lastUpdated;
			else if (key === 'summary' && typeof value === 'string') fields.summary = value;
			else if (key === 'kind' && typeof value === 'string') fields.kind = value;
			else if (key === 'directories' && Array.isArray(value)) fields.directories = value.filter((item): item is string => typeof item === 'string');
			else if (!KNOWN_SESSION_KEYS.has(key) && value !== undefined) fields.extra[key] = value;
		}
	}

	/**
	 * `$set.messages` is a full-history checkpoint. Gemini writes one on start (the `<session_context>` turn)
	 * and on every resume, re-serialising known messages in model-facing form (same ids, thoughts/tokens/
	 * toolCalls folded into parts, new timestamps). Known ids are therefore not re-emitted (the original
	 * records are richer); ids not seen before (context turns, summaries) are placed after their predecessor.
	 */
	private applySet(set: Record<string, unknown>, position: number | string): void {
		this.applyFields(set);
		if (!Array.isArray(set.messages)) return;
		let previous: string | undefined;
		set.messages.forEach((message, index) => {
			if (!isObject(message) || typeof message.id !== 'string') {
				this.addUnknown(message, `${position}:${index}`, 'checkpoint message without id');
				return;
			}

			if (this.state.lastOf[message.id] === undefined) this.addMessageRecord(message, true, previous);
			previous = message.id;
		});
	}

	private rewind(nativeId: string): void {
		const index = this.state.chain.indexOf(nativeId);
		if (index === -1) {
			// Gemini itself clears the whole conversation when the target is unknown.
			this.state.chain = [];
			this.state.pred = dictionary();
			this.state.head = null;
			return;
		}

		this.state.head = this.state.pred[nativeId] ?? null;
		for (const removed of this.state.chain.splice(index)) delete this.state.pred[removed];
	}

	private timestamp(value: unknown): string {
		if (isTimestamp(value)) {
			this.state.lastTimestamp = value;
			return value;
		}

		return this.state.lastTimestamp ?? (isTimestamp(this.state.fields.startTime) ? this.state.fields.startTime : this.options.fallbackTime);
	}

	private addUnknown(record: unknown, position: number | string, kind: string): void {
		addCount(this.unknownRecords, kind);
		const timestamp = this.timestamp(isObject(record) ? record.timestamp : undefined);
		const message: Message = {
			msg_id: stableHash(this.state.fields.sessionId ?? '', position, JSON.stringify(record) ?? ''),
			role: 'system',
			content: [{type: 'native_record', record}],
			timestamp,
			is_meta: true,
		};
		this.place({nativeId: `#${message.msg_id}`, messages: [message]});
	}

	private addMessageRecord(record: Record<string, unknown>, fromCheckpoint = false, after?: string): void {
		const type = typeof record.type === 'string' ? record.type : '(no type)';
		if (!MESSAGE_TYPES.has(type)) {
			addCount(this.unknownRecords, type);
			const message: Message = {
				msg_id: record.id as string,
				role: 'system',
				content: [{type: 'native_record', record}],
				timestamp: this.timestamp(record.timestamp),
				is_meta: true,
			};
			this.place({nativeId: record.id as string, messages: [message]});
			return;
		}

		const group = type === 'gemini' ? this.geminiGroup(record) : type === 'user' ? this.userGroup(record) : this.noticeGroup(record, type);
		if (fromCheckpoint) for (const message of group.messages) message.metadata = {...message.metadata, gemini_history_checkpoint: true};
		this.place(group, after);
	}

	/**
	 * Links a group into the active branch (or replaces it in place when its native id is already there).
	 * `after`: a native id the group follows (history checkpoints), instead of the branch head.
	 */
	private place(group: Group, after?: string): void {
		const {state} = this;
		// `pred` holds exactly the ids of the active branch: an O(1) membership test.
		const known = Object.hasOwn(state.pred, group.nativeId);
		const afterIndex = after === undefined || known ? -1 : state.chain.indexOf(after);
		const insertAfter = !known && afterIndex !== -1 && afterIndex < state.chain.length - 1;
		if (insertAfter) {
			state.pred[group.nativeId] = state.lastOf[after!] ?? null;
			state.chain.splice(afterIndex + 1, 0, group.nativeId);
		} else if (!known) {
			state.pred[group.nativeId] = state.head;
			state.chain.push(group.nativeId);
		}

		let parent = state.pred[group.nativeId] ?? null;
		for (const message of group.messages) {
			message.parent_msg_id = parent;
			if (this.options.agentId) {
				message.is_sidechain = true;
				message.agent_id = this.options.agentId;
			}

			this.emitted.set(message.msg_id, message);
			parent = message.msg_id;
		}

		state.lastOf[group.nativeId] = parent!;
		if (!insertAfter && (!known || state.chain.at(-1) === group.nativeId)) state.head = parent;
	}

	private nativeExtras(record: Record<string, unknown>): Record<string, unknown> | undefined {
		const extras = Object.fromEntries(Object.entries(record).filter(([key]) => !KNOWN_MESSAGE_KEYS.has(key)));
		return Object.keys(extras).length > 0 ? extras : undefined;
	}

	private metadata(record: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, unknown> | undefined {
		const metadata: Record<string, unknown> = {...more};
		if (record.displayContent !== undefined) metadata.gemini_display_content = record.displayContent;
		const extras = this.nativeExtras(record);
		if (extras) metadata.gemini_extra = extras;
		if (typeof record.timestamp === 'string' && !isTimestamp(record.timestamp)) metadata.native_timestamp = record.timestamp;
		return Object.keys(metadata).length > 0 ? metadata : undefined;
	}

	private userGroup(record: Record<string, unknown>): Group {
		const id = record.id as string;
		const timestamp = this.timestamp(record.timestamp);
		const {blocks, functionCalls, functionResponses} = partsToBlocks(toParts(record.content));
		for (const call of functionCalls) blocks.push({type: 'gemini_function_call', ...(call.functionCall as Record<string, unknown>)});

		// Since v0.44 tool responses are also recorded as a synthetic user message of functionResponse parts.
		let role: Message['role'] = 'user';
		let isMeta = false;
		const responseBlocks = functionResponses.map(part => this.responseBlock(part, id));
		if (responseBlocks.length > 0 && blocks.length === 0) role = 'tool';
		blocks.push(...responseBlocks);
		if (responseBlocks.length > 0 && responseBlocks.every(block => block.type !== 'tool_result')) isMeta = true;

		const message: Message = {msg_id: id, role, content: nonEmpty(blocks), timestamp};
		// Context Gemini injects as a user turn (Gemini's own resume list ignores these too).
		const first = blocks[0];
		if (first?.type === 'text' && typeof first.text === 'string' && /^<(session_context|hook_context)>/.test(first.text)) isMeta = true;
		if (isMeta) message.is_meta = true;
		const metadata = this.metadata(record);
		if (metadata) message.metadata = metadata;
		return {nativeId: id, messages: [message]};
	}

	/** A functionResponse part: a tool_result unless the gemini message's toolCalls already carried this result. */
	private responseBlock(part: GeminiPart, ownerId: string): ContentBlock {
		const response = part.functionResponse as Record<string, unknown>;
		const callId = typeof response.id === 'string' ? response.id : undefined;
		const owner = callId ? this.state.resultOwner[callId] : undefined;
		if (!callId || (owner && owner !== ownerId)) return {type: 'gemini_function_response', ...response};
		this.state.resultOwner[callId] = ownerId;
		const {text} = flattenToolResult([part]);
		const block: ContentBlock = {type: 'tool_result', tool_use_id: callId, content: text};
		if (isObject(response.response) && response.response.error !== undefined) block.is_error = true;
		return block;
	}

	private noticeGroup(record: Record<string, unknown>, type: string): Group {
		const id = record.id as string;
		const {blocks} = partsToBlocks(toParts(record.content));
		const message: Message = {
			msg_id: id,
			role: 'system',
			content: nonEmpty(blocks),
			timestamp: this.timestamp(record.timestamp),
			is_meta: true,
			metadata: {...this.metadata(record), gemini_type: type},
		};
		return {nativeId: id, messages: [message]};
	}

	private geminiGroup(record: Record<string, unknown>): Group {
		const id = record.id as string;
		const timestamp = this.timestamp(record.timestamp);
		const content: ContentBlock[] = [];
		const thoughts = Array.isArray(record.thoughts) ? record.thoughts.filter(isObject) : [];
		for (const thought of thoughts) {
			content.push({
				type: 'thinking',
				text: typeof thought.description === 'string' ? thought.description : '',
				summary: typeof thought.subject === 'string' && thought.subject.length > 0 ? thought.subject : null,
			});
		}

		const {blocks, functionCalls, functionResponses} = partsToBlocks(toParts(record.content));
		content.push(...blocks);

		const toolCalls = Array.isArray(record.toolCalls) ? record.toolCalls.filter(isObject) : [];
		const callIds = new Set<string>();
		toolCalls.forEach((call, index) => {
			const callId = typeof call.id === 'string' ? call.id : `${id}:call:${index}`;
			callIds.add(callId);
			content.push({type: 'tool_use', tool_use_id: callId, name: typeof call.name === 'string' ? call.name : 'unknown', input: isObject(call.args) ? call.args : {}});
		});
		functionCalls.forEach((part, index) => {
			const call = part.functionCall as Record<string, unknown>;
			const callId = typeof call.id === 'string' ? call.id : `${id}:fc:${index}`;
			if (callIds.has(callId)) return;
			callIds.add(callId);
			content.push({type: 'tool_use', tool_use_id: callId, name: typeof call.name === 'string' ? call.name : 'unknown', input: isObject(call.args) ? call.args : {}});
		});
		for (const part of functionResponses) content.push({type: 'gemini_function_response', ...(part.functionResponse as Record<string, unknown>)});

		const model = typeof record.model === 'string' ? record.model : undefined;
		if (model) this.state.fields.model = model;
		const message: Message = {msg_id: id, role: 'assistant', content: nonEmpty(content), timestamp, provider: 'google'};
		if (model) message.model = model;
		const stopReason: StopReason | undefined = callIds.size > 0 ? 'tool_use' : blocks.some(block => block.type === 'text') ? 'end_turn' : undefined;
		if (stopReason) message.stop_reason = stopReason;
		const usage = tokensToUsage(record.tokens);
		if (usage) message.usage = usage;
		const metadata = this.metadata(record, {
			...(isObject(record.tokens) ? {gemini_tokens: record.tokens} : {}),
			...(thoughts.some(thought => thought.timestamp !== undefined) ? {gemini_thought_timestamps: thoughts.map(thought => thought.timestamp ?? null)} : {}),
			...(functionCalls.some(part => part.thoughtSignature !== undefined) ? {gemini_function_call_parts: functionCalls} : {}),
		});
		if (metadata) message.metadata = metadata;

		const messages = [message];
		toolCalls.forEach((call, index) => {
			const result = this.toolResultMessage(id, call, index, timestamp);
			if (result) messages.push(result);
		});
		return {nativeId: id, messages};
	}

	private toolResultMessage(ownerNativeId: string, call: Record<string, unknown>, index: number, fallbackTime: string): Message | undefined {
		const callId = typeof call.id === 'string' ? call.id : `${ownerNativeId}:call:${index}`;
		const status = typeof call.status === 'string' ? call.status : undefined;
		const hasResult = call.result !== undefined && call.result !== null;
		if (!hasResult && !(status && TERMINAL_STATUSES.has(status))) return undefined;

		const msgId = stableHash(this.state.fields.sessionId ?? '', 'tool_result', ownerNativeId, callId);
		const owner = this.state.resultOwner[callId];
		if (owner && owner !== msgId) return undefined;
		this.state.resultOwner[callId] = msgId;

		const flat = flattenToolResult(call.result);
		let text = flat.text;
		if (text.length === 0 && typeof call.resultDisplay === 'string') text = call.resultDisplay;
		const block: ContentBlock = {type: 'tool_result', tool_use_id: callId, content: text};
		if (status === 'error' || status === 'cancelled') block.is_error = true;
		const exitCode = /^Exit Code: (-?\d+)/m.exec(text);
		if (exitCode) block.exit_code = Number(exitCode[1]);

		const metadata: Record<string, unknown> = {};
		for (const key of ['status', 'displayName', 'description', 'resultDisplay', 'renderOutputAsMarkdown', 'agentId']) {
			if (call[key] !== undefined) metadata[key] = call[key];
		}

		if (hasResult && !isPlainOutput(call.result, text)) metadata.result = call.result;
		const extras = Object.fromEntries(
			Object.entries(call).filter(([key]) => !['id', 'name', 'args', 'result', 'timestamp', 'status', 'displayName', 'description', 'resultDisplay', 'renderOutputAsMarkdown', 'agentId'].includes(key)),
		);
		if (Object.keys(extras).length > 0) metadata.extra = extras;

		return {
			msg_id: msgId,
			role: 'tool',
			content: [block, ...flat.images],
			timestamp: isTimestamp(call.timestamp) ? call.timestamp : fallbackTime,
			metadata: {gemini_tool_call: metadata},
		};
	}
}

function nonEmpty(blocks: ContentBlock[]): ContentBlock[] {
	return blocks.length > 0 ? blocks : [{type: 'text', text: ''}];
}

function isPlainOutput(result: unknown, text: string): boolean {
	const parts = toParts(result);
	if (parts.length !== 1 || !isObject(parts[0].functionResponse)) return false;
	const response = parts[0].functionResponse.response;
	return isObject(response) && Object.keys(response).length === 1 && response.output === text && parts[0].functionResponse.parts === undefined;
}

function tokensToUsage(tokens: unknown): TokenUsage | undefined {
	if (!isObject(tokens)) return undefined;
	const usage: TokenUsage = {};
	const take = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);
	const input = take(tokens.input);
	const output = take(tokens.output);
	const cached = take(tokens.cached);
	const thoughts = take(tokens.thoughts);
	if (input !== undefined) usage.input_tokens = input;
	if (output !== undefined) usage.output_tokens = output;
	if (cached !== undefined) usage.cache_read_tokens = cached;
	if (thoughts !== undefined) usage.reasoning_tokens = thoughts;
	return Object.keys(usage).length > 0 ? usage : undefined;
}
