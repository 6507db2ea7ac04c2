/**
 * Claude Code resume writer: a new transcript `<config>/projects/<sanitized cwd>/<uuid>.jsonl` that
 * `claude --resume <uuid>`, run in that cwd, loads: a uuid/parentUuid chain starting from a user
 * record, assistant records shaped like API responses (one content block per record, sharing the
 * response's message id, as the CLI itself writes them), a tool_result record after every tool_use,
 * and custom-title / last-prompt records for the picker.
 */
import {randomUUID} from 'node:crypto';
import type {Dirent} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {Message, Session, ThinkingBlock, ToolUseBlock} from '../engine/types.js';
import {claudeProjectRoots} from './claude-code-discover.js';
import type {AdapterContext} from './types.js';
import {type AssistantTurn, buildConversation, type UserTurn, userTurnText} from './writer-conversation.js';
import {fileExists, isoOr, jsonlLine, randomToken, writeNewFile} from './writer-files.js';
import {classifyToolCall, claudeToolFor} from './writer-tools.js';
import type {ResumeWriter, WriteOptions, WriteResult} from './writer-types.js';

/** The Claude Code version this writer was proven against with the real CLI (written as each record's `version`). */
export const CLAUDE_WRITER_VERSION = '2.1.332';
const MAX_DIR_NAME = 200;

/** Claude Code's project directory name for a cwd (`sanitizePath`): every non-alphanumeric UTF-16 unit → '-', long names hashed. */
export function claudeProjectDirName(cwd: string): string {
	const name = cwd.replaceAll(/[^a-zA-Z\d]/g, '-');
	if (name.length <= MAX_DIR_NAME) return name;
	let hash = 0;
	for (let index = 0; index < cwd.length; index++) hash = Math.trunc((hash << 5) - hash + cwd.charCodeAt(index)) | 0;
	return `${name.slice(0, MAX_DIR_NAME)}-${Math.abs(hash).toString(36)}`;
}

/** Where new transcripts go: the first `$CLAUDE_CONFIG_DIR` entry, else `~/.claude`. */
export function claudeConfigDir(ctx: AdapterContext): string {
	const configured = ctx.env.CLAUDE_CONFIG_DIR?.split(',').map(part => part.trim()).find(Boolean);
	return configured ? path.resolve(configured) : path.join(ctx.home, '.claude');
}

function mapClaudeCall(source: string) {
	return (call: ToolUseBlock) => {
		// Claude's own calls go back as they were; foreign ones only when they are a known action.
		if (source === 'claude-code') return {name: call.name, input: call.input};
		const intent = classifyToolCall(call);
		return intent ? claudeToolFor(intent) : undefined;
	};
}

function keepClaudeThinking(source: string) {
	return (block: ThinkingBlock, message: Message) =>
		source === 'claude-code' && !block.redacted && typeof block.signature === 'string' && block.signature.length > 0 && typeof block.text === 'string' && block.text.length > 0 && message.provider !== 'openai';
}

function isClaudeModel(model: string | undefined): model is string {
	return typeof model === 'string' && /^claude-/.test(model);
}

type Envelope = {sessionId: string; cwd: string; gitBranch: string; version: string};

class TranscriptBuilder {
	readonly lines: string[] = [];
	private parent: string | null = null;
	private clock = 0;
	lastUuid: string | null = null;

	constructor(
		private readonly envelope: Envelope,
		private readonly fallbackTime: string,
		private readonly defaultModel: string,
		private readonly stamp: Record<string, unknown>,
	) {}

	/** Source timestamps, kept in order (never earlier than the record before). */
	private time(value: string): string {
		const time = Math.max(Date.parse(isoOr(value, this.fallbackTime)), this.clock);
		this.clock = time;
		return new Date(time).toISOString();
	}

	private record(type: 'user' | 'assistant', fields: Record<string, unknown>, timestamp: string): string {
		const uuid = randomUUID();
		const record: Record<string, unknown> = {parentUuid: this.parent, isSidechain: false, ...fields, type, uuid, timestamp: this.time(timestamp), userType: 'external', entrypoint: 'cli', ...this.envelope};
		// The first record says where the session came from (Claude ignores keys it does not know).
		if (this.parent === null) record.sfs = this.stamp;
		this.lines.push(jsonlLine(record));
		this.parent = uuid;
		this.lastUuid = uuid;
		return uuid;
	}

	user(turn: UserTurn): void {
		const onlyText = turn.blocks.every(block => block.type === 'text');
		const content = onlyText
			? userTurnText(turn)
			: turn.blocks.map(block => (block.type === 'text' ? {type: 'text', text: block.text} : {type: 'image', source: {type: 'base64', media_type: block.source.media_type ?? 'image/png', data: block.source.data}}));
		this.record('user', {promptId: randomUUID(), message: {role: 'user', content}, permissionMode: 'default'}, turn.timestamp);
	}

