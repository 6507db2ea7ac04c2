/**
 * Turns bursts of file events into few captures: a capture starts after a short quiet period, and
 * never later than `maxDelayMs` after the first event of a burst. Captures never overlap; events
 * that arrive during one are kept for the next.
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

export class CaptureScheduler {
	private batch = emptyBatch();
	private firstEventAt: number | undefined;
	private timer: NodeJS.Timeout | undefined;
	private running: Promise<void> | undefined;
	private readonly waiters: Array<() => void> = [];
	private stopped = false;

	constructor(
		private readonly run: (batch: ChangeBatch) => Promise<void>,
		private readonly options: {quietMs?: number; maxDelayMs?: number} = {},
	) {}

	add(tools: ToolId[], kind: ChangeKind, changed: string): void {
		for (const tool of tools) this.batch.tools.add(tool);
		(kind === 'dir' ? this.batch.dirs : this.batch.files).add(changed);
		this.schedule();
	}

	/** Merges an earlier batch back in (a retry of sessions that could not be captured). */
	addBatch(batch: ChangeBatch): void {
		for (const tool of batch.tools) this.batch.tools.add(tool);
		for (const file of batch.files) this.batch.files.add(file);
		for (const dir of batch.dirs) this.batch.dirs.add(dir);
		this.batch.full ||= batch.full;
		this.schedule();
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
	}

	private schedule(quietOverride?: number): void {
		if (this.stopped) return;
		const now = Date.now();
		this.firstEventAt ??= now;
		const quiet = quietOverride ?? this.options.quietMs ?? 150;
		const latest = this.firstEventAt + (this.options.maxDelayMs ?? 2000);
		const delay = Math.max(0, Math.min(quiet, latest - now));
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
			.finally(() => {
				this.running = undefined;
				for (const resolve of waiters) resolve();
				if (this.hasPending()) this.schedule(0);
			});
	}

	private hasPending(): boolean {
		return this.batch.full || this.batch.files.size > 0 || this.batch.dirs.size > 0 || this.waiters.length > 0;
	}
}
