/** The Sessions screen: chips + filter line, the windowed list, the preview, or the first-run empty state. */
import {Box, Text} from 'ink';
import {useMemo} from 'react';
import type {AppState} from './app-state.js';
import type {SessionRow, SourceLooked} from './engine-context.js';
import {compactNumber, fit, money, oneLine, projectName, relativeTime, shortTimestamp, wrapText} from './format.js';
import {findingLines, summaryLines} from './insight-lines.js';
import {computeLayout} from './layout.js';
import {selectedRow, windowRows, type SessionsState} from './sessions-state.js';
import {TextField} from './text-field.js';
import {BADGE_WIDTH, theme, toolBadge} from './theme.js';

function Badge({tool}: {tool: string}) {
	const badge = toolBadge(tool);
	return <Text color={badge.color}>{fit(badge.label, BADGE_WIDTH, true)}</Text>;
}

const SORT_LABELS = {updated: 'updated', created: 'created', messages: 'messages', tokens: 'tokens'} as const;

function FilterLine({sessions, width}: {sessions: SessionsState; width: number}) {
	const chips: string[] = [];
	chips.push(sessions.tool ? `tool:${toolBadge(sessions.tool).label}` : 'all tools');
	chips.push(`sort:${SORT_LABELS[sessions.sort]}`);
	if (sessions.tree) {
		chips.push('tree');
	}

	chips.push(sessions.showSubagents ? 'agents shown' : `agents hidden${sessions.hiddenSubagents ? `:${sessions.hiddenSubagents}` : ''}`);
	if (!sessions.showHeadless) {
		chips.push('headless hidden');
	}

	return (
		<Box width={width} height={1}>
			<Text wrap="truncate">
				<Text color={sessions.filtering ? theme.accent : theme.muted}>/ </Text>
				{sessions.filtering || sessions.query.value ? <TextField state={sessions.query} focused={sessions.filtering} placeholder="type to filter" /> : <Text color={theme.muted}>filter</Text>}
				<Text color={theme.muted}>{'  '}</Text>
				{chips.map(chip => (
					<Text key={chip} color={theme.muted}>
						[{chip}]{' '}
					</Text>
				))}
			</Text>
		</Box>
	);
}

type Columns = {title: number; project: number; updated: number; messages: number; tokens: number; cost: number};

/** `costs`: the engine priced the rows (the cost column is left out until then, and for engines without costs). */
function columnsFor(width: number, costs: boolean): Columns {
	const project = width >= 60 ? 14 : 0;
	const tokens = width >= 50 ? 7 : 0;
	const cost = costs && width >= 66 ? 8 : 0;
	const fixed = 2 + BADGE_WIDTH + 1 + project + 5 + 6 + tokens + cost;
	return {title: Math.max(8, width - fixed), project, updated: 5, messages: 6, tokens, cost};
}

function rowTitle(row: SessionRow, depth: number): string {
	const indent = depth > 0 ? `${'  '.repeat(depth - 1)}└ ` : '';
	const lineage = row.lineage_kind === 'checkpoint' ? '◆ ' : row.parent_session_id ? '⑂ ' : '';
	const name = row.alias ? `${row.alias} · ${oneLine(row.title) || oneLine(row.first_prompt)}` : oneLine(row.title) || oneLine(row.first_prompt) || row.session_id;
	const badges = `${row.is_headless ? ' [headless]' : ''}${row.is_subagent ? ' [agent]' : ''}`;
	return `${indent}${lineage}${name}${badges}`;
}

function ListHeader({columns}: {columns: Columns}) {
	return (
		<Text wrap="truncate" color={theme.muted}>
			{'  '}
			{fit('tool', BADGE_WIDTH, true)} {fit('title', columns.title, true)}
			{columns.project ? fit('project', columns.project, true) : ''}
			{'upd'.padStart(columns.updated)}
			{' msgs'.padStart(columns.messages)}
			{columns.tokens ? ' tokens'.padStart(columns.tokens) : ''}
			{columns.cost ? ' cost'.padStart(columns.cost) : ''}
		</Text>
	);
}

