/** Summary, cost, DLP findings and the Rules screen, through the optional TuiEngine members. */
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import type {LaunchSpec, RulesView, SessionFindingsView, SessionInsight} from '../../source/views/engine-context.js';
import {FakeEngine, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

function insightFor(id: string): SessionInsight {
	return {
		summary: {
			files: [
				{path: 'src/login.ts', action: 'edited', lines_added: 12, lines_removed: 3},
				{path: 'README.md', action: 'read', lines_added: 0, lines_removed: 0},
			],
			commands: [
				{command: 'npm test', exit_code: 1},
				{command: 'npm test', exit_code: 0},
			],
			tests: [{command: 'npm test', passed: 41, failed: 0, exit_code: 0}],
			packages: [{manager: 'npm', name: 'zod'}],
			errors: [{tool: 'Bash', message: 'exit 1', msg_id: 'm3'}],
			duration_ms: 125_000,
			turns: 3,
			tokens: {input: 1000, output: 200, cache_read: 0, cache_write: 0, total: 1200} as SessionInsight['summary']['tokens'],
			cost_usd: id === 'sess-002' ? null : 0.42,
		},
		unpriced_models: id === 'sess-002' ? ['model-x'] : [],
		narrative: id === 'sess-001' ? {what_happened: 'Fixed the flaky login test.', key_decisions: ['retry once'], outcome: 'tests pass', open_issues: []} : null,
	};
}

class InsightEngine extends FakeEngine {
	costRequests: string[][] = [];
	insightRequests: string[] = [];
	findingRequests: string[] = [];
	costs: Record<string, number | null> = {'sess-001': 1.5, 'sess-002': null};

	async sessionInsight(sessionId: string): Promise<SessionInsight> {
		this.insightRequests.push(sessionId);
		return insightFor(sessionId);
	}

	async sessionFindings(sessionId: string): Promise<SessionFindingsView> {
		this.findingRequests.push(sessionId);
		if (sessionId !== 'sess-001') return {secrets: 0, personal: 0, findings: []};
		return {
			secrets: 1,
			personal: 1,
			findings: [
				{kind: 'secret', pattern: 'aws-access-key', msg_id: 'm2', location: 'messages[1].content[0].text', excerpt: 'key=AKIA************'},
				{kind: 'personal', pattern: 'email', msg_id: 'm1', location: 'messages[0].content[0].text', excerpt: 'mail j***@***.com'},
			],
		};
	}

	async sessionCosts(ids: string[]): Promise<Record<string, number | null>> {
		this.costRequests.push(ids);
		return Object.fromEntries(ids.map(id => [id, this.costs[id] ?? null]));
	}
}

async function ready(engine: FakeEngine, size = {columns: 160, rows: 40}) {
	const app = renderApp(engine, size);
	await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
	return app;
}

describe('Summary, cost and findings', () => {
	test('the cost column fills in after the first frame; unpriced sessions show a dash', async () => {
		const engine = new InsightEngine(makeRows(3));
		const app = renderApp(engine, {columns: 120, rows: 40});
		await vi.waitFor(() => expect(app.frame()).toContain('$1.50'));
		expect(engine.costRequests[0]).toEqual(['sess-001', 'sess-002', 'sess-003']);
		expect(app.frame()).toMatch(/session 001 .*1\.1k\s+\$1\.50│/);
		expect(app.frame()).toMatch(/session 002 .*2\.2k\s+–│/);
	});

	test('the preview shows the summary and findings of the selected session, loaded once per session', async () => {
		const engine = new InsightEngine(makeRows(3));
		const app = await ready(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('2m · 3 turns · tokens 1.2k · $0.42'));
		const frame = app.frame();
		expect(frame).toContain('src/login.ts +12 -3');
		expect(frame).not.toContain('README.md +0'); // reads are not edits
		expect(frame).toContain('✗ 1 npm test');
		expect(frame).toContain('41 passed, 0 failed');
		expect(frame).toContain('findings 1 secret, 1 personal · aws-access-key, email');
		expect(frame).not.toContain('AKIA'); // the preview shows counts and kinds only
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toContain('unpriced'));
		expect(app.frame()).toContain('findings none');
		app.stdin.write('k');
		await vi.waitFor(() => expect(app.frame()).toContain('$0.42'));
		expect(engine.insightRequests).toEqual(['sess-001', 'sess-002']);
		expect(engine.findingRequests).toEqual(['sess-001', 'sess-002']);
	});

	test('the Session screen shows cost and finding count; m opens the full summary with masked excerpts', async () => {
		const engine = new InsightEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('$0.42 · 2 findings (m)'));
		app.stdin.write('m');
		await vi.waitFor(() => expect(app.frame()).toContain('narrative'));
		const frame = app.frame();
		expect(frame).toContain('Fixed the flaky login test.');
		expect(frame).toContain('decision: retry once');
		expect(frame).toContain('packages zod (npm)');
		expect(frame).toContain('Bash: exit 1');
		expect(frame).toContain('secret aws-access-key: key=AKIA************');
		app.stdin.write('m');
		await vi.waitFor(() => expect(app.frame()).toContain('Please fix the flaky login test'));
	});

	test('j/k and g/G scroll a summary panel taller than the screen', async () => {
		const engine = new InsightEngine(makeRows(1));
		const base = insightFor('sess-003');
		engine.sessionInsight = async () => ({...base, summary: {...base.summary, commands: Array.from({length: 30}, (_, index) => ({command: `step ${index + 1}`, exit_code: 0}))}});
		const app = renderApp(engine, {columns: 100, rows: 16});
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Please fix the flaky login test'));
		app.stdin.write('m');
		await vi.waitFor(() => expect(app.frame()).toContain('commands (30)'));
		expect(app.frame()).not.toContain('step 30');
		app.stdin.write('G');
		await vi.waitFor(() => expect(app.frame()).toContain('personal email: mail j***@***.com'));
		expect(app.frame()).toContain('step 30');
		expect(app.frame()).not.toContain('commands (30)');
		app.stdin.write('g');
		await vi.waitFor(() => expect(app.frame()).toContain('commands (30)'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).not.toMatch(/^ {2}summary$/m));
	});

	test('a session that grew is summarised again; an unchanged one is not', async () => {
		const engine = new InsightEngine(makeRows(2));
		const app = await ready(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('$0.42'));
		engine.emitSessionsChanged();
		await vi.waitFor(() => expect(engine.callsTo('listSessions')).toHaveLength(2));
		expect(engine.insightRequests).toEqual(['sess-001']);
		expect(engine.costRequests).toEqual([['sess-001', 'sess-002']]); // unchanged sessions are not priced again
		engine.rows = engine.rows.map(row => (row.session_id === 'sess-001' ? {...row, message_count: row.message_count + 2} : row));
		engine.emitSessionsChanged();
		await vi.waitFor(() => expect(engine.insightRequests).toEqual(['sess-001', 'sess-001']));
		expect(engine.findingRequests).toEqual(['sess-001', 'sess-001']);
		await vi.waitFor(() => expect(engine.costRequests).toEqual([['sess-001', 'sess-002'], ['sess-001']])); // the one that grew is
	});

	test('an engine without insight shows the screens as before', async () => {
		const app = await ready(new FakeEngine(makeRows(1)));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Please fix the flaky login test'));
		expect(app.frame()).not.toContain('turns ·');
		expect(app.frame()).not.toContain('findings');
	});
});

