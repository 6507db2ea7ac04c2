/**
 * A discovery that would find what the last one found is not run again.
 *
 * While an adapter discovers, every folder and file stat it takes is written down (discover-fs.ts
 * `observeDiscoveryIn`). When that capture ended with every session it found settled (its saved row is
 * the one its files' stats give: nothing left to read), the observations are kept as the adapter's
 * journal (`capture:journal:<tool>`). The next capture takes the same stats; when every one is as it was
 * (and the roots, environment, exclude globs, tombstones and sfs build are the same), discovery would
 * list the same sessions with the same stats and capture would find each unchanged: the adapter's
 * sessions are counted as unchanged without discovering them. Any difference (an append changes a
 * file's size, a new session its folder's times) runs the adapter's discovery as before.
 *
 * Only adapters whose discovery looks at the disk solely through discover-fs are journaled (what Cursor
 * reads from a SQLite store is a function of the store's stat stamp, which discover-fs takes). A journal
 * is never kept from a discovery whose folders changed within the listing trust window, or that did not
 * stat every file of every session it returned (e.g. the daemon's reused discovery).
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {NO_FILE, type Observations, restat} from '../adapters/discover-fs.js';
import type {Adapter, AdapterContext, NativeSession} from '../adapters/types.js';
import type {SessionIndex} from './index-db.js';
import type {ToolId} from './types.js';

const PREFIX = 'capture:journal:';
/** The sessions a journaled discovery returned (without their stats), read only when a journal holds but for appended files. */
const NATIVES_PREFIX = 'capture:natives:';
/** Bumped when what a journal means changes. */
const JOURNAL_VERSION = 3;
/** Adapters whose discovery takes every look at the disk through discover-fs (so their observations are complete). */
const JOURNALED: ReadonlySet<ToolId> = new Set<ToolId>(['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp', 'cline', 'roo-code']);
/**
 * The environment variables discovery reads (the adapters and the paths.ts functions they call;
 * test/engine/capture-journal.test.ts holds the list to what that code reads). Exactly these: a wider
 * net (a pattern) made any unrelated variable, or a shell that lacks one, cost a full rediscovery.
 */
export const DISCOVERY_ENV = [
	'HOME',
	'SFS_HOME',
	'XDG_CONFIG_HOME',
	'XDG_DATA_HOME',
	'APPDATA',
	'CLAUDE_CONFIG_DIR',
	'CODEX_HOME',
	'COPILOT_HOME',
	'GEMINI_CLI_HOME',
	'CLINE_DIR',
	'CLINE_DATA_DIR',
	'CLINE_SESSION_DATA_DIR',
] as const;

/**
 * The variables of DISCOVERY_ENV that move a place away from where HOME alone puts it (all but HOME and
 * Windows' APPDATA): what a process started elsewhere (the daemon's service unit, an agent's MCP server)
 * must be given to find the same stores as this shell.
 */
export const PLACE_ENV = DISCOVERY_ENV.filter((name): name is Exclude<(typeof DISCOVERY_ENV)[number], 'HOME' | 'APPDATA'> => name !== 'HOME' && name !== 'APPDATA');

/**
 * A journal that held (`changed` empty), or that held but for files that grew or were rewritten in place
 * (same inode): then discovery would find the same sessions, with new stats for those files.
 */
export type JournalCheck = {unchanged: number; warnings: string[]; changed: Set<string>; observed: Observations};

let codeStamp: string | undefined;

/**
 * The build of the adapters (newest mtime in their folder, or of this file when bundled): a journal
 * kept by another build of sfs is not trusted, as its discovery may have found other things.
 */
function discoveryCodeStamp(): string {
	if (codeStamp !== undefined) return codeStamp;
	let newest = 0;
	try {
		const dir = fileURLToPath(new URL('../adapters/', import.meta.url));
		for (const name of fs.readdirSync(dir)) newest = Math.max(newest, fs.statSync(path.join(dir, name)).mtimeMs);
	} catch {
		try {
			newest = fs.statSync(fileURLToPath(import.meta.url)).mtimeMs;
		} catch {
			newest = -1;
		}
	}

	codeStamp = String(newest);
	return codeStamp;
}

export function tombstonesDigest(ids: Iterable<string>): string {
	const sorted = [...ids].sort();
	return sorted.length === 0 ? '' : createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16);
}

export class DiscoveryJournals {
	private readonly rows = new Map<string, string>();
	private readonly changed = new Map<string, string | undefined>();
	private readonly hits: ToolId[] = [];

	private constructor() {}

	static load(index: SessionIndex): DiscoveryJournals {
		const journals = new DiscoveryJournals();
		for (const {key, value} of index.metaByPrefix(PREFIX)) journals.rows.set(key.slice(PREFIX.length), value);
		return journals;
	}

	/** Whether `tool`'s discovery can be journaled at all. */
	static covers(tool: ToolId): boolean {
		return JOURNALED.has(tool);
	}

