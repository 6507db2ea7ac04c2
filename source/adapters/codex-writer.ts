/**
 * Codex CLI resume writer: a new rollout `<CODEX_HOME or ~/.codex>/sessions/YYYY/MM/DD/rollout-<local time>-<uuid v7>.jsonl`
 * that `codex resume <uuid>` and `codex exec resume <uuid>` load: a `session_meta` line first (`source: "cli"`, so the
 * picker lists it), then per user turn `task_started`, `turn_context`, the prompt as a `response_item` message (what the
 * model sees) and as a `user_message` event (what the picker and the TUI show), the assistant's messages, tool calls
 * (`function_call` / freeform `custom_tool_call`) each followed by its output, and `task_complete`.
 * Reasoning goes back as Codex reasoning only when it is Codex's own with its encrypted content; anything else is text.
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {ImageBlock, Message, Session, ThinkingBlock, ToolUseBlock} from '../engine/types.js';
import {codexHome, codexRoots} from './codex-discover.js';
import type {AdapterContext} from './types.js';
import {type AssistantTurn, buildConversation, type UserTurn, type WrittenCall} from './writer-conversation.js';
import {jsonlLine, writeNewFile} from './writer-files.js';
import {classifyToolCall, codexToolFor, type MappedCall} from './writer-tools.js';
import type {ResumeWriter, WriteOptions, WriteResult} from './writer-types.js';

/** The Codex CLI version this writer was proven against with the real CLI (written as `cli_version`). */
export const CODEX_WRITER_VERSION = '0.169.0';
/** The model named in `turn_context` when neither --model, the user's config.toml nor the source says one. */
export const CODEX_DEFAULT_MODEL = 'gpt-5.5';

/** A UUID v7 (time-ordered), the kind Codex mints for thread ids. */
export function uuidV7(time: number): string {
	const bytes = randomBytes(16);
	let ms = Math.max(0, Math.floor(time));
	for (let index = 5; index >= 0; index--) {
		bytes[index] = ms % 256;
		ms = Math.floor(ms / 256);
	}

	bytes[6] = (bytes[6]! & 0x0f) | 0x70;
	bytes[8] = (bytes[8]! & 0x3f) | 0x80;
	const hex = bytes.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** Codex names the day directories and the file after the local time. */
function localParts(date: Date): {day: string[]; stamp: string} {
	const day = [String(date.getFullYear()), pad(date.getMonth() + 1), pad(date.getDate())];
	return {day, stamp: `${day.join('-')}T${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`};
}

type CodexConfig = {model?: string; modelProvider?: string};

/** `model` and `model_provider` from the top of config.toml (before any table); enough to match the user's setup. */
export async function readCodexConfig(home: string): Promise<CodexConfig> {
	let text: string;
	try {
		text = await fs.readFile(path.join(home, 'config.toml'), 'utf8');
	} catch {
		return {};
	}

	const config: CodexConfig = {};
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line.startsWith('[')) break;
		const match = /^(model|model_provider)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(line);
		if (!match) continue;
		let value = match[3] ?? match[2] ?? '';
		if (match[2] !== undefined) {
			try {
				value = JSON.parse(`"${match[2]}"`) as string;
			} catch {}
		}

		if (match[1] === 'model') config.model = value;
		else config.modelProvider = value;
	}

	return config;
}

function isOpenAiModel(model: string | null | undefined): model is string {
	return typeof model === 'string' && /^(?:gpt-|o\d|codex)/i.test(model);
}

function dataUrl(image: ImageBlock): string | undefined {
	if (image.source.type !== 'base64' || !image.source.data) return undefined;
	return `data:${image.source.media_type ?? 'image/png'};base64,${image.source.data}`;
}

/** How each source call is written: Codex's own calls keep their item kind, foreign ones become Codex tools. */
class CallMapper {
	/** Inputs of calls written as freeform `custom_tool_call` items (apply_patch). */
	readonly freeform = new WeakSet<object>();
	private readonly itemKind = new Map<string, string>();

	constructor(private readonly source: string, session: Session) {
		if (source !== 'codex') return;
		for (const message of session.messages) {
			const kind = message.metadata?.record_type;
			if (typeof kind !== 'string') continue;
			for (const block of message.content) if (block.type === 'tool_use') this.itemKind.set((block as ToolUseBlock).tool_use_id, kind);
		}
	}

