/**
 * Codex `response_item` payloads (OpenAI Responses API items) → `.sfs` content. Pure functions; the
 * read loop in codex.ts decides roles, ids, pairing with events and usage.
 */
import type {ContentBlock, ImageBlock, TokenUsage, ToolResultBlock} from '../engine/types.js';
import {parseNativeJson} from './json-depth.js';
import {nativeString} from './native-text.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `<image name=[Image #1]>` / `</image>`: the text markers Codex wraps around pasted images. */
const IMAGE_MARKER = /^\s*<\/?image(?:\s+name=[^>]*)?>\s*$/;

/** An `input_image` URL → image block (`data:` URLs become base64 with their media type). */
export function imageFromUrl(url: string): ImageBlock {
	const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
	if (data && data[2]) return {type: 'image', source: {type: 'base64', data: data[3]!, media_type: data[1] ?? null}};
	return {type: 'image', source: {type: 'url', data: url}};
}

export type MappedMessageContent = {blocks: ContentBlock[]; imageMarkers: string[]; text: string};

/** A `message` item's content → blocks; `text` is what an event_msg with the same message would say. */
export function mapMessageContent(content: unknown): MappedMessageContent {
	const blocks: ContentBlock[] = [];
	const imageMarkers: string[] = [];
	const texts: string[] = [];
	const items = Array.isArray(content) ? content : typeof content === 'string' ? [{type: 'input_text', text: content}] : [];
	for (const item of items) {
		if (!isRecord(item)) {
			blocks.push({type: 'native_block', block: item});
			continue;
		}

		if ((item.type === 'input_text' || item.type === 'output_text') && typeof item.text === 'string') {
			if (IMAGE_MARKER.test(item.text)) {
				imageMarkers.push(item.text);
				continue;
			}

			blocks.push({type: 'text', text: item.text});
			texts.push(item.text);
			continue;
		}

		if (item.type === 'input_image' && typeof item.image_url === 'string') {
			blocks.push(imageFromUrl(item.image_url));
			continue;
		}

		if (item.type === 'refusal' && typeof item.refusal === 'string') {
			blocks.push({type: 'refusal', text: item.refusal});
			texts.push(item.refusal);
			continue;
		}

		blocks.push({type: 'native_block', block: item});
	}

	return {blocks, imageMarkers, text: texts.join('\n').trim()};
}

/** A reasoning item → a thinking block: readable text only in `summary`; `encrypted_content` stays in metadata. */
export function mapReasoning(payload: Record<string, unknown>): {block: ContentBlock; encrypted?: string; summaries: string[]; raw: string[]} {
	const summaries = Array.isArray(payload.summary)
		? payload.summary.flatMap(part => (isRecord(part) && typeof part.text === 'string' ? [part.text] : []))
		: [];
	const raw = Array.isArray(payload.content)
		? payload.content.flatMap(part => (isRecord(part) && typeof part.text === 'string' ? [part.text] : []))
		: [];
	const encrypted = typeof payload.encrypted_content === 'string' ? payload.encrypted_content : undefined;
	return {
		block: {
			type: 'thinking',
			text: raw.join('\n'),
			summary: summaries.length > 0 ? summaries.join('\n\n') : null,
			signature: null,
			...(raw.length === 0 && encrypted ? {redacted: true} : {}),
		},
		encrypted,
		summaries,
		raw,
	};
}

/** `arguments` is a JSON string; a tool input must be an object. */
export function parseArguments(value: unknown): {input: Record<string, unknown>; raw?: string} {
	if (isRecord(value)) return {input: value};
	if (typeof value !== 'string') return {input: value === undefined ? {} : {value}};
	try {
		const parsed: unknown = parseNativeJson(value);
		if (isRecord(parsed)) return {input: parsed};
		return {input: {value: parsed}, raw: value};
	} catch {
		return {input: {arguments: value}, raw: value};
	}
}

/** Facts exec_command/shell outputs print as text ("Process exited with code 1", "Wall time: 0.05 seconds"). */
function shellFacts(text: string): {exit_code?: number; duration_ms?: number} {
	const facts: {exit_code?: number; duration_ms?: number} = {};
	const exit = /(?:Process exited with code|Exit code:)\s*(-?\d+)/.exec(text);
	if (exit) facts.exit_code = Number(exit[1]);
	const wall = /Wall time:\s*([\d.]+)\s*seconds?/.exec(text);
	if (wall) facts.duration_ms = Math.round(Number(wall[1]) * 1000 * 1000) / 1000;
	return facts;
}

/**
 * A `*_output` item → tool_result (content flattened to text) + image blocks; the native structure is
 * returned when it was not a plain string, for the message metadata.
 */
