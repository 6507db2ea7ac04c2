/**
 * A session whose manifest.json is damaged (doctor says to delete it) can be deleted: before, delete
 * read the manifest first and stopped at "manifest.json is not valid JSON". Its tombstone takes the
 * tool and native id from the index, so capture still never brings it back.
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

test('delete --yes removes a session whose manifest is not valid JSON, described from the index', async () => {
	const before = parseJson<Array<{session_id: string; tool: string; native_id: string | null}>>(await sfs(box, ['list', '--json']));
	const row = before.find(session => session.session_id === COMPLETE)!;
	expect(row).toBeDefined();
	fs.writeFileSync(path.join(box.sfsHome, 'sessions', COMPLETE, 'manifest.json'), '{bad');

	const run = await sfs(box, ['delete', COMPLETE, '--yes']);
	expect(run.exitCode, run.stderr).toBe(0);
	expect(run.stderr).toContain('manifest.json is not valid JSON');
	expect(run.stderr).toContain(`will delete ${COMPLETE}`);
	expect(run.stderr).toContain(`(${row.tool}, `);
	expect(fs.existsSync(path.join(box.sfsHome, 'sessions', COMPLETE))).toBe(false);

	const after = parseJson<Array<{session_id: string}>>(await sfs(box, ['list', '--json']));
	expect(after.map(session => session.session_id)).not.toContain(COMPLETE);
	const tombstones = fs.readFileSync(path.join(box.sfsHome, 'tombstones.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
	expect(tombstones.at(-1)).toMatchObject({session_id: COMPLETE, tool: row.tool, ...(row.native_id ? {native_id: row.native_id} : {})});
});
