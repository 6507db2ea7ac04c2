/**
 * Typed engine errors. The engine throws these and never prints or exits; commands turn them into
 * one-line messages (`sfs: <what happened> (<how to fix>)`) and exit codes.
 */
export type ErrorCode =
	| 'NOT_FOUND'
	| 'AMBIGUOUS'
	| 'USAGE'
	| 'INVALID_SESSION'
	| 'UNSUPPORTED_VERSION'
	| 'HOSTILE_ARCHIVE'
	| 'IO'
	| 'DB'
	| 'ADAPTER_PARSE'
	| 'NOT_INSTALLED'
	| 'BLOCKED'
	| 'NOT_AVAILABLE'
	| 'CONFLICT';

export class SfsError extends Error {
	readonly code: ErrorCode;
	/** How to fix it, shown in parentheses after the message. */
	readonly hint?: string;
	/** Extra lines (e.g. candidates of an ambiguous prefix) printed after the one-line message. */
	readonly details?: string[];

	constructor(code: ErrorCode, message: string, options: {hint?: string; details?: string[]; cause?: unknown} = {}) {
		super(message, {cause: options.cause});
		this.name = 'SfsError';
		this.code = code;
		this.hint = options.hint;
		this.details = options.details;
	}
}

/** Exit codes: 0 ok, 1 failure (including not found), 2 usage error. */
export function exitCodeFor(error: unknown): number {
	return error instanceof SfsError && error.code === 'USAGE' ? 2 : 1;
}

/** The first line of an error's message (a thrown non-Error is turned into text). */
export function errorLine(error: unknown): string {
	return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
}

/** The one line a user sees for an error. */
export function formatError(error: unknown): string {
	if (error instanceof SfsError) {
		return `sfs: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
	}

	const message = error instanceof Error ? error.message : String(error);
	return `sfs: ${firstLine(message)}`;
}

function firstLine(text: string): string {
	const line = text.split('\n', 1)[0] ?? '';
	return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
