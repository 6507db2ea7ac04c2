/**
 * Per-user limits: a fixed-window request rate (answered with 429 and Retry-After) and a bound on
 * pushes running at once. In memory: a restart forgets the counts, which only errs towards serving.
 */
export type LimitOptions = {
	/** Requests per user (or per address before login) per window. */
	requestsPerWindow: number;
	windowMs: number;
	maxConcurrentPushes: number;
};

export class RateLimiter {
	private readonly windows = new Map<string, {start: number; count: number}>();

	constructor(private readonly options: LimitOptions) {}

	/** 0 when the request may go ahead, else the seconds to wait. */
	take(key: string, now = Date.now()): number {
		let window = this.windows.get(key);
		if (!window || now - window.start >= this.options.windowMs) {
			if (this.windows.size > 100_000) this.windows.clear();
			window = {start: now, count: 0};
			this.windows.set(key, window);
		}

		if (window.count >= this.options.requestsPerWindow) return Math.max(1, Math.ceil((window.start + this.options.windowMs - now) / 1000));
		window.count++;
		return 0;
	}
}

export class PushSlots {
	private readonly running = new Map<string, number>();

	constructor(private readonly max: number) {}

	tryTake(userId: string): boolean {
		const count = this.running.get(userId) ?? 0;
		if (count >= this.max) return false;
		this.running.set(userId, count + 1);
		return true;
	}

	release(userId: string): void {
		const count = (this.running.get(userId) ?? 1) - 1;
		if (count <= 0) this.running.delete(userId);
		else this.running.set(userId, count);
	}
}
