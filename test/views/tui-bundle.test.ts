/**
 * The built TUI is one bundled module (scripts/bundle-tui.mjs): loading it must not walk ink's and
 * react's module graphs (~530 files, most of the start-up time before the first frame), React must be
 * its production build, and engine modules must stay shared with the rest of dist/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, expect, test} from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const tuiPath = path.join(repoRoot, 'dist', 'tui.js');
const tracer = path.join(repoRoot, 'test', 'cli', 'import-tracer.mjs');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-bundle-'));

afterAll(() => {
	fs.rmSync(scratch, {recursive: true, force: true});
});

test('dist/tui.js loads as one module with its dependencies inside, React in production mode', async () => {
	expect(fs.existsSync(tuiPath), 'run npm run build first').toBe(true);
	const trace = path.join(scratch, 'trace.txt');
	// Also: whether Node's fetch (undici) was loaded, which yoga's wasm loader would do for its data: URL.
	const probe = `const m = await import(${JSON.stringify(pathToUrl(tuiPath))}); console.log(typeof m.runTui, typeof m.canRunTui, process.moduleLoadList.some(name => name.includes('undici')));`;
	const result = await execa(process.execPath, ['--import', tracer, '--input-type=module', '-e', probe], {
		env: {...process.env, SFS_TRACE_IMPORTS: trace, NODE_ENV: ''},
		reject: false,
	});
	expect(result.exitCode, result.stderr).toBe(0);
	expect(result.stdout.trim()).toBe('function function false');
	const loaded = fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean);
	const fromPackages = loaded.filter(url => url.includes('/node_modules/'));
	expect(fromPackages).toEqual([]); // ink, react, es-toolkit, yoga… are all inside the bundle
	expect(loaded.filter(url => url.includes('/dist/engine/')).length).toBeGreaterThan(0); // shared, not copied in
	expect(loaded.length).toBeLessThan(15);

	const source = fs.readFileSync(tuiPath, 'utf8');
	expect(source).not.toContain('react-reconciler.development');
	expect(source).not.toContain('process.env.NODE_ENV'); // decided at bundle time; never read (or leaked) at run time
	// Ink's string-width is swapped for source/views/string-width.ts (its fast path is what Ink's output cache calls).
	expect(source).toContain('NARROW_RANGES');
	const measuredWith = /getStringWidth\(text\)\{.*?=(\w+)\(text\)/.exec(source)?.[1];
	expect(measuredWith).toBeDefined();
	expect(source).toMatch(new RegExp(`function ${measuredWith}\\(text,options\\)\\{if\\(typeof text!="string"\\|\\|options!==void 0\\)`));
});

function pathToUrl(file: string): string {
	return new URL(`file://${file}`).href;
}
