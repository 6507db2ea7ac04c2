/**
 * The whole TUI state and its reducer: which screen is up (with a back stack), the help overlay,
 * the status bar, and one sub-state per screen. Pure; engine calls live in controller.ts.
 */
import {RESUME_TARGETS, type ResumeTarget} from '../engine/types.js';
import type {CaptureProgress, FileDiff, ResumePlan, RulesView, SearchHit, SessionComparison, SessionFindingsView, SessionInsight, SourceLooked} from './engine-context.js';
import {detailReducer, initialDetailState, type DetailAction, type DetailState} from './detail-state.js';
import type {KeyEvent, Layer} from './keymap.js';
import {computeLayout, type Size} from './layout.js';
import {initialSessionsState, sessionsReducer, type SessionsAction, type SessionsState} from './sessions-state.js';
import {editInput, emptyInput, inputOf, type TextInputState} from './text-input.js';
import {clampWindow, moveWindow, type Movement} from './window.js';

/** Hits asked of the engine per full-text search (the Search screen says "200+" when it gets that many). */
export const SEARCH_LIMIT = 200;

export type Screen = 'sessions' | 'session' | 'search' | 'diff' | 'resume' | 'actions' | 'rules' | 'handoff';

/** Search: one line per group header or hit. */
export type SearchItem = {kind: 'group'; sessionId: string; hits: number} | {kind: 'hit'; hit: SearchHit};

export type SearchState = {
	input: TextInputState;
	/** The query the shown hits belong to. */
	query: string;
	status: 'idle' | 'loading' | 'ready' | 'error';
	error?: string;
	items: SearchItem[];
	hitCount: number;
	cursor: number;
	offset: number;
	pageSize: number;
};

export type DiffState = {
	sessionId?: string;
	status: 'idle' | 'loading' | 'ready' | 'error';
	error?: string;
	files: FileDiff[];
	fileIndex: number;
	/** Scroll offset inside the current file's diff. */
	offset: number;
	pageSize: number;
	/** Files, or the comparison with another session. */
	mode: 'files' | 'compare';
	compareWith?: string;
	compareStatus: 'idle' | 'loading' | 'ready' | 'error';
	comparison?: SessionComparison;
};

export type ResumeState = {
	sessionId?: string;
	targets: readonly ResumeTarget[];
	cursor: number;
	model: TextInputState;
	editingModel: boolean;
	status: 'idle' | 'loading' | 'ready' | 'error';
	error?: string;
	plan?: ResumePlan;
	/** The plan request the screen waits for; answers to older requests are dropped. */
	planRequest: number;
	/** A launch or tmux open is under way. */
	launching: boolean;
	/** The folder to resume in instead of the session's own (absolute, checked to exist; as `sfs resume --cwd`). */
	cwd?: string;
	/** The folder field (f, or opened by itself when the session's folder is gone). */
	folder: TextInputState;
	editingFolder: boolean;
	/** Why the typed folder was refused (one line under the field). */
	folderError?: string;
	/** Set when the session's own folder is gone: its path, or null when the session recorded none. */
	missingFolder?: string | null;
};

