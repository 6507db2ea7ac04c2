/**
 * The Rules screen: the canonical rules of the repository around the session in view, each target
 * tool's file with its state, the diff between the file on disk and what a compile writes (or the
 * compiled file when they are equal), and the check status. `e` edits the rules in $EDITOR, `c`
 * compiles, j/k pick the canonical rules or a target, PgUp/PgDn scroll its text (controller.ts).
 */
import {Box, Text} from 'ink';
import type {AppState} from './app-state.js';
import {plainText} from './format.js';
import {computeLayout} from './layout.js';
import {theme} from './theme.js';

type Line = {text: string; color?: string; bold?: boolean};

const STATE_COLOR: Record<string, string> = {ok: theme.success, missing: theme.warning, stale: theme.warning, edited: theme.warning, unmanaged: theme.muted, broken: theme.danger};

function diffColor(line: string): string | undefined {
	if (line.startsWith('@@')) return theme.diffHunk;
	if (line.startsWith('+') && !line.startsWith('+++')) return theme.diffAdd;
	if (line.startsWith('-') && !line.startsWith('---')) return theme.diffRemove;
	return undefined;
}

function textLines(text: string, color?: string): Line[] {
	return text.replace(/\n$/, '').split('\n').map(line => ({text: `  ${plainText(line.replaceAll('\t', '  '))}`, color}));
}

/** The screen as a fixed head (title, check, list) and the selected item's scrollable text, with the rows left for it. */
export function rulesLayout(state: AppState): {head: Line[]; body: Line[]; room: number} {
	const {rules} = state;
	const view = rules.view;
	const rows = computeLayout(state.size).bodyRows;
	const head: Line[] = [];
	const body: Line[] = [];
	/** The selectable items (canonical rules, then each target), windowed below when the head is taller than the screen. */
	const items: Line[] = [];
	head.push({text: `Rules${view ? ` · ${view.root}` : rules.cwd ? ` · ${rules.cwd}` : ''}${rules.busy ? ' · compiling…' : ''}`, color: theme.accent, bold: true});
	if (rules.status === 'loading' && !view) head.push({text: 'Loading rules…', color: theme.muted});
	if (rules.status === 'error') head.push({text: `Could not read the rules: ${rules.error}`, color: theme.danger});
	if (view && !view.configured) {
		head.push({text: 'This repository has no sfs rules (.sfs/rules/config.json).', color: theme.muted});
		head.push({text: 'Run `sfs rules init` in it to keep CLAUDE.md, AGENTS.md, GEMINI.md … in sync.', color: theme.muted});
	}

	if (view?.configured) {
		head.push(view.check.exitCode === 0 ? {text: 'check: up to date', color: theme.success} : {text: `check: needs compile (${view.check.stale.join(', ')}) · c compiles`, color: theme.warning});
		for (const warning of view.check.warnings) head.push({text: `! ${warning}`, color: theme.warning});
		const mark = (index: number) => (index === rules.cursor ? '›' : ' ');
		items.push({text: `${mark(0)} canonical rules: ${view.files.map(file => file.name).join(', ') || '(none)'} · e edits`, bold: rules.cursor === 0});
		for (const [index, target] of view.targets.entries()) {
			items.push({text: `${mark(index + 1)} ${target.file.padEnd(34)} ${target.state.padEnd(9)} ${target.tools.join(', ')}`, color: STATE_COLOR[target.state], bold: index + 1 === rules.cursor});
		}

		const target = rules.cursor > 0 ? view.targets[rules.cursor - 1] : undefined;
		if (rules.cursor === 0) {
			for (const file of view.files) {
				body.push({text: `.sfs/rules/${file.name}`, color: theme.accent});
				body.push(...textLines(file.text));
			}
		} else if (target?.diff) {
			body.push({text: `diff ${target.file} (disk → compiled)`, color: theme.accent});
			for (const line of target.diff.split('\n')) {
				if (line && !line.startsWith('Index:')) body.push({text: plainText(line), color: diffColor(line)});
			}
		} else if (target) {
			body.push({text: `${target.file} (on disk = compiled)`, color: theme.accent});
			if (target.expected) body.push(...textLines(target.expected, theme.muted));
		}
	}

	// A short terminal: the items are windowed around the selected one, so the head leaves a row for the text.
	const itemRows = Math.max(1, Math.min(items.length, rows - head.length - 1));
	const start = Math.max(0, Math.min(rules.cursor - Math.floor(itemRows / 2), items.length - itemRows));
	head.push(...items.slice(start, start + itemRows));
	return {head: head.slice(0, rows), body, room: Math.max(0, rows - head.length)};
}

export function RulesScreen({state}: {state: AppState}) {
	const {head, body, room} = rulesLayout(state);
	const offset = Math.min(state.rules.offset, Math.max(0, body.length - room));
	// Never more lines than rows: Ink would shrink them in the fixed-height box and draw them over each other.
	const lines = [...head, ...body.slice(offset, offset + room)];
	return (
		<Box flexDirection="column" width={state.size.columns} height={computeLayout(state.size).bodyRows} overflowY="hidden">
			{lines.map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={line.color} bold={line.bold}>
					{line.text}
				</Text>
			))}
		</Box>
	);
}
