/**
 * Tools over features other parts of sfs provide: summaries and audit (engine/insight, issue 9),
 * rules and project context (engine/rules, engine/project-context.ts, issue 7). Each module is
 * loaded at run time; while it is absent, the tool answers "not available yet" (an error, never
 * empty data).
 */
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {withLock} from '../engine/lock.js';
import {runDir} from '../engine/paths.js';
import {budgetOf, clip, cutText} from './bounded.js';
import {DLP_GATE_MODULE} from './egress.js';
import {loadOptionalModule} from './optional-modules.js';
import {notAvailable, okResult} from './result.js';
import {loadSession, type ToolContext} from './session-tools.js';

/** Where each feature lives (relative to this file). */
export const FEATURE_MODULES = {
	insight: '../engine/insight/session-insight.js',
	insightMeta: '../engine/insight/session-meta.js',
	audit: '../engine/insight/audit.js',
	rulesCanonical: '../engine/rules/canonical.js',
	rulesCompile: '../engine/rules/compile.js',
	projectContext: '../engine/project-context.js',
} as const;

type SessionLike = ReturnType<typeof loadSession>;
type InsightApi = {summarizeSession(engine: ToolContext['engine'], session: SessionLike): {summary: unknown; cost: unknown}};
type MetaApi = {
	readNarrative(store: ToolContext['engine']['store'], id: string): unknown;
	readAuditMeta(store: ToolContext['engine']['store'], id: string): unknown;
	withVerdicts(findings: unknown[], stored: unknown): unknown[];
};
type AuditApi = {audit(session: SessionLike): unknown[]};

async function insightApi(): Promise<InsightApi | undefined> {
	const module = (await loadOptionalModule(FEATURE_MODULES.insight)) as Partial<InsightApi> | undefined;
	return typeof module?.summarizeSession === 'function' ? (module as InsightApi) : undefined;
}

/** The `sfs summary` of a session (files, commands, tests, packages, errors, tokens, cost), or undefined without the insight module. */
export async function insightSummary(context: ToolContext, session: SessionLike): Promise<unknown> {
	const api = await insightApi();
	return api ? boundJson(api.summarizeSession(context.engine, session).summary, 20_000) : undefined;
}

export async function getSessionSummary(context: ToolContext, args: {session: string}): Promise<CallToolResult> {
	const api = await insightApi();
	if (!api) return notAvailable('get_session_summary', 'session summaries (sfs summary)');
	const session = loadSession(context, args.session);
	const {summary, cost} = api.summarizeSession(context.engine, session);
	const meta = (await loadOptionalModule(FEATURE_MODULES.insightMeta)) as Partial<MetaApi> | undefined;
	const narrative = typeof meta?.readNarrative === 'function' ? meta.readNarrative(context.engine.store, session.id) : undefined;
	return okResult('get_session_summary', {
		session_id: session.id,
		summary: boundJson(summary, 40_000),
		cost: boundJson(cost, 10_000),
		narrative: narrative === undefined ? null : boundJson(narrative, 10_000),
	});
}

export async function getAuditReport(context: ToolContext, args: {session: string}): Promise<CallToolResult> {
	const auditModule = (await loadOptionalModule(FEATURE_MODULES.audit)) as Partial<AuditApi> | undefined;
	if (typeof auditModule?.audit !== 'function') return notAvailable('get_audit_report', 'audit (sfs audit)');
	const session = loadSession(context, args.session);
	let findings = auditModule.audit(session);
	const meta = (await loadOptionalModule(FEATURE_MODULES.insightMeta)) as Partial<MetaApi> | undefined;
	// Verdicts a person stored with `sfs audit --dismiss/--confirm` are part of the report.
	if (typeof meta?.readAuditMeta === 'function' && typeof meta.withVerdicts === 'function') findings = meta.withVerdicts(findings, meta.readAuditMeta(context.engine.store, session.id));
	return okResult('get_audit_report', {session_id: session.id, finding_count: findings.length, findings: boundJson(findings.slice(0, 100), 40_000)});
}

/**
 * How hard a too-large value is shrunk, mildest first: at most this many items per array and
 * characters per string. Arrays are cut rather than the JSON text, so the value keeps its shape.
 */
const SHRINK_STEPS: Array<{items: number; chars: number}> = [
	{items: 100, chars: 2000},
	{items: 50, chars: 1000},
	{items: 20, chars: 500},
	{items: 10, chars: 200},
	{items: 5, chars: 200},
	{items: 2, chars: 100},
	{items: 1, chars: 100},
];

/**
 * A value from another module, kept within `max` characters of JSON and in its own shape: long
 * arrays keep their first items (an object holding one says how many were left out in
 * `<key>_omitted`), long strings are clipped with a marker.
 */
