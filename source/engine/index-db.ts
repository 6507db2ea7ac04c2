/**
 * index.db: the derived SQLite index (session metadata + full-text search over message text).
 * The store is the truth; everything here can be deleted and rebuilt from it.
 *
 * FTS design (see docs/performance.md once the bench lands):
 * - `messages` holds one row per indexed message: ids, role, timestamp and a bounded text
 *   (index-text.ts: tool output cut to a 2 KB prefix, native records left out). Its rowid is
 *   `sid * 2^32 + position`, so a session's messages are one rowid range: no secondary index, and
 *   deleting a session is a range delete.
 * - `msg_fts` is a contentless FTS5 table (`content=''`, `contentless_delete=1`) with two columns:
 *   `body` (the bounded text) and `idparts` (camelCase identifiers split into words, computed at
 *   ingest and never stored). The text is stored once, in `messages`, for snippets; the FTS table
 *   holds only the inverted index. Snippets are cut in JS (search-snippet.ts) so that matches on
 *   identifier parts are marked as well.
 * - Tokenizer `unicode61 remove_diacritics 2`: splits at `_ / . - :` so paths and snake_case are
 *   phrases of their parts; `detail=full` because phrases are needed. `automerge=8` (default 4)
 *   halves bulk-insert time; rebuilds end with 'optimize'.
 * - Ranking: the newest SEARCH_CANDIDATE_LIMIT matches (all when fewer) are scored by
 *   search-rank.ts. FTS5's bm25 is not used (the `rank` set in the schema stays, unused): its IDF
 *   pass reads the whole posting list of every term, seconds for a common word at a million messages.
 * - No prefix index (`prefix=`): it cost +65–100 % insert time. Prefix terms are found by reading
 *   the newest candidates and testing them in JS (search-verify.ts) where that is cheaper than FTS5's
 *   merge of every matching word's posting list; see search().
 * - Measurements behind these choices: .notes/perf-search.md (to be merged into docs/performance.md).
 */
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type DatabaseModule from 'better-sqlite3';
import {SfsError} from './errors.js';
import {DIR_MODE, FILE_MODE} from './paths.js';
import {identifierParts, mayHoldGluedText, messageIndexText} from './index-text.js';
import {longestGluedRun, type ParsedQuery, parseSearchQuery, type QueryTerm, relaxedMatch, termExpression} from './search-query.js';
import {bestFirst, type Candidate, type CandidateStats, candidateStats, scoreStats, termIdf} from './search-rank.js';
import {buildSnippet} from './search-snippet.js';
import {type TermTest, termTest} from './search-verify.js';
import type {Manifest, Message} from './types.js';

// Required, not imported: an ESM import of this CommonJS package has Node parse all its files for
// named exports first, a few milliseconds of every `sfs search`.
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof DatabaseModule;
type Database = DatabaseModule.Database;

export const INDEX_SCHEMA_VERSION = 2;
/** Session keys and positions share one rowid: sid in the high bits, position in the low 32. */
const POSITION_SPAN = 2 ** 32;
/** Keeps sid * 2^32 + position below 2^53 (exact in a JS number). */
const MAX_SID = 2 ** 21 - 1;
const BODY_WEIGHT = 1;
const IDPARTS_WEIGHT = 0.5;
/**
 * Up to this many matches, hits are ranked by FTS5's bm25 over all of them. Past it (a common word
 * at a million messages), the most recently indexed matches are ranked by search-rank.ts instead,
 * which keeps a query within tens of milliseconds.
 */
export const SEARCH_CANDIDATE_LIMIT = 1000;
const REBUILD_BATCH_MESSAGES = 20_000;
const SCORING_PREFIX_CHARS = 2048;
const READER_MMAP_BYTES = 1024 * 1024 * 1024;
/**
 * A reader's page cache (KiB). Readers get their pages from the mmap; a large cache only made every
 * page a search touched a fresh allocation, and each first touch of fresh memory is a page fault
 * (a phrase of common words: ~2,000 faults fewer, ~5 ms less CPU per search at 1 MiB than at 32 MiB).
 */
const READER_CACHE_KIB = 1000;
/** Messages read per page while testing prefix terms in JS; the first page is smaller, to tell a rare prefix early. */
const SCAN_PAGE = 500;
const FIRST_SCAN_PAGE = 100;
/**
 * A query whose rarest words bound its matches to this many is answered by reading its matches
 * forwards (all of them) rather than newest first: FTS5 reads long posting lists backwards far slower.
 */
const FEW_MATCHES = 20_000;
/** A phrase's NEAR condition (see nearTestedMatches) that leaves more messages than this is not worth testing in JS. */
const NEAR_TEST_LIMIT = 2000;
const ASCII_TOKEN = /^[A-Za-z0-9]+$/;
/** Give up reading (and ask FTS5) when filling the candidate list would take more messages than this. */
const PREFIX_SCAN_BUDGET = 25_000;

export type SessionRow = {
	session_id: string;
	alias: string | null;
	title: string | null;
	tool: string;
	native_id: string | null;
	cwd: string | null;
	model: string | null;
	created_at: string;
	updated_at: string;
	message_count: number;
	input_tokens: number;
	output_tokens: number;
	tags: string[];
	parent_session_id: string | null;
	is_subagent: boolean;
	is_headless: boolean;
	first_prompt: string | null;
};

export type SearchHit = {
	session_id: string;
	msg_id: string;
	role: string;
	/** 1-based position in messages.jsonl. */
	position: number;
	/** Plain text; matched terms are wrapped in \u0001 … \u0002 (see stripMarks in search-snippet.ts). */
	snippet: string;
	/** Higher is better (-bm25). */
	score: number;
	timestamp: string | null;
};

export type ListSort = 'updated' | 'created' | 'messages' | 'tokens';

export type ListFilter = {
	tools?: string[];
	/** One tool; combined with `tools` when both are given. */
	tool?: string;
	/** Substring of the working directory (which also matches its basename). */
	project?: string;
	/** Sessions updated at or after this time. */
	since?: Date;
	/** Sessions created at or before this time. */
	until?: Date;
	tag?: string;
	/** Default false: sub-agent transcripts are hidden. */
	includeSubagents?: boolean;
	/** Default 'include'. */
	headless?: 'include' | 'exclude' | 'only';
	/** Default 'updated' (newest first); every sort is descending. */
	sort?: ListSort;
	limit?: number;
};

export type SearchOptions = {tools?: string[]; since?: Date; limit?: number; sessionId?: string};

export type IndexStats = {sessions: number; messages: number; bytes: number};

/**
 * What the search options allow: an id range (one session), tools, messages since a time; `contains`:
 * texts of which every match holds one (read only where messages are scanned, as a cheap first filter).
 */
type SearchScope = {ids?: [number, number]; tools?: string[]; sinceMs?: number; contains?: string[]};

export type StoredSession = {manifest: Manifest; messages: Message[]};

