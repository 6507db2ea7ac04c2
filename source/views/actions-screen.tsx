/** The Actions screen: a menu of session actions, each a one-field form (or a confirm for delete). */
import {rowById} from './row-index.js';
import {Box, Text} from 'ink';
import {ACTION_KINDS, type ActionKind, type AppState} from './app-state.js';
import {oneLine} from './format.js';
import {computeLayout} from './layout.js';
import {TextField} from './text-field.js';
import {theme} from './theme.js';

const ACTION_TEXT: Record<ActionKind, {label: string; prompt: string; placeholder: string}> = {
	alias: {label: 'Alias', prompt: 'Alias (empty clears it):', placeholder: 'short-name'},
	tags: {label: 'Tags', prompt: 'Tags, comma separated (empty clears them):', placeholder: 'bug, auth'},
	fork: {label: 'Fork', prompt: 'Fork at message id (empty: at the end):', placeholder: 'msg id'},
	checkpoint: {label: 'Checkpoint', prompt: 'Checkpoint name:', placeholder: 'before-refactor'},
	export: {label: 'Export', prompt: 'Export to path (.md markdown, .json JSON, else .sfs):', placeholder: './session.md'},
	delete: {label: 'Delete from sfs', prompt: '', placeholder: ''},
};

export function ActionsScreen({state}: {state: AppState}) {
	const {actions} = state;
	const row = rowById(state.sessions.rows, actions.sessionId);
	const name = row ? row.alias ?? (oneLine(row.title) || row.session_id) : actions.sessionId;
	// A short terminal with a form or the delete confirm open: the menu shrinks to the chosen action, or
	// the field being typed into (or the y/n line) would fall below the screen.
	const compact = (actions.form !== undefined || actions.confirm !== undefined) && computeLayout(state.size).bodyRows < 3 + ACTION_KINDS.length + 6;
	const shown = ACTION_KINDS.map((kind, index) => ({kind, index})).filter(({index}) => !compact || index === actions.cursor);
	return (
		<Box flexDirection="column" width={state.size.columns}>
			<Text wrap="truncate">
				Actions for <Text bold>{name}</Text>
			</Text>
			<Text> </Text>
			{shown.map(({kind, index}) => (
				<Text key={kind} inverse={index === actions.cursor} color={kind === 'delete' ? theme.danger : undefined}>
					{index === actions.cursor ? ' › ' : '   '}
					{ACTION_TEXT[kind].label}
				</Text>
			))}
			<Text> </Text>
			{actions.form ? (
				<Box flexDirection="column">
					<Text>{ACTION_TEXT[actions.form.kind].prompt}</Text>
					<Box borderStyle="round" borderColor={theme.accent} width={Math.min(60, state.size.columns)}>
						<TextField state={actions.form.input} focused placeholder={ACTION_TEXT[actions.form.kind].placeholder} />
					</Box>
					<Text color={theme.muted}>{actions.busy ? 'Working…' : 'Enter saves · Esc cancels'}</Text>
				</Box>
			) : null}
			{actions.confirm ? (
				<Box flexDirection="column" borderStyle="round" borderColor={theme.danger} width={Math.min(70, state.size.columns)}>
					<Text color={theme.danger} bold>
						Delete “{name}” from sfs?
					</Text>
					<Text>The tool’s own session files are not touched. y deletes · n or Esc cancels</Text>
				</Box>
			) : null}
		</Box>
	);
}
