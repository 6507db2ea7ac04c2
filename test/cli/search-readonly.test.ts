/**
 * `sfs search` opens the index read-only and leaves the store alone (its start-up budget); an index it
 * cannot open so is opened the usual way, which rebuilds it from the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
type Hit = {session_id: string};

let box: Sandbox;

beforeEach(async () => {
	box = await sandboxWithExamples();
});

afterEach(() => box.cleanup());

test('a search does not set up the store (an orphaned temp directory stays for the next writer)', async () => {
	const orphan = path.join(box.sfsHome, 'sessions', '.orphan.tmp-1');
	fs.mkdirSync(orphan);
	const run = await sfs(box, ['search', 'EMAIL_PATTERN', '--json']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect(parseJson<Hit[]>(run).map(hit => hit.session_id)).toContain(COMPLETE);
	expect(run.stderr).toBe('');
	expect(fs.existsSync(orphan)).toBe(true);
	// A command that opens the store tidies it.
	expect((await sfs(box, ['list', '--json'])).exitCode).toBe(0);
	expect(fs.existsSync(orphan)).toBe(false);
});

test('a missing index is rebuilt from the store, then searched', async () => {
	for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(box.sfsHome, `index.db${suffix}`), {force: true});
	const run = await sfs(box, ['search', 'EMAIL_PATTERN', '--json']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect(parseJson<Hit[]>(run).map(hit => hit.session_id)).toContain(COMPLETE);
	expect(fs.existsSync(path.join(box.sfsHome, 'index.db'))).toBe(true);
});

test('prefix and camelCase prefix queries work through the CLI', async () => {
	for (const query of ['EMAIL_PAT*', 'valid*', 'AsyncC*']) {
		const run = await sfs(box, ['search', query, '--json']);
		expect(run.exitCode, `${query}: ${run.stderr}`).toBe(0);
		expect(parseJson<Hit[]>(run).length, query).toBeGreaterThan(0);
	}
});
