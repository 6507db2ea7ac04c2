/**
 * Cursor's agent transcripts (`~/.cursor/projects/<slug>/agent-transcripts/<id>/<id>.jsonl`, sub-agents in
 * `<id>/subagents/<sub>.jsonl`): a lossy, append-only side log with roles, text and tool calls, but no ids,
 * times, models, tool results or thinking. Used only for conversations the SQLite stores do not hold.
 */
import type {ContentBlock, Message} from '../engine/types.js';
import {parseJsonLine, stableHash, type JsonlLine} from './jsonl.js';
import {isObject, pruneEmpty} from './cursor-bubbles.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

export type MappedTranscript = {messages: Message[]; warnings: string[]; unknownRecords: Record<string, number>; toolsUsed: string[]};

const USER_QUERY = /^<user_query>\n?([\s\S]*?)\n?<\/user_query>$/;
/** Lines warned about one by one; past this, one line counts the rest (a corrupt file must not flood the report). */
const MAX_LINE_WARNINGS = 20;

function mapBlock(raw: unknown, sessionId: string, offset: number, index: number): {block: ContentBlock; tool?: string; unwrapped?: boolean} {
	if (!isObject(raw) || typeof raw.type !== 'string') return {block: {type: 'invalid_block', block: raw}};
	if (raw.type === 'text' && typeof raw.text === 'string') {
		const match = USER_QUERY.exec(raw.text.trim());
		return match ? {block: {type: 'text', text: match[1]!}, unwrapped: true} : {block: {type: 'text', text: raw.text}};
	}

	if (raw.type === 'tool_use' && typeof raw.name === 'string') {
		const input = isObject(raw.input) ? raw.input : {value: raw.input ?? null};
		// Transcripts carry no tool call ids: derive one from the line's byte offset, which never changes.
		const id = typeof raw.id === 'string' && raw.id.length > 0 ? raw.id : stableHash('cursor-transcript-tool', sessionId, offset, index);
		return {block: {type: 'tool_use', tool_use_id: id, name: raw.name, input}, tool: raw.name};
	}

	if (['text', 'thinking', 'tool_use', 'tool_result', 'image', 'summary'].includes(raw.type)) return {block: {type: 'invalid_block', block: raw}};
	return {block: {...raw} as ContentBlock};
}

/**
 * `timestamp`: transcripts have no times, so the caller passes the file's mtime for the lines it just read
 * (marked `timestamp_estimated`).
 */
export function mapTranscriptLines(lines: JsonlLine[], options: {sessionId: string; timestamp: string; agentId?: string}): MappedTranscript {
	const messages: Message[] = [];
	const warnings: string[] = [];
	let badLines = 0;
	const warn = (warning: string) => {
		badLines++;
		if (badLines <= MAX_LINE_WARNINGS) warnings.push(warning);
	};

	const unknownRecords: Record<string, number> = {};
	const toolsUsed = new Set<string>();

	for (const line of lines) {
		const {value, warning} = parseJsonLine(line);
		if (warning) warn(warning);
		if (value === undefined) continue;

		const msgId = stableHash('cursor-transcript', options.sessionId, line.offset);
		const base = {msg_id: msgId, timestamp: options.timestamp};
		const sidechain = options.agentId ? {is_sidechain: true, agent_id: options.agentId} : {};

		if (isObject(value) && value.type === 'error') {
			messages.push({
				...base,
				...sidechain,
				role: 'system',
				content: [{type: 'text', text: typeof value.error === 'string' ? value.error : JSON.stringify(value.error ?? null)}],
				metadata: {native_type: 'error', timestamp_estimated: true},
			});
			continue;
		}

		const message = isObject(value) && isObject(value.message) ? value.message : undefined;
		if (!isObject(value) || (value.role !== 'user' && value.role !== 'assistant') || !message || !Array.isArray(message.content)) {
			const kind = isObject(value) ? nativeString(value.type ?? value.role ?? 'no-type') : 'not-an-object';
			addCount(unknownRecords, kind);
			messages.push({...base, ...sidechain, role: 'system', is_meta: true, content: [{type: 'native_record', record: value}]});
			continue;
		}

		const content: ContentBlock[] = [];
		let unwrapped = false;
		let invalidBlocks = 0;
		message.content.forEach((raw: unknown, index: number) => {
			const mapped = mapBlock(raw, options.sessionId, line.offset, index);
			if (mapped.tool) toolsUsed.add(mapped.tool);
			if (mapped.unwrapped) unwrapped = true;
			if (mapped.block.type === 'invalid_block') invalidBlocks++;
			content.push(mapped.block);
		});
		if (invalidBlocks > 0) warn(`line at byte ${line.offset}: ${invalidBlocks} malformed content block(s) kept as invalid_block`);
		if (content.length === 0) content.push({type: 'native_record', record: value});

		const metadata: Record<string, unknown> = {timestamp_estimated: true};
		if (unwrapped) metadata.native_wrapper = 'user_query';
		if (content.some(block => block.type === 'text' && block.text === '[REDACTED]')) metadata.redacted = true;
		const restOfLine = pruneEmpty(value, ['role', 'message']);
		const restOfMessage = pruneEmpty(message, ['content']);
		if (restOfLine || restOfMessage) metadata.native = {...restOfLine, ...restOfMessage};

		const out: Message = {...base, ...sidechain, role: value.role, content, metadata};
		if (value.role === 'assistant' && content.some(block => block.type === 'tool_use')) out.stop_reason = 'tool_use';
		messages.push(out);
	}

	if (badLines > MAX_LINE_WARNINGS) warnings.push(`${badLines - MAX_LINE_WARNINGS} more bad lines`);
	return {messages, warnings, unknownRecords, toolsUsed: [...toolsUsed]};
}
