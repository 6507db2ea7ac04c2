/**
 * Turns key events into reducer actions and engine calls. The only place the TUI talks to the engine;
 * every call is async and reports back by dispatching, so rendering never waits on I/O.
 */
import type {Key} from 'ink';
import type {ResumeTarget} from '../engine/types.js';
import {rowById} from './row-index.js';
import {ACTION_KINDS, activeLayer, SEARCH_LIMIT, type ActionKind, type Screen} from './app-state.js';
import type {LaunchSpec, SessionRow, TmuxKind, TuiEngine} from './engine-context.js';
import {copyText} from './detail-state.js';
import {summaryPanel} from './insight-lines.js';
import {helpWindow} from './help-overlay.js';
import {helpFor, resolveKeys, TEXT_LAYERS, type KeyEvent} from './keymap.js';
import {computeLayout} from './layout.js';
import {previewBox, previewLines, previewRoom} from './preview-lines.js';
import {rulesLayout} from './rules-screen.js';
import {selectedRow} from './sessions-state.js';
import type {Store} from './store.js';
import {isEditEvent} from './text-input.js';
import {isMovement} from './window.js';

const CAPTURING = 'Capturing…';

/** Rows read before the rest on the first load (at least two screenfuls). */
export const FIRST_ROWS = 100;

/** What the TUI asks its runner for when it exits. */
export type TuiResult =
	| {type: 'quit'}
	| {type: 'launch'; spec: LaunchSpec; sessionId: string; target: ResumeTarget}
	/** The editor on the canonical rules (Rules screen `e`); the Rules screen reloads when the TUI comes back. */
	| {type: 'launch'; spec: LaunchSpec; purpose: 'rules/edit'};

export type ControllerOptions = {
	/** Unmount with this result (runTui acts on it). */
	exit: (result: TuiResult) => void;
	/** Write raw bytes to the terminal (OSC 52 copy). */
	writeTerminal?: (data: string) => void;
	/** Debounce for search-as-you-type, ms. */
	searchDelay?: number;
	/** Wait before loading the summary of the row under the cursor, ms (holding j does not load every row). */
	previewDelay?: number;
	/** Wait after the Resume screen's target cursor moves before planning that target, ms (a plan converts the session). */
	planDelay?: number;
	/** Wait before pricing rows scrolled into view, ms. */
	costDelay?: number;
};

function message(error: unknown): string {
	const text = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
	const hint = (error as {hint?: string} | undefined)?.hint?.split('\n')[0];
	return hint ? `${text} (${hint})` : text;
}

