/**
 * The `/` fuzzy filter over session rows, answering every keystroke on 10,000 rows within a frame.
 * fuse.js takes 80–500 ms per query over 10,000 rows with prompts (style §3.10; measured here too), so the
 * filter has two steps:
 * - `match()` (synchronous, each keystroke): a substring test over a prepared lowercase haystack per row,
 *   narrowing the previous result as the query grows, cached per query so backspace is instant;
 * - `refine()` (asynchronous, from 3 characters): fuse.js scores the candidates in slices, yielding to the
 *   event loop between slices so typing never waits; a newer keystroke aborts it. The Fuse index is built
 *   once per row list (also in slices, resumable) and each slice searches a view of its records, so
 *   nothing is re-indexed per keystroke. Candidates are the
 *   fuzzy result of the longest refined prefix (narrowing again), else every row. Its result (ranked, with
 *   typos: "websokt" finds "websocket") replaces the substring result when it lands.
 */
import Fuse, {type FuseIndex} from 'fuse.js';
import type {SessionRow} from './engine-context.js';
import {projectName} from './format.js';

type Doc = {title: string; alias: string; project: string; tool: string; prompt: string; tags: string};

const KEYS: Array<{name: keyof Doc; weight: number}> = [
	{name: 'alias', weight: 3},
	{name: 'title', weight: 3},
	{name: 'project', weight: 2},
	{name: 'tool', weight: 1},
	{name: 'tags', weight: 2},
	{name: 'prompt', weight: 1},
];

const FUSE_OPTIONS = {keys: KEYS, threshold: 0.34, ignoreLocation: true, shouldSort: true};

const PROMPT_CHARS = 120;
const CACHE_SIZE = 64;
/** Rows scored per slice of refine() (a few ms, so keys are read between slices). */
const SLICE = 100;
/** Docs indexed per slice of the one-time index build. */
const INDEX_SLICE = 500;

