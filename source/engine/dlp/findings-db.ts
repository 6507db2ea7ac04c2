/**
 * Findings are kept in index.db, so the TUI and `sfs dlp scan` can show them without rescanning.
 * They live in two tables of their own (`dlp_scans`, `dlp_findings`) that this module creates in the
 * existing index through its own connection; the index schema (index-db.ts) is not changed. Like the
 * rest of index.db they are derived: an index rebuild drops them and the next look rescans. A
 * session's row is stale when its files or the scanner changed (`fingerprint`).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {INDEX_SCHEMA_VERSION} from '../index-db.js';
import type {Engine} from '../open-engine.js';
import {indexPath} from '../paths.js';
import {MANIFEST, MESSAGES} from '../store.js';
import {type Finding, SCANNER_VERSION, scanSession} from './scanner.js';

const TABLES = `
CREATE TABLE IF NOT EXISTS dlp_scans (
	session_id TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	scanned_at TEXT NOT NULL,
	secrets INTEGER NOT NULL,
	personal INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dlp_findings (
	session_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL,
	pattern TEXT NOT NULL,
	msg_id TEXT,
	location TEXT NOT NULL,
	excerpt TEXT NOT NULL,
	PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
`;

export type SessionFindings = {session_id: string; secrets: number; personal: number; findings: Finding[]; scanned_at: string; cached: boolean};

export class FindingsDb {
	/** Opens the findings tables in the engine's index; undefined when the index is not one this version knows. */
	static open(engine: Engine): FindingsDb | undefined {
		const file = indexPath(engine.env);
		if (!fs.existsSync(file)) return undefined;
		let db: Database.Database | undefined;
		try {
			db = new Database(file, {timeout: 5000});
			db.pragma('busy_timeout = 5000');
			// Only inside an index at the known schema version: a table in a versionless file would make
			// index-db refuse it as "tables but no schema version".
			if (db.pragma('user_version', {simple: true}) !== INDEX_SCHEMA_VERSION) {
				db.close();
				return undefined;
			}

			db.exec(TABLES);
			return new FindingsDb(db);
		} catch {
			db?.close();
			return undefined;
		}
	}

	private constructor(private readonly db: Database.Database) {}

	close(): void {
		if (this.db.open) this.db.close();
	}

	get(sessionId: string, fingerprint: string): SessionFindings | undefined {
		const scan = this.db.prepare('SELECT fingerprint, scanned_at, secrets, personal FROM dlp_scans WHERE session_id = ?').get(sessionId) as
			| {fingerprint: string; scanned_at: string; secrets: number; personal: number}
			| undefined;
		if (!scan || scan.fingerprint !== fingerprint) return undefined;
		const findings = this.db
			.prepare('SELECT kind, pattern, msg_id, location, excerpt FROM dlp_findings WHERE session_id = ? ORDER BY seq')
			.all(sessionId) as Finding[];
		return {session_id: sessionId, secrets: scan.secrets, personal: scan.personal, findings, scanned_at: scan.scanned_at, cached: true};
	}

	put(result: SessionFindings, fingerprint: string): void {
		this.db.transaction(() => {
			this.db.prepare('DELETE FROM dlp_findings WHERE session_id = ?').run(result.session_id);
			this.db
				.prepare('INSERT INTO dlp_scans (session_id, fingerprint, scanned_at, secrets, personal) VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET fingerprint = excluded.fingerprint, scanned_at = excluded.scanned_at, secrets = excluded.secrets, personal = excluded.personal')
				.run(result.session_id, fingerprint, result.scanned_at, result.secrets, result.personal);
			const insert = this.db.prepare('INSERT INTO dlp_findings (session_id, seq, kind, pattern, msg_id, location, excerpt) VALUES (?, ?, ?, ?, ?, ?, ?)');
			for (const [seq, finding] of result.findings.entries()) insert.run(result.session_id, seq, finding.kind, finding.pattern, finding.msg_id, finding.location, finding.excerpt);
		}).immediate();
	}

	/** Counts per scanned session (a badge per row in a list). */
	counts(): Map<string, {secrets: number; personal: number}> {
		const rows = this.db.prepare('SELECT session_id, secrets, personal FROM dlp_scans').all() as Array<{session_id: string; secrets: number; personal: number}>;
		return new Map(rows.map(row => [row.session_id, {secrets: row.secrets, personal: row.personal}]));
	}

	/** Drops rows of sessions no longer in the store. */
	prune(keep: Set<string>): number {
		const ids = (this.db.prepare('SELECT session_id FROM dlp_scans').pluck().all() as string[]).filter(id => !keep.has(id));
		this.db.transaction(() => {
			for (const id of ids) {
				this.db.prepare('DELETE FROM dlp_findings WHERE session_id = ?').run(id);
				this.db.prepare('DELETE FROM dlp_scans WHERE session_id = ?').run(id);
			}
		}).immediate();
		return ids.length;
	}
}

/** Changes whenever the session's files or the scanner change. */
export function sessionFingerprint(engine: Engine, sessionId: string): string {
	const dir = engine.store.dir(sessionId);
	const stat = (name: string) => {
		try {
			const info = fs.statSync(path.join(dir, name));
			return `${info.size}:${Math.round(info.mtimeMs)}`;
		} catch {
			return '-';
		}
	};

	return `v${SCANNER_VERSION}/${stat(MANIFEST)}/${stat(MESSAGES)}/${stat('workspace.json')}/${stat('tools.json')}`;
}

/**
 * The findings of one session: from index.db when still current, else scanned now (and stored).
 * For the TUI: `sessionFindings(engine, id)`; `db` lets a caller scanning many sessions reuse one connection.
 */
export function sessionFindings(engine: Engine, sessionId: string, db?: FindingsDb): SessionFindings {
	const own = db ?? FindingsDb.open(engine);
	try {
		const fingerprint = sessionFingerprint(engine, sessionId);
		const cached = own?.get(sessionId, fingerprint);
		if (cached) return cached;
		const read = engine.store.readSession(sessionId);
		const scan = scanSession({manifest: read.manifest, messages: read.messages, workspace: read.workspace, tools: read.tools});
		const result: SessionFindings = {session_id: sessionId, secrets: scan.secrets, personal: scan.personal, findings: scan.findings, scanned_at: new Date().toISOString(), cached: false};
		try {
			own?.put(result, fingerprint);
		} catch {
			// A busy or read-only index only costs a rescan next time.
		}

		return result;
	} finally {
		if (!db) own?.close();
	}
}
