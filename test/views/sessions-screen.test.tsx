import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {FakeEngine, makeRow, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

/** The list line of the selected row (marked "› "). */
function selectedLine(frame: string): string {
	return frame.split('\n').find(line => line.startsWith('› ')) ?? '';
}

describe('Sessions screen', () => {
	test('shows rows with tool badge, title, project, messages and tokens, and a preview', async () => {
		const app = renderApp(new FakeEngine(makeRows(5)));
		await vi.waitFor(() => expect(app.frame()).toContain('session 005'));
		const frame = app.frame();
		expect(selectedLine(frame)).toMatch(/› claude\s+session 001\s+project-1\s+\S+\s+2\s+1\.1k/);
		expect(frame).toContain('codex   session 002');
		// Preview of the selected session, side by side on a wide terminal.
		expect(frame).toMatch(/│session 001/);
		expect(frame).toContain('prompt number 001');
		expect(frame).toContain('5 sessions');
	});

	test('navigates with j/k, arrows, g/G and a chunked "jjj"', async () => {
		const app = renderApp(new FakeEngine(makeRows(9)));
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 001'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 002'));
		app.stdin.write(keys.down);
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 003'));
		app.stdin.write('jjj'); // G10: fast keys arrive as one chunk
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 006'));
		app.stdin.write('k');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 005'));
		app.stdin.write(keys.up);
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 004'));
		app.stdin.write('G');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 009'));
		app.stdin.write('g');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 001'));
	});

	test('10,000 sessions: only the visible window is rendered, G jumps to the last', async () => {
		const app = renderApp(new FakeEngine(makeRows(10_000)), {columns: 120, rows: 24});
		await vi.waitFor(() => expect(app.frame()).toContain('10k sessions'));
		const rendered = app.frame().split('\n').filter(line => /session \d+/.test(line) && !line.includes('│session'));
		expect(rendered.length).toBeLessThanOrEqual(24);
		expect(app.frame()).not.toContain('session 0500');
		app.stdin.write('G');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 10000'));
		expect(app.frame()).not.toContain('session 001 ');
	});

	test('the / filter narrows as you type, including a chunked burst, and Esc clears it', async () => {
		const rows = [makeRow(1, {title: 'fix login bug'}), makeRow(2, {title: 'refactor parser'}), makeRow(3, {title: 'login page css'}), makeRow(4, {title: 'docs'})];
		const app = renderApp(new FakeEngine(rows));
		await vi.waitFor(() => expect(app.frame()).toContain('refactor parser'));
		app.stdin.write('/');
		await vi.waitFor(() => expect(app.frame()).toContain('type to filter'));
		app.stdin.write('l');
		app.stdin.write('o');
		app.stdin.write('gin p'); // a burst in one chunk (G13: each character must land)
		await vi.waitFor(() => expect(app.frame()).toContain('/ login p'));
		await vi.waitFor(() => expect(app.frame()).not.toContain('refactor parser'));
		expect(selectedLine(app.frame())).toContain('login page css');
		expect(app.frame()).toMatch(/filter "login p" · [12]\/4 sessions/);
		app.stdin.write(keys.backspace);
		app.stdin.write(keys.backspace);
		await vi.waitFor(() => expect(app.frame()).toContain('fix login bug'));
		// j types into the filter rather than moving
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toContain('/ loginj'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('refactor parser'));
		expect(app.frame()).toContain('4 sessions');
	});

	test('Enter keeps the filter and gives the keys back to the list', async () => {
		const rows = [makeRow(1, {title: 'alpha one'}), makeRow(2, {title: 'beta two'}), makeRow(3, {title: 'alpha three'})];
		const app = renderApp(new FakeEngine(rows));
		await vi.waitFor(() => expect(app.frame()).toContain('beta two'));
		app.stdin.write('/alpha\r');
		await vi.waitFor(() => expect(app.frame()).not.toContain('beta two'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('alpha three'));
		expect(app.frame()).toContain('filter "alpha"');
	});

	test('tool chip, sort, sub-agent and headless keys', async () => {
		const rows = [makeRow(1), makeRow(2), makeRow(3, {is_subagent: true, title: 'agent transcript'}), makeRow(5, {is_headless: true, title: 'batch run'})];
		const app = renderApp(new FakeEngine(rows));
		await vi.waitFor(() => expect(app.frame()).toContain('batch run [headless]'));
		expect(app.frame()).not.toContain('agent transcript');
		expect(app.frame()).toContain('[agents hidden:1]');
		app.stdin.write('S');
		await vi.waitFor(() => expect(app.frame()).toContain('agent transcript [agent]'));
		app.stdin.write('H');
		await vi.waitFor(() => expect(app.frame()).not.toContain('batch run'));
		expect(app.frame()).toContain('[headless hidden');
		app.stdin.write('t');
		await vi.waitFor(() => expect(app.frame()).toContain('[tool:claude]'));
		expect(app.frame()).not.toContain('session 002');
		app.stdin.write('o');
		await vi.waitFor(() => expect(app.frame()).toContain('[sort:created]'));
	});

	test('lineage: T shows forks and checkpoints as a tree, the preview shows the lineage', async () => {
		const rows = [
			makeRow(1, {title: 'the fork', parent_session_id: 'sess-003', lineage_kind: 'fork'}),
			makeRow(2, {title: 'unrelated'}),
			makeRow(3, {title: 'the original'}),
			makeRow(4, {title: 'a checkpoint', parent_session_id: 'sess-003', lineage_kind: 'checkpoint', checkpoint_name: 'before'}),
		];
		const app = renderApp(new FakeEngine(rows));
		await vi.waitFor(() => expect(app.frame()).toContain('the original'));
		app.stdin.write('T');
		await vi.waitFor(() => expect(app.frame()).toContain('[tree]'));
		const lines = app.frame().split('\n');
		const original = lines.findIndex(line => line.includes('the original'));
		expect(lines[original + 1]).toContain('└ ⑂ the fork');
		expect(lines[original + 2]).toContain('└ ◆ a checkpoint');
		app.stdin.write('gj'); // onto "the original"
		await vi.waitFor(() => expect(app.frame()).toContain('lineage'));
		expect(app.frame()).toContain('◆ checkpoint before: a checkpoint');
		expect(app.frame()).toContain('⑂ fork: the fork');
	});

	test('first run: the empty state says where sfs looked and what to do', async () => {
		const engine = new FakeEngine([]);
		const app = renderApp(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('No sessions yet.'));
		await vi.waitFor(() => expect(app.frame()).toContain('/home/dev/.claude/projects'));
		expect(app.frame()).toContain('not found');
		expect(app.frame()).toContain('sfs --demo');
		app.stdin.write('r');
		await vi.waitFor(() => expect(engine.callsTo('capture').length).toBeGreaterThan(0));
	});

	test('r says "Capturing…" and then that the capture ended (the message stayed forever)', async () => {
		const engine = new FakeEngine(makeRows(2), {captureState: 'idle'});
		const app = renderApp(engine);
		await vi.waitFor(() => expect(engine.callsTo('capture')).toHaveLength(1)); // the start-up capture
		let finish!: () => void;
		engine.capture = async () => {
			engine.calls.push({method: 'capture', args: []});
			engine.emitProgress({state: 'capturing', done: 0, total: 2, sessionsChanged: 0, warnings: 0});
			await new Promise<void>(resolve => {
				finish = resolve;
			});
			engine.emitProgress({state: 'idle', done: 2, total: 2, sessionsChanged: 3, warnings: 0});
		};

		app.stdin.write('r');
		await vi.waitFor(() => expect(app.frame()).toContain('Capturing…'));
		finish();
		await vi.waitFor(() => expect(app.frame()).toContain('Capture done: 3 new or updated'));
		expect(app.frame()).not.toContain('Capturing…');

		// Attached to the daemon: the daemon captures, and the message says so.
		engine.status = 'attached';
		engine.capture = async () => {
			engine.emitProgress({state: 'attached', done: 0, total: 0, sessionsChanged: 0, warnings: 0});
		};

		app.stdin.write('r');
		await vi.waitFor(() => expect(app.frame()).toContain('The daemon captured'));
		expect(app.frame()).not.toContain('Capturing…');
	});

	test('r lists the sessions another process stored meanwhile (sfs capture, pull, import in a shell), though this capture found nothing new', async () => {
		const engine = new FakeEngine(makeRows(2), {captureState: 'idle'});
		const app = renderApp(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('2 sessions'));
		engine.rows = [...engine.rows, {...makeRow(3), title: 'stored by sfs pull'}];
		engine.capture = async () => {
			engine.calls.push({method: 'capture', args: []});
			engine.emitProgress({state: 'idle', done: 1, total: 1, sessionsChanged: 0, warnings: 0});
		};

		app.stdin.write('r');
		await vi.waitFor(() => expect(app.frame()).toContain('Capture done'));
		await vi.waitFor(() => expect(app.frame()).toContain('stored by sfs pull'));
		expect(app.frame()).toContain('3 sessions');
	});

	test('the empty state fits the screen: long lists of places are cut and counted, never overlapped', async () => {
		const engine = new FakeEngine([]);
		engine.sources = Array.from({length: 30}, (_, index) => ({tool: 'cline', path: `/home/dev/.config/Code - OSS/User/globalStorage/saoudrizwan.claude-dev-${index}`, exists: index === 29, sessions: 0}));
		const app = renderApp(engine, {columns: 100, rows: 20});
		await vi.waitFor(() => expect(app.frame()).toContain('more places, none found'));
		const lines = app.frame().split('\n');
		expect(lines.length).toBeLessThanOrEqual(19);
		expect(lines.at(-1)).toContain('q quit'); // footer still there
		expect(lines[4]).toMatch(/claude-dev-29 0 sessions$/); // places that exist come first
		for (const line of lines.filter(line => line.includes('claude-dev-') && !line.includes('-29 '))) {
			expect(line).toMatch(/claude-dev-\d+ not found$/); // no text of one line written over another
		}
	});

	test('status bar shows capture progress; sessions changed reloads the list', async () => {
		const engine = new FakeEngine(makeRows(2), {captureState: 'idle'});
		const app = renderApp(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('● capturing codex 1/4'));
		expect(engine.callsTo('capture')).toHaveLength(1);
		engine.rows = [...engine.rows, makeRow(3, {title: 'freshly captured'})];
		engine.emitSessionsChanged();
		engine.emitProgress({state: 'idle', done: 4, total: 4, sessionsChanged: 1, warnings: 2, lastError: 'bad line in x.jsonl'});
		await vi.waitFor(() => expect(app.frame()).toContain('freshly captured'));
		await vi.waitFor(() => expect(app.frame()).toContain('✗ bad line in x.jsonl'));
		expect(app.frame()).toContain('2 warnings');
	});

	test('a daemon attached to later, and gone again: the status bar says so each time', async () => {
		const engine = new FakeEngine(makeRows(2), {captureState: 'idle'});
		const app = renderApp(engine);
		await vi.waitFor(() => expect(engine.callsTo('capture')).toHaveLength(1));
		engine.emitProgress({state: 'idle', done: 1, total: 1, sessionsChanged: 0, warnings: 0, lastError: 'an older problem'});
		await vi.waitFor(() => expect(app.frame()).toContain('✗ an older problem'));
		engine.emitProgress({state: 'attached', done: 0, total: 0, sessionsChanged: 0, warnings: 0, notice: 'A daemon started: attached, it captures from now on'});
		await vi.waitFor(() => expect(app.frame()).toContain('⇄ daemon attached'));
		expect(app.frame()).toContain('A daemon started: attached');
		expect(app.frame()).not.toContain('an older problem');
		engine.emitProgress({state: 'idle', done: 0, total: 0, sessionsChanged: 0, warnings: 0, notice: 'The daemon stopped: capturing in-process again'});
		await vi.waitFor(() => expect(app.frame()).toContain('The daemon stopped: capturing in-process again'));
		expect(app.frame()).toContain('○ capture idle');
		// Progress without a notice leaves the message alone.
		engine.emitProgress({state: 'capturing', done: 1, total: 3, sessionsChanged: 0, warnings: 0, currentTool: 'codex'});
		await vi.waitFor(() => expect(app.frame()).toContain('● capturing codex 1/3'));
		expect(app.frame()).toContain('The daemon stopped: capturing in-process again');
	});

	test('one session, one warning: singular in the header and the status bar', async () => {
		const engine = new FakeEngine([makeRow(1)], {captureState: 'idle'});
		const app = renderApp(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		await vi.waitFor(() => expect(engine.callsTo('capture')).toHaveLength(1)); // its progress must not land after ours
		engine.emitProgress({state: 'idle', done: 1, total: 1, sessionsChanged: 0, warnings: 1});
		await vi.waitFor(() => expect(app.frame()).toContain('· 1 warning'));
		expect(app.frame()).not.toContain('1 warnings');
		expect(app.frame().split('\n')[0]).toMatch(/ 1 session$/);
	});

	test('a narrow footer drops the extra keys first: help and quit stay visible', async () => {
		const app = renderApp(new FakeEngine(makeRows(3)), {columns: 60, rows: 15});
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		const footer = () => app.frame().split('\n').at(-1)!;
		expect(footer()).toContain('? help');
		expect(footer()).toContain('q quit');
		expect(footer()).toContain('Enter open');
		expect(footer()).not.toContain('…');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(footer()).toContain('Esc back'));
		expect(footer()).toContain('? help');
		const wide = renderApp(new FakeEngine(makeRows(3)), {columns: 120, rows: 15});
		await vi.waitFor(() => expect(wide.frame()).toContain('session 001'));
		expect(wide.frame().split('\n').at(-1)).toContain('Tab preview  s search  ? help  q quit');
	});

	test('narrow terminals stack the preview; short ones go single-pane with Tab', async () => {
		const wide = renderApp(new FakeEngine(makeRows(3)), {columns: 120, rows: 30});
		await vi.waitFor(() => expect(wide.frame()).toMatch(/› claude  session 001 .*│project/));
		expect(wide.frame()).toContain('│session 001');
		wide.unmount();

		const stacked = renderApp(new FakeEngine(makeRows(3)), {columns: 80, rows: 40});
		await vi.waitFor(() => expect(stacked.frame()).toContain('session 003'));
		expect(stacked.frame()).toContain('────');
		expect(stacked.frame()).not.toContain('│');
		expect(stacked.frame()).toContain('prompt number 001');
		stacked.unmount();

		const single = renderApp(new FakeEngine(makeRows(3)), {columns: 80, rows: 16});
		await vi.waitFor(() => expect(single.frame()).toContain('session 003'));
		expect(single.frame()).not.toContain('prompt number 001');
		single.stdin.write(keys.tab);
		await vi.waitFor(() => expect(single.frame()).toContain('prompt number 001'));
		expect(single.frame()).not.toContain('session 003');
		// The frame never exceeds rows - 1 lines (G1).
		expect(single.frame().split('\n').length).toBeLessThanOrEqual(15);
	});

	test('? shows every key of the screen; Esc closes it; q quits', async () => {
		const app = renderApp(new FakeEngine(makeRows(3)), {columns: 120, rows: 40});
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Sessions'));
		expect(app.frame()).toContain('Show or hide sub-agent transcripts');
		expect(app.frame()).toContain('Cycle the tool filter chip');
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).not.toContain('Help · Sessions'));
		app.stdin.write('q');
		await vi.waitFor(() => expect(app.exits).toEqual([{type: 'quit'}]));
	});

	test('Ctrl+C quits from inside the filter too', async () => {
		const app = renderApp(new FakeEngine(makeRows(3)));
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write('/ab');
		await vi.waitFor(() => expect(app.frame()).toContain('/ ab'));
		app.stdin.write(keys.ctrlC);
		await vi.waitFor(() => expect(app.exits).toEqual([{type: 'quit'}]));
	});

	test('footer lists the main keys of the screen', async () => {
		const app = renderApp(new FakeEngine(makeRows(3)), {columns: 160, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		const footer = app.frame().split('\n').at(-1)!;
		expect(footer).toMatch(/Enter open\s+\/ filter\s+l resume/);
		expect(footer).toContain('q quit');
	});
});
