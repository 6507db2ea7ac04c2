import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {FakeEngine, makeRow, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

/** A first prompt that wraps into many more lines than the preview has: "w000 w001 … w599 PROMPT-END". */
const longPrompt = `${Array.from({length: 600}, (_, index) => `w${String(index).padStart(3, '0')}`).join(' ')} PROMPT-END`;

function engineWithLongPreview() {
	const rows = makeRows(4);
	rows[0] = makeRow(1, {first_prompt: longPrompt});
	return new FakeEngine(rows);
}

const selectedLine = (frame: string) => frame.split('\n').find(line => line.startsWith('› ')) ?? '';
const footer = (frame: string) => frame.split('\n').at(-1) ?? '';

describe('Sessions preview focus (Tab)', () => {
	test('wide: Tab focuses the preview, then j/k, PgDn/PgUp and g/G scroll it; Tab gives the keys back to the list', async () => {
		const app = renderApp(engineWithLongPreview(), {columns: 120, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('session 004'));
		expect(footer(app.frame())).toContain('Tab preview');
		expect(app.frame()).toContain('│session 001'); // title on the preview's first line
		expect(app.frame()).not.toContain('PROMPT-END');

		app.stdin.write(keys.tab);
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 1-\d+ of \d+ · Tab back to the list/));
		expect(footer(app.frame())).toContain('↓ scroll');
		expect(footer(app.frame())).toContain('Tab list');
		const total = Number(/of (\d+)/.exec(app.frame())![1]);
		expect(total).toBeGreaterThan(60);

		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 2-/));
		expect(app.frame()).not.toContain('│session 001'); // the title scrolled away
		expect(selectedLine(app.frame())).toContain('session 001'); // the list selection did not move

		app.stdin.write(keys.down);
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 3-/));
		app.stdin.write('k');
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 2-/));

		app.stdin.write(keys.pageDown);
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 26-/)); // a page is the preview's rows less one line of context
		app.stdin.write(keys.pageUp);
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 2-/));

		app.stdin.write('G');
		await vi.waitFor(() => expect(app.frame()).toContain('PROMPT-END'));
		expect(app.frame()).toContain(`-${total} of ${total}`);
		app.stdin.write('j'); // at the end: stays
		await vi.waitFor(() => expect(app.frame()).toContain(`-${total} of ${total}`));

		app.stdin.write('g');
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 1-/));
		expect(app.frame()).toContain('│session 001');

		app.stdin.write(keys.tab);
		await vi.waitFor(() => expect(app.frame()).not.toContain('▸ preview'));
		expect(footer(app.frame())).toContain('Tab preview');
		app.stdin.write('j');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 002'));
	});

	test('Esc also returns to the list; another selection starts its preview at the top', async () => {
		const app = renderApp(engineWithLongPreview(), {columns: 120, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('session 004'));
		app.stdin.write(keys.tab);
		app.stdin.write('jjj'); // G10: a chunk scrolls three lines
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 4-/));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).not.toContain('▸ preview'));
		app.stdin.write('j');
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 002'));
		expect(app.frame()).toContain('│session 002');
		app.stdin.write('k'); // back on the long one: scrolled state was for another selection, so top
		await vi.waitFor(() => expect(selectedLine(app.frame())).toContain('session 001'));
		expect(app.frame()).toContain('│session 001');
	});

	test('Enter opens the session and q quits from the focused preview; help lists the preview keys', async () => {
		const engine = engineWithLongPreview();
		const app = renderApp(engine, {columns: 120, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('session 004'));
		app.stdin.write(keys.tab);
		await vi.waitFor(() => expect(app.frame()).toContain('▸ preview'));
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Sessions: preview focused'));
		expect(app.frame()).toContain('Scroll the preview down');
		expect(app.frame()).toContain('Scroll the preview a page down');
		expect(app.frame()).toContain('Back to the list');
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('▸ preview'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(engine.callsTo('getSession')).toHaveLength(1));
		expect(engine.callsTo('getSession')[0]!.args[0]).toBe('sess-001');
		app.stdin.write('q'); // back to the Sessions screen
		await vi.waitFor(() => expect(app.frame()).toContain('▸ preview'));
		app.stdin.write('q');
		await vi.waitFor(() => expect(app.exits).toEqual([{type: 'quit'}]));
	});

	test('single pane: Tab shows the preview, which scrolls too', async () => {
		const app = renderApp(engineWithLongPreview(), {columns: 80, rows: 16});
		await vi.waitFor(() => expect(app.frame()).toContain('session 004'));
		app.stdin.write(keys.tab);
		await vi.waitFor(() => expect(app.frame()).toMatch(/▸ preview 1-/));
		expect(app.frame()).not.toContain('session 004');
		app.stdin.write('G');
		await vi.waitFor(() => expect(app.frame()).toContain('PROMPT-END'));
		expect(app.frame().split('\n').length).toBeLessThanOrEqual(15); // G1
		app.stdin.write(keys.tab);
		await vi.waitFor(() => expect(app.frame()).toContain('session 004'));
	});
});