const SCHEMA = `
CREATE TABLE sessions (
	sid INTEGER PRIMARY KEY,
	session_id TEXT NOT NULL UNIQUE,
	listed INTEGER NOT NULL DEFAULT 0,
	alias TEXT,
	title TEXT,
	tool TEXT,
	native_id TEXT,
	cwd TEXT,
	model TEXT,
	created_at TEXT,
	updated_at TEXT,
	created_ms INTEGER,
	updated_ms INTEGER,
	message_count INTEGER NOT NULL DEFAULT 0,
	input_tokens INTEGER NOT NULL DEFAULT 0,
	output_tokens INTEGER NOT NULL DEFAULT 0,
	tags TEXT NOT NULL DEFAULT '[]',
	parent_session_id TEXT,
	is_subagent INTEGER NOT NULL DEFAULT 0,
	is_headless INTEGER NOT NULL DEFAULT 0,
	first_prompt TEXT
);
CREATE INDEX sessions_alias ON sessions(alias) WHERE alias IS NOT NULL;
CREATE INDEX sessions_native_id ON sessions(native_id) WHERE native_id IS NOT NULL;
CREATE INDEX sessions_updated ON sessions(updated_ms);
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	msg_id TEXT NOT NULL,
	role TEXT NOT NULL,
	ts TEXT,
	ts_ms INTEGER,
	body TEXT NOT NULL
);
CREATE VIRTUAL TABLE msg_fts USING fts5(
	body, idparts,
	content='', contentless_delete=1,
	tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO msg_fts(msg_fts, rank) VALUES('rank', 'bm25(${BODY_WEIGHT}, ${IDPARTS_WEIGHT})');
INSERT INTO msg_fts(msg_fts, rank) VALUES('automerge', 8);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * Migrations from version N-1 to N, applied in order by the first writer that opens an older index
 * (with the SQL functions migrationFunctions registers); an index from an unknown (older or newer)
 * schema is rejected and openIndexWithRepair rebuilds it.
 */
const MIGRATIONS: Record<number, string> = {
	// 2: ASCII words written against Chinese, Japanese, Korean or Thai text join the identifier parts
	// (index-text.ts): the messages that may hold such text are indexed again.
	2: `