/** OSC 52 "set clipboard", wrapped for tmux passthrough when inside tmux. */
export function osc52(text: string, inTmux: boolean): string {
	const sequence = `\u001B]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
	return inTmux ? `\u001BPtmux;${sequence.replaceAll('\u001B', '\u001B\u001B')}\u001B\\` : sequence;
}

export class Controller {
	private disposers: Array<() => void> = [];
	private loadingSessions = false;
	private reloadAgain = false;
	private searchTimer: ReturnType<typeof setTimeout> | undefined;
	private planTimer: ReturnType<typeof setTimeout> | undefined;
	/** Numbers the Resume screen's plan requests (the state keeps the one it waits for). */
	private planRequests = 0;
	private refining: AbortController | undefined;
	private disposed = false;
	private previewTimer: ReturnType<typeof setTimeout> | undefined;
	private costTimer: ReturnType<typeof setTimeout> | undefined;
	/** Session ids whose cost was asked for (answered ones are in the state's cost map). */
	private readonly costsAsked = new Set<string>();
	private costsPending = 0;
	/** The first list load has finished (later loads read every row at once). */
	private listedOnce = false;
	/** Start background capture once the first list load ends. */
	private captureWhenListed = false;

	constructor(
		private readonly store: Store,
		private readonly engine: TuiEngine,
		private readonly options: ControllerOptions,
	) {}

	/** Subscribe to the engine, load the list and start background capture. Returns the cleanup. */
	start(): () => void {
		this.disposed = false;
		this.disposers.push(
			this.engine.onCaptureProgress(progress => {
				this.dispatch({type: 'capture/progress', progress});
			}),
			this.engine.onSessionsChanged(() => {
				this.loadSessions();
			}),
		);
		this.disposers.push(
			this.store.subscribe(() => {
				this.loadInsights();
				this.requestCosts();
			}),
		);
		this.loadSessions();
		this.loadInsights();
		if (this.state.screen === 'rules') {
			this.loadRules(this.state.rules.cwd ?? process.cwd()); // back from the editor
		}

		if (this.engine.captureState() === 'idle') {
			if (this.listedOnce) {
				this.runCapture(); // remounted after a launch: the list is there already
			} else {
				this.captureWhenListed = true;
			}
		} else {
			this.dispatch({type: 'capture/progress', progress: {...this.store.getState().capture, state: this.engine.captureState()}});
		}

		return () => {
			this.disposed = true;
			clearTimeout(this.searchTimer);
			clearTimeout(this.planTimer);
			clearTimeout(this.previewTimer);
			clearTimeout(this.costTimer);
			this.refining?.abort();
			for (const dispose of this.disposers.splice(0)) {
				dispose();
			}
		};
	}

	private dispatch: Store['dispatch'] = action => {
		if (!this.disposed) {
			this.store.dispatch(action);
		}
	};

	private get state() {
		return this.store.getState();
	}

	private fail(error: unknown): void {
		this.dispatch({type: 'status/error', error: message(error)});
	}

	loadSessions(): void {
		if (this.loadingSessions) {
			this.reloadAgain = true;
			return;
		}

		this.loadingSessions = true;
		this.dispatch({type: 'sessions/loading'});
		this.fetchRows()
			.then(rows => {
				this.forgetChanged(rows);
				this.dispatch({type: 'sessions/loaded', rows});
				this.refineFilter();
				this.requestCosts(true);
				if (rows.length === 0 && !this.state.sources) {
					this.engine.sourcesLooked().then(sources => {
						this.dispatch({type: 'sources/loaded', sources});
					}, error => {
						this.fail(error);
					});
				}
			})
			.catch(error => {
				this.dispatch({type: 'sessions/failed', error: message(error)});
			})
			.finally(() => {
				this.loadingSessions = false;
				this.listedOnce = true;
				if (this.captureWhenListed) {
					// Capture starts once the list is on screen, so its worker does not compete with the first frame.
					this.captureWhenListed = false;
					setTimeout(() => {
						if (!this.disposed) this.runCapture();
					}, 0);
				}

				if (this.reloadAgain) {
					this.reloadAgain = false;
					this.loadSessions();
				}
			});
	}

	/**
	 * Every row, newest first. The first time, the first screenful is asked for (and shown) alone before
	 * the rest, so the first frame does not wait for 10,000 rows.
	 */
	private async fetchRows(): Promise<SessionRow[]> {
		if (!this.listedOnce) {
			// runTui may have shown the first rows already (read before mounting); otherwise read them now.
			if (this.state.sessions.status !== 'ready') {
				const first = Math.max(FIRST_ROWS, this.state.sessions.pageSize * 2);
				const head = await this.engine.listSessions({limit: first});
				if (head.length < first) {
					return head; // that was all of them
				}

				this.dispatch({type: 'sessions/loaded', rows: head, partial: true});
				this.requestCosts(true);
			}

			await new Promise(resolve => {
				setTimeout(resolve, 0); // the first frame goes out before the full read
			});
		}

		return this.engine.listSessions({});
	}

	/** Summaries and findings of sessions that grew since they were loaded are read again when next shown. */
	private forgetChanged(rows: SessionRow[]): void {
		const {insights, findings, sessions} = this.state;
		const grew = (row: SessionRow) => {
			const before = rowById(sessions.rows, row.session_id);
			return before !== undefined && (before.updated_at !== row.updated_at || before.message_count !== row.message_count);
		};

		const stale = rows.filter(row => (insights[row.session_id] || findings[row.session_id]) && grew(row)).map(row => row.session_id);
		if (stale.length > 0) {
			this.dispatch({type: 'insight/forget', sessionIds: stale});
		}

		const repriced = rows.filter(row => (sessions.costs.has(row.session_id) || this.costsAsked.has(row.session_id)) && grew(row)).map(row => row.session_id);
		if (repriced.length > 0) {
			for (const id of repriced) this.costsAsked.delete(id);
			this.dispatch({type: 'sessions/costs', costs: {}, loading: this.costsPending > 0, forget: repriced});
		}
	}

	/**
	 * Costs of the rows on screen and the next page, asked for once each (pricing reads a session's
	 * messages the first time, so only what is shown is priced). `now`: skip the short debounce that
	 * keeps a held j from asking for every page on the way.
	 */
	private requestCosts(now = false): void {
		if (!this.engine.sessionCosts || this.state.screen !== 'sessions') {
			return;
		}

		const {sessions} = this.state;
		const wanted = sessions.visible
			.slice(sessions.offset, sessions.offset + sessions.pageSize * 2)
			.map(row => row.session_id)
			.filter(id => !sessions.costs.has(id) && !this.costsAsked.has(id));
		if (wanted.length === 0) {
			return;
		}

		clearTimeout(this.costTimer);
		this.costTimer = setTimeout(() => {
			const ids = wanted.filter(id => !this.costsAsked.has(id));
			if (ids.length === 0) {
				return;
			}

			for (const id of ids) this.costsAsked.add(id);
			this.costsPending++;
			this.dispatch({type: 'sessions/costsLoading'});
			this.engine.sessionCosts!(ids).then(costs => {
				this.costsPending--;
				this.dispatch({type: 'sessions/costs', costs: Object.fromEntries(ids.map(id => [id, costs[id] ?? null])), loading: this.costsPending > 0});
			}, error => {
				this.costsPending--;
				for (const id of ids) this.costsAsked.delete(id);
				this.dispatch({type: 'sessions/costs', costs: {}, loading: this.costsPending > 0});
				this.fail(error);
			});
		}, now ? 0 : (this.options.costDelay ?? 80));
	}

	/** Summary and findings of the session on screen (Session screen: now; preview: after a short pause). */
	private loadInsights(): void {
		const state = this.state;
		if (state.screen === 'session' && state.detail.sessionId) {
			this.loadInsight(state.detail.sessionId);
			return;
		}

		if (state.screen !== 'sessions') {
			return;
		}

		const id = selectedRow(state.sessions)?.session_id;
		if (!id || (state.insights[id] && state.findings[id])) {
			return;
		}

		clearTimeout(this.previewTimer);
		this.previewTimer = setTimeout(() => {
			if (selectedRow(this.state.sessions)?.session_id === id) {
				this.loadInsight(id);
			}
		}, this.options.previewDelay ?? 150);
	}

	private loadInsight(id: string): void {
		const {insights, findings} = this.state;
		if (!insights[id] && this.engine.sessionInsight) {
			this.dispatch({type: 'insight/loaded', sessionId: id, result: {status: 'loading'}});
			this.engine.sessionInsight(id).then(
				value => this.dispatch({type: 'insight/loaded', sessionId: id, result: {status: 'ready', value}}),
				error => this.dispatch({type: 'insight/loaded', sessionId: id, result: {status: 'error', error: message(error)}}),
			);
		}

		if (!findings[id] && this.engine.sessionFindings) {
			this.dispatch({type: 'findings/loaded', sessionId: id, result: {status: 'loading'}});
			this.engine.sessionFindings(id).then(
				value => this.dispatch({type: 'findings/loaded', sessionId: id, result: {status: 'ready', value}}),
				error => this.dispatch({type: 'findings/loaded', sessionId: id, result: {status: 'error', error: message(error)}}),
			);
		}
	}

	/** The directory whose rules the Rules screen shows: the session in view's cwd, else the TUI's. */
	private rulesCwd(): string {
		const state = this.state;
		const row = state.screen === 'session' && state.detail.sessionId ? rowById(state.sessions.rows, state.detail.sessionId) : selectedRow(state.sessions);
		return row?.cwd ?? process.cwd();
	}

	private loadRules(cwd: string): void {
		if (!this.engine.rulesStatus) {
			this.dispatch({type: 'rules/loading', cwd});
			this.dispatch({type: 'rules/failed', cwd, error: 'this engine has no rules support'});
			return;
		}

		this.dispatch({type: 'rules/loading', cwd});
		this.engine.rulesStatus(cwd).then(
			view => this.dispatch({type: 'rules/loaded', cwd, view}),
			error => this.dispatch({type: 'rules/failed', cwd, error: message(error)}),
		);
	}

	private rulesCommand(event: KeyEvent): void {
		const cwd = this.state.rules.cwd ?? process.cwd();
		switch (event.command) {
			case 'cursor/down':
			case 'cursor/up': {
				this.dispatch({type: 'rules/move', delta: event.command === 'cursor/down' ? 1 : -1});
				return;
			}

			case 'page/down':
			case 'page/up': {
				const {body, room} = rulesLayout(this.state);
				this.dispatch({type: 'rules/scroll', delta: event.command === 'page/down' ? room : -room, max: Math.max(0, body.length - room)});
				return;
			}

			case 'rules/edit': {
				if (!this.engine.rulesEditLaunch) {
					return;
				}

				this.engine.rulesEditLaunch(cwd).then(spec => {
					this.options.exit({type: 'launch', spec, purpose: 'rules/edit'});
				}, error => {
					this.fail(error);
				});
				return;
			}

			case 'rules/compile': {
				if (!this.engine.compileRules || this.state.rules.busy) {
					return;
				}

				this.dispatch({type: 'rules/busy', busy: true});
				this.engine
					.compileRules(cwd)
					.then(written => {
						this.dispatch({type: 'status/message', message: written.length > 0 ? `Compiled the rules: wrote ${written.join(', ')}` : 'The rules are up to date: nothing to write'});
						this.loadRules(cwd);
					}, error => {
						this.fail(error);
					})
					.finally(() => {
						this.dispatch({type: 'rules/busy', busy: false});
					});
				return;
			}

			default: {
				this.commonCommand(event);
			}
		}
	}

	/** Fuzzy-rank the current filter query in the background (fuse.js in slices); a newer call aborts it. */
	private refineFilter(): void {
		this.refining?.abort();
		const {filter, query} = this.state.sessions;
		if (query.value.trim().length < 3 || filter.isRanked(query.value)) {
			return;
		}

		const controller = new AbortController();
		this.refining = controller;
		const text = query.value;
		filter.refine(text, controller.signal).then(indices => {
			if (indices && !controller.signal.aborted) {
				this.dispatch({type: 'sessions/refined', query: text, indices, filter});
			}
		}, error => {
			this.fail(error);
		});
	}

	private runCapture(): void {
		this.engine.capture().catch(error => {
			this.fail(error);
		});
	}

	/** Entry point for useInput. */
	handleInput(input: string, key: Key): void {
		const special = key.ctrl || key.meta || key.escape || key.return || key.tab || key.backspace || key.delete || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end;
		if (special || input.length <= 1) {
			for (const event of resolveKeys(activeLayer(this.state), input, key)) {
				this.command(event);
			}

			return;
		}

		// A chunk of plain characters (G10) can change layers midway ("/ab" opens the filter, then types):
		// resolve each piece against the layer that is active when it is reached.
		let rest = input;
		while (rest) {
			const layer = activeLayer(this.state);
			let take: number;
			if (TEXT_LAYERS.has(layer)) {
				const stop = rest.search(/[\r\n\u007F\b]/);
				take = stop === -1 ? rest.length : stop + 1;
			} else {
				take = String.fromCodePoint(rest.codePointAt(0)!).length;
			}

			for (const event of resolveKeys(layer, rest.slice(0, take), key)) {
				this.command(event);
			}

			rest = rest.slice(take);
		}
	}

	/** Run one key event against the current state (read fresh for each event of a chunk). */
	command(event: KeyEvent): void {
		const layer = activeLayer(this.state);
		const command = event.command;
		if (command === 'quit') {
			this.options.exit({type: 'quit'});
			return;
		}

		switch (layer) {
			case 'help': {
				if (command === 'back' || command === 'help') {
					this.dispatch({type: 'help/toggle'});
				} else if (isMovement(command)) {
					const {columns} = this.state.size;
					const {bodyRows} = computeLayout(this.state.size);
					const {shown, maxOffset} = helpWindow(helpFor(activeLayer({...this.state, help: false})).length, columns, bodyRows);
					this.dispatch({type: 'help/scroll', movement: command, max: maxOffset, page: shown});
				}

				return;
			}

			case 'sessions': {
				this.sessionsCommand(event);
				return;
			}

			case 'preview': {
				this.previewCommand(event);
				return;
			}

			case 'filter': {
				if (isEditEvent(event)) {
					this.dispatch({type: 'sessions/filterEdit', event});
					this.refineFilter();
				} else if (isMovement(command)) {
					this.dispatch({type: 'sessions/move', movement: command});
				} else if (command === 'input/submit') {
					this.dispatch({type: 'sessions/filterAccept'});
				} else if (command === 'input/cancel') {
					this.dispatch({type: 'sessions/filterCancel'});
				}

				return;
			}

			case 'session': {
				this.sessionCommand(event);
				return;
			}

			case 'find': {
				if (isEditEvent(event)) {
					this.dispatch({type: 'detail/findEdit', event});
				} else if (command === 'input/submit') {
					this.dispatch({type: 'detail/findSubmit'});
				} else if (command === 'input/cancel') {
					this.dispatch({type: 'detail/findCancel'});
				}

				return;
			}

			case 'search': {
				this.searchCommand(event);
				return;
			}

			case 'diff': {
				this.diffCommand(event);
				return;
			}

			case 'resume': {
				this.resumeCommand(event);
				return;
			}

			case 'model': {
				if (isEditEvent(event)) {
					this.dispatch({type: 'resume/modelEdit', event});
				} else if (command === 'input/submit' || command === 'input/cancel') {
					this.dispatch({type: 'resume/modelDone', keep: command === 'input/submit'});
					this.requestPlan();
				}

				return;
			}

			case 'folder': {
				if (isEditEvent(event)) {
					this.dispatch({type: 'resume/folderEdit', event});
				} else if (command === 'input/submit') {
					void this.submitFolder();
				} else if (command === 'input/cancel') {
					this.dispatch({type: 'resume/folderCancel'});
				}

				return;
			}

			case 'actions': {
				this.actionsCommand(event);
				return;
			}

			case 'form': {
				if (isEditEvent(event)) {
					this.dispatch({type: 'actions/edit', event});
				} else if (command === 'input/submit') {
					void this.runAction(this.state.actions.form!.kind, this.state.actions.form!.input.value);
				} else if (command === 'input/cancel') {
					this.dispatch({type: 'actions/close'});
				}

				return;
			}

			case 'rules': {
				this.rulesCommand(event);
				return;
			}

			case 'confirm': {
				if (command === 'confirm/yes') {
					void this.runAction(this.state.actions.confirm!.kind, '');
				} else if (command === 'confirm/no') {
					this.dispatch({type: 'actions/close'});
				}

				return;
			}

			default: {
				this.commonCommand(event);
			}
		}
	}

	/** Keys that work on most screens: help, back, screen switches. Returns true when handled. */
	private commonCommand(event: KeyEvent): boolean {
		switch (event.command) {
			case 'help': {
				this.dispatch({type: 'help/toggle'});
				return true;
			}

			case 'back': {
				this.dispatch({type: 'back'});
				return true;
			}

			case 'screen/sessions': {
				this.navigate('sessions');
				return true;
			}

			case 'screen/search': {
				this.navigate('search');
				return true;
			}

			case 'screen/rules': {
				const cwd = this.rulesCwd();
				this.navigate('rules');
				this.loadRules(cwd);
				return true;
			}

			case 'screen/handoff': {
				this.navigate('handoff');
				return true;
			}

			default: {
				return false;
			}
		}
	}

	private navigate(screen: Screen): void {
		this.dispatch({type: 'navigate', screen});
	}

	private sessionsCommand(event: KeyEvent): void {
		const command = event.command;
		const row = selectedRow(this.state.sessions);
		if (isMovement(command)) {
			this.dispatch({type: 'sessions/move', movement: command});
			return;
		}

		switch (command) {
			case 'open': {
				if (row) {
					this.openSession(row.session_id);
				}

				return;
			}

			case 'filter/start': {
				this.dispatch({type: 'sessions/filterStart'});
				return;
			}

			case 'back': {
				if (this.state.sessions.query.value) {
					this.dispatch({type: 'sessions/filterCancel'});
				}

				return;
			}

			case 'tools/cycle': {
				this.dispatch({type: 'sessions/cycleTool'});
				return;
			}

			case 'sort/toggle': {
				this.dispatch({type: 'sessions/cycleSort'});
				return;
			}

			case 'tree/toggle': {
				this.dispatch({type: 'sessions/toggleTree'});
				return;
			}

			case 'subagents/toggle': {
				this.dispatch({type: 'sessions/toggleSubagents'});
				return;
			}

			case 'headless/toggle': {
				this.dispatch({type: 'sessions/toggleHeadless'});
				return;
			}

			case 'pane/toggle': {
				this.dispatch({type: 'sessions/togglePane'});
				return;
			}

			case 'capture/run': {
				this.dispatch({type: 'status/message', message: CAPTURING});
				this.engine.capture().then(() => {
					// What another process stored meanwhile (sfs capture, pull, import in a shell) is no change to this capture: list it too.
					this.loadSessions();
					// Say it ended (the "Capturing…" would otherwise stay); an error from the run is shown instead, untouched.
					const {message: shown, lastError, capture} = this.state;
					if (shown === CAPTURING && !lastError) {
						const changed = capture.state === 'idle' && capture.sessionsChanged > 0 ? `: ${capture.sessionsChanged} new or updated` : '';
						this.dispatch({type: 'status/message', message: capture.state === 'attached' ? 'The daemon captured; the list follows it' : `Capture done${changed}`});
					}
				}, error => {
					this.fail(error);
				});
				return;
			}

			case 'resume/open':
			case 'actions/open':
			case 'diff/open': {
				if (row) {
					this.openTool(command, row.session_id);
				}

				return;
			}

			default: {
				this.commonCommand(event);
			}
		}
	}

	/** The preview pane has the keys (Tab): movement scrolls it; Tab/Esc give the keys back to the list. */
	private previewCommand(event: KeyEvent): void {
		const command = event.command;
		if (isMovement(command)) {
			const {width, height} = previewBox(this.state);
			const lines = previewLines(this.state, width).length;
			this.dispatch({type: 'sessions/previewScroll', movement: command, lines, height: previewRoom(height, true)});
			return;
		}

		this.sessionsCommand(event);
	}

	private openTool(command: 'resume/open' | 'actions/open' | 'diff/open', sessionId: string): void {
		if (command === 'resume/open') {
			this.openResume(sessionId);
		} else if (command === 'actions/open') {
			this.dispatch({type: 'actions/open', sessionId});
			this.navigate('actions');
		} else {
			this.dispatch({type: 'diff/open', sessionId});
			this.navigate('diff');
			this.engine.diff(sessionId).then(files => {
				this.dispatch({type: 'diff/loaded', sessionId, files});
			}, error => {
				this.dispatch({type: 'diff/failed', sessionId, error: message(error)});
			});
		}
	}

	/** Open the Session screen (optionally at a message). */
	openSession(sessionId: string, msgId?: string): void {
		this.dispatch({type: 'detail/open', sessionId, msgId});
		this.navigate('session');
		this.engine.getSession(sessionId).then(detail => {
			this.dispatch({type: 'detail/loaded', sessionId, detail});
		}, error => {
			this.dispatch({type: 'detail/failed', sessionId, error: message(error)});
		});
	}

	private sessionCommand(event: KeyEvent): void {
		const command = event.command;
		const sessionId = this.state.detail.sessionId;
		if (isMovement(command) && this.state.showSummary) {
			this.dispatch({type: 'summary/scroll', movement: command, lines: summaryPanel(this.state, sessionId).length});
			return;
		}

		if (isMovement(command)) {
			this.dispatch({type: 'detail/move', movement: command});
			return;
		}

		switch (command) {
			case 'detail/toggle': {
				this.dispatch({type: 'detail/toggle'});
				return;
			}

			case 'detail/toggleAll': {
				this.dispatch({type: 'detail/toggleAll'});
				return;
			}

			case 'detail/thinking': {
				this.dispatch({type: 'detail/thinking'});
				return;
			}

			case 'summary/toggle': {
				this.dispatch({type: 'summary/toggle'});
				return;
			}

			case 'detail/meta': {
				this.dispatch({type: 'detail/meta'});
				return;
			}

			case 'find/start': {
				this.dispatch({type: 'detail/findStart'});
				return;
			}

			case 'find/next':
			case 'find/prev': {
				this.dispatch({type: 'detail/findNext', direction: command === 'find/next' ? 1 : -1});
				return;
			}

			case 'copy': {
				void this.copySelected();
				return;
			}

			case 'resume/open':
			case 'actions/open':
			case 'diff/open': {
				if (sessionId) {
					this.openTool(command, sessionId);
				}

				return;
			}

			default: {
				this.commonCommand(event);
			}
		}
	}

	private async copySelected(): Promise<void> {
		const text = copyText(this.state.detail);
		if (text === undefined) {
			return;
		}

		try {
			const copied = (await this.engine.copyToClipboard?.(text)) ?? false;
			if (!copied) {
				this.options.writeTerminal?.(osc52(text, this.engine.inTmux()));
			}

			this.dispatch({type: 'status/message', message: `Copied ${text.length} characters${copied ? '' : ' (OSC 52)'}`});
		} catch (error) {
			this.fail(error);
		}
	}

	private searchCommand(event: KeyEvent): void {
		const command = event.command;
		if (isEditEvent(event)) {
			this.dispatch({type: 'search/edit', event});
			this.scheduleSearch();
			return;
		}

		if (isMovement(command)) {
			this.dispatch({type: 'search/move', movement: command});
			return;
		}

		if (command === 'open' || command === 'input/submit') {
			const search = this.state.search;
			const query = search.input.value.trim();
			const item = search.items[search.cursor];
			if (query !== search.query || search.status !== 'ready') {
				this.runSearch();
			} else if (item?.kind === 'hit') {
				this.openSession(item.hit.session_id, item.hit.msg_id);
			}

			return;
		}

		this.commonCommand(event);
	}

	private scheduleSearch(): void {
		clearTimeout(this.searchTimer);
		this.searchTimer = setTimeout(() => {
			this.runSearch();
		}, this.options.searchDelay ?? 150);
	}

	private runSearch(): void {
		clearTimeout(this.searchTimer);
		const query = this.state.search.input.value.trim();
		if (!query) {
			return;
		}

		this.dispatch({type: 'search/loading', query});
		this.engine.search(query, {limit: SEARCH_LIMIT}).then(hits => {
			this.dispatch({type: 'search/loaded', query, hits});
		}, error => {
			this.dispatch({type: 'search/failed', query, error: message(error)});
		});
	}

	private diffCommand(event: KeyEvent): void {
		const command = event.command;
		if (isMovement(command)) {
			this.dispatch({type: 'diff/move', movement: command});
			return;
		}

		switch (command) {
			case 'diff/nextFile':
			case 'diff/prevFile': {
				this.dispatch({type: 'diff/file', delta: command === 'diff/nextFile' ? 1 : -1});
				return;
			}

			case 'diff/compare': {
				this.compare();
				return;
			}

			case 'back': {
				if (this.state.diff.mode === 'compare') {
					this.dispatch({type: 'diff/showFiles'});
				} else {
					this.dispatch({type: 'back'});
				}

				return;
			}

			default: {
				this.commonCommand(event);
			}
		}
	}

	/** Compare with the parent (this is a fork/checkpoint) or the newest child (this has forks). */
	private compare(): void {
		const sessionId = this.state.diff.sessionId;
		if (!sessionId) {
			return;
		}

		const rows = this.state.sessions.rows;
		const self = rowById(rows, sessionId);
		let pair: [string, string] | undefined;
		if (self?.parent_session_id) {
			pair = [self.parent_session_id, sessionId];
		} else {
			const child = rows.filter(row => row.parent_session_id === sessionId).sort((a, b) => (b.updated_at ?? b.created_at).localeCompare(a.updated_at ?? a.created_at))[0];
			if (child) {
				pair = [sessionId, child.session_id];
			}
		}

		if (!pair) {
			this.dispatch({type: 'status/error', error: 'No fork or checkpoint to compare with (press a, then fork or checkpoint)'});
			return;
		}

		const [a, b] = pair;
		this.dispatch({type: 'diff/compareLoading', with: a === sessionId ? b : a});
		this.engine.compareSessions(a, b).then(comparison => {
			this.dispatch({type: 'diff/compared', comparison});
		}, error => {
			this.dispatch({type: 'diff/compareFailed', error: message(error)});
		});
	}

	/**
	 * Open the Resume screen. The session's folder is looked at first: when it is gone, the folder field
	 * opens (a plan there could only fail); otherwise the plan is asked for.
	 */
	private openResume(sessionId: string): void {
		this.dispatch({type: 'resume/open', sessionId});
		this.navigate('resume');
		if (!this.engine.sessionFolder) {
			this.requestPlan();
			return;
		}

		this.dispatch({type: 'resume/planLoading', request: ++this.planRequests}); // "Planning…" at once
		this.engine.sessionFolder(sessionId).then(folder => {
			if (this.state.resume.sessionId !== sessionId) {
				return;
			}

			this.dispatch({type: 'resume/folderChecked', sessionId, exists: folder.exists, path: folder.path, suggestion: process.cwd()});
			this.requestPlan();
		}, () => {
			this.requestPlan(); // could not tell: the plan says what is wrong
		});
	}

	/** The session's own folder is gone and no other was given: nothing can be planned or launched yet. */
	private needsFolder(): boolean {
		const {resume} = this.state;
		return resume.missingFolder !== undefined && !resume.cwd;
	}

	/**
	 * Plan the resume into the selected target. A plan converts the whole session, which takes seconds
	 * for a long one (the engine does it off the main thread), so moving through the targets (`wait`)
	 * plans only the one the cursor stops on; "Planning…" shows at once. Each request is numbered and
	 * the state keeps the newest: an answer to an older one (another target, model or folder) is dropped.
	 */
	private requestPlan(wait = 0): void {
		const {resume} = this.state;
		clearTimeout(this.planTimer);
		if (!resume.sessionId || !resume.targets[resume.cursor] || this.needsFolder()) {
			return;
		}

		const request = ++this.planRequests;
		this.dispatch({type: 'resume/planLoading', request});
		this.planTimer = setTimeout(() => {
			const current = this.state.resume;
			const sessionId = current.sessionId;
			const target = current.targets[current.cursor];
			if (this.disposed || !sessionId || !target) {
				return;
			}

			const model = current.model.value.trim() || undefined;
			this.engine.planResume(sessionId, target, model, current.cwd).then(plan => {
				this.dispatch({type: 'resume/planned', request, sessionId, target, plan});
			}, error => {
				this.dispatch({type: 'resume/planFailed', request, error: message(error)});
			});
		}, wait);
	}

	/** Enter in the folder field: an existing folder becomes the place to resume in; anything else is refused on the spot. */
	private async submitFolder(): Promise<void> {
		const {resume} = this.state;
		const sessionId = resume.sessionId;
		const typed = resume.folder.value.trim();
		if (!typed) {
			if (resume.missingFolder === undefined) {
				this.dispatch({type: 'resume/folderSet', cwd: undefined});
				this.requestPlan();
			} else {
				this.dispatch({type: 'resume/folderRefused', error: 'The session\'s folder is gone: type the folder to resume in'});
			}

			return;
		}

		let checked: {path: string | null; exists: boolean};
		try {
			checked = this.engine.checkFolder ? await this.engine.checkFolder(typed) : {path: typed, exists: true};
		} catch (error) {
			this.dispatch({type: 'resume/folderRefused', error: message(error)});
			return;
		}

		const now = this.state.resume;
		if (now.sessionId !== sessionId || !now.editingFolder || now.folder.value.trim() !== typed) {
			return; // the field moved on while the folder was looked at
		}

		if (!checked.exists || !checked.path) {
			this.dispatch({type: 'resume/folderRefused', error: `${checked.path ?? typed} is not a folder`});
			return;
		}

		this.dispatch({type: 'resume/folderSet', cwd: checked.path});
		this.requestPlan();
	}

	private resumeCommand(event: KeyEvent): void {
		const command = event.command;
		switch (command) {
			case 'cursor/down':
			case 'cursor/up': {
				this.dispatch({type: 'resume/move', delta: command === 'cursor/down' ? 1 : -1});
				this.requestPlan(this.options.planDelay ?? 250);
				return;
			}

			// The targets fit on one page: paging and g/G go to the first or the last.
			case 'cursor/top':
			case 'cursor/bottom':
			case 'page/up':
			case 'page/down': {
				const {cursor, targets} = this.state.resume;
				const to = command === 'cursor/top' || command === 'page/up' ? 0 : targets.length - 1;
				if (to !== cursor) {
					this.dispatch({type: 'resume/move', delta: to - cursor});
					this.requestPlan(this.options.planDelay ?? 250);
				}

				return;
			}

			case 'resume/model': {
				this.dispatch({type: 'resume/modelStart'});
				return;
			}

			case 'resume/folder': {
				const {resume} = this.state;
				this.dispatch({type: 'resume/folderStart', initial: resume.cwd ?? resume.plan?.cwd ?? (resume.missingFolder === undefined ? '' : process.cwd())});
				return;
			}

			case 'resume/launch': {
				void this.launch();
				return;
			}

			case 'resume/pane':
			case 'resume/window': {
				if (this.engine.inTmux()) {
					void this.launch(command === 'resume/pane' ? 'pane' : 'window');
				} else {
					this.dispatch({type: 'status/error', error: 'Not inside tmux: press Enter to launch here'});
				}

				return;
			}

			default: {
				this.commonCommand(event);
			}
		}
	}

	private async launch(tmux?: TmuxKind): Promise<void> {
		const {resume} = this.state;
		const sessionId = resume.sessionId;
		const target = resume.targets[resume.cursor];
		if (!sessionId || !target || resume.launching) {
			return;
		}

		if (this.needsFolder()) {
			this.dispatch({type: 'resume/folderStart', initial: process.cwd(), error: 'The session\'s folder is gone: give the folder to resume in first'});
			return;
		}

		this.dispatch({type: 'resume/launching', launching: true});
		try {
			const spec = await this.engine.prepareLaunch(sessionId, target, resume.model.value.trim() || undefined, resume.cwd);
			if (tmux) {
				await this.engine.openInTmux(tmux, spec);
				this.dispatch({type: 'status/message', message: `Opened ${target} in a new tmux ${tmux}`});
				this.dispatch({type: 'resume/launching', launching: false});
			} else {
				this.options.exit({type: 'launch', spec, sessionId, target});
			}
		} catch (error) {
			this.dispatch({type: 'resume/launching', launching: false});
			this.fail(error);
		}
	}

	private actionsCommand(event: KeyEvent): void {
		const command = event.command;
		if (isMovement(command)) {
			this.dispatch({type: 'actions/move', movement: command});
			return;
		}

		if (command === 'open') {
			this.startAction(ACTION_KINDS[this.state.actions.cursor]!);
			return;
		}

		this.commonCommand(event);
	}

	private startAction(kind: ActionKind): void {
		const sessionId = this.state.actions.sessionId;
		const row = rowById(this.state.sessions.rows, sessionId);
		switch (kind) {
			case 'alias': {
				this.dispatch({type: 'actions/form', kind, initial: row?.alias ?? ''});
				return;
			}

			case 'tags': {
				this.dispatch({type: 'actions/form', kind, initial: row?.tags.join(', ') ?? ''});
				return;
			}

			case 'fork': {
				// The message under the cursor, only when the menu was opened from that session's screen: the
				// detail state outlives the Session screen, and a fork from the list means "at the end".
				const fromSession = this.state.backStack.at(-1) === 'session' && this.state.detail.sessionId === sessionId;
				this.dispatch({type: 'actions/form', kind, initial: fromSession ? (this.state.detail.entries[this.state.detail.cursor]?.msgId ?? '') : ''});
				return;
			}

			case 'checkpoint': {
				this.dispatch({type: 'actions/form', kind, initial: ''});
				return;
			}

			case 'export': {
				this.dispatch({type: 'actions/form', kind, initial: `./${(row?.alias ?? sessionId ?? 'session').slice(0, 24)}.md`});
				return;
			}

			case 'delete': {
				this.dispatch({type: 'actions/confirm', kind});
			}
		}
	}

	/** Run an action with the form's value; report in the status bar; reload the list. */
	async runAction(kind: ActionKind, value: string): Promise<void> {
		const sessionId = this.state.actions.sessionId;
		if (!sessionId || this.state.actions.busy) {
			return;
		}

		this.dispatch({type: 'actions/busy', busy: true});
		const text = value.trim();
		try {
			let done: string;
			switch (kind) {
				case 'alias': {
					await this.engine.setAlias(sessionId, text || null);
					done = text ? `Alias set to "${text}"` : 'Alias cleared';
					break;
				}

				case 'tags': {
					const tags = [...new Set(text.split(/[,\s]+/).map(tag => tag.trim()).filter(Boolean))];
					await this.engine.setTags(sessionId, tags);
					done = tags.length > 0 ? `Tags: ${tags.join(', ')}` : 'Tags cleared';
					break;
				}

				case 'fork': {
					const id = await this.engine.fork(sessionId, text || undefined);
					done = `Forked → ${id}`;
					break;
				}

				case 'checkpoint': {
					if (!text) {
						throw new Error('A checkpoint needs a name');
					}

					const id = await this.engine.checkpoint(sessionId, text);
					done = `Checkpoint "${text}" → ${id}`;
					break;
				}

				case 'export': {
					const path = text || `./${sessionId}.md`;
					const format = path.endsWith('.md') ? 'markdown' : path.endsWith('.json') ? 'json' : 'sfs';
					const written = await this.engine.exportSession(sessionId, format, path);
					done = `Exported to ${written}`;
					break;
				}

				case 'delete': {
					await this.engine.deleteSession(sessionId);
					done = 'Deleted from sfs (the tool’s own files are untouched)';
					break;
				}
			}

			this.dispatch({type: 'actions/close'});
			this.dispatch({type: 'status/message', message: done});
			if (kind === 'delete') {
				this.navigate('sessions');
			}

			this.loadSessions();
		} catch (error) {
			this.dispatch({type: 'actions/busy', busy: false});
			this.fail(error);
		}
	}
}
