/** The Resume screen: target tool, model, folder (as `--cwd`), fidelity report, launch (here or in a tmux pane/window). */
import {rowById} from './row-index.js';
import {Box, Text} from 'ink';
import type {AppState} from './app-state.js';
import type {TuiEngine} from './engine-context.js';
import {oneLine} from './format.js';
import {TextField} from './text-field.js';
import {theme, toolBadge} from './theme.js';

export function ResumeScreen({state, engine}: {state: AppState; engine: TuiEngine}) {
	const {resume} = state;
	const row = rowById(state.sessions.rows, resume.sessionId);
	const report = resume.plan?.report;
	return (
		<Box flexDirection="column" width={state.size.columns}>
			<Text wrap="truncate">
				Resume <Text bold>{row ? row.alias ?? (oneLine(row.title) || row.session_id) : resume.sessionId}</Text>
				{row ? <Text color={theme.muted}> (from {toolBadge(row.tool).label})</Text> : ''}
			</Text>
			<Text> </Text>
			<Text color={theme.muted}>Target:</Text>
			{resume.targets.map((target, index) => (
				<Text key={target} inverse={index === resume.cursor}>
					{index === resume.cursor ? ' › ' : '   '}
					<Text color={toolBadge(target).color}>{target}</Text>
				</Text>
			))}
			<Text wrap="truncate">
				<Text color={theme.muted}>Model: </Text>
				<TextField state={resume.model} focused={resume.editingModel} placeholder="(the tool's default; m to set)" />
			</Text>
			<Text wrap="truncate">
				<Text color={theme.muted}>Folder: </Text>
				{resume.editingFolder ? (
					<TextField state={resume.folder} focused placeholder="(the session's own)" />
				) : (
					<Text>{resume.cwd ?? (resume.missingFolder === undefined ? (resume.plan?.cwd ?? row?.cwd ?? "(the session's own)") : '(none yet)')}</Text>
				)}
				{resume.editingFolder ? '' : <Text color={theme.muted}> (f to change)</Text>}
			</Text>
			{resume.missingFolder !== undefined && !resume.cwd ? (
				<Text wrap="truncate" color={theme.warning}>
					{resume.missingFolder === null ? 'The session recorded no folder' : `The session's folder ${resume.missingFolder} no longer exists`}
					{resume.editingFolder ? ': type another and press Enter' : ': press f to give another'}
				</Text>
			) : null}
			{resume.editingFolder && resume.folderError ? (
				<Text wrap="truncate" color={theme.danger}>
					{resume.folderError}
				</Text>
			) : null}
			<Text> </Text>
			{resume.status === 'loading' ? <Text color={theme.muted}>Planning…</Text> : null}
			{resume.status === 'error' ? (
				<Text wrap="truncate" color={theme.danger}>
					Cannot resume there: {resume.error}
				</Text>
			) : null}
			{report ? (
				<Box flexDirection="column">
					<Text color={theme.accent}>Fidelity</Text>
					<Text wrap="truncate">
						{'  '}messages kept {report.messages_kept} · converted {report.messages_converted} · dropped{' '}
						<Text color={report.messages_dropped > 0 ? theme.warning : undefined}>{report.messages_dropped}</Text>
					</Text>
					<Text wrap="truncate">
						{'  '}tool calls mapped {report.tool_calls_mapped} · thinking {report.thinking} · images kept {report.images_kept} · turns trimmed {report.turns_trimmed}
					</Text>
					{resume.plan!.warnings.map(warning => (
						<Text key={warning} wrap="truncate" color={theme.warning}>
							{'  '}! {warning}
						</Text>
					))}
					<Text wrap="truncate" color={theme.muted}>
						{'  '}$ {resume.plan!.command.join(' ')} <Text>(in {resume.plan!.cwd})</Text>
					</Text>
				</Box>
			) : null}
			<Text> </Text>
			{resume.launching ? (
				<Text color={theme.warning}>Launching…</Text>
			) : (
				<Text wrap="truncate" color={theme.muted}>
					Enter launches here; the TUI comes back when the tool exits.
					{engine.inTmux() ? ' p: new tmux pane · w: new tmux window (the TUI keeps running).' : ''}
				</Text>
			)}
		</Box>
	);
}
