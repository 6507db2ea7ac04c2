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
import {withLock} from '../lock.js';
import {type Engine, openEngine, rebuildEngineIndex} from '../open-engine.js';
import {ensureDir} from '../fs-atomic.js';
import {configPath, dataDir, type Env, indexPath} from '../paths.js';
import type {ToolId} from '../types.js';
import {AutoSync} from './autosync.js';
import {sessionFilter} from './changes.js';
import {DiscoverCache} from './discover-cache.js';
import {claimPidFile, logFilePath, releasePidFile, socketPath} from './files.js';
import {type DaemonLog, openRotatingLog} from './log.js';
import type {CaptureSummary, DaemonRequest, DaemonStatus} from './protocol.js';
import {type ChangeBatch, CaptureScheduler} from './scheduler.js';
import {DaemonServer} from './server.js';
import {SourceWatcher, type WatchedSource} from './watch.js';

export type RunDaemonOptions = {
	env: Env;
	/** Also write log lines here (a terminal in the foreground). */
	echo?: (line: string) => void;
	/** Debounce timings (tests may shorten them). */
	quietMs?: number;
	maxDelayMs?: number;
};

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
	private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
	private autosync: AutoSync | undefined;

	constructor(
		private readonly env: Env,
		private readonly log: DaemonLog,
		options: RunDaemonOptions,
	) {
		this.finished = new Promise(resolve => {
			this.finish = resolve;
		});
		this.scheduler = new CaptureScheduler(async batch => this.capture(batch), {quietMs: options.quietMs, maxDelayMs: options.maxDelayMs});
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
				timer = setTimeout(() => void this.reloadSources(), 200);
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

	private async capture(batch: ChangeBatch): Promise<void> {
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
			});
		} catch (error) {
			this.recordError(`capture failed: ${oneLineError(error)}`);
			return;
		}

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
		for (const skipped of report.skipped) this.recordError(`skipped ${skipped.path}: ${skipped.reason}`);
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
	 * A session skipped now (a file mid-rename, a temp dir cleared by another process) would wait for
	 * its next change: look at the same batch again, up to 3 times with growing delays.
	 */
	private retryIfSkipped(batch: ChangeBatch, report: CaptureReport): void {
		if (report.skipped.length === 0) {
			this.retries = 0;
			return;
		}

		if (this.retries >= 3 || this.retryTimer) return;
		const delay = 1000 * 2 ** this.retries++;
		this.retryTimer = setTimeout(() => {
			this.retryTimer = undefined;
			this.scheduler.addBatch(batch);
		}, delay);
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
			last_capture: this.lastCapture,
			sync: this.autosync?.status() ?? null,
			errors: {count: this.errorCount, recent: this.errors.slice(-10)},
			memory: {rss: memory.rss, heap_used: memory.heapUsed},
			cpu: {user_ms: Math.round(cpu.user / 1000), system_ms: Math.round(cpu.system / 1000)},
		};
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
