import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {FakeEngine, makeRow, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';
import {helpFor} from '../../source/views/keymap.js';

afterEach(cleanup);

async function ready(engine: FakeEngine, size = {columns: 120, rows: 30}) {
	const app = renderApp(engine, size);
	await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
	return app;
}

describe('Search screen', () => {
	test('search as you type, hits grouped by session with highlighted snippets, Enter jumps to the message', async () => {
		const engine = new FakeEngine(makeRows(3));
		engine.extraTurns = 30;
		engine.hits = [
			{session_id: 'sess-002', msg_id: 'm4', role: 'assistant', position: 3, snippet: 'the \u0001token\u0002 expires', score: 9},
			{session_id: 'sess-003', msg_id: 'a24', role: 'assistant', position: 53, snippet: 'a refresh \u0001token\u0002 race', score: 5},
			{session_id: 'sess-002', msg_id: 'm1', role: 'user', position: 0, snippet: 'flaky \u0001token\u0002 test', score: 3},
		];
		const app = await ready(engine, {columns: 120, rows: 24});
		app.stdin.write('s');
		await vi.waitFor(() => expect(app.frame()).toContain('search:'));
		app.stdin.write('tok');
		app.stdin.write('en');
		await vi.waitFor(() => expect(app.frame()).toContain('3 hits in 2 sessions'));
		expect(engine.callsTo('search').at(-1)!.args[0]).toBe('token');
		const lines = app.frame().split('\n');
		const group2 = lines.findIndex(line => line.includes('session 002') && line.includes('2 hits'));
		const group3 = lines.findIndex(line => line.includes('session 003') && line.includes('1 hit'));
		expect(group2).toBeGreaterThan(0);
		expect(group3).toBeGreaterThan(group2);
		expect(lines[group2 + 1]).toMatch(/› #1 user\s+flaky token test/);
		expect(lines[group2 + 2]).toMatch(/#4 assistant\s+the token expires/);
		app.stdin.write(keys.down);
		app.stdin.write(keys.down); // steps over the group header onto session 003's hit
		await vi.waitFor(() => expect(app.frame()).toMatch(/› #54 assistant\s+a refresh token race/));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('answer 24'));
		expect(engine.callsTo('getSession').at(-1)!.args[0]).toBe('sess-003');
		expect(app.frame().split('\n').find(line => line.startsWith('› '))).toContain('assistant');
		// Back returns to the search with its results.
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('3 hits in 2 sessions'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
	});

	test('Ctrl+u clears the query, as its help line says (it paged up instead)', async () => {
		const engine = new FakeEngine(makeRows(1));
		const app = await ready(engine);
		app.stdin.write('s');
		await vi.waitFor(() => expect(app.frame()).toContain('search:'));
		app.stdin.write('zebra');
		await vi.waitFor(() => expect(app.frame()).toContain('search: zebra'));
		app.stdin.write('\u0015');
		await vi.waitFor(() => expect(app.frame()).toContain('search:  words to find'));
		// …and the results of the old query go with it.
		expect(app.frame()).not.toContain('zebra');
		expect(app.frame()).toContain('Type to search the text of every captured message');
		expect(helpFor('search').filter(entry => entry.keys.split(' ').includes('Ctrl+u'))).toEqual([{keys: 'Ctrl+u', label: 'Clear the input'}]);
	});

	test('the hit count says when the engine stopped at its limit, and is singular for one', async () => {
		const engine = new FakeEngine(makeRows(2));
		engine.hits = Array.from({length: 200}, (_, index) => ({session_id: 'sess-001', msg_id: `m${index}`, role: 'user', position: index, snippet: `many \u0001word\u0002 ${index}`, score: 1}));
		engine.hits.push({session_id: 'sess-002', msg_id: 'x', role: 'user', position: 0, snippet: 'a \u0001rare\u0002 one', score: 1});
		const app = await ready(engine);
		app.stdin.write('s');
		await vi.waitFor(() => expect(app.frame()).toContain('search:'));
		app.stdin.write('word');
		await vi.waitFor(() => expect(app.frame()).toContain('200+ hits in 1 session'));
		expect(engine.callsTo('search').at(-1)!.args[1]).toEqual({limit: 200});
		app.stdin.write('\u0015rare');
		await vi.waitFor(() => expect(app.frame()).toContain('1 hit in 1 session'));
		expect(app.frame()).not.toContain('1 hits');
	});

	test('no hits and engine errors are shown', async () => {
		const engine = new FakeEngine(makeRows(1));
		const app = await ready(engine);
		app.stdin.write('2');
		await vi.waitFor(() => expect(app.frame()).toContain('search:'));
		app.stdin.write('zebra\r');
		await vi.waitFor(() => expect(app.frame()).toContain('No message contains "zebra".'));
		engine.search = async () => {
			throw new Error('fts index missing');
		};

		app.stdin.write('s\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Search failed: fts index missing'));
	});
});

describe('Resume screen', () => {
	test('pick a target and model, see the fidelity report, launch produces a launch request', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('messages kept 3'));
		expect(app.frame()).toContain('$ claude --resume native-for-claude-code');
		app.stdin.write('jj');
		await vi.waitFor(() => expect(app.frame()).toContain('! 2 tool results are too large for gemini'));
		expect(app.frame()).toMatch(/› gemini/);
		expect(app.frame()).toMatch(/dropped 2/);
		app.stdin.write('m');
		app.stdin.write('gemini-pro\r');
		await vi.waitFor(() => expect(engine.callsTo('planResume').at(-1)!.args).toEqual(['sess-001', 'gemini', 'gemini-pro']));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.exits).toHaveLength(1));
		expect(app.exits[0]).toEqual({
			type: 'launch',
			sessionId: 'sess-001',
			target: 'gemini',
			spec: {command: 'gemini', args: ['--resume', 'native-for-gemini', '--model', 'gemini-pro'], cwd: '/home/dev/project'},
		});
	});

	test('G and g (and PgDn/PgUp) go to the last and the first target, as the help says', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› claude-code/));
		app.stdin.write('G');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› copilot/));
		await vi.waitFor(() => expect(engine.callsTo('planResume').at(-1)!.args[1]).toBe('copilot'));
		app.stdin.write(keys.pageUp);
		await vi.waitFor(() => expect(app.frame()).toMatch(/› claude-code/));
		app.stdin.write(keys.pageDown);
		await vi.waitFor(() => expect(app.frame()).toMatch(/› copilot/));
		app.stdin.write('g');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› claude-code/));
		await vi.waitFor(() => expect(engine.callsTo('planResume').at(-1)!.args[1]).toBe('claude-code'));
	});

	test('an error stays with its screen: leaving the screen clears it from the status bar', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('messages kept 3'));
		app.stdin.write('p');
		await vi.waitFor(() => expect(app.frame()).toContain('✗ Not inside tmux'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
		expect(app.frame()).not.toContain('Not inside tmux');
		app.stdin.write('d');
		await vi.waitFor(() => expect(app.frame()).toContain('compare'));
		app.stdin.write('c');
		await vi.waitFor(() => expect(app.frame()).toContain('✗ No fork or checkpoint'));
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('Rules'));
		await vi.waitFor(() => expect(app.frame()).not.toContain('✗ No fork or checkpoint'));
	});

	test('moving through the targets plans only the one the cursor stops on (each plan converts the whole session)', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('messages kept 3'));
		expect(engine.callsTo('planResume')).toHaveLength(1);
		app.stdin.write('j');
		app.stdin.write('j');
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› copilot/));
		await vi.waitFor(() => expect(engine.callsTo('planResume')).toHaveLength(2));
		expect(engine.callsTo('planResume')[1]!.args[1]).toBe('copilot');
		await vi.waitFor(() => expect(app.frame()).toContain('$ copilot --resume native-for-copilot'));
		await new Promise(resolve => {
			setTimeout(resolve, 400);
		});
		expect(engine.callsTo('planResume')).toHaveLength(2);
	});

	test('a plan that fails after the cursor moved on does not show its error on the new target', async () => {
		const engine = new FakeEngine(makeRows(2));
		const plan = engine.planResume.bind(engine);
		let failCodex!: () => void;
		engine.planResume = async (sessionId, target, model) => {
			if (target !== 'codex') return plan(sessionId, target, model);
			await new Promise<void>(resolve => {
				failCodex = resolve;
			});
			throw new Error('codex plan failed');
		};

		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('messages kept 3'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(failCodex).toBeTypeOf('function'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toContain('! 2 tool results are too large for gemini'));
		failCodex();
		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
		expect(app.frame()).not.toContain('codex plan failed');
		expect(app.frame()).toContain('! 2 tool results are too large for gemini');
	});

	test('inside tmux, p opens a pane and the TUI keeps running', async () => {
		const engine = new FakeEngine(makeRows(2));
		engine.tmux = true;
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('p: new tmux pane'));
		app.stdin.write('p');
		await vi.waitFor(() => expect(app.frame()).toContain('Opened claude-code in a new tmux pane'));
		expect(engine.callsTo('openInTmux')[0]!.args[0]).toBe('pane');
		expect(app.exits).toEqual([]);
	});

	test('outside tmux, p explains itself; a failing plan is shown', async () => {
		const engine = new FakeEngine(makeRows(2));
		engine.planResume = async () => {
			throw new Error('codex is not installed');
		};

		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('Cannot resume there: codex is not installed'));
		app.stdin.write('p');
		await vi.waitFor(() => expect(app.frame()).toContain('Not inside tmux'));
	});
});

