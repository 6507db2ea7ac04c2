/**
 * Insight over stored sessions: the price table with the user's overrides, a session with its
 * sub-agent transcripts, one session's summary, and summaries per day and project over a period.
 */
import {loadConfig} from '../config.js';
import type {Engine} from '../open-engine.js';
import type {Session} from '../types.js';
import type {CostReport, TokenTotals, UnpricedModel} from './cost.js';
import {priceTable, type PriceTable} from './prices.js';
import {summarize, type SessionSummary, type SummaryResult} from './summary.js';

export function configuredPrices(env: NodeJS.ProcessEnv = process.env): PriceTable {
	return priceTable(loadConfig(env).prices);
}

/**
 * Sub-agent sessions whose parent is `sessionId` (sfs links them at capture), sorted. One indexed query:
 * listing every session to filter them here built 10,000 row objects per summary at 10,000 sessions.
 */
export function subagentIds(engine: Engine, sessionId: string): string[] {
	return engine.index.subagentsOf([sessionId]).get(sessionId) ?? [];
}

export function loadSubagents(engine: Engine, sessionId: string): Session[] {
	const out: Session[] = [];
	for (const id of subagentIds(engine, sessionId)) {
		try {
			out.push(engine.store.readSession(id));
		} catch {
			// A sub-agent transcript that cannot be read adds nothing; the parent is still summarised.
		}
	}

	return out;
}

export function summarizeSession(engine: Engine, session: Session, table = configuredPrices(engine.env)): SummaryResult {
	return summarize(session, table, loadSubagents(engine, session.manifest.session_id));
}

export type ProjectDay = {
	project: string;
	sessions: string[];
	tools: string[];
	files: {read: number; created: number; edited: number; deleted: number; lines_added: number; lines_removed: number};
	commands: number;
	failed_commands: number;
	tests: {runs: number; passed: number; failed: number; failed_runs: number};
	packages: SessionSummary['packages'];
	errors: number;
	turns: number;
	tokens: TokenTotals;
	cost_usd: number | null;
	unpriced_models: UnpricedModel[];
};
export type PeriodSummary = {since: string; until: string; days: Array<{date: string; projects: ProjectDay[]}>; totals: {sessions: number; turns: number; tokens: TokenTotals; cost_usd: number | null; unpriced_models: UnpricedModel[]}};

