import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {cliPath, type Sandbox, sandbox, sfs, specExamples} from './run-sfs.js';

let box: Sandbox;
const tracer = path.join(import.meta.dirname, 'import-tracer.mjs');

beforeAll(async () => {
	box = sandbox();
	await sfs(box, ['import', specExamples]);
});

afterAll(() => box.cleanup());

/** Every module URL the ESM loader resolved while running `sfs <args>`. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
	const file = path.join(box.root, `trace-${args[0]}.txt`);
	fs.rmSync(file, {force: true});
	const result = await execa(process.execPath, ['--import', tracer, cliPath, ...args], {
		env: {...box.env, SFS_TRACE_IMPORTS: file},
		extendEnv: false,
		reject: false,
		input: '',
	});
	expect(result.exitCode, String(result.stderr)).toBe(0);
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

test('sfs search runs from the one CommonJS file dist/search-fast.cjs: the ESM loader loads no other module of sfs', async () => {
	const loaded = await modulesLoadedBy(['search', 'email', '--json']);
	expect(loaded.filter(url => url.includes('/dist/'))).toEqual([expect.stringMatching(/\/dist\/cli\.js$/)]);
	expect(loaded.filter(url => /node_modules\/(ink|react)\//.test(url))).toEqual([]);
	const run = await sfs(box, ['search', 'email', '--json']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect((JSON.parse(run.stdout) as unknown[]).length).toBeGreaterThan(0);
});

test.each([
	[['list', '--json']],
	[['show', 'a1b2', '--json']],
	[['export', 'a1b2']],
	[['config', 'show']],
])('sfs %j loads neither ink nor react, nor other commands', async args => {
	const loaded = await modulesLoadedBy(args);
	expect(loaded.some(url => url.includes('/dist/commands/'))).toBe(true);
	const unwanted = loaded.filter(url => /node_modules\/(ink|react|ink-text-input|fuse\.js|chokidar|ajv)\//.test(url) || url.endsWith('/dist/tui.js'));
	expect(unwanted).toEqual([]);
	const commands = new Set(loaded.filter(url => url.includes('/dist/commands/')).map(url => path.basename(url)));
	for (const name of commands) expect(['registry.js', 'common.js', `${args[0]}.js`]).toContain(name);
});
