/**
 * Capture's saved state as per-session meta rows (capture-state.ts), and the folder listings it keeps
 * for discovery: a no-op rescan reads no folder and writes nothing, an append rewrites one row, the
 * earlier one-value layout is converted, and every change to a remembered folder is still seen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test, vi} from 'vitest';
import {benchEnv, type Corpus, generateCorpusSync} from '../../scripts/bench/generate.js';
import {LISTING_TRUST_MS} from '../../source/adapters/discover-fs.js';
import {adapters} from '../../source/adapters/registry.js';
import {capture} from '../../source/engine/capture.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';

let root: string;
let env: NodeJS.ProcessEnv;
let corpus: Corpus;
let store: Store;
let index: SessionIndex;

const run = async () => capture({env, store, index, adapters: [...adapters], config: {}});
const cursorRows = () => index.metaByPrefix('capture:cursor:');
const dirRows = () => index.metaByPrefix('capture:dir:').map(({key}) => key.slice('capture:dir:'.length));

/** Captures as if they ran well after the corpus was written, so its folders' listings are trusted. */
function later() {
	const real = Date.now.bind(Date);
	vi.spyOn(Date, 'now').mockImplementation(() => real() + LISTING_TRUST_MS + 5000);
}

function claudeProject(): string {
	const projects = path.join(corpus.home, '.claude', 'projects');
	const project = fs.readdirSync(projects).sort()[0]!;
	return path.join(projects, project);
}

function claudeLine(sessionId: string, uuid: string, text: string): string {
	return `${JSON.stringify({type: 'user', uuid, parentUuid: null, sessionId, timestamp: '2026-01-02T00:00:00.000Z', cwd: '/tmp/p', message: {role: 'user', content: text}})}\n`;
}

