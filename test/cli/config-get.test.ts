/**
 * `sfs config get <key>`: a key sfs does not know and the file does not hold is a usage error (2), as
 * `config set` says of it; it was "not set" (1), which reads as a real key waiting for a value.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {expectOneLineError, type Sandbox, sandbox, sfs} from './run-sfs.js';

let box: Sandbox;

beforeAll(() => {
	box = sandbox();
});

afterAll(() => box.cleanup());

test('a typo of a key is a usage error naming the known keys', async () => {
	const run = await sfs(box, ['config', 'get', 'llm.modle']);
	expect(run.exitCode).toBe(2);
	expectOneLineError(run, /^sfs: unknown config key: llm.modle \(known keys: capture.exclude, .*llm.model/);
});

test('a known key that is not set is still "not set" (exit 1)', async () => {
	const run = await sfs(box, ['config', 'get', 'llm.model']);
	expect(run.exitCode).toBe(1);
	expectOneLineError(run, /^sfs: config key llm.model is not set \(set it: sfs config set llm.model <value>\)$/);
});

test('a key the file holds is printed even when sfs has no setter for it', async () => {
	fs.mkdirSync(box.sfsHome, {recursive: true});
	fs.writeFileSync(path.join(box.sfsHome, 'config.json'), JSON.stringify({prices: {aliases: {x: 'y'}}}));
	expect((await sfs(box, ['config', 'path'])).stdout).toBe(`${path.join(box.sfsHome, 'config.json')}\n`);
	const run = await sfs(box, ['config', 'get', 'prices.aliases.x']);
	expect(run.exitCode).toBe(0);
	expect(run.stdout).toBe('y\n');
});
