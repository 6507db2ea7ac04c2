/**
 * Keys and engine calls of the Handoff screen. The app's controller routes every other screen; on this
 * one, app.tsx offers each key here first, and whatever this screen does not use (back, help, screen
 * switches, quit) goes on to the app's controller. Engine calls are async and report by dispatching.
 */
import type {Key} from 'ink';
import type {HandoffEngine} from '../engine/handoff-actions.js';
import type {AppState} from './app-state.js';
import type {TuiEngine} from './engine-context.js';
import {type HandoffAction, HandoffStore} from './handoff-state.js';
import {type KeyEvent, type Layer, resolveKeys} from './keymap.js';
import {oneLine} from './format.js';
import {rowById} from './row-index.js';
import {selectedRow} from './sessions-state.js';
import type {Store} from './store.js';
import {isEditEvent} from './text-input.js';

function message(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	const hint = (error as {hint?: string} | undefined)?.hint;
	return (hint ? `${text} (${hint})` : text).split('\n')[0]!;
}

/** The session a screen was showing: the open session, or the one its resume/actions/diff screen is about, else the list's selection. */
function sessionInView(state: AppState): string | undefined {
	switch (state.screen) {
		case 'session': {
			return state.detail.sessionId;
		}

		case 'resume': {
			return state.resume.sessionId;
		}

		case 'actions': {
			return state.actions.sessionId;
		}

		case 'diff': {
			return state.diff.sessionId;
		}

		default: {
			return selectedRow(state.sessions)?.session_id;
		}
	}
}

/** A default bundle file name for a session: handoff-<first 8 characters of its id>.sfs-bundle. */
export function defaultBundleName(sessionId: string): string {
	return `handoff-${sessionId.replace(/^ses_/, '').replaceAll(/[^\w-]/g, '').slice(0, 8) || 'session'}.sfs-bundle`;
}

export class HandoffController {
	readonly store = new HandoffStore();
	private disposed = false;

	constructor(
		private readonly app: Store,
		private readonly engine: TuiEngine & Partial<HandoffEngine>,
	) {}

	/** Follows the app's screen: entering Handoff takes the session in view and loads the login and the received list. */
	start(): () => void {
		this.disposed = false;
		let previous = this.app.getState();
		if (previous.screen === 'handoff') this.open(previous);
		const unsubscribe = this.app.subscribe(() => {
			const next = this.app.getState();
			if (next.screen === 'handoff' && previous.screen !== 'handoff') this.open(previous);
			previous = next;
		});
		return () => {
			this.disposed = true;
			unsubscribe();
		};
	}

	private dispatch = (action: HandoffAction): void => {
		if (!this.disposed) this.store.dispatch(action);
	};

	private get state() {
		return this.store.getState();
	}

	private open(from: AppState): void {
		const sessionId = sessionInView(from);
		const row = rowById(from.sessions.rows, sessionId);
		const sessionName = row ? row.alias ?? (oneLine(row.title) || row.session_id) : sessionId;
		this.dispatch({type: 'handoff/open', sessionId, sessionName});
		this.refresh();
	}

	/** Asks again for the login state, then (when logged in and the server answers) for the received handoffs. */
	refresh(): void {
		const {handoffLogin, receivedHandoffs} = this.engine;
		if (!handoffLogin || !receivedHandoffs) {
			this.dispatch({type: 'handoff/loginFailed', error: 'this engine has no handoff support'});
			return;
		}

		this.dispatch({type: 'handoff/loginLoading'});
		handoffLogin.call(this.engine).then(
			login => {
				this.dispatch({type: 'handoff/login', value: login});
				if (!login.logged_in || !login.reachable) return;
				this.dispatch({type: 'handoff/receivedLoading'});
				receivedHandoffs.call(this.engine).then(
					items => this.dispatch({type: 'handoff/received', items}),
					error => this.dispatch({type: 'handoff/receivedFailed', error: message(error)}),
				);
			},
			error => this.dispatch({type: 'handoff/loginFailed', error: message(error)}),
		);
	}

	/** The keymap layer of the screen right now: 'form' while a field takes text. */
	layer(): Layer {
		return this.state.form ? 'form' : 'handoff';
	}

	/** Takes the keys of the Handoff screen; false when they are for the app's controller. */
	handleInput(input: string, key: Key): boolean {
		const app = this.app.getState();
		if (app.screen !== 'handoff' || app.help) return false;
		const inForm = this.state.form !== undefined;
		const events = resolveKeys(this.layer(), input, key);
		let handled = false;
		let passed = false;
		for (const event of events) {
			if (inForm ? this.formEvent(event) : this.screenEvent(event)) handled = true;
			else passed = true;
		}

		return handled || (inForm && !passed);
	}

