import {describe, expect, it} from 'vitest';
import {shippedPrices} from '../../source/engine/insight/prices.js';
import {isTestCommand, parseTestOutput} from '../../source/engine/insight/test-runs.js';
import {summarizePeriod} from '../../source/engine/insight/session-insight.js';
import {relativePath, summarize} from '../../source/engine/insight/summary.js';
import {SessionBuilder} from './build.js';
import {realFixtureSession, recordedSession} from './load-sessions.js';

const table = shippedPrices();
const tokens = (input: number, output: number, reasoning = 0) => ({input, output, cache_read: 0, cache_write: 0, reasoning, total: input + output});

describe('summary over the sessions the real CLIs recorded', () => {
	// Each recording: turn 1 runs `cat notes.txt` with the tool's own shell tool, turn 2 only answers.
	const recorded = {
		'claude-code': {tokens: tokens(360, 90), cost_usd: 0.00243},
		codex: {tokens: tokens(360, 90, 20), cost_usd: 0.00135},
		gemini: {tokens: tokens(360, 110, 20), cost_usd: 0.000383},
		copilot: {tokens: tokens(360, 90), cost_usd: 0.00243},
		cline: {tokens: tokens(360, 90), cost_usd: 0.0018},
	} as const;
	for (const [tool, want] of Object.entries(recorded)) {
		it(`${tool}`, async () => {
			const session = await recordedSession(tool as keyof typeof recorded);
			const {summary} = summarize(session, table);
			const {duration_ms: duration, ...rest} = summary;
			expect(rest).toEqual({
				files: [{path: 'notes.txt', action: 'read', lines_added: 0, lines_removed: 0}],
				commands: [{command: 'cat notes.txt', exit_code: 0}],
				tests: [],
				packages: [],
				errors: [],
				turns: 2,
				tokens: want.tokens,
				cost_usd: want.cost_usd,
			});
			const times = session.messages.map(message => Date.parse(message.timestamp));
			expect(duration).toBe(Math.max(...times) - Math.min(...times));
			expect(Object.keys(summary)).toEqual(['files', 'commands', 'tests', 'packages', 'errors', 'duration_ms', 'turns', 'tokens', 'cost_usd']);
		});
	}

	for (const tool of ['claude-code', 'codex'] as const) {
		it(`${tool}: a failing command is exit 1 and an error, the next command exit 0`, async () => {
			const session = await realFixtureSession(tool, tool === 'codex' ? 'real-0.169.0-failing-command' : 'real-2.1.332-failing-command');
			const {summary} = summarize(session, table);
			expect(summary.commands).toEqual([{command: 'cat missing.txt', exit_code: 1}, {command: 'wc -l notes.txt', exit_code: 0}]);
			expect(summary.errors).toHaveLength(1);
			expect(summary.errors[0]).toMatchObject({tool: tool === 'codex' ? 'exec_command' : 'Bash', message: 'cat: missing.txt: No such file or directory'});
			expect(summary.files).toEqual([]);
			expect(summary.turns).toBe(3);
			expect(summary.tokens).toEqual(tokens(600, 150, tool === 'codex' ? 30 : 0));
		});
	}
});

