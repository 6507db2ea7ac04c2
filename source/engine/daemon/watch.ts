/**
 * Watches the sources' root directories with chokidar (native fs events, no polling). Only
 * directories are watched: changes to the files inside them arrive as the directory watch's raw
 * events, so 10,000 session files cost no watch handles of their own. A root that does not exist
 * yet is waited for with a plain fs.watch on its nearest existing ancestor, then watched.
 */
import fs from 'node:fs';
import path from 'node:path';
import {type FSWatcher, watch} from 'chokidar';
import type {ToolId} from '../types.js';

export type WatchedSource = {tool: ToolId; roots: string[]};

/** `file`: something changed at this path; `dir`: a directory appeared or vanished (look at everything under it). */
export type ChangeKind = 'file' | 'dir';

export type WatcherOptions = {
	onChange(tools: ToolId[], kind: ChangeKind, changedPath: string): void;
	onError(message: string): void;
	/** Subdirectory levels below a root (Codex: YYYY/MM/DD; Claude Code: project/session/subagents). */
	depth?: number;
};

export type RootStatus = {tool: ToolId; root: string; exists: boolean; watching: boolean};

export class SourceWatcher {
	private readonly sources: WatchedSource[];
	private readonly options: WatcherOptions;
	private watcher: FSWatcher | undefined;
	private readonly watchedRoots = new Set<string>();
	private readonly pending = new Set<string>();
	private readonly ancestorWatchers = new Map<string, fs.FSWatcher>();
	private closed = false;

	constructor(sources: WatchedSource[], options: WatcherOptions) {
		this.sources = sources;
		this.options = options;
	}

	async start(): Promise<void> {
		const roots = [...new Set(this.sources.flatMap(source => source.roots))];
		const present = roots.filter(root => isDirectory(root));
		for (const root of roots) if (!present.includes(root)) this.pending.add(root);
		this.watcher = watch([], {
			ignoreInitial: true,
			depth: this.options.depth ?? 5,
			// Files are not watched one by one (see the module comment); stats are undefined on the first, pre-stat call.
			ignored: (_file, stats) => stats !== undefined && !stats.isDirectory(),
		});
		this.watcher.on('raw', (_event, name, details) => {
			const directory = (details as {watchedPath?: string}).watchedPath;
			if (!directory || typeof name !== 'string' || name.length === 0) return;
			this.report('file', path.join(directory, name));
			if (this.watchedRoots.has(directory) && !isDirectory(directory)) this.waitAgain(directory);
		});
		this.watcher.on('addDir', directory => this.report('dir', directory));
		this.watcher.on('unlinkDir', directory => {
			this.report('dir', directory);
			if (this.watchedRoots.has(directory)) this.waitAgain(directory);
		});
		this.watcher.on('error', error => this.options.onError(`watcher: ${error instanceof Error ? error.message : String(error)}`));
		const ready = new Promise<void>(resolve => this.watcher!.once('ready', () => resolve()));
		if (present.length > 0) {
			this.watcher.add(present);
			for (const root of present) this.watchedRoots.add(root);
			await ready;
		}

		this.armAncestors();
	}

	status(): RootStatus[] {
		return this.sources.flatMap(source =>
			source.roots.map(root => ({tool: source.tool, root, exists: isDirectory(root), watching: this.watchedRoots.has(root)})),
		);
	}

	async close(): Promise<void> {
		this.closed = true;
		for (const watcher of this.ancestorWatchers.values()) watcher.close();
		this.ancestorWatchers.clear();
		await this.watcher?.close();
	}

	private report(kind: ChangeKind, changed: string): void {
		const tools = this.toolsFor(changed);
		if (tools.length > 0) this.options.onChange(tools, kind, changed);
	}

	private toolsFor(changed: string): ToolId[] {
		const tools = new Set<ToolId>();
		for (const source of this.sources) {
			if (source.roots.some(root => changed === root || changed.startsWith(root + path.sep))) tools.add(source.tool);
		}

		return [...tools];
	}

	/** Watches the nearest existing ancestor of each missing root (one fs.watch per distinct ancestor). */
	private armAncestors(): void {
		if (this.closed) return;
		const wanted = new Set<string>();
		for (const root of this.pending) {
			const ancestor = nearestExisting(root);
			if (ancestor) wanted.add(ancestor);
		}

		for (const [directory, watcher] of this.ancestorWatchers) {
			if (!wanted.has(directory)) {
				watcher.close();
				this.ancestorWatchers.delete(directory);
			}
		}

		let armedNew = false;
		for (const directory of wanted) {
			if (this.ancestorWatchers.has(directory)) continue;
			armedNew = true;
			try {
				const watcher = fs.watch(directory, {persistent: true}, () => this.checkPending());
				watcher.on('error', () => {
					watcher.close();
					this.ancestorWatchers.delete(directory);
				});
				this.ancestorWatchers.set(directory, watcher);
			} catch (error) {
				this.options.onError(`cannot watch ${directory}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}

		// The next level may have appeared between the last check and this watch (cp -r creates the
		// whole tree at once): look again now that the watch is in place, or that event is lost for good.
		if (armedNew) setImmediate(() => this.checkPending());
	}

	/** A watched root was removed (a tool reset, a user's rm -rf): wait for it to come back. */
	private waitAgain(root: string): void {
		if (!this.watchedRoots.has(root)) return;
		this.watchedRoots.delete(root);
		this.watcher?.unwatch(root);
		this.pending.add(root);
		this.armAncestors();
		this.checkPending(); // It may be back already.
	}

	private checkPending(): void {
		if (this.closed) return;
		let changed = false;
		for (const root of [...this.pending]) {
			if (!isDirectory(root)) continue;
			this.pending.delete(root);
			this.watchedRoots.add(root);
			this.watcher?.add(root);
			this.report('dir', root);
			changed = true;
		}

		// A level of the missing path appeared (or vanished): move the ancestor watches.
		if (changed || this.pending.size > 0) this.armAncestors();
	}
}

function isDirectory(candidate: string): boolean {
	try {
		return fs.statSync(candidate).isDirectory();
	} catch {
		return false;
	}
}

function nearestExisting(start: string): string | undefined {
	let current = path.dirname(start);
	for (;;) {
		if (isDirectory(current)) return current;
		const parent = path.dirname(current);
		if (parent === current) return undefined;
		current = parent;
	}
}