function rulesView(state: 'ok' | 'stale'): RulesView {
	return {
		root: '/home/dev/project-1',
		configured: true,
		files: [{name: '00-style.md', text: '# Style'}],
		targets: [
			{file: 'AGENTS.md', tools: ['codex', 'copilot'], state, diff: state === 'stale' ? '--- a/AGENTS.md\n+++ b/AGENTS.md\n@@ -1,1 +1,1 @@\n-old rule\n+new rule\n' : ''},
			{file: 'CLAUDE.md', tools: ['claude-code'], state: 'ok', diff: '', expected: '<!-- sfs:rules -->\n@AGENTS.md\n'},
		],
		check: state === 'stale' ? {exitCode: 1, stale: ['AGENTS.md'], warnings: ['AGENTS.override.md exists']} : {exitCode: 0, stale: [], warnings: []},
	};
}

class RulesEngine extends FakeEngine {
	rulesCalls: string[] = [];
	compiled: string[] = [];
	state: 'ok' | 'stale' = 'stale';

	async rulesStatus(cwd: string): Promise<RulesView> {
		this.rulesCalls.push(cwd);
		return rulesView(this.state);
	}

	async compileRules(cwd: string): Promise<string[]> {
		this.compiled.push(cwd);
		this.state = 'ok';
		return ['AGENTS.md'];
	}

	async rulesEditLaunch(cwd: string): Promise<LaunchSpec> {
		return {command: 'nano', args: [`${cwd}/.sfs/rules/00-style.md`], cwd};
	}
}

