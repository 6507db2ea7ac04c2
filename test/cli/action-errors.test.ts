/**
 * Unknown actions of commands with subcommands: one line that starts "sfs: <command>:" once (watcher
 * said "sfs: sfs watcher:") and names every action (index named rebuild only, not status).
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, type Sandbox, sandbox, sfs} from './run-sfs.js';

let box: Sandbox;

beforeAll(() => {
	box = sandbox();
});

afterAll(() => box.cleanup());

test('watcher: one "sfs:" prefix', async () => {
	const run = await sfs(box, ['watcher', 'frob']);
	expect(run.exitCode).toBe(2);
	expectOneLineError(run, /^sfs: watcher: unknown action "frob" \(list, enable or disable\)$/);
});

test('index: names rebuild and status', async () => {
	const run = await sfs(box, ['index', 'frob']);
	expect(run.exitCode).toBe(2);
	expectOneLineError(run, /^sfs: index: unknown action "frob" \(use: sfs index rebuild, or sfs index status\)$/);
});
