/**
 * A tiny external store around appReducer. Key handlers read `getState()` synchronously, so a chunk
 * like "jjj\r" sees each step's result (G11: never read state from a render closure); React subscribes
 * with useSyncExternalStore. It outlives an Ink mount, so the TUI comes back where it was after a launch.
 */
import {useSyncExternalStore} from 'react';
import {appReducer, type AppAction, type AppState} from './app-state.js';

export class Store {
	private readonly listeners = new Set<() => void>();

	constructor(private state: AppState) {}

	getState = (): AppState => this.state;

	dispatch = (action: AppAction): void => {
		const next = appReducer(this.state, action);
		if (next !== this.state) {
			this.state = next;
			for (const listener of this.listeners) {
				listener();
			}
		}
	};

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};
}

export function useStoreState(store: Store): AppState {
	return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
