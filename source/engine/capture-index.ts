/**
 * Capture's index writes. Capture turns each session it stores into index operations (IndexOp) and
 * hands them to a sink, in store order. Small captures (an append, the daemon's batches) apply them on
 * this thread; once a capture has written INDEX_WORKER_AFTER messages (a cold capture), the rest go to a
 * worker thread that owns its own index connection, so that SQLite's inserts run on the second core
 * while this thread reads, parses and writes the store.
 *
 * The store is written before its operations are handed over and stays the truth. A session is only
 * trusted as indexed once its batch is committed: when the worker fails, whatever it had not committed is
 * re-indexed from the store here; a session whose index write failed is reported (and its capture state
 * not saved, so the next capture looks at it again).
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import {Worker} from 'node:worker_threads';
import type {SessionIndex} from './index-db.js';
import {messageIndexText} from './index-text.js';
import type {Store} from './store.js';
import type {Manifest, Message} from './types.js';
import {errorLine} from './errors.js';

export type IndexOp =
	/** Upsert the session's row and add `messages` at positions start, start + 1, … */
	| {op: 'write'; sessionId: string; manifest: Manifest; messages: Message[]; start: number}
	/** Add messages only (lines a killed capture appended to the store before its manifest). */
	| {op: 'add'; sessionId: string; messages: Message[]; start: number}
	/** Drop the session's rows and index it again from the store. */
	| {op: 'reindex'; sessionId: string};

export type IndexFailure = {sessionId: string; reason: string};

/** Index batches: committed every BATCH_MESSAGES messages or BATCH_MS (other writers wait at most about that), and at the end. */
const BATCH_MESSAGES = 20_000;
const BATCH_MS = 1000;
/** A capture that has written this many messages moves its index writes to a worker thread. */
export const INDEX_WORKER_AFTER = 5000;
/** Messages handed to the worker and not yet applied, above which capture waits (bounds memory). */
const MAX_OUTSTANDING = 5000;
/** What a reindex weighs against that bound (its size is not known here). */
const REINDEX_WEIGHT = 1000;

export function reindexSession(store: Store, index: SessionIndex, sessionId: string): void {
	const manifest = store.readManifest(sessionId);
	const {messages} = store.readMessages(sessionId);
	index.transaction(() => {
		index.removeSession(sessionId);
		index.upsertSession(manifest);
		index.addMessages(sessionId, messages, 1);
	});
}

function applyOp(store: Store, index: SessionIndex, op: IndexOp): void {
	if (op.op === 'reindex') {
		reindexSession(store, index, op.sessionId);
	} else if (op.op === 'add') {
		index.addMessages(op.sessionId, op.messages, op.start);
	} else {
		index.transaction(() => {
			index.upsertSession(op.manifest);
			if (op.messages.length > 0) index.addMessages(op.sessionId, op.messages, op.start);
		});
	}
}

/**
 * What the index keeps of a message (id, role, time, its index text), as a message that indexes the
 * same: the worker gets a fraction of the bytes to copy (tool output past the indexed prefix, usage
 * and metadata stay here), and this thread does the text extraction, which balances the two threads.
 */
export function slimForIndex(message: Message): Message {
	return {msg_id: message.msg_id, role: message.role, timestamp: message.timestamp, content: [{type: 'text', text: messageIndexText(message)}]};
}

/**
 * What the index keeps of a manifest: all of it but the capture state (file cursors and the adapter's
 * own state, up to ~1 MB for a Gemini session), which the worker would only copy and throw away.
 */
export function manifestForIndex(manifest: Manifest): Manifest {
	if (!manifest.metadata?.capture) return manifest;
	const {capture: _capture, ...metadata} = manifest.metadata;
	return {...manifest, metadata};
}

/** An operation as handed to the worker: only what the index uses. */
function forWorker(op: IndexOp): IndexOp {
	if (op.op === 'reindex') return op;
	const messages = op.messages.map(message => slimForIndex(message));
	return op.op === 'add' ? {...op, messages} : {...op, manifest: manifestForIndex(op.manifest), messages};
}

export function weightOf(op: IndexOp): number {
	return op.op === 'reindex' ? REINDEX_WEIGHT : Math.max(1, op.messages.length);
}

/** An error's first line, at most 300 characters (for reports and logs). */
export function oneLineError(error: unknown): string {
	return errorLine(error).slice(0, 300);
}

