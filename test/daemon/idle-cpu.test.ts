/**
 * A shorter, bounded run of scripts/daemon-idle-cpu.ts (the on-demand measurement uses 10,000
 * sessions and 60 s): 1,000 sessions on disk, 8 s idle, under 1 % CPU; then 5 appends, each
 * searchable within 3 s.
 */
import path from 'node:path';
import {execa} from 'execa';
import {expect, test} from 'vitest';
import {repoRoot} from '../cli/run-sfs.js';

test('the idle daemon uses under 1 % CPU with 1,000 sessions on disk; appends become searchable within 3 s', async () => {
	const run = await execa(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'daemon-idle-cpu.ts'), '--sessions', '1000', '--seconds', '8', '--appends', '5'], {
		cwd: repoRoot,
		reject: false,
		timeout: 240_000,
	});
	const result = JSON.parse(String(run.stdout).trim().split('\n').at(-1)!) as {sessions: number; idle_seconds: number; cpu_percent: number; watched_roots: number; append_to_visible_ms: {median: number; max: number}; ok: boolean};
	expect(result.sessions).toBe(1000);
	expect(result.idle_seconds).toBeGreaterThanOrEqual(8);
	expect(result.watched_roots).toBeGreaterThan(0);
	expect(result.cpu_percent).toBeLessThan(1);
	// And then, busy again: each append searchable well within 3 s.
	expect(result.append_to_visible_ms.max).toBeLessThan(3000);
	expect(run.exitCode).toBe(0);
}, 300_000);
