import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {capture} from '../../source/engine/capture.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {recordWritten} from '../../source/engine/lineage.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';
import {fakeAdapter, fakeRoot} from '../support/fake-adapter.js';
import {validateMessage} from '../support/schema.js';

let home: string;
let env: NodeJS.ProcessEnv;
let store: Store;
let index: SessionIndex;

const line = (record: object) => `${JSON.stringify(record)}\n`;

function writeNative(name: string, text: string) {
	fs.mkdirSync(fakeRoot(home), {recursive: true});
	fs.writeFileSync(path.join(fakeRoot(home), name), text);
}

function appendNative(name: string, text: string) {
	fs.appendFileSync(path.join(fakeRoot(home), name), text);
}

async function run(config = {}) {
	return capture({env, store, index, adapters: [fakeAdapter], config});
}

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-capture-'));
	env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data')};
	store = new Store(env);
	index = SessionIndex.open(indexPath(env));
	fakeAdapter.reads = 0;
});

afterEach(() => {
	index.close();
	fs.rmSync(home, {recursive: true, force: true});
});

describe('capture', () => {
	test('captures new sessions, and a second scan of unchanged stores parses nothing', async () => {
		writeNative('a.jsonl', line({id: 'a1', role: 'user', text: 'fix handleRateLimit in src/api/users.ts', cwd: '/work/app'}) + line({id: 'a2', role: 'assistant', text: 'done'}));
		writeNative('b.jsonl', line({id: 'b1', role: 'user', text: 'hello'}));

		const first = await run();
		expect(first).toMatchObject({new: 2, updated: 0, unchanged: 0, skipped: []});
		expect(first.records_parsed).toBe(3);

		const id = sessionIdForNative('codex', 'a');
		const session = store.readSession(id);
		expect(session.messages.map(message => message.msg_id)).toEqual(['a1', 'a2']);
		expect(session.manifest.metadata?.cwd).toBe('/work/app');
		expect(session.manifest.stats).toMatchObject({message_count: 2, turn_count: 1});
		expect(index.search('handleRateLimit', {}).map(hit => hit.msg_id)).toEqual(['a1']);

		const readsBefore = fakeAdapter.reads;
		const second = await run();
		expect(second).toMatchObject({new: 0, updated: 0, unchanged: 2, records_parsed: 0});
		expect(fakeAdapter.reads).toBe(readsBefore);
	});

	test('appends only what was added, and leaves a half-written line for next time', async () => {
		writeNative('a.jsonl', line({id: 'a1', role: 'user', text: 'one'}));
		await run();
		appendNative('a.jsonl', line({id: 'a2', role: 'assistant', text: 'two'}) + '{"id":"a3","role":"us');
		const second = await run();
		expect(second).toMatchObject({updated: 1, records_parsed: 1});
		appendNative('a.jsonl', 'er","text":"three"}\n');
		const third = await run();
		expect(third).toMatchObject({updated: 1, records_parsed: 1});
		const id = sessionIdForNative('codex', 'a');
		expect(store.readMessages(id).messages.map(message => message.msg_id)).toEqual(['a1', 'a2', 'a3']);
		expect(index.getSession(id)?.message_count).toBe(3);
	});

	test('a rewritten native session is captured as a revision; nothing captured is removed', async () => {
		writeNative('r.json', line({id: 'r1', role: 'user', text: 'first'}) + line({id: 'r2', role: 'assistant', text: 'old answer'}));
		await run();
		writeNative('r.json', line({id: 'r1', role: 'user', text: 'first'}) + line({id: 'r2', role: 'assistant', text: 'new answer, longer'}) + line({id: 'r3', role: 'user', text: 'next'}));
		const report = await run();
		expect(report.updated).toBe(1);
		const messages = store.readMessages(sessionIdForNative('codex', 'r')).messages;
		expect(messages.map(message => message.msg_id)).toEqual(['r1', 'r2', expect.stringMatching(/^r2~/), 'r3']);
		expect(messages[1]!.content).toEqual([{type: 'text', text: 'old answer'}]);
		expect(messages[2]!.metadata).toEqual({revision_of: 'r2'});
		// Re-reading the same rewritten file adds nothing more.
		fs.utimesSync(path.join(fakeRoot(home), 'r.json'), new Date(), new Date(Date.now() + 5000));
		expect((await run()).updated).toBe(0);
		expect(store.readMessages(sessionIdForNative('codex', 'r')).messages).toHaveLength(4);
	});

	test('lines appended by a capture killed before its manifest update are not appended twice', async () => {
		writeNative('k.jsonl', line({id: 'k1', role: 'user', text: 'one'}));
		await run();
		const id = sessionIdForNative('codex', 'k');
		// Simulate the kill: the store got k2 but the manifest (cursors, byte count) did not.
		const before = fs.readFileSync(path.join(store.dir(id), 'manifest.json'), 'utf8');
		store.appendMessages(id, [{msg_id: 'k2', role: 'assistant', timestamp: '2026-01-01T00:00:00.000Z', content: [{type: 'text', text: 'two'}]}], store.readManifest(id));
		fs.writeFileSync(path.join(store.dir(id), 'manifest.json'), before);
		appendNative('k.jsonl', line({id: 'k2', role: 'assistant', text: 'two'}) + line({id: 'k3', role: 'user', text: 'three'}));
		await run();
		expect(store.readMessages(id).messages.map(message => message.msg_id)).toEqual(['k1', 'k2', 'k3']);
		expect(store.readManifest(id).stats?.message_count).toBe(3);
		expect(index.getSession(id)?.message_count).toBe(3);
	});

	test('unknown records are kept as native_record messages and counted per tool version', async () => {
		writeNative('u.jsonl', line({id: 'u1', role: 'user', text: 'hi'}) + line({type: 'weird', payload: 1}) + 'not json\n');
		const report = await run();
		expect(report.unknown_records).toEqual({codex: {'1.0.0:weird': 1}});
		expect(report.warnings).toEqual([expect.stringContaining('line 3: invalid JSON')]);
		const {manifest, messages} = store.readSession(sessionIdForNative('codex', 'u'));
		expect(messages[1]).toMatchObject({role: 'system', is_meta: true, content: [{type: 'native_record', record: {type: 'weird', payload: 1}}]});
		expect(manifest.metadata?.unknown_records).toEqual({'codex@1.0.0:weird': 1});
		for (const message of messages) expect(validateMessage(message).errors).toEqual([]);
	});

	test('a deleted session stays deleted; excluded projects are not captured; vanished files keep history', async () => {
		writeNative('d.jsonl', line({id: 'd1', role: 'user', text: 'delete me'}));
		writeNative('x.jsonl', line({id: 'x1', role: 'user', text: 'secret project', cwd: '/work/secret/app'}));
		writeNative('v.jsonl', line({id: 'v1', role: 'user', text: 'vanishes'}));
		const config = {capture: {exclude: ['/work/secret/**']}};
		await run(config);
		const deleted = sessionIdForNative('codex', 'd');
		store.delete(deleted);
		index.removeSession(deleted);
		appendNative('d.jsonl', line({id: 'd2', role: 'assistant', text: 'more'}));
		fs.rmSync(path.join(fakeRoot(home), 'v.jsonl'));
		const report = await run(config);
		expect(store.exists(deleted)).toBe(false);
		expect(store.exists(sessionIdForNative('codex', 'x'))).toBe(false);
		expect(store.readMessages(sessionIdForNative('codex', 'v')).messages).toHaveLength(1);
		expect(report.new).toBe(0);
	});

	test('an index that lost a session is repaired from the store on the next change', async () => {
		writeNative('i.jsonl', line({id: 'i1', role: 'user', text: 'alpha'}));
		await run();
		const id = sessionIdForNative('codex', 'i');
		index.removeSession(id);
		appendNative('i.jsonl', line({id: 'i2', role: 'assistant', text: 'beta'}));
		await run();
		expect(index.getSession(id)?.message_count).toBe(2);
		expect(index.search('alpha', {}).map(hit => hit.msg_id)).toEqual(['i1']);
	});

	test('a native session sfs wrote itself is linked to its origin and its copied history marked', async () => {
		recordWritten(env, {tool: 'codex', native_id: 'w', from_session_id: 'ses_00000000000000aa', through_msg_id: 'm2', copied_messages: 2, written_at: '2026-01-01T00:00:00.000Z'});
		writeNative('w.jsonl', line({id: 'w1', role: 'user', text: 'copied question'}) + line({id: 'w2', role: 'assistant', text: 'copied answer'}) + line({id: 'w3', role: 'user', text: 'brand new follow-up'}));
		await run();
		const {manifest, messages} = store.readSession(sessionIdForNative('codex', 'w'));
		expect(manifest.parent_session_id).toBe('ses_00000000000000aa');
		expect(manifest.metadata?.written_by_sfs).toEqual({from_session_id: 'ses_00000000000000aa', through_msg_id: 'm2', target: 'codex'});
		expect(messages.map(message => message.metadata?.copied_from ?? null)).toEqual(['ses_00000000000000aa', 'ses_00000000000000aa', null]);
		// The copies are searchable once, in their origin; the new part is found here.
		expect(index.search('copied', {})).toEqual([]);
		expect(index.search('follow-up', {}).map(hit => hit.msg_id)).toEqual(['w3']);
	});
});
