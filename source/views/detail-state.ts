/**
 * The Session screen state: a session flattened into entries (a message, a tool call with its output,
 * a thinking block) and the entries laid out into display lines for the current width. The cursor
 * moves between entries; the window scrolls over lines. Pure.
 */
import type {ContentBlock, Message, Role, ToolResultBlock, ToolUseBlock} from '../engine/types.js';
import type {SessionDetail} from './engine-context.js';
import {oneLine, shortTimestamp, wrapText} from './format.js';
import type {KeyEvent} from './keymap.js';
import {editInput, emptyInput, type TextInputState} from './text-input.js';
import type {Movement} from './window.js';

export type DetailEntry = {
	kind: 'message' | 'tool' | 'thinking';
	/** Stable key for the expanded set. */
	key: string;
	msgIndex: number;
	msgId: string;
	role: Role;
	timestamp: string;
	model?: string | null;
	/** Message text (kind message), thinking text, or the tool call's input summary. */
	text: string;
	toolName?: string;
	/** Pretty-printed tool input. */
	toolInput?: string;
	/** Tool output, when the result was found. */
	toolOutput?: string;
	toolError?: boolean;
	/** Lowercased text searched by find. */
	haystack: string;
};

export type LineStyle = 'user' | 'assistant' | 'system' | 'tool' | 'tool-body' | 'tool-output' | 'error' | 'thinking' | 'text' | 'muted';

export type DetailLine = {text: string; style: LineStyle; entry: number};

export type DetailState = {
	status: 'idle' | 'loading' | 'ready' | 'error';
	error?: string;
	sessionId?: string;
	detail?: SessionDetail;
	/** Message to put the cursor on once loaded (from a search hit). */
	targetMsgId?: string;
	entries: DetailEntry[];
	lines: DetailLine[];
	/** First line of each entry. */
	entryStart: number[];
	expanded: ReadonlySet<string>;
	showThinking: boolean;
	/** Show bookkeeping messages (see isMetaMessage). */
	showMeta: boolean;
	/** How many messages showMeta=false hides. */
	hiddenMeta: number;
	width: number;
	height: number;
	/** Selected entry. */
	cursor: number;
	/** First visible line. */
	offset: number;
	finding: boolean;
	find: TextInputState;
	/** The committed find query (lowercased), '' when none. */
	findQuery: string;
	/** Entries that match findQuery. */
	findMatches: number[];
	/** Text for the status line, e.g. "match 2/5" or "no match". */
	findStatus?: string;
};

export type DetailAction =
	| {type: 'detail/open'; sessionId: string; msgId?: string}
	| {type: 'detail/loaded'; sessionId: string; detail: SessionDetail}
	| {type: 'detail/failed'; sessionId: string; error: string}
	| {type: 'detail/move'; movement: Movement}
	| {type: 'detail/toggle'}
	| {type: 'detail/toggleAll'}
	| {type: 'detail/thinking'}
	| {type: 'detail/meta'}
	| {type: 'detail/resize'; width: number; height: number}
	| {type: 'detail/findStart'}
	| {type: 'detail/findEdit'; event: KeyEvent}
	| {type: 'detail/findSubmit'}
	| {type: 'detail/findCancel'}
	| {type: 'detail/findNext'; direction: 1 | -1};

export function initialDetailState(width = 80, height = 20): DetailState {
	return {
		status: 'idle',
		entries: [],
		lines: [],
		entryStart: [],
		expanded: new Set(),
		showThinking: false,
		showMeta: false,
		hiddenMeta: 0,
		width,
		height,
		cursor: 0,
		offset: 0,
		finding: false,
		find: emptyInput,
		findQuery: '',
		findMatches: [],
	};
}

const MAX_OUTPUT_LINES = 400;