describe('summary of a purpose-built session', () => {
	function build() {
		const b = new SessionBuilder('claude-code', '2026-03-20T10:00:00.000Z', '/work/demo');
		b.user('Add a greeting and make the tests pass.');
		b.call('Read', {file_path: '/work/demo/src/app.py'}, {content: '1\tdef main():\n2\t    pass\n'});
		b.call('Edit', {file_path: '/work/demo/src/app.py', old_string: '    pass\n', new_string: '    print("hi")\n    return 0\n'}, {content: 'The file /work/demo/src/app.py has been updated.'});
		b.call('Write', {file_path: '/work/demo/tests/test_app.py', content: 'def test_main():\n    assert True\n'}, {content: 'File created successfully at: /work/demo/tests/test_app.py'});
		b.call('Edit', {file_path: '/work/demo/README.md', old_string: 'x', new_string: 'y'}, {content: 'String to replace not found in file.', is_error: true});
		b.call('apply_patch', {input: '*** Begin Patch\n*** Add File: docs/new.md\n+# New\n+text\n*** Delete File: old.txt\n*** Update File: src/util.py\n@@\n-a = 1\n+a = 2\n*** End Patch'}, {content: 'Done'});
		b.bash('cd /work/demo && pip install requests==2.32.0 "httpx[http2]>=0.27"', 'Successfully installed requests-2.32.0');
		b.bash('npm install', 'up to date');
		b.bash('npm install --save-dev @types/node@20 lodash', 'added 2 packages');
		b.bash('pip install nonexistent-pkg', 'ERROR: No matching distribution found', 1);
		b.bash('uv add rich && cargo add serde --features derive && go get github.com/stretchr/testify@latest', 'ok');
		b.bash('python -m pytest -q', '..F\n=========================== 1 failed, 2 passed in 0.05s ===========================', 1);
		b.bash('pytest -q', '...\n3 passed in 0.04s');
		b.bash('npx vitest run', ' Test Files  1 passed (1)\n      Tests  4 passed | 1 skipped (5)\n');
		b.bash('npm test', 'Tests:       1 failed, 6 passed, 7 total', 1);
		b.bash('go test ./...', 'ok  \texample.com/a\t0.01s\nFAIL\texample.com/b\t0.02s\n', 1);
		b.bash('cargo test', 'test result: ok. 3 passed; 0 failed; 0 ignored\ntest result: FAILED. 1 passed; 2 failed; 0 ignored', 101);
		b.say('Done: tests pass.');
		b.user('Thanks');
		b.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 100, cache_read_tokens: 5000, cache_write_tokens: 200}, {api_message_id: 'msg_1'});
		return b.session('ses_built');
	}

	it('lists files, commands, tests, packages and errors exactly', () => {
		const {summary} = summarize(build(), table);
		expect(summary.files).toEqual([
			{path: 'src/app.py', action: 'edited', lines_added: 2, lines_removed: 1},
			{path: 'tests/test_app.py', action: 'created', lines_added: 2, lines_removed: 0},
			{path: 'docs/new.md', action: 'created', lines_added: 2, lines_removed: 0},
			{path: 'old.txt', action: 'deleted', lines_added: 0, lines_removed: 0},
			{path: 'src/util.py', action: 'edited', lines_added: 1, lines_removed: 1},
		]);
		expect(summary.commands.map(command => command.exit_code)).toEqual([0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 101]);
		expect(summary.tests).toEqual([
			{command: 'python -m pytest -q', passed: 2, failed: 1, exit_code: 1},
			{command: 'pytest -q', passed: 3, failed: 0, exit_code: 0},
			{command: 'npx vitest run', passed: 4, failed: 0, exit_code: 0},
			{command: 'npm test', passed: 6, failed: 1, exit_code: 1},
			{command: 'go test ./...', passed: 1, failed: 1, exit_code: 1},
			{command: 'cargo test', passed: 4, failed: 2, exit_code: 101},
		]);
		expect(summary.packages).toEqual([
			{manager: 'pip', name: 'requests'},
			{manager: 'pip', name: 'httpx'},
			{manager: 'npm', name: '@types/node'},
			{manager: 'npm', name: 'lodash'},
			{manager: 'uv', name: 'rich'},
			{manager: 'cargo', name: 'serde'},
			{manager: 'go', name: 'github.com/stretchr/testify'},
		]);
		expect(summary.errors.map(error => error.message)).toEqual([
			'String to replace not found in file.',
			'ERROR: No matching distribution found',
			'=========================== 1 failed, 2 passed in 0.05s ===========================',
			'Tests:       1 failed, 6 passed, 7 total',
			'FAIL\texample.com/b\t0.02s',
			'test result: FAILED. 1 passed; 2 failed; 0 ignored',
		]);
		expect(summary.turns).toBe(2);
		expect(summary.tokens).toEqual({input: 1000, output: 100, cache_read: 5000, cache_write: 200, reasoning: 0, total: 6300});
		// 1000×3 + 100×15 + 5000×0.3 + 200×3.75 micro-dollars
		expect(summary.cost_usd).toBe(0.00675);
		expect(summary.duration_ms).toBe((build().messages.length - 1) * 1000);
	});

	it('is deterministic', () => {
		expect(JSON.stringify(summarize(build(), table).summary)).toBe(JSON.stringify(summarize(build(), table).summary));
	});

	it('leaves out history copied by resume', () => {
		const b = new SessionBuilder();
		const copied = b.bash('rm -rf build', '');
		copied.metadata = {copied_from: 'ses_old'};
		b.bash('ls', 'a\nb');
		expect(summarize(b.session(), table).summary.commands).toEqual([{command: 'ls', exit_code: 0}]);
	});
});

