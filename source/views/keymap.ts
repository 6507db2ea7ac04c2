/**
 * The single source of key bindings: key handling (`resolveKeys`), the help overlay, the footer and
 * the README key table (`renderKeyReference`) all read this table, so they cannot drift apart.
 */
import type {Key} from 'ink';

/** Where keys go. Exactly one layer is active at a time (G12): the top of the modal stack. */
export type Layer =
	| 'sessions'
	| 'filter'
	/** The Sessions screen with the preview pane focused (Tab): movement keys scroll the preview. */
	| 'preview'
	| 'session'
	| 'find'
	| 'search'
	| 'diff'
	| 'resume'
	| 'model'
	/** The Resume screen's folder field (resume in another folder, as `sfs resume --cwd`). */
	| 'folder'
	| 'actions'
	| 'form'
	| 'confirm'
	| 'rules'
	| 'handoff'
	| 'help';

/** Text-entry layers: printable characters are inserted, not looked up. */
export const TEXT_LAYERS: ReadonlySet<Layer> = new Set<Layer>(['filter', 'find', 'search', 'model', 'folder', 'form']);

export type Command =
	| 'cursor/down'
	| 'cursor/up'
	| 'page/down'
	| 'page/up'
	| 'cursor/top'
	| 'cursor/bottom'
	| 'open'
	| 'back'
	| 'quit'
	| 'help'
	| 'pane/toggle'
	| 'filter/start'
	| 'sort/toggle'
	| 'tools/cycle'
	| 'subagents/toggle'
	| 'headless/toggle'
	| 'tree/toggle'
	| 'capture/run'
	| 'screen/sessions'
	| 'screen/search'
	| 'screen/rules'
	| 'screen/handoff'
	| 'resume/open'
	| 'actions/open'
	| 'diff/open'
	| 'detail/toggle'
	| 'detail/toggleAll'
	| 'detail/thinking'
	| 'detail/meta'
	| 'find/start'
	| 'find/next'
	| 'find/prev'
	| 'copy'
	| 'diff/nextFile'
	| 'diff/prevFile'
	| 'diff/compare'
	| 'resume/launch'
	| 'resume/pane'
	| 'resume/window'
	| 'resume/model'
	| 'resume/folder'
	| 'input/submit'
	| 'input/cancel'
	| 'input/backspace'
	| 'input/left'
	| 'input/right'
	| 'input/home'
	| 'input/end'
	| 'input/clear'
	| 'summary/toggle'
	| 'rules/edit'
	| 'rules/compile'
	| 'confirm/yes'
	| 'confirm/no'
	| 'handoff/send'
	| 'handoff/bundle'
	| 'handoff/refresh';

/** What one key press resolves to. */
export type KeyEvent = {command: Command} | {command: 'input/insert'; text: string};

type Binding = {
	command: Command;
	/** Layers this binding works in. */
	layers: readonly Layer[];
	/** Plain characters (each matched one by one inside a chunk, G10). */
	chars?: readonly string[];
	/** Special keys; checked before characters. Escape is tested before meta (G10). */
	match?: (input: string, key: Key) => boolean;
	/** How the key is written in help, footer and README. */
	keys: string;
	/** One-line description. */
	label: string;
	/** Short label: shown in the footer of its layers. */
	footer?: string;
};

const LISTS: readonly Layer[] = ['sessions', 'session', 'search', 'diff', 'resume', 'actions', 'help'];
const SCREENS: readonly Layer[] = ['sessions', 'preview', 'session', 'search', 'diff', 'resume', 'actions', 'rules', 'handoff'];
const SUB_SCREENS: readonly Layer[] = ['session', 'search', 'diff', 'resume', 'actions', 'rules', 'handoff'];

const esc = (_input: string, key: Key) => key.escape;
const enter = (_input: string, key: Key) => key.return;
const backspace = (_input: string, key: Key) => key.backspace || key.delete; // G10: 0x7f arrives as delete
const ctrl = (char: string) => (input: string, key: Key) => key.ctrl && input === char;