function toolSummary(block: ToolUseBlock): string {
	const input = block.input ?? {};
	for (const key of ['command', 'cmd', 'commands', 'file_path', 'path', 'pattern', 'query', 'url', 'description', 'prompt']) {
		const value = input[key];
		if (typeof value === 'string' && value) {
			return oneLine(value);
		}

		if (Array.isArray(value) && value.every(item => typeof item === 'string')) {
			return oneLine(value.join(' '));
		}
	}

	return oneLine(JSON.stringify(input));
}

function blockText(block: ContentBlock): string | undefined {
	switch (block.type) {
		case 'text': {
			return (block as {text: string}).text;
		}

		case 'summary': {
			return `[summary] ${(block as {text: string}).text}`;
		}

		case 'image': {
			return '[image]';
		}

		case 'thinking':
		case 'tool_use':
		case 'tool_result': {
			return undefined;
		}

		default: {
			return `[${block.type}]`;
		}
	}
}

const SHOWN_BLOCKS = new Set(['text', 'summary', 'image', 'thinking', 'tool_use', 'tool_result']);

/** Bookkeeping records (is_meta, or nothing but attachments/native records): hidden unless asked for. */
export function isMetaMessage(message: Message): boolean {
	const content = Array.isArray(message.content) ? message.content : [];
	return message.is_meta === true || !content.some(block => SHOWN_BLOCKS.has(block.type));
}

/** Flatten messages into entries; tool results are attached to their tool call when it is found. */
export function buildEntries(messages: Message[], showMeta = true): DetailEntry[] {
	const entries: DetailEntry[] = [];
	const toolEntry = new Map<string, DetailEntry>();
	messages.forEach((message, msgIndex) => {
		if (!showMeta && isMetaMessage(message)) {
			return;
		}

		const content = Array.isArray(message.content) ? message.content : [];
		const results = content.filter(block => block.type === 'tool_result') as ToolResultBlock[];
		const onlyPairedResults = results.length === content.length && results.length > 0 && results.every(block => toolEntry.has(block.tool_use_id));
		const base = {msgIndex, msgId: message.msg_id, role: message.role, timestamp: message.timestamp, model: message.model};
		if (!onlyPairedResults) {
			const text = content.map(block => blockText(block)).filter((part): part is string => part !== undefined).join('\n\n');
			// A message with no text that continues the same speaker (Claude writes one block per message)
			// needs no header of its own: its thinking and tool calls sit under the previous one.
			const continues = !text && entries.at(-1)?.role === message.role;
			if (!continues) {
				entries.push({...base, kind: 'message', key: `m:${message.msg_id}`, text, haystack: text.toLowerCase()});
			}
		}

		content.forEach((block, blockIndex) => {
			const key = `${message.msg_id}:${blockIndex}`;
			if (block.type === 'thinking') {
				const thinking = block as {text?: string; redacted?: boolean; summary?: string | null};
				const text = thinking.redacted ? '[redacted thinking]' : (thinking.text || thinking.summary || '');
				entries.push({...base, kind: 'thinking', key, text, haystack: text.toLowerCase()});
			} else if (block.type === 'tool_use') {
				const use = block as ToolUseBlock;
				const toolInput = JSON.stringify(use.input ?? {}, null, 2);
				const entry: DetailEntry = {...base, kind: 'tool', key, text: toolSummary(use), toolName: use.name, toolInput, haystack: `${use.name}\n${toolInput}`.toLowerCase()};
				entries.push(entry);
				toolEntry.set(use.tool_use_id, entry);
			} else if (block.type === 'tool_result') {
				const result = block as ToolResultBlock;
				const output = typeof result.content === 'string' ? result.content : JSON.stringify(result.content ?? '');
				const entry = toolEntry.get(result.tool_use_id);
				if (entry) {
					entry.toolOutput = output;
					entry.toolError = result.is_error === true;
					entry.haystack += `\n${output.toLowerCase()}`;
				} else {
					entries.push({...base, kind: 'tool', key, text: 'tool output', toolName: 'result', toolOutput: output, toolError: result.is_error === true, haystack: output.toLowerCase()});
				}
			}
		});
	});
	return entries;
}

