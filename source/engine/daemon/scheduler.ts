/**
 * Turns bursts of file events into few captures: a capture starts after a short quiet period, and
 * never later than `maxDelayMs` after the first event of a burst. Captures never overlap; events
 * that arrive during one are kept for the next.
 *
 * A capture that could not run (capture.lock held by another process, the index busy) asks to be
 * tried again: its batch goes back into the pending one (there is never more than one), its waiters
 * keep waiting, and nothing fires before the retry time, unless `wake()` says the obstacle is gone.
 */
import type {ToolId} from '../types.js';
import type {ChangeKind} from './watch.js';

export type ChangeBatch = {
	tools: Set<ToolId>;
	files: Set<string>;
	dirs: Set<string>;
	/** A full pass over these tools was asked for (start-up, `capture` request, a root appearing). */
	full: boolean;
};

export function emptyBatch(): ChangeBatch {
	return {tools: new Set(), files: new Set(), dirs: new Set(), full: false};
}

/** What a capture run returns: nothing when it is done, or when to try the same batch again. */
export type CaptureOutcome = void | {retryInMs: number};

export class CaptureScheduler {
	private batch = emptyBatch();
	private firstEventAt: number | undefined;
	/** No capture starts before this time (a retry's back-off). */
	private holdUntil: number | undefined;
	private timer: NodeJS.Timeout | undefined;
	private running: Promise<void> | undefined;
	private readonly waiters: Array<() => void> = [];
	private stopped = false;

	constructor(
		private readonly run: (batch: ChangeBatch) => Promise<CaptureOutcome>,
		private readonly options: {quietMs?: number; maxDelayMs?: number} = {},
	) {}

	add(tools: ToolId[], kind: ChangeKind, changed: string): void {
		for (const tool of tools) this.batch.tools.add(tool);
		(kind === 'dir' ? this.batch.dirs : this.batch.files).add(changed);
		this.schedule();
	}

	/** Merges an earlier batch back in (a retry of sessions that could not be captured). */
	addBatch(batch: ChangeBatch): void {
		this.merge(batch);
		this.schedule();
	}

	/** The obstacle a retry waits for is gone (capture.lock was released): try now rather than at the back-off's end. */
	wake(): void {
		if (this.holdUntil === undefined) return;
		this.holdUntil = undefined;
		if (this.hasPending() && !this.running) this.schedule(0);
	}

	/** A retry is waiting for its back-off to end; when it will be tried next. */
	get retryAt(): number | undefined {
		return this.holdUntil;
	}

	/** Changes (or a requested capture) are waiting to be captured. */
	get pending(): boolean {
		return this.hasPending();
	}

	/** A full pass over `tools`; resolves when a capture that includes it has finished. */
	async requestFull(tools: ToolId[]): Promise<void> {
		for (const tool of tools) this.batch.tools.add(tool);
		this.batch.full = true;
		const done = new Promise<void>(resolve => this.waiters.push(resolve));
		this.schedule(0);
		return done;
	}

	get busy(): boolean {
		return this.running !== undefined;
	}

	/** Stops scheduling and waits for a capture in flight. */
	async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		await this.running;
		// Nothing will capture for them any more: let the requests end.
		for (const resolve of this.waiters.splice(0)) resolve();
	}

	private merge(batch: ChangeBatch): void {
		for (const tool of batch.tools) this.batch.tools.add(tool);
		for (const file of batch.files) this.batch.files.add(file);
		for (const dir of batch.dirs) this.batch.dirs.add(dir);
		this.batch.full ||= batch.full;
	}

	private schedule(quietOverride?: number): void {
		if (this.stopped) return;
		const now = Date.now();
		this.firstEventAt ??= now;
		const quiet = quietOverride ?? this.options.quietMs ?? 150;
		const latest = this.firstEventAt + (this.options.maxDelayMs ?? 2000);
		const delay = Math.max(0, Math.min(quiet, latest - now), (this.holdUntil ?? 0) - now);
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => this.fire(), delay);
	}

	private fire(): void {
		this.timer = undefined;
		if (this.running) return; // The capture in flight reschedules when it ends.
		const batch = this.batch;
		const waiters = this.waiters.splice(0);
		this.batch = emptyBatch();
		this.firstEventAt = undefined;
		this.running = this.run(batch)
			.catch(() => {})
			.then(outcome => {
				this.running = undefined;
				if (outcome && !this.stopped) {
					// Not captured: its changes and its waiters wait for the next try, with whatever arrived meanwhile.
					this.merge(batch);
					this.waiters.unshift(...waiters);
					this.holdUntil = Date.now() + outcome.retryInMs;
				} else {
					this.holdUntil = undefined;
					for (const resolve of waiters) resolve();
				}

				if (this.hasPending()) this.schedule(0);
			});
	}

	private hasPending(): boolean {
		return this.batch.full || this.batch.files.size > 0 || this.batch.dirs.size > 0 || this.waiters.length > 0;
	}
}
