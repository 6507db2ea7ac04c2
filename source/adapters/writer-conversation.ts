/**
 * Canonical messages → the conversation a resume target can replay: alternating user and assistant
 * turns, every tool call answered by its result right after the turn that made it, and nothing the
 * target would reject (foreign reasoning, orphan results, sub-agent or native records). Each source
 * message is counted as kept, converted or dropped, with a one-line reason for every drop, so the
 * fidelity report says exactly what happened. The writers only serialise the turns.
 */
import {SfsError} from '../engine/errors.js';
import type {ContentBlock, ImageBlock, Message, ResumeTarget, Session, TextBlock, ThinkingBlock, TokenUsage, ToolResultBlock, ToolUseBlock} from '../engine/types.js';
import type {FidelityReport} from './writer-types.js';
import type {MappedCall} from './writer-tools.js';

export type WrittenCall = {
	/** The id written to the target (the source id when it is valid there). */
	id: string;
	name: string;
	input: Record<string, unknown>;
	result: {content: string; isError: boolean; images: ImageBlock[]; exitCode?: number | null};
	/** The call as the source tool made it. */
	original: ToolUseBlock;
};

export type UserTurn = {role: 'user'; blocks: Array<TextBlock | ImageBlock>; timestamp: string};
export type AssistantBlock = TextBlock | ThinkingBlock | {type: 'call'; call: WrittenCall};
export type AssistantTurn = {
	role: 'assistant';
	blocks: AssistantBlock[];
	timestamp: string;
	model?: string;
	usage?: TokenUsage;
};
export type Turn = UserTurn | AssistantTurn;

export type TurnPolicy = {
	target: ResumeTarget;
	/** The call as the target's own tool, or undefined to write it as text. */
	mapCall(call: ToolUseBlock): MappedCall | undefined;
	/** Whether a reasoning block may be written as the target's own reasoning (same vendor, valid signature). */
	keepThinking(block: ThinkingBlock, message: Message): boolean;
};

export type Conversation = {
	turns: Turn[];
	report: Omit<FidelityReport, 'turns_trimmed'>;
	warnings: string[];
	/** The last source message written (for lineage: what the native session covers). */
	throughMsgId: string | null;
	firstPrompt?: string;
};

type Status = 'kept' | 'converted' | 'dropped';

const TOOL_ID = /^[\w-]{1,64}$/;
/** Above this many messages dropped for one reason, the warning says how many instead of listing ids. */
const REASON_SAMPLES = 3;

function toolLabel(session: Session): string {
	return session.manifest.source.tool;
}

function isConversation(message: Message): boolean {
	return !message.is_meta && (message.role === 'user' || message.role === 'assistant' || message.role === 'tool');
}

/** The messages on the branch that reaches the newest message (rewinds leave dead branches behind). */
function liveBranch(messages: Message[], sidechainIsMain: boolean): Set<string> | undefined {
	const byId = new Map(messages.map(message => [message.msg_id, message]));
	const leaf = messages.findLast(message => (sidechainIsMain || !message.is_sidechain) && message.parent_msg_id !== undefined && ['user', 'assistant', 'tool'].includes(message.role));
	if (!leaf) return undefined;
	const path = new Set<string>();
	let current: Message | undefined = leaf;
	while (current && !path.has(current.msg_id)) {
		path.add(current.msg_id);
		const parent = current.parent_msg_id;
		if (parent === null || parent === undefined) return path;
		current = byId.get(parent);
	}

	// A broken or cyclic chain proves nothing about branches: keep every message.
	return undefined;
}

