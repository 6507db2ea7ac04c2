/**
 * The one place where MCP tool results leave sfs: `gateOutgoing` runs every successful result's
 * text through the DLP gate (source/engine/dlp/gate.ts, egress "mcp") before it is sent: under
 * `block` the result is replaced by an error listing the findings (masked, never the value); under
 * `redact` the outgoing copy carries typed placeholders; under `warn` it goes out and stderr says so.
 * Fails closed: when the gate module is present but fails, nothing goes out.
 */
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {loadOptionalModule} from './optional-modules.js';

export const DLP_GATE_MODULE = '../engine/dlp/gate.js';

export type EgressContext = {env: NodeJS.ProcessEnv; cwd?: string; log?: (line: string) => void};

type Finding = {kind: string; pattern: string; msg_id: string | null; location: string; excerpt: string};
type GateApi = {
	gateText(text: string, context: {egress: 'mcp'; tool: string; cwd?: string | null; env?: NodeJS.ProcessEnv}): {action: 'pass' | 'warn' | 'redact' | 'block'; text: string; findings: Finding[]; notices: string[]; message?: string};
	findingLines?(findings: Finding[]): string[];
};

export async function gateOutgoing(tool: string, result: CallToolResult, context: EgressContext): Promise<CallToolResult> {
	if (result.isError || result.structuredContent === undefined) return result;
	const gate = (await loadOptionalModule(DLP_GATE_MODULE)) as Partial<GateApi> | undefined;
	if (typeof gate?.gateText !== 'function') return result; // No DLP in this build.
	const text = JSON.stringify(result.structuredContent);
	const outcome = gate.gateText(text, {egress: 'mcp', tool, cwd: context.cwd ?? process.cwd(), env: context.env});
	for (const line of outcome.notices) context.log?.(line);
	if (outcome.action === 'block') {
		const lines = gate.findingLines ? gate.findingLines(outcome.findings) : outcome.findings.map(finding => `${finding.kind} ${finding.pattern}: ${finding.excerpt}`);
		return {
			content: [{type: 'text', text: `${outcome.message ?? 'blocked by the DLP policy'}. Nothing was sent. Findings (values masked):\n${lines.join('\n')}`}],
			isError: true,
		};
	}

	if (outcome.text === text) return result;
	const structured = JSON.parse(outcome.text) as Record<string, unknown>;
	return {content: [{type: 'text', text: outcome.text}], structuredContent: {...structured, dlp: {action: outcome.action, redacted: outcome.findings.length}}};
}
