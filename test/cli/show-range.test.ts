/**
 * `sfs show --from/--to`: a range that ends before it starts is a usage error (it printed the header
 * and no messages, exit 0), and a --from past the last message says how many there are.
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('--to before --from is a usage error', async () => {
	const run = await sfs(box, ['show', COMPLETE, '--from', '5', '--to', '2']);
	expect(run.exitCode).toBe(2);
	expect(run.stdout).toBe('');
	expectOneLineError(run, /^sfs: show: --to 2 is before --from 5/);
});

test('--from past the end prints the header and says how many messages there are', async () => {
	const count = parseJson<{messages: unknown[]}>(await sfs(box, ['show', COMPLETE, '--json'])).messages.length;
	const run = await sfs(box, ['show', COMPLETE, '--from', String(count + 1)]);
	expect(run.exitCode).toBe(0);
	expect(run.stdout).toContain(COMPLETE);
	expect(run.stdout).not.toContain('── #');
	expect(run.stderr).toBe(`sfs: no message #${count + 1}: the session has ${count} message(s)\n`);
});

test('a range inside the session is unchanged', async () => {
	const run = await sfs(box, ['show', COMPLETE, '--from', '2', '--to', '3']);
	expect(run.exitCode).toBe(0);
	expect(run.stderr).toBe('');
	expect(run.stdout.match(/── #\d+/g)).toEqual(['── #2', '── #3']);
});
