/**
 * Attach mode: when a daemon runs, the TUI (and anything else that shows sessions) listens to it
 * instead of capturing itself. Without a daemon, `attachToDaemon` returns undefined and callers
 * work in-process as before.
 */
import {SessionIndex} from '../index-db.js';
import type {Engine} from '../open-engine.js';
import {indexPath} from '../paths.js';
import {createTuiEngine, type AttachedDaemon, type TuiEngineOptions} from '../tui-engine.js';
import {connectDaemon} from './client.js';
import {livePid} from './files.js';

/** `unref`: the connection does not keep the process alive (the TUI exits without closing it). */
export async function attachToDaemon(engine: Engine, options: {timeoutMs?: number; unref?: boolean} = {}): Promise<(AttachedDaemon & {close(): void}) | undefined> {
	if (livePid(engine.env) === undefined) return undefined;
	let client;
	try {
		client = await connectDaemon(engine.env, {timeoutMs: options.timeoutMs ?? 1000});
	} catch {
		return undefined; // Alive but not answering: work in-process rather than wait.
	}

	if (options.unref) client.unref();
	const changeListeners = new Set<() => void>();
	const detachListeners = new Set<() => void>();
	let closedByUs = false;
	let gone = false;
	client.onClose(() => {
		gone = true;
		if (closedByUs) return;
		for (const listener of detachListeners) listener();
	});
	try {
		await client.subscribe(event => {
			if (event.event === 'index-rebuilt') {
				// The daemon renamed a fresh index.db over ours: read the new file from now on.
				engine.index.close();
				engine.index = SessionIndex.open(indexPath(engine.env));
			} else if (event.event !== 'session-added' && event.event !== 'session-updated') {
				return;
			}

			for (const listener of changeListeners) listener();
		});
	} catch {
		client.close();
		return undefined;
	}

	return {
		async requestCapture() {
			await client.request('capture', undefined, {timeoutMs: 10 * 60_000});
		},
		onSessionsChanged(listener) {
			changeListeners.add(listener);
			return () => changeListeners.delete(listener);
		},
		onDetach(listener) {
			// Gone before the TUI listened (it waited for its own capture to end): tell it now.
			if (gone && !closedByUs) queueMicrotask(listener);
			else detachListeners.add(listener);
		},
		close() {
			closedByUs = true;
			client.close();
		},
	};
}

/**
 * The TUI's engine, attached to the daemon when one runs (status bar "attached", live updates,
 * capture requests sent to the daemon), in-process otherwise (and attached later if a daemon starts).
 * Call `close()` when the TUI exits. (`createTuiEngine` alone attaches too, in the background; this
 * waits for the first attempt.)
 */
export async function openTuiEngine(engine: Engine, options: Omit<TuiEngineOptions, 'daemon' | 'attached'>) {
	const daemon = await attachToDaemon(engine);
	const tuiEngine = createTuiEngine(engine, {...options, daemon});
	return Object.assign(tuiEngine, {attached: daemon !== undefined});
}
