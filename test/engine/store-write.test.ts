/**
 * A new session's messages.jsonl is written through one reused buffer in 1 MB pieces: the file must hold
 * exactly one JSON line per message, whatever the characters and sizes, across piece boundaries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {statsFor} from '../../source/engine/session-stats.js';
import {MESSAGES, Store} from '../../source/engine/store.js';
import type {Manifest, Message} from '../../source/engine/types.js';

const temps: string[] = [];

afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function freshStore(): Store {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-store-write-'));
	temps.push(root);
	const store = new Store({SFS_HOME: root});
	store.init();
	return store;
}

function manifest(id: string, messages: Message[]): Manifest {
	return {
		sfs_version: '0.1.0',
		session_id: id,
		title: 'pieces',
		tags: [],
		created_at: '2026-03-20T10:00:00.000Z',
		updated_at: '2026-03-20T10:00:00.000Z',
		source: {tool: 'claude-code', original_session_id: `native-${id}`},
		stats: statsFor(messages),
		metadata: {capture: {files: {}, messages_bytes: 0, adapter_state: null, captured_at: '2026-03-20T10:00:00.000Z'}},
	};
}

function message(n: number, text: string): Message {
	return {msg_id: `m${n}`, role: n % 2 === 0 ? 'assistant' : 'user', content: [{type: 'text', text}], timestamp: '2026-03-20T10:00:00.000Z'};
}

/** Text of 1-, 2-, 3- and 4-byte UTF-8 characters (and a lone surrogate, which UTF-8 writes as U+FFFD). */
function mixedText(n: number, length: number): string {
	const alphabet = ['a', 'é', 'ж', '中', '😀', '\n', '"', '\\', '\uD800'];
	let text = '';
	for (let i = 0; text.length < length; i++) text += alphabet[(n + i) % alphabet.length];
	return text;
}

describe('Store.createSession writes messages.jsonl in pieces', () => {
	test('many lines of mixed characters across piece boundaries, and lines larger than a piece', () => {
		const store = freshStore();
		const id = 'ses_00000000000000a1';
		const messages: Message[] = [];
		for (let n = 1; n <= 900; n++) messages.push(message(n, mixedText(n, 1500 + ((n * 37) % 4000))));
		// Larger than the 1 MB piece in bytes (and in UTF-16 units), in the middle and at the end.
		messages.splice(450, 0, message(10_001, mixedText(3, 700_000)));
		messages.push(message(10_002, 'x'.repeat(1_200_000)));

		const session = {manifest: manifest(id, messages), messages};
		store.createSession(session);

		const expected = Buffer.from(messages.map(each => `${JSON.stringify(each)}\n`).join(''), 'utf8');
		const file = path.join(store.dir(id), MESSAGES);
		expect(expected.length).toBeGreaterThan(4 * (1 << 20));
		expect(fs.readFileSync(file).equals(expected)).toBe(true);
		expect(session.manifest.metadata?.capture?.messages_bytes).toBe(expected.length);
		expect(store.readManifest(id).metadata?.capture?.messages_bytes).toBe(expected.length);
		const read = store.readMessages(id);
		expect(read.badLines).toEqual([]);
		expect(read.messages.map(each => each.msg_id)).toEqual(messages.map(each => each.msg_id));
	});

	test('an empty session writes an empty file; the buffer reused by the next session leaks nothing into it', () => {
		const store = freshStore();
		store.createSession({manifest: manifest('ses_00000000000000a2', []), messages: []});
		expect(fs.readFileSync(path.join(store.dir('ses_00000000000000a2'), MESSAGES)).length).toBe(0);

		const first = [message(1, 'y'.repeat(5000))];
		const second = [message(2, 'short')];
		store.createSession({manifest: manifest('ses_00000000000000a3', first), messages: first});
		store.createSession({manifest: manifest('ses_00000000000000a4', second), messages: second});
		expect(fs.readFileSync(path.join(store.dir('ses_00000000000000a4'), MESSAGES), 'utf8')).toBe(`${JSON.stringify(second[0])}\n`);
	});
});
