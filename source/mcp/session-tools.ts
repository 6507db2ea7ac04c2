/**
 * The read-only session tools: what they compute, independent of MCP wiring (server.ts registers
 * them). Every output is bounded: counts are capped, texts are cut, and long reads continue through
 * a cursor.
 */
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {extractFileEdits, type FileEdit} from '../engine/file-edits.js';
import type {SessionRow} from '../engine/index-db.js';
import type {Engine} from '../engine/open-engine.js';
import {resolveRef} from '../engine/refs.js';
import {stripMarks} from '../engine/search-snippet.js';
import {oneLine} from '../engine/session-stats.js';
import {parseTimeSpec} from '../engine/time-spec.js';
import type {Manifest, Message, Role} from '../engine/types.js';
import {budgetOf, clip, cutText, decodeCursor, encodeCursor} from './bounded.js';
import {renderMessage} from './render.js';

export type ToolContext = {
	engine: Engine;
	now?: () => Date;
	/** The agent's project directory (default process.cwd()): project context, rules and the DLP policy follow it. */
	cwd?: string;
	/** Diagnostics (stderr by default; never stdout). */
	log?: (line: string) => void;
	/** Run before every tool call (serve.ts: reopen an index that was replaced). */
	beforeCall?: () => void;
};
type Out = Record<string, unknown>;

const HITS_PER_SESSION = 3;

export function resolveSessionRef(context: ToolContext, ref: string): string {
	const {index, store} = context.engine;
	return resolveRef(ref, index, {existsInStore: id => /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && store.exists(id)});
}

function sinceOf(context: ToolContext, since: string | undefined): Date | undefined {
	return since ? parseTimeSpec(since, context.now?.() ?? new Date(), 'since') : undefined;
}

/** The compact row every listing returns. */
export function sessionBrief(row: SessionRow): Out {
	return {
		session_id: row.session_id,
		title: row.title || row.first_prompt ? oneLine(row.title ?? row.first_prompt ?? '', 120) : null,
		alias: row.alias,
		tool: row.tool,
		cwd: row.cwd,
		model: row.model,
		created_at: row.created_at,
		updated_at: row.updated_at,
		message_count: row.message_count,
		tags: row.tags,
	};
}

export function searchSessions(context: ToolContext, args: {query: string; tool?: string; since?: string; limit?: number}): Out {
	const limit = args.limit ?? 10;
	const {index} = context.engine;
	const hits = index.search(args.query, {tools: args.tool ? [args.tool] : undefined, since: sinceOf(context, args.since), limit: Math.min(limit * 10, 300)});
	const groups = new Map<string, typeof hits>();
	for (const hit of hits) {
		const group = groups.get(hit.session_id) ?? [];
		if (group.length === 0 && groups.size >= limit) continue;
		group.push(hit);
		groups.set(hit.session_id, group);
	}

	const results = [...groups].map(([sessionId, group]) => {
		const row = index.getSession(sessionId);
		return {
			...(row ? sessionBrief(row) : {session_id: sessionId}),
			match_count: group.length,
			hits: group.slice(0, HITS_PER_SESSION).map(hit => ({
				position: hit.position,
				msg_id: hit.msg_id,
				role: hit.role,
				timestamp: hit.timestamp,
				snippet: stripMarks(hit.snippet),
			})),
		};
	});
	return {query: args.query, results, hint: results.length > 0 ? 'read a hit in context with get_session_messages(session, from: position - 2)' : 'no matches; try fewer or different words, or a prefix with *'};
}

export function listRecentSessions(
	context: ToolContext,
	args: {tool?: string; project?: string; since?: string; limit?: number; include_subagents?: boolean},
): Out {
	const rows = context.engine.index.listSessions({
		tool: args.tool,
		project: args.project,
		since: sinceOf(context, args.since),
		includeSubagents: args.include_subagents ?? false,
		limit: args.limit ?? 20,
	});
	return {sessions: rows.map(row => sessionBrief(row))};
}

function readSession(context: ToolContext, ref: string): {id: string; manifest: Manifest; messages: Message[]; skippedLines: number} {
	const id = resolveSessionRef(context, ref);
	const {store} = context.engine;
	const manifest = store.readManifest(id);
	const {messages, badLines} = store.readMessages(id);
	return {id, manifest, messages, skippedLines: badLines.length};
}

