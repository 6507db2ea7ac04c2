import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {Header} from 'tar';
import {afterEach, describe, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandbox, sfs, specExamples} from './run-sfs.js';

const MINIMAL = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const SUBAGENT = 'c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f';
const boxes: Sandbox[] = [];

async function loadedBox(): Promise<Sandbox> {
	const box = sandbox();
	boxes.push(box);
	const run = await sfs(box, ['import', specExamples]);
	if (run.exitCode !== 0) throw new Error(run.stderr);
	return box;
}

function emptyBox(): Sandbox {
	const box = sandbox();
	boxes.push(box);
	return box;
}

function sessionFiles(box: Sandbox, id: string): Record<string, string> {
	const dir = path.join(box.sfsHome, 'sessions', id);
	const files: Record<string, string> = {};
	for (const name of fs.readdirSync(dir, {recursive: true}).map(String).sort()) {
		if (fs.statSync(path.join(dir, name)).isFile()) files[name] = fs.readFileSync(path.join(dir, name), 'utf8');
	}

	return files;
}

afterEach(() => {
	for (const box of boxes.splice(0)) box.cleanup();
});

describe('export and import', () => {
	test('export md goes to stdout; -o writes a file', async () => {
		const box = await loadedBox();
		const md = await sfs(box, ['export', COMPLETE, '--format', 'md']);
		expect(md.exitCode).toBe(0);
		expect(md.stdout).toMatch(/^# Add user validation to signup endpoint\n/);
		expect(md.stdout).toContain('## user · 2026-03-20T14:00:00.000Z');
		expect(md.stdout).toContain('**Tool call:** `Read`');
		const file = path.join(box.root, 'out.md');
		const written = await sfs(box, ['export', COMPLETE, '-o', file]);
		expect(written).toMatchObject({exitCode: 0, stdout: ''});
		expect(fs.readFileSync(file, 'utf8')).toBe(md.stdout);
	});

	test('export json equals show --json', async () => {
		const box = await loadedBox();
		const exported = await sfs(box, ['export', SUBAGENT, '--format', 'json']);
		const shown = await sfs(box, ['show', SUBAGENT, '--json']);
		expect(JSON.parse(exported.stdout)).toEqual(JSON.parse(shown.stdout));
	});

	test.each([MINIMAL, COMPLETE, SUBAGENT])('export --format sfs of %s imports elsewhere unchanged', async id => {
		const box = await loadedBox();
		const out = path.join(box.root, 'out');
		fs.mkdirSync(out);
		const exported = await sfs(box, ['export', id, '--format', 'sfs', '-o', out]);
		expect(exported.exitCode).toBe(0);
		expect(exported.stdout.trim()).toBe(path.join(out, `${id}.sfs.tar.gz`));

		const other = emptyBox();
		const imported = parseJson<{imported: string[]}>(await sfs(other, ['import', exported.stdout.trim(), '--json']));
		expect(imported.imported).toEqual([id]);
		expect(sessionFiles(other, id)).toEqual(sessionFiles(box, id));
		const shown = parseJson<{manifest: {session_id: string}}>(await sfs(other, ['show', id, '--json']));
		expect(shown.manifest.session_id).toBe(id);
	});

	test('export sfs defaults to the current folder', async () => {
		const box = await loadedBox();
		const run = await sfs(box, ['export', 'a1b2', '--format', 'sfs']);
		expect(run.exitCode).toBe(0);
		expect(fs.existsSync(path.join(box.root, `${MINIMAL}.sfs.tar.gz`))).toBe(true);
	});

	test('export --all and import of the backup restore the whole store', async () => {
		const box = await loadedBox();
		await sfs(box, ['alias', COMPLETE, 'signup']);
		const backup = path.join(box.root, 'backup.tar.gz');
		const exported = parseJson<{path: string; sessions: string[]}>(await sfs(box, ['export', '--all', '-o', backup, '--json']));
		expect(exported.sessions.sort()).toEqual([MINIMAL, COMPLETE, SUBAGENT].sort());
		const other = emptyBox();
		const imported = await sfs(other, ['import', backup]);
		expect(imported.exitCode).toBe(0);
		expect(imported.stderr).toContain('imported 3 session(s)');
		const shown = parseJson<{manifest: {session_id: string}}>(await sfs(other, ['show', 'signup', '--json']));
		expect(shown.manifest.session_id).toBe(COMPLETE);
		const search = parseJson<Array<{session_id: string}>>(await sfs(other, ['search', 'EMAIL_PATTERN', '--json']));
		expect(search.map(hit => hit.session_id)).toContain(COMPLETE);
	});

	test('a hostile archive is refused with one line, exit 1, nothing imported', async () => {
		const box = emptyBox();
		const archive = path.join(box.root, 'evil.tar.gz');
		const header = new Header({path: '../../evil.txt', type: 'File', mode: 0o644, size: 5, mtime: new Date(0)});
		header.encode();
		fs.writeFileSync(archive, zlib.gzipSync(Buffer.concat([header.block!, Buffer.from('pwned'), Buffer.alloc(507), Buffer.alloc(1024)])));
		const run = await sfs(box, ['import', archive]);
		expect(run.exitCode).toBe(1);
		expect(run.stdout).toBe('');
		expectOneLineError(run, /^sfs: refused .*climbs out with \.\. \(archives may hold only regular files/);
		expect(fs.existsSync(path.join(box.root, 'evil.txt'))).toBe(false);
		expect(parseJson(await sfs(box, ['list', '--json']))).toEqual([]);
	});

	test('an unsupported sfs_version is named', async () => {
		const box = emptyBox();
		const dir = path.join(box.root, 'future');
		fs.cpSync(path.join(specExamples, 'minimal'), dir, {recursive: true});
		const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as object;
		fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({...manifest, sfs_version: '1.0.0'}));
		const run = await sfs(box, ['import', dir]);
		expect(run.exitCode).toBe(1);
		expectOneLineError(run, /unsupported sfs_version "1\.0\.0" \(this sfs reads version 0\.1\.0\)/);
	});

	test('importing something missing is exit 1', async () => {
		const box = emptyBox();
		const run = await sfs(box, ['import', path.join(box.root, 'nope')]);
		expect(run.exitCode).toBe(1);
		expectOneLineError(run, /nothing to import/);
	});
});

describe('storage', () => {
	test('--json reports usage per tool', async () => {
		const box = await loadedBox();
		const report = parseJson<{tools: Array<{tool: string; sessions: number; messages: number; bytes: number}>; total_bytes: number; index_bytes: number}>(
			await sfs(box, ['storage', '--json']),
		);
		expect(report.tools).toHaveLength(1);
		expect(report.tools[0]).toMatchObject({tool: 'claude-code', sessions: 3, messages: 18});
		expect(report.tools[0]!.bytes).toBeGreaterThan(1000);
		expect(report.total_bytes).toBe(report.tools[0]!.bytes + report.index_bytes);
	});

	test('prune previews with --dry-run and deletes with --yes', async () => {
		const box = await loadedBox();
		const dry = parseJson<{would_delete: Array<{session_id: string}>}>(await sfs(box, ['storage', 'prune', '--older-than', '2026-03-20T15:00:00Z', '--dry-run', '--json']));
		expect(dry.would_delete.map(row => row.session_id).sort()).toEqual([MINIMAL, COMPLETE].sort());
		expect(parseJson<unknown[]>(await sfs(box, ['list', '--json']))).toHaveLength(3);
		const refused = await sfs(box, ['storage', 'prune', '--older-than', '2026-03-20T15:00:00Z']);
		expect(refused.exitCode).toBe(2);
		const pruned = parseJson<{deleted: string[]}>(await sfs(box, ['storage', 'prune', '--older-than', '2026-03-20T15:00:00Z', '--yes', '--json']));
		expect(pruned.deleted.sort()).toEqual([MINIMAL, COMPLETE].sort());
		expect(parseJson<Array<{session_id: string}>>(await sfs(box, ['list', '--json'])).map(row => row.session_id)).toEqual([SUBAGENT]);
		const missing = await sfs(box, ['storage', 'prune']);
		expect(missing.exitCode).toBe(2);
		expectOneLineError(missing, /--older-than is required/);
	});
});

describe('the index repairs itself; the store is the truth', () => {
	test('a corrupt index.db is rebuilt and reported on stderr', async () => {
		const box = await loadedBox();
		const db = path.join(box.sfsHome, 'index.db');
		for (const suffix of ['-wal', '-shm']) fs.rmSync(`${db}${suffix}`, {force: true});
		fs.writeFileSync(db, 'this is not a database');
		const run = await sfs(box, ['search', 'EMAIL_PATTERN', '--json']);
		expect(run.exitCode).toBe(0);
		expect(parseJson<Array<{session_id: string}>>(run).map(hit => hit.session_id)).toContain(COMPLETE);
		expect(run.stderr).toMatch(/rebuilt the index from the store/);
		const again = await sfs(box, ['list', '--json']);
		expect(again.stderr).toBe('');
	});

	test('a deleted index.db is rebuilt', async () => {
		const box = await loadedBox();
		for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(box.sfsHome, `index.db${suffix}`), {force: true});
		const rows = parseJson<unknown[]>(await sfs(box, ['list', '--json']));
		expect(rows).toHaveLength(3);
	});

	test('index rebuild reports the count', async () => {
		const box = await loadedBox();
		expect(parseJson(await sfs(box, ['index', 'rebuild', '--json']))).toMatchObject({sessions: 3});
		const status = await sfs(box, ['index', 'status', '--json']);
		expect(parseJson(status)).toMatchObject({sessions: 3, messages: 18, ok: true});
		expect(status.stderr).toMatch(/^sfs index: checking every page of the index \(\d/);
	});

	test('a session with a broken manifest is reported and skipped; the others still list', async () => {
		const box = await loadedBox();
		fs.writeFileSync(path.join(box.sfsHome, 'sessions', MINIMAL, 'manifest.json'), '{"sfs_version": "0.1.0", "sess');
		await sfs(box, ['index', 'rebuild']);
		const run = await sfs(box, ['list', '--json']);
		expect(run.exitCode).toBe(0);
		expect(parseJson<Array<{session_id: string}>>(run).map(row => row.session_id).sort()).toEqual([COMPLETE, SUBAGENT].sort());
		expect(run.stderr).toContain(`skipped session ${MINIMAL}`);
		expect(run.stderr).toContain('not valid JSON');
	});

	test('a manifest that names another session than its directory is skipped, with the reason', async () => {
		const box = emptyBox();
		const dir = path.join(box.sfsHome, 'sessions', 'ses_00000000000000aa');
		fs.cpSync(path.join(specExamples, 'minimal'), dir, {recursive: true});
		const run = await sfs(box, ['list', '--json']);
		expect(run.exitCode).toBe(0);
		expect(parseJson(run)).toEqual([]);
		expect(run.stderr).toContain('skipped session ses_00000000000000aa: manifest.json names session');
		const shown = await sfs(box, ['show', 'ses_00000000000000aa']);
		expect(shown.exitCode).toBe(1);
		expectOneLineError(shown, /manifest.json names session/);
	});

	test('a session copied into the store by hand is picked up by list', async () => {
		const box = emptyBox();
		expect(parseJson(await sfs(box, ['list', '--json']))).toEqual([]);
		fs.cpSync(path.join(specExamples, 'minimal'), path.join(box.sfsHome, 'sessions', MINIMAL), {recursive: true});
		const rows = parseJson<Array<{session_id: string; message_count: number}>>(await sfs(box, ['list', '--json']));
		expect(rows).toMatchObject([{session_id: MINIMAL, message_count: 3}]);
		const hits = parseJson<Array<{session_id: string}>>(await sfs(box, ['search', 'hello', '--json']));
		expect(hits.map(hit => hit.session_id)).toContain(MINIMAL);
	});
});
