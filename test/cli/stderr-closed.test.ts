/**
 * `sfs capture 2>&1 | head -1`: once the reader is gone, every note on stderr fails with EPIPE. That
 * was an unhandled stream error, so the command exited 1 after doing its work; now the notes are
 * dropped and the command exits with its own status (a real failure still exits 1).
 */
import {spawn} from 'node:child_process';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {cliPath, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

/** Runs sfs with its stderr pipe closed by the reader before anything is written. */
async function withClosedStderr(args: string[]): Promise<{code: number | null; stdout: string}> {
	const child = spawn(process.execPath, [cliPath, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: box.env});
	child.stderr.destroy();
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	const code = await new Promise<number | null>(resolve => child.on('exit', resolve));
	return {code, stdout};
}

test('commands that note on stderr keep their exit status when stderr is gone', async () => {
	expect((await withClosedStderr(['capture'])).code).toBe(0);
	expect((await withClosedStderr(['list', '--tool', 'codex'])).code).toBe(0);
	const storage = await withClosedStderr(['storage']);
	expect(storage.code).toBe(0);
	expect(storage.stdout).toMatch(/^TOOL\s+SESSIONS/);
});

test('a real failure still exits 1', async () => {
	expect((await withClosedStderr(['show', 'no-such-session'])).code).toBe(1);
});
