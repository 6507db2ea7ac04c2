/**
 * The daemon itself (`sfs daemon run`): one process that owns the pid file, watches every enabled
 * source, captures what changed through the same engine as `sfs capture`, and serves the socket.
 * Runs in the foreground; `sfs daemon start` launches it detached.
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {loadAdapters, plainAdapterContext} from '../capture-run.js';
import {capture as captureOnce, captureLockPath, type CaptureReport, oneLineError} from '../capture.js';
import {loadConfig} from '../config.js';
import {SfsError} from '../errors.js';
import {LockBusyError, readLockOwner, withLock} from '../lock.js';
import {type Engine, openEngine, rebuildEngineIndex} from '../open-engine.js';
import {ensureDir} from '../fs-atomic.js';
import {configPath, dataDir, type Env, indexPath} from '../paths.js';
import type {ToolId} from '../types.js';
import {AutoSync} from './autosync.js';
import {sessionFilter} from './changes.js';
import {DiscoverCache} from './discover-cache.js';
import {claimPidFile, logFilePath, releasePidFile, socketPath} from './files.js';
import {type DaemonLog, openRotatingLog} from './log.js';
import type {CaptureSummary, CaptureWaiting, DaemonRequest, DaemonStatus} from './protocol.js';
import {type CaptureOutcome, type ChangeBatch, CaptureScheduler, emptyBatch} from './scheduler.js';
import {DaemonServer} from './server.js';
import {SourceWatcher, type WatchedSource} from './watch.js';

export type RunDaemonOptions = {
	env: Env;
	/** Also write log lines here (a terminal in the foreground). */
	echo?: (line: string) => void;
	/** Debounce timings (tests may shorten them). */
	quietMs?: number;
	maxDelayMs?: number;
	/**
	 * How long one capture waits for another process's capture.lock before it is put off and tried again
	 * (default 5 s, or SFS_DAEMON_LOCK_WAIT_MS; tests shorten it).
	 */
	lockWaitMs?: number;
};

const DEFAULT_LOCK_WAIT_MS = 5000;
/** Back-off caps of a capture tried again: capture.lock held (its release wakes the retry sooner), or a failure. */
const LOCK_RETRY_CAP_MS = 30_000;
const ERROR_RETRY_CAP_MS = 60_000;
/**
 * Skipped sessions are looked at again 1, 2, 4, … s later until they are captured: up to a minute apart
 * when the reason passes by itself (the index or a lock busy, no space left), up to ten minutes apart
 * otherwise (a file that cannot be read until someone fixes it), so a lasting problem costs next to nothing.
 */
const TRANSIENT_SKIP = /database is (locked|busy)|SQLITE_BUSY|is held by process|\b(EBUSY|EAGAIN|EMFILE|ENFILE|ENOSPC|EDQUOT)\b|no space left/i;
const LASTING_SKIP_RETRY_CAP_MS = 10 * 60_000;

export function packageVersion(): string {
	try {
		const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json');
		return (JSON.parse(fs.readFileSync(file, 'utf8')) as {version?: string}).version ?? '0.0.0';
	} catch {
		return '0.0.0';
	}
}

/** Runs until SIGTERM/SIGINT/SIGHUP or a "stop" request; resolves with the exit code. */
export async function runDaemon(options: RunDaemonOptions): Promise<number> {
	const {env} = options;
	const claim = claimPidFile(env);
	if (!claim.claimed) throw new SfsError('CONFLICT', `the daemon is already running (pid ${claim.pid})`, {hint: 'see: sfs daemon status'});
	const log = openRotatingLog(logFilePath(env), {echo: options.echo});
	const daemon = new Daemon(env, log, options);
	try {
		await daemon.start();
	} catch (error) {
		log.write('error', `start failed: ${oneLineError(error)}`);
		await daemon.shutdown('start failed');
		throw error;
	}

	return daemon.finished;
}

