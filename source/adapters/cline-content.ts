/**
 * Converts the Anthropic-style content blocks that Cline (extension and CLI/SDK) and Roo Code store
 * into canonical `.sfs` blocks. Everything the canonical block cannot hold is returned as metadata
 * so the message keeps it; block types never seen before are kept as they are and reported.
 */
import type {ContentBlock, TokenUsage} from '../engine/types.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

export type ConvertedContent = {
	blocks: ContentBlock[];
	/** Per-message metadata gathered from the blocks (originals of flattened tool results, extra fields). */
	metadata: Record<string, unknown>;
	/** Block types not understood, counted (they are kept in `blocks` as they are). */
	unknown: Record<string, number>;
	/** Plain text of the message, for titles, ids and XML tool-call detection. */
	text: string;
};

type Raw = Record<string, unknown>;

const RESERVED_TYPES = new Set(['text', 'thinking', 'tool_use', 'tool_result', 'image', 'summary']);
/** Native block types that are known but have no canonical form: kept as they are, not counted as unknown. */
const PASSTHROUGH_TYPES = new Set(['document', 'file', 'media', 'thoughtSignature']);

export function isRecord(value: unknown): value is Raw {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

function numberField(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The largest distance from 1970 (in ms) a Date can hold; a `ts` beyond it made toISOString throw and the task unreadable. */
const MAX_DATE_MS = 8.64e15;

/** A native time in ms since the epoch, when it is a number a Date can hold. */
function timeField(value: unknown): number | undefined {
	const ms = numberField(value);
	return ms !== undefined && Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}

/** Fields of `block` other than `known`, or undefined when there are none. */
function extraFields(block: Raw, known: string[]): Raw | undefined {
	const extra: Raw = {};
	for (const [key, value] of Object.entries(block)) if (!known.includes(key)) extra[key] = value;
	return Object.keys(extra).length > 0 ? extra : undefined;
}

/**
 * Tool results must be a string in `.sfs`. Arrays of text/image/file parts (and the CLI's
 * `{query, result}` items) are flattened to readable text; the caller keeps the original.
 */
export function flattenToolResult(content: unknown): string {
	if (content === undefined || content === null) return '';
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return JSON.stringify(content);
	return content.map(part => flattenToolResultPart(part)).filter(piece => piece.length > 0).join('\n');
}

function flattenToolResultPart(part: unknown): string {
	if (typeof part === 'string') return part;
	if (!isRecord(part)) return JSON.stringify(part);
	if (part.type === 'text' && typeof part.text === 'string') return part.text;
	if (part.type === 'image') {
		const source = isRecord(part.source) ? part.source : part;
		return `[image ${stringField(source.media_type) ?? stringField(source.mediaType) ?? ''}]`.replace(' ]', ']');
	}

	if (part.type === 'file' && typeof part.path === 'string') return `${part.path}\n${stringField(part.content) ?? ''}`;
	// Cline CLI tool results: [{query, result, error?}]
	if (typeof part.result === 'string' || typeof part.error === 'string') {
		return [stringField(part.result), stringField(part.error)].filter(piece => piece !== undefined && piece.length > 0).join('\n');
	}

	return JSON.stringify(part);
}

function imageBlock(block: Raw): ContentBlock | undefined {
	// Anthropic: {source: {type: 'base64', media_type, data}}; Cline CLI: {data, mediaType}.
	if (isRecord(block.source)) {
		const source = block.source;
		const kind = source.type === 'url' ? 'url' : source.type === 'base64' ? 'base64' : undefined;
		const data = stringField(source.data) ?? stringField(source.url);
		if (!kind || data === undefined) return undefined;
		return {type: 'image', source: {type: kind, data, media_type: stringField(source.media_type) ?? null}};
	}

	if (typeof block.data === 'string') {
		return {type: 'image', source: {type: 'base64', data: block.data, media_type: stringField(block.mediaType) ?? null}};
	}

	return undefined;
}

/** Turns a data: URL (how Cline's UI timeline stores images) into an image block. */
export function imageFromDataUrl(url: string): ContentBlock {
	const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
	if (match) return {type: 'image', source: {type: 'base64', media_type: match[1], data: match[2]}};
	return {type: 'image', source: {type: 'url', data: url}};
}

function reasoningSummaryText(summary: unknown): string | undefined {
	if (typeof summary === 'string') return summary;
	if (!Array.isArray(summary)) return undefined;
	const parts = summary.map(item => (isRecord(item) && typeof item.text === 'string' ? item.text : undefined)).filter((text): text is string => text !== undefined);
	return parts.length > 0 ? parts.join('\n') : undefined;
}

/**
 * Converts one native message's `content` (a string or an array of blocks).
 * Never throws: a malformed block is kept whole as a `native_record` block and counted.
 */
export function convertContent(content: unknown): ConvertedContent {
	const result: ConvertedContent = {blocks: [], metadata: {}, unknown: {}, text: ''};
	const texts: string[] = [];
	const blockExtras: Array<{index: number; fields: Raw}> = [];
	const toolResults: Record<string, unknown> = {};
	const toolResultNames: Record<string, string> = {};

	const keepUnknown = (raw: unknown, kind: string) => {
		addCount(result.unknown, kind);
		result.blocks.push({type: 'native_record', record: raw});
	};

	const noteExtras = (block: Raw, known: string[]) => {
		const fields = extraFields(block, known);
		if (fields) blockExtras.push({index: result.blocks.length - 1, fields});
	};

	if (typeof content === 'string') {
		result.blocks.push({type: 'text', text: content});
		result.text = content;
		return result;
	}

	if (!Array.isArray(content)) {
		if (content !== undefined && content !== null) keepUnknown(content, 'content:' + typeof content);
		return result;
	}

	for (const raw of content) {
		if (!isRecord(raw) || typeof raw.type !== 'string') {
			keepUnknown(raw, 'block:untyped');
			continue;
		}

		const block = raw;
		switch (block.type) {
			case 'text': {
				if (typeof block.text !== 'string') {
					keepUnknown(block, 'block:text');
					break;
				}

				result.blocks.push({type: 'text', text: block.text});
				texts.push(block.text);
				noteExtras(block, ['type', 'text']);
				break;
			}

			case 'thinking': {
				const text = stringField(block.thinking) ?? stringField(block.text) ?? '';
				const summary = reasoningSummaryText(block.summary);
				result.blocks.push({type: 'thinking', text, signature: stringField(block.signature) ?? null, ...(summary ? {summary} : {})});
				noteExtras(block, ['type', 'thinking', 'text', 'signature']);
				break;
			}

			case 'redacted_thinking': {
				result.blocks.push({type: 'thinking', text: '', redacted: true});
				noteExtras(block, ['type']);
				break;
			}

			// Roo Code keeps non-Anthropic reasoning as {type: 'reasoning', text?, summary, encrypted_content?}.
			case 'reasoning': {
				const text = stringField(block.text) ?? '';
				const summary = reasoningSummaryText(block.summary);
				const redacted = text.length === 0 && typeof block.encrypted_content === 'string';
				result.blocks.push({type: 'thinking', text, ...(redacted ? {redacted: true} : {}), ...(summary ? {summary} : {})});
				noteExtras(block, ['type', 'text']);
				break;
			}

			case 'tool_use': {
				const id = stringField(block.id) ?? stringField(block.tool_use_id);
				const name = stringField(block.name);
				if (id === undefined || name === undefined) {
					keepUnknown(block, 'block:tool_use');
					break;
				}

				const input = isRecord(block.input) ? block.input : {value: block.input};
				result.blocks.push({type: 'tool_use', tool_use_id: id, name, input});
				noteExtras(block, ['type', 'id', 'name', 'input']);
				break;
			}

			case 'tool_result': {
				const id = stringField(block.tool_use_id);
				if (id === undefined) {
					keepUnknown(block, 'block:tool_result');
					break;
				}

				const flattened = flattenToolResult(block.content);
				if (typeof block.content !== 'string' && block.content !== undefined) toolResults[id] = block.content;
				if (typeof block.name === 'string') toolResultNames[id] = block.name;
				// The CLI marks each command of run_commands with `success`; one failure makes the call an error.
				const failed = block.is_error === true || (Array.isArray(block.content) && block.content.some(part => isRecord(part) && part.success === false));
				result.blocks.push({type: 'tool_result', tool_use_id: id, content: flattened, ...(failed ? {is_error: true} : {})});
				noteExtras(block, ['type', 'tool_use_id', 'content', 'is_error', 'name']);
				break;
			}

			case 'image': {
				const image = imageBlock(block);
				if (image) result.blocks.push(image);
				else keepUnknown(block, 'block:image');
				break;
			}

			default: {
				// A canonical type name with the wrong shape would break the schema; anything else is kept as it is.
				const type = nativeString(block.type);
				if (RESERVED_TYPES.has(type)) keepUnknown(block, `block:${type}`);
				else {
					result.blocks.push({...block, type});
					if (!PASSTHROUGH_TYPES.has(type)) addCount(result.unknown, `block:${type}`);
				}
			}
		}
	}

	result.text = texts.join('\n');
	if (blockExtras.length > 0) result.metadata.block_extras = blockExtras;
	if (Object.keys(toolResults).length > 0) result.metadata.tool_result_originals = toolResults;
	if (Object.keys(toolResultNames).length > 0) result.metadata.tool_result_names = toolResultNames;
	return result;
}

/** Tags of Cline/Roo tools that older versions wrote as XML inside assistant text. */
const XML_TOOL_NAMES = [
	'execute_command', 'read_file', 'write_to_file', 'replace_in_file', 'apply_diff', 'insert_content', 'search_and_replace',
	'search_files', 'list_files', 'list_code_definition_names', 'browser_action', 'use_mcp_tool', 'access_mcp_resource',
	'ask_followup_question', 'attempt_completion', 'plan_mode_respond', 'new_task', 'switch_mode', 'load_mcp_documentation',
	'codebase_search', 'fetch_instructions', 'update_todo_list', 'web_fetch', 'condense', 'summarize_task', 'new_rule', 'report_bug',
];
const XML_TOOL_PATTERN = new RegExp(`<(${XML_TOOL_NAMES.join('|')})>`, 'g');

/** Names of XML-style tool calls found in assistant text (older Cline/Roo); the text itself stays text. */
export function xmlToolCalls(text: string): string[] {
	return [...text.matchAll(XML_TOOL_PATTERN)].map(match => match[1]);
}

/** The working directory as written in Cline's/Roo's `<environment_details>`. */
export function cwdFromEnvironmentDetails(text: string): string | undefined {
	const match = /# Current (?:Working|Workspace) Directory \(([^)\n]+)\) Files/.exec(text);
	if (!match || match[1].startsWith('Primary: ')) return undefined;
	return match[1];
}

/** Usage from a Cline/Roo `api_req_started` JSON (`tokensIn`, `tokensOut`, `cacheReads`, `cacheWrites`). */
export function usageFromApiReqInfo(info: Raw): TokenUsage | undefined {
	const usage: TokenUsage = {};
	const input = numberField(info.tokensIn);
	const output = numberField(info.tokensOut);
	const cacheRead = numberField(info.cacheReads);
	const cacheWrite = numberField(info.cacheWrites);
	if (input !== undefined) usage.input_tokens = Math.round(input);
	if (output !== undefined) usage.output_tokens = Math.round(output);
	if (cacheRead !== undefined) usage.cache_read_tokens = Math.round(cacheRead);
	if (cacheWrite !== undefined) usage.cache_write_tokens = Math.round(cacheWrite);
	return Object.keys(usage).length > 0 ? usage : undefined;
}

/** Usage from the Cline CLI/SDK `metrics` ({inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cost}). */
export function usageFromSdkMetrics(metrics: Raw): TokenUsage | undefined {
	return usageFromApiReqInfo({
		tokensIn: metrics.inputTokens,
		tokensOut: metrics.outputTokens,
		cacheReads: metrics.cacheReadTokens,
		cacheWrites: metrics.cacheWriteTokens,
	});
}

/**
 * Usage from the classic extension's per-message `metrics` ({tokens: {prompt, completion, cached}, cost}).
 * `cached` is cache reads plus writes summed together, so it is only kept in metadata.
 */
export function usageFromClassicMetrics(metrics: Raw): TokenUsage | undefined {
	if (!isRecord(metrics.tokens)) return undefined;
	return usageFromApiReqInfo({tokensIn: metrics.tokens.prompt, tokensOut: metrics.tokens.completion});
}

export {numberField, stringField, timeField};
