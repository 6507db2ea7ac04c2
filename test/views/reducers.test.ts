import type {Key} from 'ink';
import {describe, expect, test} from 'vitest';
import {appReducer, groupHits, initialAppState, activeLayer} from '../../source/views/app-state.js';
import {buildEntries, detailReducer, initialDetailState, visibleLines, type DetailState} from '../../source/views/detail-state.js';
import {compactNumber, fit, projectName, relativeTime, wrapText} from '../../source/views/format.js';
import {SessionFilter} from '../../source/views/fuzzy.js';
import {BINDINGS, footerFor, helpFor, renderKeyReference, resolveKeys} from '../../source/views/keymap.js';
import {computeLayout} from '../../source/views/layout.js';
import {initialSessionsState, sessionsReducer, treeOrder, windowRows, type SessionsAction, type SessionsState} from '../../source/views/sessions-state.js';
import {editInput, emptyInput} from '../../source/views/text-input.js';
import {clampWindow, moveWindow} from '../../source/views/window.js';
import {makeDetail, makeRow, makeRows} from './fake-engine.js';

const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
} as Key;

function run(state: SessionsState, ...actions: SessionsAction[]): SessionsState {
	return actions.reduce(sessionsReducer, state);
}

describe('window math', () => {
	test('clamps the cursor and keeps it inside the window', () => {
		expect(clampWindow({cursor: 50, offset: 0}, 100, 10)).toEqual({cursor: 50, offset: 41});
		expect(clampWindow({cursor: -3, offset: 5}, 100, 10)).toEqual({cursor: 0, offset: 0});
		expect(clampWindow({cursor: 7, offset: 0}, 0, 10)).toEqual({cursor: 0, offset: 0});
	});

	test('moves by line, page and to the ends', () => {
		let w = {cursor: 0, offset: 0};
		w = moveWindow(w, 'cursor/down', 100, 10);
		expect(w).toEqual({cursor: 1, offset: 0});
		w = moveWindow(w, 'page/down', 100, 10);
		expect(w).toEqual({cursor: 11, offset: 10});
		w = moveWindow(w, 'cursor/bottom', 100, 10);
		expect(w).toEqual({cursor: 99, offset: 90});
		w = moveWindow(w, 'cursor/top', 100, 10);
		expect(w).toEqual({cursor: 0, offset: 0});
		expect(moveWindow(w, 'cursor/up', 100, 10)).toEqual({cursor: 0, offset: 0});
	});
});

