/**
 * The Sessions screen state: all rows from the index, the derived visible list (fuzzy filter, tool chip,
 * sub-agent/headless toggles, sort, lineage tree) and the window over it. Pure; the only heavy step
 * (the fuzzy match) runs once per query change, never per render.
 */
import type {SessionRow} from './engine-context.js';
import {SessionFilter} from './fuzzy.js';
import {editInput, emptyInput, type TextInputState} from './text-input.js';
import type {KeyEvent} from './keymap.js';
import {clampWindow, moveWindow, type Movement} from './window.js';

export const SORT_KEYS = ['updated', 'created', 'messages', 'tokens'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export type SessionsState = {
	status: 'loading' | 'ready' | 'error';
	error?: string;
	/** Only the first screenful has loaded so far (the rest follows right after the first frame). */
	partial: boolean;
	/** Every row from the engine, in engine order. */
	rows: SessionRow[];
	/** Fuzzy filter prepared for `rows` (rebuilt only when rows change). */
	filter: SessionFilter;
	/** The `/` input. */
	query: TextInputState;
	/** The filter input has the keys. */
	filtering: boolean;
	/** Row indices matching the query, best first; undefined = no query. */
	matches: number[] | undefined;
	/** Tool chip: only this tool (null = all). */
	tool: string | null;
	/** Tools present in rows, for cycling the chip. */
	tools: string[];
	showSubagents: boolean;
	showHeadless: boolean;
	/** Lineage tree: forks and checkpoints under their parent. */
	tree: boolean;
	sort: SortKey;
	/** The rows on screen, in order (derived). */
	visible: SessionRow[];
	/** Tree depth by session id (tree mode only). */
	depth: Map<string, number>;
	cursor: number;
	offset: number;
	pageSize: number;
	/** Which pane has the keys (Tab). */
	pane: 'list' | 'preview';
	/** First shown line of the preview, and the session it belongs to (another selection starts at the top). */
	preview: {sessionId?: string; offset: number};
	/** Rows hidden by the sub-agent toggle, for the chip text. */
	hiddenSubagents: number;
	/**
	 * Costs priced so far by session id (null = unpriced), kept apart from the rows: pricing the rows on
	 * screen must not rebuild the sorted order or the filter of 10,000 rows.
	 */
	costs: ReadonlyMap<string, number | null>;
	/** The engine is pricing rows on screen (their cost cells show "…"). */
	costsLoading: boolean;
};

export type SessionsAction =
	| {type: 'sessions/loading'}
	| {type: 'sessions/loaded'; rows: SessionRow[]; partial?: boolean}
	| {type: 'sessions/failed'; error: string}
	| {type: 'sessions/move'; movement: Movement}
	| {type: 'sessions/pageSize'; pageSize: number}
	| {type: 'sessions/filterStart'}
	| {type: 'sessions/filterEdit'; event: KeyEvent}
	/** The fuzzy (fuse.js) ranking of `query` landed; applied only if the query is still the current one. */
	| {type: 'sessions/refined'; query: string; indices: number[]; filter: SessionFilter}
	| {type: 'sessions/filterAccept'}
	| {type: 'sessions/filterCancel'}
	| {type: 'sessions/cycleTool'}
	| {type: 'sessions/toggleSubagents'}
	| {type: 'sessions/toggleHeadless'}
	| {type: 'sessions/toggleTree'}
	| {type: 'sessions/cycleSort'}
	| {type: 'sessions/togglePane'}
	/** Scroll the preview of the selected session; `lines` is its length, `height` the rows it has. */
	| {type: 'sessions/previewScroll'; movement: Movement; lines: number; height: number}
	| {type: 'sessions/select'; sessionId: string}
	| {type: 'sessions/costsLoading'}
	/** Costs landed (`loading`: more are on the way); `forget`: sessions that changed, priced again when shown. */
	| {type: 'sessions/costs'; costs: Record<string, number | null>; loading?: boolean; forget?: string[]};

export function initialSessionsState(pageSize = 10): SessionsState {
	return {
		status: 'loading',
		partial: false,
		rows: [],
		filter: new SessionFilter([]),
		query: emptyInput,
		filtering: false,
		matches: undefined,
		tool: null,
		tools: [],
		showSubagents: false,
		showHeadless: true,
		tree: false,
		sort: 'updated',
		visible: [],
		depth: new Map(),
		cursor: 0,
		offset: 0,
		pageSize,
		pane: 'list',
		preview: {offset: 0},
		hiddenSubagents: 0,
		costs: new Map(),
		costsLoading: false,
	};
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) || 0 : 0);

/** The number each sort orders by, descending (computed once per row, not twice per comparison). */
const SORT_KEY: Record<SortKey, (row: SessionRow) => number> = {
	updated: row => time(row.updated_at ?? row.created_at),
	created: row => time(row.created_at),
	messages: row => row.message_count,
	tokens: row => row.input_tokens + row.output_tokens,
};

