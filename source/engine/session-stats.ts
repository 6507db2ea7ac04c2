/** Manifest `stats` derived from messages, computable incrementally as messages are appended. */
import type {Message, SessionStats} from './types.js';

export function emptyStats(): Required<Pick<SessionStats, 'message_count' | 'turn_count' | 'tool_use_count' | 'total_input_tokens' | 'total_output_tokens'>> {
	return {message_count: 0, turn_count: 0, tool_use_count: 0, total_input_tokens: 0, total_output_tokens: 0};
}

/** A user turn: a user message a person typed (not a tool result, not injected meta). */
export function isUserTurn(message: Message): boolean {
	return (
		message.role === 'user' &&
		!message.is_meta &&
		!message.is_sidechain &&
		message.content.some(block => block.type === 'text' && typeof block.text === 'string' && block.text.trim().length > 0)
	);
}

export function addToStats(stats: SessionStats, messages: Message[]): SessionStats {
	const next: SessionStats = {...emptyStats(), ...stats};
	for (const message of messages) {
		next.message_count! += 1;
		if (isUserTurn(message)) next.turn_count! += 1;
		for (const block of message.content) if (block.type === 'tool_use') next.tool_use_count! += 1;
		if (message.usage) {
			next.total_input_tokens! += message.usage.input_tokens ?? 0;
			next.total_output_tokens! += message.usage.output_tokens ?? 0;
		}
	}

	return next;
}

export function statsFor(messages: Message[]): SessionStats {
	return addToStats(emptyStats(), messages);
}

/** The first thing a person asked, for titles and the fuzzy filter. */
export function firstPrompt(messages: Iterable<Message>): string | undefined {
	for (const message of messages) {
		if (!isUserTurn(message)) continue;
		for (const block of message.content) {
			if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) return oneLine(unwrapEnvelope(block.text), 200);
		}
	}

	return undefined;
}

/** A prompt a tool stored inside its own envelope (Cline's `<user_input mode="act">…</user_input>`), unwrapped for display. */
function unwrapEnvelope(text: string): string {
	const match = /^\s*<([a-z][\w-]*)(?:\s[^>]*)?>([\s\S]*)<\/\1>\s*$/.exec(text);
	return match && match[2]!.trim() ? match[2]! : text;
}

export function oneLine(text: string, max: number): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