/**
 * Applies operations to one index connection in batches (this thread's sink, and the worker's body).
 * When an operation fails, the batch is rolled back and the sessions applied earlier in it are
 * re-indexed from the store one by one (those that cannot be are reported through `onFailure`); then
 * the error is thrown. `onCommit` is told how many operations (in order) are settled: committed, or
 * resolved by that recovery.
 */
export class BatchedIndexWriter {
	private sessions = new Set<string>();
	private ops = 0;
	private messages = 0;
	private startedAt = 0;
	private isOpen = false;

	constructor(
		private readonly store: Store,
		private readonly index: SessionIndex,
		private readonly onCommit: (ops: number) => void = () => {},
		private readonly onFailure: (failure: IndexFailure) => void = () => {},
	) {}

	apply(op: IndexOp): void {
		if (!this.isOpen) {
			this.index.beginBatch();
			this.isOpen = true;
			this.startedAt = Date.now();
		}

		this.ops++;
		try {
			applyOp(this.store, this.index, op);
		} catch (error) {
			this.failed(op.sessionId);
			throw error;
		}

		this.sessions.add(op.sessionId);
		this.messages += op.op === 'reindex' ? 0 : op.messages.length;
		if (this.messages >= BATCH_MESSAGES || Date.now() - this.startedAt >= BATCH_MS) this.commit();
	}

	commit(): void {
		if (!this.isOpen) return;
		this.index.commitBatch();
		const ops = this.ops;
		this.reset();
		this.onCommit(ops);
	}

	private failed(failing: string): void {
		const earlier = [...this.sessions].filter(sessionId => sessionId !== failing);
		const ops = this.ops;
		this.index.rollbackBatch();
		this.reset();
		for (const sessionId of earlier) {
			try {
				reindexSession(this.store, this.index, sessionId);
			} catch (error) {
				this.onFailure({sessionId, reason: `index: ${oneLineError(error)}`});
			}
		}

		this.onCommit(ops);
	}

	private reset(): void {
		this.isOpen = false;
		this.sessions = new Set();
		this.ops = 0;
		this.messages = 0;
	}
}

/** What the worker posts back. */
export type IndexWorkerReply =
	| {type: 'applied'; weight: number}
	| {type: 'committed'; ops: number}
	| {type: 'failed'; sessionId: string; reason: string}
	| {type: 'closed'};

export type IndexWorkerData = {env: NodeJS.ProcessEnv; dbPath: string};

/** The worker's entry: the built `.js`, or from source (tests, tsx) the `.ts` through tsx's loader. */
function workerSource(): {file: URL; fromSource: boolean} | undefined {
	const built = new URL('./capture-index-worker.js', import.meta.url);
	if (fs.existsSync(built)) return {file: built, fromSource: false};
	const source = new URL('./capture-index-worker.ts', import.meta.url);
	if (fs.existsSync(source)) return {file: source, fromSource: true};
	return undefined;
}

/**
 * How far V8 lets a heap grow past what survived its last full collection, in percent, once a capture is
 * big enough for the index worker. By default a heap may grow to up to 4 × its live size: the capture
 * thread keeps ~15-30 MB alive but allocates GBs (parsed native records, store lines), so its heap sat at
 * ~150 MB, most of it garbage, the largest part of a cold capture's peak RSS. The flag is V8's own, read
 * at every collection (so it applies from the next one, to the worker's heap too) and process-wide: a
 * process that ran a cold capture keeps collecting this way.
 */
const CAPTURE_HEAP_GROWING_PERCENT = 50;

function limitHeapGrowth(): void {
	try {
		v8.setFlagsFromString(`--heap-growing-percent=${CAPTURE_HEAP_GROWING_PERCENT}`);
	} catch {
		// Only memory is at stake.
	}
}

function startWorker(data: IndexWorkerData): Worker | undefined {
	const entry = workerSource();
	if (!entry) return undefined;
	limitHeapGrowth();
	// A small young generation: the worker's garbage is short-lived, and every MB counts in a cold capture's peak RSS.
	const resourceLimits = {maxYoungGenerationSizeMb: 8};
	if (!entry.fromSource) return new Worker(entry.file, {workerData: data, resourceLimits});
	const boot = `import('tsx/esm/api').then(tsx => { tsx.register(); return import(${JSON.stringify(entry.file.href)}); })`;
	return new Worker(boot, {eval: true, workerData: data, resourceLimits});
}

/** Index writes in a worker thread; every operation handed over stays pending until the worker says it is settled. */
class WorkerIndexWriter {
	readonly failures: IndexFailure[] = [];
	/** Sessions of the operations handed over and not settled, in order. */
	private pending: string[] = [];
	private settledOps = 0;
	private outstanding = 0;
	private error: Error | undefined;
	private wake: Array<() => void> = [];
	private readonly closed: Promise<void>;

