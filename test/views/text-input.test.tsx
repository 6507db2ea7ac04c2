/**
 * Text inputs with emoji: ← and → step over a whole character. They moved by UTF-16 code unit, so the
 * cursor could stop inside an emoji's surrogate pair, draw half of it, and text typed there split the
 * pair for good (an alias, a tag or a query saved with lone surrogates).
 */
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {editInput, emptyInput, type TextInputState} from '../../source/views/text-input.js';
import type {KeyEvent} from '../../source/views/keymap.js';
import {FakeEngine, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

const apply = (state: TextInputState, ...events: KeyEvent[]) => events.reduce(editInput, state);
const left: KeyEvent = {command: 'input/left'};
const right: KeyEvent = {command: 'input/right'};
const type = (text: string): KeyEvent => ({command: 'input/insert', text});
/** True when every surrogate in the string is half of a pair. */
const wellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('text input cursor and emoji', () => {
	test('← and → step over an emoji; typing next to it keeps it whole', () => {
		let state = apply(emptyInput, type('a🚀'), left, type('b'));
		expect(state.value).toBe('ab🚀');
		expect(wellFormed(state.value)).toBe(true);
		state = apply(state, {command: 'input/home'}, right, right, type('c'));
		expect(state.value).toBe('abc🚀');
		state = apply(state, right, type('d'));
		expect(state.value).toBe('abc🚀d');
		state = apply(state, left, left, {command: 'input/backspace'});
		expect(state.value).toBe('ab🚀d');
		expect(wellFormed(state.value)).toBe(true);
	});

	test('an alias typed with an emoji and edited with ← is saved whole', async () => {
		const engine = new FakeEngine(makeRows(2));
		const app = renderApp(engine);
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write('a');
		await vi.waitFor(() => expect(app.frame()).toContain('Actions for session 001'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('Alias (empty clears it):'));
		app.stdin.write('go🚀');
		await vi.waitFor(() => expect(app.frame()).toContain('go🚀'));
		app.stdin.write(keys.left);
		await vi.waitFor(() => expect(app.frame()).toMatch(/│go🚀 *│/));
		expect(wellFormed(app.frame())).toBe(true);
		app.stdin.write('!');
		await vi.waitFor(() => expect(app.frame()).toContain('go!🚀'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(engine.callsTo('setAlias')).toHaveLength(1));
		expect(engine.callsTo('setAlias')[0]!.args).toEqual(['sess-001', 'go!🚀']);
	});
});
