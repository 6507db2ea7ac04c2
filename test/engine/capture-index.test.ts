/**
 * Capture's index writes in a worker thread (capture-index.ts): everything handed over is committed
 * by the time capture returns, a failed index write is reported (not silently lost), and the
 * operations keep their order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {benchEnv, generateCorpusSync} from '../../scripts/bench/generate.js';
import {adapters} from '../../source/adapters/registry.js';
import {capture} from '../../source/engine/capture.js';
import {CaptureIndexSink, slimForIndex} from '../../source/engine/capture-index.js';
import {messageIndexText} from '../../source/engine/index-text.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';
import type {Manifest, Message} from '../../source/engine/types.js';
import {fakeAdapter, fakeRoot} from '../support/fake-adapter.js';

let home: string;
let env: NodeJS.ProcessEnv;
let store: Store;
let index: SessionIndex;

const line = (record: object) => `${JSON.stringify(record)}\n`;

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-capture-index-'));
	env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data')};
	store = new Store(env);
	store.init();
	index = SessionIndex.open(indexPath(env));
});

afterEach(() => {
	index.close();
	fs.rmSync(home, {recursive: true, force: true});
});

function message(id: string, text: string): Message {
	return {msg_id: id, role: 'user', timestamp: '2026-01-01T00:00:00.000Z', content: [{type: 'text', text}]};
}

function manifest(sessionId: string, count: number): Manifest {
	return {
		sfs_version: '0.1.0',
		session_id: sessionId,
		title: sessionId,
		tags: [],
		created_at: '2026-01-01T00:00:00.000Z',
		updated_at: '2026-01-01T00:00:00.000Z',
		source: {tool: 'codex', tool_version: null, sfs_converter_version: '0.1.0', original_session_id: sessionId, original_path: null, interface: 'cli'},
		model: null,
		stats: {message_count: count, turn_count: 0, tool_call_count: 0, total_input_tokens: 0, total_output_tokens: 0, total_cache_read_tokens: 0, total_cache_write_tokens: 0, duration_ms: 0},
		parent_session_id: null,
		checkpoint_count: 0,
		metadata: {},
	} as unknown as Manifest;
}

describe('CaptureIndexSink', () => {
	test('past its threshold it writes in a worker; on close everything is committed and readable on another connection', async () => {
		const sink = new CaptureIndexSink(store, index, env, 0);
		for (let i = 0; i < 12; i++) {
			const sessionId = `ses_${String(i).padStart(16, '0')}`;
			sink.apply({op: 'write', sessionId, manifest: manifest(sessionId, 2), messages: [message(`${i}-a`, `wombat${i} first`), message(`${i}-b`, 'second')], start: 1});
			await sink.settle();
		}

		expect(sink.inWorker).toBe(true);
		expect(await sink.close()).toEqual([]);
		const reader = SessionIndex.open(indexPath(env), {readonly: true});
		try {
			expect(reader.stats()).toMatchObject({sessions: 12, messages: 24});
			expect(reader.search('wombat7').map(hit => hit.session_id)).toEqual(['ses_0000000000000007']);
		} finally {
			reader.close();
		}
	});

	test('a failed index write in the worker is reported with its session; the others of its batch are kept', async () => {
		// The sessions are in the store, so the batch's recovery can re-index them from it.
		const ids = ['ses_00000000000000a1', 'ses_00000000000000a2'];
		for (const sessionId of ids) store.createSession({manifest: manifest(sessionId, 1), messages: [message(`${sessionId}-1`, `koala ${sessionId}`)]});
		const sink = new CaptureIndexSink(store, index, env, 0);
		sink.apply({op: 'write', sessionId: ids[0]!, manifest: manifest(ids[0]!, 1), messages: [message(`${ids[0]}-1`, `koala ${ids[0]}`)], start: 1});
		// Not in the store: re-indexing it from the store must fail.
		sink.apply({op: 'reindex', sessionId: 'ses_00000000000000ff'});
		sink.apply({op: 'write', sessionId: ids[1]!, manifest: manifest(ids[1]!, 1), messages: [message(`${ids[1]}-1`, `koala ${ids[1]}`)], start: 1});
		const failures = await sink.close();
		expect(failures.map(failure => failure.sessionId)).toEqual(['ses_00000000000000ff']);
		expect(failures[0]!.reason).toMatch(/^index: /);
		expect(index.search('koala').map(hit => hit.session_id).sort()).toEqual(ids);
	});
});

describe('capture with index writes in a worker', () => {
	test('a cold capture is searchable when capture returns; the rescan parses nothing; an append is captured', async () => {
		fs.mkdirSync(fakeRoot(home), {recursive: true});
		for (let i = 0; i < 40; i++) {
			fs.writeFileSync(path.join(fakeRoot(home), `s${i}.jsonl`), line({id: `s${i}-1`, role: 'user', text: `question platypus${i}`}) + line({id: `s${i}-2`, role: 'assistant', text: `answer ${i}`}));
		}

		const run = async () => capture({env, store, index, adapters: [fakeAdapter], config: {}, indexWorkerAfter: 3});
		const cold = await run();
		expect(cold).toMatchObject({new: 40, skipped: []});
		for (const i of [0, 5, 39]) expect(index.search(`platypus${i}`).map(hit => hit.session_id)).toEqual([sessionIdForNative('codex', `s${i}`)]);
		expect(index.stats()).toMatchObject({sessions: 40, messages: 80});

		const again = await run();
		expect(again).toMatchObject({records_parsed: 0, unchanged: 40});

		fs.appendFileSync(path.join(fakeRoot(home), 's9.jsonl'), line({id: 's9-3', role: 'user', text: 'later echidna'}));
		const append = await run();
		expect(append).toMatchObject({updated: 1, records_parsed: 1});
		expect(index.search('echidna').map(hit => hit.session_id)).toEqual([sessionIdForNative('codex', 's9')]);
	});
});

describe('capture killed before it saved its state', () => {
	test('a session appended by that capture is read from its manifest cursors: nothing appended twice', async () => {
		fs.mkdirSync(fakeRoot(home), {recursive: true});
		const file = path.join(fakeRoot(home), 'k.jsonl');
		fs.writeFileSync(file, line({id: 'k-1', role: 'user', text: 'first'}));
		const run = async () => capture({env, store, index, adapters: [fakeAdapter], config: {}});
		await run();
		const savedBefore = index.metaByPrefix('capture:cursor:');
		expect(savedBefore).toHaveLength(1);

		fs.appendFileSync(file, line({id: 'k-2', role: 'assistant', text: 'second'}));
		expect(await run()).toMatchObject({updated: 1});
		// The kill: the store and manifest have k-2, the saved state is the one from before.
		index.setMetaRaw(savedBefore.map(({key, value}) => [key, value]));

		fs.appendFileSync(file, line({id: 'k-3', role: 'user', text: 'third'}));
		const after = await run();
		expect(after).toMatchObject({updated: 1, records_parsed: 1, skipped: []});
		const id = sessionIdForNative('codex', 'k');
		expect(store.readSession(id).messages.map(message => message.msg_id)).toEqual(['k-1', 'k-2', 'k-3']);
		expect(index.getSession(id)?.message_count).toBe(3);
	});
});

describe('what the worker is handed', () => {
	test('a slimmed message gives the same index text, id, role and time as the message', () => {
		const long = `${'verbose tool output line\n'.repeat(400)}needle-after-the-indexed-prefix`;
		const messages: Message[] = [
			{msg_id: 'a', role: 'user', timestamp: '2026-01-01T00:00:00.000Z', content: [{type: 'text', text: 'plain words and parseHTTPResponse'}]},
			{msg_id: 'b', role: 'assistant', timestamp: '2026-01-01T00:00:01.000Z', content: [{type: 'thinking', thinking: 'pondering'}, {type: 'tool_use', tool_use_id: 't1', name: 'bash', input: {command: 'ls /src/engine'}}]},
			{msg_id: 'c', role: 'tool', timestamp: '2026-01-01T00:00:02.000Z', content: [{type: 'tool_result', tool_use_id: 't1', content: long}]},
			{msg_id: 'd', role: 'user', timestamp: '2026-01-01T00:00:03.000Z', content: [{type: 'text', text: 'copied history'}], metadata: {copied_from: 'ses_0000000000000001'}},
		] as unknown as Message[];
		for (const message of messages) {
			const slim = slimForIndex(message);
			expect(messageIndexText(slim)).toBe(messageIndexText(message));
			expect(slim).toMatchObject({msg_id: message.msg_id, role: message.role, timestamp: message.timestamp});
		}
	});

	test('the bench corpus captured with the worker and without it gives the same index', async () => {
		const corpus = generateCorpusSync({home: path.join(home, 'corpus'), scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
		const results = [];
		for (const indexWorkerAfter of [0, Number.POSITIVE_INFINITY]) {
			const runEnv = benchEnv(corpus.home, path.join(home, `sfs-${indexWorkerAfter}`));
			const runStore = new Store(runEnv);
			const runIndex = SessionIndex.open(indexPath(runEnv));
			try {
				const report = await capture({env: runEnv, store: runStore, index: runIndex, adapters: [...adapters], config: {}, indexWorkerAfter});
				expect(report.new).toBe(corpus.sessions);
				const words = corpus.vocabulary.slice(0, 40).filter((_, i) => i % 4 === 0);
				results.push({stats: runIndex.stats().messages, hits: words.map(word => runIndex.search(word, {limit: 50}).map(hit => `${hit.session_id}:${hit.position}:${hit.snippet}`).sort())});
			} finally {
				runIndex.close();
			}
		}

		expect(results[0]!.stats).toBeGreaterThan(100);
		expect(results[0]!.hits.flat().length).toBeGreaterThan(10);
		expect(results[0]).toEqual(results[1]);
	});
});