/** Local calendar day of an instant, YYYY-MM-DD. */
export function localDay(time: number): string {
	const date = new Date(time);
	return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

export function startOfLocalDay(now: Date): Date {
	return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/**
 * Per day and per project (the session's working directory), across tools and sub-agents: each
 * session's messages from `since` on are split by the local day they were written, and each slice is
 * summarised. An API response replayed in several sessions is counted once over the whole period.
 */
export function summarizePeriod(sessions: Iterable<Session>, table: PriceTable, since: Date, until: Date): PeriodSummary {
	const seen = new Set<string>();
	// Each result keeps its session's id and tool, not the session: a period over thousands of sessions holds one at a time.
	const buckets = new Map<string, {date: string; project: string; results: DayResult[]}>();
	for (const session of sessions) {
		const byDay = new Map<string, Session['messages']>();
		for (const message of session.messages) {
			const time = Date.parse(message.timestamp);
			if (Number.isNaN(time) || time < since.getTime() || time > until.getTime()) continue;
			const day = localDay(time);
			const list = byDay.get(day);
			if (list) list.push(message);
			else byDay.set(day, [message]);
		}

		const project = typeof session.manifest.metadata?.cwd === 'string' ? session.manifest.metadata.cwd : session.workspace?.root_path || '(unknown)';
		for (const [date, messages] of byDay) {
			const key = `${date}\u0000${project}`;
			const bucket = buckets.get(key) ?? {date, project, results: []};
			bucket.results.push({id: session.manifest.session_id, tool: session.manifest.source.tool, result: summarize({...session, messages}, table, [], seen)});
			buckets.set(key, bucket);
		}
	}

	const days = new Map<string, ProjectDay[]>();
	const allCosts: CostReport[] = [];
	const sessionIds = new Set<string>();
	let turns = 0;
	for (const bucket of [...buckets.values()].sort((a, b) => a.date.localeCompare(b.date) || a.project.localeCompare(b.project))) {
		const entry = projectDay(bucket.project, bucket.results);
		for (const {id, result} of bucket.results) {
			allCosts.push(result.cost);
			sessionIds.add(id);
		}

		turns += entry.turns;
		days.set(bucket.date, [...(days.get(bucket.date) ?? []), entry]);
	}

	const total = combineCosts(allCosts);
	return {
		since: since.toISOString(),
		until: until.toISOString(),
		days: [...days.entries()].map(([date, projects]) => ({date, projects})),
		totals: {sessions: sessionIds.size, turns, tokens: total.tokens, cost_usd: total.cost_usd, unpriced_models: total.unpriced_models},
	};
}

type DayResult = {id: string; tool: string; result: SummaryResult};

function projectDay(project: string, results: DayResult[]): ProjectDay {
	const files = {read: 0, created: 0, edited: 0, deleted: 0, lines_added: 0, lines_removed: 0};
	const tests = {runs: 0, passed: 0, failed: 0, failed_runs: 0};
	const packages: SessionSummary['packages'] = [];
	let commands = 0;
	let failedCommands = 0;
	let errors = 0;
	let turns = 0;
	for (const {result} of results) {
		const {summary} = result;
		for (const file of summary.files) {
			files[file.action]++;
			files.lines_added += file.lines_added;
			files.lines_removed += file.lines_removed;
		}

		commands += summary.commands.length;
		failedCommands += summary.commands.filter(command => command.exit_code !== null && command.exit_code !== 0).length;
		for (const run of summary.tests) {
			tests.runs++;
			tests.passed += run.passed ?? 0;
			tests.failed += run.failed ?? 0;
			if ((run.failed ?? 0) > 0 || (run.exit_code !== null && run.exit_code !== 0)) tests.failed_runs++;
		}

		for (const added of summary.packages) if (!packages.some(known => known.manager === added.manager && known.name === added.name)) packages.push(added);
		errors += summary.errors.length;
		turns += summary.turns;
	}

	const cost = combineCosts(results.map(({result}) => result.cost));
	return {
		project,
		sessions: [...new Set(results.map(({id}) => id))].sort(),
		tools: [...new Set(results.map(({tool}) => tool))].sort(),
		files,
		commands,
		failed_commands: failedCommands,
		tests,
		packages,
		errors,
		turns,
		tokens: cost.tokens,
		cost_usd: cost.cost_usd,
		unpriced_models: cost.unpriced_models,
	};
}

/** Sums reports already de-duplicated against each other (micro-dollars added as integers). */
export function combineCosts(reports: CostReport[]): {tokens: TokenTotals; cost_usd: number | null; micro_usd: number; unpriced_models: UnpricedModel[]} {
	const tokens: TokenTotals = {input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, total: 0};
	let micro = 0;
	let priced = false;
	const unpriced = new Map<string, UnpricedModel>();
	for (const report of reports) {
		for (const key of Object.keys(tokens) as Array<keyof TokenTotals>) tokens[key] += report.tokens[key];
		micro += report.micro_usd;
		if (report.cost_usd !== null) priced = true;
		for (const entry of report.unpriced_models) {
			const known = unpriced.get(entry.model) ?? {model: entry.model, responses: 0, tokens: {input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0}};
			known.responses += entry.responses;
			for (const key of Object.keys(known.tokens) as Array<keyof typeof known.tokens>) known.tokens[key] += entry.tokens[key];
			unpriced.set(entry.model, known);
		}
	}

	return {tokens, micro_usd: micro, cost_usd: priced ? Number((micro / 1e6).toFixed(6)) : null, unpriced_models: [...unpriced.values()].sort((a, b) => a.model.localeCompare(b.model))};
}
