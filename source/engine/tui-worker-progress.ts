/**
 * Capture progress from the TUI's background worker, at most one message per interval. A capture's full
 * discovery reports every session (10,000 at 10,000 sessions, within a second when nothing changed); each
 * message became a store update and a render on the TUI's main thread, whose garbage grew the main
 * heap by ~10 MB during the TUI's first start. The status bar needs only the latest count.
 */
import type {CaptureProgress} from './capture.js';

/** What the worker posts: the latest progress, and how many sessions changed since the last message. */
export type ThrottledProgress = Omit<CaptureProgress, 'sessionId'> & {changed: number};

export class ProgressThrottle {
	private latest: CaptureProgress | undefined;
	private changed = 0;
	private lastSent = -Infinity;

	constructor(
		private readonly send: (progress: ThrottledProgress) => void,
		private readonly intervalMs = 100,
		private readonly now: () => number = () => performance.now(),
	) {}

	push(progress: CaptureProgress): void {
		this.latest = progress;
		if (progress.sessionId) this.changed++;
		// A tool's last report (done = total) goes out at once, so the bar never lags a finished tool.
		if (this.now() - this.lastSent >= this.intervalMs || progress.done >= progress.total) this.flush();
	}

	/** Sends what is held back (called before the capture's answer). */
	flush(): void {
		if (!this.latest) return;
		const {sessionId: _sessionId, ...rest} = this.latest;
		this.send({...rest, changed: this.changed});
		this.latest = undefined;
		this.changed = 0;
		this.lastSent = this.now();
	}
}
