/**
 * `sfs import <bundle> --json` listed the session under "imported" every time, also when it was in the
 * store already and nothing was added; a directory or archive import reports that as skipped.
 */
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs, specExamples} from './run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
let sender: Sandbox;
let recipient: Sandbox;
let bundle: string;

type Imported = {imported: string[]; skipped: Array<{session_id: string; reason: string}>; created: boolean; added: number};

beforeAll(async () => {
	sender = sandbox();
	recipient = sandbox();
	if ((await sfs(sender, ['import', specExamples])).exitCode !== 0) throw new Error('import failed');
	bundle = path.join(sender.root, 'handoff.sfs-bundle');
	const made = await sfs(sender, ['handoff', COMPLETE, '--bundle', bundle]);
	if (made.exitCode !== 0) throw new Error(made.stderr);
});

afterAll(() => {
	sender.cleanup();
	recipient.cleanup();
});

test('first import: imported; the same bundle again: skipped, already in the store', async () => {
	const first = parseJson<Imported>(await sfs(recipient, ['import', bundle, '--json']));
	expect(first).toMatchObject({imported: [COMPLETE], skipped: [], created: true});
	const again = parseJson<Imported>(await sfs(recipient, ['import', bundle, '--json']));
	expect(again).toMatchObject({imported: [], skipped: [{session_id: COMPLETE, reason: 'already in the store'}], created: false, added: 0});
});
