/**
 * `sfs summary`'s period flags: contradictory or dangling ones are usage errors (exit 2), where they
 * used to be dropped silently (--today won over --since; --until with a <ref> was ignored) or gave
 * "no session activity" for an empty window that ends before it starts.
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('--today with --since is refused', async () => {
	const run = await sfs(box, ['summary', '--today', '--since', '2d']);
	expect(run.exitCode).toBe(2);
	expectOneLineError(run, /give --today or --since, not both/);
});

test('--until before the start is refused', async () => {
	const run = await sfs(box, ['summary', '--since', '2026-03-27', '--until', '2026-03-01']);
	expect(run.exitCode).toBe(2);
	expect(run.stdout).toBe('');
	expectOneLineError(run, /--until 2026-03-01T00:00:00.000Z is before the start 2026-03-27T00:00:00.000Z/);
});

test('--until without --today/--since is refused, with or without a <ref>', async () => {
	for (const args of [['summary', COMPLETE, '--until', '2026-03-01'], ['summary', '--until', '2026-03-01']]) {
		const run = await sfs(box, args);
		expect(run.exitCode).toBe(2);
		expectOneLineError(run, /--until goes with --today or --since/);
	}
});

test('a valid window still works', async () => {
	const run = await sfs(box, ['summary', '--since', '2026-03-20', '--until', '2026-03-21', '--json']);
	expect(run.exitCode).toBe(0);
	expect(parseJson<{totals: {sessions: number}}>(run).totals.sessions).toBeGreaterThan(0);
});