	/** What a journal is valid for: everything besides the disk that the discovery and the comparison depend on. */
	static key(adapter: Adapter, context: AdapterContext, scope: {exclude: string[]; tombstones: string}): string {
		const env = DISCOVERY_ENV.map(name => context.env[name] ?? null);
		return JSON.stringify([JOURNAL_VERSION, discoveryCodeStamp(), context.platform, context.home, adapter.roots(context), env, scope.exclude, scope.tombstones]);
	}

	/**
	 * The outcome of `tool`'s last discovery when every stat it took is as it was, or differs only for
	 * files that are still the same inode (`changed`, with `lines` updated to the stats taken now);
	 * undefined when discovery must run.
	 */
	check(tool: ToolId, key: string): JournalCheck | undefined {
		const journal = this.parse(tool);
		if (!journal || journal.key !== key) return undefined;
		const {observed} = journal;
		const changed = new Set<string>();
		for (let at = 0; at < observed.paths.length; at++) {
			const outcome = restat(observed, at);
			if (outcome === 'same') continue;
			// Only a file that is still the same file (an append, a rewrite in place) keeps what discovery found.
			if (outcome === 'other') return undefined;
			changed.add(observed.paths[at]!);
		}

		this.hits.push(tool);
		return {unchanged: journal.unchanged, warnings: journal.warnings, changed, observed};
	}

	/** A journal row: `[key, unchanged, warnings]`, the paths and the stamps, one JSON value a line. */
	private parse(tool: ToolId): {key: string; unchanged: number; warnings: string[]; observed: Observations} | undefined {
		const row = this.rows.get(tool);
		if (row === undefined) return undefined;
		const [headerLine, pathsLine, stampsLine] = row.split('\n');
		try {
			const header = JSON.parse(headerLine!) as unknown;
			const paths = JSON.parse(pathsLine!) as unknown;
			const stamps = JSON.parse(stampsLine!) as unknown;
			if (!Array.isArray(header) || typeof header[0] !== 'string' || typeof header[1] !== 'number' || !Array.isArray(header[2])) return undefined;
			if (!Array.isArray(paths) || !Array.isArray(stamps) || stamps.length !== paths.length * 4) return undefined;
			return {
				key: header[0],
				unchanged: header[1],
				warnings: header[2].filter((warning): warning is string => typeof warning === 'string'),
				observed: {paths: paths as string[], stamps: stamps as number[], trusted: true},
			};
		} catch {
			return undefined;
		}
	}

	/** The sessions `tool`'s journaled discovery returned (without stats); undefined when not kept or unreadable. */
	natives(index: SessionIndex, tool: ToolId): NativeSession[] | undefined {
		const natives = index.getMeta(`${NATIVES_PREFIX}${tool}`);
		return Array.isArray(natives) ? (natives as NativeSession[]) : undefined;
	}

	/**
	 * Keeps the journal of a discovery whose sessions all ended settled; `unchanged` is how many of them
	 * the next capture would count as unchanged. Returns whether it was kept (else the old one is dropped).
	 */
	record(tool: ToolId, key: string, observed: Observations, natives: NativeSession[], unchanged: number, warnings: readonly string[], sameNatives = false): boolean {
		const files = new Set(observed.paths.filter((_, at) => observed.stamps[at * 4]! >= NO_FILE));
		const complete = observed.trusted && observed.paths.length > 0 && natives.every(native => native.files.every(file => files.has(file)));
		if (!complete) {
			this.drop(tool);
			return false;
		}

		const row = `${JSON.stringify([key, unchanged, warnings])}\n${JSON.stringify(observed.paths)}\n${JSON.stringify(observed.stamps)}`;
		if (this.rows.get(tool) !== row) {
			this.rows.set(tool, row);
			this.changed.set(tool, row);
		}

		if (!sameNatives) this.changed.set(`${NATIVES_PREFIX}${tool}`, JSON.stringify(natives.map(({stats: _stats, mtimeMs: _mtime, ...native}) => native)));
		return true;
	}

	drop(tool: ToolId): void {
		if (!this.rows.has(tool)) return;
		this.rows.delete(tool);
		this.changed.set(tool, undefined);
		this.changed.set(`${NATIVES_PREFIX}${tool}`, undefined);
	}

	/** Every path the journals that held in this capture looked at (their folders count as met). */
	*hitPaths(): Generator<string> {
		for (const tool of this.hits) yield* this.parse(tool)?.observed.paths ?? [];
	}

	/** The meta writes that save what changed (written by capture with the others, in one transaction). */
	takeWrites(): Array<[string, string | undefined]> {
		const writes = [...this.changed].map(([tool, row]): [string, string | undefined] => [tool.startsWith(NATIVES_PREFIX) ? tool : `${PREFIX}${tool}`, row]);
		this.changed.clear();
		return writes;
	}
}
