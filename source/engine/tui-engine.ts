/**
 * The TUI's engine (views/engine-context.ts) over the real store, index, capture and resume.
 * Reads go to the index (fast, paginated by the views); capture runs in a worker thread; resume
 * writes through the writers; every mutation tells the views that sessions changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {
	CaptureProgress as TuiCaptureProgress,
	CaptureStatus,
	ExportFormat,
	FileDiff,
	LaunchSpec,
	ResumePlan as TuiResumePlan,
	SearchHit,
	SessionComparison,
	SessionFindingsView,
	SessionInsight,
	SessionRow,
	SourceLooked,
	TuiEngine,
} from '../views/engine-context.js';
import type {CaptureReport} from './capture.js';
import {SfsError} from './errors.js';
import {handoffActions, type HandoffEngine} from './handoff-actions.js';
import {type Engine, upsertManifest} from './open-engine.js';
import {listRows} from './list-rows.js';
import {expandHome} from './paths.js';
import {parseSearchQuery} from './search-query.js';
import {costsOf, findingsOf, insightOf, resumeLaunchOf, resumePlanOf} from './tui-background.js';
import {BackgroundWorker} from './tui-worker-client.js';
import type {WriterLoader} from './resume.js';
import type {Message, ResumeTarget} from './types.js';

export type TuiEngineOptions = {
	loadWriter: WriterLoader;
	/**
	 * Run capture, summaries, DLP findings, costs and resume conversions in the background worker thread
	 * (default true; tests of the TS sources mostly run them in-process). The worker loads the writers
	 * itself (adapters/writers.ts): `loadWriter` serves the in-process path.
	 */
	captureInWorker?: boolean;
	/** A daemon is capturing; the TUI only listens (attach mode). */
	attached?: boolean;
	/** The running daemon (attach mode): its events refresh the views, and capture requests go to it. */
	daemon?: AttachedDaemon;
	/**
	 * Look for a running daemon and attach to it (default true): at once (unless `daemon` is given), and
	 * then every `daemonLookoutMs` while not attached, so a daemon started after the TUI (or restarted after
	 * it stopped) is attached to as well. Until the first attempt ends (at most about a second), a capture
	 * request waits for it rather than start in-process.
	 */
	autoAttach?: boolean;
	/** How often, ms, a TUI that is not attached looks for a daemon that has started (default 2000). */
	daemonLookoutMs?: number;
};

/** How often a TUI that captures in-process checks whether a daemon has started: one failed open of its pid file. */
export const DAEMON_LOOKOUT_MS = 2000;

/** What the TUI needs from a running daemon (see engine/daemon/attach.ts). */
export type AttachedDaemon = {
	/** Asks the daemon for a full capture; resolves when it is done. */
	requestCapture(): Promise<void>;
	/** Sessions added or updated by the daemon; returns the unsubscribe function. */
	onSessionsChanged(listener: () => void): () => void;
	/** The daemon went away (stopped, killed): the TUI captures in-process again. Called at once if it is gone already. */
	onDetach(listener: () => void): void;
	/** Closes the connection (the TUI exits); no detach is reported. */
	close?(): void;
};

