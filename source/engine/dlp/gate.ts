/**
 * The egress gate: every way out of the machine (export, resume into another tool, MCP results, push,
 * handoff, bundles) passes what it sends through here. The gate scans, applies the project's policy
 * per kind (block, redact, warn) and returns what may go out: the original, or a redacted copy with
 * typed placeholders (`[REDACTED:aws-access-key]`); the local original is never changed. Under
 * `block` the caller stops (see `enforce`, which throws SfsError('BLOCKED') listing the findings).
 * `allowSecrets` lets everything through for one operation, and says so loudly.
 */
import {SfsError} from '../errors.js';
import type {Env} from '../paths.js';
import type {Session} from '../types.js';
import type {FindingKind} from './pattern-types.js';
import {type DlpPolicy, kindKey, projectRoot, type ResolvedPolicy, resolvePolicy} from './policy.js';
import {type Finding, redactMatches, scanSession, scanText} from './scanner.js';
import {shellQuote} from '../shell-quote.js';

export type Egress = 'export' | 'resume' | 'mcp' | 'push' | 'handoff' | 'bundle' | (string & {});

export type GateContext = {
	egress: Egress;
	/** What goes out, for messages: "session 0b1c…", "MCP tool search". */
	what?: string;
	/** The MCP tool (MCP calls pass it). */
	tool?: string;
	/** The working directory whose project policy applies; default: process.cwd(). */
	cwd?: string | null;
	/** One operation's override: everything goes out unredacted, with a loud warning. */
	allowSecrets?: boolean;
	/** A fixed policy instead of the configured one (the server, tests). */
	policy?: DlpPolicy;
	env?: Env;
};

export type GateOutcome = {
	/** pass: nothing found; warn: found and sent as is; redact: found and replaced; block: nothing may go out. */
	action: 'pass' | 'warn' | 'redact' | 'block';
	findings: Finding[];
	/** The kinds replaced by placeholders in the outgoing copy. */
	redacted: FindingKind[];
	/** Lines for the user (stderr): what was redacted, what went out, the --allow-secrets warning. */
	notices: string[];
	/** Set when blocked: one line saying why. */
	message?: string;
	policy: ResolvedPolicy;
	/** The directory whose project policy was applied (null: none, only the global policy applies). */
	cwd: string | null;
};

export type TextGateOutcome = GateOutcome & {text: string};
export type SessionGateOutcome = GateOutcome & {session: Session};

const KIND_WORDS: Record<FindingKind, string> = {secret: 'secret(s)', personal: 'personal data item(s)'};

function policyFor(context: GateContext): ResolvedPolicy {
	if (context.policy) return {...context.policy, project: null, sources: {secrets: 'global', personal: 'global'}};
	return resolvePolicy(context.cwd === undefined ? process.cwd() : context.cwd, context.env);
}

/** `aws-access-key ×1, email ×2` */
export function summarize(findings: Finding[]): string {
	const counts = new Map<string, number>();
	for (const finding of findings) counts.set(finding.pattern, (counts.get(finding.pattern) ?? 0) + 1);
	return [...counts].map(([pattern, count]) => `${pattern} ×${count}`).join(', ');
}

function describe(context: GateContext): string {
	return context.what ?? (context.tool ? `${context.egress} ${context.tool}` : context.egress);
}

/** The decision, given what was found. */
export function decide(findings: Finding[], context: GateContext, policy: ResolvedPolicy = policyFor(context)): GateOutcome {
	const byKind = (kind: FindingKind) => findings.filter(finding => finding.kind === kind);
	const present = (['secret', 'personal'] as const).filter(kind => byKind(kind).length > 0);
	const cwd = context.cwd === undefined ? process.cwd() : context.cwd;
	const outcome: GateOutcome = {action: 'pass', findings, redacted: [], notices: [], policy, cwd};
	if (present.length === 0) return outcome;
	const what = describe(context);
	if (context.allowSecrets) {
		const counts = present.map(kind => `${byKind(kind).length} ${KIND_WORDS[kind]}`).join(' and ');
		outcome.action = 'warn';
		outcome.notices.push(`--allow-secrets: ${what} goes out UNREDACTED with ${counts} (${summarize(findings)}); the DLP policy was overridden for this operation only`);
		return outcome;
	}

	const blocking = present.filter(kind => policy[kindKey(kind)] === 'block');
	if (blocking.length > 0) {
		const blocked = findings.filter(finding => blocking.includes(finding.kind));
		outcome.action = 'block';
		outcome.message = `${context.egress} blocked: ${what} contains ${blocking.map(kind => `${byKind(kind).length} ${KIND_WORDS[kind]}`).join(' and ')} (${summarize(blocked)})`;
		return outcome;
	}

	for (const kind of present) {
		const found = byKind(kind);
		if (policy[kindKey(kind)] === 'redact') {
			outcome.redacted.push(kind);
			outcome.notices.push(`dlp: redacted ${found.length} ${KIND_WORDS[kind]} in ${what} (${summarize(found)})`);
		} else {
			outcome.notices.push(`dlp: ${what} went out with ${found.length} ${KIND_WORDS[kind]} (${summarize(found)}; policy: warn)`);
		}
	}

	outcome.action = outcome.redacted.length > 0 ? 'redact' : 'warn';
	return outcome;
}

