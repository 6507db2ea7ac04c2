/**
 * Copilot CLI resume writer: a new `<COPILOT_HOME or ~/.copilot>/session-state/<uuid>/` with
 * `events.jsonl` (session.start first, every envelope a UUID id with a parentId chain and an
 * offset timestamp, only event types and fields of the CLI's own schema) and `workspace.yaml` (the
 * name and cwd its picker and name lookup read). `copilot --resume=<uuid>` then replays it.
 * Every event is stamped with the write time: the session was made then, and the CLI expects a log whose
 * times never go back before its `session.start`.
 */
import {randomUUID} from 'node:crypto';
import path from 'node:path';
import type {Message, Session, ThinkingBlock, ToolUseBlock} from '../engine/types.js';
import {copilotHome} from './copilot-discover.js';
import type {AdapterContext} from './types.js';
import {type AssistantTurn, assistantText, buildConversation, type UserTurn, userTurnText} from './writer-conversation.js';
import {fileExists, isoOr, jsonlLine, makeNewDirectory, writeNewFile} from './writer-files.js';
import {classifyToolCall, copilotToolFor} from './writer-tools.js';
import type {ResumeWriter, WriteOptions, WriteResult} from './writer-types.js';

/** The Copilot CLI version this writer was proven against with the real CLI (written as `copilotVersion`). */
export const COPILOT_WRITER_VERSION = '1.0.102';

function mapCopilotCall(source: string) {
	return (call: ToolUseBlock) => {
		if (source === 'copilot') return {name: call.name, input: call.input};
		const intent = classifyToolCall(call);
		return intent ? copilotToolFor(intent) : undefined;
	};
}

/** The provider Copilot stored reasoning blocks for (the capture keeps it as `reasoning_provider`). */
function reasoningProvider(message: Message): string | undefined {
	const provider = message.metadata?.reasoning_provider;
	return typeof provider === 'string' && provider.length > 0 ? provider : undefined;
}

/**
 * Copilot replays stored reasoning to the model only through its provider-bound `reasoningBlocks` (seen with
 * 1.0.102: `reasoningText` + `reasoningOpaque` alone reach the model as nothing). So reasoning is kept, as
 * those blocks, only for a Copilot session that stored them; every other source's reasoning becomes text.
 */
function copilotThinkingPolicy(source: string) {
	const providers = new WeakMap<ThinkingBlock, string>();
	const keep = (block: ThinkingBlock, message: Message): boolean => {
		const provider = reasoningProvider(message);
		if (source !== 'copilot' || !provider || typeof block.signature !== 'string' || block.signature.length === 0) return false;
		providers.set(block, provider);
		return true;
	};

	return {keep, providers};
}

/** A YAML scalar that is always read back as the same string (JSON strings are valid YAML). */
function yamlString(value: string): string {
	return JSON.stringify(value);
}

class EventLog {
	readonly lines: string[] = [];
	private parent: string | null = null;
	private clock = 0;
	private turnCounter = 0;
	private interactionId = randomUUID();
	resultImagesDropped = 0;

	constructor(
		private readonly fallbackTime: string,
		private readonly reasoningProviders: WeakMap<ThinkingBlock, string>,
	) {}

	private time(value: string | undefined): string {
		const time = Math.max(Date.parse(isoOr(value, this.fallbackTime)), this.clock);
		this.clock = time;
		return new Date(time).toISOString();
	}

	event(type: string, data: Record<string, unknown>, timestamp?: string): string {
		const id = randomUUID();
		this.lines.push(jsonlLine({type, data, id, timestamp: this.time(timestamp), parentId: this.parent}));
		this.parent = id;
		return id;
	}

	user(turn: UserTurn): void {
		this.interactionId = randomUUID();
		const content = userTurnText(turn);
		const attachments = turn.blocks.flatMap(block =>
			block.type === 'image' && block.source.data ? [{type: 'blob', data: block.source.data, mimeType: block.source.media_type ?? 'image/png'}] : [],
		);
		this.event('user.message', {content, transformedContent: content, ...(attachments.length > 0 ? {attachments} : {}), messageId: randomUUID(), interactionId: this.interactionId}, turn.timestamp);
	}