describe('sessions reducer', () => {
	test('10,000 rows: only the window is handed to the view', () => {
		const state = run(initialSessionsState(20), {type: 'sessions/loaded', rows: makeRows(10_000)});
		expect(state.visible).toHaveLength(10_000);
		expect(windowRows(state)).toHaveLength(20);
		const end = run(state, {type: 'sessions/move', movement: 'cursor/bottom'});
		expect(end.cursor).toBe(9999);
		expect(end.offset).toBe(9980);
		expect(windowRows(end).at(-1)!.title).toBe('session 10000');
	});

	test('sorts by last update by default and cycles sort keys', () => {
		const rows = [makeRow(3), makeRow(1, {message_count: 1}), makeRow(2, {message_count: 99})];
		let state = run(initialSessionsState(10), {type: 'sessions/loaded', rows});
		expect(state.visible.map(row => row.session_id)).toEqual(['sess-001', 'sess-002', 'sess-003']);
		state = run(state, {type: 'sessions/cycleSort'}, {type: 'sessions/cycleSort'});
		expect(state.sort).toBe('messages');
		expect(state.visible[0]!.session_id).toBe('sess-002');
	});

	test('filter narrows as you type, backspace widens, cancel clears', () => {
		const rows = [makeRow(1, {title: 'fix login bug'}), makeRow(2, {title: 'refactor parser'}), makeRow(3, {title: 'login page css'})];
		let state = run(initialSessionsState(10), {type: 'sessions/loaded', rows}, {type: 'sessions/filterStart'});
		state = run(state, {type: 'sessions/filterEdit', event: {command: 'input/insert', text: 'log'}});
		expect(state.visible.map(row => row.title).sort()).toEqual(['fix login bug', 'login page css']);
		state = run(state, {type: 'sessions/filterEdit', event: {command: 'input/insert', text: 'in p'}});
		expect(state.visible[0]!.title).toBe('login page css');
		state = run(state, {type: 'sessions/filterCancel'});
		expect(state.visible).toHaveLength(3);
		expect(state.filtering).toBe(false);
	});

	test('tool chip, sub-agent and headless toggles', () => {
		const rows = [makeRow(1), makeRow(2), makeRow(3, {is_subagent: true}), makeRow(5, {is_headless: true})];
		let state = run(initialSessionsState(10), {type: 'sessions/loaded', rows});
		expect(state.visible.map(row => row.session_id)).toEqual(['sess-001', 'sess-002', 'sess-005']);
		expect(state.hiddenSubagents).toBe(1);
		state = run(state, {type: 'sessions/toggleSubagents'});
		expect(state.visible).toHaveLength(4);
		state = run(state, {type: 'sessions/toggleHeadless'});
		expect(state.visible.map(row => row.session_id)).toEqual(['sess-001', 'sess-002', 'sess-003']);
		state = run(state, {type: 'sessions/cycleTool'});
		expect(state.tool).toBe('claude-code');
		expect(state.visible.every(row => row.tool === 'claude-code')).toBe(true);
	});

	test('lineage tree puts forks under their parent', () => {
		const rows = [makeRow(1, {parent_session_id: 'sess-003'}), makeRow(2), makeRow(3), makeRow(4, {parent_session_id: 'sess-001'})];
		const depth = new Map<string, number>();
		const ordered = treeOrder(rows, depth);
		expect(ordered.map(row => row.session_id)).toEqual(['sess-002', 'sess-003', 'sess-001', 'sess-004']);
		expect(depth.get('sess-004')).toBe(2);
	});

	test('reload keeps the selected session selected', () => {
		let state = run(initialSessionsState(10), {type: 'sessions/loaded', rows: makeRows(5)}, {type: 'sessions/move', movement: 'cursor/down'});
		expect(state.visible[state.cursor]!.session_id).toBe('sess-002');
		state = run(state, {type: 'sessions/loaded', rows: [makeRow(0, {session_id: 'new'}), ...makeRows(5)]});
		expect(state.visible[state.cursor]!.session_id).toBe('sess-002');
	});
});

describe('fuzzy filter', () => {
	test('substring at once, narrowing as the query grows; refine() ranks with typos', async () => {
		const rows = makeRows(200).map((row, index) => ({...row, title: index === 150 ? 'websocket reconnect' : row.title}));
		const filter = new SessionFilter(rows);
		expect(filter.match('')).toBeUndefined();
		expect(filter.match('we')!.map(index => rows[index]!.title)).toEqual(['websocket reconnect']);
		expect(filter.match('websokt')).toEqual([]); // no substring hit yet…
		expect(filter.isRanked('websokt')).toBe(false);
		const refined = await filter.refine('websokt');
		expect(rows[refined![0]!]!.title).toBe('websocket reconnect'); // …fuse.js finds it
		expect(filter.isRanked('websokt')).toBe(true);
		expect(filter.match('websokt')).toBe(refined); // cached
		expect(filter.match('zzzz')).toEqual([]);
	});

	test('matches alias, tags, project and first prompt', () => {
		const rows = [makeRow(1, {alias: 'payments', tags: ['urgent'], cwd: '/src/billing', first_prompt: 'why is stripe failing'})];
		for (const query of ['payments', 'urgent', 'billing', 'stripe']) {
			expect(new SessionFilter(rows).match(query)).toEqual([0]);
		}

		expect(new SessionFilter(rows).match('zebra')).toEqual([]);
	});

	test('refine() stops when aborted', async () => {
		const filter = new SessionFilter(makeRows(2000));
		const controller = new AbortController();
		const pending = filter.refine('session 01', controller.signal);
		controller.abort();
		await expect(pending).resolves.toBeUndefined();
		expect(filter.isRanked('session 01')).toBe(false);
	});

	test('a refined result for an older query or an older row list is ignored', async () => {
		let state = run(initialSessionsState(10), {type: 'sessions/loaded', rows: makeRows(30)}, {type: 'sessions/filterStart'});
		state = run(state, {type: 'sessions/filterEdit', event: {command: 'input/insert', text: 'session 02'}});
		const stale = state.filter;
		const indices = (await stale.refine('session 02'))!;
		expect(run(state, {type: 'sessions/refined', query: 'session 0', indices, filter: stale}).visible).toEqual(state.visible);
		const reloaded = run(state, {type: 'sessions/loaded', rows: makeRows(30)});
		expect(run(reloaded, {type: 'sessions/refined', query: 'session 02', indices: [0], filter: stale}).visible).toEqual(reloaded.visible);
		const applied = run(state, {type: 'sessions/refined', query: 'session 02', indices, filter: stale});
		expect(applied.visible[0]!.title).toBe('session 020');
		// Once the user has moved, a late ranking keeps their selection.
		const moved = run(state, {type: 'sessions/move', movement: 'cursor/down'}, {type: 'sessions/move', movement: 'cursor/down'});
		const selected = moved.visible[moved.cursor]!.session_id;
		const late = run(moved, {type: 'sessions/refined', query: 'session 02', indices: [...indices].reverse(), filter: stale});
		expect(late.visible[late.cursor]!.session_id).toBe(selected);
	});
});

