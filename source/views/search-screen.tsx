/** The Search screen: an FTS query box and hits grouped by session with highlighted snippets. */
import {Box, Text} from 'ink';
import {useMemo} from 'react';
import {SEARCH_LIMIT, type AppState} from './app-state.js';
import type {SessionRow} from './engine-context.js';
import {oneLine, relativeTime} from './format.js';
import {TextField} from './text-field.js';
import {theme, toolBadge} from './theme.js';

/** Snippet parts: matches are marked \u0001…\u0002 by the engine. */
export function snippetParts(snippet: string): Array<{text: string; match: boolean}> {
	const parts: Array<{text: string; match: boolean}> = [];
	let match = false;
	let current = '';
	for (const char of oneLine(snippet)) {
		if (char === '\u0001' || char === '\u0002') {
			if (current) {
				parts.push({text: current, match});
			}

			current = '';
			match = char === '\u0001';
		} else {
			current += char;
		}
	}

	if (current) {
		parts.push({text: current, match});
	}

	return parts;
}

/** "1 hit", "12 hits"; "200+ hits" when the engine stopped at the limit (there may be more). */
function hitsText(count: number): string {
	return `${count}${count >= SEARCH_LIMIT ? '+' : ''} hit${count === 1 ? '' : 's'}`;
}

export function SearchScreen({state}: {state: AppState}) {
	const {search} = state;
	const rows = state.sessions.rows;
	const byId = useMemo(() => new Map<string, SessionRow>(rows.map(row => [row.session_id, row])), [rows]);
	const columns = state.size.columns;
	const items = search.items.slice(search.offset, search.offset + search.pageSize);
	const sessionsHit = search.items.filter(item => item.kind === 'group').length;
	return (
		<Box flexDirection="column" width={columns}>
			<Text wrap="truncate">
				<Text color={theme.accent}>search: </Text>
				<TextField state={search.input} focused placeholder="words to find in every message (Enter)" />
				<Text color={theme.muted}>
					{search.status === 'loading' ? '  searching…' : ''}
					{search.status === 'ready' ? `  ${hitsText(search.hitCount)} in ${sessionsHit} session${sessionsHit === 1 ? '' : 's'}` : ''}
				</Text>
			</Text>
			{search.status === 'error' ? <Text color={theme.danger}>Search failed: {search.error}</Text> : null}
			{search.status === 'ready' && search.items.length === 0 ? <Text color={theme.muted}>No message contains "{search.query}".</Text> : null}
			{search.status === 'idle' ? <Text color={theme.muted}>Type to search the text of every captured message; ↑/↓ pick a hit, Enter opens it.</Text> : null}
			{items.map((item, index) => {
				const absolute = search.offset + index;
				if (item.kind === 'group') {
					const row = byId.get(item.sessionId);
					const badge = toolBadge(row?.tool ?? '?');
					return (
						<Text key={`g:${item.sessionId}`} wrap="truncate">
							<Text color={badge.color}>{badge.label} </Text>
							<Text bold>{row ? row.alias ?? (oneLine(row.title) || item.sessionId) : item.sessionId}</Text>
							<Text color={theme.muted}>
								{'  '}
								{item.hits} hit{item.hits === 1 ? '' : 's'}
								{row ? ` · ${relativeTime(row.updated_at ?? row.created_at)}` : ''}
							</Text>
						</Text>
					);
				}

				const selected = absolute === search.cursor;
				return (
					<Text key={`h:${item.hit.session_id}:${item.hit.msg_id}:${absolute}`} wrap="truncate" inverse={selected}>
						{selected ? ' › ' : '   '}
						<Text color={theme.muted}>{`#${item.hit.position + 1} ${item.hit.role}`.padEnd(14)}</Text>
						{snippetParts(item.hit.snippet).map((part, partIndex) =>
							part.match ? (
								// eslint-disable-next-line react/no-array-index-key
								<Text key={partIndex} bold color={theme.match}>
									{part.text}
								</Text>
							) : (
								part.text
							),
						)}
					</Text>
				);
			})}
		</Box>
	);
}
