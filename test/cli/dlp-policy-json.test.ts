/**
 * `sfs dlp policy set … --json` printed nothing on stdout (the note went to stderr), so a script got
 * no JSON; it prints {"kind", "action", "project"} (project null when --global).
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs} from './run-sfs.js';

let box: Sandbox;
let project: string;

beforeAll(() => {
	box = sandbox();
	project = path.join(box.root, 'repo');
	fs.mkdirSync(project);
});

afterAll(() => box.cleanup());

test('policy set --json, for a project and globally; policy show agrees', async () => {
	expect(parseJson(await sfs(box, ['dlp', 'policy', 'set', 'secrets', 'redact', '--project', project, '--json']))).toEqual({kind: 'secrets', action: 'redact', project});
	expect(parseJson(await sfs(box, ['dlp', 'policy', 'set', 'personal', 'block', '--global', '--json']))).toEqual({kind: 'personal', action: 'block', project: null});
	const shown = parseJson<{stored: {global: {personal?: string}; projects: Record<string, {secrets?: string}>}}>(await sfs(box, ['dlp', 'policy', 'show', '--json']));
	expect(shown.stored.global.personal).toBe('block');
	expect(shown.stored.projects[project]?.secrets).toBe('redact');
});

test('without --json: the note on stderr, nothing on stdout', async () => {
	const run = await sfs(box, ['dlp', 'policy', 'set', 'secrets', 'warn', '--global']);
	expect(run.stdout).toBe('');
	expect(run.stderr).toBe('sfs: dlp secrets = warn globally\n');
});
