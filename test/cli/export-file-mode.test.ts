/** Archives sfs writes are private (0600) like the store they come from; tar created them 0644. */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('export --format sfs and export --all write archives only their owner can read', async () => {
	const one = path.join(box.root, 'one.tar.gz');
	const all = path.join(box.root, 'all.tar.gz');
	for (const args of [['export', COMPLETE, '--format', 'sfs', '-o', one], ['export', '--all', '-o', all]]) {
		const run = await sfs(box, args);
		expect(run.exitCode, run.stderr).toBe(0);
	}

	for (const file of [one, all]) expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
});
