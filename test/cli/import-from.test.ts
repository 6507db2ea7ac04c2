import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeEach, expect, test} from 'vitest';

const cli = path.resolve('dist/cli.js');
let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-import-from-'));
	env = {PATH: process.env.PATH, HOME: path.join(root, 'home'), SFS_HOME: path.join(root, 'sfs'), NO_COLOR: '1'};
	fs.mkdirSync(env.HOME!, {recursive: true});
});

afterEach(() => fs.rmSync(root, {recursive: true, force: true}));

const sfs = async (...args: string[]) => execa(process.execPath, [cli, ...args], {env, extendEnv: false, reject: false});

test('import --from captures native sessions from a folder outside the tool store, once', async () => {
	const copied = path.join(root, 'old-laptop');
	fs.cpSync('test/fixtures/recorded/codex/sessions', copied, {recursive: true});
	const first = await sfs('import', '--from', 'codex', copied, '--json');
	expect(first.exitCode, first.stderr).toBe(0);
	const imported = JSON.parse(first.stdout) as {imported: string[]};
	expect(imported.imported.length).toBeGreaterThan(0);
	const listed = JSON.parse((await sfs('list', '--json', '--tool', 'codex')).stdout) as Array<{session_id: string; native_id: string}>;
	expect(listed.map(row => row.session_id).sort()).toEqual([...imported.imported].sort());
	const found = JSON.parse((await sfs('search', 'notes.txt', '--json')).stdout) as unknown[];
	expect(found.length).toBeGreaterThan(0);

	const again = await sfs('import', '--from', 'codex', copied, '--json');
	expect(JSON.parse(again.stdout)).toMatchObject({imported: []});
});

test('import --from names a missing path and an unknown tool in one line', async () => {
	const missing = await sfs('import', '--from', 'codex', path.join(root, 'nope'));
	expect(missing.exitCode).toBe(1);
	expect(missing.stderr.trim().split('\n')).toHaveLength(1);
	expect(missing.stderr).toContain('does not exist');
	const unknown = await sfs('import', '--from', 'vim', root);
	expect(unknown.exitCode).toBe(2);
});
