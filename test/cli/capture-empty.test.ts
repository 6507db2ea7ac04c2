/**
 * A native session that holds no message yet (a file just created, or a file that is no session at all)
 * is not stored as an empty "no title, 0 msgs" session. It is counted, not read again until it changes,
 * and captured whole once it has messages.
 */
import {randomUUID} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs} from './run-sfs.js';

const boxes: Sandbox[] = [];
afterEach(() => {
	for (const box of boxes.splice(0)) box.cleanup();
});

type Report = {new: number; updated: number; unchanged: number; empty: number; records_parsed: number};

function userLine(sessionId: string, text: string): string {
	return JSON.stringify({parentUuid: null, isSidechain: false, type: 'user', message: {role: 'user', content: text}, uuid: randomUUID(), timestamp: new Date().toISOString(), cwd: '/home/me/app', sessionId, version: '2.1.86'});
}

test('an empty Claude Code session file is counted, skipped until it changes, then captured whole', async () => {
	const box = sandbox();
	boxes.push(box);
	const id = randomUUID();
	const file = path.join(box.home, '.claude', 'projects', '-home-me-app', `${id}.jsonl`);
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, '');

	const first = parseJson<Report>(await sfs(box, ['capture', '--json']));
	expect(first).toMatchObject({new: 0, empty: 1});
	expect(parseJson<unknown[]>(await sfs(box, ['list', '--json']))).toEqual([]);
	const human = await sfs(box, ['capture']);
	expect(human.stderr).toMatch(/captured: 0 new, 0 updated, 1 unchanged in/);

	fs.appendFileSync(file, `${userLine(id, 'now there is something to keep')}\n`);
	const second = parseJson<Report>(await sfs(box, ['capture', '--json']));
	expect(second).toMatchObject({new: 1, empty: 0});
	const rows = parseJson<Array<{native_id: string; message_count: number; title: string}>>(await sfs(box, ['list', '--json']));
	expect(rows).toMatchObject([{native_id: id, message_count: 1, title: 'now there is something to keep'}]);
});

test('import --from of a file that is no session imports nothing and says so', async () => {
	const box = sandbox();
	boxes.push(box);
	const notASession = path.join(box.root, 'passwd');
	fs.writeFileSync(notASession, 'root:x:0:0:root:/root:/bin/bash\n');
	const run = await sfs(box, ['import', '--from', 'gemini', notASession, '--json']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect(parseJson<{imported: string[]; empty: number}>(run)).toMatchObject({imported: [], empty: 1});
	expect(parseJson<unknown[]>(await sfs(box, ['list', '--json']))).toEqual([]);
});