describe('Rules screen', () => {
	test('shows the targets, the diff and the check status for the selected session\'s cwd; c compiles', async () => {
		const engine = new RulesEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('check: needs compile (AGENTS.md)'));
		expect(engine.rulesCalls).toEqual(['/home/dev/project-1']);
		let frame = app.frame();
		expect(frame).toContain('Rules · /home/dev/project-1');
		expect(frame).toContain('› canonical rules: 00-style.md · e edits');
		expect(frame).toContain('.sfs/rules/00-style.md');
		expect(frame).toContain('  # Style');
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› AGENTS\.md\s+stale\s+codex, copilot/));
		frame = app.frame();
		expect(frame).toContain('-old rule');
		expect(frame).toContain('+new rule');
		expect(frame).toContain('! AGENTS.override.md exists');
		expect(frame).toContain('e edit');
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toContain('CLAUDE.md (on disk = compiled)'));
		expect(app.frame()).toContain('  @AGENTS.md');
		app.stdin.write('c');
		await vi.waitFor(() => expect(app.frame()).toContain('check: up to date'));
		frame = app.frame();
		expect(frame).toContain('Compiled the rules: wrote AGENTS.md');
		expect(engine.compiled).toEqual(['/home/dev/project-1']);
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
	});

	test('e leaves the TUI with a launch request for the editor', async () => {
		const engine = new RulesEngine(makeRows(1));
		const app = await ready(engine);
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('check: needs compile'));
		app.stdin.write('e');
		await vi.waitFor(() => expect(app.exits).toHaveLength(1));
		expect(app.exits[0]).toEqual({type: 'launch', purpose: 'rules/edit', spec: {command: 'nano', args: ['/home/dev/project-1/.sfs/rules/00-style.md'], cwd: '/home/dev/project-1'}});
	});

	test('PgDn and PgUp scroll a long rule file; the list stays put', async () => {
		const engine = new RulesEngine(makeRows(1));
		const long = Array.from({length: 60}, (_, index) => `rule line ${index + 1}`).join('\n');
		engine.rulesStatus = async () => ({...rulesView('ok'), files: [{name: '00-style.md', text: long}]});
		const app = await ready(engine, {columns: 100, rows: 20});
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('rule line 1\n'));
		expect(app.frame()).not.toContain('rule line 60');
		app.stdin.write(keys.pageDown);
		await vi.waitFor(() => expect(app.frame()).not.toContain('rule line 1\n'));
		expect(app.frame()).toContain('› canonical rules');
		for (let press = 0; press < 10; press++) app.stdin.write(keys.pageDown);
		await vi.waitFor(() => expect(app.frame()).toContain('rule line 60'));
		app.stdin.write(keys.pageUp);
		await vi.waitFor(() => expect(app.frame()).not.toContain('rule line 60'));
	});

	test('a short terminal: the lines never overlap, the targets scroll with the cursor, the text keeps a row', async () => {
		const engine = new RulesEngine(makeRows(1));
		const targets = ['AGENTS.md', 'CLAUDE.md', 'GEMINI.md', '.github/copilot-instructions.md', '.clinerules/sfs.md', '.roo/rules/sfs.md', '.cursor/rules/sfs.mdc'];
		engine.rulesStatus = async () => ({...rulesView('ok'), check: {exitCode: 0, stale: [], warnings: ['Cursor reads the rules 2 times']}, targets: targets.map(file => ({file, tools: ['x'], state: 'ok' as const, diff: '', expected: `compiled ${file}`}))});
		const app = await ready(engine, {columns: 60, rows: 15});
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('check: up to date'));
		const body = () => app.frame().split('\n').slice(1, 12);
		expect(body()[0]).toBe('Rules · /home/dev/project-1');
		expect(body()[1]).toBe('check: up to date');
		expect(app.frame()).toContain('.sfs/rules/00-style.md'); // the selected item's text has a row
		app.stdin.write('kk'); // up from the canonical rules wraps to the last targets
		await vi.waitFor(() => expect(app.frame()).toContain('› .roo/rules/sfs.md'));
		expect(app.frame()).toContain('.roo/rules/sfs.md (on disk = compiled)');
		expect(body()[0]).toBe('Rules · /home/dev/project-1');
		expect(app.frame().split('\n')).toHaveLength(14);
	});

	test('a repository without rules says how to start', async () => {
		const engine = new RulesEngine(makeRows(1));
		engine.rulesStatus = async () => ({root: '/r', configured: false, files: [], targets: [], check: {exitCode: 0, stale: [], warnings: []}});
		const app = await ready(engine);
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('This repository has no sfs rules'));
	});
});