const ROLE_LABELS: Record<string, string> = {user: 'you', assistant: 'assistant', system: 'system', developer: 'developer', tool: 'tool'};

function roleStyle(role: Role): LineStyle {
	if (role === 'user') {
		return 'user';
	}

	if (role === 'assistant') {
		return 'assistant';
	}

	return role === 'tool' ? 'tool' : 'system';
}

/** Lay entries out into lines for a width. Proportional to the session, run only when it, the width or a toggle changes. */
export function layoutLines(entries: DetailEntry[], expanded: ReadonlySet<string>, showThinking: boolean, width: number): {lines: DetailLine[]; entryStart: number[]} {
	const lines: DetailLine[] = [];
	const entryStart: number[] = [];
	const inner = Math.max(10, width - 4);
	entries.forEach((entry, index) => {
		entryStart.push(lines.length);
		const push = (text: string, style: LineStyle) => lines.push({text, style, entry: index});
		if (entry.kind === 'message') {
			const when = shortTimestamp(entry.timestamp);
			const model = entry.model ? ` · ${oneLine(entry.model)}` : '';
			push(`${ROLE_LABELS[entry.role] ?? entry.role}${when ? ` · ${when}` : ''}${model}`, roleStyle(entry.role));
			if (entry.text) {
				for (const line of wrapText(entry.text, inner)) {
					push(`  ${line}`, 'text');
				}
			}
		} else if (entry.kind === 'thinking') {
			if (showThinking) {
				push('  ✻ thinking', 'thinking');
				for (const line of wrapText(entry.text, inner - 2)) {
					push(`    ${line}`, 'thinking');
				}
			} else {
				push(`  ✻ thinking hidden (${entry.text.length} chars, i shows it)`, 'muted');
			}
		} else {
			const open = expanded.has(entry.key);
			const outputLines = entry.toolOutput === undefined ? 0 : entry.toolOutput.split('\n').length;
			const status = entry.toolOutput === undefined ? '' : entry.toolError ? ' → error' : ` → ${outputLines} line${outputLines === 1 ? '' : 's'}`;
			push(`  ${open ? '▾' : '▸'} ⚙ ${entry.toolName ?? 'tool'} ${open ? '' : oneLine(entry.text)}${open ? '' : status}`, entry.toolError ? 'error' : 'tool');
			if (open) {
				if (entry.toolInput !== undefined) {
					for (const line of wrapText(entry.toolInput, inner - 2)) {
						push(`    ${line}`, 'tool-body');
					}
				}

				if (entry.toolOutput !== undefined) {
					push(`    ↳ output${entry.toolError ? ' (error)' : ''}`, entry.toolError ? 'error' : 'muted');
					const wrapped = wrapText(entry.toolOutput, inner - 2);
					for (const line of wrapped.slice(0, MAX_OUTPUT_LINES)) {
						push(`    ${line}`, entry.toolError ? 'error' : 'tool-output');
					}

					if (wrapped.length > MAX_OUTPUT_LINES) {
						push(`    … ${wrapped.length - MAX_OUTPUT_LINES} more lines`, 'muted');
					}
				}
			}
		}
	});
	return {lines, entryStart};
}

function relayout(state: DetailState): DetailState {
	const {lines, entryStart} = layoutLines(state.entries, state.expanded, state.showThinking, state.width);
	return scrollToCursor({...state, lines, entryStart});
}

function entryEnd(state: DetailState, index: number): number {
	return (state.entryStart[index + 1] ?? state.lines.length) - 1;
}

function clampOffset(state: DetailState, offset: number): number {
	return Math.max(0, Math.min(offset, state.lines.length - state.height));
}

/** Keep the selected entry in view (all of it when it fits). */
function scrollToCursor(state: DetailState): DetailState {
	const cursor = Math.max(0, Math.min(state.cursor, state.entries.length - 1));
	const start = state.entryStart[cursor] ?? 0;
	const end = entryEnd(state, cursor);
	let offset = state.offset;
	if (start < offset) {
		offset = start;
	} else if (end >= offset + state.height) {
		offset = Math.min(start, end - state.height + 1);
	}

	return {...state, cursor, offset: clampOffset(state, offset)};
}