const sortedCache = new WeakMap<SessionRow[], Map<SortKey, Int32Array>>();

/**
 * Row indices in sort order, computed once per (row list, sort key): an empty or unranked query must not
 * re-sort 10,000 rows per keystroke.
 */
function sortedIndices(rows: SessionRow[], sort: SortKey): Int32Array {
	let byKey = sortedCache.get(rows);
	if (!byKey) {
		byKey = new Map();
		sortedCache.set(rows, byKey);
	}

	let sorted = byKey.get(sort);
	if (!sorted) {
		const keyOf = SORT_KEY[sort];
		const keys = new Float64Array(rows.length);
		for (let index = 0; index < rows.length; index++) keys[index] = keyOf(rows[index]!);
		// Ties keep the engine's order (newest first), as a stable sort of the rows did.
		sorted = Int32Array.from({length: rows.length}, (_, index) => index).sort((a, b) => keys[b]! - keys[a]! || a - b);
		byKey.set(sort, sorted);
	}

	return sorted;
}

/** Recompute `visible` (and keep the selection on the same session when it is still there). */
function derive(state: SessionsState, keepSelection: boolean): SessionsState {
	const selectedId = keepSelection ? state.visible[state.cursor]?.session_id : undefined;
	let base: SessionRow[];
	if (state.matches && state.filter.isRanked(state.query.value)) {
		base = state.matches.map(index => state.rows[index]!);
	} else {
		// No query, or substring hits with no ranking: the chosen sort order, kept by marking the hits.
		const order = sortedIndices(state.rows, state.sort);
		let mark: Uint8Array | undefined;
		if (state.matches) {
			mark = new Uint8Array(state.rows.length);
			for (const index of state.matches) {
				mark[index] = 1;
			}
		}

		base = [];
		for (const index of order) {
			if (!mark || mark[index]) {
				base.push(state.rows[index]!);
			}
		}
	}

	let hiddenSubagents = 0;
	const visible: SessionRow[] = [];
	for (const row of base) {
		if (state.tool && row.tool !== state.tool) {
			continue;
		}

		if (row.is_subagent && !state.showSubagents) {
			hiddenSubagents++;
			continue;
		}

		if (row.is_headless && !state.showHeadless) {
			continue;
		}

		visible.push(row);
	}

	let ordered = visible;
	const depth = new Map<string, number>();
	if (state.tree) {
		ordered = treeOrder(visible, depth);
	}

	let cursor = 0;
	if (selectedId) {
		const index = ordered.findIndex(row => row.session_id === selectedId);
		cursor = index === -1 ? Math.min(state.cursor, ordered.length - 1) : index;
	}

	const window = clampWindow({cursor, offset: keepSelection ? state.offset : 0}, ordered.length, state.pageSize);
	return {...state, visible: ordered, depth, hiddenSubagents, ...window};
}

/** Children (forks, checkpoints) right under their parent, depth-first; rows whose parent is not visible are roots. */
export function treeOrder(rows: SessionRow[], depth: Map<string, number>): SessionRow[] {
	const present = new Set(rows.map(row => row.session_id));
	const children = new Map<string, SessionRow[]>();
	const roots: SessionRow[] = [];
	for (const row of rows) {
		const parent = row.parent_session_id;
		if (parent && present.has(parent) && parent !== row.session_id) {
			const list = children.get(parent) ?? [];
			list.push(row);
			children.set(parent, list);
		} else {
			roots.push(row);
		}
	}

	const out: SessionRow[] = [];
	const seen = new Set<string>();
	const stack: Array<{row: SessionRow; level: number}> = roots.map(row => ({row, level: 0})).reverse();
	while (stack.length > 0) {
		const {row, level} = stack.pop()!;
		if (seen.has(row.session_id)) {
			continue;
		}

		seen.add(row.session_id);
		out.push(row);
		depth.set(row.session_id, level);
		const kids = children.get(row.session_id) ?? [];
		for (let index = kids.length - 1; index >= 0; index--) {
			stack.push({row: kids[index]!, level: level + 1});
		}
	}

	// Cycles (a bad parent chain) would leave rows out: append them as roots.
	for (const row of rows) {
		if (!seen.has(row.session_id)) {
			out.push(row);
			depth.set(row.session_id, 0);
		}
	}

	return out;
}

function requery(state: SessionsState, query: TextInputState): SessionsState {
	const matches = query.value === state.query.value ? state.matches : state.filter.match(query.value);
	return derive({...state, query, matches}, false);
}