export function createTuiEngine(
	engine: Engine,
	options: TuiEngineOptions,
): TuiEngine & HandoffEngine & {lastCaptureReport(): CaptureReport | undefined; emitSessionsChanged(): void; stopBackground(): void; close(): void} {
	let state: CaptureStatus = options.attached ? 'attached' : 'idle';
	let daemon: AttachedDaemon | undefined;
	let running: Promise<void> | undefined;
	let lastReport: CaptureReport | undefined;
	const progressListeners = new Set<(progress: TuiCaptureProgress) => void>();
	const changeListeners = new Set<() => void>();
	const emitChanged = () => {
		for (const listener of changeListeners) listener();
	};

	const emitProgress = (progress: TuiCaptureProgress) => {
		for (const listener of progressListeners) listener(progress);
	};

	// One worker thread for capture and the slow per-session reads; started on first use, after the first frame.
	const background = options.captureInWorker === false ? undefined : new BackgroundWorker(engine.env);

	async function captureOnce(): Promise<void> {
		state = 'capturing';
		let sessionsChanged = 0;
		emitProgress({state, done: 0, total: 0, sessionsChanged, warnings: 0});
		// In-process, one report per session (sessionId when it changed); from the worker, batched (changed: how many since the last).
		const onProgress = (progress: {tool: string; done: number; total: number; sessionId?: string; changed?: number}) => {
			sessionsChanged += progress.changed ?? (progress.sessionId ? 1 : 0);
			emitProgress({state: 'capturing', done: progress.done, total: progress.total, currentTool: progress.tool, sessionsChanged, warnings: 0});
		};

		try {
			lastReport = background
				? await background.request<CaptureReport>({type: 'capture'}, progress => {
						onProgress(progress as Parameters<typeof onProgress>[0]);
					})
				: await (await import('./capture-run.js')).runCapture(engine, {onProgress});
			state = 'idle';
			const firstProblem = lastReport.skipped[0] ? `${lastReport.skipped[0].path}: ${lastReport.skipped[0].reason}` : null;
			emitProgress({state, done: 1, total: 1, sessionsChanged: lastReport.new + lastReport.updated, warnings: lastReport.warnings.length + lastReport.skipped.length, lastError: firstProblem});
			if (lastReport.new + lastReport.updated > 0) emitChanged();
		} catch (error) {
			state = 'idle';
			emitProgress({state, done: 0, total: 0, sessionsChanged, warnings: 0, lastError: error instanceof Error ? error.message : String(error)});
		}
	}

	const captureInProcess = async () => {
		running ??= captureOnce().finally(() => {
			running = undefined;
		});
		return running;
	};

	let closed = false;
	const lookoutEnabled = options.autoAttach !== false && !options.attached;
	let lookout: NodeJS.Timeout | undefined;
	let looking: Promise<void> | undefined;

	const attach = (found: AttachedDaemon, how: {late: boolean}) => {
		daemon = found;
		state = 'attached';
		stopLookout();
		// A burst of daemon events becomes one refresh (the views re-query the index on each).
		let refresh: NodeJS.Timeout | undefined;
		found.onSessionsChanged(() => {
			refresh ??= setTimeout(() => {
				refresh = undefined;
				emitChanged();
			}, 100);
		});
		found.onDetach(() => {
			if (daemon !== found) return;
			// A change it reported just before it went is still due: the catch-up capture below finds it captured already.
			const pending = refresh !== undefined;
			clearTimeout(refresh);
			refresh = undefined;
			daemon = undefined;
			state = 'idle';
			emitProgress({state, done: 0, total: 0, sessionsChanged: 0, warnings: 0, notice: closed ? undefined : 'The daemon stopped: capturing in-process again'});
			if (closed) return;
			if (pending) emitChanged();
			// What changed since the daemon's last capture (and, killed mid-capture, what it left) is caught up here.
			void captureInProcess();
			startLookout();
		});
		emitProgress({state, done: 0, total: 0, sessionsChanged: 0, warnings: 0, notice: how.late ? 'A daemon started: attached, it captures from now on' : undefined});
		// Events sent before this TUI listened (the daemon's first capture) are not replayed: read the index again.
		if (how.late) emitChanged();
	};

	/** One look for a daemon; attaches when one answers. An in-process capture already running finishes first. */
	const lookOnce = async (how: {late: boolean}) => {
		if (closed || daemon) return;
		const {attachToDaemon} = await import('./daemon/attach.js');
		const found = await attachToDaemon(engine, {unref: true});
		if (!found) return;
		// The running capture holds capture.lock (the daemon's captures wait on it): let it end rather than cut it off.
		while (running) await running.catch(() => undefined);
		if (closed || daemon) {
			found.close();
			return;
		}

		attach(found, how);
	};

	const look = async (how: {late: boolean}) => {
		looking ??= lookOnce(how)
			.catch(() => undefined)
			.finally(() => {
				looking = undefined;
			});
		return looking;
	};

	function startLookout() {
		if (!lookoutEnabled || closed || lookout) return;
		lookout = setInterval(() => void look({late: true}), options.daemonLookoutMs ?? DAEMON_LOOKOUT_MS);
		lookout.unref();
	}

	function stopLookout() {
		clearInterval(lookout);
		lookout = undefined;
	}

	let attaching: Promise<void> = Promise.resolve();
	if (options.daemon) attach(options.daemon, {late: false});
	else if (lookoutEnabled) {
		attaching = look({late: false});
		startLookout();
	}

	// Resume and diff code loads when first used, not before the first frame.
	const resume = async () => import('./resume.js');

	return {
		...handoffActions(engine, {onSessionsChanged: emitChanged}),
		async listSessions(query) {
			const viaIndex = () => engine.index.listSessions({tools: query?.tools, includeSubagents: query?.includeSubagents ?? true, limit: query?.limit, sort: 'updated'});
			let rows: Array<Omit<SessionRow, 'tool'> & {tool: string}>;
			try {
				rows = !query?.tools && (query?.includeSubagents ?? true) ? listRows(engine.index.path, {limit: query?.limit}) : viaIndex();
			} catch {
				rows = viaIndex(); // the lean reader could not open the file (locked, being replaced): the index's own query
			}

			for (const row of rows as SessionRow[]) {
				// Only forks and checkpoints have a lineage kind (read from their manifest); sub-agents are neither.
				if (row.parent_session_id && !row.is_subagent) Object.assign(row, lineageOf(engine, row.session_id, row.parent_session_id));
			}

			return rows as SessionRow[];
		},
		async getSession(sessionId) {
			const {manifest, messages} = engine.store.readSession(sessionId);
			return {manifest, messages};
		},
		async search(query, searchOptions) {
			const tools = searchOptions?.tools;
			const limit = searchOptions?.limit ?? 200;
			// Words of scripts without spaces are found by reading messages (seconds at a million): off the UI thread.
			const slow = background && parseSearchQuery(query).terms.some(term => term.substring);
			const hits = slow ? await background.request<SearchHit[]>({type: 'search', query, tools, limit}) : engine.index.search(query, {tools, limit});
			return hits.map(hit => ({...hit, position: Math.max(0, hit.position - 1)}) as SearchHit);
		},
		captureState: () => state,
		async capture() {
			await attaching;
			if (state === 'attached') {
				await daemon?.requestCapture().catch(() => undefined);
				return;
			}

			return captureInProcess();
		},
		onCaptureProgress(listener) {
			progressListeners.add(listener);
			return () => progressListeners.delete(listener);
		},
		onSessionsChanged(listener) {
			changeListeners.add(listener);
			return () => changeListeners.delete(listener);
		},
		// The conversion a plan or a launch makes takes seconds on a long session: in the worker, off the keys' thread.
		async planResume(sessionId, target, model, cwd): Promise<TuiResumePlan> {
			const job = {sessionId, target, model, cwd};
			return background ? background.request<TuiResumePlan>({type: 'resume-plan', ...job}) : resumePlanOf(engine, job, options.loadWriter);
		},
		async prepareLaunch(sessionId, target, model, cwd): Promise<LaunchSpec> {
			const job = {sessionId, target, model, cwd};
			const spec = background ? await background.request<LaunchSpec>({type: 'resume-launch', ...job}) : await resumeLaunchOf(engine, job, options.loadWriter);
			emitChanged();
			return spec;
		},
		async sessionFolder(sessionId) {
			const recorded = (await resume()).recordedCwd({manifest: engine.store.readManifest(sessionId), workspace: engine.store.readWorkspace(sessionId)}) ?? null;
			return {path: recorded, exists: recorded ? await isDirectory(recorded) : false};
		},
		async checkFolder(folder) {
			const absolute = path.resolve(expandHome(folder, engine.env));
			return {path: absolute, exists: await isDirectory(absolute)};
		},
		inTmux: () => Boolean(process.env.TMUX),
		async openInTmux(kind, spec) {
			const {execa} = await import('execa');
			const argv = (await resume()).tmuxCommand(kind === 'pane' ? 'split' : 'window', [spec.command, ...spec.args], spec.cwd);
			await execa(argv[0]!, argv.slice(1));
		},
		async setAlias(sessionId, alias) {
			if (alias) {
				const holders = engine.index.findByAlias(alias).filter(other => other !== sessionId);
				if (holders.length > 0) throw new SfsError('CONFLICT', `alias ${alias} is already used by ${holders[0]}`);
			}

			const manifest = engine.store.updateManifest(sessionId, current => {
				const {alias: _old, ...rest} = current.metadata ?? {};
				return {...current, metadata: alias ? {...rest, alias} : rest};
			});
			upsertManifest(engine, manifest);
			emitChanged();
		},
		async setTags(sessionId, tags) {
			const manifest = engine.store.updateManifest(sessionId, current => ({...current, tags: [...new Set(tags)].sort()}));
			upsertManifest(engine, manifest);
			emitChanged();
		},
		async fork(sessionId, atMsgId) {
			const manifest = engine.store.fork(sessionId, atMsgId);
			indexWhole(engine, manifest.session_id);
			emitChanged();
			return manifest.session_id;
		},
		async checkpoint(sessionId, name) {
			engine.store.checkpoint(sessionId, name);
			upsertManifest(engine, engine.store.readManifest(sessionId));
			const restored = engine.store.restoreCheckpoint(sessionId, name);
			indexWhole(engine, restored.session_id);
			emitChanged();
			return restored.session_id;
		},
		async exportSession(sessionId, format: ExportFormat, target) {
			const {manifest, messages} = engine.store.readSession(sessionId);
			const absolute = path.resolve(target);
			if (format === 'sfs') {
				const {exportSessionArchive} = await import('./archive.js');
				return (await exportSessionArchive(engine.store, sessionId, absolute)).path;
			}

			const {writeFileAtomic} = await import('./fs-atomic.js');
			if (format === 'json') writeFileAtomic(absolute, `${JSON.stringify({manifest, messages}, null, 2)}\n`);
			else {
				const {sessionToMarkdown} = await import('./markdown-export.js');
				writeFileAtomic(absolute, sessionToMarkdown(manifest, messages));
			}

			return absolute;
		},
		async deleteSession(sessionId) {
			const row = engine.index.getSession(sessionId);
			engine.store.delete(sessionId, {tool: row?.tool, native_id: row?.native_id});
			engine.index.removeSession(sessionId);
			emitChanged();
		},
		async diff(sessionId): Promise<FileDiff[]> {
			const {messages} = engine.store.readSession(sessionId);
			const {extractFileEdits} = await import('./file-edits.js');
			return extractFileEdits(messages).map(edit => ({
				path: edit.path,
				change: edit.action === 'created' ? 'created' : edit.action === 'deleted' ? 'deleted' : 'modified',
				unified: edit.unified,
				msg_id: edit.msg_id,
			}));
		},
		async compareSessions(a, b): Promise<SessionComparison> {
			// A missing session reads as no messages, which would show as "0 in common": say it is gone instead.
			for (const id of [a, b]) {
				if (!engine.store.exists(id)) throw new SfsError('NOT_FOUND', `session ${id} (${id === a ? 'the one it was forked from' : 'its fork'}) is no longer in the store`);
			}

			const left = engine.store.readMessages(a).messages;
			const right = engine.store.readMessages(b).messages;
			const leftIds = new Set(left.map(message => message.msg_id));
			const rightIds = new Set(right.map(message => message.msg_id));
			return {
				a,
				b,
				common: right.filter(message => leftIds.has(message.msg_id)).length,
				added: right.filter(message => !leftIds.has(message.msg_id)).map(summarize),
				removed: left.filter(message => !rightIds.has(message.msg_id)).map(summarize),
			};
		},
		async sourcesLooked(): Promise<SourceLooked[]> {
			const {plainAdapterContext, loadAdapters} = await import('./capture-run.js');
			const context = plainAdapterContext(engine.env);
			const looked: SourceLooked[] = [];
			for (const adapter of await loadAdapters()) {
				const roots = adapter.roots(context);
				const sessions = engine.index.listSessions({tools: [adapter.id], includeSubagents: true}).length;
				for (const root of roots) looked.push({tool: adapter.id, path: root, exists: fs.existsSync(root), sessions});
			}

			return looked;
		},
		async sessionInsight(sessionId) {
			return background ? background.request<SessionInsight>({type: 'insight', sessionId}) : insightOf(engine, sessionId);
		},
		async sessionFindings(sessionId) {
			return background ? background.request<SessionFindingsView>({type: 'findings', sessionId}) : findingsOf(engine, sessionId);
		},
		async sessionCosts(sessionIds) {
			return background ? background.request<Record<string, number | null>>({type: 'costs', sessionIds}) : costsOf(engine, sessionIds);
		},
		async rulesStatus(cwd) {
			const {rulesStatus} = await import('./rules/status.js');
			const status = rulesStatus(cwd);
			return {
				root: status.root,
				configured: status.configured,
				files: status.rules?.files ?? [],
				targets: status.targets.map(target => ({file: target.file, tools: [...target.tools], state: target.state, diff: target.diff, expected: target.expected, warning: target.warning})),
				check: status.check,
			};
		},
		async compileRules(cwd) {
			const {compileRules} = await import('./rules/compile.js');
			const {loadRules, repoRoot} = await import('./rules/canonical.js');
			const rules = loadRules(repoRoot(cwd));
			if (!rules) throw new SfsError('NOT_FOUND', 'this repository has no sfs rules', {hint: 'run sfs rules init'});
			return compileRules(rules, {}).written;
		},
		async rulesEditLaunch(cwd) {
			const {editorCommand} = await import('./rules/editor.js');
			const {loadRules, repoRoot, rulesDir} = await import('./rules/canonical.js');
			const root = repoRoot(cwd);
			const rules = loadRules(root);
			if (!rules) throw new SfsError('NOT_FOUND', 'this repository has no sfs rules', {hint: 'run sfs rules init'});
			const files = rules.files.map(file => path.join(rulesDir(root), file.name));
			const [command, ...args] = editorCommand(engine.env);
			return {command: command!, args: [...args, ...(files.length > 0 ? files : [rulesDir(root)])], cwd: root};
		},
		lastCaptureReport: () => lastReport,
		stopBackground: () => background?.stop(),
		/** Stops looking for a daemon and closes the connection to one (the TUI exits). */
		close() {
			closed = true;
			stopLookout();
			const attached = daemon;
			daemon = undefined;
			attached?.close?.();
		},
		emitSessionsChanged: emitChanged,
	};
}