function entryAtLine(state: DetailState, line: number): number {
	let low = 0;
	let high = state.entryStart.length - 1;
	while (low < high) {
		const mid = Math.ceil((low + high) / 2);
		if (state.entryStart[mid]! <= line) {
			low = mid;
		} else {
			high = mid - 1;
		}
	}

	return Math.max(0, low);
}

function move(state: DetailState, movement: Movement): DetailState {
	const last = state.entries.length - 1;
	switch (movement) {
		case 'cursor/down': {
			return scrollToCursor({...state, cursor: Math.min(last, state.cursor + 1)});
		}

		case 'cursor/up': {
			return scrollToCursor({...state, cursor: Math.max(0, state.cursor - 1)});
		}

		case 'cursor/top': {
			return {...state, cursor: 0, offset: 0};
		}

		case 'cursor/bottom': {
			return {...state, cursor: Math.max(0, last), offset: clampOffset(state, state.lines.length)};
		}

		case 'page/down':
		case 'page/up': {
			const step = movement === 'page/down' ? state.height : -state.height;
			const offset = clampOffset(state, state.offset + step);
			if (offset === state.offset) {
				return {...state, cursor: movement === 'page/down' ? Math.max(0, last) : 0};
			}

			let cursor = entryAtLine(state, offset);
			if ((state.entryStart[cursor] ?? 0) < offset && cursor < last) {
				cursor++;
			}

			return {...state, offset, cursor};
		}
	}
}

function computeMatches(state: DetailState, query: string): number[] {
	if (!query) {
		return [];
	}

	const out: number[] = [];
	state.entries.forEach((entry, index) => {
		if ((entry.kind !== 'thinking' || state.showThinking) && entry.haystack.includes(query)) {
			out.push(index);
		}
	});
	return out;
}

function jumpToMatch(state: DetailState, direction: 1 | -1, includeCurrent: boolean): DetailState {
	const matches = state.findMatches;
	if (!state.findQuery) {
		return state;
	}

	if (matches.length === 0) {
		return {...state, findStatus: `no match for "${state.findQuery}"`};
	}

	let target: number | undefined;
	if (direction === 1) {
		target = matches.find(index => (includeCurrent ? index >= state.cursor : index > state.cursor)) ?? matches[0];
	} else {
		target = [...matches].reverse().find(index => index < state.cursor) ?? matches.at(-1);
	}

	const entry = state.entries[target!]!;
	let next: DetailState = {...state, cursor: target!, findStatus: `match ${matches.indexOf(target!) + 1}/${matches.length}`};
	// A match inside a collapsed tool call is invisible: open it.
	if (entry.kind === 'tool' && !state.expanded.has(entry.key)) {
		next = relayout({...next, expanded: new Set([...state.expanded, entry.key])});
	}

	return scrollToCursor(next);
}

