/**
 * The capture optimisations made for the bench (docs/performance.md): index writes of many sessions
 * in one batch, and what keeps that crash-safe (a session whose index fell behind its store is read
 * again and re-indexed, even when the capture state saved in the index is gone).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {capture} from '../../source/engine/capture.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';
import {fakeAdapter, fakeRoot} from '../support/fake-adapter.js';

let home: string;
let env: NodeJS.ProcessEnv;
let store: Store;
let index: SessionIndex;

const line = (record: object) => `${JSON.stringify(record)}\n`;
const run = async () => capture({env, store, index, adapters: [fakeAdapter], config: {}});

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-capture-batch-'));
	env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data')};
	store = new Store(env);
	index = SessionIndex.open(indexPath(env));
	fs.mkdirSync(fakeRoot(home), {recursive: true});
	for (let i = 0; i < 30; i++) {
		fs.writeFileSync(path.join(fakeRoot(home), `s${i}.jsonl`), line({id: `s${i}-1`, role: 'user', text: `question zebra${i}`}) + line({id: `s${i}-2`, role: 'assistant', text: `answer ${i}`}));
	}
});

afterEach(() => {
	index.close();
	fs.rmSync(home, {recursive: true, force: true});
});

describe('capture index batches', () => {
	test('every session of a batched cold capture is searchable when capture returns, and no transaction is left open', async () => {
		const report = await run();
		expect(report.new).toBe(30);
		for (const i of [0, 17, 29]) expect(index.search(`zebra${i}`).map(hit => hit.session_id)).toEqual([sessionIdForNative('codex', `s${i}`)]);
		// A transaction left open would make this throw ("beginBatch() inside a transaction").
		expect(() => {
			index.beginBatch();
			index.rollbackBatch();
		}).not.toThrow();
	});

	test('a session whose index rows were lost (killed mid-batch, state not saved) is re-indexed by the next capture', async () => {
		await run();
		const lost = sessionIdForNative('codex', 's5');
		// What a kill before the batch commit leaves: the store and manifest have the session, the index does not, and no saved state.
		index.removeSession(lost);
		index.setMeta('capture:cursors', {});
		expect(index.search('zebra5')).toEqual([]);

		const again = await run();
		expect(again).toMatchObject({new: 0, updated: 0, skipped: []});
		expect(index.search('zebra5').map(hit => hit.session_id)).toEqual([lost]);
		expect(index.getSession(lost)?.message_count).toBe(2);
		expect(store.readSession(lost).messages).toHaveLength(2);
	});

	test('a later rescan with the saved state still parses nothing', async () => {
		await run();
		const second = await run();
		expect(second.records_parsed).toBe(0);
		expect(second.unchanged).toBe(30);
	});
});

describe('capture state layout', () => {
	test('the earlier state (adapter states inline) is converted once: nothing re-parsed, the old value removed', async () => {
		await run();
		const rows = index.metaByPrefix('capture:cursor:');
		expect(rows).toHaveLength(30);
		// What an earlier sfs left: everything under the legacy key, with adapter states, and no per-session rows.
		const legacy = Object.fromEntries(
			rows.map(({key, value}) => {
				const [, , ...stamps] = JSON.parse(value) as [number, null, ...Array<string | number>];
				const files: Record<string, object> = {};
				for (let at = 0; at < stamps.length; at += 4) files[stamps[at] as string] = {size: stamps[at + 1], mtime_ms: stamps[at + 2], ino: stamps[at + 3], offset: 0};
				return [key.slice('capture:cursor:'.length), {files, state: {big: 'x'.repeat(100)}}];
			}),
		);
		index.setMeta('capture:sessions', legacy);
		index.setMetaRaw(rows.map(({key}) => [key, undefined]));

		const again = await run();
		expect(again.records_parsed).toBe(0);
		expect(again.unchanged).toBe(30);
		expect(index.getMeta('capture:sessions')).toBeUndefined();
		expect(index.metaByPrefix('capture:cursor:')).toHaveLength(30);
	});

	test('an appended session is read from its cursors with the adapter state kept in its manifest', async () => {
		await run();
		fs.appendFileSync(path.join(fakeRoot(home), 's3.jsonl'), line({id: 's3-3', role: 'user', text: 'later giraffe'}));
		const again = await run();
		expect(again).toMatchObject({updated: 1, records_parsed: 1});
		const id = sessionIdForNative('codex', 's3');
		expect(store.readSession(id).messages.map(message => message.msg_id)).toEqual(['s3-1', 's3-2', 's3-3']);
		expect(index.search('giraffe').map(hit => hit.session_id)).toEqual([id]);
	});
});
