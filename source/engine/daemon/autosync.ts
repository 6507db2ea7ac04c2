/**
 * The daemon's autosync: when the sync mode (sfs sync auto) is not off and this machine is logged in
 * to a server, it runs the same sync as `sfs sync` a short while after captures that changed
 * sessions (debounced, and never later than `maxDelayMs` after the first of a burst), and on an
 * interval for what teammates' machines pushed. A failed run is one log line and is tried again
 * later with a growing delay; nothing here throws into the daemon.
 */
import fs from 'node:fs';
import path from 'node:path';
import {loadCredentials} from '../../sync/credentials.js';
import {loadState, statePath, syncDir} from '../../sync/state.js';
import {ensureDir} from '../fs-atomic.js';
import type {Engine} from '../open-engine.js';
import type {Env} from '../paths.js';
import type {DaemonLog} from './log.js';
import {errorLine} from '../errors.js';

export type AutoSyncStatus = {
	mode: string;
	server: string | null;
	/** A run is going on now. */
	running: boolean;
	/** Runs this daemon made (including failed ones). */
	runs: number;
	last_sync: {finished_at: string; pushed: number; pulled: number; merged: number; unchanged: number; failed: number; by: string} | null;
	last_error: {at: string; message: string} | null;
	next_at: string | null;
};

export type AutoSyncOptions = {
	env: Env;
	/** The daemon's engine at the time of a run (it may reopen the index between runs). */
	engine: () => Engine;
	log: DaemonLog;
	/** A session this run created or changed here (the daemon tells its subscribers). */
	onPulled?: (sessionId: string, created: boolean) => void;
	debounceMs?: number;
	maxDelayMs?: number;
	intervalMs?: number;
};

const DEFAULT_DEBOUNCE_MS = 5000;
const DEFAULT_MAX_DELAY_MS = 60_000;
const DEFAULT_INTERVAL_MS = 120_000;
const FIRST_RETRY_MS = 5000;

export class AutoSync {
	private timer: NodeJS.Timeout | undefined;
	private dueAt: number | undefined;
	private firstChangeAt: number | undefined;
	private running: Promise<void> | undefined;
	private again = false;
	private stopped = false;
	private runs = 0;
	private failures = 0;
	private lastSkip = '';
	private mode = 'off';
	private stateWatcher: fs.FSWatcher | undefined;
	private readonly abort = new AbortController();
	private readonly debounceMs: number;
	private readonly maxDelayMs: number;
	private readonly intervalMs: number;

	constructor(private readonly options: AutoSyncOptions) {
		const fromEnv = (name: string) => {
			const value = Number(options.env[name]);
			return Number.isFinite(value) && value > 0 ? value : undefined;
		};

		this.debounceMs = options.debounceMs ?? fromEnv('SFS_AUTOSYNC_DEBOUNCE_MS') ?? DEFAULT_DEBOUNCE_MS;
		this.maxDelayMs = options.maxDelayMs ?? Math.max(this.debounceMs, DEFAULT_MAX_DELAY_MS);
		this.intervalMs = options.intervalMs ?? fromEnv('SFS_AUTOSYNC_INTERVAL_MS') ?? DEFAULT_INTERVAL_MS;
	}

	/** The first run comes one debounce after start (catching up with what changed while no daemon ran). */
	start(): void {
		this.mode = loadState(this.options.env).mode;
		this.watchMode();
		this.schedule(this.debounceMs);
	}

	/** `sfs sync auto --mode …` takes effect at once, not at the next interval. */
	private watchMode(): void {
		try {
			const dir = syncDir(this.options.env);
			ensureDir(dir);
			this.stateWatcher = fs.watch(dir, (_event, name) => {
				if (name !== null && name !== path.basename(statePath(this.options.env))) return;
				const mode = loadState(this.options.env).mode;
				if (mode === this.mode) return;
				this.mode = mode;
				this.options.log.write('info', `autosync ${mode}`);
				if (mode !== 'off') this.schedule(this.debounceMs);
			});
			this.stateWatcher.on('error', () => this.stateWatcher?.close());
		} catch {
			// Without the watch, a new mode is picked up at the next interval.
		}
	}

	/** A capture changed sessions: sync soon (debounced). */
	sessionsChanged(): void {
		if (this.stopped) return;
		const now = Date.now();
		this.firstChangeAt ??= now;
		const latest = this.firstChangeAt + this.maxDelayMs;
		this.schedule(Math.max(0, Math.min(this.debounceMs, latest - now)), true);
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.stateWatcher?.close();
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.abort.abort();
		await this.running;
	}