export const BINDINGS: readonly Binding[] = [
	// Movement, shared by every list-like layer.
	{command: 'cursor/down', layers: [...LISTS, 'filter', 'search', 'rules'], chars: ['j'], match: (_i, k) => k.downArrow && !k.ctrl, keys: '↓ j', label: 'Move down'},
	{command: 'cursor/up', layers: [...LISTS, 'filter', 'search', 'rules'], chars: ['k'], match: (_i, k) => k.upArrow && !k.ctrl, keys: '↑ k', label: 'Move up'},
	{command: 'page/down', layers: [...LISTS, 'search', 'rules'], match: (i, k) => k.pageDown || (k.ctrl && i === 'd'), keys: 'PgDn Ctrl+d', label: 'Page down'},
	// Not Ctrl+u in Search: there it clears the query, as in every other input.
	{command: 'page/up', layers: [...LISTS.filter(layer => layer !== 'search'), 'rules'], match: (i, k) => k.pageUp || (k.ctrl && i === 'u'), keys: 'PgUp Ctrl+u', label: 'Page up'},
	{command: 'page/up', layers: ['search'], match: (_i, k) => k.pageUp, keys: 'PgUp', label: 'Page up'},
	{command: 'cursor/top', layers: LISTS, chars: ['g'], match: (_i, k) => k.home, keys: 'g Home', label: 'Jump to the start'},
	{command: 'cursor/bottom', layers: LISTS, chars: ['G'], match: (_i, k) => k.end, keys: 'G End', label: 'Jump to the end'},

	// Sessions screen, preview focused (Tab): movement scrolls the preview of the selected session.
	{command: 'cursor/down', layers: ['preview'], chars: ['j'], match: (_i, k) => k.downArrow && !k.ctrl, keys: '↓ j', label: 'Scroll the preview down', footer: 'scroll'},
	{command: 'cursor/up', layers: ['preview'], chars: ['k'], match: (_i, k) => k.upArrow && !k.ctrl, keys: '↑ k', label: 'Scroll the preview up'},
	{command: 'page/down', layers: ['preview'], match: (i, k) => k.pageDown || (k.ctrl && i === 'd'), keys: 'PgDn Ctrl+d', label: 'Scroll the preview a page down'},
	{command: 'page/up', layers: ['preview'], match: (i, k) => k.pageUp || (k.ctrl && i === 'u'), keys: 'PgUp Ctrl+u', label: 'Scroll the preview a page up'},
	{command: 'cursor/top', layers: ['preview'], chars: ['g'], match: (_i, k) => k.home, keys: 'g Home', label: 'Preview: jump to the start'},
	{command: 'cursor/bottom', layers: ['preview'], chars: ['G'], match: (_i, k) => k.end, keys: 'G End', label: 'Preview: jump to the end'},
	{command: 'pane/toggle', layers: ['preview'], match: (_i, k) => k.tab || k.escape, keys: 'Tab Esc', label: 'Back to the list', footer: 'list'},
	{command: 'open', layers: ['preview'], match: enter, keys: 'Enter', label: 'Open the selected session', footer: 'open'},

	// Sessions screen.
	{command: 'open', layers: ['sessions', 'search'], match: enter, keys: 'Enter', label: 'Open the selected session', footer: 'open'},
	{command: 'filter/start', layers: ['sessions'], chars: ['/'], keys: '/', label: 'Fuzzy filter (title, alias, project, tool, prompt, tags)', footer: 'filter'},
	{command: 'resume/open', layers: ['sessions', 'preview', 'session'], chars: ['l'], keys: 'l', label: 'Resume in a tool (pick target and model)', footer: 'resume'},
	{command: 'actions/open', layers: ['sessions', 'preview', 'session'], chars: ['a'], keys: 'a', label: 'Actions: alias, tag, fork, checkpoint, export, delete', footer: 'actions'},
	{command: 'diff/open', layers: ['sessions', 'preview', 'session'], chars: ['d'], keys: 'd', label: 'File edits as diffs; compare with a fork', footer: 'diff'},
	{command: 'tools/cycle', layers: ['sessions'], chars: ['t'], keys: 't', label: 'Cycle the tool filter chip'},
	{command: 'sort/toggle', layers: ['sessions'], chars: ['o'], keys: 'o', label: 'Sort: last update / created / messages / tokens'},
	{command: 'tree/toggle', layers: ['sessions'], chars: ['T'], keys: 'T', label: 'Show lineage (forks, checkpoints) as a tree'},
	{command: 'subagents/toggle', layers: ['sessions'], chars: ['S'], keys: 'S', label: 'Show or hide sub-agent transcripts'},
	{command: 'headless/toggle', layers: ['sessions'], chars: ['H'], keys: 'H', label: 'Show or hide headless runs'},
	{command: 'capture/run', layers: ['sessions'], chars: ['r'], keys: 'r', label: 'Capture now (rescan the tools)'},
	{command: 'pane/toggle', layers: ['sessions'], match: (_i, k) => k.tab, keys: 'Tab', label: 'Focus the preview (then ↑↓ j k PgUp PgDn scroll it)', footer: 'preview'},

	// Session screen.
	{command: 'detail/toggle', layers: ['session'], chars: [' '], match: enter, keys: 'Enter Space', label: 'Expand or collapse the selected tool call', footer: 'expand'},
	{command: 'detail/toggleAll', layers: ['session'], chars: ['e'], keys: 'e', label: 'Expand or collapse all tool calls'},
	{command: 'detail/thinking', layers: ['session'], chars: ['i'], keys: 'i', label: 'Show or hide thinking', footer: 'thinking'},
	{command: 'detail/meta', layers: ['session'], chars: ['.'], keys: '.', label: 'Show or hide bookkeeping records (attachments, native records)'},
	{command: 'find/start', layers: ['session'], chars: ['/'], keys: '/', label: 'Find in this session', footer: 'find'},
	{command: 'find/next', layers: ['session'], chars: ['n'], keys: 'n', label: 'Next match', footer: 'next'},
	{command: 'find/prev', layers: ['session'], chars: ['N'], keys: 'N', label: 'Previous match'},
	{command: 'copy', layers: ['session'], chars: ['y'], keys: 'y', label: 'Copy the selected message (clipboard or OSC 52)'},
	{command: 'summary/toggle', layers: ['session'], chars: ['m'], keys: 'm', label: 'Show or hide the summary (files, commands, tests, cost, findings)'},

	// Rules screen.
	{command: 'rules/edit', layers: ['rules'], chars: ['e'], keys: 'e', label: 'Edit the canonical rules in $EDITOR (the TUI comes back when it exits)', footer: 'edit'},
	{command: 'rules/compile', layers: ['rules'], chars: ['c'], keys: 'c', label: 'Compile the rules into every tool\'s file', footer: 'compile'},

	// Diff screen.
	{command: 'diff/nextFile', layers: ['diff'], chars: [']', 'J'], match: (_i, k) => k.tab && !k.shift, keys: '] J Tab', label: 'Next file', footer: 'next file'},
	{command: 'diff/prevFile', layers: ['diff'], chars: ['[', 'K'], match: (_i, k) => k.tab && k.shift, keys: '[ K', label: 'Previous file'},
	{command: 'diff/compare', layers: ['diff'], chars: ['c'], keys: 'c', label: 'Compare with the parent or a fork/checkpoint', footer: 'compare'},

	// Resume screen.
	{command: 'resume/launch', layers: ['resume'], chars: ['l'], match: enter, keys: 'Enter l', label: 'Launch the tool here (the TUI comes back when it exits)', footer: 'launch'},
	{command: 'resume/model', layers: ['resume'], chars: ['m'], keys: 'm', label: 'Set the model', footer: 'model'},
	{command: 'resume/folder', layers: ['resume'], chars: ['f'], keys: 'f', label: 'Resume in another folder (as sfs resume --cwd; asked for when the session\'s folder is gone)', footer: 'folder'},
	{command: 'resume/pane', layers: ['resume'], chars: ['p'], keys: 'p', label: 'Inside tmux: open in a new pane'},
	{command: 'resume/window', layers: ['resume'], chars: ['w'], keys: 'w', label: 'Inside tmux: open in a new window'},

	// Actions menu.
	{command: 'open', layers: ['actions'], match: enter, keys: 'Enter', label: 'Run the selected action', footer: 'run'},

	// Text entry (filter, find, search, forms).
	{command: 'input/submit', layers: ['filter', 'find', 'model', 'form'], match: enter, keys: 'Enter', label: 'Accept', footer: 'accept'},
	{command: 'input/submit', layers: ['folder'], match: enter, keys: 'Enter', label: 'Check the folder and plan the resume there (empty: the session\'s own)', footer: 'accept'},
	{command: 'input/cancel', layers: ['filter'], match: esc, keys: 'Esc', label: 'Cancel (the filter is cleared)', footer: 'cancel'},
	{command: 'input/cancel', layers: ['find', 'model', 'folder', 'form'], match: esc, keys: 'Esc', label: 'Cancel', footer: 'cancel'},
	{command: 'back', layers: ['search'], match: esc, keys: 'Esc', label: 'Back', footer: 'back'},
	{command: 'input/backspace', layers: ['filter', 'find', 'search', 'model', 'folder', 'form'], match: backspace, keys: 'Backspace', label: 'Delete a character'},
	{command: 'input/left', layers: ['filter', 'find', 'search', 'model', 'folder', 'form'], match: (_i, k) => k.leftArrow, keys: '←', label: 'Cursor left'},
	{command: 'input/right', layers: ['filter', 'find', 'search', 'model', 'folder', 'form'], match: (_i, k) => k.rightArrow, keys: '→', label: 'Cursor right'},
	{command: 'input/home', layers: ['filter', 'find', 'search', 'model', 'folder', 'form'], match: ctrl('a'), keys: 'Ctrl+a', label: 'Cursor to start'},
	{command: 'input/end', layers: ['filter', 'find', 'search', 'model', 'folder', 'form'], match: ctrl('e'), keys: 'Ctrl+e', label: 'Cursor to end'},
	{command: 'input/clear', layers: ['filter', 'find', 'search', 'model', 'folder', 'form'], match: ctrl('u'), keys: 'Ctrl+u', label: 'Clear the input'},

	// Handoff screen (handoff-controller.ts).
	{command: 'handoff/send', layers: ['handoff'], chars: ['n'], keys: 'n', label: 'Hand the session to a teammate by email (through the server)', footer: 'hand off'},
	{command: 'handoff/bundle', layers: ['handoff'], chars: ['b'], keys: 'b', label: 'Write a signed bundle file (offline handoff)', footer: 'bundle'},
	{command: 'cursor/down', layers: ['handoff'], chars: ['j'], match: (_i, k) => k.downArrow && !k.ctrl, keys: '↓ j', label: 'Next received handoff'},
	{command: 'cursor/up', layers: ['handoff'], chars: ['k'], match: (_i, k) => k.upArrow && !k.ctrl, keys: '↑ k', label: 'Previous received handoff'},
	{command: 'open', layers: ['handoff'], match: enter, keys: 'Enter', label: 'Pull the selected handoff (shows what differs here)', footer: 'pull'},
	{command: 'handoff/refresh', layers: ['handoff'], chars: ['r'], keys: 'r', label: 'Check the login and the received handoffs again'},

	// Confirm dialog.
	{command: 'confirm/yes', layers: ['confirm'], chars: ['y', 'Y'], keys: 'y', label: 'Yes, do it', footer: 'yes'},
	{command: 'confirm/no', layers: ['confirm'], chars: ['n', 'N', 'q'], match: esc, keys: 'n Esc', label: 'No, cancel', footer: 'no'},

	// Everywhere (not in text entry).
	{command: 'screen/search', layers: ['sessions', 'preview', 'session', 'rules', 'handoff'], chars: ['s', '2'], keys: 's 2', label: 'Full-text search across sessions', footer: 'search'},
	{command: 'screen/sessions', layers: SUB_SCREENS, chars: ['1'], keys: '1', label: 'Sessions screen'},
	{command: 'screen/rules', layers: SCREENS.filter(layer => layer !== 'search'), chars: ['3'], keys: '3', label: 'Rules screen'},
	{command: 'screen/handoff', layers: SCREENS.filter(layer => layer !== 'search'), chars: ['4'], keys: '4', label: 'Handoff screen'},
	{command: 'help', layers: [...SCREENS.filter(layer => layer !== 'search'), 'help'], chars: ['?'], keys: '?', label: 'Help: every key of this screen', footer: 'help'},
	{command: 'back', layers: [...SUB_SCREENS.filter(layer => layer !== 'search'), 'help'], chars: ['q', 'h'], match: (_i, k) => k.escape || k.leftArrow, keys: 'Esc q h ←', label: 'Back', footer: 'back'},
	{command: 'back', layers: ['sessions'], match: esc, keys: 'Esc', label: 'Clear the filter'},
	{command: 'quit', layers: ['sessions', 'preview'], chars: ['q'], keys: 'q', label: 'Quit', footer: 'quit'},
	{command: 'quit', layers: [...SCREENS, 'filter', 'find', 'model', 'folder', 'form', 'confirm', 'help'], match: ctrl('c'), keys: 'Ctrl+c', label: 'Quit'},
];