class Daemon {
	readonly finished: Promise<number>;
	private finish!: (code: number) => void;
	private engine!: Engine;
	private indexIno: number | undefined;
	private watcher: SourceWatcher | undefined;
	private server: DaemonServer | undefined;
	private scheduler: CaptureScheduler;
	private sources: WatchedSource[] = [];
	private readonly startedAt = new Date();
	private knownIds = new Set<string>();
	private sessionsCaptured = 0;
	private captures = 0;
	private lastCapture: CaptureSummary | null = null;
	private readonly errors: Array<{at: string; message: string}> = [];
	private errorCount = 0;
	private stopping: Promise<void> | undefined;
	private retries = 0;
	private configWatcher: fs.FSWatcher | undefined;
	private readonly discovered = new DiscoverCache();
	private retryTimer: NodeJS.Timeout | undefined;
	private retryDueAt: number | undefined;
	private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
	private autosync: AutoSync | undefined;
	/** A capture that could not run and waits to be tried again. */
	private waiting: CaptureWaiting | undefined;
	/** Watches the run dir for capture.lock's release while a capture waits for it. */
	private lockWatch: fs.FSWatcher | undefined;
	private readonly lockWaitMs: number;
	/** Skipped sessions already logged (path and reason) while they are looked at again, so a retried skip is one line. */
	private readonly reportedSkips = new Set<string>();

	constructor(
		private readonly env: Env,
		private readonly log: DaemonLog,
		options: RunDaemonOptions,
	) {
		this.finished = new Promise(resolve => {
			this.finish = resolve;
		});
		this.scheduler = new CaptureScheduler(async batch => this.capture(batch), {quietMs: options.quietMs, maxDelayMs: options.maxDelayMs});
		const fromEnv = Number(env.SFS_DAEMON_LOCK_WAIT_MS);
		this.lockWaitMs = options.lockWaitMs ?? (env.SFS_DAEMON_LOCK_WAIT_MS && Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : DEFAULT_LOCK_WAIT_MS);
	}

	async start(): Promise<void> {
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
			const handler = () => void this.shutdown(signal);
			process.on(signal, handler);
			this.signalHandlers.push([signal, handler]);
		}

