/** Rules and Handoff: screens that later issues fill; until then they say what is coming. */
import {Box, Text} from 'ink';
import {theme} from './theme.js';

const TEXT = {
	rules: {
		title: 'Rules',
		lines: [
			'Coming with the rules issue: one set of project rules kept in sync across',
			'CLAUDE.md, AGENTS.md, GEMINI.md and .github/copilot-instructions.md;',
			'which instruction files each captured session ran with, and drift between them.',
		],
		cli: 'sfs rules',
	},
	handoff: {
		title: 'Handoff',
		lines: [
			'Coming with the sync issue: hand a session to a teammate or another machine,',
			'see incoming handoffs, and pick one up to resume it in any tool.',
		],
		cli: 'sfs handoff',
	},
} as const;

export function PlaceholderScreen({kind, columns}: {kind: 'rules' | 'handoff'; columns: number}) {
	const text = TEXT[kind];
	return (
		<Box flexDirection="column" width={columns}>
			<Text bold color={theme.accent}>
				{text.title}
			</Text>
			<Text> </Text>
			{text.lines.map(line => (
				<Text key={line} wrap="truncate">
					{line}
				</Text>
			))}
			<Text> </Text>
			<Text color={theme.muted}>Not available in this build yet. Esc or 1 returns to Sessions.</Text>
		</Box>
	);
}
