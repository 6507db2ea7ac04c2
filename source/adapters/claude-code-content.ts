/**
 * Anthropic Messages content blocks (as Claude Code writes them) → `.sfs` content blocks.
 * Every native field the `.sfs` block cannot hold is reported back so the caller can keep it in
 * the message's `metadata`; nothing is dropped.
 */
import type {ContentBlock, ImageBlock, StopReason, TokenUsage} from '../engine/types.js';
import {nativeString} from './native-text.js';

/** Block types the spec defines; a native block of one of these types must match its shape exactly. */
const RESERVED_TYPES = new Set(['text', 'thinking', 'tool_use', 'tool_result', 'image', 'summary']);

export type MappedContent = {
	blocks: ContentBlock[];
	/** Native keys of mapped blocks that have no `.sfs` field, by block index (e.g. tool_use `caller`). */
	blockExtras: Record<string, Record<string, unknown>>;
	/** Original structured `tool_result.content` (non-string), keyed by tool_use_id. Image data is moved to image blocks. */
	toolResultContent: Record<string, unknown>;
	/** `data` of redacted_thinking blocks, by block index (needed to replay them). */
	redactedThinking: Record<string, string>;
};

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rest(block: Record<string, unknown>, used: string[]): Record<string, unknown> | undefined {
	const extra: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(block)) if (!used.includes(key)) extra[key] = value;
	return Object.keys(extra).length > 0 ? extra : undefined;
}

/** An Anthropic image source → an `.sfs` image block, or undefined when the source is not understood. */
export function mapImage(block: Record<string, unknown>): ImageBlock | undefined {
	const source = block.source;
	if (!isRecord(source)) return undefined;
	if (source.type === 'base64' && typeof source.data === 'string') {
		return {type: 'image', source: {type: 'base64', data: source.data, media_type: typeof source.media_type === 'string' ? source.media_type : null}};
	}

	if (source.type === 'url' && typeof source.url === 'string') return {type: 'image', source: {type: 'url', data: source.url}};
	return undefined;
}

/** A native block that cannot be mapped keeps all its data under a type the spec leaves open. */
function nativeBlock(block: unknown): ContentBlock {
	return {type: 'native_block', block};
}

/** Tool result content (string or blocks) → text; images become extra image blocks. */
export function flattenToolResult(content: unknown): {text: string; images: ImageBlock[]; structured?: unknown} {
	if (content === undefined || content === null) return {text: '', images: []};
	if (typeof content === 'string') return {text: content, images: []};
	if (!Array.isArray(content)) return {text: JSON.stringify(content), images: [], structured: content};

	const texts: string[] = [];
	const images: ImageBlock[] = [];
	const structured = content.map(item => {
		if (isRecord(item) && item.type === 'text' && typeof item.text === 'string') {
			texts.push(item.text);
			return item;
		}

		if (isRecord(item) && item.type === 'image') {
			const image = mapImage(item);
			if (image) {
				images.push(image);
				texts.push('[image]');
				return {type: 'image', moved_to_image_block: images.length - 1};
			}
		}

		texts.push(JSON.stringify(item));
		return item;
	});
	return {text: texts.join('\n'), images, structured};
}