export const ACTION_KINDS = ['alias', 'tags', 'fork', 'checkpoint', 'export', 'delete'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export type ActionsState = {
	sessionId?: string;
	cursor: number;
	/** The open form (text field), if any. */
	form?: {kind: ActionKind; input: TextInputState};
	/** The open confirm dialog (delete), if any. */
	confirm?: {kind: ActionKind};
	busy: boolean;
};

/** One asynchronously loaded value, cached per session id. */
export type Loaded<T> = {status: 'loading'} | {status: 'ready'; value: T} | {status: 'error'; error: string};

export type RulesState = {
	/** The directory the rules were looked up from (the selected session's cwd, else the TUI's). */
	cwd?: string;
	status: 'idle' | 'loading' | 'ready' | 'error';
	error?: string;
	view?: RulesView;
	/** Selected item: 0 = the canonical rules, 1… = view.targets[cursor - 1]. */
	cursor: number;
	/** First shown line of the selected item's text (rules, diff or compiled file). */
	offset: number;
	/** A compile is under way. */
	busy: boolean;
};

export type AppState = {
	screen: Screen;
	/** Screens to return to with Esc/q. */
	backStack: Screen[];
	help: boolean;
	/** First shown entry of the help overlay (it scrolls on a small terminal). */
	helpOffset: number;
	size: Size;
	demo: boolean;
	sessions: SessionsState;
	detail: DetailState;
	search: SearchState;
	diff: DiffState;
	resume: ResumeState;
	actions: ActionsState;
	capture: CaptureProgress;
	/** Last info message for the status bar. */
	message?: string;
	/** Last error for the status bar. */
	lastError?: string;
	sources?: SourceLooked[];
	/** Session summaries by session id. */
	insights: Record<string, Loaded<SessionInsight>>;
	/** DLP findings by session id. */
	findings: Record<string, Loaded<SessionFindingsView>>;
	/** The Session screen shows the summary panel instead of the conversation. */
	showSummary: boolean;
	/** First shown line of the summary panel. */
	summaryOffset: number;
	rules: RulesState;
};

export type AppAction =
	| SessionsAction
	| DetailAction
	| {type: 'resize'; size: Size}
	| {type: 'navigate'; screen: Screen}
	| {type: 'back'}
	| {type: 'help/toggle'}
	| {type: 'help/scroll'; movement: Movement; max: number; page: number}
	| {type: 'status/message'; message: string}
	| {type: 'status/error'; error: string}
	| {type: 'capture/progress'; progress: CaptureProgress}
	| {type: 'sources/loaded'; sources: SourceLooked[]}
	| {type: 'search/edit'; event: KeyEvent}
	| {type: 'search/loading'; query: string}
	| {type: 'search/loaded'; query: string; hits: SearchHit[]}
	| {type: 'search/failed'; query: string; error: string}
	| {type: 'search/move'; movement: Movement}
	| {type: 'diff/open'; sessionId: string}
	| {type: 'diff/loaded'; sessionId: string; files: FileDiff[]}
	| {type: 'diff/failed'; sessionId: string; error: string}
	| {type: 'diff/file'; delta: 1 | -1}
	| {type: 'diff/move'; movement: Movement}
	| {type: 'diff/compareLoading'; with: string}
	| {type: 'diff/compared'; comparison: SessionComparison}
	| {type: 'diff/compareFailed'; error: string}
	| {type: 'diff/showFiles'}
	| {type: 'resume/open'; sessionId: string}
	/** Move the target cursor by delta (wrapping around). */
	| {type: 'resume/move'; delta: number}
	/** A plan was asked for (request: its number; "Planning…" shows until its answer). */
	| {type: 'resume/planLoading'; request: number}
	| {type: 'resume/planned'; request: number; sessionId: string; target: ResumeTarget; plan: ResumePlan}
	| {type: 'resume/planFailed'; request: number; error: string}
	/** The session's own folder was looked at; `suggestion` fills the folder field when it is gone. */
	| {type: 'resume/folderChecked'; sessionId: string; exists: boolean; path: string | null; suggestion: string}
	| {type: 'resume/folderStart'; initial: string; error?: string}
	| {type: 'resume/folderEdit'; event: KeyEvent}
	| {type: 'resume/folderCancel'}
	| {type: 'resume/folderRefused'; error: string}
	/** A checked folder (or undefined: the session's own again); the plan is made anew. */
	| {type: 'resume/folderSet'; cwd: string | undefined}
	| {type: 'resume/modelStart'}
	| {type: 'resume/modelEdit'; event: KeyEvent}
	| {type: 'resume/modelDone'; keep: boolean}
	| {type: 'resume/launching'; launching: boolean}
	| {type: 'actions/open'; sessionId: string}
	| {type: 'actions/move'; movement: Movement}
	| {type: 'actions/form'; kind: ActionKind; initial: string}
	| {type: 'actions/confirm'; kind: ActionKind}
	| {type: 'actions/edit'; event: KeyEvent}
	| {type: 'actions/close'}
	| {type: 'actions/busy'; busy: boolean}
	| {type: 'insight/loaded'; sessionId: string; result: Loaded<SessionInsight>}
	| {type: 'findings/loaded'; sessionId: string; result: Loaded<SessionFindingsView>}
	| {type: 'insight/forget'; sessionIds: string[]}
	| {type: 'summary/toggle'}
	| {type: 'summary/scroll'; movement: Movement; lines: number}
	| {type: 'rules/loading'; cwd: string}
	| {type: 'rules/loaded'; cwd: string; view: RulesView}
	| {type: 'rules/failed'; cwd: string; error: string}
	| {type: 'rules/move'; delta: 1 | -1}
	| {type: 'rules/scroll'; delta: number; max: number}
	| {type: 'rules/busy'; busy: boolean};

const idleCapture: CaptureProgress = {state: 'idle', done: 0, total: 0, sessionsChanged: 0, warnings: 0};

export function initialAppState(size: Size, options: {demo?: boolean; capture?: CaptureProgress['state']} = {}): AppState {
	const layout = computeLayout(size);
	return {
		screen: 'sessions',
		backStack: [],
		help: false,
		helpOffset: 0,
		size,
		demo: options.demo ?? false,
		sessions: initialSessionsState(layout.listRows),
		detail: initialDetailState(size.columns - 2, layout.bodyRows - 1),
		search: {input: emptyInput, query: '', status: 'idle', items: [], hitCount: 0, cursor: 0, offset: 0, pageSize: layout.bodyRows - 2},
		diff: {status: 'idle', files: [], fileIndex: 0, offset: 0, pageSize: layout.bodyRows - 2, mode: 'files', compareStatus: 'idle'},
		resume: {targets: RESUME_TARGETS, cursor: 0, model: emptyInput, editingModel: false, status: 'idle', planRequest: 0, launching: false, folder: emptyInput, editingFolder: false},
		actions: {cursor: 0, busy: false},
		capture: {...idleCapture, state: options.capture ?? 'idle'},
		insights: {},
		findings: {},
		showSummary: false,
		summaryOffset: 0,
		rules: {status: 'idle', cursor: 0, offset: 0, busy: false},
	};
}

/** The one layer that receives keys (G12): help overlay, then a modal input, then the screen. */
export function activeLayer(state: AppState): Layer {
	if (state.help) {
		return 'help';
	}

	switch (state.screen) {
		case 'sessions': {
			return state.sessions.filtering ? 'filter' : state.sessions.pane === 'preview' ? 'preview' : 'sessions';
		}

		case 'session': {
			return state.detail.finding ? 'find' : 'session';
		}

		case 'resume': {
			return state.resume.editingModel ? 'model' : state.resume.editingFolder ? 'folder' : 'resume';
		}

		case 'actions': {
			return state.actions.confirm ? 'confirm' : state.actions.form ? 'form' : 'actions';
		}

		default: {
			return state.screen;
		}
	}
}

/** Group hits by session (sessions in order of their best hit). */
export function groupHits(hits: SearchHit[]): SearchItem[] {
	const groups = new Map<string, SearchHit[]>();
	for (const hit of [...hits].sort((a, b) => b.score - a.score)) {
		const list = groups.get(hit.session_id) ?? [];
		list.push(hit);
		groups.set(hit.session_id, list);
	}

	const items: SearchItem[] = [];
	for (const [sessionId, list] of groups) {
		items.push({kind: 'group', sessionId, hits: list.length});
		for (const hit of list.sort((a, b) => a.position - b.position)) {
			items.push({kind: 'hit', hit});
		}
	}

	return items;
}

function moveSearch(search: SearchState, movement: Movement): SearchState {
	let window = moveWindow(search, movement, search.items.length, search.pageSize);
	// Group headers are not selectable: step over them in the direction of travel.
	const step = movement === 'cursor/up' || movement === 'page/up' ? -1 : 1;
	let cursor = window.cursor;
	while (search.items[cursor]?.kind === 'group') {
		const next = cursor + step;
		if (next < 0 || next >= search.items.length) {
			cursor = cursor - step >= 0 && cursor - step < search.items.length ? cursor - step : cursor;
			break;
		}

		cursor = next;
	}

	window = clampWindow({cursor, offset: window.offset}, search.items.length, search.pageSize);
	// Keep the group header above the first hit visible.
	if (window.cursor === 1) {
		window.offset = 0;
	}

	return {...search, ...window};
}

function resize(state: AppState, size: Size): AppState {
	const layout = computeLayout(size);
	const sessions = sessionsReducer(state.sessions, {type: 'sessions/pageSize', pageSize: layout.listRows});
	const detail = detailReducer(state.detail, {type: 'detail/resize', width: size.columns - 2, height: layout.bodyRows - 1});
	const pageSize = Math.max(1, layout.bodyRows - 2);
	const search = {...state.search, pageSize, ...clampWindow(state.search, state.search.items.length, pageSize)};
	return {...state, size, sessions, detail, search, diff: {...state.diff, pageSize}};
}

function navigate(state: AppState, screen: Screen): AppState {
	if (state.screen === screen) {
		return state;
	}

	// Top-level screens (Sessions, Search, Rules, Handoff) reset the stack to Sessions.
	const topLevel = screen === 'sessions' || screen === 'rules' || screen === 'handoff' || (screen === 'search' && state.screen !== 'session');
	const backStack = screen === 'sessions' ? [] : topLevel ? ['sessions' as Screen] : [...state.backStack, state.screen];
	// An error belongs to the screen it happened on: it is not carried to the next one.
	return {...state, screen, backStack, help: false, helpOffset: 0, lastError: undefined};
}

export function appReducer(state: AppState, action: AppAction): AppState {
	if (action.type.startsWith('sessions/')) {
		return {...state, sessions: sessionsReducer(state.sessions, action as SessionsAction)};
	}

	if (action.type.startsWith('detail/')) {
		return {...state, detail: detailReducer(state.detail, action as DetailAction)};
	}

	switch (action.type) {
		case 'resize': {
			return resize(state, action.size);
		}

		case 'navigate': {
			return navigate(state, action.screen);
		}

		case 'back': {
			if (state.help) {
				return {...state, help: false, helpOffset: 0};
			}

			const backStack = [...state.backStack];
			const screen = backStack.pop() ?? 'sessions';
			return {...state, screen, backStack, lastError: screen === state.screen ? state.lastError : undefined};
		}

		case 'help/toggle': {
			return {...state, help: !state.help, helpOffset: 0};
		}

		case 'help/scroll': {
			const page = Math.max(1, action.page);
			const deltas: Record<Movement, number> = {'cursor/down': 1, 'cursor/up': -1, 'page/down': page, 'page/up': -page, 'cursor/top': -Infinity, 'cursor/bottom': Infinity};
			return {...state, helpOffset: Math.max(0, Math.min(action.max, state.helpOffset + deltas[action.movement]))};
		}

		case 'status/message': {
			return {...state, message: action.message, lastError: undefined};
		}

		case 'status/error': {
			return {...state, lastError: action.error};
		}

		case 'capture/progress': {
			const {notice, ...progress} = action.progress;
			return notice
				? {...state, capture: progress, message: notice, lastError: progress.lastError ?? undefined}
				: {...state, capture: progress, lastError: progress.lastError ?? state.lastError};
		}

		case 'sources/loaded': {
			return {...state, sources: action.sources};
		}

		case 'search/edit': {
			const input = editInput(state.search.input, action.event);
			// An emptied query shows no results: the old hits (and their count) would read as this query's.
			return {...state, search: input.value.trim() ? {...state.search, input} : {...state.search, input, query: '', status: 'idle', error: undefined, items: [], hitCount: 0, cursor: 0, offset: 0}};
		}

		case 'search/loading': {
			return {...state, search: {...state.search, status: 'loading', query: action.query}};
		}

		case 'search/loaded': {
			if (action.query !== state.search.query) {
				return state; // A newer query is in flight.
			}

			const items = groupHits(action.hits);
			const search: SearchState = {...state.search, status: 'ready', error: undefined, items, hitCount: action.hits.length, cursor: 0, offset: 0};
			return {...state, search: items.length > 0 ? moveSearch(search, 'cursor/top') : search};
		}

		case 'search/failed': {
			return action.query === state.search.query ? {...state, search: {...state.search, status: 'error', error: action.error, items: [], hitCount: 0}} : state;
		}

		case 'search/move': {
			return {...state, search: moveSearch(state.search, action.movement)};
		}

		case 'diff/open': {
			return {...state, diff: {...state.diff, sessionId: action.sessionId, status: 'loading', files: [], fileIndex: 0, offset: 0, mode: 'files', compareStatus: 'idle', comparison: undefined, compareWith: undefined}};
		}

		case 'diff/loaded': {
			return action.sessionId === state.diff.sessionId ? {...state, diff: {...state.diff, status: 'ready', files: action.files}} : state;
		}

		case 'diff/failed': {
			return action.sessionId === state.diff.sessionId ? {...state, diff: {...state.diff, status: 'error', error: action.error}} : state;
		}

		case 'diff/file': {
			const count = state.diff.files.length;
			if (count === 0) {
				return state;
			}

			return {...state, diff: {...state.diff, mode: 'files', fileIndex: (state.diff.fileIndex + action.delta + count) % count, offset: 0}};
		}

		case 'diff/move': {
			const diff = state.diff;
			const lineCount = diff.mode === 'files' ? (diff.files[diff.fileIndex]?.unified.split('\n').length ?? 0) : (diff.comparison ? diff.comparison.added.length + diff.comparison.removed.length + 4 : 0);
			const maxOffset = Math.max(0, lineCount - diff.pageSize);
			const page = diff.pageSize;
			const deltas: Record<Movement, number> = {'cursor/down': 1, 'cursor/up': -1, 'page/down': page, 'page/up': -page, 'cursor/top': -Infinity, 'cursor/bottom': Infinity};
			const offset = Math.max(0, Math.min(maxOffset, diff.offset + deltas[action.movement]));
			return {...state, diff: {...diff, offset}};
		}

		case 'diff/compareLoading': {
			return {...state, diff: {...state.diff, mode: 'compare', compareWith: action.with, compareStatus: 'loading', offset: 0}};
		}

		case 'diff/compared': {
			return {...state, diff: {...state.diff, compareStatus: 'ready', comparison: action.comparison}};
		}

		case 'diff/compareFailed': {
			return {...state, diff: {...state.diff, compareStatus: 'error', error: action.error}};
		}

		case 'diff/showFiles': {
			return {...state, diff: {...state.diff, mode: 'files', offset: 0}};
		}

		case 'resume/open': {
			const same = state.resume.sessionId === action.sessionId;
			const folder = same ? {} : {cwd: undefined, missingFolder: undefined, folder: emptyInput};
			return {...state, resume: {...state.resume, ...folder, sessionId: action.sessionId, status: 'idle', plan: same ? state.resume.plan : undefined, editingModel: false, editingFolder: false, folderError: undefined, launching: false}};
		}

		case 'resume/move': {
			const count = state.resume.targets.length;
			return {...state, resume: {...state.resume, cursor: (state.resume.cursor + action.delta + count) % count, plan: undefined, status: 'idle'}};
		}

		case 'resume/planLoading': {
			return {...state, resume: {...state.resume, status: 'loading', error: undefined, planRequest: action.request}};
		}

		// An answer to a request the screen no longer waits for (the cursor, the model or the folder changed since) is dropped.
		case 'resume/planned': {
			const r = state.resume;
			if (action.request !== r.planRequest || r.sessionId !== action.sessionId || r.targets[r.cursor] !== action.target) {
				return state;
			}

			return {...state, resume: {...r, status: 'ready', plan: action.plan}};
		}

		case 'resume/planFailed': {
			if (action.request !== state.resume.planRequest) {
				return state;
			}

			return {...state, resume: {...state.resume, status: 'error', error: action.error}};
		}

		case 'resume/folderChecked': {
			const r = state.resume;
			if (r.sessionId !== action.sessionId) {
				return state;
			}

			if (action.exists) {
				return {...state, resume: {...r, missingFolder: undefined}};
			}

			// Gone: the field opens by itself (unless a folder was given already), filled with a suggestion. No plan
			// is awaited until a folder is given (request 0 is never issued): one asked for meanwhile could only fail.
			const ask = r.cwd ? {} : {editingFolder: !r.editingModel, folder: inputOf(action.suggestion), status: 'idle' as const, plan: undefined, planRequest: 0};
			return {...state, resume: {...r, missingFolder: action.path, ...ask}};
		}

		case 'resume/folderStart': {
			return {...state, resume: {...state.resume, editingFolder: true, folder: inputOf(action.initial), folderError: action.error}};
		}

		case 'resume/folderEdit': {
			return {...state, resume: {...state.resume, folder: editInput(state.resume.folder, action.event), folderError: undefined}};
		}

		case 'resume/folderCancel': {
			return {...state, resume: {...state.resume, editingFolder: false, folderError: undefined}};
		}

		case 'resume/folderRefused': {
			return {...state, resume: {...state.resume, folderError: action.error}};
		}

		case 'resume/folderSet': {
			return {...state, resume: {...state.resume, cwd: action.cwd, editingFolder: false, folderError: undefined, plan: undefined, status: 'idle'}};
		}

		case 'resume/modelStart': {
			return {...state, resume: {...state.resume, editingModel: true}};
		}

		case 'resume/modelEdit': {
			return {...state, resume: {...state.resume, model: editInput(state.resume.model, action.event)}};
		}

		case 'resume/modelDone': {
			return {...state, resume: {...state.resume, editingModel: false, model: action.keep ? state.resume.model : emptyInput, status: 'idle', plan: undefined}};
		}

		case 'resume/launching': {
			return {...state, resume: {...state.resume, launching: action.launching}};
		}

		case 'actions/open': {
			return {...state, actions: {sessionId: action.sessionId, cursor: 0, busy: false}};
		}

		case 'actions/move': {
			return {...state, actions: {...state.actions, ...moveWindow({cursor: state.actions.cursor, offset: 0}, action.movement, ACTION_KINDS.length, ACTION_KINDS.length)}};
		}

		case 'actions/form': {
			return {...state, actions: {...state.actions, form: {kind: action.kind, input: inputOf(action.initial)}, confirm: undefined}};
		}

		case 'actions/confirm': {
			return {...state, actions: {...state.actions, confirm: {kind: action.kind}, form: undefined}};
		}

		case 'actions/edit': {
			const form = state.actions.form;
			return form ? {...state, actions: {...state.actions, form: {...form, input: editInput(form.input, action.event)}}} : state;
		}

		case 'actions/close': {
			return {...state, actions: {...state.actions, form: undefined, confirm: undefined, busy: false}};
		}

		case 'actions/busy': {
			return {...state, actions: {...state.actions, busy: action.busy}};
		}

		case 'insight/loaded': {
			return {...state, insights: {...state.insights, [action.sessionId]: action.result}};
		}

		case 'findings/loaded': {
			return {...state, findings: {...state.findings, [action.sessionId]: action.result}};
		}

		case 'insight/forget': {
			const insights = {...state.insights};
			const findings = {...state.findings};
			for (const id of action.sessionIds) {
				delete insights[id];
				delete findings[id];
			}

			return {...state, insights, findings};
		}

		case 'summary/toggle': {
			return {...state, showSummary: !state.showSummary, summaryOffset: 0};
		}

		case 'summary/scroll': {
			const page = Math.max(1, state.detail.height);
			const max = Math.max(0, action.lines - page);
			const deltas: Record<Movement, number> = {'cursor/down': 1, 'cursor/up': -1, 'page/down': page, 'page/up': -page, 'cursor/top': -Infinity, 'cursor/bottom': Infinity};
			return {...state, summaryOffset: Math.max(0, Math.min(max, state.summaryOffset + deltas[action.movement]))};
		}

		case 'rules/loading': {
			const same = state.rules.cwd === action.cwd;
			return {...state, rules: {...state.rules, cwd: action.cwd, status: 'loading', error: undefined, view: same ? state.rules.view : undefined, cursor: same ? state.rules.cursor : 0, offset: same ? state.rules.offset : 0}};
		}

		case 'rules/loaded': {
			if (action.cwd !== state.rules.cwd) {
				return state;
			}

			const cursor = Math.min(state.rules.cursor, action.view.targets.length);
			return {...state, rules: {...state.rules, status: 'ready', view: action.view, cursor, offset: cursor === state.rules.cursor ? state.rules.offset : 0}};
		}

		case 'rules/failed': {
			return action.cwd === state.rules.cwd ? {...state, rules: {...state.rules, status: 'error', error: action.error}} : state;
		}

		case 'rules/move': {
			const count = (state.rules.view?.targets.length ?? 0) + 1;
			return {...state, rules: {...state.rules, cursor: (state.rules.cursor + action.delta + count) % count, offset: 0}};
		}

		case 'rules/scroll': {
			return {...state, rules: {...state.rules, offset: Math.max(0, Math.min(action.max, state.rules.offset + action.delta))}};
		}

		case 'rules/busy': {
			return {...state, rules: {...state.rules, busy: action.busy}};
		}

		default: {
			return state;
		}
	}
}
