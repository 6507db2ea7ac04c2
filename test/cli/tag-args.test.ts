/**
 * `sfs tag <ref> +a -b` reads `-b` as a removal, not a flag. The flags every command takes still work
 * after the ref (--no-color, --json), and `--` ends the flags the usual way (everything after it is a change).
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const MINIMAL = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('--no-color after the ref is the global flag, not a tag', async () => {
	const run = await sfs(box, ['tag', MINIMAL, '+colourless', '--no-color']);
	expect(run.stderr).toBe('');
	expect(run.exitCode).toBe(0);
	expect(run.stdout.split('\n')).toContain('colourless');
});

test('after --, -x is a removal and --json is not read as a flag', async () => {
	await sfs(box, ['tag', MINIMAL, '+keep', '+drop']);
	const run = await sfs(box, ['tag', MINIMAL, '--json', '--', '-drop']);
	expect(run.exitCode).toBe(0);
	const tags = parseJson<{tags: string[]}>(run).tags;
	expect(tags).toContain('keep');
	expect(tags).not.toContain('drop');

	const literal = await sfs(box, ['tag', MINIMAL, '--', '--json']);
	expect(literal.exitCode).toBe(2);
	expect(literal.stderr).toMatch(/^sfs: not a valid tag: "--json"/);
});
