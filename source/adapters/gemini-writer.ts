/**
 * Gemini CLI resume writer: a new chat `<GEMINI_CLI_HOME or HOME>/.gemini/tmp/<project slug>/chats/session-<UTC minute>-<id8>.jsonl`
 * in the JSONL format of v0.39+ (a metadata line, then one record per message) that `gemini --resume <uuid>`, run in
 * the project directory, loads. The slug is registered in `projects.json` the way Gemini does it. `lastUpdated` is the
 * time of writing: Gemini's startup cleanup deletes sessions last updated more than 30 days ago (and any file it
 * cannot parse). Tool calls are `toolCalls` on the model's message, each with its `functionResponse` result.
 */
import {createHash, randomUUID} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {Message, Session, ThinkingBlock, ToolUseBlock} from '../engine/types.js';
import {discoverGemini, geminiDir} from './gemini-discover.js';
import {resolveGeminiProject} from './gemini-project.js';
import type {AdapterContext} from './types.js';
import {type AssistantTurn, buildConversation, type UserTurn, type WrittenCall} from './writer-conversation.js';
import {isoOr, jsonlLine, writeNewFile} from './writer-files.js';
import {classifyToolCall, geminiToolFor} from './writer-tools.js';
import type {ResumeWriter, WriteOptions, WriteResult} from './writer-types.js';

/** The Gemini CLI version this writer was proven against with the real CLI. */
export const GEMINI_WRITER_VERSION = '0.61.0';

/** The names Gemini shows for its own tools (`displayName` of a tool call record). */
const DISPLAY_NAMES: Record<string, string> = {run_shell_command: 'Shell', read_file: 'ReadFile', write_file: 'WriteFile', replace: 'Edit'};

function mapGeminiCall(source: string) {
	return (call: ToolUseBlock) => {
		if (source === 'gemini') return {name: call.name, input: call.input};
		const intent = classifyToolCall(call);
		return intent ? geminiToolFor(intent) : undefined;
	};
}

/**
 * Reasoning always becomes text, Gemini's own included: the CLI strips thought parts from the history it sends
 * (seen with 0.61.0: `thoughts` written on a model message never reach the request), so only text reaches the model.
 */
function keepGeminiThinking(_block: ThinkingBlock, _message: Message): boolean {
	return false;
}

function isGeminiModel(model: string | null | undefined): model is string {
	return typeof model === 'string' && /^gemini-/.test(model);
}

/**
 * On resume Gemini leaves out every user message whose text starts with "/" or "?" (its commands) or with its own
 * context tags (seen with 0.61.0: a prompt "/etc/hosts is broken" never reaches the model). A zero-width space in
 * front keeps such a prompt, unchanged to read, in the conversation.
 */
const IGNORED_PROMPT = /^\s*(?:[/?]|<session_context>|<hook_context>)/;
const ZERO_WIDTH_SPACE = '\u200B';

type Segment = {thoughts: ThinkingBlock[]; texts: string[]; calls: WrittenCall[]};

class ChatBuilder {
	readonly lines: string[] = [];
	private clock = 0;

	constructor(
		private readonly now: Date,
		private readonly model: string | undefined,
	) {}

	/** Source times, in order and never after the time of writing. */
	private time(value: string): string {
		const time = Math.min(Math.max(Date.parse(isoOr(value, this.now.toISOString())), this.clock), this.now.getTime());
		this.clock = time;
		return new Date(time).toISOString();
	}

	record(value: Record<string, unknown>): void {
		this.lines.push(jsonlLine(value));
	}

	/** Writes a user turn; true when its text had to be shielded from Gemini's resume filter. */
	user(turn: UserTurn): boolean {
		const content = turn.blocks.flatMap((block): Array<Record<string, unknown>> => {
			if (block.type === 'text') return [{text: block.text}];
			return block.source.data ? [{inlineData: {mimeType: block.source.media_type ?? 'image/png', data: block.source.data}}] : [];
		});
		const first = content[0];
		const shielded = typeof first?.text === 'string' && IGNORED_PROMPT.test(first.text);
		if (shielded) content[0] = {text: `${ZERO_WIDTH_SPACE}${first.text as string}`};
		this.record({id: randomUUID(), timestamp: this.time(turn.timestamp), type: 'user', content});
		return shielded;
	}

	/**
	 * One model message per run of text and reasoning followed by its calls (Gemini replays a message as its
	 * thoughts, text, then calls, and answers the calls in one user turn after it).
	 */
	assistant(turn: AssistantTurn): void {
		const segments: Segment[] = [];
		let current: Segment | undefined;
		for (const block of turn.blocks) {
			if (!current || (block.type !== 'call' && current.calls.length > 0)) {
				current = {thoughts: [], texts: [], calls: []};
				segments.push(current);
			}

			if (block.type === 'text') current.texts.push(block.text);
			else if (block.type === 'thinking') current.thoughts.push(block);
			else current.calls.push(block.call);
		}

		const timestamp = this.time(turn.timestamp);
		const model = isGeminiModel(turn.model) ? turn.model : this.model;
		for (const segment of segments) {
			const record: Record<string, unknown> = {
				id: randomUUID(),
				timestamp,
				type: 'gemini',
				// One string, as Gemini writes it (its UI joins separate text parts without a break).
				content: segment.texts.join('\n\n'),
				thoughts: segment.thoughts.map(thought => ({subject: thought.summary ?? '', description: thought.text, timestamp})),
			};
			if (model) record.model = model;
			if (segment.calls.length > 0) record.toolCalls = segment.calls.map(call => toolCallRecord(call, timestamp));
			this.record(record);
		}
	}
}

