/**
 * One sync run, both ways, for the CLI (`sfs sync`) and the daemon's autosync: list the server, plan
 * (sync-plan.ts), then push and pull with a bounded number of transfers at once. Each transfer
 * records its result in the sync state as soon as it is done, so a run killed midway is finished by
 * the next one: nothing pushed or pulled twice shows up twice (merges go by msg_id), nothing is lost.
 * Two runs never overlap (a lock file held for the run; a dead holder's lock is taken over).
 */
import {errorLine, SfsError} from '../engine/errors.js';
import {pidAlive, readLockOwner, withLock} from '../engine/lock.js';
import type {Engine} from '../engine/open-engine.js';
import {fingerprintOf, listRemote, localFingerprint, type OutgoingGate, pullSession, pushSession} from './client.js';
import type {Credentials} from './credentials.js';
import {HttpFailure, type RequestOptions} from './http.js';
import {ownRemote, planSync} from './sync-plan.js';
import {BufferedEtagBook, type EtagBook, loadState, runLockPath, serverState, type SyncMode, type SyncRunSummary, updateState} from './state.js';

export type SyncOutcome = 'pushed' | 'pulled' | 'merged' | 'unchanged' | 'failed';

export type SyncProgress =
	| {kind: 'plan'; push: number; pull: number; unchanged: number; skipped: number}
	| {kind: 'transfer'; done: number; total: number; session_id: string; direction: 'push' | 'pull'; outcome: SyncOutcome; detail: string};

export type SyncReport = {
	server: string;
	mode: SyncMode;
	started_at: string;
	duration_ms: number;
	pushed: number;
	pulled: number;
	merged: number;
	unchanged: number;
	failed: number;
	skipped: number;
	failures: Array<{session_id: string; direction: 'push' | 'pull'; reason: string}>;
	skips: Array<{session_id: string; reason: string}>;
};

export type SyncRunOptions = {
	engine: Engine;
	credentials: Credentials;
	/** The DLP gate every pushed session passes. */
	gate: OutgoingGate;
	/** Transfers at once (default 4). */
	concurrency?: number;
	/** Retries, backoff, cancellation of every request. */
	request?: RequestOptions;
	progress?: (event: SyncProgress) => void;
	/** Who runs it, recorded with the last sync ('cli' or 'daemon'). */
	by?: string;
	/** How long to wait for another run to finish (default 2 min). */
	lockWaitMs?: number;
	/** Told when another run (the daemon's autosync, another `sfs sync`) holds the lock and this one waits. */
	onWait?: (pid: number) => void;
};

export const DEFAULT_CONCURRENCY = 4;

export async function runSync(options: SyncRunOptions): Promise<SyncReport> {
	const {engine} = options;
	const lock = runLockPath(engine.env);
	const holder = readLockOwner(lock);
	if (holder !== undefined && holder !== process.pid && pidAlive(holder) && (options.lockWaitMs ?? 1) > 0) options.onWait?.(holder);
	return withLock(lock, async () => syncLocked(options), {waitMs: options.lockWaitMs ?? 120_000, what: 'another sfs sync'});
}

