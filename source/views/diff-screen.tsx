/** The Diff screen: file edits as coloured unified diffs, file by file; or a session vs its fork/checkpoint. */
import {Box, Text} from 'ink';
import type {AppState} from './app-state.js';
import type {MessageSummary} from './engine-context.js';
import {oneLine, plainText, shortTimestamp} from './format.js';
import {theme} from './theme.js';

function diffColor(line: string): string | undefined {
	if (line.startsWith('@@')) {
		return theme.diffHunk;
	}

	if (line.startsWith('+')) {
		return theme.diffAdd;
	}

	if (line.startsWith('-')) {
		return theme.diffRemove;
	}

	return undefined;
}

function Comparison({state}: {state: AppState}) {
	const {diff} = state;
	if (diff.compareStatus === 'loading') {
		return <Text color={theme.muted}>Comparing…</Text>;
	}

	if (diff.compareStatus === 'error') {
		return <Text color={theme.danger}>Could not compare: {diff.error}</Text>;
	}

	const comparison = diff.comparison;
	if (!comparison) {
		return null;
	}

	const summary = (sign: string, message: MessageSummary) => `${sign} ${message.role.padEnd(9)} ${shortTimestamp(message.timestamp)}  ${oneLine(message.preview)}`;
	const lines: Array<{text: string; color?: string}> = [
		{text: `${comparison.a} → ${comparison.b}`, color: theme.accent},
		{text: `${comparison.common} messages in common · ${comparison.added.length} added · ${comparison.removed.length} removed`, color: theme.muted},
		...comparison.removed.map(message => ({text: summary('-', message), color: theme.diffRemove})),
		...comparison.added.map(message => ({text: summary('+', message), color: theme.diffAdd})),
	];
	return (
		<Box flexDirection="column">
			{lines.slice(diff.offset, diff.offset + diff.pageSize + 1).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={line.color}>
					{line.text}
				</Text>
			))}
		</Box>
	);
}

export function DiffScreen({state}: {state: AppState}) {
	const {diff} = state;
	const columns = state.size.columns;
	if (diff.mode === 'compare') {
		return (
			<Box flexDirection="column" width={columns}>
				<Text bold wrap="truncate">
					Compare with fork/checkpoint <Text color={theme.muted}>(Esc: back to files)</Text>
				</Text>
				<Comparison state={state} />
			</Box>
		);
	}

	if (diff.status === 'loading') {
		return <Text color={theme.muted}>Collecting file edits…</Text>;
	}

	if (diff.status === 'error') {
		return <Text color={theme.danger}>Could not read edits: {diff.error}</Text>;
	}

	if (diff.files.length === 0) {
		return <Text color={theme.muted}>This session made no file edits (no Edit/Write/apply_patch calls). c compares it with a fork.</Text>;
	}

	const file = diff.files[diff.fileIndex]!;
	const lines = file.unified.split('\n');
	return (
		<Box flexDirection="column" width={columns}>
			<Text wrap="truncate">
				<Text bold>{plainText(file.path)}</Text>
				<Text color={theme.muted}>
					{'  '}
					{file.change} · file {diff.fileIndex + 1}/{diff.files.length}
				</Text>
			</Text>
			{lines.slice(diff.offset, diff.offset + diff.pageSize + 1).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={diff.offset + index} wrap="truncate" color={diffColor(line)}>
					{plainText(line) || ' '}
				</Text>
			))}
		</Box>
	);
}