describe('detail reducer', () => {
	const loaded = (height = 20, extraTurns = 0): DetailState => {
		const row = makeRow(1);
		const opened = detailReducer(initialDetailState(80, height), {type: 'detail/open', sessionId: row.session_id});
		return detailReducer(opened, {type: 'detail/loaded', sessionId: row.session_id, detail: makeDetail(row, extraTurns)});
	};

	test('pairs a tool result with its call and hides the result-only message', () => {
		const entries = buildEntries(makeDetail(makeRow(1)).messages);
		expect(entries.map(entry => entry.kind)).toEqual(['message', 'message', 'thinking', 'tool', 'message']);
		expect(entries[3]!.toolOutput).toContain('TOOL-OUTPUT-LINE');
	});

	test('a text-less message continuing the same speaker gets no header of its own', () => {
		const t = '2026-11-25T12:00:00Z';
		const entries = buildEntries([
			{msg_id: 'a', role: 'assistant', timestamp: t, content: [{type: 'thinking', text: 'hmm'}]},
			{msg_id: 'b', role: 'assistant', timestamp: t, content: [{type: 'text', text: 'Running it.'}]},
			{msg_id: 'c', role: 'assistant', timestamp: t, content: [{type: 'tool_use', tool_use_id: 't', name: 'Bash', input: {command: 'ls'}}]},
		]);
		expect(entries.map(entry => `${entry.kind}:${entry.msgId}`)).toEqual(['message:a', 'thinking:a', 'message:b', 'tool:c']);
	});

	test('tool output and thinking are collapsed until toggled', () => {
		let state = loaded();
		const text = () => state.lines.map(line => line.text).join('\n');
		expect(text()).not.toContain('TOOL-OUTPUT-LINE');
		expect(text()).not.toContain('SECRET-THOUGHT');
		state = detailReducer(state, {type: 'detail/move', movement: 'cursor/down'});
		state = detailReducer(state, {type: 'detail/move', movement: 'cursor/down'});
		state = detailReducer(state, {type: 'detail/move', movement: 'cursor/down'});
		state = detailReducer(state, {type: 'detail/toggle'});
		expect(text()).toContain('TOOL-OUTPUT-LINE');
		state = detailReducer(state, {type: 'detail/thinking'});
		expect(text()).toContain('SECRET-THOUGHT');
	});

	test('find jumps between matching entries with n/N and opens collapsed tool calls', () => {
		let state = loaded();
		state = detailReducer(state, {type: 'detail/findStart'});
		state = detailReducer(state, {type: 'detail/findEdit', event: {command: 'input/insert', text: 'login'}});
		state = detailReducer(state, {type: 'detail/findSubmit'});
		expect(state.findMatches).toEqual([0, 3, 4]);
		expect(state.cursor).toBe(0);
		state = detailReducer(state, {type: 'detail/findNext', direction: 1});
		expect(state.cursor).toBe(3);
		expect(state.lines.some(line => line.text.includes('TOOL-OUTPUT-LINE'))).toBe(true);
		state = detailReducer(state, {type: 'detail/findNext', direction: -1});
		expect(state.cursor).toBe(0);
		state = detailReducer(state, {type: 'detail/findNext', direction: -1});
		expect(state.cursor).toBe(4);
		expect(state.findStatus).toBe('match 3/3');
	});

	test('page down, end and start scroll the window; only the window is visible', () => {
		let state = loaded(10, 40);
		expect(visibleLines(state)).toHaveLength(10);
		state = detailReducer(state, {type: 'detail/move', movement: 'page/down'});
		expect(state.offset).toBe(10);
		expect(state.entryStart[state.cursor]).toBeGreaterThanOrEqual(10);
		state = detailReducer(state, {type: 'detail/move', movement: 'cursor/bottom'});
		expect(state.cursor).toBe(state.entries.length - 1);
		expect(state.offset).toBe(state.lines.length - 10);
		state = detailReducer(state, {type: 'detail/move', movement: 'cursor/top'});
		expect(state).toMatchObject({cursor: 0, offset: 0});
	});

	test('bookkeeping records are hidden until . shows them; the cursor stays on its message', () => {
		const row = makeRow(1);
		const detail = makeDetail(row);
		detail.messages.splice(1, 0, {msg_id: 'meta1', role: 'system', timestamp: detail.messages[0]!.timestamp, content: [{type: 'native_record', record: {type: 'attachment'}}]});
		detail.messages.push({msg_id: 'meta2', role: 'user', timestamp: detail.messages[0]!.timestamp, is_meta: true, content: [{type: 'text', text: 'caveat: local command'}]});
		let state = detailReducer(initialDetailState(80, 20), {type: 'detail/open', sessionId: row.session_id});
		state = detailReducer(state, {type: 'detail/loaded', sessionId: row.session_id, detail});
		expect(state.hiddenMeta).toBe(2);
		expect(state.entries.some(entry => entry.msgId.startsWith('meta'))).toBe(false);
		state = detailReducer(state, {type: 'detail/move', movement: 'cursor/down'}); // onto m2
		expect(state.entries[state.cursor]!.msgId).toBe('m2');
		state = detailReducer(state, {type: 'detail/meta'});
		expect(state.hiddenMeta).toBe(0);
		expect(state.entries.map(entry => entry.msgId)).toContain('meta1');
		expect(state.lines.some(line => line.text.includes('[native_record]'))).toBe(true);
		expect(state.entries[state.cursor]!.msgId).toBe('m2');
		// A search hit on a hidden record opens with records shown.
		let jumped = detailReducer(initialDetailState(80, 20), {type: 'detail/open', sessionId: row.session_id, msgId: 'meta2'});
		jumped = detailReducer(jumped, {type: 'detail/loaded', sessionId: row.session_id, detail});
		expect(jumped.entries[jumped.cursor]!.msgId).toBe('meta2');
	});

	test('opening at a message puts it at the top', () => {
		const row = makeRow(1);
		let state = detailReducer(initialDetailState(80, 5), {type: 'detail/open', sessionId: row.session_id, msgId: 'a10'});
		state = detailReducer(state, {type: 'detail/loaded', sessionId: row.session_id, detail: makeDetail(row, 30)});
		expect(state.entries[state.cursor]!.msgId).toBe('a10');
		expect(visibleLines(state)[0]!.text).toContain('assistant');
	});
});