/** Metadata of one session (no messages). */
export function sessionMetadata(id: string, manifest: Manifest, row: SessionRow | undefined): Out {
	const metadata = manifest.metadata ?? {};
	return {
		session_id: id,
		title: manifest.title ?? null,
		alias: typeof metadata.alias === 'string' ? metadata.alias : null,
		tool: manifest.source?.tool,
		tool_version: manifest.source?.tool_version ?? null,
		native_id: manifest.source?.original_session_id ?? null,
		interface: manifest.source?.interface ?? null,
		cwd: typeof metadata.cwd === 'string' ? metadata.cwd : null,
		git_branch: typeof metadata.git_branch === 'string' ? metadata.git_branch : null,
		model: manifest.model?.model_id ?? null,
		created_at: manifest.created_at,
		updated_at: manifest.updated_at ?? manifest.created_at,
		tags: Array.isArray(manifest.tags) ? manifest.tags : [],
		parent_session_id: manifest.parent_session_id ?? null,
		stats: manifest.stats ?? {},
		first_prompt: typeof metadata.first_prompt === 'string' ? clip(metadata.first_prompt, 500) : (row?.first_prompt ?? null),
		sub_agents: (manifest.sub_agents ?? []).length,
		checkpoint_count: manifest.checkpoint_count ?? 0,
	};
}

/** Facts sfs knows without the insight module: message roles, the tools called, the files edited. */
export function sessionOverview(messages: Message[]): Out {
	const roles: Record<string, number> = {};
	const tools: Record<string, number> = {};
	for (const message of messages) {
		roles[message.role] = (roles[message.role] ?? 0) + 1;
		for (const block of Array.isArray(message.content) ? message.content : []) {
			if (block?.type === 'tool_use' && typeof block.name === 'string') tools[block.name] = (tools[block.name] ?? 0) + 1;
		}
	}

	const files = new Map<string, {path: string; edits: number; lines_added: number; lines_removed: number; actions: string[]}>();
	for (const edit of extractFileEdits(messages)) {
		const entry = files.get(edit.path) ?? {path: edit.path, edits: 0, lines_added: 0, lines_removed: 0, actions: []};
		entry.edits++;
		entry.lines_added += edit.lines_added;
		entry.lines_removed += edit.lines_removed;
		if (!entry.actions.includes(edit.action)) entry.actions.push(edit.action);
		files.set(edit.path, entry);
	}

	const topTools = Object.entries(tools).sort((a, b) => b[1] - a[1]).slice(0, 15);
	const lastAssistant = [...messages].reverse().find(message => message.role === 'assistant' && message.content.some(block => block.type === 'text'));
	return {
		messages_by_role: roles,
		tool_calls: Object.fromEntries(topTools),
		files_edited: [...files.values()].slice(0, 50),
		files_edited_total: files.size,
		last_assistant_text: lastAssistant ? clip(renderMessage(lastAssistant).trim(), 800) : null,
	};
}

export function getSession(context: ToolContext, session: LoadedSession, summary: {summary: unknown; source: string}): Out {
	return {
		session: sessionMetadata(session.id, session.manifest, context.engine.index.getSession(session.id)),
		overview: sessionOverview(session.messages),
		summary: summary.summary,
		summary_source: summary.source,
		...(session.badLines.length > 0 ? {warning: `${session.badLines.length} unreadable line(s) in the stored session were skipped`} : {}),
	};
}

export type MessagesArgs = {
	session: string;
	from?: number;
	to?: number;
	roles?: Role[];
	include_tool_output?: boolean;
	include_thinking?: boolean;
	max_chars?: number;
	cursor?: string;
};

/** Where to continue, and the options of the call it continues (so the cursor alone is enough). */
type MessagesCursor = {s: string; p: number; o: number; to: number; r?: Role[]; out: boolean; th: boolean};

/**
 * Messages `from..to` (1-based positions), filtered by role, rendered as text, up to `max_chars`
 * (counted over each returned entry, ids included). A message longer than what is left of the
 * budget is cut, and the cursor continues inside it.
 */
