/**
 * The session list as the TUI reads it: newest first, optionally only the first `limit` rows (the first
 * screenful, so the first frame does not wait for 10,000 rows). Read through a short-lived read-only
 * connection in raw mode: better-sqlite3 building a 17-key object per row was most of the query's time
 * (10,000 rows: ~90–200 ms as objects, ~40 ms raw), and the rows are built here with one shape.
 * The index schema belongs to index-db.ts; this only reads the columns the list shows.
 */
import Database from 'better-sqlite3';
import {parseTags, type SessionRow} from './index-db.js';

const COLUMNS = `session_id, alias, title, tool, native_id, cwd, model, created_at, updated_at, message_count,
	input_tokens, output_tokens, tags, parent_session_id, is_subagent, is_headless, first_prompt`;

type Raw = [string, string | null, string | null, string, string | null, string | null, string | null, string, string, number, number, number, string, string | null, number, number, string | null];

function toRow(raw: Raw): SessionRow {
	return {
		session_id: raw[0],
		alias: raw[1],
		title: raw[2],
		tool: raw[3],
		native_id: raw[4],
		cwd: raw[5],
		model: raw[6],
		created_at: raw[7],
		updated_at: raw[8],
		message_count: raw[9],
		input_tokens: raw[10],
		output_tokens: raw[11],
		tags: parseTags(raw[12]),
		parent_session_id: raw[13],
		is_subagent: raw[14] === 1,
		is_headless: raw[15] === 1,
		first_prompt: raw[16],
	};
}

/** Listed sessions (sub-agents included), newest update first; at most `limit` when given. */
export function listRows(indexFile: string, options: {limit?: number} = {}): SessionRow[] {
	const db = new Database(indexFile, {readonly: true, fileMustExist: true, timeout: 5000});
	try {
		let sql = `SELECT ${COLUMNS} FROM sessions WHERE listed = 1 ORDER BY updated_ms DESC, session_id`;
		if (options.limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
		const raws = db.prepare(sql).raw(true).all() as Raw[];
		const rows = new Array<SessionRow>(raws.length);
		for (let index = 0; index < raws.length; index++) rows[index] = toRow(raws[index]!);
		return rows;
	} finally {
		db.close();
	}
}