const byLayer = new Map<Layer, Binding[]>();
for (const binding of BINDINGS) {
	for (const layer of binding.layers) {
		const list = byLayer.get(layer) ?? [];
		list.push(binding);
		byLayer.set(layer, list);
	}
}

function bindingsOf(layer: Layer): Binding[] {
	return byLayer.get(layer) ?? [];
}

/** Ink 6 reports a lone Esc as escape+meta (G10); control characters that are not keys are dropped. */
function isPrintable(char: string): boolean {
	const code = char.codePointAt(0) ?? 0;
	return code >= 0x20 && code !== 0x7f;
}

/**
 * Turn one `useInput` call into commands for the active layer. Plain characters are resolved one by one
 * because keys typed quickly arrive as one chunk (G10); in text layers, unbound characters are inserted.
 */
export function resolveKeys(layer: Layer, input: string, key: Key): KeyEvent[] {
	const bindings = bindingsOf(layer);
	// Escape first: Ink 6 sets meta on a lone Esc too (G10).
	const special = bindings.find(binding => binding.match?.(input, key));
	if (special) {
		return [{command: special.command}];
	}

	if (key.ctrl || (key.meta && !key.escape) || key.escape) {
		return [];
	}

	if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.tab || key.return || key.backspace || key.delete) {
		return [];
	}

	const events: KeyEvent[] = [];
	const text = TEXT_LAYERS.has(layer);
	let pending = '';
	const flush = () => {
		if (pending) {
			events.push({command: 'input/insert', text: pending});
			pending = '';
		}
	};

	for (const char of input) {
		if (text) {
			if (char === '\r' || char === '\n') {
				flush();
				events.push({command: 'input/submit'});
			} else if (char === '\u007F' || char === '\b') {
				flush();
				events.push({command: 'input/backspace'});
			} else if (char === '\u0015') {
				flush(); // Ctrl+U inside a chunk
				events.push({command: 'input/clear'});
			} else if (isPrintable(char)) {
				pending += char;
			}

			continue;
		}

		// Enter or Tab inside a chunk ("j\r") arrive as characters: match them as the keys they are.
		const asKey = char === '\r' || char === '\n' ? {...key, return: true} : char === '\t' ? {...key, tab: true} : undefined;
		const binding = asKey ? bindings.find(b => b.match?.('', asKey)) : bindings.find(b => b.chars?.includes(char));
		if (binding) {
			events.push({command: binding.command});
		}
	}

	flush();
	return events;
}