		this.openEngine();
		this.knownIds = new Set(this.engine.store.listIds());
		this.sources = await this.enabledSources();
		this.server = new DaemonServer(socketPath(this.env), async request => this.handle(request));
		await this.server.listen();
		await this.startWatcher();
		this.watchConfig();
		this.startAutoSync();
		const watching = this.watcher!.status().filter(root => root.watching);
		this.log.write('info', `started pid ${process.pid}: watching ${watching.length} director${watching.length === 1 ? 'y' : 'ies'} of ${new Set(watching.map(root => root.tool)).size} source(s); socket ${socketPath(this.env)}`);
		// Catch up with whatever changed while no daemon ran.
		void this.scheduler.requestFull(this.allTools());
	}

	private async enabledSources(): Promise<WatchedSource[]> {
		let disabled = new Set<string>();
		try {
			disabled = new Set(loadConfig(this.env).watchers?.disabled ?? []);
		} catch (error) {
			this.recordError(`config: ${oneLineError(error)}`);
		}

		const context = plainAdapterContext(this.env);
		return (await loadAdapters()).filter(adapter => !disabled.has(adapter.id)).map(adapter => ({tool: adapter.id, roots: adapter.roots(context)}));
	}

	private async startWatcher(): Promise<void> {
		this.watcher = new SourceWatcher(this.sources, {
			onChange: (tools, kind, changed) => this.scheduler.add(tools, kind, changed),
			onError: message => this.recordError(message),
		});
		await this.watcher.start();
	}

	/** `sfs watcher enable|disable` edits config.json: follow it without a restart. */
	private watchConfig(): void {
		const file = configPath(this.env);
		let timer: NodeJS.Timeout | undefined;
		try {
			ensureDir(path.dirname(file));
			this.configWatcher = fs.watch(path.dirname(file), (_event, name) => {
				if (name !== null && name !== path.basename(file)) return;
				if (timer) clearTimeout(timer);
				timer = setTimeout(() => {
					// A capture failed by a broken config.json is tried again at once when it is edited.
					if (this.waiting?.reason === 'error') this.scheduler.wake();
					void this.reloadSources();
				}, 200);
			});
			this.configWatcher.on('error', () => this.configWatcher?.close());
		} catch (error) {
			this.recordError(`cannot watch ${file}: ${oneLineError(error)}`);
		}
	}

	private async reloadSources(): Promise<void> {
		if (this.stopping) return;
		const next = await this.enabledSources();
		const before = new Set(this.allTools());
		if (next.length === before.size && next.every(source => before.has(source.tool))) return;
		const added = next.map(source => source.tool).filter(tool => !before.has(tool));
		await this.watcher?.close();
		this.sources = next;
		this.discovered.forget();
		await this.startWatcher();
		this.log.write('info', `sources changed: now watching ${this.allTools().join(', ') || 'nothing'}`);
		if (added.length > 0) void this.scheduler.requestFull(added);
	}

	async shutdown(reason: string): Promise<void> {
		this.stopping ??= (async () => {
			this.log.write('info', `stopping (${reason})`);
			for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
			if (this.retryTimer) clearTimeout(this.retryTimer);
			this.configWatcher?.close();
			this.stopWatchingLock();
			await this.watcher?.close().catch(() => {});
			await this.scheduler.stop();
			await this.autosync?.stop().catch(() => {});
			await this.server?.close().catch(() => {});
			try {
				this.engine?.close();
			} catch {}

			releasePidFile(this.env);
			this.log.write('info', 'stopped');
			this.finish(0);
		})();
		return this.stopping;
	}

	private allTools(): ToolId[] {
		return this.sources.map(source => source.tool);
	}

	private openEngine(): void {
		this.engine = openEngine({env: this.env, onNotice: line => this.log.write('info', line)});
		this.indexIno = inodeOf(indexPath(this.env));
	}

	/** Another process may have replaced index.db (`sfs index rebuild`): writes must go to the new file. */
	private ensureCurrentIndex(): void {
		const ino = inodeOf(indexPath(this.env));
		if (ino !== undefined && ino === this.indexIno) return;
		this.log.write('info', 'index.db was replaced or removed; reopening it');
		this.engine.close();
		this.openEngine();
	}

	private async capture(batch: ChangeBatch): Promise<CaptureOutcome> {
		const tools = batch.tools.size > 0 ? [...batch.tools] : this.allTools();
		let report: CaptureReport;
		try {
			this.ensureCurrentIndex();
			const roots = new Map(this.sources.map(source => [source.tool, source.roots]));
			report = await captureOnce({
				env: this.env,
				store: this.engine.store,
				index: this.engine.index,
				adapters: this.discovered.wrap(await loadAdapters(), batch, roots),
				config: loadConfig(this.env),
				tools,
				only: sessionFilter(batch),
				// The daemon keeps its own discovery (this.discovered); a journaled capture that skips discovery would leave it empty.
				journals: false,
				// Once put off for capture.lock, a try only looks: the lock's removal wakes the next one, so there is nothing to poll for.
				lockWaitMs: this.waiting?.reason === 'capture-lock' ? 0 : this.lockWaitMs,
			});
		} catch (error) {
			return this.putOff(error);
		}

		this.doneWaiting();
		this.captures++;
		this.lastCapture = {
			at: new Date().toISOString(),
			duration_ms: report.duration_ms,
			new: report.new,
			updated: report.updated,
			unchanged: report.unchanged,
			skipped: report.skipped.length,
			warnings: report.warnings.length,
			tools,
			kind: batch.full ? 'full' : 'changes',
		};
		this.sessionsCaptured += report.new + report.updated;
		this.reportSkipped(report);
		this.retryIfSkipped(batch, report);
		if (report.changed_sessions.length > 0 || batch.full) {
			this.log.write('info', `captured (${this.lastCapture.kind}, ${tools.join(',')}): ${report.new} new, ${report.updated} updated, ${report.unchanged} unchanged in ${report.duration_ms} ms`);
		}

		for (const warning of report.warnings.slice(0, 5)) this.log.write('warn', warning);
		for (const sessionId of report.changed_sessions) {
			const added = !this.knownIds.has(sessionId);
			this.knownIds.add(sessionId);
			this.server?.broadcast({event: added ? 'session-added' : 'session-updated', session_id: sessionId});
		}

		if (report.changed_sessions.length > 0) this.server?.broadcast({event: 'capture-done', new: report.new, updated: report.updated, duration_ms: report.duration_ms});
		if (report.changed_sessions.length > 0) this.autosync?.sessionsChanged();
	}

	/** Syncs with the team server when `sfs sync auto` is not off (see autosync.ts). */
	private startAutoSync(): void {
		this.autosync = new AutoSync({
			env: this.env,
			engine: () => this.engine,
			log: this.log,
			onPulled: (sessionId, created) => {
				this.knownIds.add(sessionId);
				this.server?.broadcast({event: created ? 'session-added' : 'session-updated', session_id: sessionId});
			},
		});
		this.autosync.start();
	}

	/**
	 * A capture that did not run (capture.lock held by a TUI or `sfs capture` doing a long cold capture,
	 * a broken config.json, the index busy past its timeout) is tried again with a growing delay, its
	 * changes kept in the scheduler's one pending batch. One log line says so, not one per try; a
	 * release of capture.lock (or an edit of config.json) wakes the retry at once.
	 */
	private putOff(error: unknown): {retryInMs: number} {
		const message = oneLineError(error);
		const reason = error instanceof LockBusyError ? 'capture-lock' : 'error';
		const previous = this.waiting;
		const attempts = previous?.reason === reason ? previous.attempts + 1 : 1;
		const retryInMs = Math.min(reason === 'capture-lock' ? LOCK_RETRY_CAP_MS : ERROR_RETRY_CAP_MS, 1000 * 2 ** (attempts - 1));
		const holder = error instanceof LockBusyError ? (error.holder ?? null) : null;
		this.waiting = {reason, since: previous?.since ?? new Date().toISOString(), attempts, next_try_at: null, holder_pid: holder, message};
		if (reason === 'capture-lock') {
			this.watchLockRelease();
			if (previous?.reason !== 'capture-lock') {
				this.log.write('warn', `capture waiting: another capture (pid ${holder ?? '?'}) holds capture.lock; what changed is captured when it ends`);
			}
		} else if (previous?.message !== message) {
			this.recordError(`capture failed: ${message}; trying again in ${Math.round(retryInMs / 1000)}s and until it works`);
		}

		return {retryInMs};
	}

	/** A capture ran: what it waited for is over (sessions it skipped are looked after by retryIfSkipped). */
	private doneWaiting(): void {
		const waited = this.waiting;
		if (!waited || waited.reason === 'skipped') return;
		this.waiting = undefined;
		this.stopWatchingLock();
		const seconds = Math.round((Date.now() - Date.parse(waited.since)) / 1000);
		this.log.write('info', waited.reason === 'capture-lock' ? `capture.lock is free again after ${seconds}s: capturing what waited` : `capture works again after ${waited.attempts} failed tr${waited.attempts === 1 ? 'y' : 'ies'} (${seconds}s)`);
	}

	private watchLockRelease(): void {
		if (this.lockWatch) return;
		const file = captureLockPath(this.env);
		try {
			// The lock is a file in the run dir; its removal is the signal (the back-off timer covers a holder killed with -9).
			this.lockWatch = fs.watch(path.dirname(file), (_event, name) => {
				if (name !== null && name !== path.basename(file)) return;
				if (!fs.existsSync(file)) this.scheduler.wake();
			});
			this.lockWatch.on('error', () => this.stopWatchingLock());
		} catch {
			// Without the watch, the back-off alone tries again.
		}
	}

	private stopWatchingLock(): void {
		this.lockWatch?.close();
		this.lockWatch = undefined;
	}

	/** Each skipped session once (per path and reason) while it is looked at again, not once per retry. */
	private reportSkipped(report: CaptureReport): void {
		for (const skipped of report.skipped) {
			const key = `${skipped.path}\u0000${skipped.reason}`;
			if (this.reportedSkips.has(key)) continue;
			this.reportedSkips.add(key);
			this.recordError(`skipped ${skipped.path}: ${skipped.reason}`);
		}
	}

	/**
	 * A session skipped now (a native file that vanished mid-read, the index busy, a store write that
	 * failed) would wait for its next change: look at it again with growing delays until it is captured.
	 * One retry is pending at a time; it covers only the skipped sessions' files when they are known.
	 */
	private retryIfSkipped(batch: ChangeBatch, report: CaptureReport): void {
		if (report.skipped.length === 0) {
			this.retries = 0;
			if (this.waiting?.reason === 'skipped' && !this.retryTimer) {
				this.log.write('info', `skipped session(s) captured on retry ${this.waiting.attempts}`);
				this.waiting = undefined;
				this.reportedSkips.clear();
			}

			return;
		}

		if (this.retryTimer) return;
		const transient = report.skipped.every(skipped => TRANSIENT_SKIP.test(skipped.reason));
		const delay = Math.min(transient ? ERROR_RETRY_CAP_MS : LASTING_SKIP_RETRY_CAP_MS, 1000 * 2 ** Math.min(this.retries++, 20));
		const previous = this.waiting;
		this.retryDueAt = Date.now() + delay;
		this.waiting = {
			reason: 'skipped',
			since: previous?.since ?? new Date().toISOString(),
			attempts: this.retries,
			next_try_at: null,
			holder_pid: null,
			message: `${report.skipped.length} session(s) skipped (first: ${report.skipped[0]!.reason})`,
		};
		const retry = this.skippedOnly(batch, report);
		this.retryTimer = setTimeout(() => {
			this.retryTimer = undefined;
			this.scheduler.addBatch(retry);
		}, delay);
	}

	/** A batch of the skipped sessions' native files, or the whole batch when a skip names no such file (a failed discovery, an index write). */
	private skippedOnly(batch: ChangeBatch, report: CaptureReport): ChangeBatch {
		const retry = emptyBatch();
		for (const skipped of report.skipped) {
			const source = this.sources.find(candidate => candidate.roots.some(root => skipped.path.startsWith(root + path.sep)));
			if (!source) return batch;
			retry.tools.add(source.tool);
			retry.files.add(skipped.path);
		}

		return retry;
	}

	private async handle(request: DaemonRequest): Promise<unknown> {
		switch (request.method) {
			case 'status': {
				return this.status();
			}

			case 'capture': {
				const tools = request.params?.tools?.filter(tool => this.allTools().includes(tool));
				await this.scheduler.requestFull(tools && tools.length > 0 ? tools : this.allTools());
				return this.lastCapture;
			}

			case 'rebuild-index': {
				const sessions = await withLock(captureLockPath(this.env), async () => {
					this.ensureCurrentIndex();
					return rebuildEngineIndex(this.engine, line => this.log.write('info', line));
				}, {what: 'a capture'});
				this.indexIno = inodeOf(indexPath(this.env));
				this.log.write('info', `index rebuilt: ${sessions} session(s)`);
				this.server?.broadcast({event: 'index-rebuilt', sessions});
				return {sessions};
			}

			case 'stop': {
				setImmediate(() => void this.shutdown('stop requested'));
				return {stopping: true};
			}

			default: {
				throw new Error(`unknown method ${JSON.stringify(request.method)}`);
			}
		}
	}

	private status(): DaemonStatus {
		const memory = process.memoryUsage();
		const cpu = process.cpuUsage();
		return {
			pid: process.pid,
			version: packageVersion(),
			started_at: this.startedAt.toISOString(),
			uptime_s: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
			socket: socketPath(this.env),
			log: this.log.file,
			data_dir: dataDir(this.env),
			watched: this.watcher?.status() ?? [],
			sessions_captured: this.sessionsCaptured,
			captures: this.captures,
			capturing: this.scheduler.busy,
			pending: this.scheduler.pending || this.retryTimer !== undefined,
			waiting: this.waitingStatus(),
			last_capture: this.lastCapture,
			sync: this.autosync?.status() ?? null,
			errors: {count: this.errorCount, recent: this.errors.slice(-10)},
			memory: {rss: memory.rss, heap_used: memory.heapUsed},
			cpu: {user_ms: Math.round(cpu.user / 1000), system_ms: Math.round(cpu.system / 1000)},
		};
	}

	private waitingStatus(): CaptureWaiting | null {
		if (!this.waiting) return null;
		const retryAt = this.waiting.reason === 'skipped' ? (this.retryTimer ? this.retryDueAt : undefined) : this.scheduler.retryAt;
		const holder = this.waiting.reason === 'capture-lock' ? (readLockOwner(captureLockPath(this.env)) ?? this.waiting.holder_pid) : null;
		return {...this.waiting, holder_pid: holder, next_try_at: retryAt === undefined || this.scheduler.busy ? null : new Date(retryAt).toISOString()};
	}

	private recordError(message: string): void {
		this.errorCount++;
		this.errors.push({at: new Date().toISOString(), message});
		if (this.errors.length > 50) this.errors.splice(0, this.errors.length - 50);
		this.log.write('error', message);
	}
}

function inodeOf(file: string): number | undefined {
	try {
		return fs.statSync(file).ino;
	} catch {
		return undefined;
	}
}
