/**
 * Opens what commands work on: the store (the truth) and the index (derived). A missing, corrupt or
 * outdated index is rebuilt from the store, and the rebuild is reported on stderr (through
 * `onNotice`), so the user knows why the command took longer.
 */
import fs from 'node:fs';
import {openIndexWithRepair, rebuildIndex, SessionIndex} from './index-db.js';
import {ensureDir} from './fs-atomic.js';
import {DIR_MODE, indexPath, type Env} from './paths.js';
import {statsFor} from './session-stats.js';
import {Store} from './store.js';
import type {Manifest, Message} from './types.js';

export type Engine = {
	env: Env;
	store: Store;
	index: SessionIndex;
	close(): void;
};

export type OpenOptions = {
	env?: Env;
	/** One-line diagnostics (index rebuilt, broken sessions skipped). */
	onNotice?: (line: string) => void;
	/**
	 * false: leave the sweep of interrupted writes' temp files to the first capture (Store.initOnce). The TUI
	 * passes it: its background capture worker sweeps, so its first frame does not wait on listing 10,000 session dirs.
	 */
	sweepOrphanTemps?: boolean;
};

export function openEngine(options: OpenOptions = {}): Engine {
	const env = options.env ?? process.env;
	const store = new Store(env);
	if (options.sweepOrphanTemps === false) {
		ensureDir(store.sessionsRoot);
		fs.chmodSync(store.dataRoot, DIR_MODE);
	} else {
		store.init();
	}
	const notice = options.onNotice ?? (() => {});
	let loaded = 0;
	const {index, rebuilt, reason} = openIndexWithRepair(indexPath(env), function* () {
		for (const session of loadForIndex(store, notice)) {
			loaded++;
			yield session;
		}
	});
	// A first run (no index, empty store) is not news; any other rebuild is.
	if (rebuilt && (loaded > 0 || reason !== 'index missing')) notice(`sfs: rebuilt the index from the store (${reason ?? 'index unusable'}; ${loaded} session(s))`);
	return {env, store, index, close: () => index.close()};
}

/** Rebuilds index.db from the store; returns how many sessions it holds. */
export function rebuildEngineIndex(engine: Engine, onNotice: (line: string) => void = () => {}): number {
	engine.index.close();
	let count = 0;
	const sessions = function* () {
		for (const session of loadForIndex(engine.store, onNotice)) {
			count++;
			yield session;
		}
	};

	engine.index = rebuildIndex(indexPath(engine.env), sessions());
	return count;
}

function* loadForIndex(store: Store, notice: (line: string) => void) {
	for (const id of store.listIds()) {
		const loaded = loadOne(store, id, notice);
		if (loaded) yield loaded;
	}
}

/** One session as the index needs it, or undefined (reported) when it cannot be used. */
function loadOne(store: Store, id: string, notice: (line: string) => void): {manifest: Manifest; messages: Message[]} | undefined {
	try {
		const manifest = store.readManifest(id);
		const problem = manifestProblem(manifest, id);
		if (problem) {
			notice(`sfs: skipped session ${id}: ${problem}`);
			return undefined;
		}

		const {messages, badLines} = store.readMessages(id);
		if (badLines.length > 0) notice(`sfs: session ${id}: ${badLines.length} unreadable line(s) in messages.jsonl skipped (line ${badLines[0]})`);
		return {manifest: withStats(manifest, messages), messages};
	} catch (error) {
		notice(`sfs: skipped session ${id}: ${error instanceof Error ? error.message : String(error)}`);
		return undefined;
	}
}

/**
 * The checks the index and the commands rely on (the full schema check needs ajv, too slow to load
 * on every list): the manifest names its own directory and has the required fields.
 */
export function manifestProblem(manifest: Manifest, dirId: string): string | undefined {
	if (manifest.session_id !== dirId) return `manifest.json names session ${JSON.stringify(manifest.session_id)}, not its directory`;
	if (typeof manifest.created_at !== 'string') return 'manifest.json has no created_at';
	if (!manifest.source || typeof manifest.source !== 'object' || typeof manifest.source.tool !== 'string') return 'manifest.json has no source.tool';
	if (manifest.tags !== undefined && !Array.isArray(manifest.tags)) return 'manifest.json tags is not a list';
	return undefined;
}

/** Stats for the index when the manifest's writer left them out (the store keeps the manifest as written). */
function withStats(manifest: Manifest, messages: Message[]): Manifest {
	return manifest.stats?.message_count === undefined ? {...manifest, stats: {...statsFor(messages), ...manifest.stats}} : manifest;
}

/**
 * Brings the index in line with the store's directory listing: sessions the index lacks are indexed
 * (broken ones reported and skipped), sessions gone from the store are dropped. Cheap when nothing
 * differs (one readdir and the id list the caller already has).
 */
export function reconcileIndex(engine: Engine, indexedIds: Iterable<string>, onNotice: (line: string) => void = () => {}): number {
	const {store, index} = engine;
	const inStore = new Set(store.listIds());
	const inIndex = new Set(indexedIds);
	let changed = 0;
	for (const id of inStore) {
		if (inIndex.has(id)) continue;
		const loaded = loadOne(store, id, onNotice);
		if (!loaded) continue;
		index.transaction(() => {
			index.removeSession(id);
			index.upsertSession(loaded.manifest);
			index.addMessages(id, loaded.messages, 1);
		});
		changed++;
	}

	for (const id of inIndex) {
		if (inStore.has(id)) continue;
		index.removeSession(id);
		changed++;
	}

	return changed;
}

/**
 * Updates a session's index row after a manifest change. A manifest without stats (other writers
 * may leave them out) gets them from its messages for the index only; the store keeps it as written.
 */
export function upsertManifest(engine: Engine, manifest: Manifest): void {
	engine.index.upsertSession(manifest.stats?.message_count === undefined ? withStats(manifest, engine.store.readMessages(manifest.session_id).messages) : manifest);
}
