import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, expect, test} from 'vitest';
import {FindingsDb, sessionFindings} from '../../source/engine/dlp/findings-db.js';
import {openEngine, rebuildEngineIndex} from '../../source/engine/open-engine.js';
import type {Manifest, Message} from '../../source/engine/types.js';
import * as gen from './corpus.js';

const temps: string[] = [];
afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function engineWithSession() {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-dlp-db-'));
	temps.push(root);
	const engine = openEngine({env: {HOME: root, SFS_HOME: path.join(root, 'sfs')}});
	gen.reseed(7);
	const token = `ghp_${gen.random(gen.ALNUM, 36)}`;
	const manifest: Manifest = {sfs_version: '0.1.0', session_id: 'sess-1', created_at: '2026-01-01T00:00:00Z', source: {tool: 'codex'}};
	const messages: Message[] = [{msg_id: 'm1', role: 'user', timestamp: '2026-01-01T00:00:00Z', content: [{type: 'text', text: `GITHUB_TOKEN=${token}`}]}];
	engine.store.createSession({manifest, messages});
	engine.index.upsertSession(manifest);
	engine.index.addMessages('sess-1', messages, 1);
	return {engine, token, manifest};
}

test('findings are stored in index.db and served from there until the session changes', () => {
	const {engine, token, manifest} = engineWithSession();
	try {
		const first = sessionFindings(engine, 'sess-1');
		expect(first.cached).toBe(false);
		expect(first.findings.map(finding => [finding.pattern, finding.msg_id])).toEqual([['github-token', 'm1']]);
		const second = sessionFindings(engine, 'sess-1');
		expect(second.cached).toBe(true);
		expect(second.findings).toEqual(first.findings);

		const db = new Database(engine.index.path, {readonly: true});
		const rows = db.prepare('SELECT session_id, kind, pattern, msg_id, excerpt FROM dlp_findings').all() as Array<{excerpt: string}>;
		db.close();
		expect(rows).toHaveLength(1);
		expect(rows[0]!.excerpt).not.toContain(token);

		engine.store.appendMessages('sess-1', [{msg_id: 'm2', role: 'user', timestamp: '2026-01-01T00:00:01Z', content: [{type: 'text', text: 'mail maria.gonzalez@acme-corp.io'}]}], manifest);
		const third = sessionFindings(engine, 'sess-1');
		expect(third.cached).toBe(false);
		expect(third.personal).toBe(1);

		const findingsDb = FindingsDb.open(engine)!;
		expect(findingsDb.counts().get('sess-1')).toEqual({secrets: 1, personal: 1});
		expect(findingsDb.prune(new Set())).toBe(1);
		expect(findingsDb.counts().size).toBe(0);
		findingsDb.close();
	} finally {
		engine.close();
	}
});

test('the extra tables do not disturb the index: it reopens without a rebuild, and a rebuild drops them (rescanned on demand)', () => {
	const {engine} = engineWithSession();
	sessionFindings(engine, 'sess-1');
	engine.close();
	const notices: string[] = [];
	const reopened = openEngine({env: engine.env, onNotice: line => notices.push(line)});
	try {
		expect(notices).toEqual([]);
		expect(reopened.index.search('GITHUB_TOKEN').length).toBe(1);
		expect(reopened.index.integrityOk()).toBe(true);
		expect(sessionFindings(reopened, 'sess-1').cached).toBe(true);
		rebuildEngineIndex(reopened);
		expect(sessionFindings(reopened, 'sess-1').cached).toBe(false);
		expect(sessionFindings(reopened, 'sess-1').cached).toBe(true);
	} finally {
		reopened.close();
	}
});