describe('app reducer', () => {
	test('navigation keeps a back stack; help is an overlay layer', () => {
		let state = initialAppState({columns: 100, rows: 30});
		state = appReducer(state, {type: 'navigate', screen: 'session'});
		state = appReducer(state, {type: 'navigate', screen: 'resume'});
		expect(state.backStack).toEqual(['sessions', 'session']);
		state = appReducer(state, {type: 'help/toggle'});
		expect(activeLayer(state)).toBe('help');
		state = appReducer(state, {type: 'back'});
		expect(state.screen).toBe('resume');
		state = appReducer(state, {type: 'back'});
		state = appReducer(state, {type: 'back'});
		expect(state.screen).toBe('sessions');
	});

	test('resize recomputes page sizes', () => {
		let state = initialAppState({columns: 120, rows: 30});
		expect(state.sessions.pageSize).toBe(computeLayout({columns: 120, rows: 30}).listRows);
		state = appReducer(state, {type: 'resize', size: {columns: 80, rows: 12}});
		expect(state.sessions.pageSize).toBe(computeLayout({columns: 80, rows: 12}).listRows);
		expect(state.detail.width).toBe(78);
	});

	test('search hits are grouped by session, best session first', () => {
		const items = groupHits([
			{session_id: 'a', msg_id: 'm1', role: 'user', position: 3, snippet: 'x', score: 1},
			{session_id: 'b', msg_id: 'm2', role: 'user', position: 0, snippet: 'y', score: 5},
			{session_id: 'a', msg_id: 'm0', role: 'assistant', position: 1, snippet: 'z', score: 2},
		]);
		expect(items.map(item => (item.kind === 'group' ? `g:${item.sessionId}` : item.hit.msg_id))).toEqual(['g:b', 'm2', 'g:a', 'm0', 'm1']);
	});
});

