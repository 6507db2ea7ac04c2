/**
 * False positives as sfs really sees them: the recorded real sessions and the tool fixtures are
 * captured with `sfs import --from` (the adapters decode every native format, SQLite ones too), then
 * `sfs dlp scan --all` must find nothing, and every session must export under the default policy.
 */
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, repoRoot, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

let box: Sandbox;
const fixtures = path.join(repoRoot, 'test', 'fixtures');
const SOURCES: Array<[tool: string, dir: string]> = [
	...['claude-code', 'codex', 'gemini', 'copilot', 'cline'].map((tool): [string, string] => [tool, path.join(fixtures, 'recorded', tool)]),
	...['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp'].map((tool): [string, string] => [tool, path.join(fixtures, tool)]),
];

beforeAll(async () => {
	box = sandbox();
	for (const [tool, dir] of SOURCES) {
		const run = await sfs(box, ['import', '--from', tool, dir, '--json']);
		if (run.exitCode !== 0) throw new Error(`import --from ${tool} ${dir}: ${run.stderr}`);
	}
}, 120_000);

afterAll(() => box?.cleanup());

test('no findings in any captured recorded or fixture session', async () => {
	const result = parseJson<{sessions_scanned: number; secrets: number; personal: number; sessions: unknown[]}>(await sfs(box, ['dlp', 'scan', '--all', '--json']));
	expect(result.sessions_scanned).toBeGreaterThanOrEqual(30);
	expect(result.sessions).toEqual([]);
	expect(result.secrets).toBe(0);
	expect(result.personal).toBe(0);
});

test('the whole store exports under the default policy (nothing blocked)', async () => {
	const run = await sfs(box, ['export', '--all', '-o', path.join(box.root, 'backup.tar.gz'), '--json']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect(run.stderr).not.toContain('dlp');
});
