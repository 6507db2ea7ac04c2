import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, beforeAll, describe, expect, test} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import {firstViolation, prepareValidation} from '../../source/engine/format.js';
import {statsFor} from '../../source/engine/session-stats.js';
import {Store} from '../../source/engine/store.js';
import type {Manifest, Message} from '../../source/engine/types.js';

const temps: string[] = [];

function freshStore(): Store {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-store-'));
	temps.push(root);
	const store = new Store({SFS_HOME: root});
	store.init();
	return store;
}

function message(n: number, role: Message['role'] = n % 2 === 0 ? 'assistant' : 'user'): Message {
	return {msg_id: `m${n}`, role, content: [{type: 'text', text: `text ${n}`}], timestamp: `2026-03-20T10:00:${String(n).padStart(2, '0')}.000Z`};
}

function manifest(id: string, messages: Message[] = []): Manifest {
	return {
		sfs_version: '0.1.0',
		session_id: id,
		title: 'a session',
		tags: [],
		created_at: '2026-03-20T10:00:00.000Z',
		updated_at: '2026-03-20T10:00:00.000Z',
		source: {tool: 'claude-code', original_session_id: `native-${id}`},
		stats: statsFor(messages),
	};
}

function create(store: Store, id: string, count: number): Message[] {
	const messages = Array.from({length: count}, (_, index) => message(index + 1));
	store.createSession({manifest: manifest(id, messages), messages});
	return messages;
}

function expectValid(store: Store, id: string): void {
	const session = store.readSession(id);
	expect(firstViolation('manifest', session.manifest)).toBeUndefined();
	for (const each of session.messages) expect(firstViolation('message', each)).toBeUndefined();
}

beforeAll(async () => {
	await prepareValidation();
});

afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('Store', () => {
	test('creates a session whole, with private modes, and reads it back', () => {
		const store = freshStore();
		const messages = create(store, 'ses_0000000000000001', 3);
		expect(store.listIds()).toEqual(['ses_0000000000000001']);
		const session = store.readSession('ses_0000000000000001');
		expect(session.messages).toEqual(messages);
		expect(session.badLines).toEqual([]);
		expect(fs.statSync(store.dir('ses_0000000000000001')).mode & 0o777).toBe(0o700);
		expect(fs.statSync(path.join(store.dir('ses_0000000000000001'), 'messages.jsonl')).mode & 0o777).toBe(0o600);
		expect(() => create(store, 'ses_0000000000000001', 1)).toThrow(SfsError);
		expectValid(store, 'ses_0000000000000001');
	});

	test('appends whole lines and commits the manifest after them', () => {
		const store = freshStore();
		create(store, 'ses_0000000000000002', 2);
		const next = store.appendMessages('ses_0000000000000002', [message(3), message(4)], manifest('ses_0000000000000002', [message(1), message(2), message(3), message(4)]));
		expect(next.stats?.message_count).toBe(4);
		expect(store.readMessages('ses_0000000000000002').messages.map(m => m.msg_id)).toEqual(['m1', 'm2', 'm3', 'm4']);
		expect(store.readManifest('ses_0000000000000002').stats?.message_count).toBe(4);
	});

	test('a torn last line is ignored when reading and cut before the next append', () => {
		const store = freshStore();
		create(store, 'ses_0000000000000003', 2);
		const file = path.join(store.dir('ses_0000000000000003'), 'messages.jsonl');
		fs.appendFileSync(file, '{"msg_id":"torn","role":"user","cont');
		expect(store.readMessages('ses_0000000000000003')).toMatchObject({badLines: [], messages: [{msg_id: 'm1'}, {msg_id: 'm2'}]});
		store.appendMessages('ses_0000000000000003', [message(3)], manifest('ses_0000000000000003'));
		const text = fs.readFileSync(file, 'utf8');
		expect(text).not.toContain('torn');
		expect(text.split('\n').filter(Boolean).map(line => (JSON.parse(line) as Message).msg_id)).toEqual(['m1', 'm2', 'm3']);
	});

	test('a bad line in the middle is counted and skipped, the rest is kept', () => {
		const store = freshStore();
		create(store, 'ses_0000000000000004', 1);
		const file = path.join(store.dir('ses_0000000000000004'), 'messages.jsonl');
		fs.appendFileSync(file, 'not json\n');
		fs.appendFileSync(file, `${JSON.stringify(message(2))}\n`);
		expect(store.readMessages('ses_0000000000000004')).toMatchObject({badLines: [2], messages: [{msg_id: 'm1'}, {msg_id: 'm2'}]});
	});

	test('a line of JSON that is not an object is a bad line, not a message', () => {
		const store = freshStore();
		create(store, 'ses_000000000000000d', 1);
		fs.appendFileSync(path.join(store.dir('ses_000000000000000d'), 'messages.jsonl'), 'null\n42\n[]\n');
		expect(store.readMessages('ses_000000000000000d')).toMatchObject({badLines: [2, 3, 4], messages: [{msg_id: 'm1'}]});
	});

	test('a broken manifest is reported and skipped by loadAll; the others still load', () => {
		const store = freshStore();
		create(store, 'ses_0000000000000005', 1);
		create(store, 'ses_0000000000000006', 1);
		create(store, 'ses_0000000000000007', 1);
		fs.writeFileSync(path.join(store.dir('ses_0000000000000006'), 'manifest.json'), '{"sfs_version": "0.1.0", "sess');
		fs.writeFileSync(path.join(store.dir('ses_0000000000000007'), 'manifest.json'), JSON.stringify({...manifest('ses_0000000000000007'), sfs_version: '9.9.9'}));
		const problems: Array<[string, string]> = [];
		const loaded = [...store.loadAll((id, reason) => problems.push([id, reason]))].map(session => session.manifest.session_id);
		expect(loaded).toEqual(['ses_0000000000000005']);
		expect(problems.map(([id]) => id)).toEqual(['ses_0000000000000006', 'ses_0000000000000007']);
		expect(problems[0]![1]).toContain('not valid JSON');
		expect(problems[1]![1]).toContain('9.9.9');
	});

	test('fork copies up to the fork point into a new session with lineage', () => {
		const store = freshStore();
		create(store, 'ses_0000000000000008', 4);
		store.updateManifest('ses_0000000000000008', m => ({...m, metadata: {alias: 'orig', cwd: '/w'}}));
		const fork = store.fork('ses_0000000000000008', 'm2', new Date('2026-03-21T00:00:00.000Z'));
		expect(fork.session_id).toMatch(/^ses_[0-9a-f]{16}$/);
		expect(fork.parent_session_id).toBe('ses_0000000000000008');
		expect(fork.metadata?.fork).toEqual({from_session_id: 'ses_0000000000000008', at_msg_id: 'm2', created_at: '2026-03-21T00:00:00.000Z'});
		expect(fork.metadata?.alias).toBeUndefined();
		expect(fork.metadata?.cwd).toBe('/w');
		expect(fork.stats?.message_count).toBe(2);
		expect(store.readMessages(fork.session_id).messages.map(m => m.msg_id)).toEqual(['m1', 'm2']);
		expect(store.readMessages('ses_0000000000000008').messages).toHaveLength(4);
		// The fork mirrors no native session: deleting it must not tombstone the original's native id.
		expect(fork.source).toMatchObject({tool: 'claude-code', original_session_id: null});
		expectValid(store, fork.session_id);
		store.delete(fork.session_id);
		expect(store.tombstones()).toHaveLength(1);
		expect(store.tombstones()[0]).toMatchObject({session_id: fork.session_id});
		expect(store.tombstones()[0]!.native_id).toBeUndefined();
		expect(() => store.fork('ses_0000000000000008', 'nope')).toThrow(/not found/);
	});

	test('checkpoint saves a copy; restore makes a new session and leaves the original alone', () => {
		const store = freshStore();
		create(store, 'ses_0000000000000009', 2);
		store.checkpoint('ses_0000000000000009', 'before');
		expect(store.readManifest('ses_0000000000000009').checkpoint_count).toBe(1);
		store.appendMessages('ses_0000000000000009', [message(3)], manifest('ses_0000000000000009', [message(1), message(2), message(3)]));
		expect(store.listCheckpoints('ses_0000000000000009')).toMatchObject([{name: 'before', message_count: 2}]);
		expect(() => store.checkpoint('ses_0000000000000009', 'before')).toThrow(/already exists/);
		expect(() => store.checkpoint('ses_0000000000000009', '../x')).toThrow(/not a valid checkpoint name/);

		const restored = store.restoreCheckpoint('ses_0000000000000009', 'before');
		expect(restored.session_id).not.toBe('ses_0000000000000009');
		expect(restored.parent_session_id).toBe('ses_0000000000000009');
		expect(restored.metadata?.checkpoint).toEqual({from_session_id: 'ses_0000000000000009', name: 'before'});
		expect(store.readMessages(restored.session_id).messages.map(m => m.msg_id)).toEqual(['m1', 'm2']);
		expect(store.readMessages('ses_0000000000000009').messages).toHaveLength(3);
		expectValid(store, restored.session_id);
		expect(() => store.restoreCheckpoint('ses_0000000000000009', 'missing')).toThrow(/not found/);
	});

	test('delete removes the session and leaves a tombstone first', () => {
		const store = freshStore();
		create(store, 'ses_000000000000000a', 1);
		create(store, 'ses_000000000000000b', 1);
		store.delete('ses_000000000000000a');
		expect(store.listIds()).toEqual(['ses_000000000000000b']);
		expect(store.exists('ses_000000000000000a')).toBe(false);
		expect(store.tombstones()).toMatchObject([{session_id: 'ses_000000000000000a', tool: 'claude-code', native_id: 'native-ses_000000000000000a'}]);
		expect(() => store.delete('ses_000000000000000a')).toThrow(/not found/);
	});

	test('ids that could escape the store are refused; imported ids of other shapes are fine', () => {
		const store = freshStore();
		for (const bad of ['../x', '.hidden', 'a/b', '', 'x'.repeat(200)]) expect(() => store.dir(bad)).toThrow(SfsError);
		expect(store.dir('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d')).toContain('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
	});

	test('init clears temp files left by killed writers', () => {
		const store = freshStore();
		fs.mkdirSync(path.join(store.sessionsRoot, '.ses_1.tmp-999999999-456'));
		create(store, 'ses_000000000000000c', 1);
		store.init();
		expect(fs.readdirSync(store.sessionsRoot)).toEqual(['ses_000000000000000c']);
	});
});

describe('a writer killed with SIGKILL at random moments', () => {
	test('leaves every session readable and schema-valid', async () => {
		const store = freshStore();
		const writer = path.join(import.meta.dirname, 'store-writer.fixture.ts');
		let lastTotal = 0;
		for (let round = 0; round < 6; round++) {
			const child = spawn(process.execPath, ['--import', 'tsx', writer, path.dirname(store.sessionsRoot)], {stdio: ['ignore', 'pipe', 'pipe']});
			let stderr = '';
			child.stderr.on('data', chunk => {
				stderr += String(chunk);
			});
			await new Promise<void>((resolve, reject) => {
				child.stdout.once('data', () => resolve());
				child.once('exit', code => reject(new Error(`writer exited early (${code}): ${stderr}`)));
			});
			await sleep(40 + Math.floor(Math.random() * 250));
			const exited = new Promise(resolve => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
			expect(stderr).toBe('');

			store.init();
			const ids = store.listIds();
			expect(ids.length).toBeGreaterThanOrEqual(1);
			for (const id of ids) {
				const session = store.readSession(id);
				expect(session.badLines).toEqual([]);
				expect(session.messages.length).toBeGreaterThanOrEqual(session.manifest.stats?.message_count ?? 0);
				expectValid(store, id);
				for (const checkpoint of store.listCheckpoints(id)) expect(checkpoint.message_count).toBeGreaterThanOrEqual(0);
			}

			// The writer really wrote in this round (the test would prove nothing otherwise).
			const total = ids.reduce((sum, id) => sum + store.readMessages(id).messages.length, 0);
			expect(total).toBeGreaterThan(lastTotal);
			lastTotal = total;
		}
	}, 120_000);
});