async function syncLocked(options: SyncRunOptions): Promise<SyncReport> {
	const {engine, credentials} = options;
	const {env} = engine;
	const url = credentials.url;
	const startedAt = new Date();
	const state = loadState(env);
	const report: SyncReport = {
		server: url,
		mode: state.mode,
		started_at: startedAt.toISOString(),
		duration_ms: 0,
		pushed: 0,
		pulled: 0,
		merged: 0,
		unchanged: 0,
		failed: 0,
		skipped: 0,
		failures: [],
		skips: [],
	};

	let remote;
	try {
		remote = ownRemote(await listRemote(credentials, options.request), credentials.email);
	} catch (error) {
		recordError(env, url, errorLine(error));
		throw error;
	}

	const local = engine.index.listSessions({includeSubagents: true}).map(row => ({session_id: row.session_id, fingerprint: fingerprintOf(row)}));
	const plan = planSync({
		local,
		remote,
		records: state.servers[url]?.sessions ?? {},
		mode: state.mode,
		watched: state.watched,
		deleted: new Set(engine.store.tombstones().map(tombstone => tombstone.session_id)),
	});
	report.unchanged = plan.unchanged.length;
	report.skipped = plan.skipped.length;
	report.skips = plan.skipped;
	options.progress?.({kind: 'plan', push: plan.push.length, pull: plan.pull.length, unchanged: plan.unchanged.length, skipped: plan.skipped.length});

	const book = new BufferedEtagBook(env, state);
	const records = state.servers[url]?.sessions ?? {};
	const jobs = [...plan.push.map(id => ({id, direction: 'push' as const})), ...plan.pull.map(id => ({id, direction: 'pull' as const}))];
	let done = 0;
	await eachBounded(jobs, options.concurrency ?? DEFAULT_CONCURRENCY, async job => {
		let outcome: SyncOutcome;
		let detail: string;
		try {
			({outcome, detail} = job.direction === 'push' ? await pushOne(options, job.id, book) : await pullOne(options, job.id, book));
			const refused = records[job.id]?.blocked_reason;
			if (job.direction === 'pull' && refused !== undefined) {
				// What made its push refused is still here: it stays marked (and listed as skipped), now at its merged version.
				book.flush();
				rememberRefused(options, job.id, refused);
			}
		} catch (error) {
			outcome = 'failed';
			detail = errorLine(error);
			report.failures.push({session_id: job.id, direction: job.direction, reason: detail});
			if (job.direction === 'push' && refusedForGood(error)) rememberRefused(options, job.id, detail);
		}

		report[outcome]++;
		options.progress?.({kind: 'transfer', done: ++done, total: jobs.length, session_id: job.id, direction: job.direction, outcome, detail});
	});

	report.duration_ms = Date.now() - startedAt.getTime();
	const summary: SyncRunSummary = {
		started_at: report.started_at,
		finished_at: new Date().toISOString(),
		pushed: report.pushed,
		pulled: report.pulled,
		merged: report.merged,
		unchanged: report.unchanged,
		failed: report.failed,
		skipped: report.skipped,
		by: options.by ?? 'cli',
	};
	book.flush(next => {
		const server = serverState(next, url);
		server.last_sync = summary;
		const first = report.failures[0];
		server.last_error = first ? {at: summary.finished_at, message: `${first.direction} ${first.session_id}: ${first.reason}${report.failed > 1 ? ` (and ${report.failed - 1} more)` : ''}`} : null;
	});
	return report;
}

async function pushOne(options: SyncRunOptions, id: string, book: EtagBook): Promise<{outcome: SyncOutcome; detail: string}> {
	const result = await pushSession(options.engine, options.credentials, id, options.gate, options.request, book);
	const outcome: SyncOutcome = result.added > 0 && result.pulled > 0 ? 'merged' : result.added > 0 ? 'pushed' : result.pulled > 0 ? 'pulled' : 'unchanged';
	const detail = outcome === 'merged' ? `${result.added} sent, ${result.pulled} received (both sides kept)` : outcome === 'pulled' ? `${result.pulled} received` : `${result.added} sent`;
	return {outcome, detail};
}

async function pullOne(options: SyncRunOptions, id: string, book: EtagBook): Promise<{outcome: SyncOutcome; detail: string}> {
	const result = await pullSession(options.engine, options.credentials, id, options.request, book);
	return {outcome: result.created || result.added > 0 ? 'pulled' : 'unchanged', detail: result.created ? `new here, ${result.message_count} message(s)` : `${result.added} received`};
}

/**
 * Refusals that sending the same session again cannot change: the DLP gate, or the server finding it
 * too large or invalid. Such a session waits until it changes here (not resent at every autosync).
 */
function refusedForGood(error: unknown): boolean {
	if (error instanceof HttpFailure) return error.status === 400 || error.status === 413 || error.status === 422;
	return error instanceof SfsError && error.code === 'BLOCKED';
}

function rememberRefused(options: SyncRunOptions, id: string, reason: string): void {
	const fingerprint = localFingerprint(options.engine, id);
	if (!fingerprint) return;
	updateState(options.engine.env, state => {
		const sessions = serverState(state, options.credentials.url).sessions;
		sessions[id] = {...sessions[id], etag: sessions[id]?.etag ?? '', blocked: fingerprint, blocked_reason: reason};
	});
}

function recordError(env: NodeJS.ProcessEnv, url: string, message: string): void {
	try {
		updateState(env, state => {
			serverState(state, url).last_error = {at: new Date().toISOString(), message};
		});
	} catch {
		// The state is bookkeeping: failing to note an error must not hide the error itself.
	}
}

/** Runs `work` over `items` with at most `limit` running at once; never rejects (work handles its errors). */
export async function eachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const item = items[next++]!;
			await work(item);
		}
	};

	await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, async () => worker()));
}