	status(): AutoSyncStatus {
		const state = loadState(this.options.env);
		let server: string | null = null;
		try {
			server = loadCredentials(this.options.env)?.url ?? null;
		} catch {}

		const known = server ? state.servers[server] : undefined;
		const last = known?.last_sync;
		return {
			mode: state.mode,
			server,
			running: this.running !== undefined,
			runs: this.runs,
			last_sync: last ? {finished_at: last.finished_at, pushed: last.pushed, pulled: last.pulled, merged: last.merged, unchanged: last.unchanged, failed: last.failed, by: last.by} : null,
			last_error: known?.last_error ?? null,
			next_at: this.dueAt === undefined ? null : new Date(this.dueAt).toISOString(),
		};
	}

	/** Sets the next run `delayMs` from now; an earlier run already due stays (unless `replace`: debounce moves it). */
	private schedule(delayMs: number, replace = false): void {
		if (this.stopped) return;
		const at = Date.now() + delayMs;
		if (this.dueAt !== undefined && !replace && this.dueAt <= at) return;
		if (this.timer) clearTimeout(this.timer);
		this.dueAt = at;
		this.timer = setTimeout(() => this.fire(), delayMs);
		this.timer.unref?.();
	}

	private fire(): void {
		this.timer = undefined;
		this.dueAt = undefined;
		if (this.running) {
			this.again = true; // Changes during a run get a run of their own after it.
			return;
		}

		this.firstChangeAt = undefined;
		this.running = this.runOnce()
			.catch(() => {})
			.finally(() => {
				this.running = undefined;
				if (this.stopped) return;
				if (this.again) {
					this.again = false;
					this.schedule(this.debounceMs);
				}
			});
	}

	private async runOnce(): Promise<void> {
		const {log, env} = this.options;
		let retryIn = this.intervalMs;
		try {
			const mode = loadState(env).mode;
			const credentials = mode === 'off' ? undefined : loadCredentials(env);
			if (mode === 'off' || !credentials) {
				this.skipOnce(mode === 'off' ? 'off' : 'autosync is on but this machine is not logged in to a server (sfs auth login)');
				return;
			}

			this.lastSkip = '';
			const {dlpGate} = await import('../../sync/client.js');
			const {runSync} = await import('../../sync/sync-run.js');
			this.runs++;
			const report = await runSync({
				engine: this.options.engine(),
				credentials,
				gate: dlpGate({notify: line => log.write('warn', `autosync: ${line}`)}),
				by: 'daemon',
				lockWaitMs: 0,
				request: {attempts: 3, signal: this.abort.signal},
				progress: event => {
					if (event.kind === 'transfer' && (event.outcome === 'pulled' || event.outcome === 'merged')) this.options.onPulled?.(event.session_id, event.detail.startsWith('new here'));
				},
			});
			this.failures = report.failed > 0 ? this.failures + 1 : 0;
			const moved = report.pushed + report.pulled + report.merged + report.failed > 0;
			if (moved) {
				const first = report.failures[0];
				log.write(
					report.failed > 0 ? 'warn' : 'info',
					`autosync with ${report.server}: ${report.pushed} pushed, ${report.pulled} pulled, ${report.merged} merged, ${report.unchanged} unchanged, ${report.failed} failed${first ? ` (${first.direction} ${first.session_id}: ${first.reason})` : ''}`,
				);
			}

			if (report.failed > 0) retryIn = this.retryDelay();
		} catch (error) {
			if (this.stopped) return;
			const message = errorLine(error);
			if (/another sfs sync is held by/.test(message)) {
				retryIn = Math.min(this.intervalMs, FIRST_RETRY_MS); // `sfs sync` is running now: it does the work.
			} else {
				this.failures++;
				retryIn = this.retryDelay();
				log.write('error', `autosync failed: ${message}; trying again in ${(retryIn / 1000).toFixed(retryIn < 10_000 ? 1 : 0)}s`);
			}
		} finally {
			this.schedule(retryIn);
		}
	}

	private retryDelay(): number {
		return Math.min(this.intervalMs, FIRST_RETRY_MS * 2 ** Math.max(0, this.failures - 1));
	}

	/** Says why autosync does nothing once, not at every interval. */
	private skipOnce(reason: string): void {
		if (reason === this.lastSkip) return;
		this.lastSkip = reason;
		if (reason !== 'off') this.options.log.write('warn', reason);
	}
}
