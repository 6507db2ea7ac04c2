/**
 * A session sfs writes into Gemini CLI (resume --no-launch) and captures back was flagged headless:
 * Gemini's headless test is "no prompt of this session in logs.json", and history sfs wrote was never
 * typed there. Until the tool logs a prompt of its own the flag is not inferred.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let box: Sandbox;

beforeAll(async () => {
	box = await sandboxWithExamples();
});

afterAll(() => box.cleanup());

test('a Gemini session written by resume is captured back as interactive, and list --no-headless shows it', async () => {
	const work = path.join(box.root, 'work');
	fs.mkdirSync(work);
	const plan = parseJson<{native_id: string}>(await sfs(box, ['resume', COMPLETE, '--in', 'gemini', '--no-launch', '--json', '--cwd', work]));
	expect((await sfs(box, ['capture'])).exitCode).toBe(0);
	type Row = {session_id: string; tool: string; native_id: string; is_headless: boolean; parent_session_id: string | null};
	const rows = parseJson<Row[]>(await sfs(box, ['list', '--json']));
	const written = rows.find(row => row.tool === 'gemini' && row.native_id === plan.native_id);
	expect(written).toMatchObject({is_headless: false, parent_session_id: COMPLETE});
	const interactive = parseJson<Row[]>(await sfs(box, ['list', '--json', '--no-headless']));
	expect(interactive.map(row => row.native_id)).toContain(plan.native_id);
});