/** One row of help: keys and what they do. */
export type HelpEntry = {keys: string; label: string};

/** Every key of a layer, for the help overlay (duplicates by command+keys removed). */
export function helpFor(layer: Layer): HelpEntry[] {
	const seen = new Set<string>();
	const entries: HelpEntry[] = [];
	for (const binding of bindingsOf(layer)) {
		// In text layers plain characters are typed, so only the special keys of a binding apply.
		const keys = TEXT_LAYERS.has(layer) ? binding.keys.split(' ').filter(k => !binding.chars?.includes(k)).join(' ') : binding.keys;
		const id = `${keys}|${binding.label}`;
		if (keys && !seen.has(id)) {
			seen.add(id);
			entries.push({keys, label: binding.label});
		}
	}

	return entries;
}

/** Footer keys kept when the footer is too narrow for all of them: how to get help and how to get out. */
const ESSENTIAL: ReadonlySet<Command> = new Set<Command>(['help', 'quit', 'back', 'input/cancel', 'confirm/no']);

/**
 * The few keys that matter on a layer, for the footer: the first key of each footer binding. With
 * `columns`, entries are dropped from the end (help, quit and back last) until the footer fits, so a
 * narrow terminal still shows how to get help and how to quit.
 */
export function footerFor(layer: Layer, columns = Infinity): HelpEntry[] {
	const entries = bindingsOf(layer)
		.filter(binding => binding.footer)
		.map(binding => ({keys: binding.keys.split(' ')[0]!, label: binding.footer!, essential: ESSENTIAL.has(binding.command)}));
	const width = (list: typeof entries) => list.reduce((sum, entry, index) => sum + (index > 0 ? 2 : 0) + entry.keys.length + 1 + entry.label.length, 0);
	for (let index = entries.length - 1; index >= 0 && width(entries) > columns; index--) {
		if (!entries[index]!.essential) entries.splice(index, 1);
	}

	return entries.map(({keys, label}) => ({keys, label}));
}