	map = (call: ToolUseBlock): MappedCall | undefined => {
		const kind = this.itemKind.get(call.tool_use_id);
		if (kind === 'response_item:function_call') return {name: call.name, input: call.input};
		if (kind === 'response_item:custom_tool_call' && typeof call.input.input === 'string') {
			const mapped = {name: call.name, input: {input: call.input.input}};
			this.freeform.add(mapped.input);
			return mapped;
		}

		const intent = classifyToolCall(call);
		if (!intent) return undefined;
		const mapped = codexToolFor(intent);
		if (mapped.name === 'apply_patch') this.freeform.add(mapped.input);
		return mapped;
	};
}

/** Codex reasoning is replayed only with its encrypted content (the API refuses reasoning items without it). */
class ReasoningKeeper {
	readonly encrypted = new WeakMap<ThinkingBlock, string>();

	constructor(private readonly source: string) {}

	keep = (block: ThinkingBlock, message: Message): boolean => {
		const encrypted = message.metadata?.encrypted_content;
		if (this.source !== 'codex' || typeof encrypted !== 'string' || encrypted.length === 0) return false;
		this.encrypted.set(block, encrypted);
		return true;
	};
}

class RolloutBuilder {
	readonly lines: string[] = [];
	private turnId: string | undefined;
	private lastAgentMessage: string | null = null;
	private readonly startedAt: number;

	constructor(
		private readonly now: Date,
		private readonly turnSettings: Record<string, unknown>,
		private readonly calls: CallMapper,
		private readonly reasoning: ReasoningKeeper,
		private readonly foreign: boolean,
	) {
		this.startedAt = Math.floor(now.getTime() / 1000);
	}

	line(type: string, payload: Record<string, unknown>): void {
		this.lines.push(jsonlLine({timestamp: this.now.toISOString(), type, payload}));
	}

	private closeTurn(): void {
		if (!this.turnId) return;
		this.line('event_msg', {type: 'task_complete', turn_id: this.turnId, last_agent_message: this.lastAgentMessage});
		this.turnId = undefined;
		this.lastAgentMessage = null;
	}

	user(turn: UserTurn): void {
		this.closeTurn();
		this.turnId = uuidV7(this.now.getTime());
		this.line('event_msg', {type: 'task_started', turn_id: this.turnId, started_at: this.startedAt, collaboration_mode_kind: 'default'});
		this.line('turn_context', {turn_id: this.turnId, ...this.turnSettings});
		const content: Array<Record<string, unknown>> = [];
		const texts: string[] = [];
		const images: string[] = [];
		for (const block of turn.blocks) {
			if (block.type === 'text') {
				content.push({type: 'input_text', text: block.text});
				texts.push(block.text);
				continue;
			}

			const url = dataUrl(block);
			if (!url) continue;
			images.push(url);
			// The markers Codex itself wraps around a pasted image.
			content.push({type: 'input_text', text: `<image name=[Image #${images.length}]>`}, {type: 'input_image', image_url: url}, {type: 'input_text', text: '</image>'});
		}

		this.line('response_item', {type: 'message', role: 'user', content});
		this.line('event_msg', {type: 'user_message', message: texts.join('\n'), images, local_images: [], text_elements: []});
	}

	assistant(turn: AssistantTurn): void {
		for (const block of turn.blocks) {
			if (block.type === 'text') {
				this.line('response_item', {type: 'message', role: 'assistant', content: [{type: 'output_text', text: block.text}]});
				this.line('event_msg', {type: 'agent_message', message: block.text});
				this.lastAgentMessage = block.text;
			} else if (block.type === 'thinking') {
				const summary = block.summary ?? block.text;
				this.line('response_item', {
					type: 'reasoning',
					summary: summary ? [{type: 'summary_text', text: summary}] : [],
					content: null,
					encrypted_content: this.reasoning.encrypted.get(block) ?? null,
				});
			} else {
				this.call(block.call);
			}
		}
	}

	private call(call: WrittenCall): void {
		if (this.calls.freeform.has(call.input)) {
			this.line('response_item', {type: 'custom_tool_call', status: 'completed', call_id: call.id, name: call.name, input: call.input.input});
			this.line('response_item', {type: 'custom_tool_call_output', call_id: call.id, output: call.result.content});
			return;
		}

		this.line('response_item', {type: 'function_call', name: call.name, arguments: JSON.stringify(call.input), call_id: call.id});
		let text = call.result.content;
		// A foreign failure says so the way Codex's own shell output does (and the capture adapter reads back).
		if (this.foreign && call.name === 'exec_command' && call.result.isError && !/Process exited with code/.test(text)) {
			text = `Process exited with code ${call.result.exitCode ?? 1}\nOutput:\n${text}`;
		}

		const images = call.result.images.flatMap(image => {
			const url = dataUrl(image);
			return url ? [{type: 'input_image', image_url: url}] : [];
		});
		const output = images.length > 0 ? [{type: 'input_text', text}, ...images] : text;
		this.line('response_item', {type: 'function_call_output', call_id: call.id, output});
	}