	assistant(turn: AssistantTurn): void {
		const messageId = `msg_${randomToken(24)}`;
		const requestId = `req_${randomToken(24)}`;
		const calls = turn.blocks.filter(block => block.type === 'call');
		const stopReason = calls.length > 0 ? 'tool_use' : 'end_turn';
		const model = isClaudeModel(turn.model) ? turn.model : this.defaultModel;
		const usage = {
			input_tokens: turn.usage?.input_tokens ?? 0,
			cache_creation_input_tokens: turn.usage?.cache_write_tokens ?? 0,
			cache_read_input_tokens: turn.usage?.cache_read_tokens ?? 0,
			output_tokens: turn.usage?.output_tokens ?? 0,
			service_tier: 'standard',
		};
		const callRecords = new Map<string, string>();
		for (const block of turn.blocks) {
			let content: Record<string, unknown>;
			if (block.type === 'text') content = {type: 'text', text: block.text};
			else if (block.type === 'thinking') content = {type: 'thinking', thinking: block.text, signature: block.signature};
			else content = {type: 'tool_use', id: block.call.id, name: block.call.name, input: block.call.input};
			const message = {id: messageId, type: 'message', role: 'assistant', model, content: [content], stop_reason: stopReason, stop_sequence: null, usage};
			const uuid = this.record('assistant', {message, requestId}, turn.timestamp);
			if (block.type === 'call') callRecords.set(block.call.id, uuid);
		}

		for (const block of calls) {
			if (block.type !== 'call') continue;
			const {call} = block;
			const text = call.result.content;
			const content =
				call.result.images.length === 0
					? text
					: [
							...(text ? [{type: 'text', text}] : []),
							...call.result.images.map(image => ({type: 'image', source: {type: 'base64', media_type: image.source.media_type ?? 'image/png', data: image.source.data}})),
						];
			const fields: Record<string, unknown> = {
				message: {role: 'user', content: [{tool_use_id: call.id, type: 'tool_result', content, is_error: call.result.isError}]},
				sourceToolAssistantUUID: callRecords.get(call.id),
			};
			if (call.name === 'Bash') fields.toolUseResult = {stdout: call.result.isError ? '' : text, stderr: call.result.isError ? text : '', interrupted: false, isImage: false, noOutputExpected: false};
			this.record('user', fields, turn.timestamp);
		}
	}

	meta(record: Record<string, unknown>): void {
		this.lines.push(jsonlLine({...record, sessionId: this.envelope.sessionId}));
	}
}

function gitBranchOf(session: Session): string {
	const branch = session.manifest.metadata?.git_branch ?? session.workspace?.git?.branch;
	return typeof branch === 'string' && branch.length > 0 ? branch : 'HEAD';
}

function titleOf(session: Session, firstPrompt: string | undefined): string {
	const title = session.manifest.title ?? session.manifest.metadata?.alias ?? firstPrompt ?? `sfs ${session.manifest.session_id}`;
	const flat = String(title).replaceAll(/\s+/g, ' ').trim();
	return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

/** The directory as the launched CLI will see it (`process.cwd()` resolves symlinks); unchanged when it does not exist. */
async function launchDir(cwd: string): Promise<string> {
	try {
		return await fs.realpath(cwd);
	} catch {
		return cwd;
	}
}

async function writeClaudeSession(session: Session, options: WriteOptions, ctx: AdapterContext): Promise<WriteResult> {
	const source = session.manifest.source.tool;
	const conversation = buildConversation(session, {target: 'claude-code', mapCall: mapClaudeCall(source), keepThinking: keepClaudeThinking(source)});
	const nativeId = randomUUID();
	const cwd = await launchDir(options.cwd);
	if (cwd !== options.cwd) conversation.warnings.push(`cwd ${options.cwd} written as ${cwd} (Claude looks sessions up by the directory's real path)`);
	const root = options.outDir ? path.resolve(options.outDir) : claudeConfigDir(ctx);
	const nativePath = path.join(root, 'projects', claudeProjectDirName(cwd), `${nativeId}.jsonl`);
	const now = options.now.toISOString();
	const model = options.model ?? (isClaudeModel(session.manifest.model?.model_id ?? undefined) ? session.manifest.model!.model_id! : 'claude-sonnet-4-5');
	const builder = new TranscriptBuilder({sessionId: nativeId, cwd, gitBranch: gitBranchOf(session), version: CLAUDE_WRITER_VERSION}, now, model, {
		fromSessionId: options.fromSessionId,
		throughMsgId: conversation.throughMsgId,
		sourceTool: source,
	});

	let lastPrompt: string | undefined;
	for (const turn of conversation.turns) {
		if (turn.role === 'user') {
			builder.user(turn);
			lastPrompt = userTurnText(turn) || lastPrompt;
		} else {
			builder.assistant(turn);
		}
	}

	builder.meta({type: 'custom-title', customTitle: titleOf(session, conversation.firstPrompt)});
	if (lastPrompt) builder.meta({type: 'last-prompt', lastPrompt: lastPrompt.slice(0, 500), leafUuid: builder.lastUuid});
	await writeNewFile(nativePath, builder.lines.join(''));
	return {nativeId, nativePath, files: [nativePath], report: conversation.report, warnings: conversation.warnings};
}

async function projectDirs(root: string): Promise<Dirent[]> {
	try {
		return await fs.readdir(root, {withFileTypes: true});
	} catch {
		return [];
	}
}

export const claudeCodeWriter: ResumeWriter = {
	target: 'claude-code',
	binary: 'claude',
	installHint: 'npm install -g @anthropic-ai/claude-code',
	write: writeClaudeSession,
	resumeCommand(nativeId, options) {
		return ['claude', '--resume', nativeId, ...(options.model ? ['--model', options.model] : [])];
	},
	headlessResumeCommand(nativeId, prompt, options) {
		return ['claude', '-p', '--resume', nativeId, ...(options.model ? ['--model', options.model] : []), prompt];
	},
	async nativeExists(nativeId, ctx) {
		if (!/^[\w-]+$/.test(nativeId)) return false;
		for (const root of claudeProjectRoots(ctx)) {
			for (const entry of await projectDirs(root)) {
				if (entry.isDirectory() && (await fileExists(path.join(root, entry.name, `${nativeId}.jsonl`)))) return true;
			}
		}

		return false;
	},
};
