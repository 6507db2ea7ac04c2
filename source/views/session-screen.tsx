/** The Session screen: one conversation, windowed over display lines. */
import {Box, Text} from 'ink';
import type {AppState} from './app-state.js';
import {visibleLines, type DetailLine, type LineStyle} from './detail-state.js';
import {oneLine} from './format.js';
import {costText, summaryPanel} from './insight-lines.js';
import {TextField} from './text-field.js';
import {theme, toolBadge} from './theme.js';

const STYLE: Record<LineStyle, {color?: string; bold?: boolean; dim?: boolean}> = {
	user: {color: theme.user, bold: true},
	assistant: {color: theme.assistant, bold: true},
	system: {color: theme.system, bold: true},
	tool: {color: theme.tool},
	'tool-body': {color: theme.muted},
	'tool-output': {},
	error: {color: theme.danger},
	thinking: {color: theme.thinking},
	text: {},
	muted: {color: theme.muted},
};

/** Split a line around case-insensitive matches of query, for highlighting. */
function highlight(text: string, query: string): Array<{text: string; match: boolean}> {
	if (!query) {
		return [{text, match: false}];
	}

	const parts: Array<{text: string; match: boolean}> = [];
	const lower = text.toLowerCase();
	let from = 0;
	for (let at = lower.indexOf(query); at !== -1; at = lower.indexOf(query, at + query.length)) {
		if (at > from) {
			parts.push({text: text.slice(from, at), match: false});
		}

		parts.push({text: text.slice(at, at + query.length), match: true});
		from = at + query.length;
	}

	if (from < text.length) {
		parts.push({text: text.slice(from), match: false});
	}

	return parts;
}

function Line({line, selected, first, query}: {line: DetailLine; selected: boolean; first: boolean; query: string}) {
	const style = STYLE[line.style];
	const gutter = selected ? (first ? '› ' : '▏ ') : '  ';
	return (
		<Text wrap="truncate">
			<Text color={theme.accent}>{gutter}</Text>
			<Text color={style.color} bold={style.bold}>
				{highlight(line.text, query).map((part, index) =>
					part.match ? (
						// eslint-disable-next-line react/no-array-index-key
						<Text key={index} inverse color={theme.match}>
							{part.text}
						</Text>
					) : (
						part.text
					),
				)}
			</Text>
		</Text>
	);
}

export function SessionScreen({state}: {state: AppState}) {
	const {detail} = state;
	const columns = state.size.columns;
	const manifest = detail.detail?.manifest;
	const title = manifest ? oneLine(manifest.title) || manifest.session_id : detail.sessionId ?? '';
	const tool = manifest?.source.tool;
	const position = detail.entries.length > 0 ? `${detail.cursor + 1}/${detail.entries.length}` : '';
	const insight = detail.sessionId ? state.insights[detail.sessionId] : undefined;
	const found = detail.sessionId ? state.findings[detail.sessionId] : undefined;
	const findingCount = found?.status === 'ready' ? found.value.findings.length : 0;
	const facts = `${insight?.status === 'ready' ? `${costText(insight.value.summary.cost_usd)} · ` : ''}${findingCount > 0 ? `${findingCount} finding${findingCount === 1 ? '' : 's'} (m) · ` : ''}`;
	const panel = state.showSummary ? summaryPanel(state, detail.sessionId) : undefined;
	return (
		<Box flexDirection="column" width={columns} height={detail.height + 1}>
			<Box height={1} width={columns}>
				<Box flexGrow={1}>
					<Text wrap="truncate">
						{tool ? <Text color={toolBadge(tool).color}>{toolBadge(tool).label} </Text> : ''}
						{/* Find comes before the title: after a long title it was cut off, typing included. */}
						{detail.finding ? (
							<Text>
								find: <TextField state={detail.find} focused placeholder="text" />
								{'  '}
							</Text>
						) : detail.findQuery ? (
							<Text color={theme.muted}>{`find "${detail.findQuery}": ${detail.findStatus ?? ''}  `}</Text>
						) : (
							''
						)}
						<Text bold>{title}</Text>
					</Text>
				</Box>
				<Box flexShrink={0}>
					<Text color={theme.muted}>
						{detail.hiddenMeta > 0 ? `${detail.hiddenMeta} record${detail.hiddenMeta === 1 ? '' : 's'} hidden (.) · ` : ''}
						{facts}
						{detail.showThinking ? 'thinking shown · ' : ''}
						{position}
					</Text>
				</Box>
			</Box>
			{detail.status === 'loading' ? <Text color={theme.muted}>Loading session…</Text> : null}
			{detail.status === 'error' ? <Text color={theme.danger}>Could not open the session: {detail.error}</Text> : null}
			{detail.status === 'ready' && detail.entries.length === 0 ? <Text color={theme.muted}>This session has no messages.</Text> : null}
			{panel ? (
				<>
					{(panel.length > 0 ? panel : [{text: 'No summary for this session.', color: theme.muted, bold: false}]).slice(state.summaryOffset, state.summaryOffset + detail.height).map((line, index) => (
						// eslint-disable-next-line react/no-array-index-key
						<Text key={index} wrap="truncate" color={line.color} bold={line.bold}>
							{'  '}
							{line.text}
						</Text>
					))}
				</>
			) : null}
			{panel ? null : visibleLines(detail).map((line, index) => {
				const lineNumber = detail.offset + index;
				return <Line key={lineNumber} line={line} selected={line.entry === detail.cursor} first={detail.entryStart[line.entry] === lineNumber} query={detail.findQuery} />;
			})}
		</Box>
	);
}
