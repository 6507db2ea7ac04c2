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

/** List fields of tool results: under `block`, only the items that hold what is blocked are withheld. */
const LIST_FIELDS = ['results', 'sessions', 'messages', 'matches', 'findings', 'edits'];
/** What a withheld item keeps: ids only (a title or a snippet may be where the secret is). */
const ID_FIELDS = ['session_id', 'position', 'msg_id', 'role', 'timestamp', 'tool'];

type Gate = GateApi['gateText'];

export async function gateOutgoing(tool: string, result: CallToolResult, context: EgressContext): Promise<CallToolResult> {
	if (result.isError || result.structuredContent === undefined) return result;
	const gate = (await loadOptionalModule(DLP_GATE_MODULE)) as Partial<GateApi> | undefined;
	if (typeof gate?.gateText !== 'function') return result; // No DLP in this build.
	const gateContext = {egress: 'mcp' as const, tool, cwd: context.cwd ?? process.cwd(), env: context.env};
	const text = JSON.stringify(result.structuredContent);
	const outcome = gate.gateText(text, gateContext);
	if (outcome.action === 'block') {
		const partial = withholdItems(gate.gateText.bind(gate), result.structuredContent, gateContext, context);
		if (partial) return partial;
		for (const line of outcome.notices) context.log?.(line);
		return blocked(gate, outcome);
	}

	for (const line of outcome.notices) context.log?.(line);
	if (outcome.text === text) return result;
	return structuredResult(JSON.parse(outcome.text) as Record<string, unknown>, {action: outcome.action, findings: outcome.findings.length});
}

function structuredResult(structured: Record<string, unknown>, dlp: Record<string, unknown>): CallToolResult {
	const out = {...structured, dlp};
	return {content: [{type: 'text', text: JSON.stringify(out)}], structuredContent: out};
}

function blocked(gate: Partial<GateApi>, outcome: ReturnType<Gate>): CallToolResult {
	const lines = gate.findingLines ? gate.findingLines(outcome.findings) : outcome.findings.map(finding => `${finding.kind} ${finding.pattern}: ${finding.excerpt}`);
	return {
		content: [{type: 'text', text: `${outcome.message ?? 'blocked by the DLP policy'}. Nothing was sent. Findings (values masked):\n${lines.join('\n')}`}],
		isError: true,
	};
}

/**
 * A list result of which some items are blocked: those items are replaced by their ids and the
 * reason, the others go out (redacted where the policy says so). Undefined when the result has no
 * list, or when what is blocked is outside the list.
 */
function withholdItems(gateText: Gate, structured: Record<string, unknown>, gateContext: Parameters<Gate>[1], context: EgressContext): CallToolResult | undefined {
	const field = LIST_FIELDS.find(name => Array.isArray(structured[name]));
	if (!field) return undefined;
	const rest = gateText(JSON.stringify({...structured, [field]: []}), gateContext);
	if (rest.action === 'block') return undefined;
	let withheld = 0;
	const items = (structured[field] as unknown[]).map(item => {
		const outcome = gateText(JSON.stringify(item), gateContext);
		for (const line of outcome.notices) context.log?.(line);
		if (outcome.action !== 'block') return JSON.parse(outcome.text) as unknown;
		withheld++;
		const ids = item && typeof item === 'object' ? Object.fromEntries(ID_FIELDS.filter(key => key in item).map(key => [key, (item as Record<string, unknown>)[key]])) : {};
		return {...ids, withheld: `${outcome.message ?? 'blocked by the DLP policy'}; values are never sent`};
	});
	context.log?.(`dlp: ${tool(gateContext)}: withheld ${withheld} of ${items.length} item(s) holding blocked data`);
	return structuredResult({...(JSON.parse(rest.text) as Record<string, unknown>), [field]: items}, {action: 'block', withheld});
}

function tool(gateContext: Parameters<Gate>[1]): string {
	return `mcp ${gateContext.tool}`;
}
