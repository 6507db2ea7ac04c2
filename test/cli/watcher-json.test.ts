/**
 * `sfs watcher enable|disable <tool> --json` printed the text line ("cursor: disabled"), so a script
 * parsing it failed; it now prints {"tool", "enabled"} like list's --json rows.
 */
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs} from './run-sfs.js';

let box: Sandbox;

beforeAll(() => {
	box = sandbox();
});

afterAll(() => box.cleanup());

test('disable and enable --json print the new state; list agrees', async () => {
	expect(parseJson(await sfs(box, ['watcher', 'disable', 'cursor', '--json']))).toEqual({tool: 'cursor', enabled: false});
	let rows = parseJson<Array<{tool: string; enabled: boolean}>>(await sfs(box, ['watcher', 'list', '--json']));
	expect(rows.find(row => row.tool === 'cursor')?.enabled).toBe(false);
	expect(parseJson(await sfs(box, ['watcher', 'enable', 'cursor', '--json']))).toEqual({tool: 'cursor', enabled: true});
	rows = parseJson<Array<{tool: string; enabled: boolean}>>(await sfs(box, ['watcher', '--json']));
	expect(rows.find(row => row.tool === 'cursor')?.enabled).toBe(true);
});

test('without --json the line is unchanged', async () => {
	const run = await sfs(box, ['watcher', 'disable', 'amp']);
	expect(run.stdout).toBe('amp: disabled\n');
});
