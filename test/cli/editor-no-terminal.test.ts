/**
 * `sfs rules edit` / `sfs project edit` without $VISUAL/$EDITOR fall back to vi, which needs a
 * terminal: from a script it wrote its screen codes into the pipe and failed ("the editor vi exited
 * with 1"). Without a terminal and without a set editor they now refuse up front (exit 2) and say
 * which file to edit; a set editor is run as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, type Sandbox, sandbox, sfs} from './run-sfs.js';

let box: Sandbox;
let repo: string;

beforeAll(async () => {
	box = sandbox();
	repo = path.join(box.root, 'repo');
	fs.mkdirSync(path.join(repo, '.git'), {recursive: true});
	const init = await sfs(box, ['rules', 'init', '--tools', 'codex', '--yes'], {cwd: repo});
	if (init.exitCode !== 0) throw new Error(init.stderr);
});

afterAll(() => box.cleanup());

test('rules edit without an editor and without a terminal is refused, naming the rules file', async () => {
	const run = await sfs(box, ['rules', 'edit'], {cwd: repo});
	expect(run.exitCode).toBe(2);
	expect(run.stdout).toBe('');
	expectOneLineError(run, /^sfs: no terminal to run the default editor \(vi\) in \(set \$EDITOR .*, or edit .*\.sfs\/rules\/.*\.md directly\)$/);
});

test('project edit likewise', async () => {
	const run = await sfs(box, ['project', 'edit'], {cwd: repo});
	expect(run.exitCode).toBe(2);
	expectOneLineError(run, /^sfs: no terminal to run the default editor \(vi\) in .*\.md directly\)$/);
});

test('a set $EDITOR still runs without a terminal', async () => {
	const run = await sfs(box, ['rules', 'edit'], {cwd: repo, env: {EDITOR: 'true'}});
	expect(run.exitCode).toBe(0);
	expect((await sfs(box, ['project', 'edit'], {cwd: repo, env: {VISUAL: 'true'}})).exitCode).toBe(0);
});
