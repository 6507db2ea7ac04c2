/**
 * The built binary end to end: real recordings captured into a sandbox, then summary, audit, show --cost
 * and list --json. Build first (`npm run build`; `npm test` does).
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');
let box: Sandbox;
let claudeId: string;
let codexId: string;

beforeAll(async () => {
	box = sandbox();
	fs.cpSync(path.join(fixtures, 'recorded', 'claude-code', 'projects'), path.join(box.home, '.claude', 'projects'), {recursive: true});
	fs.cpSync(path.join(fixtures, 'codex', 'real-0.169.0-failing-command', 'sessions'), path.join(box.home, '.codex', 'sessions'), {recursive: true});
	const capture = await sfs(box, ['capture']);
	expect(capture.exitCode, capture.stderr).toBe(0);
	const rows = parseJson<Array<{session_id: string; tool: string}>>(await sfs(box, ['list', '--json']));
	claudeId = rows.find(row => row.tool === 'claude-code')!.session_id;
	codexId = rows.find(row => row.tool === 'codex')!.session_id;
}, 120_000);

afterAll(() => box?.cleanup());

describe('sfs summary, audit and costs through the built binary', () => {
	it('summary --json of a captured Claude Code recording', async () => {
		const run = await sfs(box, ['summary', claudeId, '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		const summary = parseJson<Record<string, unknown>>(run);
		expect(summary).toMatchObject({
			files: [{path: 'notes.txt', action: 'read', lines_added: 0, lines_removed: 0}],
			commands: [{command: 'cat notes.txt', exit_code: 0}],
			tests: [],
			packages: [],
			errors: [],
			turns: 2,
			cost_usd: 0.00243,
		});
	});

	it('summary of the failing Codex command, and a per-day summary across both tools', async () => {
		const codex = parseJson<{commands: unknown[]; errors: unknown[]}>(await sfs(box, ['summary', codexId, '--json']));
		expect(codex.commands).toEqual([{command: 'cat missing.txt', exit_code: 1}, {command: 'wc -l notes.txt', exit_code: 0}]);
		expect(codex.errors).toHaveLength(1);
		const period = parseJson<{totals: {sessions: number; cost_usd: number}}>(await sfs(box, ['summary', '--since', '2020-01-01', '--json']));
		expect(period.totals).toMatchObject({sessions: 2, cost_usd: 0.00243 + 0.00225});
	});

	it('audit --json finds nothing to contradict in honest recordings', async () => {
		const run = await sfs(box, ['audit', codexId, '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		expect(parseJson(run)).toEqual({findings: []});
	});

	it('show --cost and list --json carry the cost', async () => {
		const show = await sfs(box, ['show', claudeId, '--cost']);
		expect(show.stdout).toContain('cost       $0.00243 (3 API response(s))');
		const rows = parseJson<Array<{session_id: string; cost_usd: number; unpriced_models: unknown[]}>>(await sfs(box, ['list', '--json']));
		expect(Object.fromEntries(rows.map(row => [row.session_id, [row.cost_usd, row.unpriced_models]]))).toEqual({[claudeId]: [0.00243, []], [codexId]: [0.00225, []]});
	});

	it('usage errors are one line, exit 2', async () => {
		const both = await sfs(box, ['summary', claudeId, '--today']);
		expect(both.exitCode).toBe(2);
		expectOneLineError(both, /give a <ref> or --today\/--since, not both/);
		const verdicts = await sfs(box, ['audit', claudeId, '--dismiss', 'a', '--confirm', 'b']);
		expect(verdicts.exitCode).toBe(2);
		const noLlm = await sfs(box, ['audit', claudeId, '--judge']);
		expect(noLlm.exitCode).toBe(2);
		expectOneLineError(noLlm, /no LLM provider configured/);
	});
});
