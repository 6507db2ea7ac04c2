/** Header, status bar and footer: the frame around every screen. */
import {Box, Text} from 'ink';
import type {AppState, Screen} from './app-state.js';
import {compactNumber} from './format.js';
import {footerFor, type Layer} from './keymap.js';
import {theme} from './theme.js';

const TABS: Array<{screen: Screen; label: string; key: string}> = [
	{screen: 'sessions', label: 'Sessions', key: '1'},
	{screen: 'search', label: 'Search', key: '2'},
	{screen: 'rules', label: 'Rules', key: '3'},
	{screen: 'handoff', label: 'Handoff', key: '4'},
];

const SCREEN_TITLES: Record<Screen, string> = {
	sessions: 'Sessions',
	session: 'Session',
	search: 'Search',
	diff: 'Diff',
	resume: 'Resume',
	actions: 'Actions',
	rules: 'Rules',
	handoff: 'Handoff',
};

/** Top-level tab for a screen: sub-screens highlight where they were opened from. */
function tabOf(state: AppState): Screen {
	if (TABS.some(tab => tab.screen === state.screen)) {
		return state.screen;
	}

	return state.backStack.includes('search') ? 'search' : 'sessions';
}

export function Header({state}: {state: AppState}) {
	const current = tabOf(state);
	const {sessions} = state;
	const shown = sessions.visible.length;
	const total = sessions.rows.length;
	return (
		<Box width={state.size.columns} height={1}>
			<Box flexGrow={1}>
				<Text wrap="truncate">
					<Text bold color={theme.accent}>
						sfs
					</Text>
					{state.demo ? <Text color={theme.warning}> demo</Text> : ''}{' '}
					{TABS.map(tab => (
						<Text key={tab.screen}>
							{' '}
							{tab.screen === current ? (
								<Text inverse bold>{` ${tab.key} ${tab.label} `}</Text>
							) : (
								<Text color={theme.muted}>{` ${tab.key} ${tab.label} `}</Text>
							)}
						</Text>
					))}
					{state.screen !== current ? <Text color={theme.accent}>{`  › ${SCREEN_TITLES[state.screen]}`}</Text> : ''}
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text wrap="truncate" color={theme.muted}>
					{sessions.query.value ? `filter "${sessions.query.value}" · ` : ''}
					{shown === total ? `${compactNumber(total)}${sessions.partial ? '+' : ''}` : `${compactNumber(shown)}/${compactNumber(total)}${sessions.partial ? '+' : ''}`}
					{total === 1 && !sessions.partial ? ' session' : ' sessions'}
					{sessions.partial ? ' (loading…)' : ''}
				</Text>
			</Box>
		</Box>
	);
}

function captureText(state: AppState): {text: string; color: string} {
	const capture = state.capture;
	if (capture.state === 'attached') {
		return {text: '⇄ daemon attached', color: theme.success};
	}

	if (capture.state === 'capturing') {
		const progress = capture.total > 0 ? ` ${capture.done}/${capture.total}` : '';
		const tool = capture.currentTool ? ` ${capture.currentTool}` : '';
		return {text: `● capturing${tool}${progress}`, color: theme.warning};
	}

	return {text: `○ capture idle${capture.sessionsChanged > 0 ? ` (+${capture.sessionsChanged})` : ''}`, color: theme.muted};
}

export function StatusBar({state}: {state: AppState}) {
	const capture = captureText(state);
	const warnings = state.capture.warnings > 0 ? ` · ${state.capture.warnings} warning${state.capture.warnings === 1 ? '' : 's'}` : '';
	return (
		<Box width={state.size.columns} height={1}>
			<Box flexShrink={0}>
				<Text color={capture.color}>{capture.text}</Text>
				<Text color={theme.muted}>{warnings}</Text>
			</Box>
			<Box flexGrow={1} marginLeft={2}>
				{state.lastError ? (
					<Text wrap="truncate" color={theme.danger}>
						✗ {state.lastError}
					</Text>
				) : (
					<Text wrap="truncate" color={theme.success}>
						{state.message ?? ''}
					</Text>
				)}
			</Box>
		</Box>
	);
}

export function Footer({layer, columns}: {layer: Layer; columns: number}) {
	const entries = footerFor(layer, columns);
	return (
		<Box width={columns} height={1}>
			<Text wrap="truncate">
				{entries.map((entry, index) => (
					<Text key={`${entry.keys}${entry.label}`}>
						{index > 0 ? '  ' : ''}
						<Text bold color={theme.accent}>
							{entry.keys}
						</Text>{' '}
						<Text color={theme.muted}>{entry.label}</Text>
					</Text>
				))}
			</Text>
		</Box>
	);
}
