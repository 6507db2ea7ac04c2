/**
 * `sfs search --json` into a pipe or a file starts lean (dist/search-fast.cjs, no process.stdout, so
 * none of Node's net and stream modules), writes its whole answer itself, and treats a reader that
 * went away as no error.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {cliPath, parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('loads neither net nor the stream modules', async () => {
	const list = path.join(box.root, 'modules.txt');
	const hook = path.join(box.root, 'module-list.cjs');
	fs.writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
	const run = await execa(process.execPath, ['-r', hook, cliPath, 'search', 'email', '--json'], {env: box.env, extendEnv: false, reject: false, input: ''});
	expect(run.exitCode, String(run.stderr)).toBe(0);
	expect((JSON.parse(String(run.stdout)) as unknown[]).length).toBeGreaterThan(0);
	const loaded = fs.readFileSync(list, 'utf8').split('\n');
	expect(loaded).not.toContain('NativeModule net');
	expect(loaded).not.toContain('NativeModule stream');
	// The text output still prints through process.stdout.
	expect((await sfs(box, ['search', 'email'])).stdout).toMatch(/email/i);
});

test('writes the whole answer into a file', async () => {
	const file = path.join(box.root, 'hits.json');
	const run = await execa(process.execPath, [cliPath, 'search', 'e*', '--json', '--limit', '500'], {env: box.env, extendEnv: false, reject: false, input: '', stdout: {file}});
	expect(run.exitCode, String(run.stderr)).toBe(0);

	const hits = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[];
	expect(hits).toEqual(parseJson(await sfs(box, ['search', 'e*', '--json', '--limit', '500'])));
	expect(hits.length).toBeGreaterThan(1);
});

test('a reader that goes away early is no error', async () => {
	const child = spawn(process.execPath, [cliPath, 'search', 'e*', '--json', '--limit', '500'], {env: box.env, stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr.on('data', chunk => (stderr += String(chunk)));
	child.stdout.once('data', () => child.stdout.destroy());
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	expect(stderr).toBe('');
	expect(code).toBe(0);
});