function boundJson(value: unknown, max: number): unknown {
	if (JSON.stringify(value ?? null).length <= max) return value ?? null;
	const shrink = (node: unknown, step: {items: number; chars: number}, depth: number): unknown => {
		if (typeof node === 'string') return clip(node, step.chars);
		if (Array.isArray(node)) return node.slice(0, step.items).map(item => shrink(item, step, depth + 1));
		if (!node || typeof node !== 'object' || depth >= 8) return node;
		const out: Record<string, unknown> = {};
		for (const [key, item] of Object.entries(node)) {
			out[key] = shrink(item, step, depth + 1);
			if (Array.isArray(item) && item.length > step.items && !(`${key}_omitted` in node)) out[`${key}_omitted`] = item.length - step.items;
		}

		return out;
	};

	for (const step of SHRINK_STEPS) {
		const shrunk = shrink(value, step, 0);
		if (JSON.stringify(shrunk).length <= max) return shrunk;
	}

	// Only a value with a great many keys gets here: its text, cut.
	return {truncated: true, text: cutText(JSON.stringify(shrink(value, SHRINK_STEPS.at(-1)!, 0)), max).text};
}

type RulesApi = {
	repoRoot(cwd: string): string;
	loadRules(root: string): {root: string; config: {tools: string[]}; files: Array<{name: string; text: string}>; body: string; hash: string} | undefined;
};
type CompileApi = {planTargets(tools: readonly string[], body: string): Array<{file: string; tools: string[]; mode: {kind: string}; content: string}>};

export async function getRules(context: ToolContext, args: {tool: string; project?: string; max_chars?: number}): Promise<CallToolResult> {
	const canonical = (await loadOptionalModule(FEATURE_MODULES.rulesCanonical)) as Partial<RulesApi> | undefined;
	const compile = (await loadOptionalModule(FEATURE_MODULES.rulesCompile)) as Partial<CompileApi> | undefined;
	if (typeof canonical?.repoRoot !== 'function' || typeof canonical.loadRules !== 'function' || typeof compile?.planTargets !== 'function') {
		return notAvailable('get_rules', 'rules (sfs rules)');
	}

	const root = canonical.repoRoot(args.project ?? context.cwd ?? process.cwd());
	const rules = canonical.loadRules(root);
	if (!rules) {
		throw new SfsError('NOT_FOUND', `no canonical rules in ${root}`, {hint: 'the project has no .sfs/rules/config.json; a person can create one with `sfs rules init`'});
	}

	// The project's own plan when it targets the tool (what `sfs rules compile` writes), else the tool alone.
	const targeted = rules.config.tools.includes(args.tool);
	const plan = compile.planTargets(targeted ? rules.config.tools : [args.tool], rules.body).find(target => target.tools.includes(args.tool));
	const body = cutText(rules.body, budgetOf(args.max_chars));
	return okResult('get_rules', {
		project_root: root,
		tool: args.tool,
		targeted,
		target_file: plan?.file ?? null,
		// How that file carries them: in full, as an import of the hub file, or as a pointer to a file the tool also reads.
		delivery: plan?.mode.kind ?? null,
		compiled_block: plan ? clip(plan.content, 4000) : null,
		rules_hash: rules.hash,
		rule_files: rules.files.map(file => file.name),
		rules: body.text,
		...(body.truncated ? {truncated: true, remaining_chars: body.omitted_chars} : {}),
	});
}

type ProjectKeyLike = {key: string; root: string; remote: string | null};
type ContextApi = {
	projectKey(cwd: string): ProjectKeyLike;
	readContext(project: ProjectKeyLike, env: NodeJS.ProcessEnv): {text: string | null; updated_at: string | null};
	writeContext(project: ProjectKeyLike, text: string, env: NodeJS.ProcessEnv): unknown;
};

async function contextApi(): Promise<ContextApi | undefined> {
	const module = (await loadOptionalModule(FEATURE_MODULES.projectContext)) as Partial<ContextApi> | undefined;
	if (typeof module?.projectKey !== 'function' || typeof module.readContext !== 'function' || typeof module.writeContext !== 'function') return undefined;
	return module as ContextApi;
}

function describeProject(project: ProjectKeyLike): Record<string, unknown> {
	return {project: project.key, root: project.root, remote: project.remote};
}