	assistant(turn: AssistantTurn, fallbackModel: string | undefined): string[] {
		const warnings: string[] = [];
		const turnId = String(this.turnCounter++);
		const model = turn.model ?? fallbackModel;
		this.event('assistant.turn_start', {turnId, interactionId: this.interactionId, ...(model ? {model} : {})}, turn.timestamp);
		const calls = turn.blocks.flatMap(block => (block.type === 'call' ? [block.call] : []));
		const data: Record<string, unknown> = {
			messageId: randomUUID(),
			content: assistantText(turn.blocks),
			toolRequests: calls.map(call => ({toolCallId: call.id, name: call.name, arguments: call.input, type: 'function'})),
			interactionId: this.interactionId,
			turnId,
		};
		if (model) data.model = model;
		const reasoning = turn.blocks.filter((block): block is ThinkingBlock => block.type === 'thinking');
		if (reasoning.length > 0) {
			const readable = reasoning.filter(block => !block.redacted);
			if (readable.length > 0) data.reasoningText = readable.map(block => block.text).join('\n\n');
			data.reasoningOpaque = (readable[0] ?? reasoning[0]).signature;
			data.reasoningBlocks = {
				provider: this.reasoningProviders.get(reasoning[0]),
				blocks: reasoning.map(block => (block.redacted ? {type: 'redacted_thinking', data: block.signature} : {type: 'thinking', thinking: block.text, signature: block.signature})),
			};
		}

		if (typeof turn.usage?.output_tokens === 'number') data.outputTokens = turn.usage.output_tokens;
		this.event('assistant.message', data, turn.timestamp);
		for (const call of calls) {
			this.event('tool.execution_start', {toolCallId: call.id, toolName: call.name, arguments: call.input, turnId, ...(model ? {model} : {})}, turn.timestamp);
			const complete: Record<string, unknown> = {toolCallId: call.id, success: !call.result.isError, turnId, interactionId: this.interactionId, result: {content: call.result.content}};
			if (call.result.isError) complete.error = {message: call.result.content || 'failed'};
			if (call.result.images.length > 0) {
				warnings.push(`tool call ${call.id}: ${call.result.images.length} image(s) in its result not written (a written result holds text only)`);
				this.resultImagesDropped += call.result.images.length;
			}

			this.event('tool.execution_complete', complete, turn.timestamp);
		}

		this.event('assistant.turn_end', {turnId}, turn.timestamp);
		return warnings;
	}
}

function titleOf(session: Session, firstPrompt: string | undefined): string {
	const title = session.manifest.title ?? session.manifest.metadata?.alias ?? firstPrompt ?? `sfs ${session.manifest.session_id}`;
	const flat = String(title).replaceAll(/\s+/g, ' ').trim();
	return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

async function writeCopilotSession(session: Session, options: WriteOptions, ctx: AdapterContext): Promise<WriteResult> {
	const source = session.manifest.source.tool;
	const thinking = copilotThinkingPolicy(source);
	const conversation = buildConversation(session, {target: 'copilot', mapCall: mapCopilotCall(source), keepThinking: thinking.keep});
	const warnings = [...conversation.warnings];
	const nativeId = randomUUID();
	const root = options.outDir ? path.resolve(options.outDir) : copilotHome(ctx);
	const dir = path.join(root, 'session-state', nativeId);
	const now = options.now.toISOString();
	const branch = session.manifest.metadata?.git_branch ?? session.workspace?.git?.branch ?? undefined;
	const log = new EventLog(now, thinking.providers);
	const context: Record<string, unknown> = {cwd: options.cwd};
	if (typeof branch === 'string' && branch) context.branch = branch;
	// The log starts now (that is when this session was made); the conversation keeps its own times after it.
	log.event(
		'session.start',
		{
			sessionId: nativeId,
			version: 1,
			producer: 'copilot-agent',
			copilotVersion: COPILOT_WRITER_VERSION,
			startTime: now,
			...(options.model ? {selectedModel: options.model} : {}),
			context,
			alreadyInUse: false,
			remoteSteerable: false,
		},
		now,
	);
	const report = {...conversation.report};
	// Model names are Copilot's own only for a Copilot session; a foreign name (gpt-5-codex, gemini-…) is left out
	// rather than offered to Copilot's model selection.
	const ownModels = source === 'copilot';
	const sourceModel = ownModels ? (session.manifest.model?.model_id ?? undefined) : undefined;
	for (const turn of conversation.turns) {
		if (turn.role === 'user') log.user({...turn, timestamp: now});
		else warnings.push(...log.assistant({...turn, timestamp: now, model: ownModels ? turn.model : undefined}, sourceModel));
	}

	const title = titleOf(session, conversation.firstPrompt);
	const workspace = [
		`id: ${nativeId}`,
		`cwd: ${yamlString(options.cwd)}`,
		...(typeof branch === 'string' && branch ? [`branch: ${yamlString(branch)}`] : []),
		'client_name: github/cli',
		`name: ${yamlString(title)}`,
		'user_named: false',
		'summary_count: 0',
		'fork_count: 0',
		`created_at: ${now}`,
		`updated_at: ${now}`,
		'',
	].join('\n');

	await makeNewDirectory(dir);
	const eventsPath = path.join(dir, 'events.jsonl');
	const workspacePath = path.join(dir, 'workspace.yaml');
	await writeNewFile(eventsPath, log.lines.join(''));
	await writeNewFile(workspacePath, workspace);
	report.images_kept -= log.resultImagesDropped;
	return {nativeId, nativePath: eventsPath, files: [eventsPath, workspacePath], report, warnings};
}

export const copilotWriter: ResumeWriter = {
	target: 'copilot',
	binary: 'copilot',
	installHint: 'npm install -g @github/copilot',
	write: writeCopilotSession,
	resumeCommand(nativeId, options) {
		// `--resume` takes an optional value: the `=` form cannot be misread as a prompt or another flag.
		return ['copilot', `--resume=${nativeId}`, ...(options.model ? ['--model', options.model] : [])];
	},
	headlessResumeCommand(nativeId, prompt, options) {
		return ['copilot', `--resume=${nativeId}`, ...(options.model ? ['--model', options.model] : []), '-p', prompt];
	},
	async nativeExists(nativeId, ctx) {
		if (!/^[\w-]+$/.test(nativeId)) return false;
		const stateDir = path.join(copilotHome(ctx), 'session-state');
		return (await fileExists(path.join(stateDir, nativeId, 'events.jsonl'))) || fileExists(path.join(stateDir, `${nativeId}.jsonl`));
	},
};
