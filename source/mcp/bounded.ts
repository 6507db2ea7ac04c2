/**
 * Bounds on what a tool may return. An agent's context window is the scarce resource: every result
 * is cut to a character budget, and what was left out is reachable through a continuation cursor.
 */
import {SfsError} from '../engine/errors.js';

/** Default character budget of one tool result's payload (messages, diffs, snippets). */
export const DEFAULT_BUDGET = 20_000;
/** The largest budget a caller may ask for. */
export const MAX_BUDGET = 100_000;
/** A tool result's JSON never exceeds this, whatever the arguments (a last line of defence). */
export const HARD_RESULT_LIMIT = 150_000;

export type Cut = {text: string; truncated: boolean; omitted_chars: number};

/** The first `max` characters of `text` (never splitting a surrogate pair), with how much was left out. */
export function cutText(text: string, max: number): Cut {
	if (text.length <= max) return {text, truncated: false, omitted_chars: 0};
	let end = Math.max(0, max);
	if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
	return {text: text.slice(0, end), truncated: true, omitted_chars: text.length - end};
}

/** `text` cut to `max` characters with a visible marker saying how many were left out. */
export function clip(text: string, max: number): string {
	const cut = cutText(text, max);
	return cut.truncated ? `${cut.text}… [${cut.omitted_chars} more chars]` : text;
}

function isHighSurrogate(code: number): boolean {
	return code >= 0xd8_00 && code <= 0xdb_ff;
}

/**
 * Continuation cursors are opaque to the agent: base64url of a small JSON object naming the tool
 * they belong to, so a cursor of one tool is refused by another.
 */
export function encodeCursor(tool: string, state: Record<string, unknown>): string {
	return Buffer.from(JSON.stringify({t: tool, ...state}), 'utf8').toString('base64url');
}

export function decodeCursor<T extends Record<string, unknown>>(tool: string, cursor: string): T {
	let value: unknown;
	try {
		value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
	} catch {
		throw new SfsError('USAGE', 'invalid cursor', {hint: 'pass the next_cursor of a previous call unchanged'});
	}

	if (!value || typeof value !== 'object' || (value as {t?: unknown}).t !== tool) {
		throw new SfsError('USAGE', `this cursor does not belong to ${tool}`, {hint: 'pass the next_cursor of a previous call to the same tool'});
	}

	return value as T;
}

/** A budget argument clamped to what the server allows. */
export function budgetOf(requested: number | undefined): number {
	return Math.min(MAX_BUDGET, Math.max(500, requested ?? DEFAULT_BUDGET));
}