/** Gates outgoing text (MCP results, handoff notes). Never throws on block: the caller reads `action`. */
export function gateText(text: string, context: GateContext): TextGateOutcome {
	const scan = scanText(text, {location: context.tool ? `${context.egress}:${context.tool}` : context.egress});
	const outcome = decide(scan.findings, context);
	if (outcome.action === 'block') return {...outcome, text: ''};
	if (outcome.redacted.length === 0) return {...outcome, text};
	const chosen = scan.matches.filter(match => outcome.redacted.includes(match.kind));
	return {...outcome, text: redactMatches(text, chosen)};
}

/** Gates a whole session (export, resume into another tool, push). The session passed in is not changed. */
export function gateSession(session: Session, context: GateContext): SessionGateOutcome {
	const cwd = context.cwd !== undefined ? context.cwd : sessionCwd(session);
	const policy = policyFor({...context, cwd});
	const scan = scanSession(session);
	const outcome = decide(scan.findings, {...context, cwd, what: context.what ?? `session ${session.manifest.session_id}`}, policy);
	if (outcome.redacted.length === 0) return {...outcome, session};
	return {...outcome, session: scanSession(session, {redactKinds: outcome.redacted}).redacted};
}

/** The one entry point: text (MCP results, handoff notes) or a whole session (export, resume, push). */
export function gate(payload: string, context: GateContext): TextGateOutcome;
export function gate(payload: Session, context: GateContext): SessionGateOutcome;
export function gate(payload: string | Session, context: GateContext): TextGateOutcome | SessionGateOutcome {
	return typeof payload === 'string' ? gateText(payload, context) : gateSession(payload, context);
}

/** The session's working directory: whose project policy applies to it. */
export function sessionCwd(session: Session): string | null {
	const cwd = session.manifest.metadata?.cwd ?? session.workspace?.root_path;
	return typeof cwd === 'string' && cwd.length > 0 ? cwd : null;
}

/** At most this many findings are listed under a block. */
const MAX_LISTED = 20;

/** One line per finding: kind, pattern, message, place and masked excerpt (never the value). */
export function findingLines(findings: Finding[], limit = MAX_LISTED): string[] {
	const lines = findings.slice(0, limit).map(finding => `${finding.kind} ${finding.pattern} ${finding.msg_id ? `msg ${finding.msg_id}` : finding.location}: ${finding.excerpt}`);
	if (findings.length > limit) lines.push(`… and ${findings.length - limit} more (see: sfs dlp scan <ref>)`);
	return lines;
}

/** Throws SfsError('BLOCKED') (exit 1) for a blocked outcome; otherwise hands every notice to `notify`. */
export function enforce(outcome: GateOutcome, notify: (line: string) => void, options: {canOverride?: boolean} = {}): void {
	if (outcome.action === 'block') {
		const secrets = outcome.findings.some(finding => finding.kind === 'secret' && outcome.policy.secrets === 'block');
		const which = secrets ? 'secrets' : 'personal';
		const override = options.canOverride === false ? '' : ', or send them this once with --allow-secrets';
		throw new SfsError('BLOCKED', outcome.message ?? 'blocked by the DLP policy', {
			hint: `redact instead: sfs dlp policy set ${which} redact${policyScope(outcome.cwd)}${override}`,
			details: findingLines(outcome.findings.filter(finding => outcome.policy[kindKey(finding.kind)] === 'block')),
		});
	}

	for (const line of outcome.notices) notify(line);
}

/**
 * The `policy set` flag that reaches the policy which blocked: a session from another project (its
 * own working directory) needs --project, one without a working directory only has the global policy.
 */
function policyScope(cwd: string | null): string {
	if (cwd === null) return ' --global';
	const root = projectRoot(cwd);
	return root === projectRoot(process.cwd()) ? '' : ` --project ${shellQuote(root)}`;
}
