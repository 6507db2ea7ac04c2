/**
 * Session costs for `sfs list --json` and the TUI: each session's own cost is computed from its messages
 * once and cached (in the cache dir, keyed by the messages.jsonl size and the price table), so listing
 * stays fast; a session's cost adds its sub-agents' costs. Capture fills the cache for the sessions it
 * creates (it holds their messages anyway: `CapturedCosts`), so the first listing after a cold capture of
 * thousands of sessions reads none of them; a session appended to since is priced again when listed.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {writeJsonAtomic} from '../fs-atomic.js';
import type {SessionRow} from '../index-db.js';
import type {Engine} from '../open-engine.js';
import {cacheDir, type Env} from '../paths.js';
import type {Manifest, Message} from '../types.js';
import {sessionCost, type UnpricedModel} from './cost.js';
import type {PriceTable} from './prices.js';

type Entry = {bytes: number; micro_usd: number; priced: boolean; unpriced_models: UnpricedModel[]};
type CacheFile = {table: string; sessions: Record<string, Entry>};

export type ListedCost = {cost_usd: number | null; unpriced_models: UnpricedModel[]};

export function tableFingerprint(table: PriceTable): string {
	return createHash('sha256').update(JSON.stringify({models: table.models, aliases: table.aliases})).digest('hex').slice(0, 16);
}

function cacheFile(env: Env): string {
	return path.join(cacheDir(env), 'insight-costs.json');
}

function entryOf(manifest: Manifest, messages: Message[], bytes: number, table: PriceTable): Entry {
	const report = sessionCost([{manifest, messages}], table);
	return {bytes, micro_usd: report.micro_usd, priced: report.cost_usd !== null, unpriced_models: report.unpriced_models};
}

function writeCache(file: string, cache: CacheFile): void {
	try {
		writeJsonAtomic(file, cache);
	} catch {
		// The cache only saves time; a read-only cache dir costs a recomputation next time.
		return;
	}

	const stamp = stampOf(file);
	memo = stamp === undefined ? undefined : {file, stamp, cache};
}

/** The costs of sessions capture wrote whole, saved into the cache in one write when capture ends. */
export class CapturedCosts {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly env: Env,
		private readonly table: PriceTable,
	) {}

	/** A session capture just created: `messages` are all it holds, `bytes` the size of its messages.jsonl. */
	add(manifest: Manifest, messages: Message[], bytes: number): void {
		this.entries.set(manifest.session_id, entryOf(manifest, messages, bytes, this.table));
	}

	save(): void {
		if (this.entries.size === 0) return;
		const file = cacheFile(this.env);
		const cache = readCache(file, tableFingerprint(this.table));
		for (const [id, entry] of this.entries) cache.sessions[id] = entry;
		this.entries.clear();
		writeCache(file, cache);
	}
}

/**
 * The cache file as last read or written by this process, while the file is as it left it: the TUI
 * prices its rows in batches, and each batch would otherwise parse the whole file again.
 */
let memo: {file: string; stamp: string; cache: CacheFile} | undefined;

function stampOf(file: string): string | undefined {
	try {
		const stat = fs.statSync(file);
		return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
	} catch {
		return undefined;
	}
}

function readCache(file: string, fingerprint: string): CacheFile {
	const stamp = stampOf(file);
	if (memo && memo.file === file && memo.stamp === stamp && memo.cache.table === fingerprint) return memo.cache;
	let cache: CacheFile = {table: fingerprint, sessions: {}};
	try {
		const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
		if (data.table === fingerprint && data.sessions && typeof data.sessions === 'object') cache = data;
	} catch {}

	if (stamp !== undefined) memo = {file, stamp, cache};
	return cache;
}

export function costsForRows(engine: Engine, rows: SessionRow[], table: PriceTable): Map<string, ListedCost> {
	const fingerprint = tableFingerprint(table);
	const file = cacheFile(engine.env);
	const cache = readCache(file, fingerprint);
	let changed = false;
	const own = (id: string): Entry | undefined => {
		const bytes = engine.store.messagesSize(id);
		const cached = cache.sessions[id];
		if (cached && cached.bytes === bytes) return cached;
		try {
			const entry = entryOf(engine.store.readManifest(id), engine.store.readMessages(id).messages, bytes, table);
			cache.sessions[id] = entry;
			changed = true;
			return entry;
		} catch {
			return undefined;
		}
	};

	const children = engine.index.subagentsOf(rows.map(row => row.session_id));

	const out = new Map<string, ListedCost>();
	for (const row of rows) {
		const entries = [row.session_id, ...(children.get(row.session_id) ?? [])].map(id => own(id)).filter((entry): entry is Entry => Boolean(entry));
		const micro = entries.reduce((sum, entry) => sum + entry.micro_usd, 0);
		const unpriced = new Map<string, UnpricedModel>();
		for (const entry of entries) {
			for (const model of entry.unpriced_models) {
				const known = unpriced.get(model.model);
				if (!known) unpriced.set(model.model, structuredClone(model));
				else {
					known.responses += model.responses;
					for (const key of Object.keys(known.tokens) as Array<keyof typeof known.tokens>) known.tokens[key] += model.tokens[key];
				}
			}
		}

		out.set(row.session_id, {cost_usd: entries.some(entry => entry.priced) ? Number((micro / 1e6).toFixed(6)) : null, unpriced_models: [...unpriced.values()]});
	}

	if (changed) writeCache(file, cache);

	return out;
}
