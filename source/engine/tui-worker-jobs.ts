/**
 * The order in which the TUI's background worker runs its jobs, so that they do not all hold memory at
 * once. On a store's first TUI start the list asks for costs, the preview for a summary and DLP findings
 * and the TUI for a capture, all within a few milliseconds; run together, the process held all of their
 * heaps at once (at 10,000 sessions: capture +60 MB, costs +30, summary +22 over the TUI's ~107 MB).
 *
 * - Reads (summary, findings, costs) run one at a time, in the order asked.
 * - A capture starts once no read is waiting or running: what the user is looking at is answered first.
 *   Reads asked for while a capture runs still run at once (capture awaits between files, and a cold
 *   capture can take minutes), one at a time.
 * - Whenever a job ends and the next has not started, `release` runs (the worker collects its garbage
 *   there, so the next job starts from a small heap instead of on top of the last one's garbage).
 */
export type JobKind = 'capture' | 'read';

export class BackgroundJobs {
	private readonly reads: Array<() => void> = [];
	private readonly captures: Array<() => void> = [];
	private readRunning = false;
	private captureRunning = false;

	constructor(private readonly release: () => void = () => {}) {}

	/** Runs `job` when its turn comes; settles as it does. */
	async run<T>(kind: JobKind, job: () => Promise<T>): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const start = () => {
				if (kind === 'read') this.readRunning = true;
				else this.captureRunning = true;
				let running: Promise<T>;
				try {
					running = job();
				} catch (error) {
					running = Promise.reject(error);
				}

				running.then(resolve, reject).finally(() => {
					if (kind === 'read') this.readRunning = false;
					else this.captureRunning = false;
					this.next();
				});
			};

			(kind === 'read' ? this.reads : this.captures).push(start);
			this.pump();
		});
	}

	/** Jobs waiting or running (for tests). */
	get size(): number {
		return this.reads.length + this.captures.length + (this.readRunning ? 1 : 0) + (this.captureRunning ? 1 : 0);
	}

	private next(): void {
		if (!this.readRunning) {
			try {
				this.release();
			} catch {}
		}

		this.pump();
	}

	private pump(): void {
		if (!this.readRunning && this.reads.length > 0) {
			this.reads.shift()!();
			return;
		}

		if (!this.readRunning && !this.captureRunning && this.captures.length > 0) this.captures.shift()!();
	}
}
