/**
 * The `/` fuzzy filter over session rows. fuse.js alone takes 80–230 ms over 10,000 items (style §3.10),
 * too slow for a keystroke, so:
 * - the Fuse index over all rows is built once per row list (`Fuse.createIndex`), lazily;
 * - one- and two-character queries use a plain substring test over a prepared lowercase haystack
 *   (fuzzy scoring of one character is meaningless anyway);
 * - when the query grows (new query starts with the previous one), only the previous result is
 *   searched: a Fuse whose index holds only those rows' records (no re-indexing).
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

const FUSE_OPTIONS = {keys: KEYS, threshold: 0.34, ignoreLocation: true, includeScore: false, shouldSort: true};

/** Below this many candidates, a fresh Fuse over the narrowed set is cheap enough per keystroke. */
const NARROW_LIMIT = 10_000;

export class SessionFilter {
	private readonly docs: Doc[];
	private readonly haystacks: string[];
	private fullIndex: FuseIndex<Doc> | undefined;
	private fullFuse: Fuse<Doc> | undefined;
	private indexKeys: unknown[] = [];
	private recordByDoc: unknown[] = [];
	private lastQuery = '';
	private lastResult: number[] | undefined;

	constructor(readonly rows: readonly SessionRow[]) {
		this.docs = rows.map(row => ({
			title: row.title ?? '',
			alias: row.alias ?? '',
			project: projectName(row.cwd),
			tool: row.tool,
			prompt: (row.first_prompt ?? '').slice(0, 160),
			tags: row.tags.join(' '),
		}));
		this.haystacks = this.docs.map(doc => `${doc.alias}\n${doc.title}\n${doc.project}\n${doc.tool}\n${doc.tags}\n${doc.prompt}`.toLowerCase());
	}

	/**
	 * Indices into `rows` that match `query`, best first (substring queries keep row order).
	 * An empty query returns undefined (= no filter).
	 */
	match(query: string): number[] | undefined {
		const q = query.trim().toLowerCase();
		if (!q) {
			this.lastQuery = '';
			this.lastResult = undefined;
			return undefined;
		}

		const narrowing = this.lastResult !== undefined && this.lastQuery !== '' && q.startsWith(this.lastQuery);
		const candidates = narrowing ? this.lastResult! : undefined;
		let result: number[];
		if (q.length <= 2) {
			result = this.substring(q, candidates);
		} else if (candidates && candidates.length <= NARROW_LIMIT) {
			result = this.fuzzyWithin(q, candidates);
		} else {
			result = this.fuzzyAll(q);
		}

		this.lastQuery = q;
		this.lastResult = result;
		return result;
	}

	private substring(q: string, candidates: number[] | undefined): number[] {
		const out: number[] = [];
		if (candidates) {
			for (const index of candidates) {
				if (this.haystacks[index]!.includes(q)) {
					out.push(index);
				}
			}

			return out.sort((a, b) => a - b);
		}

		for (let index = 0; index < this.haystacks.length; index++) {
			if (this.haystacks[index]!.includes(q)) {
				out.push(index);
			}
		}

		return out;
	}

	/** Build the full Fuse index now (e.g. when the filter opens) instead of on the first fuzzy keystroke. */
	prepare(): void {
		if (!this.fullIndex) {
			this.fullIndex = Fuse.createIndex(KEYS, this.docs);
			this.fullFuse = new Fuse(this.docs, FUSE_OPTIONS, this.fullIndex);
			const {keys, records} = this.fullIndex.toJSON() as {keys: unknown[]; records: Array<{i: number}>};
			this.indexKeys = keys;
			this.recordByDoc = [];
			for (const record of records) {
				this.recordByDoc[record.i] = record;
			}
		}
	}

	/**
	 * Search only the candidates, reusing the records of the full index: a Fuse over the whole doc list
	 * with an index holding just the candidates' records, so refIndex stays the row index.
	 */
	private fuzzyWithin(q: string, candidates: number[]): number[] {
		this.prepare();
		const records = candidates.map(index => this.recordByDoc[index]).filter(Boolean);
		const index = Fuse.parseIndex<Doc>({keys: this.indexKeys, records} as Parameters<typeof Fuse.parseIndex>[0]);
		const fuse = new Fuse(this.docs, FUSE_OPTIONS, index);
		return fuse.search(q).map(hit => hit.refIndex);
	}

	private fuzzyAll(q: string): number[] {
		this.prepare();
		return this.fullFuse!.search(q).map(hit => hit.refIndex);
	}
}
