/**
 * `sfs export <ref> --json` used to print the Markdown export (the default format), so `| jq` failed on
 * text that looked like success. --json belongs to the archive exports (--format sfs, --all), which
 * print {"path", "sessions"}; elsewhere it is a usage error pointing at --format json.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('--json on the default (md) or a native format is a usage error naming --format json', async () => {
	for (const args of [[], ['--format', 'md'], ['--format', 'codex', '-o', path.join(box.root, 'native')]]) {
		const run = await sfs(box, ['export', COMPLETE, '--json', ...args]);
		expect(run.exitCode).toBe(2);
		expect(run.stdout).toBe('');
		expectOneLineError(run, /^sfs: export: --json goes with --format sfs or --all .*--format json/);
	}

	expect(fs.existsSync(path.join(box.root, 'native'))).toBe(false);
});

test('--json with --format sfs and --format json still prints JSON', async () => {
	const archived = parseJson<{path: string; sessions: string[]}>(await sfs(box, ['export', COMPLETE, '--format', 'sfs', '--json', '-o', `${box.root}/`]));
	expect(archived.sessions).toEqual([COMPLETE]);
	expect(fs.existsSync(archived.path)).toBe(true);
	const session = parseJson<{manifest: {session_id: string}}>(await sfs(box, ['export', COMPLETE, '--format', 'json', '--json']));
	expect(session.manifest.session_id).toBe(COMPLETE);
});