export async function getProjectContext(context: ToolContext, args: {project?: string; max_chars?: number}): Promise<CallToolResult> {
	const api = await contextApi();
	if (!api) return notAvailable('get_project_context', 'project context (sfs project)');
	const project = api.projectKey(args.project ?? context.cwd ?? process.cwd());
	const {text, updated_at} = api.readContext(project, context.engine.env);
	if (text === null) {
		throw new SfsError('NOT_FOUND', `no project context for ${project.key} yet`, {hint: 'add notes with add_knowledge, or a person can run `sfs project init`'});
	}

	const cut = cutText(text, budgetOf(args.max_chars));
	return okResult('get_project_context', {...describeProject(project), updated_at, context: cut.text, chars: text.length, ...(cut.truncated ? {truncated: true, remaining_chars: cut.omitted_chars} : {})});
}

/** Sections of the context document (split at headings, else at blank lines) ranked by how many query words they hold. */
export function rankSections(text: string, query: string, limit: number): Array<{heading: string | null; text: string; score: number}> {
	const words = query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(word => word.length > 1);
	if (words.length === 0) return [];
	const hasHeadings = /^#{1,6}\s/m.test(text);
	const sections = hasHeadings ? text.split(/^(?=#{1,6}\s)/m) : text.split(/\n\s*\n/);
	return sections
		.map(section => {
			const lower = section.toLowerCase();
			const score = words.reduce((sum, word) => sum + (lower.split(word).length - 1), 0);
			const heading = hasHeadings ? (/^#{1,6}\s+(.*)$/m.exec(section)?.[1]?.trim() ?? null) : null;
			return {heading, text: clip(section.trim(), 2000), score};
		})
		.filter(section => section.score > 0)
		.sort((a, b) => b.score - a.score)
		.slice(0, limit);
}

export async function searchProjectKnowledge(context: ToolContext, args: {query: string; project?: string; limit?: number}): Promise<CallToolResult> {
	const api = await contextApi();
	if (!api) return notAvailable('search_project_knowledge', 'project context (sfs project)');
	const project = api.projectKey(args.project ?? context.cwd ?? process.cwd());
	const {text} = api.readContext(project, context.engine.env);
	return okResult('search_project_knowledge', {...describeProject(project), query: args.query, has_context: text !== null, matches: rankSections(text ?? '', args.query, args.limit ?? 5)});
}

/** Appends the note under a dated heading, creating the document when the project has none. */
export async function addKnowledge(context: ToolContext, args: {note: string; project?: string}): Promise<CallToolResult> {
	const api = await contextApi();
	if (!api) return notAvailable('add_knowledge', 'project context (sfs project)');
	const project = api.projectKey(args.project ?? context.cwd ?? process.cwd());
	const {env} = context.engine;
	const note = await noteAsStored(args.note.trim(), project.root, env, context.log);
	// Several agents may add notes at once: read-append-write under a lock, so no note is lost.
	const current = await withLock(path.join(runDir(env), 'project-context.lock'), async () => {
		const text = api.readContext(project, env).text;
		const date = (context.now?.() ?? new Date()).toISOString().slice(0, 10);
		const base = text ?? `# ${project.remote ?? project.root}\n`;
		api.writeContext(project, `${base.replace(/\s*$/, '')}\n\n## Note (${date}, added by an agent)\n\n${note.text}\n`, env);
		return text;
	}, {waitMs: 10_000, what: 'another note being added'});
	return okResult('add_knowledge', {...describeProject(project), added: true, chars: note.text.length, created_document: current === null, ...(note.redacted ? {redacted: note.redacted} : {})});
}

type NoteGateApi = {gateText(text: string, context: {egress: string; tool: string; what: string; cwd: string; env: NodeJS.ProcessEnv}): {action: 'pass' | 'warn' | 'redact' | 'block'; text: string; findings: unknown[]; notices: string[]; message?: string}};

/**
 * The context document is handed to every agent and may be pushed to the team server: a note passes
 * the project's DLP policy before it is stored. Under block it is refused (one secret in the document
 * would withhold get_project_context from every agent until a person edits it); under redact it is
 * stored with placeholders.
 */
async function noteAsStored(note: string, root: string, env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<{text: string; redacted?: number}> {
	const gate = (await loadOptionalModule(DLP_GATE_MODULE)) as Partial<NoteGateApi> | undefined;
	if (typeof gate?.gateText !== 'function') return {text: note};
	const outcome = gate.gateText(note, {egress: 'mcp', tool: 'add_knowledge', what: 'the note', cwd: root, env});
	if (outcome.action === 'block') {
		throw new SfsError('BLOCKED', `${outcome.message ?? 'blocked by the DLP policy'}; the note was not added`, {hint: 'leave the value out of the note (say where it is kept instead)'});
	}

	for (const line of outcome.notices) log?.(line);
	return outcome.action === 'redact' ? {text: outcome.text, redacted: outcome.findings.length} : {text: outcome.text};
}