function SessionLine({row, selected, depth, columns, now}: {row: SessionRow; selected: boolean; depth: number; columns: Columns; now: number}) {
	const tokens = row.input_tokens + row.output_tokens;
	return (
		<Text wrap="truncate" inverse={selected}>
			{selected ? '› ' : '  '}
			<Badge tool={row.tool} /> {fit(rowTitle(row, depth), columns.title - 1, true)}{' '}
			{columns.project ? <Text color={selected ? undefined : theme.muted}>{fit(projectName(row.cwd), columns.project - 1, true)} </Text> : ''}
			{relativeTime(row.updated_at ?? row.created_at, now).padStart(columns.updated)}
			{String(row.message_count).padStart(columns.messages)}
			{columns.tokens ? compactNumber(tokens).padStart(columns.tokens) : ''}
			{columns.cost ? (row.cost_usd === undefined ? '' : row.cost_usd === null ? '–' : money(row.cost_usd)).padStart(columns.cost) : ''}
		</Text>
	);
}

function SessionList({state, width}: {state: AppState; width: number}) {
	const {sessions} = state;
	const priced = useMemo(() => sessions.rows.some(row => row.cost_usd !== undefined), [sessions.rows]);
	const columns = columnsFor(width, priced);
	const rows = windowRows(sessions);
	const now = Date.now();
	return (
		<Box flexDirection="column" width={width}>
			<FilterLine sessions={sessions} width={width} />
			<ListHeader columns={columns} />
			{rows.map((row, index) => (
				<SessionLine key={row.session_id} row={row} selected={sessions.offset + index === sessions.cursor} depth={sessions.depth.get(row.session_id) ?? 0} columns={columns} now={now} />
			))}
			{sessions.visible.length === 0 && sessions.status === 'ready' ? <Text color={theme.muted}>{'  '}No session matches. Esc clears the filter, t/S/H change the chips.</Text> : null}
			{sessions.status === 'loading' && sessions.rows.length === 0 ? <Text color={theme.muted}>{'  '}Loading sessions…</Text> : null}
			{sessions.status === 'error' ? <Text color={theme.danger}>{'  '}Could not load sessions: {sessions.error}</Text> : null}
		</Box>
	);
}

/** id → row and parent → children, built once per row list (not per render). */
function useLineage(rows: SessionRow[]) {
	return useMemo(() => {
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

		return {byId, children};
	}, [rows]);
}

function label(row: SessionRow): string {
	return row.alias ?? (oneLine(row.title) || row.session_id.slice(0, 12));
}

function Preview({state, width, height}: {state: AppState; width: number; height: number}) {
	const row = selectedRow(state.sessions);
	const lineage = useLineage(state.sessions.rows);
	if (!row) {
		return (
			<Box width={width} height={height}>
				<Text color={theme.muted}>No session selected.</Text>
			</Box>
		);
	}

	const lines: Array<{text: string; color?: string; bold?: boolean}> = [];
	lines.push({text: oneLine(row.title) || oneLine(row.first_prompt) || row.session_id, bold: true});
	const facts: Array<[string, string]> = [
		['alias', row.alias ?? ''],
		['tool', `${toolBadge(row.tool).label}${row.model ? ` · ${row.model}` : ''}`],
		['project', row.cwd ?? ''],
		['created', shortTimestamp(row.created_at)],
		['updated', `${shortTimestamp(row.updated_at)} (${relativeTime(row.updated_at ?? row.created_at)} ago)`],
		['messages', `${row.message_count} · tokens in ${compactNumber(row.input_tokens)} out ${compactNumber(row.output_tokens)}${money(row.cost_usd) ? ` · ${money(row.cost_usd)}` : ''}`],
		['tags', row.tags.join(', ')],
		['id', `${row.session_id}${row.native_id ? ` (native ${row.native_id})` : ''}`],
	];
	for (const [name, value] of facts) {
		if (value) {
			lines.push({text: `${name.padEnd(9)}${value}`});
		}
	}

	// Lineage: ancestors down to this session, then its forks and checkpoints.
	const chain: SessionRow[] = [];
	let cursor: SessionRow | undefined = row;
	const seen = new Set<string>();
	while (cursor?.parent_session_id && !seen.has(cursor.session_id) && chain.length < 5) {
		seen.add(cursor.session_id);
		cursor = lineage.byId.get(cursor.parent_session_id);
		if (cursor) {
			chain.unshift(cursor);
		}
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

		if (kids.length > 6) {
			lines.push({text: `${'  '.repeat(depth + 1)}… ${kids.length - 6} more`, color: theme.muted});
		}
	}

	lines.push(...findingLines(state.findings[row.session_id], false), ...summaryLines(state.insights[row.session_id], false));

	if (row.first_prompt) {
		lines.push({text: 'first prompt', color: theme.accent});
		for (const line of wrapText(row.first_prompt, Math.max(10, width - 2)).slice(0, Math.max(0, height - lines.length))) {
			lines.push({text: line});
		}
	}

	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			{lines.slice(0, height).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={line.color} bold={line.bold}>
					{line.text}
				</Text>
			))}
		</Box>
	);
}

