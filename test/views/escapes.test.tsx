/**
 * Session text is untrusted (tool output, fetched pages, files). Escape sequences in it must not reach
 * the terminal: an OSC 0 in a message retitled the tmux pane when the Session screen showed it, and an
 * OSC 52 would have written the clipboard. They are dropped; the readable text stays.
 */
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {oneLine, plainText, wrapText} from '../../source/views/format.js';
import type {SessionDetail} from '../../source/views/engine-context.js';
import {FakeEngine, makeRow} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

const OSC_TITLE = '\u001B]0;PWNED-TITLE\u0007';
const OSC_CLIPBOARD = '\u001B]52;c;cm0gLXJmIH4=\u001B\\';
const CLEAR = '\u001B[2J\u001B[H';
const RED = '\u001B[31mRED\u001B[0m';

describe('escape sequences in session text', () => {
	test('plainText drops CSI, OSC (BEL or ST ended), other ESC pairs and control characters; keeps text, tabs, newlines and snippet markers', () => {
		expect(plainText(`a${RED}b`)).toBe('aREDb');
		expect(plainText(`x${OSC_TITLE}y${OSC_CLIPBOARD}z`)).toBe('xyz');
		expect(plainText(`${CLEAR}top\u001B7saved\u001B8`)).toBe('topsaved');
		expect(plainText('bell\u0007 back\bspace cr\rline')).toBe('bell backspace crline');
		expect(plainText('tab\tnew\nline \u0001hit\u0002')).toBe('tab\tnew\nline \u0001hit\u0002');
		expect(plainText('\u009B31mC1 CSI\u009D0;t\u0007')).toBe('C1 CSI');
		expect(plainText('日本語 🚀 plain')).toBe('日本語 🚀 plain');
		expect(oneLine(`title ${OSC_TITLE}here`)).toBe('title here');
		expect(wrapText(`out ${RED}\r\nnext${CLEAR}`, 40)).toEqual(['out RED', 'next']);
	});

	test('nothing from a session reaches the terminal as an escape: list, preview, Session screen with tool output expanded', async () => {
		const row = makeRow(1, {title: `build ${OSC_TITLE}log`, first_prompt: `run it ${OSC_CLIPBOARD}now`, cwd: `/home/dev/${CLEAR}proj`, model: `m${OSC_TITLE}x`});
		const engine = new FakeEngine([row]);
		engine.getSession = async (): Promise<SessionDetail> => ({
			manifest: {sfs_version: '0.1.0', session_id: row.session_id, title: row.title, created_at: null, updated_at: null, source: {tool: 'claude-code'}},
			messages: [
				{msg_id: 'm1', role: 'user', timestamp: null, content: [{type: 'text', text: `please ${OSC_CLIPBOARD}test ${RED}`}]},
				{msg_id: 'm2', role: 'assistant', timestamp: null, model: `claude${OSC_TITLE}`, content: [{type: 'tool_use', tool_use_id: 't1', name: 'Bash', input: {command: `npm test ${CLEAR}`}}]},
				{msg_id: 'm3', role: 'user', timestamp: null, content: [{type: 'tool_result', tool_use_id: 't1', content: `\u001B[32mPASS\u001B[39m suite${OSC_TITLE}\n${CLEAR}done`}]},
			],
		}) as unknown as SessionDetail;
		const app = renderApp(engine, {columns: 120, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('build log'));
		expect(app.frame()).toContain('run it now');
		expect(app.frame()).not.toContain('\u001B');
		expect(app.frame()).not.toContain('\u0007');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('please test RED'));
		app.stdin.write('e'); // expand every tool call: input and output
		await vi.waitFor(() => expect(app.frame()).toContain('PASS suite'));
		expect(app.frame()).toContain('done');
		expect(app.frame()).not.toContain('\u001B');
		expect(app.frame()).not.toContain('\u0007');
		expect(app.frame()).not.toContain('PWNED');
	});
});
