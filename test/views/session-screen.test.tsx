import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {FakeEngine, makeRow, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

async function openFirst(engine = new FakeEngine(makeRows(3)), size = {columns: 120, rows: 30}) {
	const app = renderApp(engine, size);
	await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
	app.stdin.write(keys.enter);
	await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
	return app;
}

/** Lines of the selected entry start with "› ". */
function cursorLine(frame: string): string {
	return frame.split('\n').find(line => line.startsWith('› ')) ?? '';
}

describe('Session screen', () => {
	test('shows roles and timestamps; tool calls and thinking are collapsed', async () => {
		const app = await openFirst();
		const frame = app.frame();
		expect(frame).toMatch(/› you · \d{4}-\d\d-\d\d \d\d:\d\d/);
		expect(frame).toMatch(/assistant · \d{4}-\d\d-\d\d \d\d:\d\d · claude-x/);
		expect(frame).toContain('▸ ⚙ Bash npm test -- login → 2 lines');
		expect(frame).toContain('✻ thinking hidden');
		expect(frame).not.toContain('TOOL-OUTPUT-LINE');
		expect(frame).not.toContain('SECRET-THOUGHT');
		expect(frame).toContain('› Session');
	});

	test('Enter on a tool call expands its output; e toggles all; i shows thinking', async () => {
		const app = await openFirst();
		app.stdin.write('jjj'); // message, message, thinking, tool
		await vi.waitFor(() => expect(cursorLine(app.frame())).toContain('⚙ Bash'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('TOOL-OUTPUT-LINE expected 200 got 401'));
		expect(app.frame()).toContain('"command": "npm test -- login"');
		app.stdin.write(' ');
		await vi.waitFor(() => expect(app.frame()).not.toContain('TOOL-OUTPUT-LINE'));
		app.stdin.write('e');
		await vi.waitFor(() => expect(app.frame()).toContain('TOOL-OUTPUT-LINE'));
		app.stdin.write('i');
		await vi.waitFor(() => expect(app.frame()).toContain('SECRET-THOUGHT'));
		expect(app.frame()).toContain('thinking shown');
		app.stdin.write('i');
		await vi.waitFor(() => expect(app.frame()).not.toContain('SECRET-THOUGHT'));
	});

	test('/ finds within the session; n and N move between matches', async () => {
		const app = await openFirst();
		app.stdin.write('/');
		await vi.waitFor(() => expect(app.frame()).toContain('find:'));
		app.stdin.write('token\r');
		await vi.waitFor(() => expect(app.frame()).toContain('find "token": match 1/1'));
		expect(cursorLine(app.frame())).toContain('assistant');
		app.stdin.write(keys.esc); // back to the list…
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
		app.stdin.write(keys.enter); // …and in again, to find with n/N
		await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
		app.stdin.write('/login');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('match 1/3'));
		app.stdin.write('n');
		await vi.waitFor(() => expect(app.frame()).toContain('match 2/3'));
		expect(cursorLine(app.frame())).toContain('⚙ Bash');
		expect(app.frame()).toContain('TOOL-OUTPUT-LINE'); // the match inside the collapsed call was opened
		app.stdin.write('n');
		await vi.waitFor(() => expect(app.frame()).toContain('match 3/3'));
		app.stdin.write('N');
		await vi.waitFor(() => expect(app.frame()).toContain('match 2/3'));
	});

	test('find stays visible while typing and after Enter when the title is longer than the screen', async () => {
		const engine = new FakeEngine([makeRow(1, {title: `session 001 with a very long title ${'that goes on and on '.repeat(8)}`})]);
		const app = await openFirst(engine, {columns: 80, rows: 20});
		app.stdin.write('/tok');
		await vi.waitFor(() => expect(app.frame().split('\n')[1]).toContain('find: tok'));
		app.stdin.write('en\r');
		await vi.waitFor(() => expect(app.frame().split('\n')[1]).toContain('find "token": match 1/1'));
		app.stdin.write('/zzz\r');
		await vi.waitFor(() => expect(app.frame().split('\n')[1]).toContain('no match for "zzz"'));
	});

	test('g/G and PgUp/PgDn move through a long session', async () => {
		const engine = new FakeEngine(makeRows(2));
		engine.extraTurns = 40;
		const app = await openFirst(engine, {columns: 100, rows: 20});
		expect(app.frame()).not.toContain('answer 39');
		app.stdin.write('G');
		await vi.waitFor(() => expect(cursorLine(app.frame())).toContain('assistant'));
		expect(app.frame()).toContain('answer 39');
		expect(app.frame()).not.toContain('Let me run the tests first.');
		app.stdin.write('g');
		await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
		app.stdin.write(keys.pageDown);
		await vi.waitFor(() => expect(app.frame()).not.toContain('Let me run the tests first.'));
		expect(app.frame()).toMatch(/follow-up question \d/);
		app.stdin.write(keys.pageUp);
		await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
	});

	test('y copies the selected message: clipboard when the engine has one, OSC 52 otherwise', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = await openFirst(engine);
		app.stdin.write('y');
		await vi.waitFor(() => expect(app.frame()).toContain('(OSC 52)'));
		const expected = Buffer.from('Please fix the flaky login test in session 001').toString('base64');
		expect(app.writes).toContain(`\u001B]52;c;${expected}\u0007`);
		engine.clipboard = true;
		app.stdin.write('j');
		app.stdin.write('y');
		await vi.waitFor(() => expect(engine.callsTo('copyToClipboard').at(-1)?.args[0]).toBe('Let me run the tests first.'));
		await vi.waitFor(() => expect(app.frame()).toMatch(/Copied 27 characters(?! \(OSC)/));
		expect(app.writes).toHaveLength(1);
	});

	test('back with Esc and with q; the list keeps its selection', async () => {
		const app = renderApp(new FakeEngine(makeRows(3)));
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write('j\r');
		await vi.waitFor(() => expect(app.frame()).toContain('in session 002'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
		expect(cursorLine(app.frame())).toContain('session 002');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('in session 002'));
		app.stdin.write('q');
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
		expect(app.exits).toEqual([]);
	});

	test('help lists the Session keys', async () => {
		const app = await openFirst(undefined, {columns: 120, rows: 40});
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Help · Session'));
		expect(app.frame()).toContain('Show or hide thinking');
		expect(app.frame()).toContain('Copy the selected message');
		app.stdin.write('q');
		await vi.waitFor(() => expect(app.frame()).toContain('Let me run the tests first.'));
	});

	test('an engine error shows in the screen, not a crash', async () => {
		const engine = new FakeEngine(makeRows(1));
		engine.getSession = async () => {
			throw new Error('session file is corrupt');
		};

		const app = renderApp(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Could not open the session: session file is corrupt'));
	});
});