/** Human names of the layers, for help titles and the README. */
export const LAYER_TITLES: Record<Layer, string> = {
	sessions: 'Sessions',
	filter: 'Sessions: filter input',
	preview: 'Sessions: preview focused',
	session: 'Session',
	find: 'Session: find input',
	search: 'Search',
	diff: 'Diff',
	resume: 'Resume',
	model: 'Resume: model input',
	folder: 'Resume: folder input',
	actions: 'Actions',
	form: 'Action forms',
	confirm: 'Confirm',
	rules: 'Rules',
	handoff: 'Handoff',
	help: 'Help',
};

const README_LAYERS: readonly Layer[] = ['sessions', 'preview', 'filter', 'session', 'find', 'search', 'diff', 'resume', 'actions', 'form', 'confirm', 'rules', 'handoff'];

/** The README KEYS section: one Markdown table per screen, generated from BINDINGS. */
export function renderKeyReference(): string {
	const sections: string[] = [];
	for (const layer of README_LAYERS) {
		const rows = helpFor(layer).map(entry => `| ${entry.keys.split(' ').map(k => `\`${k.replaceAll('|', '\\|')}\``).join(' ')} | ${entry.label} |`);
		sections.push([`### ${LAYER_TITLES[layer]}`, '', '| Keys | Action |', '|---|---|', ...rows].join('\n'));
	}

	return sections.join('\n\n') + '\n';
}