	private screenEvent(event: KeyEvent): boolean {
		switch (event.command) {
			case 'cursor/down':
			case 'cursor/up': {
				this.dispatch({type: 'handoff/move', delta: event.command === 'cursor/down' ? 1 : -1});
				return true;
			}

			case 'open': {
				const handoff = this.state.received.items[this.state.received.cursor];
				if (handoff) this.take(handoff.handoff_id);
				return true;
			}

			case 'handoff/send':
			case 'handoff/bundle': {
				this.openForm(event.command === 'handoff/send' ? 'send' : 'bundle');
				return true;
			}

			case 'handoff/refresh': {
				this.refresh();
				return true;
			}

			default: {
				return false;
			}
		}
	}

	private openForm(kind: 'send' | 'bundle'): void {
		const {sessionId, busy, login} = this.state;
		if (busy) return;
		if (!sessionId) {
			this.dispatch({type: 'handoff/outcome', outcome: {kind: 'failed', action: kind, error: 'no session to hand off: pick one in Sessions (1) first'}});
			return;
		}

		if (kind === 'send' && login.status === 'ready' && !login.value.logged_in) {
			this.dispatch({type: 'handoff/outcome', outcome: {kind: 'failed', action: 'send', error: `not logged in to an sfs server; run: ${login.value.login_command}`}});
			return;
		}

		this.dispatch({type: 'handoff/form', kind, file: defaultBundleName(sessionId)});
	}

	private formEvent(event: KeyEvent): boolean {
		const form = this.state.form!;
		if (isEditEvent(event)) {
			if (!this.state.busy) this.dispatch({type: 'handoff/edit', event});
			return true;
		}

		if (event.command === 'input/cancel') {
			if (!this.state.busy) this.dispatch({type: 'handoff/closeForm'});
			return true;
		}

		if (event.command !== 'input/submit') return false;
		if (this.state.busy) return true;
		if (form.kind === 'send' && form.field === 'to') {
			if (/^[^\s@]+@[^\s@]+$/.test(form.to.value.trim())) this.dispatch({type: 'handoff/field', field: 'message'});
			else this.dispatch({type: 'handoff/formError', error: 'an email address is needed, like ana@example.com'});
		} else if (form.kind === 'bundle' && form.field === 'file') {
			if (form.file.value.trim()) this.dispatch({type: 'handoff/field', field: 'message'});
			else this.dispatch({type: 'handoff/formError', error: 'a file name is needed'});
		} else if (form.kind === 'send') {
			this.send(form.to.value, form.message.value);
		} else {
			this.writeBundle(form.file.value, form.message.value);
		}

		return true;
	}

	private send(to: string, note: string): void {
		const {sessionId} = this.state;
		if (!sessionId || !this.engine.sendHandoff) return;
		this.dispatch({type: 'handoff/busy', busy: `Handing ${this.state.sessionName ?? sessionId} to ${to.trim()}…`});
		this.engine.sendHandoff(sessionId, to, note).then(
			value => this.dispatch({type: 'handoff/outcome', outcome: {kind: 'sent', value}}),
			error => this.dispatch({type: 'handoff/outcome', outcome: {kind: 'failed', action: 'send', error: message(error)}}),
		);
	}

	private writeBundle(file: string, note: string): void {
		const {sessionId} = this.state;
		if (!sessionId || !this.engine.writeHandoffBundle) return;
		this.dispatch({type: 'handoff/busy', busy: `Writing ${file.trim()}…`});
		this.engine.writeHandoffBundle(sessionId, file, note).then(
			value => {
				this.dispatch({type: 'handoff/outcome', outcome: {kind: 'bundle', value}});
				this.refresh(); // the signing key exists now
			},
			error => this.dispatch({type: 'handoff/outcome', outcome: {kind: 'failed', action: 'bundle', error: message(error)}}),
		);
	}

	private take(handoffId: string): void {
		if (this.state.busy || !this.engine.takeHandoff) return;
		this.dispatch({type: 'handoff/busy', busy: `Pulling ${handoffId}…`});
		this.engine.takeHandoff(handoffId).then(
			value => this.dispatch({type: 'handoff/outcome', outcome: {kind: 'taken', value}}),
			error => this.dispatch({type: 'handoff/outcome', outcome: {kind: 'failed', action: 'take', error: message(error)}}),
		);
	}
}