function stringify(value: unknown): string {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

function isNativeOnly(message: Message): boolean {
	return message.content.length > 0 && message.content.every(block => block.type === 'native_record');
}

function textBlock(text: string): TextBlock {
	return {type: 'text', text};
}

function summaryText(summary: string): TextBlock {
	return textBlock(`[Summary of the earlier conversation]\n${summary}`);
}

class TurnBuilder {
	readonly turns: Turn[] = [];
	/** Set when a tool result arrived after the last assistant turn made calls: new assistant content starts a new turn. */
	private callsAnswered = false;

	user(blocks: Array<TextBlock | ImageBlock>, timestamp: string): void {
		if (blocks.length === 0) return;
		const last = this.turns.at(-1);
		if (last?.role === 'user') last.blocks.push(...blocks);
		else this.turns.push({role: 'user', blocks: [...blocks], timestamp});
	}

	assistant(blocks: AssistantBlock[], message: Message): void {
		if (blocks.length === 0) return;
		const last = this.turns.at(-1);
		const lastHasCalls = last?.role === 'assistant' && last.blocks.some(block => block.type === 'call');
		if (last?.role === 'assistant' && !(lastHasCalls && this.callsAnswered)) {
			last.blocks.push(...blocks);
			if (!last.model && message.model) last.model = message.model;
			return;
		}

		const turn: AssistantTurn = {role: 'assistant', blocks: [...blocks], timestamp: message.timestamp};
		if (message.model) turn.model = message.model;
		if (message.usage) turn.usage = message.usage;
		this.turns.push(turn);
		this.callsAnswered = false;
	}

	resultArrived(): void {
		this.callsAnswered = true;
	}

}

/** Builds the turns for `policy.target` from a canonical session. Throws when nothing at all can be written. */
export function buildConversation(session: Session, policy: TurnPolicy): Conversation {
	const source = toolLabel(session);
	const warnings: string[] = [];
	const dropReasons = new Map<string, string[]>();
	const statuses = new Map<Message, Status>();
	let toolCallsMapped = 0;
	let imagesKept = 0;
	const thinking = {kept: 0, asText: 0, dropped: 0};
	let throughMsgId: string | null = null;
	let firstPrompt: string | undefined;

	const drop = (message: Message, reason: string) => {
		statuses.set(message, 'dropped');
		const ids = dropReasons.get(reason) ?? [];
		ids.push(message.msg_id);
		dropReasons.set(reason, ids);
	};

	const mark = (message: Message, status: Status) => {
		const previous = statuses.get(message);
		if (previous === 'converted') return;
		statuses.set(message, status);
	};

	// A sub-agent's own transcript (captured as its own session) is all sidechain: then that chain is the conversation.
	const sidechainIsMain = !session.messages.some(message => !message.is_sidechain && isConversation(message)) && session.messages.some(message => isConversation(message));
	if (sidechainIsMain) warnings.push('sub-agent transcript: its own conversation is written as the main conversation');
	const live = liveBranch(session.messages, sidechainIsMain);
	// Every result by the id of its call, in order: a call takes the first result of its id not yet taken
	// (some tools reuse ids like `list_directory_1` across turns).
	type FoundResult = {block: ToolResultBlock; images: ImageBlock[]; message: Message};
	const results = new Map<string, FoundResult[]>();
	const taken = new Set<FoundResult>();
	const callIds = new Set<string>();
	for (const message of session.messages) {
		for (const [index, block] of message.content.entries()) {
			if (block.type === 'tool_use' && typeof block.tool_use_id === 'string') callIds.add(block.tool_use_id);
			if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
			// Images that follow a result in the same message belong to it.
			const images: ImageBlock[] = [];
			for (const next of message.content.slice(index + 1)) {
				if (next.type === 'image') images.push(next as ImageBlock);
				else break;
			}

			const list = results.get(block.tool_use_id) ?? [];
			list.push({block: block as ToolResultBlock, images, message});
			results.set(block.tool_use_id, list);
		}
	}

	const writtenIds = new Set<string>();
	let generated = 0;
	const writtenIdFor = (sourceId: string): string => {
		let id = TOOL_ID.test(sourceId) && !writtenIds.has(sourceId) ? sourceId : '';
		while (!id || writtenIds.has(id)) id = `toolu_sfs${String(++generated).padStart(4, '0')}`;
		writtenIds.add(id);
		return id;
	};

	const builder = new TurnBuilder();

	for (const message of session.messages) {
		if (message.is_sidechain && !sidechainIsMain) {
			drop(message, 'sub-agent (sidechain) message, left out of the main conversation');
			continue;
		}

		if (live && isConversation(message) && message.parent_msg_id !== undefined && !live.has(message.msg_id)) {
			drop(message, 'not on the live branch (rewound or abandoned)');
			continue;
		}

		if (isNativeOnly(message)) {
			drop(message, 'native record of the source tool, no conversation content');
			continue;
		}

		const summaries = message.content.flatMap(block => (block.type === 'summary' && typeof block.text === 'string' && block.text.trim().length > 0 ? [block.text] : []));
		if (summaries.length > 0 && (message.is_meta || message.role === 'system' || message.role === 'developer')) {
			// A compaction summary the harness wrote: the summary is conversation, the rest of the record is not.
			builder.user(summaries.map(summary => summaryText(summary)), message.timestamp);
			mark(message, 'converted');
			throughMsgId = message.msg_id;
			continue;
		}

		if (message.role === 'system' || message.role === 'developer') {
			drop(message, `${message.role} message of ${source} (the target uses its own system prompt)`);
			continue;
		}

		if (message.is_meta) {
			drop(message, 'harness-generated message (not part of the conversation)');
			continue;
		}

		let converted = false;
		let wrote = false;
		const userBlocks: Array<TextBlock | ImageBlock> = [];
		const assistantBlocks: AssistantBlock[] = [];
		const isAssistant = message.role === 'assistant';
		let resultSeen = false;
		// Images right after a tool result are part of that result (written with it, not as user images).
		let afterResult = false;

		for (const block of message.content) {
			if (block.type === 'image' && afterResult) continue;
			afterResult = block.type === 'tool_result';
			switch (block.type) {
				case 'text': {
					const value = typeof block.text === 'string' ? block.text : '';
					if (value.trim().length === 0) break;
					if (isAssistant) assistantBlocks.push(textBlock(value));
					else userBlocks.push(textBlock(value));
					if (message.role === 'user' && !firstPrompt) firstPrompt = value.trim();
					break;
				}

				case 'image': {
					const image = block as ImageBlock;
					if (!isAssistant && image.source.type === 'base64' && image.source.data) {
						userBlocks.push(image);
						imagesKept++;
					} else {
						const where = image.source.type === 'base64' ? 'inline' : (image.source.data ?? '');
						const note = textBlock(`[image: ${where}]`);
						if (isAssistant) assistantBlocks.push(note);
						else userBlocks.push(note);
						converted = true;
					}

					break;
				}

				case 'summary': {
					if (typeof block.text === 'string' && block.text.trim().length > 0) userBlocks.push(summaryText(block.text));
					converted = true;
					break;
				}

				case 'thinking': {
					const reasoning = block as ThinkingBlock;
					// Codex keeps only a summary of its (encrypted) reasoning.
					const text = typeof reasoning.text === 'string' ? reasoning.text : '';
					const readable = text.trim().length > 0 ? text : typeof reasoning.summary === 'string' ? reasoning.summary : '';
					if (policy.keepThinking(reasoning, message)) {
						assistantBlocks.push(reasoning);
						thinking.kept++;
					} else if (readable.trim().length > 0) {
						assistantBlocks.push(textBlock(`[Reasoning from ${source}]\n${readable}`));
						thinking.asText++;
						converted = true;
					} else {
						thinking.dropped++;
						converted = true;
					}

					break;
				}

				case 'tool_use': {
					const call = block as ToolUseBlock;
					const found = results.get(call.tool_use_id)?.find(candidate => !taken.has(candidate));
					if (found) taken.add(found);
					const mapped = policy.mapCall(call);
					const resultText = found?.block.content ?? '';
					if (mapped) {
						const written: WrittenCall = {
							id: writtenIdFor(call.tool_use_id),
							name: mapped.name,
							input: mapped.input,
							result: found
								? {content: resultText, isError: found.block.is_error === true, images: found.images, exitCode: found.block.exit_code}
								: {content: '(no result was recorded for this call)', isError: true, images: []},
							original: call,
						};
						if (!found) {
							warnings.push(`tool call ${call.tool_use_id} (${call.name}) had no result; written with a placeholder result`);
							converted = true;
						}

						imagesKept += written.result.images.length;
						assistantBlocks.push({type: 'call', call: written});
						toolCallsMapped++;
					} else {
						const result = found ? `\n[Result${found.block.is_error ? ' (error)' : ''}]\n${resultText}` : '\n[No result was recorded]';
						assistantBlocks.push(textBlock(`[Tool call from ${source}: ${call.name}]\n${stringify(call.input)}${result}`));
						converted = true;
						if (found) statuses.set(found.message, 'converted');
					}

					break;
				}

				case 'tool_result': {
					resultSeen = true;
					const result = block as ToolResultBlock;
					if (callIds.has(result.tool_use_id)) break;
					// A result whose call is not in the session: the target rejects orphan results, so it becomes text.
					userBlocks.push(textBlock(`[Tool result ${result.tool_use_id}${result.is_error ? ' (error)' : ''}]\n${result.content ?? ''}`));
					converted = true;
					break;
				}

				default: {
					if (block.type === 'native_record') break;
					// Blocks the target has no form for (attachments, server tool blocks, …) are left out of this message.
					converted = true;
				}
			}
		}

		if (resultSeen) builder.resultArrived();
		if (assistantBlocks.length > 0) {
			builder.assistant(assistantBlocks, message);
			wrote = true;
		}

		if (userBlocks.length > 0) {
			// An assistant message carrying user-side content (orphan results) is split: the text follows as a user turn.
			builder.user(userBlocks, message.timestamp);
			wrote = true;
		}

		const onlyResults = message.content.every(block => block.type === 'tool_result' || block.type === 'image');
		if (!wrote && resultSeen && onlyResults) {
			// Tool results travel with their calls; the message is kept through them (or converted, marked above).
			if (!statuses.has(message)) mark(message, 'kept');
			throughMsgId = message.msg_id;
			continue;
		}

		if (!wrote) {
			drop(message, converted ? 'nothing left the target can take (only unsupported blocks)' : 'empty message');
			continue;
		}

		mark(message, converted ? 'converted' : 'kept');
		throughMsgId = message.msg_id;
	}

	// Results whose call was left out (e.g. the call was on a dead branch) are not written either.
	for (const [id, list] of results) {
		for (const found of list) {
			const {message} = found;
			if (taken.has(found) || !callIds.has(id) || statuses.get(message) === 'dropped') continue;
			if (statuses.get(message) === 'kept') statuses.delete(message);
			drop(message, 'tool result whose call was not written');
		}
	}

	if (builder.turns.length === 0) {
		throw new SfsError('INVALID_SESSION', `session ${session.manifest.session_id} has no conversation to write for ${policy.target}`, {
			hint: 'it holds only system, sub-agent or native records',
		});
	}

	if (builder.turns[0].role === 'assistant') {
		builder.turns.unshift({role: 'user', blocks: [textBlock(`[Conversation continued from a ${source} session; its first user message was not recorded]`)], timestamp: builder.turns[0].timestamp});
	}

	for (const [reason, ids] of dropReasons) {
		const sample = ids.slice(0, REASON_SAMPLES).join(', ');
		warnings.push(`${ids.length} message${ids.length === 1 ? '' : 's'} dropped: ${reason} (${sample}${ids.length > REASON_SAMPLES ? ', …' : ''})`);
	}

	if (thinking.asText > 0) warnings.push(`${thinking.asText} reasoning block${thinking.asText === 1 ? '' : 's'} from ${source} written as plain text (a foreign or unsigned reasoning block would be rejected)`);
	if (thinking.dropped > 0) warnings.push(`${thinking.dropped} reasoning block${thinking.dropped === 1 ? '' : 's'} without readable text dropped`);

	const counts = {kept: 0, converted: 0, dropped: 0};
	for (const status of statuses.values()) counts[status]++;
	const thinkingOutcome: FidelityReport['thinking'] = thinking.asText > 0 ? 'as_text' : thinking.dropped > 0 ? 'dropped' : 'kept';
	return {
		turns: builder.turns,
		report: {
			messages_kept: counts.kept,
			messages_converted: counts.converted,
			messages_dropped: counts.dropped,
			tool_calls_mapped: toolCallsMapped,
			thinking: thinkingOutcome,
			images_kept: imagesKept,
		},
		warnings,
		throughMsgId,
		firstPrompt,
	};
}

/** The text of a user turn (images left out), e.g. for titles and prompts lists. */
export function userTurnText(turn: UserTurn): string {
	return turn.blocks.flatMap(block => (block.type === 'text' ? [block.text] : [])).join('\n\n');
}

/** All text blocks of a turn joined; used by targets whose assistant message holds one string. */
export function assistantText(blocks: AssistantBlock[]): string {
	return blocks.flatMap(block => (block.type === 'text' ? [block.text] : [])).join('\n\n');
}

export type {ContentBlock};