async function yieldToEventLoop(): Promise<void> {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

export class SessionFilter {
	private docs: Doc[] | undefined;
	private haystacks: string[] | undefined;
	private readonly cache = new Map<string, number[]>();
	private readonly ranked = new Set<string>();
	private lastQuery = '';
	/** The Fuse index over all docs, grown in slices by buildIndex(); record i belongs to row i. */
	private index: FuseIndex<Doc> | undefined;
	private indexKeys: unknown[] = [];

	constructor(readonly rows: readonly SessionRow[]) {}

	/** Build the per-row search text now (otherwise on the first query). Linear in rows, about 10 ms per 10,000. */
	prepare(): void {
		if (this.docs) {
			return;
		}

		this.docs = this.rows.map(row => ({
			title: row.title ?? '',
			alias: row.alias ?? '',
			project: projectName(row.cwd),
			tool: row.tool,
			prompt: (row.first_prompt ?? '').slice(0, PROMPT_CHARS),
			tags: row.tags.join(' '),
		}));
		this.haystacks = this.docs.map(doc => `${doc.alias}\n${doc.title}\n${doc.project}\n${doc.tool}\n${doc.tags}\n${doc.prompt}`.toLowerCase());
	}

	/**
	 * Indices into `rows` that match `query`: the ranked refine() result once it has run for this query,
	 * else substring hits in row order. An empty query returns undefined (no filter).
	 */
	match(query: string): number[] | undefined {
		const q = query.trim().toLowerCase();
		if (!q) {
			this.lastQuery = '';
			return undefined;
		}

		const cached = this.cache.get(q);
		if (cached) {
			this.lastQuery = q;
			return cached;
		}

		this.prepare();
		const previous = this.lastQuery && q.startsWith(this.lastQuery) ? this.cache.get(this.lastQuery) : undefined;
		// A fuzzy (ranked) previous result may hold rows without the substring: test against all rows then.
		const result = this.substring(q, previous && !this.ranked.has(this.lastQuery) ? previous : undefined);
		this.remember(q, result);
		this.lastQuery = q;
		return result;
	}

	/**
	 * Fuzzy-rank `query` with fuse.js in slices. Resolves with row indices (best first; substring hits Fuse
	 * did not score are kept at the end), or undefined when aborted or the query is too short.
	 */
	async refine(query: string, signal?: AbortSignal): Promise<number[] | undefined> {
		const q = query.trim().toLowerCase();
		if (q.length < 3) {
			return undefined;
		}

		if (this.ranked.has(q)) {
			return this.cache.get(q);
		}

		this.prepare();
		if (!(await this.buildIndex(signal))) {
			return undefined;
		}

		const records = (this.index!.toJSON() as {records: unknown[]}).records;
		const candidates = this.refinedPrefix(q) ?? undefined;
		const total = candidates ? candidates.length : records.length;
		const scored: Array<{index: number; score: number}> = [];
		for (let start = 0; start < total; start += SLICE) {
			// Yield first, so a burst of keystrokes aborts this before any work is spent on it.
			await yieldToEventLoop();
			if (signal?.aborted) {
				return undefined;
			}

			const slice = candidates ? candidates.slice(start, start + SLICE).map(index => records[index]) : records.slice(start, start + SLICE);
			const view = Fuse.parseIndex<Doc>({keys: this.indexKeys, records: slice} as Parameters<typeof Fuse.parseIndex>[0]);
			// refIndex is the record's row index, because the view searches the full doc list.
			for (const hit of new Fuse(this.docs!, {...FUSE_OPTIONS, includeScore: true}, view).search(q)) {
				scored.push({index: hit.refIndex, score: hit.score ?? 1});
			}
		}

		scored.sort((a, b) => a.score - b.score || a.index - b.index);
		const ranked = scored.map(hit => hit.index);
		const seen = new Set(ranked);
		for (const index of this.substring(q, undefined)) {
			if (!seen.has(index)) {
				ranked.push(index);
			}
		}

		this.remember(q, ranked);
		this.ranked.add(q);
		return ranked;
	}

	/** Grow the Fuse index to all docs, a slice per event-loop turn. False when aborted (progress is kept). */
	private async buildIndex(signal?: AbortSignal): Promise<boolean> {
		if (!this.index) {
			this.index = Fuse.createIndex<Doc>(KEYS, []);
			this.indexKeys = [...this.index.toJSON().keys];
		}

		while (this.index.size() < this.docs!.length) {
			await yieldToEventLoop();
			if (signal?.aborted) {
				return false;
			}

			const end = Math.min(this.docs!.length, this.index.size() + INDEX_SLICE);
			for (let index = this.index.size(); index < end; index++) {
				this.index.add(this.docs![index]!, index); // object docs always get a record, so record i is row i
			}
		}

		return true;
	}

	/** The fuzzy result of the longest refined prefix of q (3+ characters), as refine() candidates. */
	private refinedPrefix(q: string): number[] | undefined {
		for (let length = q.length - 1; length >= 3; length--) {
			const prefix = q.slice(0, length);
			if (this.ranked.has(prefix)) {
				// A fuzzy match of the longer query may lack the prefix exactly; add the substring hits too.
				const set = new Set(this.cache.get(prefix));
				for (const index of this.substring(q, undefined)) {
					set.add(index);
				}

				return [...set];
			}
		}

		return undefined;
	}

	/** True when the result for query is in relevance order (Fuse ran); else it is in row order. */
	isRanked(query: string): boolean {
		return this.ranked.has(query.trim().toLowerCase());
	}

	private remember(q: string, result: number[]): void {
		if (this.cache.size >= CACHE_SIZE) {
			const oldest = this.cache.keys().next().value!;
			this.cache.delete(oldest);
			this.ranked.delete(oldest);
		}

		this.cache.set(q, result);
	}

	private substring(q: string, candidates: number[] | undefined): number[] {
		const haystacks = this.haystacks!;
		const out: number[] = [];
		if (candidates) {
			for (const index of candidates) {
				if (haystacks[index]!.includes(q)) {
					out.push(index);
				}
			}

			return out.sort((a, b) => a - b);
		}

		for (let index = 0; index < haystacks.length; index++) {
			if (haystacks[index]!.includes(q)) {
				out.push(index);
			}
		}

		return out;
	}
}