describe('test runners', () => {
	it('recognises test commands', () => {
		for (const command of ['pytest', 'python3 -m pytest tests/', 'npx vitest run', 'npx jest --ci', 'npm test', 'npm run test:unit', 'pnpm test', 'yarn test', 'bun test', 'go test ./...', 'cargo test --all', 'cd app && npm test', 'CI=1 npm test', 'uv run pytest']) {
			expect(isTestCommand(command), command).toBe(true);
		}

		for (const command of ['npm install', 'cat test.py', 'go build ./...', 'cargo build', 'echo pytest', 'npm run build', 'ls tests']) {
			expect(isTestCommand(command), command).toBe(false);
		}
	});

	it('reads pass/fail counts', () => {
		expect(parseTestOutput('==== 3 failed, 10 passed, 1 error in 2.31s ====')).toEqual({passed: 10, failed: 4});
		expect(parseTestOutput('\u001B[32m Tests \u001B[39m 2 failed | 8 passed (10)')).toEqual({passed: 8, failed: 2});
		expect(parseTestOutput('Tests:       12 passed, 12 total')).toEqual({passed: 12, failed: 0});
		expect(parseTestOutput('  7 passing (40ms)\n  1 failing')).toEqual({passed: 7, failed: 1});
		expect(parseTestOutput('=== RUN   TestA\n--- PASS: TestA (0.00s)\n--- FAIL: TestB (0.00s)\n--- PASS: TestC (0.00s)')).toEqual({passed: 2, failed: 1});
		expect(parseTestOutput('Ran 4 tests in 0.002s\n\nFAILED (failures=1)')).toEqual({passed: 3, failed: 1});
		expect(parseTestOutput('1 failing\n\nexit status 1')).toEqual({passed: 0, failed: 1});
		expect(parseTestOutput('> node --test\n# tests 5\n# pass 4\n# fail 1')).toEqual({passed: 4, failed: 1});
		expect(parseTestOutput('no summary here')).toBeUndefined();
	});
});

describe('paths', () => {
	it('are workspace-relative inside the workspace, as given outside it', () => {
		expect(relativePath('/work/demo/src/a.ts', '/work/demo')).toBe('src/a.ts');
		expect(relativePath('./src/../src/a.ts', '/work/demo')).toBe('src/a.ts');
		expect(relativePath('/etc/hosts', '/work/demo')).toBe('/etc/hosts');
		expect(relativePath('/work/demo-other/x', '/work/demo')).toBe('/work/demo-other/x');
	});
});

describe('per day and per project', () => {
	it('splits by local day and project, across tools, counting a replayed response once', () => {
		const a = new SessionBuilder('claude-code', '2026-03-20T12:00:00.000Z', '/work/alpha');
		a.user('one');
		a.bash('npm test', 'Tests:       1 failed, 1 passed, 2 total', 1);
		a.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'r1'});
		const b = new SessionBuilder('codex', '2026-03-21T12:00:00.000Z', '/work/beta');
		b.user('two');
		b.usage('gpt-5-codex', {input_tokens: 1000, output_tokens: 0});
		b.usage('mystery-model', {input_tokens: 5, output_tokens: 5});
		// The same Claude response replayed in a resumed session of project alpha, next day.
		const c = new SessionBuilder('claude-code', '2026-03-21T12:30:00.000Z', '/work/alpha');
		c.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'r1'});
		c.user('three');
		const period = summarizePeriod([a.session('ses_a'), b.session('ses_b', 'gpt-5-codex'), c.session('ses_c')], table, new Date('2026-03-20T00:00:00Z'), new Date('2026-03-22T00:00:00Z'));
		const shape = period.days.map(day => ({date: day.date, projects: day.projects.map(project => ({project: project.project, tools: project.tools, turns: project.turns, cost: project.cost_usd, tests: project.tests}))}));
		const day = (iso: string) => {
			const date = new Date(iso);
			return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
		};

		expect(shape).toEqual([
			{date: day('2026-03-20T12:00:00Z'), projects: [{project: '/work/alpha', tools: ['claude-code'], turns: 1, cost: 0.003, tests: {runs: 1, passed: 1, failed: 1, failed_runs: 1}}]},
			{
				date: day('2026-03-21T12:00:00Z'),
				projects: [
					{project: '/work/alpha', tools: ['claude-code'], turns: 1, cost: null, tests: {runs: 0, passed: 0, failed: 0, failed_runs: 0}},
					{project: '/work/beta', tools: ['codex'], turns: 1, cost: 0.00125, tests: {runs: 0, passed: 0, failed: 0, failed_runs: 0}},
				],
			},
		]);
		expect(period.totals).toMatchObject({sessions: 3, turns: 3, cost_usd: 0.00425});
		expect(period.totals.unpriced_models).toEqual([{model: 'mystery-model', responses: 1, tokens: {input: 5, output: 5, cache_read: 0, cache_write: 0, reasoning: 0}}]);
	});

	it('leaves out messages before since', () => {
		const a = new SessionBuilder('claude-code', '2026-03-19T12:00:00.000Z', '/work/alpha');
		a.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'r1'});
		const period = summarizePeriod([a.session('ses_a')], table, new Date('2026-03-20T00:00:00Z'), new Date('2026-03-22T00:00:00Z'));
		expect(period.days).toEqual([]);
		expect(period.totals.cost_usd).toBeNull();
	});
});