CREATE TEMP TABLE sfs_glued AS SELECT id, body FROM messages WHERE sfs_maybe_glued(body);
DELETE FROM msg_fts WHERE rowid IN (SELECT id FROM sfs_glued);
INSERT INTO msg_fts (rowid, body, idparts) SELECT id, body, sfs_idparts(body) FROM sfs_glued;
DROP TABLE sfs_glued;
`,
};

/** The JS functions the migrations call. */
function migrationFunctions(db: Database): void {
	const text = (value: unknown): string => (typeof value === 'string' ? value : '');
	db.function('sfs_maybe_glued', {deterministic: true}, (body: unknown) => (mayHoldGluedText(text(body)) ? 1 : 0));
	db.function('sfs_idparts', {deterministic: true}, (body: unknown) => identifierParts(text(body)));
}

const SESSION_COLUMNS = `session_id, alias, title, tool, native_id, cwd, model, created_at, updated_at, message_count,
	input_tokens, output_tokens, tags, parent_session_id, is_subagent, is_headless, first_prompt`;

type RawSessionRow = Omit<SessionRow, 'tags' | 'is_subagent' | 'is_headless'> & {
	tags: string;
	is_subagent: number;
	is_headless: number;
};

export class SessionIndex {
	/** `cacheKib`: this connection's page cache in KiB (default: 32 MB for a writer, READER_CACHE_KIB for a reader). */
	static open(dbPath: string, options: {readonly?: boolean; cacheKib?: number} = {}): SessionIndex {
		const readonly = options.readonly === true;
		let db: Database | undefined;
		try {
			if (!readonly) ensurePrivateFile(dbPath);
			db = new Database(dbPath, {readonly, fileMustExist: readonly, timeout: 5000, nativeBinding: nativeBindingPath()});
			configure(db, readonly, options.cacheKib);
			ensureSchema(db, readonly, dbPath);
			return new SessionIndex(db, readonly, dbPath);
		} catch (error) {
			db?.close();
			throw toDbError(error, dbPath);
		}
	}

	readonly path: string;
	readonly readonly: boolean;
	private readonly db: Database;
	private readonly statements = new Map<string, DatabaseModule.Statement>();
	/** wordCount() of the search running now (FTS5 folds case, so the words' spelling is kept as typed). */
	private readonly wordCounts = new Map<string, number>();

	private constructor(db: Database, readonly: boolean, dbPath: string) {
		this.db = db;
		this.readonly = readonly;
		this.path = dbPath;
	}

	close(): void {
		if (this.db.open) this.db.close();
	}

	get isOpen(): boolean {
		return this.db.open;
	}

	/**
	 * Run `fn` in one IMMEDIATE transaction. Inside another transaction, `fn` simply joins it (no
	 * savepoint): FTS5 flushes its pending terms into a new segment at every savepoint, which makes
	 * many small segments and halves bulk-load speed. So an error inside rolls back the outer one too.
	 */
	transaction<T>(fn: () => T): T {
		this.assertWritable();
		if (this.db.inTransaction) return fn();
		return this.guard(() => this.db.transaction(fn).immediate());
	}

	/**
	 * A write transaction left open across many calls (capture commits many sessions in one): every
	 * transaction() joins it until commitBatch() or rollbackBatch(). One commit per session made FTS5
	 * flush its pending terms into a new segment per session, and the commits cost more than the inserts.
	 */
	beginBatch(): void {
		this.assertWritable();
		if (this.db.inTransaction) throw new SfsError('DB', 'beginBatch() inside a transaction');
		this.guard(() => this.db.exec('BEGIN IMMEDIATE'));
	}

	commitBatch(): void {
		if (this.db.inTransaction) this.guard(() => this.db.exec('COMMIT'));
	}

	rollbackBatch(): void {
		if (this.db.inTransaction) this.guard(() => this.db.exec('ROLLBACK'));
	}

	private inTransaction(fn: () => void): void {
		this.transaction(fn);
	}

	upsertSession(manifest: Manifest): void {
		this.assertWritable();
		const metadata = manifest.metadata ?? {};
		const createdAt = manifest.created_at;
		const updatedAt = manifest.updated_at ?? createdAt;
		const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
		const row = {
			session_id: manifest.session_id,
			alias: text(metadata.alias),
			title: text(manifest.title),
			tool: manifest.source?.tool ?? 'unknown',
			native_id: text(manifest.source?.original_session_id),
			cwd: text(metadata.cwd),
			model: text(manifest.model?.model_id),
			created_at: createdAt,
			updated_at: updatedAt,
			created_ms: timeMs(createdAt),
			updated_ms: timeMs(updatedAt),
			message_count: manifest.stats?.message_count ?? 0,
			input_tokens: manifest.stats?.total_input_tokens ?? 0,
			output_tokens: manifest.stats?.total_output_tokens ?? 0,
			tags: JSON.stringify(Array.isArray(manifest.tags) ? manifest.tags : []),
			parent_session_id: text(manifest.parent_session_id),
			is_subagent: metadata.subagent ? 1 : 0,
			is_headless: metadata.headless === true ? 1 : 0,
			first_prompt: text(metadata.first_prompt),
		};
		this.guard(() =>
			this.statement(`INSERT INTO sessions (session_id, listed, alias, title, tool, native_id, cwd, model, created_at,
				updated_at, created_ms, updated_ms, message_count, input_tokens, output_tokens, tags, parent_session_id,
				is_subagent, is_headless, first_prompt)
			VALUES (@session_id, 1, @alias, @title, @tool, @native_id, @cwd, @model, @created_at, @updated_at, @created_ms,
				@updated_ms, @message_count, @input_tokens, @output_tokens, @tags, @parent_session_id, @is_subagent,
				@is_headless, @first_prompt)
			ON CONFLICT(session_id) DO UPDATE SET listed = 1, alias = excluded.alias, title = excluded.title,
				tool = excluded.tool, native_id = excluded.native_id, cwd = excluded.cwd, model = excluded.model,
				created_at = excluded.created_at, updated_at = excluded.updated_at, created_ms = excluded.created_ms,
				updated_ms = excluded.updated_ms, message_count = excluded.message_count,
				input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, tags = excluded.tags,
				parent_session_id = excluded.parent_session_id, is_subagent = excluded.is_subagent,
				is_headless = excluded.is_headless, first_prompt = excluded.first_prompt`).run(row),
		);
	}

	/**
	 * Index messages. `startPosition` is the 1-based position of messages[0] in messages.jsonl.
	 * A position indexed before is replaced (re-adding is harmless).
	 */
	addMessages(sessionId: string, messages: Message[], startPosition: number): void {
		this.assertWritable();
		if (messages.length === 0) return;
		if (!Number.isInteger(startPosition) || startPosition < 1) {
			throw new SfsError('DB', `invalid message position ${startPosition} for ${sessionId}`);
		}

		const insertMessage = this.statement(
			'INSERT OR IGNORE INTO messages (id, msg_id, role, ts, ts_ms, body) VALUES (?, ?, ?, ?, ?, ?)',
		);
		const insertFts = this.statement('INSERT INTO msg_fts (rowid, body, idparts) VALUES (?, ?, ?)');
		this.inTransaction(() => {
			const base = this.sidFor(sessionId) * POSITION_SPAN;
			for (const [offset, message] of messages.entries()) {
				const id = base + startPosition + offset;
				const body = messageIndexText(message);
				const timestamp = typeof message.timestamp === 'string' ? message.timestamp : null;
				const values = [id, String(message.msg_id ?? ''), String(message.role ?? ''), timestamp, timeMs(timestamp), body];
				if (insertMessage.run(values).changes === 0) {
					this.deleteMessageRange(id, id);
					insertMessage.run(values);
				}

				insertFts.run(id, body, identifierParts(body));
			}
		});
	}

	removeSession(sessionId: string): void {
		this.assertWritable();
		this.inTransaction(() => {
			const row = this.statement('SELECT sid FROM sessions WHERE session_id = ?').get(sessionId) as {sid: number} | undefined;
			if (!row) return;
			const first = row.sid * POSITION_SPAN;
			this.deleteMessageRange(first, first + POSITION_SPAN - 1);
			this.statement('DELETE FROM sessions WHERE sid = ?').run(row.sid);
		});
	}

	/** The sub-agent sessions of the given parents (parent id → child ids), without listing every session. */
	subagentsOf(parentIds: string[]): Map<string, string[]> {
		const children = new Map<string, string[]>();
		if (parentIds.length === 0) return children;
		const rows = this.statement(
			'SELECT session_id, parent_session_id FROM sessions WHERE listed = 1 AND is_subagent = 1 AND parent_session_id IN (SELECT value FROM json_each(?)) ORDER BY session_id',
		).all(JSON.stringify(parentIds)) as Array<{session_id: string; parent_session_id: string}>;
		for (const row of rows) children.set(row.parent_session_id, [...(children.get(row.parent_session_id) ?? []), row.session_id]);
		return children;
	}

	listSessions(filter: ListFilter = {}): SessionRow[] {
		const where = ['listed = 1'];
		const params: unknown[] = [];
		const tools = [...(filter.tools ?? []), ...(filter.tool ? [filter.tool] : [])];
		if (tools.length > 0) {
			where.push(`tool IN (${tools.map(() => '?').join(', ')})`);
			params.push(...tools);
		}

		if (filter.project) {
			where.push("cwd LIKE ? ESCAPE '\\'");
			params.push(`%${escapeLike(filter.project)}%`);
		}

		if (filter.since) {
			where.push('updated_ms >= ?');
			params.push(filter.since.getTime());
		}

		if (filter.until) {
			where.push('created_ms <= ?');
			params.push(filter.until.getTime());
		}

		if (filter.tag) {
			where.push('EXISTS (SELECT 1 FROM json_each(sessions.tags) WHERE json_each.value = ?)');
			params.push(filter.tag);
		}

		if (!filter.includeSubagents) where.push('is_subagent = 0');
		if (filter.headless === 'exclude') where.push('is_headless = 0');
		if (filter.headless === 'only') where.push('is_headless = 1');
		const order = {
			updated: 'updated_ms DESC',
			created: 'created_ms DESC',
			messages: 'message_count DESC',
			tokens: '(input_tokens + output_tokens) DESC',
		}[filter.sort ?? 'updated'];
		if (!order) throw new SfsError('USAGE', `unknown sort "${String(filter.sort)}"`, {hint: 'use updated, created, messages or tokens'});
		let sql = `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${where.join(' AND ')} ORDER BY ${order}, session_id`;
		if (filter.limit !== undefined && filter.limit >= 0) {
			sql += ' LIMIT ?';
			params.push(Math.floor(filter.limit));
		}

		const rows = this.guard(() => this.statement(sql).all(...params) as RawSessionRow[]);
		return rows.map(row => toSessionRow(row));
	}

	getSession(sessionId: string): SessionRow | undefined {
		const row = this.guard(
			() =>
				this.statement(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id = ? AND listed = 1`).get(sessionId) as
					| RawSessionRow
					| undefined,
		);
		return row ? toSessionRow(row) : undefined;
	}

	findByAlias(alias: string): string[] {
		return this.sessionIds('SELECT session_id FROM sessions WHERE alias = ? AND listed = 1 ORDER BY session_id', alias);
	}

	findByNativeId(nativeId: string): string[] {
		return this.sessionIds('SELECT session_id FROM sessions WHERE native_id = ? AND listed = 1 ORDER BY session_id', nativeId);
	}

	findByIdPrefix(prefix: string): string[] {
		if (prefix.length === 0) return [];
		return this.sessionIds(
			'SELECT session_id FROM sessions WHERE session_id >= ? AND session_id < ? AND listed = 1 ORDER BY session_id',
			prefix,
			`${prefix}\uFFFF`,
		);
	}

	/**
	 * Best first. Input is user text, never FTS syntax (see search-query.ts); nothing searchable gives [].
	 *
	 * The newest SEARCH_CANDIDATE_LIMIT matches (all of them when there are fewer) are ranked by
	 * search-rank.ts. FTS5's bm25 is not used: its IDF pass reads the whole posting list of every
	 * term, seconds for a common word at a million messages, even when only a few rows are ranked.
	 */
	search(query: string, options: SearchOptions = {}): SearchHit[] {
		const parsed = parseSearchQuery(query);
		if (!parsed.match) return [];
		const limit = Math.max(0, Math.floor(options.limit ?? 20));
		if (limit === 0) return [];
		const scope = this.searchScope(options);
		if (!scope) return [];
		this.wordCounts.clear();
		let candidates: CandidateStats[];
		let weights: number[] | undefined;
		try {
			candidates = this.searchCandidates(parsed, scope);
			weights = candidates.length > 1 ? this.termWeights(parsed) : undefined;
		} catch (error) {
			// The expression is built from quoted strings only; should FTS5 still refuse it, that is "no hits".
			if (isFtsSyntaxError(error)) return [];
			throw toDbError(error, this.path);
		}

		const ranked = bestFirst(
			candidates.map(candidate => candidate.id),
			scoreStats(candidates, weights),
			limit,
		);

		type Row = {id: number; msg_id: string; role: string; ts: string | null; body: string; session_id: string};
		const details = new Map<number, Row>();
		const rows = this.guard(
			() =>
				this.statement(`SELECT m.id, m.msg_id, m.role, m.ts, m.body, s.session_id FROM messages m
					JOIN sessions s ON s.sid = (m.id >> 32) WHERE m.id IN (SELECT value FROM json_each(?))`).all(
					JSON.stringify(ranked.map(hit => hit.id)),
				) as Row[],
		);
		for (const row of rows) details.set(row.id, row);
		return ranked.flatMap(hit => {
			const row = details.get(hit.id);
			if (!row) return [];
			return [
				{
					session_id: row.session_id,
					msg_id: row.msg_id,
					role: row.role,
					position: row.id % POSITION_SPAN,
					snippet: buildSnippet(row.body, parsed.terms),
					score: hit.score,
					timestamp: row.ts,
				},
			];
		});
	}

	/** The options as conditions on message ids (and times); undefined when nothing can match. */
	private searchScope(options: SearchOptions): SearchScope | undefined {
		const scope: SearchScope = {};
		if (options.sessionId !== undefined) {
			const row = this.statement('SELECT sid FROM sessions WHERE session_id = ?').get(options.sessionId) as {sid: number} | undefined;
			if (!row) return undefined;
			scope.ids = [row.sid * POSITION_SPAN, row.sid * POSITION_SPAN + POSITION_SPAN - 1];
		}

		if (options.tools && options.tools.length > 0) scope.tools = options.tools;
		if (options.since) scope.sinceMs = options.since.getTime();
		return scope;
	}

	/**
	 * The newest matches, at most SEARCH_CANDIDATE_LIMIT, newest first, each with a prefix of its text.
	 * Prefix terms are found without FTS5's prefix merge where that is cheaper (see search-verify.ts):
	 * first the newest messages matching the other terms are read and tested, for as long as the
	 * matches found so far promise to fill the list soon; else FTS5 is asked, with short trailing
	 * prefixes of several-word terms left out (then tested here too).
	 */
	private searchCandidates(parsed: ParsedQuery, scope: SearchScope): CandidateStats[] {
		const wanted = SEARCH_CANDIDATE_LIMIT;
		const {terms} = parsed;
		if (terms.some(term => term.substring)) return this.substringMatches(terms, scope, wanted);

		const prefixTerms = terms.filter(term => term.prefix);
		if (prefixTerms.length === 0) {
			if (this.hasFewMatches(parsed)) return this.nearTestedMatches(parsed, scope, wanted) ?? this.fewNewestMatches(parsed.match, scope, terms, wanted);
			return this.scanMatches(parsed.match, scope, [], terms, wanted, Number.POSITIVE_INFINITY).found;
		}

		const tests = prefixTerms.map(term => termTest(term));
		const others = terms.filter(term => !term.prefix).map(term => termExpression(term)).join(' AND ');
		const first = this.scanMatches(others, scope, tests, terms, wanted, PREFIX_SCAN_BUDGET);
		if (first.complete) return first.found;
		const relaxed = relaxedMatch(parsed);
		if (relaxed === parsed.match) return this.scanMatches(parsed.match, scope, [], terms, wanted, Number.POSITIVE_INFINITY).found;
		return this.scanMatches(relaxed, scope, tests, terms, wanted, Number.POSITIVE_INFINITY).found;
	}

	/**
	 * The newest matches of a query with substring terms (scripts written without spaces), which FTS5
	 * cannot find: when its other words bound it to few messages, those are read and tested; else the
	 * messages themselves are read newest first and every term tested (FTS5 walking a common word's
	 * matches newest first is far slower than reading the messages: a minute against seconds at a
	 * million messages).
	 */
	private substringMatches(terms: QueryTerm[], scope: SearchScope, wanted: number): CandidateStats[] {
		const indexed = terms.filter(term => !term.substring && !term.prefix);
		if (indexed.length > 0 && this.hasFewMatches({terms: indexed, match: ''}, true)) {
			const tests = terms.filter(term => term.substring || term.prefix).map(term => termTest(term));
			const {sql, params} = matchIdsQuery(indexed.map(term => termExpression(term)).join(' AND '), scope);
			const ids = (this.statement(`${sql} ORDER BY f.rowid ASC`).pluck().all(...params) as number[]).reverse();
			const found: CandidateStats[] = [];
			for (let start = 0; start < ids.length && found.length < wanted; start += wanted) {
				for (const row of this.textsOf(ids.slice(start, start + wanted), scope, true)) {
					if (!tests.every(test => test(row.body))) continue;
					found.push(candidateStats(row.id, firstCharacters(row.body, SCORING_PREFIX_CHARS), terms));
					if (found.length === wanted) break;
				}
			}

			return found;
		}

		// SQLite's instr() drops most messages before they become JS strings (~5 × faster at a million).
		const narrowed = {...scope, contains: longestGluedRun(terms)};
		return this.scanMatches('', narrowed, terms.map(term => termTest(term)), terms, wanted, Number.POSITIVE_INFINITY).found;
	}

	/**
	 * Messages matching `match` (all messages when it is empty) and passing every test, newest first,
	 * until `wanted` are found, the matches run out (complete), or the scan would pass `budget` messages
	 * read (incomplete: it stops early when the rate of matches so far says it would).
	 */
	private scanMatches(
		match: string,
		scope: SearchScope,
		tests: TermTest[],
		terms: QueryTerm[],
		wanted: number,
		budget: number,
	): {found: CandidateStats[]; complete: boolean} {
		const found: CandidateStats[] = [];
		const full = tests.length > 0;
		let before = Number.MAX_SAFE_INTEGER;
		let scanned = 0;
		for (;;) {
			const page = full ? (scanned === 0 ? FIRST_SCAN_PAGE : SCAN_PAGE) : wanted + 1 - found.length;
			// A page of messages to test is read in parts, each as large as the rate of matches so far says
			// will fill the list: the last page stops near where the list fills instead of reading all of it
			// (`the*`, `you*`: ~350 of ~2,000 messages fewer). Where a page ends (the budget check) is unchanged.
			for (let left = page; left > 0; ) {
				const part = full ? scanPart(left, wanted + 1 - found.length, found.length, scanned) : left;
				const take = (id: number, body: string): boolean => {
					if (!tests.every(test => test(body))) return true;
					found.push(candidateStats(id, full && body.length > SCORING_PREFIX_CHARS ? body.slice(0, SCORING_PREFIX_CHARS) : body, terms));
					return found.length <= wanted;
				};
				const read = match ? this.matchPage(match, scope, before, part, full, take) : this.messagePage(scope, before, part, full, take);
				if (found.length > wanted) return {found: found.slice(0, wanted), complete: true};
				scanned += read.texts;
				if (read.count < part) return {found, complete: true};
				before = read.last;
				left -= read.count;
			}

			// At the rate found so far, how many messages would it take to fill the list?
			const needed = ((wanted + 1 - found.length) * scanned) / Math.max(found.length, 1);
			if (scanned + needed > budget) return {found, complete: false};
		}
	}

	/**
	 * One page of FTS matches below id `before`, newest first: each with its text to `take`, which
	 * returns false to stop. `count`: matches read; `texts`: those handed over (a message with no row
	 * or, with a time limit, too old, is not); `last`: the last match's id.
	 */
	private matchPage(match: string, scope: SearchScope, before: number, page: number, full: boolean, take: TakeRow): PageRead {
		const {sql, params} = matchIdsQuery(match, scope);
		if (scope.sinceMs === undefined) {
			// Ids and texts in one statement (~2 ms less for 1,001 matches spread over the index than two
			// statements and a JSON list of ids); the LEFT JOIN keeps FTS5 the outer loop, newest first.
			const text = full ? 'm.body' : `substr(m.body, 1, ${SCORING_PREFIX_CHARS})`;
			const joined = sql.replace(MATCH_IDS_SELECT, `SELECT f.rowid AS id, ${text} AS body FROM msg_fts f LEFT JOIN messages m ON m.id = f.rowid WHERE`);
			const rows = this.statement(`${joined} AND f.rowid < ? ORDER BY f.rowid DESC LIMIT ?`).iterate(...params, before, page) as Iterable<{id: number; body: string | null}>;
			return readRows(rows, before, take);
		}

		const ids = this.statement(`${sql} AND f.rowid < ? ORDER BY f.rowid DESC LIMIT ?`)
			.pluck()
			.all(...params, before, page) as number[];
		let texts = 0;
		for (const row of this.textsOf(ids, scope, full)) {
			texts++;
			if (!take(row.id, row.body)) break;
		}

		return {count: ids.length, texts, last: ids.at(-1) ?? before};
	}

	/**
	 * Texts of these messages, in the order given, leaving out those before `scope.sinceMs`. Fetched
	 * apart from the FTS query: joined in one statement, SQLite may walk the messages table and probe
	 * FTS5 per row.
	 */
	private textsOf(ids: number[], scope: SearchScope, full: boolean): Candidate[] {
		const text = full ? 'body' : `substr(body, 1, ${SCORING_PREFIX_CHARS})`;
		const since = scope.sinceMs === undefined ? '' : ' AND ts_ms >= ?';
		const texts = this.statement(`SELECT id, ${text} AS body FROM messages WHERE id IN (SELECT value FROM json_each(?))${since}`).all(
			JSON.stringify(ids),
			...(scope.sinceMs === undefined ? [] : [scope.sinceMs]),
		) as Candidate[];
		const byId = new Map(texts.map(row => [row.id, row]));
		return ids.flatMap(id => byId.get(id) ?? []);
	}

	/**
	 * Whether the query can match at most FEW_MATCHES messages: some term cannot match more messages
	 * than the rarest word of its phrase (for a camelCase term, of each of its two phrases, half each).
	 * Words are counted only up to that many, longest (likeliest rare) first, and the first rare one
	 * decides, so this is cheap. A query of one plain word is not checked (newest first is fast for it) unless `evenOneWord`.
	 */
	private hasFewMatches(parsed: ParsedQuery, evenOneWord = false): boolean {
		const [first] = parsed.terms;
		if (!evenOneWord && parsed.terms.length === 1 && first!.fts.words.length === 1 && !first!.fts.parts) return false;
		const hasRareWord = (words: string[], limit: number) => [...words].sort((a, b) => b.length - a.length).some(word => this.wordCount(word) <= limit);
		return parsed.terms.some(term =>
			term.fts.parts
				? hasRareWord(term.fts.words, FEW_MATCHES / 2) && hasRareWord(term.fts.parts, FEW_MATCHES / 2)
				: hasRareWord(term.fts.words, FEW_MATCHES),
		);
	}

	/**
	 * IDF weights of a query's terms when it has several (one term needs none: IDF only scales it).
	 * A term's messages are estimated by its rarest word's (summed over a camelCase term's two
	 * phrases), words counted up to FEW_MATCHES: cheap, and common terms share the lowest weight. A
	 * prefix term is not counted (that would be FTS5's prefix merge) and is weighted as common.
	 */
	private termWeights(parsed: ParsedQuery): number[] | undefined {
		if (parsed.terms.length < 2) return undefined;
		const total = this.statement('SELECT coalesce(sum(message_count), 0) FROM sessions').pluck().get() as number;
		const rarest = (words: string[]) => Math.min(...words.map(word => this.wordCount(word)));
		return parsed.terms.map(term => {
			if (term.prefix || term.substring) return termIdf(FEW_MATCHES, total);
			const documents = rarest(term.fts.words) + (term.fts.parts ? rarest(term.fts.parts) : 0);
			return termIdf(Math.min(documents, FEW_MATCHES), total);
		});
	}

	/** Messages holding the word, counted up to FEW_MATCHES + 1; remembered for the current search. */
	private wordCount(word: string): number {
		let count = this.wordCounts.get(word);
		if (count === undefined) {
			count = this.statement('SELECT count(*) FROM (SELECT rowid FROM msg_fts WHERE msg_fts MATCH ? LIMIT ?)')
				.pluck()
				.get(`"${word.replaceAll('"', '""')}"`, FEW_MATCHES + 1) as number;
			this.wordCounts.set(word, count);
		}

		return count;
	}

	/**
	 * The newest matches of a query known to have few: FTS5 reads its posting lists forwards once
	 * (several times faster than backwards for a rare phrase of common words), and the ids are
	 * reversed here.
	 */
	private fewNewestMatches(match: string, scope: SearchScope, terms: QueryTerm[], wanted: number): CandidateStats[] {
		const {sql, params} = matchIdsQuery(match, scope);
		const ids = (this.statement(`${sql} ORDER BY f.rowid ASC`).pluck().all(...params) as number[]).reverse();
		const found: CandidateStats[] = [];
		for (let start = 0; start < ids.length && found.length < wanted; start += wanted) {
			for (const row of this.textsOf(ids.slice(start, start + wanted), scope, false)) found.push(candidateStats(row.id, row.body, terms));
		}

		return found.slice(0, wanted);
	}

	/**
	 * The newest matches of a one-phrase query of three or more words that some rare word bounds (a
	 * path: `src/noop/the_the.yaml`), found without FTS5's phrase check. FTS5 checks a phrase at every
	 * message that holds all its words, which is slow when most of them are common (~20 ms there).
	 * NEAR of the rare word and the longest other one, as far apart as in the phrase, is a necessary
	 * condition that FTS5 answers cheaply (222 messages, ~4 ms); when it leaves at most NEAR_TEST_LIMIT,
	 * their texts are tested in JS (search-verify.ts, as for prefixes). Undefined when it does not apply.
	 */
	private nearTestedMatches(parsed: ParsedQuery, scope: SearchScope, wanted: number): CandidateStats[] | undefined {
		const [term] = parsed.terms;
		if (parsed.terms.length !== 1 || term!.prefix || term!.fts.parts) return undefined;
		const words = term!.fts.words;
		// Words FTS5 surely reads as one token each, so that NEAR's distance is the phrase's.
		if (words.length < 3 || !words.every(word => ASCII_TOKEN.test(word))) return undefined;
		const counted = words.flatMap((word, at) => {
			const count = this.wordCounts.get(word);
			return count === undefined ? [] : [{at, count}];
		});
		const rare = counted.sort((a, b) => a.count - b.count)[0];
		if (!rare || rare.count > FEW_MATCHES) return undefined;
		const rareWord = words[rare.at]!.toLowerCase();
		const other = words
			.map((word, at) => ({word, at}))
			.filter(({word}) => word.toLowerCase() !== rareWord)
			.sort((a, b) => b.word.length - a.word.length)[0];
		if (!other) return undefined;
		const near = `NEAR("${rareWord}" "${other.word.toLowerCase()}", ${Math.abs(other.at - rare.at) - 1})`;
		const {sql, params} = matchIdsQuery(near, scope);
		const ids = this.statement(`${sql} ORDER BY f.rowid ASC LIMIT ?`)
			.pluck()
			.all(...params, NEAR_TEST_LIMIT + 1) as number[];
		if (ids.length > NEAR_TEST_LIMIT) return undefined;
		const test = termTest(term!);
		const found: CandidateStats[] = [];
		const texts = this.textsOf(ids.reverse(), scope, true);
		for (const row of texts) {
			if (!test(row.body)) continue;
			// As `substr(body, 1, SCORING_PREFIX_CHARS)` cuts it for the other paths: in characters, not UTF-16 units.
			found.push(candidateStats(row.id, firstCharacters(row.body, SCORING_PREFIX_CHARS), parsed.terms));
			if (found.length === wanted) break;
		}

		return found;
	}

	/** One page of messages below id `before`, newest first, each to `take` (as matchPage). */
	private messagePage(scope: SearchScope, before: number, page: number, full: boolean, take: TakeRow): PageRead {
		const where = ['id < ?'];
		const params: unknown[] = [before];
		if (scope.ids) {
			where.push('id BETWEEN ? AND ?');
			params.push(...scope.ids);
		}

		if (scope.tools) {
			where.push(`(id >> 32) IN (SELECT sid FROM sessions WHERE tool IN (${scope.tools.map(() => '?').join(', ')}))`);
			params.push(...scope.tools);
		}

		if (scope.sinceMs !== undefined) {
			where.push('ts_ms >= ?');
			params.push(scope.sinceMs);
		}

		if (scope.contains) {
			where.push(`(${scope.contains.map(() => 'instr(body, ?) > 0').join(' OR ')})`);
			params.push(...scope.contains);
		}

		const text = full ? 'body' : `substr(body, 1, ${SCORING_PREFIX_CHARS})`;
		const rows = this.statement(`SELECT id, ${text} AS body FROM messages WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).iterate(
			...params,
			page,
		) as Iterable<Candidate>;
		return readRows(rows, before, take);
	}

	getMeta(key: string): unknown {
		const row = this.guard(() => this.statement('SELECT value FROM meta WHERE key = ?').get(key) as {value: string} | undefined);
		if (!row) return undefined;
		try {
			return JSON.parse(row.value) as unknown;
		} catch {
			return undefined;
		}
	}

	setMeta(key: string, value: unknown): void {
		this.assertWritable();
		if (value === undefined) {
			this.guard(() => this.statement('DELETE FROM meta WHERE key = ?').run(key));
			return;
		}

		this.guard(() =>
			this.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
				key,
				JSON.stringify(value),
			),
		);
	}

	/** Meta values whose key starts with `prefix`, as stored (raw strings, not parsed). */
	metaByPrefix(prefix: string): Array<{key: string; value: string}> {
		// Keys sort as text: every key with the prefix lies in [prefix, prefix + U+FFFF).
		return this.guard(() => this.statement('SELECT key, value FROM meta WHERE key >= ? AND key < ?').all(prefix, `${prefix}\uffff`) as Array<{key: string; value: string}>);
	}

	/** Writes raw meta values in one transaction; an undefined value deletes its key. */
	setMetaRaw(entries: Iterable<[key: string, value: string | undefined]>): void {
		this.assertWritable();
		this.transaction(() => {
			const upsert = this.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
			const remove = this.statement('DELETE FROM meta WHERE key = ?');
			for (const [key, value] of entries) {
				if (value === undefined) remove.run(key);
				else upsert.run(key, value);
			}
		});
	}

	stats(): IndexStats {
		return this.guard(() => {
			const sessions = (this.statement('SELECT count(*) AS n FROM sessions WHERE listed = 1').get() as {n: number}).n;
			const messages = (this.statement('SELECT count(*) AS n FROM messages').get() as {n: number}).n;
			return {sessions, messages, bytes: this.bytesOnDisk()};
		});
	}

	/** The index's pages plus its WAL, in bytes (read from the header: no table is read). */
	bytesOnDisk(): number {
		return this.guard(() => {
			const pages = this.db.pragma('page_count', {simple: true}) as number;
			const pageSize = this.db.pragma('page_size', {simple: true}) as number;
			return pages * pageSize + (fileSize(`${this.path}-wal`) ?? 0);
		});
	}

	/** SQLite's integrity check plus FTS5's own (the latter needs a writable index). Reads every page: not for every open. */
	integrityOk(): boolean {
		try {
			const result = this.db.pragma('integrity_check', {simple: true});
			if (result !== 'ok') return false;
			if (!this.readonly) this.db.prepare("INSERT INTO msg_fts(msg_fts) VALUES('integrity-check')").run();
			return true;
		} catch {
			return false;
		}
	}

	/** Merge FTS segments; worth running after a bulk load. */
	optimize(): void {
		this.assertWritable();
		this.guard(() => this.db.prepare("INSERT INTO msg_fts(msg_fts) VALUES('optimize')").run());
	}

	/** Move the WAL into the main file and truncate it (before renaming files, or when it has grown). */
	checkpoint(): void {
		this.guard(() => this.db.pragma('wal_checkpoint(TRUNCATE)'));
	}

	private sidFor(sessionId: string): number {
		const existing = this.statement('SELECT sid FROM sessions WHERE session_id = ?').get(sessionId) as {sid: number} | undefined;
		if (existing) return existing.sid;
		const sid = Number(this.statement('INSERT INTO sessions (session_id, listed) VALUES (?, 0)').run(sessionId).lastInsertRowid);
		if (sid > MAX_SID) throw new SfsError('DB', 'the index holds too many session keys', {hint: 'run `sfs index rebuild`'});
		return sid;
	}

	/**
	 * FTS5 answers a rowid range on this contentless table by walking its whole index (~0.1 s a session
	 * at a million messages, 100 s to prune a thousand sessions); one rowid at a time, each delete is a
	 * seek. Every messages row has its FTS row (they are written together), so messages names them.
	 */
	private deleteMessageRange(first: number, last: number): void {
		const rows = this.statement('SELECT id FROM messages WHERE id BETWEEN ? AND ?').all(first, last) as Array<{id: number}>;
		const deleteFts = this.statement('DELETE FROM msg_fts WHERE rowid = ?');
		for (const {id} of rows) deleteFts.run(id);
		this.statement('DELETE FROM messages WHERE id BETWEEN ? AND ?').run(first, last);
	}

	private sessionIds(sql: string, ...params: unknown[]): string[] {
		const rows = this.guard(() => this.statement(sql).all(...params) as Array<{session_id: string}>);
		return rows.map(row => row.session_id);
	}

	private statement(sql: string): DatabaseModule.Statement {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.guard(() => this.db.prepare(sql));
			this.statements.set(sql, statement);
		}

		return statement;
	}

	private assertWritable(): void {
		if (this.readonly) throw new SfsError('DB', 'the index is open read-only');
		if (!this.db.open) throw new SfsError('DB', 'the index is closed');
	}

	private guard<T>(fn: () => T): T {
		try {
			return fn();
		} catch (error) {
			throw toDbError(error, this.path);
		}
	}
}

/**
 * Open the index; when it is missing, not a database, corrupt at open, or from another schema
 * version, rebuild it from the store via `loadAll()`.
 */
export function openIndexWithRepair(
	dbPath: string,
	loadAll: () => Iterable<StoredSession>,
): {index: SessionIndex; rebuilt: boolean; reason?: string} {
	let reason: string;
	const size = fileSize(dbPath);
	if (size === 0) {
		// Created but never initialised (e.g. a crash right after creating the file).
		reason = 'index empty';
	} else if (size !== undefined) {
		try {
			const index = SessionIndex.open(dbPath);
			return {index, rebuilt: false};
		} catch (error) {
			// A locked or unreadable file is not a broken index: rebuilding would not help.
			if (!isRepairable(error)) throw error;
			reason = error instanceof Error ? error.message : String(error);
		}
	} else {
		reason = 'index missing';
	}

	return {index: rebuildIndex(dbPath, loadAll()), rebuilt: true, reason};
}

/**
 * Build a fresh index from the store into a temporary file, then rename it over `dbPath`, so no
 * reader ever opens a half-built index. Returns the new index, open for writing.
 */
export function rebuildIndex(dbPath: string, sessions: Iterable<StoredSession>): SessionIndex {
	ensureDir(path.dirname(dbPath));
	const temporary = `${dbPath}.rebuild-${process.pid}-${Date.now().toString(36)}`;
	try {
		const fresh = SessionIndex.open(temporary);
		try {
			// Commit in batches so the temporary WAL stays small.
			let batch: StoredSession[] = [];
			const flush = (): void => {
				fresh.transaction(() => {
					for (const {manifest, messages} of batch) {
						fresh.upsertSession(manifest);
						fresh.addMessages(manifest.session_id, messages, 1);
					}
				});
				batch = [];
			};

			let batchMessages = 0;
			for (const session of sessions) {
				batch.push(session);
				batchMessages += session.messages.length;
				if (batchMessages >= REBUILD_BATCH_MESSAGES) {
					flush();
					batchMessages = 0;
				}
			}

			flush();
			fresh.optimize();
			fresh.checkpoint();
		} finally {
			fresh.close();
		}

		retireOldDatabase(dbPath);
		fs.renameSync(temporary, dbPath);
	} catch (error) {
		for (const file of [temporary, `${temporary}-wal`, `${temporary}-shm`]) fs.rmSync(file, {force: true});
		throw toDbError(error, dbPath);
	}

	return SessionIndex.open(dbPath);
}

/**
 * A stale `-wal` next to the new file would be replayed into it. Checkpoint the old database so its
 * WAL is empty; when the old file is unusable, remove its WAL and shared-memory files instead.
 */
function retireOldDatabase(dbPath: string): void {
	if (!fs.existsSync(`${dbPath}-wal`) && !fs.existsSync(`${dbPath}-shm`)) return;
	try {
		const old = new Database(dbPath, {fileMustExist: true, timeout: 5000});
		try {
			old.pragma('wal_checkpoint(TRUNCATE)');
		} finally {
			old.close();
		}
	} catch {
		// Not a usable database: its WAL cannot be meaningful either.
	}

	for (const file of [`${dbPath}-wal`, `${dbPath}-shm`]) fs.rmSync(file, {force: true});
}

/** The first `count` characters (code points, as SQLite's substr counts them) of `text`. */
export function firstCharacters(text: string, count: number): string {
	if (text.length <= count) return text;
	let end = 0;
	for (let characters = 0; characters < count && end < text.length; characters++) {
		const code = text.charCodeAt(end);
		end += code >= 0xd8_00 && code <= 0xdb_ff && end + 1 < text.length ? 2 : 1;
	}

	return text.slice(0, end);
}

/** Takes one message of a page (its id and text); false stops the page. */
type TakeRow = (id: number, body: string) => boolean;

type PageRead = {count: number; texts: number; last: number};

/**
 * Hands each row to `take` as SQLite reads it (a statement's iterate()), so that a text can be collected
 * once it is tested and scored: read with all(), a page's ~1,000 texts were held to its end and copied by
 * each scavenge. A row without a text (no messages row) is counted, not handed over.
 */
function readRows(rows: Iterable<{id: number; body: string | null}>, before: number, take: TakeRow): PageRead {
	let count = 0;
	let texts = 0;
	let last = before;
	for (const row of rows) {
		count++;
		last = row.id;
		if (row.body === null) continue;
		texts++;
		if (!take(row.id, row.body)) break;
	}

	return {count, texts, last};
}

/**
 * How many of the `left` messages of a scan page to read next: what fills the `missing` matches at
 * the rate found so far, with a margin; the whole rest of the page while nothing has matched yet.
 */
function scanPart(left: number, missing: number, found: number, scanned: number): number {
	if (found === 0 || scanned === 0) return left;
	return Math.min(left, Math.ceil(((missing * scanned) / found) * 1.25) + 50);
}

const MATCH_IDS_SELECT = 'SELECT f.rowid FROM msg_fts f WHERE';

/** `SELECT f.rowid FROM msg_fts f WHERE …` for a match in the scope (the time filter is applied to the texts). */
function matchIdsQuery(match: string, scope: SearchScope): {sql: string; params: unknown[]} {
	const where = ['f.msg_fts MATCH ?'];
	const params: unknown[] = [match];
	if (scope.ids) {
		where.push('f.rowid BETWEEN ? AND ?');
		params.push(...scope.ids);
	}

	if (scope.tools) {
		where.push(`(f.rowid >> 32) IN (SELECT sid FROM sessions WHERE tool IN (${scope.tools.map(() => '?').join(', ')}))`);
		params.push(...scope.tools);
	}

	return {sql: `${MATCH_IDS_SELECT} ${where.join(' AND ')}`, params};
}

function configure(db: Database, readonly: boolean, cacheKib = readonly ? READER_CACHE_KIB : 32_000): void {
	// The `timeout` option has set busy_timeout already.
	db.pragma(`cache_size = ${-Math.max(1, Math.round(cacheKib))}`);
	if (readonly) {
		// Pages read in place from the OS cache instead of copied into SQLite's: a phrase query over
		// long posting lists takes about half the time. Only readers: a writer could see SIGBUS if the file shrank.
		db.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
		return;
	}

	// Only takes effect on a new file (before WAL writes the first page); ~15% faster bulk inserts than 4096.
	db.pragma('page_size = 8192');
	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = NORMAL');
	db.pragma('foreign_keys = ON');
	db.pragma('temp_store = MEMORY');
}

let nativeBinding: string | null | undefined;

/**
 * better-sqlite3's own addon lookup (the `bindings` package) walks the stack and probes a dozen
 * paths: 5–15 ms of every `sfs search`. The addon's usual place is tried first; undefined lets
 * better-sqlite3 look as before.
 */
function nativeBindingPath(): string | undefined {
	if (nativeBinding === undefined) {
		nativeBinding = null;
		try {
			const main = fileURLToPath(import.meta.resolve('better-sqlite3'));
			const file = path.join(path.dirname(main), '..', 'build', 'Release', 'better_sqlite3.node');
			if (fs.existsSync(file)) nativeBinding = file;
		} catch {}
	}

	return nativeBinding ?? undefined;
}

function ensureSchema(db: Database, readonly: boolean, dbPath: string): void {
	const version = db.pragma('user_version', {simple: true}) as number;
	if (version === INDEX_SCHEMA_VERSION) {
		// A cheap probe that the tables are there and readable.
		db.prepare('SELECT 1 FROM sessions LIMIT 1').get();
		db.prepare("SELECT rowid FROM msg_fts WHERE msg_fts MATCH 'sfsprobe' LIMIT 1").get();
		return;
	}

	if (version === 0) {
		const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {n: number};
		if (tables.n > 0) throw new SfsError('DB', `index ${dbPath} has tables but no schema version`);
		if (readonly) throw new SfsError('DB', `index ${dbPath} is empty`, {hint: 'run `sfs index rebuild`'});
		db.transaction(() => {
			db.exec(SCHEMA);
			db.pragma(`user_version = ${INDEX_SCHEMA_VERSION}`);
		}).immediate();
		return;
	}

	const canMigrate = version < INDEX_SCHEMA_VERSION && range(version + 1, INDEX_SCHEMA_VERSION).every(step => step in MIGRATIONS);
	if (!canMigrate || readonly) {
		throw new SfsError('DB', `index schema version ${version}, expected ${INDEX_SCHEMA_VERSION}`, {
			hint: 'run `sfs index rebuild`',
		});
	}

	migrationFunctions(db);
	db.transaction(() => {
		for (const step of range(version + 1, INDEX_SCHEMA_VERSION)) db.exec(MIGRATIONS[step]!);
		db.pragma(`user_version = ${INDEX_SCHEMA_VERSION}`);
	}).immediate();
}

function range(from: number, to: number): number[] {
	const out: number[] = [];
	for (let i = from; i <= to; i++) out.push(i);
	return out;
}

function fileSize(file: string): number | undefined {
	try {
		return fs.statSync(file).size;
	} catch {
		return undefined;
	}
}

function ensureDir(dir: string): void {
	fs.mkdirSync(dir, {recursive: true, mode: DIR_MODE});
}

/** Create the file 0600 before SQLite does, so the database and its -wal/-shm are private. */
function ensurePrivateFile(dbPath: string): void {
	if (dbPath === ':memory:') return; // SQLite's in-memory database: no file (else one named ':memory:' appears in the cwd).
	ensureDir(path.dirname(dbPath));
	try {
		fs.closeSync(fs.openSync(dbPath, 'wx', FILE_MODE));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
}

function toSessionRow(row: RawSessionRow): SessionRow {
	return {...row, tags: parseTags(row.tags), is_subagent: row.is_subagent === 1, is_headless: row.is_headless === 1};
}

/** A session's `tags` column (a JSON array); anything else reads as no tags. */
export function parseTags(text: string): string[] {
	if (text === '[]') return [];
	try {
		const tags: unknown = JSON.parse(text);
		return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
	} catch {
		return [];
	}
}

function timeMs(value: string | null | undefined): number | null {
	if (!value) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
}

function escapeLike(text: string): string {
	return text.replaceAll(/[\\%_]/g, match => `\\${match}`);
}

/** Errors that mean the file is not a usable index of this version (as opposed to busy, locked, no permission). */
function isRepairable(error: unknown): boolean {
	if (!(error instanceof SfsError) || error.code !== 'DB') return false;
	const cause = error.cause as {code?: unknown} | undefined;
	const code = typeof cause?.code === 'string' ? cause.code : undefined;
	if (code === undefined) return true; // Raised by ensureSchema: wrong version, tables without a version.
	return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || (code === 'SQLITE_ERROR' && /no such (table|column)/.test(error.message));
}

function isFtsSyntaxError(error: unknown): boolean {
	const message = error instanceof Error ? error.message : '';
	return /fts5|syntax error|no such column|unterminated string/i.test(message);
}

function toDbError(error: unknown, dbPath: string): unknown {
	if (error instanceof SfsError) return error;
	const code = (error as {code?: unknown}).code;
	if (typeof code === 'string' && code.startsWith('SQLITE_')) {
		const message = error instanceof Error ? error.message : String(error);
		return new SfsError('DB', `index ${dbPath}: ${message}`, {hint: 'run `sfs index rebuild`', cause: error});
	}

	return error;
}