export function getSessionMessages(context: ToolContext, args: MessagesArgs): Out {
	const {id, messages} = readSession(context, args.session);
	const budget = budgetOf(args.max_chars);
	let state: MessagesCursor = {
		s: id,
		p: args.from ?? 1,
		o: 0,
		to: Math.min(args.to ?? messages.length, messages.length),
		...(args.roles && args.roles.length > 0 ? {r: args.roles} : {}),
		out: args.include_tool_output ?? false,
		th: args.include_thinking ?? false,
	};
	if (args.cursor) {
		state = decodeCursor<MessagesCursor & {t: string}>('get_session_messages', args.cursor);
		if (state.s !== id) throw new SfsError('USAGE', 'this cursor belongs to another session');
	}

	if (state.p < 1) throw new SfsError('USAGE', 'from is 1 or more (messages are numbered from 1)');
	if (!args.cursor && args.from !== undefined && args.to !== undefined && args.to < args.from) {
		throw new SfsError('USAGE', `to (${args.to}) is before from (${args.from})`, {hint: 'to is the last position wanted, inclusive'});
	}

	const roles = state.r ? new Set<string>(state.r) : undefined;
	const options = {includeToolOutput: state.out, includeThinking: state.th, toolOutputChars: 4000, toolInputChars: 1500};
	const out: Out[] = [];
	let used = 0;
	let next: MessagesCursor | undefined;
	for (let position = state.p, offset = state.o; position <= state.to; position++, offset = 0) {
		const message = messages[position - 1]!;
		if (roles && !roles.has(message.role)) continue;
		const rest = renderMessage(message, options).slice(offset);
		const entry: Out = {position, msg_id: message.msg_id, role: message.role, timestamp: message.timestamp, ...(offset > 0 ? {continued_from_char: offset} : {})};
		const overhead = JSON.stringify({...entry, text: ''}).length;
		const room = budget - used - overhead;
		// Stop before a message when little room is left, rather than return a sliver of it.
		if (room <= 0 || (rest.length > room && out.length > 0 && room < 200)) {
			next = {...state, p: position, o: offset};
			break;
		}

		const cut = cutText(rest, room);
		entry.text = cut.text;
		if (cut.truncated) Object.assign(entry, {truncated: true, remaining_chars: cut.omitted_chars});
		out.push(entry);
		used += overhead + cut.text.length;
		if (cut.truncated) {
			next = {...state, p: position, o: offset + cut.text.length};
			break;
		}
	}

	return {
		session_id: id,
		total_messages: messages.length,
		returned: out.length,
		chars: used,
		messages: out,
		next_cursor: next ? encodeCursor('get_session_messages', next) : null,
	};
}

/** Whether the path an edit names is the file asked about (absolute or relative to the session's cwd, or a suffix). */
export function samePath(editPath: string, wanted: string, cwd: string | null): boolean {
	const normalize = (value: string) => value.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/+$/, '');
	const want = normalize(wanted);
	const candidates = [normalize(editPath)];
	if (cwd && !path.isAbsolute(editPath)) candidates.push(normalize(path.resolve(cwd, editPath)));
	return candidates.some(candidate => candidate === want || candidate.endsWith(`/${want}`) || (want.endsWith(`/${candidate}`) && !candidate.startsWith('/')));
}

/** Sessions that may mention a path: full-text hits on the path, then on its file name. */
function sessionsMentioning(context: ToolContext, file: string, limit: number): string[] {
	const ids = new Set<string>();
	for (const query of [file, path.basename(file)]) {
		for (const hit of context.engine.index.search(`"${query.replaceAll('"', '')}"`, {limit: 1000})) ids.add(hit.session_id);
		if (ids.size > 0) break;
	}

	const rows = [...ids].map(id => context.engine.index.getSession(id)).filter((row): row is SessionRow => row !== undefined);
	rows.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
	return rows.slice(0, limit).map(row => row.session_id);
}

type EditsOfSession = {id: string; row: SessionRow | undefined; edits: FileEdit[]};
/** Every file edit of a session, by id (null: unreadable), so that asking about several files reads each session once. */
type EditsCache = Map<string, {row: SessionRow | undefined; edits: FileEdit[]} | null>;

function editsOfFile(context: ToolContext, file: string, candidates: string[], cache: EditsCache = new Map()): EditsOfSession[] {
	const found: EditsOfSession[] = [];
	for (const id of candidates) {
		let all = cache.get(id);
		if (all === undefined) {
			let messages: Message[] | undefined;
			try {
				messages = context.engine.store.readMessages(id).messages;
			} catch {}

			all = messages ? {row: context.engine.index.getSession(id), edits: extractFileEdits(messages)} : null;
			cache.set(id, all);
		}

		if (!all) continue;
		const edits = all.edits.filter(edit => samePath(edit.path, file, all.row?.cwd ?? null));
		if (edits.length > 0) found.push({id, row: all.row, edits});
	}

	return found;
}

const CANDIDATE_SESSIONS = 200;
const DIFF_CHARS = 3000;
const MAX_EDITS_PER_SESSION = 50;

type HistoryCursor = {f: string; k: number};

