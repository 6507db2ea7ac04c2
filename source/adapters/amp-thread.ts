/**
 * Maps one Amp thread document (a legacy local `threads/T-*.json` file or `amp threads export` output;
 * both share the same shape) to canonical messages and session info. Pure: no I/O.
 */
import {fileURLToPath} from 'node:url';
import type {ContentBlock, Message, StopReason, TokenUsage, Workspace} from '../engine/types.js';
import {stableHash} from './jsonl.js';
import type {SessionInfo} from './types.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

type Json = Record<string, unknown>;

export type MappedThread = {
	messages: Message[];
	info: SessionInfo;
	workspace?: Partial<Workspace>;
	warnings: string[];
	unknownRecords: Record<string, number>;
	recordsParsed: number;
	toolsUsed: string[];
};

const KNOWN_BLOCK_TYPES = new Set(['text', 'thinking', 'tool_use', 'tool_result', 'image', 'summary']);
const STOP_REASONS = new Set(['end_turn', 'tool_use', 'max_tokens', 'interrupted', 'stop_sequence']);

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function int(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined;
}

function isoFromMs(value: unknown): string | undefined {
	if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function isoFromString(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Copies `source` without the listed keys; undefined when nothing is left. */
function rest(source: Json, omit: string[]): Json | undefined {
	const out: Json = {};
	for (const [key, value] of Object.entries(source)) if (!omit.includes(key)) out[key] = value;
	return Object.keys(out).length > 0 ? out : undefined;
}

/** Tool results are polymorphic in Amp (shell `{output, exitCode}`, apply_patch `{files, summary}`, skill `{content}`, Task: a string). */
export function flattenToolResult(result: unknown): string {
	if (result === undefined || result === null) return '';
	if (typeof result === 'string') return result;
	if (Array.isArray(result)) return result.map(part => flattenToolResult(part)).filter(Boolean).join('\n');
	if (!isObject(result)) return nativeString(result);
	if (typeof result.output === 'string') return result.output;
	if (Array.isArray(result.content)) return flattenToolResult(result.content);
	if (typeof result.text === 'string') return result.text;
	if (typeof result.message === 'string') return result.message;
	if (typeof result.summary === 'string') {
		const diffs = Array.isArray(result.files) ? result.files.map(file => (isObject(file) && typeof file.diff === 'string' ? file.diff : '')).filter(Boolean) : [];
		return [result.summary, ...diffs].join('\n');
	}

	return JSON.stringify(result);
}

function cwdFromUri(uri: unknown): string | undefined {
	if (typeof uri !== 'string') return undefined;
	if (!uri.startsWith('file:')) return uri;
	try {
		return fileURLToPath(uri);
	} catch {
		return undefined;
	}
}

function mapUsage(usage: Json): TokenUsage | undefined {
	const mapped: TokenUsage = {};
	const input = int(usage.inputTokens);
	const output = int(usage.outputTokens);
	const cacheRead = int(usage.cacheReadInputTokens);
	const cacheWrite = int(usage.cacheCreationInputTokens);
	if (input !== undefined) mapped.input_tokens = input;
	if (output !== undefined) mapped.output_tokens = output;
	if (cacheRead !== undefined) mapped.cache_read_tokens = cacheRead;
	if (cacheWrite !== undefined) mapped.cache_write_tokens = cacheWrite;
	return Object.keys(mapped).length > 0 ? mapped : undefined;
}

/** Legacy local files keep usage in a thread-level ledger keyed by the message it produced. */
function ledgerUsage(ledger: unknown): Map<string, {usage: TokenUsage; model?: string}> {
	const byMessage = new Map<string, {usage: TokenUsage; model?: string}>();
	if (!isObject(ledger) || !Array.isArray(ledger.events)) return byMessage;
	for (const event of ledger.events) {
		if (!isObject(event) || !isObject(event.tokens) || event.toMessageId === undefined) continue;
		const tokens = event.tokens;
		const usage = mapUsage({
			inputTokens: tokens.input,
			outputTokens: tokens.output,
			cacheReadInputTokens: tokens.cacheReadInputTokens,
			cacheCreationInputTokens: tokens.cacheCreationInputTokens,
		});
		if (usage) byMessage.set(nativeString(event.toMessageId), {usage, model: str(event.model)});
	}

	return byMessage;
}

type BlockResult = {block: ContentBlock; extra?: Json; toolName?: string; warning?: string};

function mapBlock(raw: unknown): BlockResult {
	if (!isObject(raw) || typeof raw.type !== 'string') {
		return {block: {type: 'invalid_block', block: raw}, warning: 'content block without a type kept as invalid_block'};
	}

	switch (raw.type) {
		case 'text': {
			if (typeof raw.text !== 'string') break;
			return {block: {type: 'text', text: raw.text}, extra: rest(raw, ['type', 'text'])};
		}

		case 'thinking': {
			const text = typeof raw.thinking === 'string' ? raw.thinking : typeof raw.text === 'string' ? raw.text : '';
			const signature = str(raw.signature) ?? null;
			const reasoning = isObject(raw.openAIReasoning) ? raw.openAIReasoning : undefined;
			const encrypted = Boolean(reasoning?.encryptedContent) || signature !== null;
			const block: ContentBlock = {type: 'thinking', text, signature};
			if (text === '' && encrypted) (block as {redacted?: boolean}).redacted = true;
			return {block, extra: rest(raw, ['type', 'thinking', 'text', 'signature'])};
		}

		case 'tool_use': {
			if (typeof raw.id !== 'string' || typeof raw.name !== 'string') break;
			const input = isObject(raw.input) ? raw.input : {value: raw.input ?? null};
			return {
				block: {type: 'tool_use', tool_use_id: raw.id, name: raw.name, input},
				extra: rest(raw, ['type', 'id', 'name', 'input']),
				toolName: raw.name,
			};
		}

		case 'tool_result': {
			const id = str(raw.toolUseID) ?? str(raw.tool_use_id) ?? str(raw.toolUseId);
			if (!id) break;
			// Amp keeps results under `run`; an Anthropic-style block (`content`, `is_error`) is read the same way.
			const run = isObject(raw.run) ? raw.run : {result: raw.content ?? raw.output, status: raw.is_error === true ? 'error' : undefined};
			const result = run.result;
			const exitCode = isObject(result) && typeof result.exitCode === 'number' ? result.exitCode : undefined;
			const status = str(run.status);
			const error = run.error === undefined ? '' : flattenToolResult(run.error);
			const content = [flattenToolResult(result), error].filter(Boolean).join('\n');
			const isError = (status !== undefined && ['error', 'cancelled', 'rejected-by-user'].includes(status)) || (exitCode !== undefined && exitCode !== 0) || error !== '';
			const block: ContentBlock = {type: 'tool_result', tool_use_id: id, content, is_error: isError};
			if (exitCode !== undefined) (block as {exit_code?: number}).exit_code = exitCode;
			// The structured result is flattened above; keep the original unless it was already plain text.
			const extra = rest(raw, ['type', 'toolUseID', 'tool_use_id', 'toolUseId']);
			if (extra && typeof result === 'string' && isObject(extra.run)) {
				const {result: _dropped, ...runRest} = extra.run;
				extra.run = runRest;
			}

			return {block, extra};
		}

		case 'image': {
			const source = isObject(raw.source) ? raw.source : {};
			const kind = source.type === 'url' || source.type === 'base64' || source.type === 'path' ? source.type : undefined;
			if (!kind) break;
			const imageSource: {type: 'url' | 'base64' | 'path'; data?: string; media_type?: string | null} = {type: kind};
			const data = str(source.data) ?? str(source.url) ?? str(source.path);
			if (data) imageSource.data = data;
			if (str(source.media_type)) imageSource.media_type = source.media_type as string;
			return {block: {type: 'image', source: imageSource}, extra: rest(raw, ['type', 'source'])};
		}

		default: {
			if (!KNOWN_BLOCK_TYPES.has(raw.type)) return {block: {...raw} as ContentBlock};
		}
	}

	return {block: {type: 'invalid_block', block: raw}, warning: `malformed ${raw.type} block kept as invalid_block`};
}

function mapStopReason(state: unknown): StopReason | undefined {
	if (!isObject(state)) return undefined;
	if (state.type === 'cancelled') return 'interrupted';
	return typeof state.stopReason === 'string' && STOP_REASONS.has(state.stopReason) ? (state.stopReason as StopReason) : undefined;
}

function messageTime(raw: Json): string | undefined {
	const meta = isObject(raw.meta) ? raw.meta : {};
	const usage = isObject(raw.usage) ? raw.usage : {};
	const fromBlocks = Array.isArray(raw.content)
		? raw.content.map(block => (isObject(block) && typeof block.startTime === 'number' ? block.startTime : Number.POSITIVE_INFINITY)).reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
		: Number.POSITIVE_INFINITY;
	return isoFromMs(meta.sentAt) ?? isoFromString(usage.timestamp) ?? (Number.isFinite(fromBlocks) ? isoFromMs(fromBlocks) : undefined);
}

function providerFor(model: string | undefined, blocks: unknown[]): string | undefined {
	for (const block of blocks) if (isObject(block) && typeof block.provider === 'string') return block.provider;
	if (!model) return undefined;
	if (/^claude/i.test(model)) return 'anthropic';
	if (/^(gpt|o\d)/i.test(model)) return 'openai';
	if (/^gemini/i.test(model)) return 'google';
	return undefined;
}

/** `fallbackTime`: used when a message carries no time of its own (tool results), e.g. the thread's creation. */
export function mapThread(thread: Json, options: {nativeId: string; fallbackTime: string}): MappedThread {
	const warnings: string[] = [];
	const unknownRecords: Record<string, number> = {};
	const messages: Message[] = [];
	const toolsUsed = new Set<string>();
	const threadId = str(thread.id) ?? options.nativeId;
	const ledger = ledgerUsage(thread.usageLedger);
	const createdAt = isoFromMs(thread.created) ?? isoFromString(thread.created);
	let lastTime = createdAt ?? options.fallbackTime;
	let lastModel: string | undefined;
	let turnId: string | undefined;
	let previousId: string | undefined;
	const rawMessages = Array.isArray(thread.messages) ? thread.messages : [];
	if (!Array.isArray(thread.messages)) warnings.push('thread has no messages array');

	rawMessages.forEach((raw, index) => {
		const position = isObject(raw) && raw.messageId !== undefined ? nativeString(raw.messageId) : `i${index}`;
		const msgId = (isObject(raw) && str(raw.protocolMessageID)) || stableHash('amp', threadId, position);
		const timestamp = (isObject(raw) && messageTime(raw)) || lastTime;
		lastTime = timestamp;

		if (!isObject(raw) || (raw.role !== 'user' && raw.role !== 'assistant') || !Array.isArray(raw.content)) {
			const kind = isObject(raw) ? `message:${typeof raw.role === 'string' ? raw.role : 'no-role'}` : 'message:not-an-object';
			addCount(unknownRecords, kind);
			messages.push({msg_id: msgId, parent_msg_id: previousId ?? null, role: 'system', is_meta: true, content: [{type: 'native_record', record: raw}], timestamp});
			previousId = msgId;
			return;
		}

		const content: ContentBlock[] = [];
		const nativeBlocks: Record<string, Json> = {};
		// One warning per kind of problem in a message, with how many blocks had it (not one line per block).
		const blockWarnings = new Map<string, number>();
		raw.content.forEach((rawBlock: unknown) => {
			const mapped = mapBlock(rawBlock);
			if (mapped.warning) blockWarnings.set(mapped.warning, (blockWarnings.get(mapped.warning) ?? 0) + 1);
			if (mapped.toolName) toolsUsed.add(mapped.toolName);
			if (mapped.extra) nativeBlocks[String(content.length)] = mapped.extra;
			content.push(mapped.block);
		});
		for (const [warning, count] of blockWarnings) warnings.push(`message ${position}: ${warning}${count > 1 ? ` (${count} blocks)` : ''}`);

		const onlyToolResults = content.length > 0 && content.every(block => block.type === 'tool_result');
		const role = raw.role === 'user' && onlyToolResults ? 'tool' : raw.role;
		if (raw.role === 'user' && !onlyToolResults) turnId = msgId;

		const message: Message = {msg_id: msgId, parent_msg_id: previousId ?? null, role, content, timestamp};
		if (turnId) message.turn_id = turnId;
		const usage = isObject(raw.usage) ? raw.usage : undefined;
		const ledgerEntry = raw.messageId === undefined ? undefined : ledger.get(nativeString(raw.messageId));
		if (raw.role === 'assistant') {
			const model = str(usage?.model) ?? ledgerEntry?.model;
			if (model) {
				message.model = model;
				lastModel = model;
			}

			const provider = providerFor(model, raw.content);
			if (provider) message.provider = provider;
			const mappedUsage = (usage && mapUsage(usage)) ?? ledgerEntry?.usage;
			if (mappedUsage) message.usage = mappedUsage;
			const stop = mapStopReason(raw.state);
			if (stop) message.stop_reason = stop;
		}

		if (content.length === 0) {
			message.content = [{type: 'native_record', record: raw}];
			message.is_meta = true;
			warnings.push(`message ${position}: no content blocks, kept as native_record`);
		}

		const metadata: Json = {};
		const native = rest(raw, ['content']);
		if (native) metadata.native = native;
		if (Object.keys(nativeBlocks).length > 0) metadata.native_blocks = nativeBlocks;
		if (role !== raw.role) metadata.native_role = raw.role;
		if (Object.keys(metadata).length > 0) message.metadata = metadata;

		messages.push(message);
		previousId = msgId;
	});

	const env = isObject(thread.env) && isObject(thread.env.initial) ? thread.env.initial : {};
	const trees = Array.isArray(env.trees) ? env.trees.filter(isObject) : [];
	const platform = isObject(env.platform) ? env.platform : {};
	const repository = trees[0] && isObject(trees[0].repository) ? trees[0].repository : undefined;
	const cwd = trees[0] ? cwdFromUri(trees[0].uri) : undefined;
	const tags = Array.isArray(env.tags) ? env.tags.filter((tag): tag is string => typeof tag === 'string') : [];
	const tagModel = tags.find(tag => tag.startsWith('model:'))?.slice('model:'.length);

	const info: SessionInfo = {};
	if (str(thread.title)) info.title = thread.title as string;
	if (cwd) info.cwd = cwd;
	if (createdAt) info.createdAt = createdAt;
	const updatedCandidates = [isoFromString(thread.updatedAt), messages.at(-1)?.timestamp].filter((value): value is string => Boolean(value)).sort();
	if (updatedCandidates.length > 0) info.updatedAt = updatedCandidates.at(-1);
	const model = lastModel ?? tagModel;
	if (model) info.model = model;
	if (str(platform.clientVersion)) info.toolVersion = platform.clientVersion as string;
	if (str(platform.clientType)) info.interface = platform.clientType as string;
	if (typeof platform.client === 'string' && /execute mode/i.test(platform.client)) info.headless = true;
	if (repository) {
		if (str(repository.url)) info.gitRemote = repository.url as string;
		if (str(repository.ref)) info.gitBranch = (repository.ref as string).replace(/^refs\/heads\//, '');
		if (str(repository.sha)) info.gitCommit = repository.sha as string;
	}

	const extra = rest(thread, ['messages', 'title', 'created', 'updatedAt']);
	if (extra) info.extra = extra;

	let workspace: Partial<Workspace> | undefined;
	if (cwd) {
		workspace = {root_path: cwd};
		if (repository) workspace.git = {remote_url: info.gitRemote ?? null, branch: info.gitBranch ?? null, commit_sha: info.gitCommit ?? null};
		// The schema's environment holds only os/os_version/shell/...; the whole platform object stays in metadata.native.
		if (str(platform.os)) workspace.environment = {os: platform.os as string};
	}

	return {messages, info, workspace, warnings, unknownRecords, recordsParsed: rawMessages.length, toolsUsed: [...toolsUsed]};
}