async function isDirectory(candidate: string): Promise<boolean> {
	try {
		return (await fs.promises.stat(candidate)).isDirectory();
	} catch {
		return false;
	}
}

function lineageOf(engine: Engine, sessionId: string, parent: string | null): {lineage_kind: 'fork' | 'checkpoint' | null; checkpoint_name: string | null} {
	if (!parent) return {lineage_kind: null, checkpoint_name: null};
	try {
		const metadata = engine.store.readManifest(sessionId).metadata ?? {};
		if (metadata.checkpoint) return {lineage_kind: 'checkpoint', checkpoint_name: metadata.checkpoint.name};
		if (metadata.fork) return {lineage_kind: 'fork', checkpoint_name: null};
	} catch {}

	return {lineage_kind: null, checkpoint_name: null};
}

function indexWhole(engine: Engine, sessionId: string): void {
	const manifest = engine.store.readManifest(sessionId);
	const {messages} = engine.store.readMessages(sessionId);
	engine.index.transaction(() => {
		engine.index.removeSession(sessionId);
		engine.index.upsertSession(manifest);
		engine.index.addMessages(sessionId, messages, 1);
	});
}

function summarize(message: Message) {
	const text = message.content.map(block => (block.type === 'text' && typeof block.text === 'string' ? block.text : `[${block.type}]`)).join(' ');
	return {msg_id: message.msg_id, role: message.role, timestamp: message.timestamp, preview: text.replace(/\s+/g, ' ').slice(0, 160)};
}