	finish(): void {
		this.closeTurn();
	}
}

function gitOf(session: Session, cwd: string): Record<string, string> | undefined {
	// The source's git facts describe its own checkout: only claim them for the same directory.
	const sourceCwd = session.manifest.metadata?.cwd ?? session.workspace?.root_path;
	if (sourceCwd !== cwd) return undefined;
	const git: Record<string, string> = {};
	const info = session.workspace?.git;
	const branch = session.manifest.metadata?.git_branch ?? info?.branch;
	if (info?.commit_sha) git.commit_hash = info.commit_sha;
	if (typeof branch === 'string' && branch) git.branch = branch;
	if (info?.remote_url) git.repository_url = info.remote_url;
	return Object.keys(git).length > 0 ? git : undefined;
}

async function writeCodexSession(session: Session, options: WriteOptions, ctx: AdapterContext): Promise<WriteResult> {
	const source = session.manifest.source.tool;
	const calls = new CallMapper(source, session);
	const reasoning = new ReasoningKeeper(source);
	const conversation = buildConversation(session, {target: 'codex', mapCall: calls.map, keepThinking: reasoning.keep});
	const home = codexHome(ctx);
	const config = await readCodexConfig(home);
	const sourceModel = session.manifest.model?.model_id;
	const model = options.model ?? config.model ?? (isOpenAiModel(sourceModel) ? sourceModel : CODEX_DEFAULT_MODEL);

	const nativeId = uuidV7(options.now.getTime());
	const {day, stamp} = localParts(options.now);
	const root = options.outDir ? path.resolve(options.outDir) : home;
	const nativePath = path.join(root, 'sessions', ...day, `rollout-${stamp}-${nativeId}.jsonl`);

	const meta: Record<string, unknown> = {
		id: nativeId,
		session_id: nativeId,
		timestamp: options.now.toISOString(),
		cwd: options.cwd,
		originator: 'codex_cli_rs',
		cli_version: CODEX_WRITER_VERSION,
		source: 'cli',
	};
	if (config.modelProvider) meta.model_provider = config.modelProvider;
	const git = gitOf(session, options.cwd);
	if (git) meta.git = git;

	const turnSettings = {cwd: options.cwd, approval_policy: 'on-request', sandbox_policy: {type: 'read-only'}, model, summary: 'auto'};
	const builder = new RolloutBuilder(options.now, turnSettings, calls, reasoning, source !== 'codex');
	builder.line('session_meta', meta);
	for (const turn of conversation.turns) {
		if (turn.role === 'user') builder.user(turn);
		else builder.assistant(turn);
	}

	builder.finish();
	await writeNewFile(nativePath, builder.lines.join(''));
	return {nativeId, nativePath, files: [nativePath], report: conversation.report, warnings: conversation.warnings};
}

async function containsRollout(dir: string, suffix: string, depth: number): Promise<boolean> {
	let entries;
	try {
		entries = await fs.readdir(dir, {withFileTypes: true});
	} catch {
		return false;
	}

	for (const entry of entries) {
		if (entry.isFile() && entry.name.startsWith('rollout-') && (entry.name.endsWith(suffix) || entry.name.endsWith(`${suffix}.zst`))) return true;
	}

	for (const entry of entries) {
		if (entry.isDirectory() && depth < 3 && (await containsRollout(path.join(dir, entry.name), suffix, depth + 1))) return true;
	}

	return false;
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

export const codexWriter: ResumeWriter = {
	target: 'codex',
	binary: 'codex',
	installHint: 'npm install -g @openai/codex',
	write: writeCodexSession,
	resumeCommand(nativeId, options) {
		return ['codex', 'resume', ...(options.model ? ['--model', options.model] : []), nativeId];
	},
	headlessResumeCommand(nativeId, prompt, options) {
		// `--` keeps a prompt that starts with "-" from being read as a flag.
		return ['codex', 'exec', 'resume', ...(options.model ? ['--model', options.model] : []), '--', nativeId, prompt];
	},
	async nativeExists(nativeId, ctx) {
		if (!UUID.test(nativeId)) return false;
		for (const root of codexRoots(ctx)) {
			if (await containsRollout(root, `-${nativeId.toLowerCase()}.jsonl`, 0)) return true;
		}

		return false;
	},
};
