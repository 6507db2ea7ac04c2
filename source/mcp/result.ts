/**
 * Tool results: structured content plus the same JSON as text (for clients that only read text),
 * passed through the egress gate, and bounded. Failures are results with isError, never throws.
 */
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {SfsError} from '../engine/errors.js';
import {HARD_RESULT_LIMIT} from './bounded.js';
import {gateOutgoing} from './egress.js';

export async function okResult(tool: string, out: Record<string, unknown>): Promise<CallToolResult> {
	const text = JSON.stringify(out);
	if (text.length > HARD_RESULT_LIMIT) {
		// Every tool bounds its own output; reaching this means a bound is missing, so say so rather than flood the context.
		return errorResult(new SfsError('USAGE', `${tool}: result too large (${text.length} chars)`, {hint: 'narrow the request (a smaller range, limit or max_chars)'}));
	}

	const gated = await gateOutgoing(text, tool);
	if (gated.action === 'block') {
		return {
			content: [{type: 'text', text: `${gated.message}. Findings: ${JSON.stringify(gated.findings)}`}],
			structuredContent: {blocked: true, findings: gated.findings},
			isError: true,
		};
	}

	const structured = JSON.parse(gated.text) as Record<string, unknown>;
	if (gated.dlp === 'applied' && gated.findings && gated.findings.length > 0) structured.dlp_findings = gated.findings;
	return {content: [{type: 'text', text: JSON.stringify(structured)}], structuredContent: structured};
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

/** Wraps a handler so that anything it throws becomes an isError result. */
export function safely<A>(handler: (args: A) => Promise<CallToolResult>): (args: A) => Promise<CallToolResult> {
	return async args => {
		try {
			return await handler(args);
		} catch (error) {
			return errorResult(error);
		}
	};
}
