/**
 * The TUI's side of its background worker (tui-worker.ts): started on the first request (after the first
 * frame), answers matched by request id, and stopped again after a quiet spell so an idle TUI holds one
 * V8 heap, not two. It keeps the process alive only while an answer is awaited (an idle worker is
 * unref'd, so quitting the TUI exits at once), and a crash rejects what was in flight; the next request
 * starts a fresh worker.
 */
import fs from 'node:fs';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import v8 from 'node:v8';
import {Worker} from 'node:worker_threads';
import process from 'node:process';
import {SfsError} from './errors.js';
import type {BackgroundReply, BackgroundRequest} from './tui-worker.js';

/**
 * The worker's young generation, MiB. V8's default lets each isolate's new space grow to 2 × 16 MiB;
 * every page of it that has been used stays in the process's RSS. Capture and the summaries allocate
 * mostly short-lived objects, so a small young generation costs a few more scavenges and keeps the
 * TUI's peak RSS ~20 MiB lower (docs/performance.md, TUI memory).
 */
export const WORKER_YOUNG_GENERATION_MB = 6;

let holdingYoungGeneration = false;

/**
 * Keeps this isolate's young generation (new space) at the size it has now. V8 doubles it whenever
 * enough objects survive a scavenge, up to 2 × 16 MiB, and the TUI's 10,000 rows and its renders get it
 * there within a second; those pages then stay in the RSS for the life of the process, for garbage that
 * smaller scavenges collect as well (TUI alone at 10,000 sessions: peak RSS ~120 → ~97 MiB). The price is
 * more scavenges, so the TUI calls this once its modules are loaded (new space at 2 × 4 MiB then), not
 * at process start (2 × 1 MiB: twice the main thread's GC time). Set at run time
 * because the main isolate's sizes are fixed before any of our code runs. V8 puts the growth factor back
 * whenever it sets up another isolate's heap (the worker, capture's index worker inside it), so the
 * worker client sets it again when its worker comes online and on each message from it.
 */
export function holdYoungGeneration(): void {
	holdingYoungGeneration = true;
	try {
		v8.setFlagsFromString('--semi-space-growth-factor=1');
	} catch {}
}

function keepHolding(): void {
	if (holdingYoungGeneration) holdYoungGeneration();
}

type Pending = {resolve: (value: unknown) => void; reject: (error: Error) => void; onProgress?: (progress: unknown) => void; capture: boolean};

/** Distributive Omit, so each request kind keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * How the worker is started: the built .js, or (tests of the TS sources) a bootstrap that registers tsx's
 * loader inside the worker and then imports the .ts module (Node 20 ignores `--import` in a worker's execArgv).
 */
export function workerEntry(): {file: URL | string; eval?: boolean} | undefined {
	const built = new URL('tui-worker.js', import.meta.url);
	if (fs.existsSync(fileURLToPath(built))) return {file: built};
	const source = new URL('tui-worker.ts', import.meta.url);
	if (!fs.existsSync(fileURLToPath(source))) return undefined;
	const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/index\.cjs$/, 'index.mjs');
	return {file: `import(${JSON.stringify(tsx)}).then(({register}) => { register(); return import(${JSON.stringify(source.href)}); });`, eval: true};
}

export class BackgroundWorker {
	private worker: Worker | undefined;
	private nextId = 1;
	private readonly pending = new Map<number, Pending>();
	private idleTimer: NodeJS.Timeout | undefined;
	/** Capture requests in flight (they do not keep the process alive). */
	private captures = 0;

	constructor(
		private readonly env: NodeJS.ProcessEnv,
		/** Stop the worker after this long without a request in flight, ms. */
		private readonly idleMs = 15_000,
	) {}

	/** Send one request; resolves with its value, rejects with its error (an SfsError with the worker's code). */
	async request<T>(request: WithoutId<BackgroundRequest>, onProgress?: (progress: unknown) => void): Promise<T> {
		const worker = this.start();
		const id = this.nextId++;
		clearTimeout(this.idleTimer);
		// An answer is awaited: keep the process alive until it comes. Not for capture: quitting the TUI
		// mid-capture must not wait for it (its writes are atomic; the next capture picks up the rest).
		if (request.type === 'capture') this.captures++;
		else worker.ref();
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, {resolve: resolve as (value: unknown) => void, reject, onProgress, capture: request.type === 'capture'});
			worker.postMessage({...request, id} as BackgroundRequest);
		});
	}

	/** Requests in flight (for tests). */
	get busy(): number {
		return this.pending.size;
	}

	get running(): boolean {
		return this.worker !== undefined;
	}

	stop(): void {
		clearTimeout(this.idleTimer);
		const worker = this.worker;
		this.worker = undefined;
		void worker?.terminate();
		this.failAll(new SfsError('IO', 'the background worker was stopped'));
	}

	private start(): Worker {
		if (this.worker) return this.worker;
		const entry = workerEntry();
		if (!entry) throw new SfsError('IO', 'the TUI background worker is missing from the build', {hint: 'run npm run build'});
		// The worker's own stdout/stderr reach this process's streams, where the TUI diverts them to its status bar.
		// (Consuming them here instead would keep the process alive: a flowing worker stdio stream is ref'd.)
		const worker = new Worker(entry.file, {
			workerData: {env: {...this.env}},
			eval: entry.eval,
			execArgv: process.execArgv.filter(arg => !arg.startsWith('--input-type')),
			resourceLimits: {maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB},
		});
		worker.on('message', (reply: BackgroundReply) => {
			this.receive(reply);
		});
		// A stopped worker's exit comes after a new one may have started: only the current one's end fails requests.
		worker.on('error', error => {
			if (this.worker !== worker) return;
			this.worker = undefined;
			this.failAll(error instanceof Error ? error : new Error(String(error)));
		});
		worker.on('exit', code => {
			if (this.worker !== worker) return;
			this.worker = undefined;
			this.failAll(new SfsError('IO', `the TUI background worker exited with code ${code}`));
		});
		worker.once('online', keepHolding); // the worker's heap set-up put V8's growth factor back
		worker.unref(); // after the listeners (a 'message' listener refs the port); request() refs while answers are awaited
		this.worker = worker;
		return worker;
	}

	private receive(reply: BackgroundReply): void {
		keepHolding();
		const pending = this.pending.get(reply.id);
		if (!pending) return;
		if (reply.type === 'progress') {
			pending.onProgress?.(reply.progress);
			return;
		}

		this.pending.delete(reply.id);
		if (pending.capture) this.captures--;
		if (this.pending.size === this.captures) this.worker?.unref();
		if (reply.type === 'done') pending.resolve(reply.value);
		else pending.reject(new SfsError((reply.code ?? 'IO') as ConstructorParameters<typeof SfsError>[0], reply.message, reply.hint ? {hint: reply.hint} : undefined));
		if (this.pending.size === 0) {
			clearTimeout(this.idleTimer);
			this.idleTimer = setTimeout(() => {
				if (this.pending.size === 0) this.stop();
			}, this.idleMs);
			this.idleTimer.unref();
		}
	}

	private failAll(error: Error): void {
		const pending = [...this.pending.values()];
		this.pending.clear();
		this.captures = 0;
		for (const entry of pending) entry.reject(error);
	}
}
