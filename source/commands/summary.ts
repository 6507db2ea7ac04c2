import {SfsError} from '../engine/errors.js';
import type {CostReport} from '../engine/insight/cost.js';
import type {PeriodSummary} from '../engine/insight/session-insight.js';
import type {StoredNarrative} from '../engine/insight/session-meta.js';
import type {SessionSummary} from '../engine/insight/summary.js';
import type {Manifest} from '../engine/types.js';
import {compactNumber, out, print, printable, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, readUsableSession, resolveSession, timeFlag, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs summary <ref> [--json] [--narrative]
		  $ sfs summary --today | --since <time> [--until <time>] [--json]

		What a session did, from its tool calls and their results: files read, created, edited and
		deleted (with line counts), commands and exit status, test runs, packages added, errors,
		duration, turns, tokens and cost (sub-agents included, each API response counted once).
		With --today or --since: the same per day and per project, across tools.

		Prices come from the shipped table (data/prices.json, LiteLLM, dated); a model it cannot match
		is reported as unpriced with its tokens, never as $0. Override or add prices (USD per token) in
		config.json: {"prices": {"models": {"<id>": {"input": …, "output": …, "cache_read": …,
		"cache_write": …}}, "aliases": {"<id>": "<table id>"}}}.

		Options
		  --json         {"files", "commands", "tests", "packages", "errors", "duration_ms", "turns", "tokens", "cost_usd"}
		  --narrative    Also ask the configured LLM (llm.provider, llm.base_url, llm.model, SFS_LLM_API_KEY) for
		                 what happened, key decisions, outcome and open issues; stored with the session
		  --today        Everything since local midnight
		  --since <time> Everything since <time> (ISO date or 90m, 12h, 7d, 2w)
		  --until <time> Up to <time> (default: now)

		Examples
		  $ sfs summary ses_3f2a --json | jq '.tests'
		  $ sfs summary --since 7d
	`,
	flags: {
		json: {type: 'boolean'},
		narrative: {type: 'boolean'},
		today: {type: 'boolean'},
		since: {type: 'string'},
		until: {type: 'string'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('summary', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		if (flags.today || flags.since !== undefined) {
			if (input.length > 0) throw new SfsError('USAGE', 'summary: give a <ref> or --today/--since, not both', {hint: 'see: sfs summary --help'});
			if (flags.narrative) throw new SfsError('USAGE', 'summary: --narrative is for one session', {hint: 'sfs summary <ref> --narrative'});
			return period(flags);
		}

		if (flags.until !== undefined) throw new SfsError('USAGE', 'summary: --until goes with --today or --since', {hint: 'sfs summary --since <time> --until <time>'});
		expectArgs('summary', input, 1, 1, 'a session <ref> (or --today / --since <time>)');
		const {summary, cost, manifest, narrative, newer} = await withEngine(async engine => {
			const {summarizeSession} = await import('../engine/insight/session-insight.js');
			const meta = await import('../engine/insight/session-meta.js');
			const id = await resolveSession(engine, input[0]!);
			const session = await readUsableSession(engine, id);
			const result = summarizeSession(engine, session);
			let stored = meta.readNarrative(engine.store, id);
			if (flags.narrative) {
				const {loadConfig} = await import('../engine/config.js');
				const {writeNarrative} = await import('../engine/insight/narrative.js');
				stored = await writeNarrative(session, result.summary, loadConfig(engine.env).llm, engine.env);
				meta.writeNarrative(engine.store, id, stored);
			}

			const at = stored?.through_msg_id ? session.messages.findIndex(message => message.msg_id === stored!.through_msg_id) : -1;
			return {...result, manifest: session.manifest, narrative: stored, newer: at === -1 ? 0 : session.messages.length - 1 - at};
		});
		if (flags.json) printJson(narrative ? {...summary, narrative: narrative.narrative} : summary);
		else printSession(manifest, summary, cost, narrative, newer);
		return 0;
	},
};

export default command;

async function period(flags: Record<string, unknown>): Promise<number> {
	const now = new Date();
	const {configuredPrices, startOfLocalDay, summarizePeriod} = await import('../engine/insight/session-insight.js');
	if (flags.today && flags.since !== undefined) throw new SfsError('USAGE', 'summary: give --today or --since, not both', {hint: '--today is --since <local midnight>'});
	const since = flags.today ? startOfLocalDay(now) : (await timeFlag('since', flags.since))!;
	const until = (await timeFlag('until', flags.until)) ?? now;
	if (until.getTime() < since.getTime()) {
		throw new SfsError('USAGE', `summary: --until ${until.toISOString()} is before the start ${since.toISOString()}`, {hint: 'see: sfs summary --help'});
	}

	const result = await withEngine(engine => {
		const rows = engine.index.listSessions({includeSubagents: true, since});
		const sessions = function* () {
			for (const row of rows) {
				try {
					yield engine.store.readSession(row.session_id);
				} catch {
					// A session that vanished or broke since it was indexed is left out.
				}
			}
		};

		return summarizePeriod(sessions(), configuredPrices(engine.env), since, until);
	});
	if (flags.json) printJson(result);
	else printPeriod(result);
	return 0;
}

export function formatUsd(value: number | null): string {
	if (value === null) return 'unpriced';
	if (value === 0) return '$0';
	return value < 0.01 ? `$${value.toFixed(6).replace(/0+$/, '')}` : `$${value.toFixed(2)}`;
}

/**
 * The cost of a day's project or of the total: the priced part, then the models the price table
 * lacks ("unpriced + unpriced: x" said it twice when nothing was priced), or that no tokens were
 * recorded at all (not "unpriced", which reads as a price missing).
 */
export function periodCost(cost: number | null, unpriced: Array<{model: string}>, tokens: number, paint: (text: string) => string = out.warn): string {
	const missing = unpriced.map(model => model.model).join(', ');
	if (cost === null && missing) return paint(`unpriced: ${missing}`);
	if (cost === null && tokens === 0) return 'no usage recorded';
	return `${formatUsd(cost)}${missing ? paint(` + unpriced: ${missing}`) : ''}`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
	return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

function printSession(manifest: Manifest, summary: SessionSummary, cost: CostReport, narrative: StoredNarrative | undefined, newer: number): void {
	print(out.bold(printable(manifest.title ?? '(untitled)')));
	print(
		out.dim(
			`${manifest.session_id} · ${manifest.source.tool} · ${formatDuration(summary.duration_ms)} · ${summary.turns} turn(s) · ${compactNumber(summary.tokens.total)} tokens · ${cost.responses === 0 ? 'no usage recorded' : formatUsd(summary.cost_usd)}`,
		),
	);
	section(`Files (${summary.files.length})`, summary.files.map(file => `${file.action.padEnd(8)} ${file.path}${file.lines_added || file.lines_removed ? out.dim(`  +${file.lines_added} -${file.lines_removed}`) : ''}`));
	section(
		`Commands (${summary.commands.length})`,
		summary.commands.map(item => `${item.exit_code === 0 ? out.ok('✓') : item.exit_code === null ? out.dim('?') : out.danger('✗')} ${String(item.exit_code ?? '-').padStart(3)}  ${oneLine(item.command)}`),
	);
	section(
		`Tests (${summary.tests.length})`,
		summary.tests.map(run => {
			const bad = (run.failed ?? 0) > 0 || (run.exit_code !== null && run.exit_code !== 0);
			const counts = run.passed === null && run.failed === null ? 'no counts in output' : `${run.passed ?? 0} passed, ${run.failed ?? 0} failed`;
			return `${bad ? out.danger('✗') : out.ok('✓')} ${oneLine(run.command)}: ${counts} (exit ${run.exit_code ?? '?'})`;
		}),
	);
	section(`Packages (${summary.packages.length})`, summary.packages.map(item => `${item.manager} ${item.name}`));
	section(`Errors (${summary.errors.length})`, summary.errors.map(item => `${item.tool}: ${item.message}`));
	const costLines = cost.models.map(model => `${model.model}${model.priced_as === model.model ? '' : out.dim(` (as ${model.priced_as})`)}  ${compactNumber(model.tokens.input + model.tokens.output + model.tokens.cache_read + model.tokens.cache_write)} tokens  ${formatUsd(model.cost_usd)}`);
	for (const model of cost.unpriced_models) costLines.push(out.warn(`${model.model}  ${compactNumber(model.tokens.input + model.tokens.output + model.tokens.cache_read + model.tokens.cache_write)} tokens  unpriced (not in the price table)`));
	section('Cost', costLines);
	if (narrative) {
		const {narrative: text} = narrative;
		const stale = newer > 0 ? `; ${newer} message(s) came after it, refresh with --narrative` : '';
		section(`Narrative ${out.dim(`(${narrative.model}, ${narrative.created_at}${stale})`)}`, [
			text.what_happened,
			...(text.key_decisions.length > 0 ? ['Key decisions:', ...text.key_decisions.map(item => `  • ${item}`)] : []),
			...(text.outcome ? [`Outcome: ${text.outcome}`] : []),
			...(text.open_issues.length > 0 ? ['Open issues:', ...text.open_issues.map(item => `  • ${item}`)] : []),
		]);
	}
}

function section(title: string, lines: string[]): void {
	if (lines.length === 0) return;
	print();
	print(out.bold(title));
	for (const line of lines) print(`  ${line}`);
}

function printPeriod(result: PeriodSummary): void {
	if (result.days.length === 0) {
		print(out.dim(`no session activity since ${result.since}`));
		return;
	}

	for (const day of result.days) {
		print(out.bold(day.date));
		for (const project of day.projects) {
			const tests = project.tests.runs > 0 ? `, tests ${project.tests.passed} passed/${project.tests.failed} failed` : '';
			print(`  ${project.project} ${out.dim(`(${project.tools.join(', ')}; ${project.sessions.length} session(s))`)}`);
			print(
				`    ${project.turns} turn(s), ${project.files.created + project.files.edited + project.files.deleted} file(s) changed +${project.files.lines_added} -${project.files.lines_removed}, ${project.commands} command(s) (${project.failed_commands} failed)${tests}, ${compactNumber(project.tokens.total)} tokens, ${periodCost(project.cost_usd, project.unpriced_models, project.tokens.total)}`,
			);
		}
	}

	const {totals} = result;
	print();
	print(`${out.bold('Total')}: ${totals.sessions} session(s), ${totals.turns} turn(s), ${compactNumber(totals.tokens.total)} tokens, ${periodCost(totals.cost_usd, totals.unpriced_models, totals.tokens.total)}`);
}

function oneLine(text: string): string {
	const flat = printable(text).replace(/\s+/g, ' ').trim();
	return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
