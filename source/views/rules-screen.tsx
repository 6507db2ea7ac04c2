/**
 * The Rules screen: the canonical rules of the repository around the session in view, each target
 * tool's file with its state, the diff between the file on disk and what a compile writes, and the
 * check status. `e` edits the rules in $EDITOR, `c` compiles (controller.ts).
 */
import {Box, Text} from 'ink';
import type {AppState} from './app-state.js';
import {computeLayout} from './layout.js';
import {theme} from './theme.js';

const STATE_COLOR: Record<string, string> = {ok: theme.success, missing: theme.warning, stale: theme.warning, edited: theme.warning, unmanaged: theme.muted, broken: theme.danger};

function diffColor(line: string): string | undefined {
	if (line.startsWith('@@')) return theme.diffHunk;
	if (line.startsWith('+') && !line.startsWith('+++')) return theme.diffAdd;
	if (line.startsWith('-') && !line.startsWith('---')) return theme.diffRemove;
	return undefined;
}

export function RulesScreen({state}: {state: AppState}) {
	const {rules} = state;
	const columns = state.size.columns;
	const rows = computeLayout(state.size).bodyRows;
	const view = rules.view;
	const lines: Array<{text: string; color?: string; bold?: boolean}> = [];
	lines.push({text: `Rules${view ? ` · ${view.root}` : rules.cwd ? ` · ${rules.cwd}` : ''}${rules.busy ? ' · compiling…' : ''}`, color: theme.accent, bold: true});
	if (rules.status === 'loading' && !view) lines.push({text: 'Loading rules…', color: theme.muted});
	if (rules.status === 'error') lines.push({text: `Could not read the rules: ${rules.error}`, color: theme.danger});
	if (view && !view.configured) {
		lines.push({text: 'This repository has no sfs rules (.sfs/rules/config.json).', color: theme.muted});
		lines.push({text: 'Run `sfs rules init` in it to keep CLAUDE.md, AGENTS.md, GEMINI.md … in sync.', color: theme.muted});
	}

	if (view?.configured) {
		const check = view.check.exitCode === 0 ? {text: 'check: up to date', color: theme.success} : {text: `check: needs compile (${view.check.stale.join(', ')}) · c compiles`, color: theme.warning};
		lines.push(check);
		for (const warning of view.check.warnings) lines.push({text: `! ${warning}`, color: theme.warning});
		lines.push({text: `canonical rules: ${view.files.map(file => file.name).join(', ') || '(none)'} · e edits`, color: theme.muted});
		for (const [index, target] of view.targets.entries()) {
			const selected = index === rules.cursor;
			lines.push({text: `${selected ? '›' : ' '} ${target.file.padEnd(34)} ${target.state.padEnd(9)} ${target.tools.join(', ')}`, color: STATE_COLOR[target.state], bold: selected});
		}

		const target = view.targets[rules.cursor];
		if (target) {
			lines.push({text: target.diff ? `diff ${target.file} (disk → compiled)` : `${target.file}: on disk = compiled`, color: theme.accent});
			for (const line of target.diff.split('\n').filter(line => !line.startsWith('Index:'))) {
				if (line) lines.push({text: line, color: diffColor(line)});
			}
		}
	}

	return (
		<Box flexDirection="column" width={columns} height={rows} overflow="hidden">
			{lines.slice(0, rows).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={line.color} bold={line.bold}>
					{line.text}
				</Text>
			))}
		</Box>
	);
}
