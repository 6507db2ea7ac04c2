/**
 * The one place where MCP tool results leave sfs: every result's text passes `gateOutgoing` before
 * it is sent. The DLP gate (source/engine/dlp/, issue 11) plugs in here; while it is not there,
 * text passes unchanged and the result says so (`dlp: "unavailable"`).
 */
import {loadOptionalFunction} from './optional-modules.js';

export type GateOutcome =
	| {action: 'pass'; text: string; dlp: 'applied' | 'unavailable'; findings?: unknown[]}
	| {action: 'block'; findings: unknown[]; message: string};

/** What the DLP module must export for MCP (see source/engine/dlp/): a gate over outgoing text. */
type DlpGate = (text: string, context: {egress: 'mcp'; tool: string}) => unknown;

const DLP_MODULES = ['../engine/dlp/gate.js', '../engine/dlp/index.js'];
const DLP_EXPORTS = ['gateText', 'gateOutgoingText', 'applyGate', 'gate'];

/** Runs outgoing MCP text through the DLP gate (block, redact or warn per the user's policy). */
export async function gateOutgoing(text: string, tool: string): Promise<GateOutcome> {
	const gate = await loadOptionalFunction<DlpGate>(DLP_MODULES, DLP_EXPORTS);
	if (!gate) return {action: 'pass', text, dlp: 'unavailable'};
	const verdict = (await gate(text, {egress: 'mcp', tool})) as {action?: string; text?: string; findings?: unknown[]; message?: string} | string;
	if (typeof verdict === 'string') return {action: 'pass', text: verdict, dlp: 'applied'};
	if (verdict?.action === 'block') {
		return {action: 'block', findings: verdict.findings ?? [], message: verdict.message ?? 'blocked by the DLP policy: the result contains secrets'};
	}

	return {action: 'pass', text: typeof verdict?.text === 'string' ? verdict.text : text, dlp: 'applied', findings: verdict?.findings};
}