describe('Actions', () => {
	test('alias form: type, Enter saves, the list shows the alias', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('a');
		await vi.waitFor(() => expect(app.frame()).toContain('Actions for session 001'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Alias (empty clears it):'));
		app.stdin.write('l');
		app.stdin.write('og');
		app.stdin.write('in-fix'); // fast keystrokes in separate chunks (G13)
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(engine.callsTo('setAlias')[0]!.args).toEqual(['sess-001', 'login-fix']));
		await vi.waitFor(() => expect(app.frame()).toContain('Alias set to "login-fix"'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('login-fix · session 001'));
	});

	test('tags, checkpoint, export and fork forms call the engine', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('aj\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Tags, comma separated'));
		app.stdin.write('bug, auth\r');
		await vi.waitFor(() => expect(engine.callsTo('setTags')[0]!.args).toEqual(['sess-001', ['bug', 'auth']]));
		app.stdin.write('jj\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Checkpoint name:'));
		app.stdin.write(keys.enter); // empty name is refused
		await vi.waitFor(() => expect(app.frame()).toContain('✗ A checkpoint needs a name'));
		app.stdin.write('before-refactor\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Checkpoint "before-refactor" → sess-001-cp'));
		app.stdin.write('j\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Export to path'));
		app.stdin.write('\u0015/tmp/out.json\r'); // Ctrl+U clears the suggested path
		await vi.waitFor(() => expect(engine.callsTo('exportSession')[0]!.args).toEqual(['sess-001', 'json', '/tmp/out.json']));
		app.stdin.write('kk\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Fork at message id'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Forked → sess-001-fork'));
		expect(engine.callsTo('fork')[0]!.args).toEqual(['sess-001', undefined]);
	});

	test('fork from the list forks at the end, even after the Session screen was left at an earlier message', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
		app.stdin.write('ajj\r'); // from the Session screen: the message under the cursor is suggested
		await vi.waitFor(() => expect(app.frame()).toContain('Fork at message id'));
		expect(app.frame()).toMatch(/│m1\s*│/);
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).not.toContain('Fork at message id'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
		app.stdin.write('ajj\r'); // from the list: nothing suggested, Enter forks at the end
		await vi.waitFor(() => expect(app.frame()).toContain('Fork at message id'));
		expect(app.frame()).not.toMatch(/│m\d\s*│/);
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(engine.callsTo('fork')).toHaveLength(1));
		expect(engine.callsTo('fork')[0]!.args).toEqual(['sess-001', undefined]);
	});

	test('help in a form says Esc cancels (not that it clears the filter)', () => {
		for (const layer of ['form', 'find', 'model'] as const) {
			expect(helpFor(layer).find(entry => entry.keys === 'Esc')).toEqual({keys: 'Esc', label: 'Cancel'});
		}

		expect(helpFor('filter').find(entry => entry.keys === 'Esc')!.label).toContain('filter');
	});

	test('a short terminal: an open form or the delete confirm is fully on screen (the menu shrinks to the chosen action)', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine, {columns: 60, rows: 15});
		app.stdin.write('a');
		await vi.waitFor(() => expect(app.frame()).toContain('Actions for session 001'));
		expect(app.frame()).toContain('Tags'); // the whole menu while nothing is open
		app.stdin.write('jjjj\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Export to path'));
		expect(app.frame()).toMatch(/│\.\/sess-001\.md *│/); // the field being typed into
		expect(app.frame()).toContain('Enter saves · Esc cancels');
		expect(app.frame()).not.toContain('Tags');
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Tags'));
		app.stdin.write('G\r');
		await vi.waitFor(() => expect(app.frame()).toContain('from sfs?'));
		expect(app.frame()).toContain('y deletes');
		expect(app.frame().split('\n')).toHaveLength(14);
	});

	test('Esc cancels a form; delete asks to confirm, n cancels, y deletes', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await ready(engine);
		app.stdin.write('a\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Alias (empty'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).not.toContain('Alias (empty'));
		expect(engine.callsTo('setAlias')).toEqual([]);
		app.stdin.write('G\r');
		await vi.waitFor(() => expect(app.frame()).toContain('Delete “session 001” from sfs?'));
		app.stdin.write('n');
		await vi.waitFor(() => expect(app.frame()).not.toContain('from sfs?'));
		expect(engine.callsTo('deleteSession')).toEqual([]);
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('from sfs?'));
		app.stdin.write('y');
		await vi.waitFor(() => expect(app.frame()).toContain('Deleted from sfs'));
		await vi.waitFor(() => expect(app.frame()).not.toContain('session 001'));
		expect(app.frame()).toContain('Enter open');
	});
});

