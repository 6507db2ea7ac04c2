/**
 * `sfs sync status`: the mode, the server, the last run and error, and what a sync would move now.
 * Pending pushes come from this machine alone; pending pulls need the server's listing (one quick
 * attempt; unknown when it does not answer).
 */
import type {Engine} from '../engine/open-engine.js';
import {fingerprintOf, listRemote} from './client.js';
import type {Credentials} from './credentials.js';
import {ownRemote, planSync, type RemoteEntry} from './sync-plan.js';
import type {SyncMode, SyncRunSummary, SyncState} from './state.js';
import {errorLine} from '../engine/errors.js';

export type SyncStatus = {
	mode: SyncMode;
	server: string | null;
	last_sync: SyncRunSummary | null;
	pending_pushes: number | null;
	pending_pulls: number | null;
	watched: string[];
	last_error: {at: string; message: string} | null;
	/** Why pending pulls are unknown (the server did not answer), if so. */
	server_error: string | null;
};

export async function syncStatus(engine: Engine, state: SyncState, credentials: Credentials | undefined, options: {offline?: boolean; timeoutMs?: number} = {}): Promise<SyncStatus> {
	const server = credentials?.url ?? null;
	const records = server ? (state.servers[server]?.sessions ?? {}) : {};
	const result: SyncStatus = {
		mode: state.mode,
		server,
		last_sync: server ? (state.servers[server]?.last_sync ?? null) : null,
		pending_pushes: null,
		pending_pulls: null,
		watched: state.watched,
		last_error: server ? (state.servers[server]?.last_error ?? null) : null,
		server_error: null,
	};
	if (!credentials) return result;

	let remote: RemoteEntry[] | undefined;
	if (!options.offline) {
		try {
			remote = ownRemote(await listRemote(credentials, {attempts: 1, timeoutMs: options.timeoutMs ?? 5000}), credentials.email);
		} catch (error) {
			result.server_error = errorLine(error);
		}
	}

	const local = engine.index.listSessions({includeSubagents: true}).map(row => ({session_id: row.session_id, fingerprint: fingerprintOf(row)}));
	// Without the server's listing, take its state to be what this machine saw last: only local changes count.
	const assumed = remote ?? Object.entries(records).map(([session_id, record]) => ({session_id, etag: record.etag}));
	const plan = planSync({local, remote: assumed, records, mode: state.mode, watched: state.watched, deleted: new Set(engine.store.tombstones().map(tombstone => tombstone.session_id))});
	result.pending_pushes = plan.push.length;
	result.pending_pulls = remote ? plan.pull.length : null;
	return result;
}
