/**
 * What one `sfs sync` moves, decided from three lists and no I/O: the local sessions (with their
 * fingerprints), the server's listing (with ETags) and what this machine recorded at its last sync.
 * Pushed: local sessions the mode selects that changed since they were last synced here (or that
 * the server lacks). Pulled: remote sessions missing here or whose server version moved on since
 * this machine last saw it. A session both changed here and on the server is pushed only: the push
 * merges both sides (the server merges, or answers 412 and the client merges). A session whose push
 * was refused for good (DLP block, too large) is not sent again until it changes here, but a newer
 * server version of it is still pulled.
 */
import type {SessionSyncRecord, SyncMode} from './state.js';

export type LocalSession = {session_id: string; fingerprint: string};
export type RemoteEntry = {session_id: string; etag: string};

export type PlanInput = {
	local: LocalSession[];
	remote: RemoteEntry[];
	records: Record<string, SessionSyncRecord>;
	mode: SyncMode;
	watched: string[];
	/** Sessions deleted on this machine (tombstones): not pulled back. */
	deleted: Set<string>;
};

export type Plan = {
	push: string[];
	pull: string[];
	unchanged: string[];
	skipped: Array<{session_id: string; reason: string}>;
};

/** Sync is about your own sessions: a teammate's session shared with an org is taken with `sfs pull`. */
export function ownRemote<T extends {owner?: string; org?: string | null}>(remote: T[], email: string): T[] {
	return remote.filter(entry => (entry.org ?? null) === null && (entry.owner === undefined || entry.owner === email));
}

/** In mode "all" every local session is pushed; otherwise (selective, or a manual sync with autosync off) the watched ones. */
export function selectedForPush(mode: SyncMode, watched: string[], local: LocalSession[]): LocalSession[] {
	if (mode === 'all') return local;
	const wanted = new Set(watched);
	return local.filter(session => wanted.has(session.session_id));
}

export function planSync(input: PlanInput): Plan {
	const plan: Plan = {push: [], pull: [], unchanged: [], skipped: []};
	const remote = new Map(input.remote.map(entry => [entry.session_id, entry]));
	const localIds = new Set(input.local.map(session => session.session_id));
	const decided = new Set<string>();
	for (const session of selectedForPush(input.mode, input.watched, input.local)) {
		const id = session.session_id;
		const record = input.records[id];
		decided.add(id);
		if (record?.owner) continue; // A teammate's session taken here: theirs to push.
		if (record?.blocked === session.fingerprint) {
			// Not sent again, but what another machine pushed since is still taken (merged here, nothing dropped).
			const there = remote.get(id);
			if (there && there.etag !== record.etag) plan.pull.push(id);
			else plan.skipped.push({session_id: id, reason: `not sent again until it changes: ${record.blocked_reason ?? 'refused'} (sfs push ${id} tries it now)`});
		} else if (!record || record.local !== session.fingerprint || !remote.has(id)) {
			plan.push.push(id);
		} else if (remote.get(id)!.etag !== record.etag) {
			plan.pull.push(id);
		} else {
			plan.unchanged.push(id);
		}
	}

	for (const entry of input.remote) {
		const id = entry.session_id;
		if (decided.has(id)) continue;
		decided.add(id);
		const here = localIds.has(id);
		if (!here && input.deleted.has(id)) plan.skipped.push({session_id: id, reason: 'deleted on this machine (sfs pull it to bring it back)'});
		else if (!here || input.records[id]?.etag !== entry.etag) plan.pull.push(id);
		else plan.unchanged.push(id);
	}

	return plan;
}
