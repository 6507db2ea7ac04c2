/**
 * The Handoff screen's state and reducer (pure), and the tiny store the screen and its controller share.
 * It lives beside the app store (not inside it) so the screen plugs in without touching the app reducer.
 */
import {useSyncExternalStore} from 'react';
import type {BundleWritten, HandoffInfo, HandoffLogin, HandoffSent, HandoffTaken} from '../engine/handoff-actions.js';
import type {KeyEvent} from './keymap.js';
import {editInput, emptyInput, inputOf, type TextInputState} from './text-input.js';

/** Which form is open and which of its fields has the cursor. */
export type HandoffForm =
	| {kind: 'send'; field: 'to' | 'message'; to: TextInputState; message: TextInputState; error?: string}
	| {kind: 'bundle'; field: 'file' | 'message'; file: TextInputState; message: TextInputState; error?: string};

/** The outcome of the last action, shown until the next one. */
export type HandoffOutcome =
	| {kind: 'sent'; value: HandoffSent}
	| {kind: 'bundle'; value: BundleWritten}
	| {kind: 'taken'; value: HandoffTaken}
	| {kind: 'failed'; action: 'send' | 'bundle' | 'take'; error: string};

export type HandoffState = {
	/** The session handed off: the one in view when the screen opened. */
	sessionId?: string;
	sessionName?: string;
	login: {status: 'idle' | 'loading'} | {status: 'ready'; value: HandoffLogin} | {status: 'error'; error: string};
	received: {status: 'idle' | 'loading' | 'ready' | 'error'; items: HandoffInfo[]; error?: string; cursor: number};
	form?: HandoffForm;
	/** What is under way ("Handing off…"), if anything. */
	busy?: string;
	outcome?: HandoffOutcome;
};

export type HandoffAction =
	| {type: 'handoff/open'; sessionId?: string; sessionName?: string}
	| {type: 'handoff/loginLoading'}
	| {type: 'handoff/login'; value: HandoffLogin}
	| {type: 'handoff/loginFailed'; error: string}
	| {type: 'handoff/receivedLoading'}
	| {type: 'handoff/received'; items: HandoffInfo[]}
	| {type: 'handoff/receivedFailed'; error: string}
	| {type: 'handoff/move'; delta: 1 | -1}
	| {type: 'handoff/form'; kind: 'send' | 'bundle'; file?: string}
	| {type: 'handoff/edit'; event: KeyEvent}
	| {type: 'handoff/field'; field: 'message'}
	| {type: 'handoff/formError'; error: string}
	| {type: 'handoff/closeForm'}
	| {type: 'handoff/busy'; busy: string | undefined}
	| {type: 'handoff/outcome'; outcome: HandoffOutcome};

export const initialHandoffState: HandoffState = {login: {status: 'idle'}, received: {status: 'idle', items: [], cursor: 0}};

function editForm(form: HandoffForm, event: KeyEvent): HandoffForm {
	if (form.kind === 'send') {
		return form.field === 'to' ? {...form, to: editInput(form.to, event), error: undefined} : {...form, message: editInput(form.message, event)};
	}

	return form.field === 'file' ? {...form, file: editInput(form.file, event), error: undefined} : {...form, message: editInput(form.message, event)};
}

export function handoffReducer(state: HandoffState, action: HandoffAction): HandoffState {
	switch (action.type) {
		case 'handoff/open': {
			const same = state.sessionId === action.sessionId;
			return {...state, sessionId: action.sessionId, sessionName: action.sessionName, form: same ? state.form : undefined, outcome: same ? state.outcome : undefined};
		}

		case 'handoff/loginLoading': {
			return {...state, login: state.login.status === 'ready' ? state.login : {status: 'loading'}};
		}

		case 'handoff/login': {
			return {...state, login: {status: 'ready', value: action.value}};
		}

		case 'handoff/loginFailed': {
			return {...state, login: {status: 'error', error: action.error}};
		}

		case 'handoff/receivedLoading': {
			return {...state, received: {...state.received, status: 'loading', error: undefined}};
		}

		case 'handoff/received': {
			return {...state, received: {status: 'ready', items: action.items, cursor: Math.min(state.received.cursor, Math.max(0, action.items.length - 1))}};
		}

		case 'handoff/receivedFailed': {
			return {...state, received: {...state.received, status: 'error', error: action.error}};
		}

		case 'handoff/move': {
			const count = state.received.items.length;
			if (count === 0) return state;
			return {...state, received: {...state.received, cursor: Math.max(0, Math.min(count - 1, state.received.cursor + action.delta))}};
		}

		case 'handoff/form': {
			const form: HandoffForm =
				action.kind === 'send'
					? {kind: 'send', field: 'to', to: emptyInput, message: emptyInput}
					: {kind: 'bundle', field: 'file', file: inputOf(action.file ?? ''), message: emptyInput};
			return {...state, form};
		}

		case 'handoff/edit': {
			return state.form ? {...state, form: editForm(state.form, action.event)} : state;
		}

		case 'handoff/field': {
			return state.form ? {...state, form: {...state.form, field: action.field, error: undefined}} : state;
		}

		case 'handoff/formError': {
			return state.form ? {...state, form: {...state.form, error: action.error}} : state;
		}

		case 'handoff/closeForm': {
			return {...state, form: undefined};
		}

		case 'handoff/busy': {
			return {...state, busy: action.busy};
		}

		case 'handoff/outcome': {
			const next = {...state, busy: undefined, outcome: action.outcome, form: action.outcome.kind === 'failed' ? state.form : undefined};
			if (action.outcome.kind !== 'taken' || action.outcome.value.still_waiting) return next;
			// Taken: it waits for nobody now, as the server's list says too (no refresh needed).
			const takenId = action.outcome.value.handoff_id;
			const items = state.received.items.filter(item => item.handoff_id !== takenId);
			return {...next, received: {...state.received, items, cursor: Math.min(state.received.cursor, Math.max(0, items.length - 1))}};
		}
	}
}

export class HandoffStore {
	private readonly listeners = new Set<() => void>();
	private state: HandoffState = initialHandoffState;

	getState = (): HandoffState => this.state;

	dispatch = (action: HandoffAction): void => {
		const next = handoffReducer(this.state, action);
		if (next !== this.state) {
			this.state = next;
			for (const listener of this.listeners) listener();
		}
	};

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};
}

export function useHandoffState(store: HandoffStore): HandoffState {
	return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
