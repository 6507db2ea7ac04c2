/**
 * The Sessions preview as display lines (facts, lineage, findings, summary, first prompt). Pure, so the
 * view draws a window of it and the controller scrolls by the same line count (Tab focuses the preview).
 */
import type {AppState} from './app-state.js';
import type {SessionRow} from './engine-context.js';
import {compactNumber, money, oneLine, plainText, relativeTime, shortTimestamp, wrapText} from './format.js';
import {findingLines, summaryLines, type InsightLine} from './insight-lines.js';
import {computeLayout} from './layout.js';
import {costOf, selectedRow} from './sessions-state.js';
import {theme, toolBadge} from './theme.js';

type Lineage = {byId: Map<string, SessionRow>; children: Map<string, SessionRow[]>};

const lineageCache = new WeakMap<readonly SessionRow[], Lineage>();

/** id → row and parent → children, built once per row list (not per render or per scroll step). */
function lineageOf(rows: readonly SessionRow[]): Lineage {
	let lineage = lineageCache.get(rows);
	if (!lineage) {
		const byId = new Map<string, SessionRow>();
		const children = new Map<string, SessionRow[]>();
		for (const row of rows) {
			byId.set(row.session_id, row);
			if (row.parent_session_id) {
				const list = children.get(row.parent_session_id) ?? [];
				list.push(row);
				children.set(row.parent_session_id, list);
			}
		}

		lineage = {byId, children};
		lineageCache.set(rows, lineage);
	}

	return lineage;
}

/** "5m ago", but "now" (not "now ago") and nothing for an unknown time. */
function ago(relative: string): string {
	return relative === 'now' || relative === '' ? relative : `${relative} ago`;
}

function label(row: SessionRow): string {
	return row.alias ?? (oneLine(row.title) || row.session_id.slice(0, 12));
}

/** Width and height of the preview pane in the current layout. */
export function previewBox(state: AppState): {width: number; height: number} {
	const layout = computeLayout(state.size);
	if (layout.wide) return {width: layout.previewColumns, height: layout.bodyRows};
	if (layout.stacked) return {width: state.size.columns, height: layout.previewRows - 1};
	return {width: state.size.columns, height: layout.bodyRows};
}

/** Rows of the preview that show its lines: one less when focused (its marker line). */
export function previewRoom(height: number, focused: boolean): number {
	return Math.max(1, focused ? height - 1 : height);
}

/** Every line of the selected session's preview at this width (empty when nothing is selected). */
export function previewLines(state: AppState, width: number): InsightLine[] {
	const row = selectedRow(state.sessions);
	if (!row) return [];
	const cost = costOf(state.sessions, row);
	const lines: InsightLine[] = [];
	lines.push({text: oneLine(row.title) || oneLine(row.first_prompt) || row.session_id, bold: true});
	const facts: Array<[string, string]> = [
		['alias', row.alias ?? ''],
		['tool', `${toolBadge(row.tool).label}${row.model ? ` · ${row.model}` : ''}`],
		['project', row.cwd ?? ''],
		['created', shortTimestamp(row.created_at)],
		['updated', `${shortTimestamp(row.updated_at)} (${ago(relativeTime(row.updated_at ?? row.created_at))})`],
		['messages', `${row.message_count} · tokens in ${compactNumber(row.input_tokens)} out ${compactNumber(row.output_tokens)}${money(cost) ? ` · ${money(cost)}` : ''}`],
		['tags', row.tags.join(', ')],
		['id', `${row.session_id}${row.native_id ? ` (native ${row.native_id})` : ''}`],
	];
	for (const [name, value] of facts) {
		if (value) lines.push({text: `${name.padEnd(9)}${plainText(value)}`});
	}

	// Lineage: ancestors down to this session, then its forks and checkpoints.
	const lineage = lineageOf(state.sessions.rows);
	const chain: SessionRow[] = [];
	let cursor: SessionRow | undefined = row;
	const seen = new Set<string>();
	while (cursor?.parent_session_id && !seen.has(cursor.session_id) && chain.length < 5) {
		seen.add(cursor.session_id);
		cursor = lineage.byId.get(cursor.parent_session_id);
		if (cursor) chain.unshift(cursor);
	}

	const kids = lineage.children.get(row.session_id) ?? [];
	if (chain.length > 0 || kids.length > 0) {
		lines.push({text: 'lineage', color: theme.accent});
		chain.forEach((ancestor, depth) => {
			lines.push({text: `${'  '.repeat(depth)}${depth > 0 ? '└ ' : ''}${label(ancestor)}`, color: theme.muted});
		});
		const depth = chain.length;
		lines.push({text: `${'  '.repeat(depth)}${depth > 0 ? '└ ' : ''}● ${label(row)}`, bold: true});
		for (const kid of kids.slice(0, 6)) {
			const kind = kid.lineage_kind === 'checkpoint' ? `◆ checkpoint ${kid.checkpoint_name ?? ''}`.trim() : '⑂ fork';
			lines.push({text: `${'  '.repeat(depth + 1)}└ ${kind}: ${label(kid)}`, color: theme.muted});
		}

		if (kids.length > 6) lines.push({text: `${'  '.repeat(depth + 1)}… ${kids.length - 6} more`, color: theme.muted});
	}

	lines.push(...findingLines(state.findings[row.session_id], false), ...summaryLines(state.insights[row.session_id], false));
	if (row.first_prompt) {
		lines.push({text: 'first prompt', color: theme.accent});
		for (const line of wrapText(row.first_prompt, Math.max(10, width - 2))) lines.push({text: line});
	}

	return lines;
}
