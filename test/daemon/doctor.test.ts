/**
 * `sfs doctor` on a damaged temp home: each check's verdict, then --fix, then a clean bill.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {expect, test} from 'vitest';
import {SessionIndex} from '../../source/engine/index-db.js';
import {installFixture, killHard, type Sandbox, sandboxPerTest, sessionIds, sfs, waitIdle} from './helpers.js';

type Check = {id: string; verdict: 'ok' | 'info' | 'warn' | 'fail'; detail: string; hint?: string; fixed?: string};
type Report = {ok: boolean; checks: Check[]};

let box: Sandbox;
sandboxPerTest(created => {
	box = created;
});

async function doctor(...args: string[]): Promise<{report: Report; exitCode: number}> {
	const run = await sfs(box, ['doctor', '--json', ...args]);
	return {report: JSON.parse(run.stdout) as Report, exitCode: run.exitCode};
}

function check(report: Report, id: string): Check {
	const found = report.checks.find(item => item.id === id);
	if (!found) throw new Error(`no check ${id} in ${report.checks.map(item => item.id).join(', ')}`);
	return found;
}

test('doctor finds loose permissions, a stale index, orphaned temp files, retention settings and format drift; --fix repairs', async () => {
	const file = installFixture(box);
	// A record type no sfs version knows: format drift.
	fs.appendFileSync(file, `${JSON.stringify({type: 'hologram-snapshot', uuid: 'h1', sessionId: 'cfbdefef-46d0-438f-bafc-c75f200bc243', version: '2.1.86', timestamp: '2026-03-30T07:20:00.000Z'})}\n`);
	expect((await sfs(box, ['capture', '--quiet'])).exitCode).toBe(0);
	const [id] = sessionIds(box);
	const sessionDir = path.join(box.sfsHome, 'sessions', id!);

	const clean = await doctor();
	expect(check(clean.report, 'permissions').verdict).toBe('ok');
	expect(check(clean.report, 'index-consistent').verdict).toBe('ok');
	expect(check(clean.report, 'fts5').verdict).toBe('ok');
	expect(check(clean.report, 'source:claude-code')).toMatchObject({verdict: 'ok'});
	expect(check(clean.report, 'source:codex').verdict).toBe('info');
	expect(check(clean.report, 'format-drift')).toMatchObject({verdict: 'info'});
	expect(check(clean.report, 'format-drift').detail).toContain('claude-code@2.1.86: 1');
	expect(check(clean.report, 'daemon').verdict).toBe('info');
	expect(check(clean.report, 'disk').verdict).not.toBe('fail');
	// Claude Code's default retention (30 days) will delete history.
	expect(check(clean.report, 'retention:claude-code')).toMatchObject({verdict: 'warn'});
	expect(check(clean.report, 'retention:claude-code').hint).toContain('cleanupPeriodDays');

	// Damage.
	fs.chmodSync(path.join(sessionDir, 'manifest.json'), 0o644);
	fs.chmodSync(sessionDir, 0o755);
	const orphan = path.join(sessionDir, '.manifest.json.tmp-99999999-abcd');
	fs.writeFileSync(orphan, '{}');
	const index = SessionIndex.open(path.join(box.sfsHome, 'index.db'));
	index.removeSession(id!);
	index.close();
	fs.writeFileSync(path.join(box.home, '.claude', 'settings.json'), JSON.stringify({cleanupPeriodDays: 7}));
	fs.mkdirSync(path.join(box.home, '.gemini'), {recursive: true});
	fs.writeFileSync(path.join(box.home, '.gemini', 'settings.json'), JSON.stringify({general: {sessionRetention: {enabled: true, maxAge: '14d'}}}));

	const damaged = await doctor();
	expect(damaged.exitCode).toBe(1);
	expect(damaged.report.ok).toBe(false);
	expect(check(damaged.report, 'permissions')).toMatchObject({verdict: 'fail'});
	expect(check(damaged.report, 'index-consistent')).toMatchObject({verdict: 'fail'});
	expect(check(damaged.report, 'index-consistent').detail).toContain('1 session(s) not indexed');
	expect(check(damaged.report, 'temp-files')).toMatchObject({verdict: 'warn'});
	expect(check(damaged.report, 'retention:claude-code').detail).toContain('7 days');
	expect(check(damaged.report, 'retention:gemini').detail).toContain('14d');
	expect(check(damaged.report, 'retention:gemini').hint).toContain('sessionRetention');

	const fixed = await doctor('--fix');
	expect(fixed.exitCode).toBe(0);
	expect(check(fixed.report, 'permissions').fixed).toMatch(/chmod-ed 2/);
	expect(check(fixed.report, 'index-consistent').fixed).toMatch(/rebuilt the index \(1 session/);
	expect(check(fixed.report, 'temp-files').fixed).toBe('removed 1');
	expect(fs.existsSync(orphan)).toBe(false);
	expect(fs.statSync(sessionDir).mode & 0o777).toBe(0o700);
	expect(fs.statSync(path.join(sessionDir, 'manifest.json')).mode & 0o777).toBe(0o600);

	const after = await doctor();
	expect(after.exitCode).toBe(0);
	expect(after.report.checks.filter(item => item.verdict === 'fail')).toEqual([]);
	expect(check(after.report, 'index-consistent').verdict).toBe('ok');
	const human = await sfs(box, ['doctor']);
	expect(human.stdout).toMatch(/✓ index consistent with the store: 1 session/);
	expect(human.stdout).toContain('! Claude Code retention');
});

test('doctor sees the daemon: running and watching, then killed (stale files, cleaned by --fix)', async () => {
	installFixture(box);
	await sfs(box, ['daemon', 'start']);
	const {pid} = await waitIdle(box);
	const running = await doctor();
	expect(check(running.report, 'daemon')).toMatchObject({verdict: 'ok'});
	expect(check(running.report, 'source:claude-code').detail).toContain('found and watched');

	await killHard(pid);
	const stale = await doctor();
	expect(check(stale.report, 'daemon')).toMatchObject({verdict: 'warn'});
	const fixed = await doctor('--fix');
	expect(check(fixed.report, 'daemon').fixed).toMatch(/removed 2 stale file/);
	expect(fs.existsSync(path.join(box.sfsHome, 'run', 'daemon.pid'))).toBe(false);
	expect(fs.existsSync(path.join(box.sfsHome, 'run', 'daemon.sock'))).toBe(false);
});

test('a damaged index page is found by --deep (every page read), not by the quick default; --deep --fix rebuilds it', async () => {
	installFixture(box);
	expect((await sfs(box, ['capture', '--quiet'])).exitCode).toBe(0);
	// A page of the message texts made unreadable (its b-tree page type byte): the counts still match and a
	// query for an unknown word still answers, as neither reads that page.
	const file = path.join(box.sfsHome, 'index.db');
	const db = new Database(file);
	db.pragma('wal_checkpoint(TRUNCATE)');
	const pageSize = db.pragma('page_size', {simple: true}) as number;
	const pages = db.prepare("SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno").all() as Array<{pageno: number}>;
	db.close();
	expect(pages.length).toBeGreaterThan(0);
	const fd = fs.openSync(file, 'r+');
	fs.writeSync(fd, Buffer.from([0xff]), 0, 1, (pages.at(-1)!.pageno - 1) * pageSize);
	fs.closeSync(fd);

	const quick = await doctor();
	expect(check(quick.report, 'index-consistent')).toMatchObject({verdict: 'ok'});
	expect(check(quick.report, 'index-consistent').detail).toContain('pages not read (sfs doctor --deep)');

	const deep = await sfs(box, ['doctor', '--deep', '--json']);
	expect(deep.exitCode).toBe(1);
	expect(deep.stderr).toMatch(/reading every page of the index \(\d/);
	expect(check(JSON.parse(deep.stdout) as Report, 'index-consistent')).toMatchObject({verdict: 'fail', detail: 'integrity check failed'});

	const fixed = await doctor('--deep', '--fix');
	expect(check(fixed.report, 'index-consistent').fixed).toMatch(/rebuilt the index \(1 session/);
	const after = await doctor('--deep');
	expect(after.exitCode).toBe(0);
	expect(check(after.report, 'index-consistent').detail).toContain('every page checked');
});
