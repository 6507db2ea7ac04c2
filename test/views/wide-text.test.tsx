/**
 * Wide characters (CJK, emoji) take two terminal columns. Cutting and wrapping by code points made a
 * CJK title push the list's columns off the row, and a CJK message line twice as wide as the pane lost
 * its second half (Ink truncates each line to the box).
 */
import {cleanup} from 'ink-testing-library';
import stringWidth from 'string-width';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {columnWidth, fit, wrapText} from '../../source/views/format.js';
import {FakeEngine, makeRow, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

const cjk = '日本語のタイトルがとても長い場合の表示テスト';

describe('fit and wrapText count terminal columns', () => {
	test('fit cuts and pads wide text to the exact column width', () => {
		expect(columnWidth('ab日本🚀')).toBe(8);
		for (const width of [1, 5, 10, 11, 17]) {
			expect(stringWidth(fit(cjk, width, true))).toBe(width);
			expect(stringWidth(fit(cjk, width))).toBeLessThanOrEqual(width);
		}

		expect(fit('日本語', 5)).toBe('日本…');
		expect(fit('日本語', 6)).toBe('日本語');
		expect(fit('日本語', 6, true)).toBe('日本語');
		expect(fit('ab', 4, true)).toBe('ab  ');
		expect(fit('abcdef', 4)).toBe('abc…');
	});

	test('wrapText keeps every character and no line is wider than the width', () => {
		const text = `${cjk}。これは長い日本語のメッセージです 🚀 emoji and ascii`;
		const lines = wrapText(text, 20);
		expect(lines.join('')).toBe(text);
		for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(20);
		expect(lines.length).toBeGreaterThan(3);
		expect(wrapText('abcdef\nxy', 4)).toEqual(['abcd', 'ef', 'xy']);
		// A wide character never splits, even at an odd width.
		expect(wrapText('日本語', 3)).toEqual(['日', '本', '語']);
	});
});

describe('wide text on screen', () => {
	test('a CJK title keeps the columns after it (updated, messages, tokens) on the row', async () => {
		const rows = [makeRow(1, {title: cjk, message_count: 42}), ...makeRows(3).slice(1)];
		const app = renderApp(new FakeEngine(rows), {columns: 80, rows: 20});
		await vi.waitFor(() => expect(app.frame()).toContain('session 002'));
		const lines = app.frame().split('\n');
		const wide = lines.find(line => line.startsWith('› '))!;
		const plain = lines.find(line => line.includes('session 002'))!;
		expect(wide).toContain('日本語');
		expect(wide).toMatch(/\s42\s+1\.1k$/);
		expect(stringWidth(wide)).toBe(stringWidth(plain));
		// The project column starts at the same column on both rows.
		expect(stringWidth(wide.slice(0, wide.indexOf('project-1')))).toBe(stringWidth(plain.slice(0, plain.indexOf('project-2'))));
	});

	test('a long CJK message is wrapped whole on the Session screen, not cut at the pane edge', async () => {
		const engine = new FakeEngine([makeRow(1)]);
		const message = 'これは長い日本語のメッセージです。セッション画面で折り返しが正しく行われるかどうかを確認するためのテキストです。最後まで表示されるべきです。終わり。';
		engine.getSession = async () => ({
			manifest: {sfs_version: '0.1.0', session_id: 'sess-001', title: 'wide', created_at: null, updated_at: null, source: {tool: 'claude-code'}},
			messages: [{msg_id: 'm1', role: 'user', timestamp: null, content: [{type: 'text', text: message}]}],
		}) as never;
		const app = renderApp(engine, {columns: 60, rows: 20});
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('終わり。'));
		const body = app.frame().split('\n').filter(line => /[\u3040-\u30FF\u4E00-\u9FFF]/.test(line));
		expect(body.map(line => line.replace(/^[›▏ ]+/, '')).join('')).toBe(message);
		for (const line of app.frame().split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(60);
	});
});
