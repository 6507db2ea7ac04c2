/**
 * A cold capture large enough to move its index writes to the worker thread, killed with SIGKILL at
 * random moments, then run again: every session ends up stored once and fully indexed, exactly as an
 * uninterrupted capture leaves them. Runs the BUILT binary (`npm run build` first).
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {generateCorpusSync} from '../../scripts/bench/generate.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';
import {cliPath, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

let box: Sandbox;

beforeAll(() => {
	box = sandbox();
	// ~10,000 messages: past INDEX_WORKER_AFTER, so the index writes run in the worker.
	generateCorpusSync({home: box.home, scale: 'small', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
});

afterAll(() => {
	box.cleanup();
});

/** Per stored session: its message count in the store and in the index, and whether ids repeat. */
function snapshot(sfsHome: string) {
	const env = {...box.env, SFS_HOME: sfsHome};
	const store = new Store(env);
	const index = SessionIndex.open(indexPath(env), {readonly: true});
	try {
		const sessions: Record<string, {stored: number; indexed: number | undefined; unique: boolean}> = {};
		for (const id of store.listIds()) {
			const {messages} = store.readMessages(id);
			sessions[id] = {stored: messages.length, indexed: index.getSession(id)?.message_count, unique: new Set(messages.map(message => message.msg_id)).size === messages.length};
		}

		return {sessions, indexedMessages: index.stats().messages};
	} finally {
		index.close();
	}
}

describe('a cold capture with the index worker, killed with SIGKILL', () => {
	test('then captured again: every session stored once and fully indexed, as without the kill', async () => {
		const reference = path.join(box.root, 'sfs-reference');
		const uninterrupted = await sfs(box, ['capture', '--json', '--quiet'], {env: {SFS_HOME: reference}});
		expect(uninterrupted.exitCode).toBe(0);
		const expected = snapshot(reference);
		expect(Object.keys(expected.sessions).length).toBeGreaterThan(100);

		for (const delay of [600, 1200, 1800]) {
			const child = spawn(process.execPath, [cliPath, 'capture', '--json', '--quiet'], {env: box.env, stdio: 'ignore'});
			const exited = new Promise(resolve => child.once('exit', resolve));
			await sleep(delay);
			child.kill('SIGKILL');
			await exited;
		}

		const again = await sfs(box, ['capture', '--json', '--quiet']);
		expect(again.exitCode).toBe(0);
		expect(JSON.parse(again.stdout)).toMatchObject({skipped: []});
		const after = snapshot(box.sfsHome);
		for (const session of Object.values(after.sessions)) expect(session).toMatchObject({unique: true});
		expect(after).toEqual(expected);

		const rescan = await sfs(box, ['capture', '--json', '--quiet']);
		expect(JSON.parse(rescan.stdout)).toMatchObject({records_parsed: 0, new: 0, updated: 0});
	}, 180_000);
});