export function sessionsReducer(state: SessionsState, action: SessionsAction): SessionsState {
	switch (action.type) {
		case 'sessions/loading': {
			return state.rows.length > 0 ? state : {...state, status: 'loading'};
		}

		case 'sessions/loaded': {
			const filter = new SessionFilter(action.rows);
			const matches = filter.match(state.query.value);
			const tools = [...new Set(action.rows.map(row => row.tool))].sort();
			return derive({...state, status: 'ready', error: undefined, partial: action.partial === true, rows: action.rows, filter, matches, tools}, true);
		}

		case 'sessions/failed': {
			return {...state, status: 'error', error: action.error};
		}

		case 'sessions/move': {
			const window = moveWindow(state, action.movement, state.visible.length, state.pageSize);
			// A new selection's preview starts at its top (also when the cursor comes back to a scrolled one).
			return {...state, ...window, preview: window.cursor === state.cursor ? state.preview : {offset: 0}};
		}

		case 'sessions/pageSize': {
			return {...state, pageSize: action.pageSize, ...clampWindow(state, state.visible.length, action.pageSize)};
		}

		case 'sessions/filterStart': {
			state.filter.prepare();
			return {...state, filtering: true, pane: 'list'};
		}

		case 'sessions/filterEdit': {
			return requery(state, editInput(state.query, action.event));
		}

		case 'sessions/refined': {
			// Indices belong to the row list the filter was built for; a reload in between makes them stale.
			if (action.filter !== state.filter || action.query.trim().toLowerCase() !== state.query.value.trim().toLowerCase()) {
				return state;
			}

			// Keep the selection if the user already moved (the ranking lands after they typed and navigated).
			return derive({...state, matches: action.indices}, state.cursor !== 0);
		}

		case 'sessions/filterAccept': {
			return {...state, filtering: false};
		}

		case 'sessions/filterCancel': {
			return {...requery(state, emptyInput), filtering: false};
		}

		case 'sessions/cycleTool': {
			const choices: Array<string | null> = [null, ...state.tools];
			const next = choices[(choices.indexOf(state.tool) + 1) % choices.length] ?? null;
			return derive({...state, tool: next}, true);
		}

		case 'sessions/toggleSubagents': {
			return derive({...state, showSubagents: !state.showSubagents}, true);
		}

		case 'sessions/toggleHeadless': {
			return derive({...state, showHeadless: !state.showHeadless}, true);
		}

		case 'sessions/toggleTree': {
			return derive({...state, tree: !state.tree}, true);
		}

		case 'sessions/cycleSort': {
			const sort = SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length]!;
			return derive({...state, sort}, true);
		}

		case 'sessions/togglePane': {
			return {...state, pane: state.pane === 'list' ? 'preview' : 'list'};
		}

		case 'sessions/previewScroll': {
			const sessionId = selectedRow(state)?.session_id;
			const page = Math.max(1, action.height - 1); // a page keeps one line of context
			const max = Math.max(0, action.lines - action.height);
			const from = previewOffset(state);
			const deltas: Record<Movement, number> = {'cursor/down': 1, 'cursor/up': -1, 'page/down': page, 'page/up': -page, 'cursor/top': -Infinity, 'cursor/bottom': Infinity};
			const offset = Math.max(0, Math.min(max, from + deltas[action.movement]));
			return offset === from && state.preview.sessionId === sessionId ? state : {...state, preview: {sessionId, offset}};
		}

		case 'sessions/costsLoading': {
			return state.costsLoading ? state : {...state, costsLoading: true};
		}

		case 'sessions/costs': {
			const costs = new Map(state.costs);
			for (const id of action.forget ?? []) costs.delete(id);
			for (const [id, cost] of Object.entries(action.costs)) costs.set(id, cost);
			return {...state, costs, costsLoading: action.loading === true};
		}

		case 'sessions/select': {
			const index = state.visible.findIndex(row => row.session_id === action.sessionId);
			return index === -1 ? state : {...state, ...clampWindow({cursor: index, offset: state.offset}, state.visible.length, state.pageSize)};
		}
	}
}

/** The preview's scroll offset for the selected session (0 when the selection moved since it scrolled). */
export function previewOffset(state: SessionsState): number {
	return state.preview.sessionId !== undefined && state.preview.sessionId === selectedRow(state)?.session_id ? state.preview.offset : 0;
}

export function selectedRow(state: SessionsState): SessionRow | undefined {
	return state.visible[state.cursor];
}

/** A row's cost: priced by the engine in the background, else what the row came with (undefined = not known yet). */
export function costOf(state: SessionsState, row: SessionRow): number | null | undefined {
	return state.costs.has(row.session_id) ? state.costs.get(row.session_id) : row.cost_usd;
}

/** The rows on screen right now: the only rows a view renders (G6). */
export function windowRows(state: SessionsState): SessionRow[] {
	return state.visible.slice(state.offset, state.offset + state.pageSize);
}