/** Sessions that edited `path`, newest first, each with its edits (diffs cut), within a budget. */
export function getFileHistory(context: ToolContext, args: {path: string; limit?: number; max_chars?: number; cursor?: string}): Out {
	const limit = args.limit ?? 10;
	const budget = budgetOf(args.max_chars);
	let skip = 0;
	if (args.cursor) {
		const cursor = decodeCursor<HistoryCursor>('get_file_history', args.cursor);
		if (cursor.f !== args.path) throw new SfsError('USAGE', 'this cursor belongs to another path');
		skip = cursor.k;
	}

	const sessions = editsOfFile(context, args.path, sessionsMentioning(context, args.path, CANDIDATE_SESSIONS));
	const out: Out[] = [];
	let used = 0;
	let index = skip;
	for (; index < sessions.length && out.length < limit; index++) {
		const {id, row, edits} = sessions[index]!;
		// The newest edits of the file in that session, at most MAX_EDITS_PER_SESSION of them.
		const rendered = edits.slice(-MAX_EDITS_PER_SESSION).map(edit => ({
			msg_id: edit.msg_id,
			path: edit.path,
			action: edit.action,
			tool: edit.tool,
			failed: edit.failed,
			lines_added: edit.lines_added,
			lines_removed: edit.lines_removed,
			diff: clip(edit.unified, DIFF_CHARS),
		}));
		let size = JSON.stringify(rendered).length;
		if (used + size > budget) {
			if (out.length > 0) break;
			// The first session alone is over budget: keep its edit list, drop the diffs that do not fit.
			let room = budget;
			for (const edit of rendered) {
				room -= edit.diff.length;
				if (room < 0) edit.diff = '[diff left out: over max_chars]';
			}

			size = JSON.stringify(rendered).length;
		}

		out.push({...(row ? sessionBrief(row) : {session_id: id}), edit_count: edits.length, ...(edits.length > rendered.length ? {edits_left_out: edits.length - rendered.length} : {}), edits: rendered});
		used += size;
	}

	return {
		path: args.path,
		sessions: out,
		sessions_total: sessions.length,
		next_cursor: index < sessions.length ? encodeCursor('get_file_history', {f: args.path, k: index}) : null,
	};
}

export type RelatedArgs = {file_path?: string; query?: string; session?: string; limit?: number};

/** Sessions related to a file, a query or another session (shared files, same project, similar words). */
export function findRelatedSessions(context: ToolContext, args: RelatedArgs): Out {
	const given = [args.file_path, args.query, args.session].filter(value => value !== undefined && value !== '');
	if (given.length !== 1) throw new SfsError('USAGE', 'give exactly one of file_path, query or session');
	const limit = args.limit ?? 10;
	const {index} = context.engine;
	if (args.file_path) {
		const sessions = editsOfFile(context, args.file_path, sessionsMentioning(context, args.file_path, CANDIDATE_SESSIONS));
		const editedIds = new Set(sessions.map(entry => entry.id));
		const related = sessions.slice(0, limit).map(({id, row, edits}) => ({...(row ? sessionBrief(row) : {session_id: id}), reason: `edited the file ${edits.length} time(s)`}));
		// Sessions that mention the file without editing it, after those that edited it.
		for (const id of sessionsMentioning(context, args.file_path, limit * 2)) {
			if (related.length >= limit || editedIds.has(id)) continue;
			const row = index.getSession(id);
			if (row) related.push({...sessionBrief(row), reason: 'mentions the file'});
		}

		return {related_to: {file_path: args.file_path}, sessions: related};
	}

	if (args.query) {
		const found = searchSessions(context, {query: args.query, limit});
		return {related_to: {query: args.query}, sessions: (found.results as Out[]).map(result => ({...result, reason: `${String(result.match_count)} matching message(s)`}))};
	}

	const {id, manifest, messages} = readSession(context, args.session!);
	const cwd = typeof manifest.metadata?.cwd === 'string' ? manifest.metadata.cwd : null;
	const score = new Map<string, {score: number; reasons: string[]}>();
	const add = (other: string, points: number, reason: string) => {
		if (other === id) return;
		const entry = score.get(other) ?? {score: 0, reasons: []};
		entry.score += points;
		if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
		score.set(other, entry);
	};

	const files = [...new Set(extractFileEdits(messages).map(edit => edit.path))].slice(0, 20);
	const cache: EditsCache = new Map();
	for (const file of files) {
		// The session itself mentions every one of its files: reading it again for each would be wasted.
		const others = sessionsMentioning(context, file, 51).filter(other => other !== id).slice(0, 50);
		for (const other of editsOfFile(context, file, others, cache)) add(other.id, 3, `also edited ${file}`);
	}

	if (cwd) for (const row of index.listSessions({project: cwd, limit: 50})) if (row.cwd === cwd) add(row.session_id, 1, 'same project directory');
	if (manifest.parent_session_id) add(manifest.parent_session_id, 5, 'parent session');
	for (const row of index.listSessions({limit: 500, includeSubagents: true})) if (row.parent_session_id === id) add(row.session_id, 5, 'child session (fork or sub-agent)');
	const ranked = [...score].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
	return {
		related_to: {session: id},
		sessions: ranked.flatMap(([other, entry]) => {
			const row = index.getSession(other);
			return row ? [{...sessionBrief(row), score: entry.score, reason: entry.reasons.slice(0, 5).join('; ')}] : [];
		}),
	};
}

/** A whole session's messages (for the insight module), resolved from a ref. */
export type LoadedSession = ReturnType<ToolContext['engine']['store']['readSession']> & {id: string};

export function loadSession(context: ToolContext, ref: string): LoadedSession {
	const id = resolveSessionRef(context, ref);
	return {id, ...context.engine.store.readSession(id)};
}