export function detailReducer(state: DetailState, action: DetailAction): DetailState {
	switch (action.type) {
		case 'detail/open': {
			return {...initialDetailState(state.width, state.height), showThinking: state.showThinking, showMeta: state.showMeta, status: 'loading', sessionId: action.sessionId, targetMsgId: action.msgId};
		}

		case 'detail/loaded': {
			if (action.sessionId !== state.sessionId) {
				return state;
			}

			// A search hit on a meta message must still be reachable.
			const target = state.targetMsgId ? action.detail.messages.find(message => message.msg_id === state.targetMsgId) : undefined;
			const showMeta = state.showMeta || (target !== undefined && isMetaMessage(target));
			const entries = buildEntries(action.detail.messages, showMeta);
			const hiddenMeta = showMeta ? 0 : action.detail.messages.filter(message => isMetaMessage(message)).length;
			let cursor = 0;
			if (state.targetMsgId) {
				const index = entries.findIndex(entry => entry.msgId === state.targetMsgId);
				cursor = index === -1 ? 0 : index;
			}

			const next = relayout({...state, status: 'ready', detail: action.detail, entries, showMeta, hiddenMeta, cursor, offset: 0});
			// Put a jumped-to message at the top of the window.
			return state.targetMsgId ? {...next, offset: clampOffset(next, next.entryStart[cursor] ?? 0)} : next;
		}

		case 'detail/failed': {
			return action.sessionId === state.sessionId ? {...state, status: 'error', error: action.error} : state;
		}

		case 'detail/move': {
			return state.entries.length === 0 ? state : move(state, action.movement);
		}

		case 'detail/toggle': {
			const entry = state.entries[state.cursor];
			if (!entry) {
				return state;
			}

			if (entry.kind === 'thinking') {
				return relayout({...state, showThinking: !state.showThinking});
			}

			if (entry.kind !== 'tool') {
				return state;
			}

			const expanded = new Set(state.expanded);
			if (expanded.has(entry.key)) {
				expanded.delete(entry.key);
			} else {
				expanded.add(entry.key);
			}

			return relayout({...state, expanded});
		}

		case 'detail/toggleAll': {
			const tools = state.entries.filter(entry => entry.kind === 'tool');
			const allOpen = tools.length > 0 && tools.every(entry => state.expanded.has(entry.key));
			return relayout({...state, expanded: allOpen ? new Set() : new Set(tools.map(entry => entry.key))});
		}

		case 'detail/thinking': {
			const next = relayout({...state, showThinking: !state.showThinking});
			return {...next, findMatches: computeMatches(next, next.findQuery)};
		}

		case 'detail/meta': {
			if (!state.detail) {
				return {...state, showMeta: !state.showMeta};
			}

			const showMeta = !state.showMeta;
			const messages = state.detail.messages;
			const entries = buildEntries(messages, showMeta);
			const hiddenMeta = showMeta ? 0 : messages.filter(message => isMetaMessage(message)).length;
			// Keep the cursor on the same message (or the nearest shown one before it).
			const current = state.entries[state.cursor];
			let cursor = current ? entries.findIndex(entry => entry.key === current.key) : 0;
			if (cursor === -1 && current) {
				const before = entries.findLastIndex(entry => entry.msgIndex <= current.msgIndex);
				cursor = Math.max(0, before);
			}

			const next = relayout({...state, showMeta, hiddenMeta, entries, cursor: Math.max(0, cursor)});
			return {...next, findMatches: computeMatches(next, next.findQuery)};
		}

		case 'detail/resize': {
			if (action.width === state.width && action.height === state.height) {
				return state;
			}

			return relayout({...state, width: action.width, height: Math.max(1, action.height)});
		}

		case 'detail/findStart': {
			return {...state, finding: true, find: emptyInput};
		}

		case 'detail/findEdit': {
			return {...state, find: editInput(state.find, action.event)};
		}

		case 'detail/findSubmit': {
			const findQuery = state.find.value.trim().toLowerCase();
			const next: DetailState = {...state, finding: false, findQuery, findMatches: []};
			next.findMatches = computeMatches(next, findQuery);
			return findQuery ? jumpToMatch(next, 1, true) : {...next, findStatus: undefined};
		}

		case 'detail/findCancel': {
			return {...state, finding: false};
		}

		case 'detail/findNext': {
			return jumpToMatch(state, action.direction, false);
		}
	}
}

export function selectedEntry(state: DetailState): DetailEntry | undefined {
	return state.entries[state.cursor];
}

/** The lines on screen right now (G6). */
export function visibleLines(state: DetailState): DetailLine[] {
	return state.lines.slice(state.offset, state.offset + state.height);
}

/** Plain text of the selected entry's message, for copying. */
export function copyText(state: DetailState): string | undefined {
	const entry = selectedEntry(state);
	if (!entry) {
		return undefined;
	}

	if (entry.kind === 'tool') {
		return [entry.toolName, entry.toolInput, entry.toolOutput].filter(Boolean).join('\n\n');
	}

	return entry.text;
}
