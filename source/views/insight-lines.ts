/**
 * A session's summary, narrative and DLP findings as display lines, for the Sessions preview (compact)
 * and the Session screen's summary panel (full). Pure: the data is loaded by the controller.
 */
import type {AppState, Loaded} from './app-state.js';
import type {SessionFindingsView, SessionInsight} from './engine-context.js';
import {compactNumber, money, oneLine, plainText} from './format.js';
import {theme} from './theme.js';

export type InsightLine = {text: string; color?: string; bold?: boolean};

export function duration(ms: number): string {
	if (!Number.isFinite(ms) || ms <= 0) return '0s';
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.round(seconds / 60);
	if (minutes < 60) return `${minutes}m`;
	return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** "$0.42", or "unpriced" when no response could be priced. */
export function costText(cost: number | null | undefined): string {
	return money(cost) || 'unpriced';
}

function exitMark(code: number | null): string {
	return code === null ? '?' : code === 0 ? '✓' : `✗ ${code}`;
}

function section(title: string): InsightLine {
	return {text: title, color: theme.accent};
}

/** Lines of the summary; `full` lists everything, otherwise a few of each kind. */
export function summaryLines(loaded: Loaded<SessionInsight> | undefined, full: boolean): InsightLine[] {
	if (!loaded) return [];
	if (loaded.status === 'loading') return [{text: 'summary  loading…', color: theme.muted}];
	if (loaded.status === 'error') return [{text: `summary  unavailable: ${loaded.error}`, color: theme.danger}];
	const {summary, narrative} = loaded.value;
	const limit = full ? Infinity : 3;
	const lines: InsightLine[] = [section('summary')];
	lines.push({text: `${duration(summary.duration_ms)} · ${summary.turns} turn${summary.turns === 1 ? '' : 's'} · tokens ${compactNumber(summary.tokens.total)} · ${costText(summary.cost_usd)}`});
	const more = (count: number) => {
		if (count > limit) lines.push({text: `  … ${count - limit} more`, color: theme.muted});
	};

	const files = summary.files.filter(file => file.action !== 'read');
	if (files.length > 0) {
		lines.push(section(`files (${files.length})`));
		for (const file of files.slice(0, limit)) lines.push({text: `  ${plainText(file.path)} +${file.lines_added} -${file.lines_removed}${file.action === 'edited' ? '' : ` (${file.action})`}`});
		more(files.length);
	}

	if (summary.commands.length > 0) {
		lines.push(section(`commands (${summary.commands.length})`));
		for (const command of summary.commands.slice(0, limit)) lines.push({text: `  ${exitMark(command.exit_code)} ${oneLine(command.command)}`, color: command.exit_code && command.exit_code !== 0 ? theme.danger : undefined});
		more(summary.commands.length);
	}

	if (summary.tests.length > 0) {
		lines.push(section('tests'));
		for (const run of summary.tests.slice(0, limit)) lines.push({text: `  ${run.passed ?? '?'} passed, ${run.failed ?? '?'} failed · ${oneLine(run.command)}`, color: (run.failed ?? 0) > 0 ? theme.danger : undefined});
		more(summary.tests.length);
	}

	if (summary.packages.length > 0) lines.push({text: plainText(`packages ${summary.packages.map(item => `${item.name} (${item.manager})`).join(', ')}`)});
	if (summary.errors.length > 0) {
		lines.push(section(`errors (${summary.errors.length})`));
		for (const error of summary.errors.slice(0, limit)) lines.push({text: `  ${error.tool}: ${oneLine(error.message)}`, color: theme.danger});
		more(summary.errors.length);
	}

	if (narrative) {
		lines.push(section('narrative'));
		lines.push({text: `  ${oneLine(narrative.what_happened)}`});
		if (narrative.outcome) lines.push({text: `  outcome: ${oneLine(narrative.outcome)}`});
		if (full) {
			for (const decision of narrative.key_decisions) lines.push({text: `  decision: ${oneLine(decision)}`});
			for (const issue of narrative.open_issues) lines.push({text: `  open: ${oneLine(issue)}`});
		}
	}

	return lines;
}

/** Count and kinds of DLP findings; `full` adds one masked excerpt per finding. */
export function findingLines(loaded: Loaded<SessionFindingsView> | undefined, full: boolean): InsightLine[] {
	if (!loaded) return [];
	if (loaded.status === 'loading') return [{text: 'findings loading…', color: theme.muted}];
	if (loaded.status === 'error') return [{text: `findings unavailable: ${loaded.error}`, color: theme.danger}];
	const {secrets, personal, findings} = loaded.value;
	if (findings.length === 0) return [{text: 'findings none', color: theme.muted}];
	const patterns = [...new Set(findings.map(finding => finding.pattern))];
	const lines: InsightLine[] = [{text: `findings ${secrets} secret${secrets === 1 ? '' : 's'}, ${personal} personal · ${patterns.join(', ')}`, color: theme.danger}];
	if (full) {
		// Only masked excerpts reach the screen (the scanner masks every sensitive value).
		for (const finding of findings) lines.push({text: `  ${finding.kind} ${finding.pattern}: ${oneLine(finding.excerpt)}`, color: theme.muted});
	}

	return lines;
}

/** The Session screen's summary panel (the controller scrolls it by the same line count). */
export function summaryPanel(state: AppState, sessionId: string | undefined): InsightLine[] {
	if (!sessionId) return [];
	return [...summaryLines(state.insights[sessionId], true), ...findingLines(state.findings[sessionId], true)];
}
