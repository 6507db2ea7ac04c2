/**
 * `resume.default_target`: where a capture-only source's session (Amp here) resumes without --in. The key
 * was accepted by `config set` but nothing read it; `tui.sort`, which nothing reads either, is gone.
 */
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, parseJson, repoRoot, type Sandbox, sandbox, sfs} from './run-sfs.js';

let box: Sandbox;
let ampSession: string;

beforeAll(async () => {
	box = sandbox();
	const thread = path.join(repoRoot, 'test/fixtures/amp/legacy-threads/T-0196f2a1-7c3e-7a10-9b2d-5e4f3a2b1c0d.json');
	const imported = await sfs(box, ['import', '--from', 'amp', thread, '--json']);
	ampSession = parseJson<{imported: string[]}>(imported).imported[0]!;
	if (!ampSession) throw new Error(imported.stderr);
});

afterAll(() => box.cleanup());

test('an Amp session resumes in resume.default_target without --in; before it is set, the error says how', async () => {
	const refused = await sfs(box, ['resume', ampSession, '--no-launch', '--cwd', box.root]);
	expect(refused.exitCode).toBe(2);
	expectOneLineError(refused, /amp is a capture-only source: sfs cannot launch it \(pick a target: .*or set a default: sfs config set resume.default_target codex\)/);

	expect((await sfs(box, ['config', 'set', 'resume.default_target', 'codex'])).exitCode).toBe(0);
	const plan = parseJson<{target: string; native_path: string}>(await sfs(box, ['resume', ampSession, '--no-launch', '--json', '--cwd', box.root]));
	expect(plan.target).toBe('codex');
	expect(plan.native_path.startsWith(path.join(box.home, '.codex', 'sessions'))).toBe(true);

	// --in still wins.
	expect(parseJson<{target: string}>(await sfs(box, ['resume', ampSession, '--in', 'gemini', '--no-launch', '--json', '--cwd', box.root])).target).toBe('gemini');
});

test('config set checks resume.default_target, and tui.sort is no key', async () => {
	const bad = await sfs(box, ['config', 'set', 'resume.default_target', 'cursor']);
	expect(bad.exitCode).toBe(2);
	expectOneLineError(bad, /resume.default_target must be one of claude-code, codex, gemini, copilot/);
	const gone = await sfs(box, ['config', 'set', 'tui.sort', 'updated']);
	expect(gone.exitCode).toBe(2);
	expectOneLineError(gone, /unknown config key: tui.sort/);
});