describe('bad input', () => {
	it('summarises around malformed messages and usage', () => {
		const b = new SessionBuilder();
		b.bash('ls', 'a');
		const messages = [
			...b.messages,
			{msg_id: 'x1', role: 'assistant', timestamp: 'garbage', content: 'not a list'} as never,
			{msg_id: 'x2', role: 'assistant', timestamp: '2026-03-20T10:00:05.000Z', content: [{type: 'tool_use', tool_use_id: 't', name: 'Write', input: null}]} as never,
			{msg_id: 'x3', role: 'assistant', timestamp: '2026-03-20T10:00:06.000Z', content: [{type: 'text', text: 'x'}], model: 'gpt-4.1', usage: {input_tokens: '12', output_tokens: -5}} as never,
		];
		const {summary} = summarize({...b.session(), messages}, table);
		expect(summary.commands).toEqual([{command: 'ls', exit_code: 0}]);
		expect(summary.tokens.total).toBe(0);
		expect(summary.cost_usd).toBeNull();
		expect(summary.duration_ms).toBe(6000);
	});
});

describe('every public fixture session', () => {
	it('summarises and audits without a crash; the Cline SDK editor edits count', async () => {
		const {loadAllSessions} = await import('../support/resume-proof.js');
		const {audit} = await import('../../source/engine/insight/audit.js');
		const all = await loadAllSessions();
		expect(all.length).toBeGreaterThan(20);
		for (const {label, session} of all) {
			const {summary} = summarize(session, table);
			expect(Object.keys(summary), label).toEqual(['files', 'commands', 'tests', 'packages', 'errors', 'duration_ms', 'turns', 'tokens', 'cost_usd']);
			expect(Array.isArray(audit(session)), label).toBe(true);
		}

		const cline = all.find(({label}) => label.startsWith('cline/sdk-layout'))!.session;
		const sidebar = summarize(cline, table).summary.files.find(file => file.path.endsWith('agent-sidebar.tsx'));
		expect(sidebar).toMatchObject({action: 'edited'});
		expect(sidebar!.lines_added).toBeGreaterThan(0);
		expect(audit(cline).filter(finding => finding.rule === 'edit-claim')).toEqual([]);

		const amp = all.find(({label}) => label.startsWith('amp/'))!.session;
		expect(summarize(amp, table).summary.tests).toEqual([{command: 'npm test', passed: 0, failed: 1, exit_code: 1}]);
	}, 60_000);
});

describe('Cline replace_in_file', () => {
	it('counts lines of both SEARCH/REPLACE marker styles', () => {
		const b = new SessionBuilder('cline');
		b.call('replace_in_file', {path: 'a.js', diff: '------- SEARCH\nold();\n=======\nconst x = 1;\nnew();\n+++++++ REPLACE'}, {content: 'The content was successfully saved to a.js.'});
		b.call('replace_in_file', {path: 'b.js', diff: '<<<<<<< SEARCH\nold();\n=======\nnew();\n>>>>>>> REPLACE'}, {content: 'saved'});
		expect(summarize(b.session(), table).summary.files).toEqual([
			{path: 'a.js', action: 'edited', lines_added: 2, lines_removed: 1},
			{path: 'b.js', action: 'edited', lines_added: 1, lines_removed: 1},
		]);
	});
});