function toolCallRecord(call: WrittenCall, timestamp: string): Record<string, unknown> {
	const text = call.result.content;
	const response = call.result.isError ? {error: text} : {output: text};
	const images = call.result.images.flatMap(image => (image.source.data ? [{inlineData: {mimeType: image.source.media_type ?? 'image/png', data: image.source.data}}] : []));
	const record: Record<string, unknown> = {
		id: call.id,
		name: call.name,
		args: call.input,
		result: [{functionResponse: {id: call.id, name: call.name, response}}, ...images],
		status: call.result.isError ? 'error' : 'success',
		timestamp,
		resultDisplay: text,
		renderOutputAsMarkdown: false,
	};
	if (DISPLAY_NAMES[call.name]) record.displayName = DISPLAY_NAMES[call.name];
	if (call.name === 'run_shell_command' && typeof call.input.command === 'string') record.description = call.input.command;
	return record;
}

function titleOf(session: Session): string | undefined {
	const title = session.manifest.title ?? session.manifest.metadata?.alias;
	if (typeof title !== 'string' || !title.trim()) return undefined;
	const flat = title.replaceAll(/\s+/g, ' ').trim();
	return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

/** A session id whose 8-character file-name prefix is new in `chats` (Gemini's cleanup deletes files by that prefix). */
async function freshSessionId(chats: string): Promise<string> {
	let names: string[] = [];
	try {
		names = await fs.readdir(chats);
	} catch {}

	for (;;) {
		const id = randomUUID();
		if (!names.some(name => name.includes(`-${id.slice(0, 8)}.json`))) return id;
	}
}

async function writeGeminiSession(session: Session, options: WriteOptions, ctx: AdapterContext): Promise<WriteResult> {
	const source = session.manifest.source.tool;
	const conversation = buildConversation(session, {target: 'gemini', mapCall: mapGeminiCall(source), keepThinking: keepGeminiThinking});
	const root = options.outDir ? path.resolve(options.outDir) : geminiDir(ctx);
	const projectRoot = path.resolve(options.cwd);
	const project = await resolveGeminiProject(root, projectRoot);
	const chats = path.join(project.tmpDir, 'chats');
	const nativeId = await freshSessionId(chats);
	const now = options.now.toISOString();
	const nativePath = path.join(chats, `session-${now.slice(0, 16).replaceAll(':', '-')}-${nativeId.slice(0, 8)}.jsonl`);

	const sourceModel = session.manifest.model?.model_id;
	const builder = new ChatBuilder(options.now, options.model ?? (isGeminiModel(sourceModel) ? sourceModel : undefined));
	const metadata: Record<string, unknown> = {
		sessionId: nativeId,
		projectHash: createHash('sha256').update(projectRoot).digest('hex'),
		startTime: now,
		lastUpdated: now,
		kind: 'main',
	};
	const title = titleOf(session);
	if (title) metadata.summary = title;
	builder.record(metadata);
	let shielded = 0;
	for (const turn of conversation.turns) {
		if (turn.role === 'user') shielded += builder.user(turn) ? 1 : 0;
		else builder.assistant(turn);
	}

	const warnings = [...conversation.warnings];
	if (shielded > 0) {
		warnings.push(`${shielded} user prompt${shielded === 1 ? '' : 's'} starting with "/", "?" or a Gemini context tag written after a zero-width space (Gemini leaves such prompts out when it resumes)`);
	}

	await writeNewFile(nativePath, builder.lines.join(''));
	return {nativeId, nativePath, files: [nativePath, ...project.files], report: conversation.report, warnings};
}

export const geminiWriter: ResumeWriter = {
	target: 'gemini',
	binary: 'gemini',
	installHint: 'npm install -g @google/gemini-cli',
	write: writeGeminiSession,
	resumeCommand(nativeId, options) {
		return ['gemini', '--resume', nativeId, ...(options.model ? ['--model', options.model] : [])];
	},
	headlessResumeCommand(nativeId, prompt, options) {
		// The `=` form keeps a prompt that starts with "-" from being read as a flag.
		return ['gemini', '--resume', nativeId, ...(options.model ? ['--model', options.model] : []), `--prompt=${prompt}`];
	},
	async nativeExists(nativeId, ctx) {
		if (!/^[\w-]+$/.test(nativeId)) return false;
		return (await discoverGemini(ctx)).some(session => session.nativeId === nativeId && !session.parentNativeId);
	},
};
