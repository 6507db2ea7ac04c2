/**
 * What `sfs list` and `sfs search` say when they print nothing. An empty store asks for a capture;
 * filters that match nothing say so (not "no sessions yet" over a full store); a --tool that no
 * tool is called (`--tool claude` for claude-code) is named, with the tool ids. Exit 0 throughout:
 * an empty result is not a failure.
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs, specExamples} from './run-sfs.js';

let box: Sandbox;
let empty: Sandbox;

beforeAll(async () => {
	box = sandbox();
	empty = sandbox();
	const run = await sfs(box, ['import', specExamples]);
	if (run.exitCode !== 0) throw new Error(run.stderr);
});

afterAll(() => {
	box.cleanup();
	empty.cleanup();
});

test('an empty store: list asks for a capture or an import', async () => {
	const run = await sfs(empty, ['list']);
	expect(run.exitCode).toBe(0);
	expect(run.stdout).toBe('');
	expect(run.stderr).toMatch(/^sfs: no sessions yet \(capture them with `sfs capture`/);
});

test('filters that match nothing say so, not "no sessions yet"', async () => {
	for (const args of [['--tool', 'codex'], ['--tag', 'no-such-tag'], ['--project', '/nowhere'], ['--since', '2099-01-01']]) {
		const run = await sfs(box, ['list', ...args]);
		expect(run.exitCode).toBe(0);
		expect(run.stdout).toBe('');
		expect(run.stderr).toBe('sfs: no sessions match these filters (see all: sfs list)\n');
	}

	expect(parseJson(await sfs(box, ['list', '--tool', 'codex', '--json']))).toEqual([]);
});

test('a --tool no tool is called is named, with the tool ids', async () => {
	const listed = await sfs(box, ['list', '--tool', 'claude']);
	expect(listed.exitCode).toBe(0);
	expect(listed.stderr).toBe('sfs: no sessions match these filters (no tool is called "claude"; tools: claude-code, codex, gemini, copilot, cursor, amp, cline, roo-code)\n');

	const searched = await sfs(box, ['search', 'the', '--tool', 'claude']);
	expect(searched.exitCode).toBe(0);
	expect(searched.stdout).toBe('');
	expect(searched.stderr).toMatch(/^sfs: no matches for "the" \(no tool is called "claude"; tools: claude-code, codex/);
});

test('a known tool with no hits keeps the plain "no matches"', async () => {
	const run = await sfs(box, ['search', 'zzzqqqxx', '--tool', 'codex']);
	expect(run.stderr).toBe('sfs: no matches for "zzzqqqxx"\n');
});

test('--limit 0 is a usage error, not an empty result that reads as "no sessions yet"', async () => {
	for (const args of [['list', '--limit', '0'], ['list', '--json', '--limit', '0'], ['search', 'the', '--limit', '0'], ['search', 'the', '--json', '--limit', '0']]) {
		const run = await sfs(box, args);
		expect(run.exitCode).toBe(2);
		expect(run.stdout).toBe('');
		expect(run.stderr).toBe('sfs: --limit takes a whole number of at least 1 (got "0")\n');
	}

	expect(parseJson<unknown[]>(await sfs(box, ['list', '--json', '--limit', '1']))).toHaveLength(1);
});
