/**
 * `sfs fork <ref> --at <msg_id>` takes a message id; `sfs show` numbers messages (#3), so a user
 * types `--at 3`. The error says what --at takes and, for a position, which id that message has.
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('--at 3 names the id of message #3', async () => {
	const run = await sfs(box, ['fork', COMPLETE, '--at', '3']);
	expect(run.exitCode).toBe(1);
	expectOneLineError(run, /^sfs: message 3 not found in b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e \(--at takes a message id, the last field of each heading of sfs show b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e; message #3 is --at msg-003\)$/);
	const shown = parseJson<{messages: Array<{msg_id: string}>}>(await sfs(box, ['show', COMPLETE, '--json']));
	expect(shown.messages[2]!.msg_id).toBe('msg-003');
});

test('an unknown id shows an example id; no session is created', async () => {
	const before = parseJson<unknown[]>(await sfs(box, ['list', '--json', '--subagents'])).length;
	const run = await sfs(box, ['fork', COMPLETE, '--at', 'nope']);
	expect(run.exitCode).toBe(1);
	expectOneLineError(run, /^sfs: message nope not found in .* e\.g\. --at msg-\d+\)$/);
	expect(parseJson<unknown[]>(await sfs(box, ['list', '--json', '--subagents']))).toHaveLength(before);
});
