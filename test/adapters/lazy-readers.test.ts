import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, expect, test} from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tracer = path.join(root, 'test/cli/import-tracer.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-lazy-readers-'));
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

/** Module URLs resolved while a fresh node (with tsx) runs `script` as an ES module. */
async function modulesLoadedBy(script: string): Promise<string[]> {
	const file = path.join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
	const result = await execa(process.execPath, ['--import', 'tsx', '--import', tracer, '--input-type=module', '-e', script], {
		cwd: root,
		env: {SFS_TRACE_IMPORTS: file, HOME: dir, PATH: process.env.PATH},
		extendEnv: false,
		reject: false,
	});
	expect(result.exitCode, String(result.stderr)).toBe(0);
	return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

const readers = /\/adapters\/(claude-code-reader|claude-code-records|codex-session|codex-reader|gemini-session|gemini-assembler)\.ts$|node_modules\/fzstd\//;

test('importing the adapter registry loads no session reader (a no-op capture reads none)', async () => {
	const loaded = await modulesLoadedBy(`const {adapters} = await import('./source/adapters/registry.ts'); if (adapters.length !== 8) process.exit(3);`);
	expect(loaded.some(url => url.endsWith('/adapters/claude-code.ts'))).toBe(true);
	expect(loaded.filter(url => readers.test(url))).toEqual([]);
});

test('a read loads the reader of that tool only', async () => {
	const script = `
const {adapterFor} = await import('./source/adapters/registry.ts');
const fs = await import('node:fs');
const file = ${JSON.stringify(path.join(dir, 's.jsonl'))};
fs.writeFileSync(file, JSON.stringify({type: 'user', uuid: 'u1', sessionId: 's', timestamp: '2026-01-01T00:00:00Z', message: {role: 'user', content: 'hi'}}) + '\\n');
const result = await adapterFor('claude-code').read({session: {tool: 'claude-code', nativeId: 's', files: [file], growth: 'append'}}, {});
if (result.messages.length !== 1) process.exit(4);`;
	const loaded = await modulesLoadedBy(script);
	expect(loaded.some(url => url.endsWith('/adapters/claude-code-reader.ts'))).toBe(true);
	expect(loaded.filter(url => /codex-session|gemini-session|fzstd/.test(url))).toEqual([]);
});