	constructor(private readonly worker: Worker) {
		let resolveClosed!: () => void;
		this.closed = new Promise(resolve => {
			resolveClosed = resolve;
		});
		worker.on('message', (reply: IndexWorkerReply) => {
			if (reply.type === 'applied') this.outstanding -= reply.weight;
			else if (reply.type === 'committed') this.settledOps += reply.ops;
			else if (reply.type === 'failed') this.failures.push({sessionId: reply.sessionId, reason: reply.reason});
			else resolveClosed();
			this.wakeAll();
		});
		worker.on('error', error => {
			this.error ??= error;
			this.wakeAll();
			resolveClosed();
		});
		worker.on('exit', () => {
			this.error ??= new Error('index worker exited');
			this.wakeAll();
			resolveClosed();
		});
	}

	get failedWith(): Error | undefined {
		return this.error;
	}

	/** False once the worker is gone: the caller applies the operation itself. */
	post(op: IndexOp): boolean {
		if (this.error) return false;
		this.pending.push(op.sessionId);
		this.outstanding += weightOf(op);
		this.worker.postMessage(forWorker(op));
		return true;
	}

	async drain(limit: number): Promise<void> {
		while (this.outstanding > limit && !this.error) {
			await new Promise<void>(resolve => this.wake.push(resolve));
		}
	}

	/** Commits and stops the worker; returns the sessions with operations it did not settle (to be re-indexed from the store). */
	async close(): Promise<string[]> {
		if (!this.error) this.worker.postMessage({op: 'close'});
		await this.closed;
		await this.worker.terminate();
		return [...new Set(this.pending.slice(this.settledOps))];
	}

	private wakeAll(): void {
		const waiting = this.wake;
		this.wake = [];
		for (const resolve of waiting) resolve();
	}
}

/**
 * Capture's sink: applies on this thread until `workerAfter` messages were written in this capture,
 * then in a worker (when the index is a file and the worker script is there).
 */
export class CaptureIndexSink {
	private readonly local: BatchedIndexWriter;
	private worker: WorkerIndexWriter | undefined;
	private written = 0;
	private readonly failures: IndexFailure[] = [];

	constructor(
		private readonly store: Store,
		private readonly index: SessionIndex,
		private readonly env: NodeJS.ProcessEnv,
		private workerAfter = INDEX_WORKER_AFTER,
	) {
		this.local = new BatchedIndexWriter(store, index, undefined, failure => this.failures.push(failure));
	}

	/** Whether index writes have moved to the worker. */
	get inWorker(): boolean {
		return this.worker !== undefined && !this.worker.failedWith;
	}

	/** Applies (or hands over) one operation. On this thread an index error is thrown (the session is then skipped). */
	apply(op: IndexOp): void {
		if (op.op !== 'reindex') this.written += op.messages.length;
		if (!this.worker && this.written > this.workerAfter && this.index.path !== ':memory:') {
			this.local.commit();
			let worker: Worker | undefined;
			try {
				worker = startWorker({env: {...this.env}, dbPath: this.index.path});
			} catch {
				// No worker thread to be had (resource limits, a broken build): handled below.
			}

			if (worker) this.worker = new WorkerIndexWriter(worker);
			// Without one, this thread writes the index, as for small captures (and does not try again).
			else this.workerAfter = Number.POSITIVE_INFINITY;
		}

		if (this.worker?.post(op)) return;
		this.local.apply(op);
	}

	/** Waits while the worker is far behind, so that handed-over messages do not pile up in memory. */
	async settle(): Promise<void> {
		await this.worker?.drain(MAX_OUTSTANDING);
	}

	/**
	 * Commits everything. Returns the sessions whose index write failed (their capture state must not
	 * be saved). Sessions a failed worker did not commit are re-indexed from the store here.
	 */
	async close(): Promise<IndexFailure[]> {
		this.local.commit();
		if (this.worker) {
			const uncommitted = await this.worker.close();
			this.failures.push(...this.worker.failures);
			const failed = new Set(this.worker.failures.map(failure => failure.sessionId));
			for (const sessionId of uncommitted) {
				if (failed.has(sessionId)) continue;
				try {
					reindexSession(this.store, this.index, sessionId);
				} catch (error) {
					this.failures.push({sessionId, reason: `index: ${oneLineError(error)}`});
				}
			}

			this.worker = undefined;
		}

		return this.failures;
	}
}