describe('Diff screen', () => {
	test('coloured unified diffs file by file, and a comparison with the fork', async () => {
		const engine = new FakeEngine([makeRow(1), makeRow(2, {parent_session_id: 'sess-001', lineage_kind: 'fork', title: 'the fork'})]);
		engine.files = [
			{path: 'src/login.ts', change: 'modified', unified: '@@ -1,2 +1,2 @@\n const a = 1;\n-refresh(token)\n+await refresh(token)'},
			{path: 'test/login.test.ts', change: 'created', unified: '@@ -0,0 +1 @@\n+test("login")'},
		];
		const app = await ready(engine);
		app.stdin.write('d');
		await vi.waitFor(() => expect(app.frame()).toContain('src/login.ts  modified · file 1/2'));
		expect(app.frame()).toContain('-refresh(token)');
		expect(app.frame()).toContain('+await refresh(token)');
		app.stdin.write(']');
		await vi.waitFor(() => expect(app.frame()).toContain('test/login.test.ts  created · file 2/2'));
		app.stdin.write('c');
		await vi.waitFor(() => expect(app.frame()).toContain('ADDED-IN-FORK'));
		expect(engine.callsTo('compareSessions')[0]!.args).toEqual(['sess-001', 'sess-002']);
		expect(app.frame()).toContain('4 messages in common · 1 added · 0 removed');
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('file 2/2'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
	});

	test('diff colours survive with FORCE_COLOR off only as text; no edits explains itself', async () => {
		const engine = new FakeEngine(makeRows(1));
		const app = await ready(engine);
		app.stdin.write('d');
		await vi.waitFor(() => expect(app.frame()).toContain('This session made no file edits'));
		app.stdin.write('c');
		await vi.waitFor(() => expect(app.frame()).toContain('✗ No fork or checkpoint to compare with'));
	});
});

describe('Rules, Handoff and demo', () => {
	test('Rules and Handoff without engine support say so', async () => {
		const app = await ready(new FakeEngine(makeRows(1)), {columns: 120, rows: 30});
		app.stdin.write('3');
		await vi.waitFor(() => expect(app.frame()).toContain('Could not read the rules: this engine has no rules support'));
		app.stdin.write('4');
		await vi.waitFor(() => expect(app.frame()).toContain('Server: this engine has no handoff support'));
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Handoff'));
		app.stdin.write('?');
		app.stdin.write('1');
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
	});

	test('help on a small terminal: every key is reachable by scrolling, labels are not cut to a few words', async () => {
		const app = await ready(new FakeEngine(makeRows(3)), {columns: 60, rows: 15});
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Sessions'));
		expect(app.frame()).toMatch(/1-\d+ of 25 keys/);
		expect(app.frame()).not.toContain('Quit');
		expect(app.frame().split('\n').length).toBeLessThanOrEqual(14);
		app.stdin.write(keys.pageDown);
		await vi.waitFor(() => expect(app.frame()).toContain('Actions: alias, tag, fork, checkpoint'));
		app.stdin.write('G');
		await vi.waitFor(() => expect(app.frame()).toContain('Quit'));
		expect(app.frame()).toMatch(/\d+-25 of 25 keys/);
		expect(app.frame()).not.toContain('Move down');
		app.stdin.write('g');
		await vi.waitFor(() => expect(app.frame()).toContain('Move down'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).not.toContain('Move down'));
		expect(app.frame()).toMatch(/2-\d+ of 25 keys/);
		// Closing and opening again starts at the top.
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).not.toContain('Help · Sessions'));
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Move down'));
	});

	test('help on a tall terminal needs no scrolling', async () => {
		const app = await ready(new FakeEngine(makeRows(3)), {columns: 120, rows: 40});
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Sessions'));
		expect(app.frame()).toContain('Move down');
		expect(app.frame()).toContain('Quit');
		expect(app.frame()).not.toContain('of 25 keys');
	});

	test('the demo badge shows in the header', async () => {
		const app = renderApp(new FakeEngine(makeRows(1)), {columns: 120, rows: 30}, {demo: true});
		await vi.waitFor(() => expect(app.frame()).toMatch(/^sfs demo/));
	});
});
