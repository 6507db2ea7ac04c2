/**
 * The daemon's memory of what each adapter's last full discovery found. An append to a session
 * file already known is then captured without listing the whole store again (with 10,000 sessions
 * a full discovery stats every file). Anything else (a new file, a directory event, a store of
 * fingerprinted sessions such as Cursor's databases, a known file that vanished) goes through the
 * adapter's own discovery.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Adapter, AdapterContext, NativeSession} from '../../adapters/types.js';
import type {ToolId} from '../types.js';
import type {ChangeBatch} from './scheduler.js';

type Known = {sessions: NativeSession[]; files: Set<string>; fingerprinted: boolean};

export class DiscoverCache {
	private readonly known = new Map<ToolId, Known>();

	/** Adapters for one capture: each discovers from memory when `batch` only touches files it knows. */
	wrap(adapters: Adapter[], batch: ChangeBatch, roots: Map<ToolId, string[]>): Adapter[] {
		return adapters.map(adapter => {
			const cached = this.known.get(adapter.id);
			const reuse = cached && !batch.full && this.onlyKnownFiles(cached, batch, roots.get(adapter.id) ?? []);
			let warnings: readonly string[] = [];
			const wrapped: Adapter = {
				id: adapter.id,
				name: adapter.name,
				roots: context => adapter.roots(context),
				read: async (request, context) => adapter.read(request, context),
				discover: async (context: AdapterContext) => {
					// The stats taken by that discovery are stale now: capture stats the files itself.
					if (reuse) return cached.sessions.map(({stats: _stats, ...session}) => session);
					const sessions = await adapter.discover(context);
					warnings = adapter.lastDiscoverWarnings ?? [];
					this.remember(adapter.id, sessions);
					return sessions;
				},
				get lastDiscoverWarnings() {
					return warnings;
				},
			};
			return wrapped;
		});
	}

	forget(): void {
		this.known.clear();
	}

	private remember(tool: ToolId, sessions: NativeSession[]): void {
		this.known.set(tool, {
			sessions,
			files: new Set(sessions.flatMap(session => session.files)),
			fingerprinted: sessions.some(session => session.fingerprint !== undefined),
		});
	}

	private onlyKnownFiles(cached: Known, batch: ChangeBatch, roots: string[]): boolean {
		if (cached.fingerprinted) return false;
		const under = (changed: string) => roots.some(root => changed === root || changed.startsWith(root + path.sep));
		for (const dir of batch.dirs) if (under(dir)) return false;
		// A known file that is gone (deleted, renamed by a rotation): the remembered discovery would have it read and fail.
		for (const file of batch.files) if (under(file) && (!cached.files.has(file) || !fs.existsSync(file))) return false;
		return true;
	}
}
