/** The Sessions screen: chips + filter line, the windowed list, the preview, or the first-run empty state. */
import {Box, Text} from 'ink';
import {useMemo} from 'react';
import type {AppState} from './app-state.js';
import type {SessionRow, SourceLooked} from './engine-context.js';
import {compactNumber, fit, money, oneLine, projectName, relativeTime} from './format.js';
import {computeLayout} from './layout.js';
import {previewLines, previewRoom} from './preview-lines.js';
import {costOf, previewOffset, selectedRow, windowRows, type SessionsState} from './sessions-state.js';
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

/** The cost cell: "…" while the row is being priced, "–" when unpriced. */
function costCell(cost: number | null | undefined, loading: boolean): string {
	if (cost === undefined) return loading ? '…' : '';
	return cost === null ? '–' : money(cost);
}

function SessionLine({row, cost, costsLoading, selected, depth, columns, now}: {row: SessionRow; cost: number | null | undefined; costsLoading: boolean; selected: boolean; depth: number; columns: Columns; now: number}) {
	const tokens = row.input_tokens + row.output_tokens;
	return (
		<Text wrap="truncate" inverse={selected}>
			{selected ? '› ' : '  '}
			<Badge tool={row.tool} /> {fit(rowTitle(row, depth), columns.title - 1, true)}{' '}
			{columns.project ? <Text color={selected ? undefined : theme.muted}>{fit(projectName(row.cwd), columns.project - 1, true)} </Text> : ''}
			{relativeTime(row.updated_at ?? row.created_at, now).padStart(columns.updated)}
			{String(row.message_count).padStart(columns.messages)}
			{columns.tokens ? compactNumber(tokens).padStart(columns.tokens) : ''}
			{columns.cost ? costCell(cost, costsLoading).padStart(columns.cost) : ''}
		</Text>
	);
}

function SessionList({state, width}: {state: AppState; width: number}) {
	const {sessions} = state;
	const priced = useMemo(() => sessions.costs.size > 0 || sessions.rows.some(row => row.cost_usd !== undefined), [sessions.rows, sessions.costs]);
	const columns = columnsFor(width, priced || sessions.costsLoading);
	const rows = windowRows(sessions);
	const now = Date.now();
	return (
		<Box flexDirection="column" width={width}>
			<FilterLine sessions={sessions} width={width} />
			<ListHeader columns={columns} />
			{rows.map((row, index) => (
				<SessionLine key={row.session_id} row={row} cost={costOf(sessions, row)} costsLoading={sessions.costsLoading} selected={sessions.offset + index === sessions.cursor} depth={sessions.depth.get(row.session_id) ?? 0} columns={columns} now={now} />
			))}
			{sessions.visible.length === 0 && sessions.status === 'ready' ? <Text color={theme.muted}>{'  '}No session matches. Esc clears the filter, t/S/H change the chips.</Text> : null}
			{sessions.status === 'loading' && sessions.rows.length === 0 ? <Text color={theme.muted}>{'  '}Loading sessions…</Text> : null}
			{sessions.status === 'error' ? <Text color={theme.danger}>{'  '}Could not load sessions: {sessions.error}</Text> : null}
		</Box>
	);
}

function Preview({state, width, height}: {state: AppState; width: number; height: number}) {
	const {sessions} = state;
	const row = selectedRow(sessions);
	if (!row) {
		return (
			<Box width={width} height={height}>
				<Text color={theme.muted}>No session selected.</Text>
			</Box>
		);
	}

	// Focused (Tab): a marker line on top says so and where the window is; the rest scrolls under it.
	const focused = sessions.pane === 'preview';
	const lines = previewLines(state, width);
	const room = previewRoom(height, focused);
	const offset = Math.min(previewOffset(sessions), Math.max(0, lines.length - room));
	const shown = lines.slice(offset, offset + room);
	if (focused) {
		const position = lines.length > room ? ` ${offset + 1}-${offset + shown.length} of ${lines.length}` : '';
		shown.unshift({text: `▸ preview${position} · Tab back to the list`, color: theme.accent});
	}

	return (
		<Box flexDirection="column" width={width} height={height} overflowY="hidden">
			{shown.map((line, index) => (
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
