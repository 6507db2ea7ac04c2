/**
 * `sfs resume <ref>` when the target tool is not on PATH: it used to write the native session first
 * and then fail, so every try left one more session in the tool's store (each captured later as a
 * copy). Now it fails before writing; --no-launch still writes and prints the command.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandbox, sfs, specExamples} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;
let emptyPath: string;

function filesUnder(dir: string): string[] {
	return fs.existsSync(dir) ? (fs.readdirSync(dir, {recursive: true}) as string[]).filter(file => fs.statSync(path.join(dir, file)).isFile()) : [];
}

beforeAll(async () => {
	box = sandbox();
	emptyPath = path.join(box.root, 'empty-bin');
	fs.mkdirSync(emptyPath);
	const run = await sfs(box, ['import', specExamples]);
	if (run.exitCode !== 0) throw new Error(run.stderr);
});

afterAll(() => box.cleanup());

test('a missing tool fails before anything is written, each time', async () => {
	for (const args of [['--in', 'codex'], ['--in', 'gemini'], []]) {
		const run = await sfs(box, ['resume', COMPLETE, '--cwd', box.root, ...args], {env: {PATH: emptyPath}});
		expect(run.exitCode).toBe(1);
		expectOneLineError(run, /is not installed or not on PATH \(install it: .*; nothing was written/);
		expect(run.stderr).not.toMatch(/wrote/);
	}

	expect(filesUnder(path.join(box.home, '.codex'))).toEqual([]);
	expect(filesUnder(path.join(box.home, '.gemini'))).toEqual([]);
	expect(filesUnder(path.join(box.home, '.claude'))).toEqual([]);
});

test('--no-launch still writes the session without the tool installed', async () => {
	const plan = parseJson<{native_path: string; command: string[]}>(await sfs(box, ['resume', COMPLETE, '--in', 'codex', '--cwd', box.root, '--no-launch', '--json'], {env: {PATH: emptyPath}}));
	expect(fs.existsSync(plan.native_path)).toBe(true);
	expect(plan.command[0]).toBe('codex');
});