function EmptyState({sources, width, rows}: {sources: SourceLooked[] | undefined; width: number; rows: number}) {
	// Places that exist first; as many as fit, the rest counted.
	const sorted = sources ? [...sources].sort((a, b) => Number(b.exists) - Number(a.exists)) : undefined;
	const room = Math.max(1, rows - 9);
	const shown = sorted && sorted.length > room ? sorted.slice(0, room - 1) : sorted;
	const hidden = (sorted?.length ?? 0) - (shown?.length ?? 0);
	return (
		<Box flexDirection="column" width={width}>
			<Text bold color={theme.accent}>
				No sessions yet.
			</Text>
			<Text> </Text>
			<Text>sfs looked for AI coding sessions in:</Text>
			{sources === undefined ? <Text color={theme.muted}>  (asking the engine…)</Text> : null}
			{sources?.length === 0 ? <Text color={theme.muted}>  (no sources are enabled)</Text> : null}
			{shown?.map(source => (
				<Text key={`${source.tool}:${source.path}`} wrap="truncate">
					{'  '}
					<Badge tool={source.tool} /> <Text color={source.exists ? undefined : theme.muted}>{source.path}</Text>{' '}
					<Text color={theme.muted}>{source.exists ? `${source.sessions} sessions` : 'not found'}</Text>
				</Text>
			))}
			{hidden > 0 ? <Text color={theme.muted}>{`  … and ${hidden} more places${sorted!.slice(shown!.length).every(source => !source.exists) ? ', none found' : ''}`}</Text> : null}
			<Text> </Text>
			<Text>What to do:</Text>
			<Text wrap="truncate">{'  '}• Use Claude Code, Codex, Gemini CLI or Copilot CLI once, then press r to capture.</Text>
			<Text wrap="truncate">{'  '}• Run `sfs --demo` to see the TUI over bundled sample sessions.</Text>
			<Text wrap="truncate">{'  '}• ? lists every key; q quits.</Text>
		</Box>
	);
}

export function SessionsScreen({state}: {state: AppState}) {
	const layout = computeLayout(state.size);
	const {sessions} = state;
	if (sessions.status === 'ready' && sessions.rows.length === 0 && !sessions.query.value) {
		return <EmptyState sources={state.sources} width={state.size.columns} rows={layout.bodyRows} />;
	}

	if (layout.wide) {
		return (
			<Box width={state.size.columns} height={layout.bodyRows}>
				<SessionList state={state} width={layout.listColumns} />
				<Box width={1} height={layout.bodyRows} flexDirection="column">
					<Text color={theme.muted}>{'│\n'.repeat(layout.bodyRows).trimEnd()}</Text>
				</Box>
				<Preview state={state} width={layout.previewColumns} height={layout.bodyRows} />
			</Box>
		);
	}

	if (layout.stacked) {
		return (
			<Box flexDirection="column" width={state.size.columns} height={layout.bodyRows}>
				<Box height={layout.bodyRows - layout.previewRows}>
					<SessionList state={state} width={state.size.columns} />
				</Box>
				<Text color={theme.muted}>{'─'.repeat(state.size.columns)}</Text>
				<Preview state={state} width={state.size.columns} height={layout.previewRows - 1} />
			</Box>
		);
	}

	// Single pane: Tab switches between the list and the preview.
	return sessions.pane === 'preview' ? (
		<Preview state={state} width={state.size.columns} height={layout.bodyRows} />
	) : (
		<SessionList state={state} width={state.size.columns} />
	);
}