beforeEach(async () => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-capture-state-'));
	corpus = generateCorpusSync({home: path.join(root, 'home'), scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
	env = benchEnv(corpus.home, path.join(root, 'sfs'));
	store = new Store(env);
	index = SessionIndex.open(indexPath(env));
	later();
	expect((await run()).new).toBe(corpus.sessions);
});

afterEach(() => {
	vi.restoreAllMocks();
	index.close();
	fs.rmSync(root, {recursive: true, force: true});
});

describe('per-session state rows', () => {
	test('one row per session and no single state value; a no-op rescan reads no folder and writes no state', async () => {
		expect(cursorRows()).toHaveLength(corpus.sessions);
		expect(index.getMeta('capture:cursors')).toBeUndefined();
		const readdir = vi.spyOn(fs, 'readdirSync');
		const writes = vi.spyOn(index, 'setMetaRaw');
		const again = await run();
		expect(again).toMatchObject({records_parsed: 0, unchanged: corpus.sessions, new: 0, updated: 0, skipped: []});
		expect(readdir).not.toHaveBeenCalled();
		expect(writes).not.toHaveBeenCalled();
	});

	test('an append rewrites the row of that session only', async () => {
		const file = corpus.largest.file;
		const sessionId = sessionIdForNative('claude-code', path.basename(file, '.jsonl'));
		const before = new Map(cursorRows().map(({key, value}) => [key, value]));
		fs.appendFileSync(file, claudeLine(path.basename(file, '.jsonl'), 'appended-1', 'a later question about wombats'));
		const writes = vi.spyOn(index, 'setMetaRaw');
		const again = await run();
		expect(again).toMatchObject({updated: 1, records_parsed: 1, changed_sessions: [sessionId]});
		const written = writes.mock.calls.flatMap(([entries]) => [...entries]).filter(([key]) => key.startsWith('capture:cursor:'));
		expect(written.map(([key]) => key)).toEqual([`capture:cursor:${sessionId}`]);
		const after = new Map(cursorRows().map(({key, value}) => [key, value]));
		expect(after.get(`capture:cursor:${sessionId}`)).not.toBe(before.get(`capture:cursor:${sessionId}`));
		expect(index.search('wombats').map(hit => hit.session_id)).toEqual([sessionId]);
	});

	test('the one-value layout of the previous version is converted: nothing re-parsed, the value removed', async () => {
		const rows = cursorRows();
		const legacy = Object.fromEntries(
			rows.map(({key, value}) => {
				const [excluded, fingerprint, ...stamps] = JSON.parse(value) as [number, string | null, ...Array<string | number>];
				const files: Record<string, object> = {};
				for (let at = 0; at < stamps.length; at += 4) files[stamps[at] as string] = {size: stamps[at + 1], mtime_ms: stamps[at + 2], ino: stamps[at + 3], offset: 0};
				return [key.slice('capture:cursor:'.length), {files, ...(fingerprint === null ? {} : {fingerprint}), ...(excluded ? {excluded: true} : {})}];
			}),
		);
		// What the previous version left: one value, and (after a downgrade) rows it did not know about, now stale.
		index.setMeta('capture:cursors', legacy);
		const stale = rows[0]!;
		index.setMetaRaw([[stale.key, '[0,null,"/nowhere",1,1,1]']]);
		const again = await run();
		expect(again).toMatchObject({records_parsed: 0, unchanged: corpus.sessions, skipped: []});
		expect(index.getMeta('capture:cursors')).toBeUndefined();
		expect(new Map(cursorRows().map(({key, value}) => [key, value])).get(stale.key)).toBe(stale.value);
		expect((await run()).records_parsed).toBe(0);
	});

	test('lost rows (a capture killed before it saved them) are rebuilt from the manifests without re-reading', async () => {
		// What an older sfs leaves: no rows, and no discovery journals either.
		index.setMetaRaw([...cursorRows(), ...index.metaByPrefix('capture:journal:')].map(({key}) => [key, undefined]));
		const again = await run();
		expect(again).toMatchObject({records_parsed: 0, unchanged: corpus.sessions, new: 0, updated: 0});
		expect(cursorRows()).toHaveLength(corpus.sessions);
	});
});

describe('remembered folders', () => {
	test('a session file added to a remembered folder is captured by the next capture', async () => {
		const project = claudeProject();
		expect(dirRows()).toContain(project);
		const nativeId = '00000000-0000-4000-8000-00000000abcd';
		fs.writeFileSync(path.join(project, `${nativeId}.jsonl`), claudeLine(nativeId, 'u-1', 'a brand new platypus session'));
		const again = await run();
		expect(again).toMatchObject({new: 1, skipped: []});
		expect(again.changed_sessions).toEqual([sessionIdForNative('claude-code', nativeId)]);
	});

	test('a removed session file is not reported again, nor skipped', async () => {
		const project = claudeProject();
		const file = fs.readdirSync(project).find(name => name.endsWith('.jsonl'))!;
		fs.rmSync(path.join(project, file));
		const again = await run();
		expect(again).toMatchObject({new: 0, updated: 0, skipped: [], unchanged: corpus.sessions - 1});
		expect((await run()).unchanged).toBe(corpus.sessions - 1);
	});

	test('a renamed project folder: its sessions are found at the new path, none twice, and the old listing is dropped', async () => {
		const project = claudeProject();
		const sessionsIn = fs.readdirSync(project).filter(name => name.endsWith('.jsonl')).length;
		fs.renameSync(project, `${project}-renamed`);
		const again = await run();
		expect(again).toMatchObject({new: 0, skipped: []});
		expect(again.new + again.updated + again.unchanged).toBe(corpus.sessions);
		expect(dirRows()).not.toContain(project);
		expect(sessionsIn).toBeGreaterThan(0);
		const renamed = await run();
		expect(renamed).toMatchObject({records_parsed: 0, unchanged: corpus.sessions});
	});

	test('a project folder replaced by a file: no crash, nothing skipped, its listing dropped', async () => {
		const project = claudeProject();
		const sessionsIn = fs.readdirSync(project).filter(name => name.endsWith('.jsonl')).length;
		fs.rmSync(project, {recursive: true});
		fs.writeFileSync(project, 'not a folder');
		const again = await run();
		expect(again).toMatchObject({new: 0, skipped: [], unchanged: corpus.sessions - sessionsIn});
		expect(dirRows()).not.toContain(project);
	});
});