export function mapContent(content: unknown): MappedContent {
	const result: MappedContent = {blocks: [], blockExtras: {}, toolResultContent: {}, redactedThinking: {}};
	if (typeof content === 'string') {
		result.blocks.push({type: 'text', text: content});
		return result;
	}

	if (!Array.isArray(content)) {
		if (content !== undefined && content !== null) result.blocks.push(nativeBlock(content));
		return result;
	}

	const trailingImages: ImageBlock[] = [];
	for (const raw of content) {
		const index = String(result.blocks.length);
		if (!isRecord(raw) || typeof raw.type !== 'string') {
			result.blocks.push(nativeBlock(raw));
			continue;
		}

		const extra = (used: string[]) => {
			const keys = rest(raw, used);
			if (keys) result.blockExtras[index] = keys;
		};

		switch (raw.type) {
			case 'text': {
				if (typeof raw.text !== 'string') break;
				result.blocks.push({type: 'text', text: raw.text});
				extra(['type', 'text']);
				continue;
			}

			case 'thinking': {
				if (typeof raw.thinking !== 'string') break;
				result.blocks.push({type: 'thinking', text: raw.thinking, signature: typeof raw.signature === 'string' ? raw.signature : null});
				extra(['type', 'thinking', 'signature']);
				continue;
			}

			case 'redacted_thinking': {
				result.blocks.push({type: 'thinking', text: '', redacted: true, signature: null});
				if (typeof raw.data === 'string') result.redactedThinking[index] = raw.data;
				extra(['type', 'data']);
				continue;
			}

			case 'tool_use': {
				if (typeof raw.id !== 'string' || typeof raw.name !== 'string') break;
				const input = isRecord(raw.input) ? raw.input : {value: raw.input};
				result.blocks.push({type: 'tool_use', tool_use_id: raw.id, name: raw.name, input});
				extra(['type', 'id', 'name', 'input']);
				continue;
			}

			case 'tool_result': {
				if (typeof raw.tool_use_id !== 'string') break;
				const flat = flattenToolResult(raw.content);
				result.blocks.push({
					type: 'tool_result',
					tool_use_id: raw.tool_use_id,
					content: flat.text,
					...(typeof raw.is_error === 'boolean' ? {is_error: raw.is_error} : {}),
				});
				if (flat.structured !== undefined) result.toolResultContent[raw.tool_use_id] = flat.structured;
				trailingImages.push(...flat.images);
				extra(['type', 'tool_use_id', 'content', 'is_error']);
				continue;
			}

			case 'image': {
				const image = mapImage(raw);
				if (!image) break;
				result.blocks.push(image);
				continue;
			}

			default: {
				// server_tool_use, web_search_tool_result, document, …: the spec keeps unknown blocks as they are.
				if (!RESERVED_TYPES.has(raw.type)) {
					result.blocks.push(raw as ContentBlock);
					continue;
				}
			}
		}

		result.blocks.push(nativeBlock(raw));
	}

	result.blocks.push(...trailingImages);
	return result;
}

const STOP_REASONS = new Set(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence']);

/** The spec's stop_reason enum; other native reasons (pause_turn, refusal, …) go to metadata. */
export function mapStopReason(value: unknown): {stop_reason: StopReason; native?: string} {
	if (value === null || value === undefined) return {stop_reason: null};
	if (typeof value === 'string' && STOP_REASONS.has(value)) return {stop_reason: value as StopReason};
	return {stop_reason: null, native: nativeString(value)};
}

function integer(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined;
}

/** Anthropic usage → `.sfs` usage (input excludes cache reads and writes, as the API reports it). */
export function mapUsage(usage: unknown): TokenUsage | undefined {
	if (!isRecord(usage)) return undefined;
	const mapped: TokenUsage = {};
	const input = integer(usage.input_tokens);
	const output = integer(usage.output_tokens);
	const cacheRead = integer(usage.cache_read_input_tokens);
	const cacheWrite = integer(usage.cache_creation_input_tokens);
	if (input !== undefined) mapped.input_tokens = input;
	if (output !== undefined) mapped.output_tokens = output;
	if (cacheRead !== undefined) mapped.cache_read_tokens = cacheRead;
	if (cacheWrite !== undefined) mapped.cache_write_tokens = cacheWrite;
	return Object.keys(mapped).length > 0 ? mapped : undefined;
}

/** A native timestamp as a valid ISO 8601 date-time, or undefined. Keeps the native text when it already is one. */
export function isoTimestamp(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) {
		const date = new Date(value < 1e12 ? value * 1000 : value);
		return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
	}

	if (typeof value !== 'string' || value.length === 0) return undefined;
	if (/^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