export function mapToolOutput(callId: string, output: unknown): {blocks: ContentBlock[]; structured?: unknown} {
	const images: ImageBlock[] = [];
	let text = '';
	let structured: unknown;
	let success: unknown;
	if (typeof output === 'string') {
		text = output;
		// Older shell tools returned a JSON string {"output": "...", "metadata": {"exit_code", "duration_seconds"}}.
		try {
			const parsed: unknown = parseNativeJson(output);
			if (isRecord(parsed) && typeof parsed.output === 'string' && isRecord(parsed.metadata)) {
				const result: ToolResultBlock = {type: 'tool_result', tool_use_id: callId, content: parsed.output};
				if (typeof parsed.metadata.exit_code === 'number') {
					result.exit_code = parsed.metadata.exit_code;
					result.is_error = parsed.metadata.exit_code !== 0;
				}

				if (typeof parsed.metadata.duration_seconds === 'number') result.duration_ms = parsed.metadata.duration_seconds * 1000;
				return {blocks: [result], structured: parsed};
			}
		} catch {}
	} else if (Array.isArray(output)) {
		structured = output;
		const parts: string[] = [];
		for (const item of output) {
			if (isRecord(item) && typeof item.text === 'string') parts.push(item.text);
			else if (isRecord(item) && item.type === 'input_image' && typeof item.image_url === 'string') {
				images.push(imageFromUrl(item.image_url));
				parts.push('[image]');
			} else parts.push(JSON.stringify(item));
		}

		text = parts.join('\n');
	} else if (isRecord(output)) {
		structured = output;
		success = output.success;
		if (typeof output.content === 'string') text = output.content;
		else if (Array.isArray(output.content_items)) return mapToolOutput(callId, output.content_items);
		else text = JSON.stringify(output);
	} else if (output !== undefined && output !== null) {
		text = nativeString(output);
	}

	const result: ToolResultBlock = {type: 'tool_result', tool_use_id: callId, content: text, ...shellFacts(text)};
	if (success === false || (result.exit_code !== undefined && result.exit_code !== 0)) result.is_error = true;
	if (structured !== undefined && images.length > 0) {
		structured = (structured as unknown[]).map(item =>
			isRecord(item) && item.type === 'input_image' ? {type: 'input_image', moved_to_image_block: true} : item,
		);
	}

	return {blocks: [result, ...images], structured};
}

/** Injected context Codex sends as user messages (environment, AGENTS.md, turn_aborted notes, …). */
export function looksInjected(text: string): boolean {
	const trimmed = text.trim();
	if (/^# AGENTS\.md instructions/i.test(trimmed)) return true;
	const tag = /^<([A-Za-z_][\w-]*)[^>]*>/.exec(trimmed);
	return Boolean(tag && trimmed.endsWith(`</${tag[1]}>`));
}

/** Rollout field helpers shared by the reader and the session info. */
export function str(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function isoTimestamp(value: unknown): string | undefined {
	if (typeof value !== 'string' || value.length === 0) return undefined;
	if (/^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function integer(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined;
}

/** OpenAI usage → `.sfs` usage; `input_tokens` there includes cached tokens, here it does not (as Anthropic's). */
export function mapCodexUsage(usage: unknown): TokenUsage | undefined {
	if (!isRecord(usage)) return undefined;
	const input = integer(usage.input_tokens);
	const cached = integer(usage.cached_input_tokens) ?? 0;
	const mapped: TokenUsage = {};
	if (input !== undefined) mapped.input_tokens = Math.max(0, input - cached);
	if (integer(usage.cached_input_tokens) !== undefined) mapped.cache_read_tokens = cached;
	const output = integer(usage.output_tokens);
	if (output !== undefined) mapped.output_tokens = output;
	const cacheWrite = integer(usage.cache_write_input_tokens);
	if (cacheWrite !== undefined) mapped.cache_write_tokens = cacheWrite;
	const reasoning = integer(usage.reasoning_output_tokens);
	if (reasoning !== undefined) mapped.reasoning_tokens = reasoning;
	return Object.keys(mapped).length > 0 ? mapped : undefined;
}

/** 0.16x tags each content item of a prompt with its provenance; `user` means a person typed it. */
export function typedByUser(payload: Record<string, unknown>): boolean {
	const passthrough = payload.internal_chat_message_metadata_passthrough;
	if (!isRecord(passthrough) || !Array.isArray(passthrough.content_item_metadata)) return false;
	return passthrough.content_item_metadata.some(item => isRecord(item) && isRecord(item.provenance) && item.provenance.type === 'user');
}

/** `event_msg:turn_aborted`, `response_item:ghost_snapshot`, `world_state`, … */
export function recordType(record: Record<string, unknown>): string | null {
	if (typeof record.type !== 'string') return null;
	const payload = record.payload;
	return isRecord(payload) && typeof payload.type === 'string' ? `${record.type}:${payload.type}` : record.type;
}