describe('keymap', () => {
	test('a chunk of command keys resolves key by key (G10)', () => {
		expect(resolveKeys('sessions', 'jjj', noKey)).toEqual([{command: 'cursor/down'}, {command: 'cursor/down'}, {command: 'cursor/down'}]);
		expect(resolveKeys('sessions', 'G', {...noKey, shift: true})).toEqual([{command: 'cursor/bottom'}]);
	});

	test('text layers insert characters, Enter and backspace inside a chunk still work', () => {
		expect(resolveKeys('filter', 'jk/q', noKey)).toEqual([{command: 'input/insert', text: 'jk/q'}]);
		expect(resolveKeys('filter', 'ab\u007Fc\r', noKey)).toEqual([
			{command: 'input/insert', text: 'ab'},
			{command: 'input/backspace'},
			{command: 'input/insert', text: 'c'},
			{command: 'input/submit'},
		]);
	});

	test('escape is checked before meta; 0x7f (delete) is backspace', () => {
		expect(resolveKeys('session', '', {...noKey, escape: true, meta: true})).toEqual([{command: 'back'}]);
		expect(resolveKeys('filter', '', {...noKey, escape: true, meta: true})).toEqual([{command: 'input/cancel'}]);
		expect(resolveKeys('filter', '', {...noKey, delete: true})).toEqual([{command: 'input/backspace'}]);
		expect(resolveKeys('sessions', 'c', {...noKey, ctrl: true})).toEqual([{command: 'quit'}]);
	});

	test('help, footer and the README table come from the same bindings', () => {
		const help = helpFor('sessions');
		expect(help.map(entry => entry.keys)).toContain('/');
		expect(footerFor('sessions').map(entry => entry.label)).toEqual(expect.arrayContaining(['open', 'filter', 'quit']));
		const markdown = renderKeyReference();
		for (const binding of BINDINGS.filter(b => b.layers.includes('session'))) {
			expect(markdown).toContain(binding.label);
		}

		expect(markdown).toMatch(/### Sessions\n\n\| Keys \| Action \|/);
	});
});

describe('text input and formatters', () => {
	test('edits at the cursor', () => {
		let state = editInput(emptyInput, {command: 'input/insert', text: 'hllo'});
		state = editInput(state, {command: 'input/home'});
		state = editInput(state, {command: 'input/right'});
		state = editInput(state, {command: 'input/insert', text: 'e'});
		expect(state).toEqual({value: 'hello', cursor: 2});
		state = editInput(state, {command: 'input/backspace'});
		expect(state.value).toBe('hllo');
	});

	test('formatters', () => {
		const now = Date.parse('2026-11-25T12:00:00Z');
		expect(relativeTime('2026-11-25T11:55:00Z', now)).toBe('5m');
		expect(relativeTime('2026-11-22T12:00:00Z', now)).toBe('3d');
		expect(relativeTime('garbage', now)).toBe('');
		expect(compactNumber(12_345)).toBe('12k');
		expect(compactNumber(1500)).toBe('1.5k');
		expect(compactNumber(4_200_000)).toBe('4.2M');
		// Where rounding carries into the next unit: 999,999 is 1M (it read 1000k).
		expect(compactNumber(999_999)).toBe('1M');
		expect(compactNumber(999_499)).toBe('999k');
		expect(compactNumber(9999)).toBe('10k');
		expect(projectName('/home/dev/sfs/')).toBe('sfs');
		expect(fit('abcdef', 4)).toBe('abc…');
		expect(wrapText('abcdef\nxy', 4)).toEqual(['abcd', 'ef', 'xy']);
	});
});
