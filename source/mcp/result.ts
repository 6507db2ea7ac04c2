/**
 * Tool results: structured content plus the same JSON as text (for clients that only read text),
 * bounded. Failures are results with isError, never throws. (egress.ts gates them on the way out.)
 */
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {SfsError} from '../engine/errors.js';
import {HARD_RESULT_LIMIT} from './bounded.js';

export function okResult(tool: string, out: Record<string, unknown>): CallToolResult {
	const text = JSON.stringify(out);
	if (text.length > HARD_RESULT_LIMIT) {
		// Every tool bounds its own output; reaching this means a bound is missing, so say so rather than flood the context.
		return errorResult(new SfsError('USAGE', `${tool}: result too large (${text.length} chars)`, {hint: 'narrow the request (a smaller range, limit or max_chars)'}));
	}

	return {content: [{type: 'text', text}], structuredContent: out};
}

export function errorResult(error: unknown): CallToolResult {
	let text: string;
	if (error instanceof SfsError) {
		text = error.hint ? `${error.message} (${error.hint})` : error.message;
		if (error.details?.length) text += `\n${error.details.join('\n')}`;
	} else {
		text = error instanceof Error ? error.message : String(error);
	}

	return {content: [{type: 'text', text}], isError: true};
}

/** A tool whose feature has not landed in this build of sfs. */
export function notAvailable(tool: string, feature: string): CallToolResult {
	return {
		content: [{type: 'text', text: `${tool}: not available yet: this build of sfs has no ${feature}.`}],
		isError: true,
	};
}
