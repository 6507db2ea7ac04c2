/**
 * `sfs search` (its one-file fast path, dist/search-fast.cjs) finds a Japanese or Chinese word inside a
 * sentence of a captured Claude Code session, and says nothing was found for one that is not there.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs} from './run-sfs.js';

type Hit = {msg_id: string; snippet: string};
let box: Sandbox;

beforeEach(async () => {
	box = sandbox();
	const dir = path.join(box.env.CLAUDE_CONFIG_DIR!, 'projects', '-work-app');
	fs.mkdirSync(dir, {recursive: true});
	const record = (uuid: string, parentUuid: string | null, role: 'user' | 'assistant', text: string) =>
		JSON.stringify({type: role, uuid, parentUuid, sessionId: 'a1b2c3d4-0000-4000-8000-000000000001', timestamp: '2026-11-20T10:00:00.000Z', cwd: '/work/app', message: {role, content: role === 'user' ? text : [{type: 'text', text}]}});
	fs.writeFileSync(
		path.join(dir, 'a1b2c3d4-0000-4000-8000-000000000001.jsonl'),
		[record('u1', null, 'user', '今日は東京タワーに行った'), record('u2', 'u1', 'assistant', '我们在北京开会讨论接口设计')].join('\n') + '\n',
	);
	const run = await sfs(box, ['capture']);
	if (run.exitCode !== 0) throw new Error(run.stderr);
});

afterEach(() => box.cleanup());

test('a word inside a sentence is found, with its message', async () => {
	for (const [query, id] of [['東京', 'u1'], ['タワー', 'u1'], ['接口设计', 'u2']] as const) {
		const run = await sfs(box, ['search', query, '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		expect(parseJson<Hit[]>(run).map(hit => hit.msg_id), query).toEqual([id]);
	}
});

test('a word that is not there finds nothing', async () => {
	const run = await sfs(box, ['search', '大阪', '--json']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect(parseJson<Hit[]>(run)).toEqual([]);
});
