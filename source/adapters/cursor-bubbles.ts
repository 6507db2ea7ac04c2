/**
 * Maps Cursor chat "bubbles" to canonical messages. One mapper serves every generation: modern
 * `bubbleId:<composerId>:<bubbleId>` rows (type 1 user / 2 assistant, `toolFormerData`, `thinking`,
 * `tokenCount`, `createdAt`/`timingInfo`), the inline `conversation` arrays of older composers, and the
 * legacy (2024) chat tabs (`type: "user" | "ai"`). Pure: no I/O.
 */
import type {ContentBlock, Message, TokenUsage} from '../engine/types.js';
import {stableHash} from './jsonl.js';
import {parseNativeJson} from './json-depth.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function isoFromMs(value: unknown): string | undefined {
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function isoFromString(value: unknown): string | undefined {
	if (typeof value !== 'string' || value.length === 0) return undefined;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Drops null, empty strings, empty arrays and empty objects (bubbles carry ~70 mostly-empty fields). */
export function pruneEmpty(value: Json, omit: string[] = []): Json | undefined {
	const out: Json = {};
	for (const [key, field] of Object.entries(value)) {
		if (omit.includes(key) || field === null || field === undefined || field === '') continue;
		if (Array.isArray(field) && field.length === 0) continue;
		if (isObject(field) && Object.keys(field).length === 0) continue;
		out[key] = field;
	}

	return Object.keys(out).length > 0 ? out : undefined;
}

function parseMaybeJson(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	try {
		return parseNativeJson(value);
	} catch {
		return value;
	}
}

/** Structured tool results (`{output, exitCode}`, `{contents}`, diffs …) flattened to text. */
export function flattenResult(result: unknown): string {
	if (result === undefined || result === null) return '';
	if (typeof result === 'string') return result;
	if (Array.isArray(result)) return result.map(item => flattenResult(item)).filter(Boolean).join('\n');
	if (!isObject(result)) return nativeString(result);
	for (const key of ['output', 'contents', 'content', 'text', 'result', 'message', 'error']) {
		const field = result[key];
		if (typeof field === 'string') return field;
		if (Array.isArray(field)) return flattenResult(field);
	}

	return JSON.stringify(result);
}

function mapUsage(bubble: Json): TokenUsage | undefined {
	const count = isObject(bubble.tokenCount) ? bubble.tokenCount : isObject(bubble.usage) ? bubble.usage : undefined;
	if (!count) return undefined;
	const input = count.inputTokens ?? count.input_tokens;
	const output = count.outputTokens ?? count.output_tokens;
	const usage: TokenUsage = {};
	if (typeof input === 'number' && input > 0) usage.input_tokens = Math.round(input);
	if (typeof output === 'number' && output > 0) usage.output_tokens = Math.round(output);
	// Current Cursor writes zeros here; an all-zero count says nothing.
	return Object.keys(usage).length > 0 ? usage : undefined;
}

function thinkingBlocks(bubble: Json): ContentBlock[] {
	const sources = Array.isArray(bubble.allThinkingBlocks) && bubble.allThinkingBlocks.length > 0 ? bubble.allThinkingBlocks : isObject(bubble.thinking) ? [bubble.thinking] : [];
	const blocks: ContentBlock[] = [];
	for (const source of sources) {
		if (!isObject(source)) continue;
		const text = typeof source.text === 'string' ? source.text : '';
		const signature = str(source.signature) ?? null;
		if (text === '' && signature === null) continue;
		const block: ContentBlock = {type: 'thinking', text, signature};
		if (text === '' && signature) (block as {redacted?: boolean}).redacted = true;
		blocks.push(block);
	}

	return blocks;
}

function imageBlocks(bubble: Json): ContentBlock[] {
	if (!Array.isArray(bubble.images)) return [];
	const blocks: ContentBlock[] = [];
	for (const image of bubble.images) {
		if (!isObject(image)) continue;
		const uri = isObject(image.uri) ? image.uri : undefined;
		const filePath = str(image.path) ?? str(uri?.fsPath) ?? str(uri?.path);
		const data = str(image.data) ?? str(image.base64);
		const mediaType = str(image.mimeType) ?? str(image.media_type) ?? null;
		if (data) blocks.push({type: 'image', source: {type: 'base64', data, media_type: mediaType}});
		else if (filePath) blocks.push({type: 'image', source: {type: 'path', data: filePath, media_type: mediaType}});
		else if (str(image.url)) blocks.push({type: 'image', source: {type: 'url', data: image.url as string, media_type: mediaType}});
	}

	return blocks;
}

export type BubbleContext = {
	/** The composer or chat tab the bubbles belong to (for derived ids). */
	sessionId: string;
	/** Time for a bubble with none of its own (before the first timed bubble). */
	fallbackTime: string;
	/** Model of the conversation, for assistant bubbles that do not name one. */
	model?: string;
};

export type MappedBubbles = {
	messages: Message[];
	warnings: string[];
	unknownRecords: Record<string, number>;
	toolsUsed: string[];
	lastModel?: string;
	/** User bubbles with nothing in them (unsent drafts), left out. */
	skippedEmpty: number;
};

const BUBBLE_FIELDS_MAPPED = ['bubbleId', 'id', 'type', 'text', 'rawText', 'richText', 'thinking', 'allThinkingBlocks', 'toolFormerData', 'tokenCount', 'createdAt', 'images', 'modelInfo', 'modelType'];
const TERMINAL_TOOL_STATUSES = new Set(['completed', 'error', 'cancelled', 'rejected', 'aborted']);

function roleOf(type: unknown): 'user' | 'assistant' | undefined {
	if (type === 1 || type === 'user') return 'user';
	if (type === 2 || type === 'ai' || type === 'assistant') return 'assistant';
	return undefined;
}

function bubbleTime(bubble: Json): string | undefined {
	const timing = isObject(bubble.timingInfo) ? bubble.timingInfo : {};
	return isoFromString(bubble.createdAt) ?? isoFromMs(bubble.createdAt) ?? isoFromMs(timing.clientStartTime) ?? isoFromMs(timing.clientRpcSendTime) ?? isoFromMs(timing.clientEndTime);
}

/** Maps bubbles (in conversation order) to messages; a tool call's result becomes its own `tool` message. */
export function mapBubbles(bubbles: unknown[], context: BubbleContext): MappedBubbles {
	const messages: Message[] = [];
	const warnings: string[] = [];
	const unknownRecords: Record<string, number> = {};
	const toolsUsed = new Set<string>();
	let lastTime = context.fallbackTime;
	let previousId: string | undefined;
	let turnId: string | undefined;
	let lastModel: string | undefined;
	let skippedEmpty = 0;

	const push = (message: Message) => {
		message.parent_msg_id = previousId ?? null;
		if (turnId) message.turn_id = turnId;
		messages.push(message);
		previousId = message.msg_id;
	};

	bubbles.forEach((bubble, index) => {
		const nativeId = isObject(bubble) ? (str(bubble.bubbleId) ?? str(bubble.id)) : undefined;
		const msgId = nativeId ?? stableHash('cursor', context.sessionId, index, JSON.stringify(bubble) ?? '');
		const ownTime = isObject(bubble) ? bubbleTime(bubble) : undefined;
		const timestamp = ownTime ?? lastTime;
		lastTime = timestamp;
		const role = isObject(bubble) ? roleOf(bubble.type) : undefined;
		if (!isObject(bubble) || !role) {
			const kind = isObject(bubble) ? `bubble:type-${nativeString(bubble.type)}` : 'bubble:not-an-object';
			addCount(unknownRecords, kind);
			push({msg_id: msgId, role: 'system', is_meta: true, content: [{type: 'native_record', record: bubble}], timestamp});
			return;
		}

		const content: ContentBlock[] = [...thinkingBlocks(bubble)];
		const text = typeof bubble.text === 'string' && bubble.text.length > 0 ? bubble.text : typeof bubble.rawText === 'string' ? bubble.rawText : '';
		if (text.length > 0) content.push({type: 'text', text});
		content.push(...imageBlocks(bubble));

		const tool = isObject(bubble.toolFormerData) ? bubble.toolFormerData : undefined;
		let toolUseId: string | undefined;
		if (tool) {
			toolUseId = str(tool.toolCallId) ?? stableHash('cursor-tool', context.sessionId, msgId);
			const name = str(tool.name) ?? (tool.tool === undefined ? 'unknown_tool' : `tool_${nativeString(tool.tool)}`);
			const parsed = parseMaybeJson(tool.params ?? tool.rawArgs);
			const input = isObject(parsed) ? parsed : parsed === undefined || parsed === null ? {} : {value: parsed};
			content.push({type: 'tool_use', tool_use_id: toolUseId, name, input});
			toolsUsed.add(name);
		}

		// The 2024 chat tabs end with the unsent input box as an empty user bubble: not a message.
		if (role === 'user' && content.length === 0) {
			skippedEmpty++;
			return;
		}

		if (role === 'user') turnId = msgId;

		const message: Message = {msg_id: msgId, role, content, timestamp};
		if (role === 'assistant') {
			const modelInfo = isObject(bubble.modelInfo) ? bubble.modelInfo : {};
			const model = str(modelInfo.modelName) ?? str(bubble.modelType) ?? context.model;
			if (model) {
				message.model = model;
				lastModel = model;
			}

			const usage = mapUsage(bubble);
			if (usage) message.usage = usage;
			if (tool) message.stop_reason = 'tool_use';
		}

		const metadata: Json = {};
		const native = pruneEmpty(bubble, BUBBLE_FIELDS_MAPPED);
		if (native) metadata.native = native;
		if (tool) {
			const toolNative = pruneEmpty(tool, ['toolCallId', 'name', 'params', 'rawArgs', 'result', 'status', 'additionalData']);
			if (toolNative) metadata.native_tool = toolNative;
		}

		if (!ownTime) metadata.timestamp_estimated = true;
		if (content.length === 0) {
			// A bubble with nothing renderable (e.g. the `/summarize` marker, capabilityType 22): keep it whole.
			message.content = [{type: 'native_record', record: pruneEmpty(bubble) ?? bubble}];
			message.is_meta = true;
		}

		if (Object.keys(metadata).length > 0) message.metadata = metadata;
		push(message);

		const status = tool ? str(tool.status) : undefined;
		if (tool && toolUseId && (tool.result !== undefined && tool.result !== null ? true : status !== undefined && TERMINAL_TOOL_STATUSES.has(status))) {
			const result = parseMaybeJson(tool.result);
			const exitCode = isObject(result) && typeof result.exitCode === 'number' && Number.isInteger(result.exitCode) ? result.exitCode : undefined;
			const additional = isObject(tool.additionalData) ? tool.additionalData : {};
			const isError = status === 'error' || status === 'cancelled' || status === 'rejected' || additional.status === 'error' || (isObject(result) && result.rejected === true) || (exitCode !== undefined && exitCode !== 0);
			const block: ContentBlock = {type: 'tool_result', tool_use_id: toolUseId, content: flattenResult(result), is_error: isError};
			if (exitCode !== undefined) (block as {exit_code?: number}).exit_code = exitCode;
			const resultMetadata: Json = {};
			if (status) resultMetadata.status = status;
			if (result !== undefined && result !== null && typeof result !== 'string') resultMetadata.native_result = result;
			const additionalData = pruneEmpty(additional);
			if (additionalData) resultMetadata.additional_data = additionalData;
			const resultMessage: Message = {msg_id: `${msgId}:result`, role: 'tool', content: [block], timestamp};
			if (Object.keys(resultMetadata).length > 0) resultMessage.metadata = resultMetadata;
			push(resultMessage);
		}
	});

	return {messages, warnings, unknownRecords, toolsUsed: [...toolsUsed], lastModel, skippedEmpty};
}
