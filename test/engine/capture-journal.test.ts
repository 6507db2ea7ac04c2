/**
 * Discovery journals (capture-journal.ts): a capture whose every stat is as the last discovery saw it
 * does not discover again; any change on disk, in the roots, the environment, the exclude globs or the
 * tombstones makes it discover as before; a journal is only kept from a discovery that can vouch for it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test, vi} from 'vitest';
import {benchEnv, type Corpus, generateCorpusSync} from '../../scripts/bench/generate.js';
import {LISTING_TRUST_MS} from '../../source/adapters/discover-fs.js';
import {adapters} from '../../source/adapters/registry.js';
import type {Adapter} from '../../source/adapters/types.js';
import {capture} from '../../source/engine/capture.js';
import {DISCOVERY_ENV} from '../../source/engine/capture-journal.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';
import type {ToolId} from '../../source/engine/types.js';

let root: string;
let env: NodeJS.ProcessEnv;
let corpus: Corpus;
let store: Store;
let index: SessionIndex;

const run = async (extra: Partial<Parameters<typeof capture>[0]> = {}) => capture({env, store, index, adapters: [...adapters], config: {}, ...extra});
const journaledTools = () => index.metaByPrefix('capture:journal:').map(({key}) => key.slice('capture:journal:'.length)).sort();
const discoverSpies = () => new Map(adapters.map(adapter => [adapter.id, vi.spyOn(adapter, 'discover').mockClear()]));
const discovered = (spies: Map<ToolId, {mock: {calls: unknown[]}}>) => [...spies].filter(([, spy]) => spy.mock.calls.length > 0).map(([tool]) => tool).sort();

function later(ms = LISTING_TRUST_MS + 5000) {
	const real = Date.now.bind(Date);
	vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

function claudeLine(sessionId: string, uuid: string, text: string): string {
	return `${JSON.stringify({type: 'user', uuid, parentUuid: null, sessionId, timestamp: '2026-01-02T00:00:00.000Z', cwd: '/tmp/p', message: {role: 'user', content: text}})}\n`;
}

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-capture-journal-'));
	corpus = generateCorpusSync({home: path.join(root, 'home'), scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
	env = benchEnv(corpus.home, path.join(root, 'sfs'));
	store = new Store(env);
	index = SessionIndex.open(indexPath(env));
});

afterEach(() => {
	vi.restoreAllMocks();
	index.close();
	fs.rmSync(root, {recursive: true, force: true});
});

describe('discovery journals', () => {
	test('a rescan of unchanged stores discovers nothing, reads no folder, and counts every session unchanged', async () => {
		later();
		expect((await run()).new).toBe(corpus.sessions);
		const toolsWithSessions = Object.entries(corpus.perTool).filter(([, counts]) => counts.sessions > 0).map(([tool]) => tool);
		for (const tool of toolsWithSessions) expect(journaledTools()).toContain(tool);
		const spies = discoverSpies();
		const readdir = vi.spyOn(fs, 'readdirSync');
		const again = await run();
		expect(again).toMatchObject({new: 0, updated: 0, unchanged: corpus.sessions, records_parsed: 0, skipped: []});
		expect(discovered(spies)).toEqual([]);
		expect(readdir).not.toHaveBeenCalled();
	});

	test('an append to a session file is captured without discovering anything (the journal knows the session)', async () => {
		later();
		await run();
		const file = corpus.largest.file;
		fs.appendFileSync(file, claudeLine(path.basename(file, '.jsonl'), 'appended-1', 'the quokka question'));
		const spies = discoverSpies();
		const readdir = vi.spyOn(fs, 'readdirSync');
		const again = await run();
		expect(again).toMatchObject({updated: 1, records_parsed: 1, unchanged: corpus.sessions - 1, new: 0, skipped: []});
		expect(discovered(spies)).toEqual([]);
		expect(readdir).not.toHaveBeenCalled();
		expect(index.search('quokka').map(hit => hit.session_id)).toEqual([sessionIdForNative('claude-code', path.basename(file, '.jsonl'))]);
		// And settled again: the next rescan discovers nothing.
		const spiesAfter = discoverSpies();
		expect(await run()).toMatchObject({records_parsed: 0, unchanged: corpus.sessions});
		expect(discovered(spiesAfter)).toEqual([]);
	});

	test('a session file replaced by another file (new inode) makes its tool discover again', async () => {
		later();
		await run();
		const file = corpus.largest.file;
		const nativeId = path.basename(file, '.jsonl');
		const text = fs.readFileSync(file, 'utf8') + claudeLine(nativeId, 'replaced-1', 'the replaced echidna');
		fs.rmSync(file);
		fs.writeFileSync(file, text);
		const spies = discoverSpies();
		const again = await run();
		expect(again).toMatchObject({updated: 1, new: 0, skipped: []});
		expect(discovered(spies)).toEqual(['claude-code']);
		expect(index.search('echidna').map(hit => hit.session_id)).toEqual([sessionIdForNative('claude-code', nativeId)]);
	});

	test('an append and a new session in the same capture: both captured', async () => {
		later();
		await run();
		const file = corpus.largest.file;
		fs.appendFileSync(file, claudeLine(path.basename(file, '.jsonl'), 'appended-3', 'the bilby question'));
		const codexDir = path.join(corpus.home, '.codex', 'sessions', '2026', '01', '01');
		fs.mkdirSync(codexDir, {recursive: true});
		const project = path.dirname(file);
		const nativeId = '00000000-0000-4000-8000-0000000000ff';
		fs.writeFileSync(path.join(project, `${nativeId}.jsonl`), claudeLine(nativeId, 'n-2', 'a new wallaby session'));
		const again = await run();
		expect(again).toMatchObject({new: 1, updated: 1, skipped: []});
		expect(again.new + again.updated + again.unchanged).toBe(corpus.sessions + 1);
	});

	test('a new session file in a known folder is captured', async () => {
		later();
		await run();
		const projects = path.join(corpus.home, '.claude', 'projects');
		const project = path.join(projects, fs.readdirSync(projects).sort()[0]!);
		const nativeId = '00000000-0000-4000-8000-0000000000ee';
		fs.writeFileSync(path.join(project, `${nativeId}.jsonl`), claudeLine(nativeId, 'n-1', 'a new numbat session'));
		const again = await run();
		expect(again).toMatchObject({new: 1, changed_sessions: [sessionIdForNative('claude-code', nativeId)]});
	});

	test('no journal is kept while folders are younger than the listing trust window', async () => {
		expect((await run()).new).toBe(corpus.sessions);
		expect(journaledTools()).toEqual([]);
		const spies = discoverSpies();
		expect(await run()).toMatchObject({records_parsed: 0, unchanged: corpus.sessions});
		expect(discovered(spies).length).toBeGreaterThan(0);
	});

	test('changed exclude globs, a changed tool home or a new tombstone make every tool discover again', async () => {
		later();
		await run();
		let spies = discoverSpies();
		await run({config: {capture: {exclude: ['/nowhere/**']}}});
		expect(discovered(spies).length).toBe(journaledTools().length);
		vi.restoreAllMocks();
		later();

		const codexHome = path.join(root, 'other-codex');
		fs.mkdirSync(codexHome);
		spies = discoverSpies();
		const other = await capture({env: {...env, CODEX_HOME: codexHome}, store, index, adapters: [...adapters], config: {capture: {exclude: ['/nowhere/**']}}});
		expect(discovered(spies)).toContain('codex');
		expect(other.unchanged).toBe(corpus.sessions - corpus.perTool.codex.sessions);
		vi.restoreAllMocks();
		later();

		await run({config: {capture: {exclude: ['/nowhere/**']}}});
		const victim = sessionIdForNative('claude-code', path.basename(corpus.largest.file, '.jsonl'));
		store.delete(victim);
		spies = discoverSpies();
		const afterDelete = await run({config: {capture: {exclude: ['/nowhere/**']}}});
		expect(discovered(spies).length).toBeGreaterThan(0);
		expect(afterDelete).toMatchObject({new: 0, unchanged: corpus.sessions - 1});
		expect(store.exists(victim)).toBe(false);
	});

	test('variables discovery does not read (USERPROFILE off Windows, PYENV_ROOT) neither break nor make a journal', async () => {
		later();
		await run();
		const spies = discoverSpies();
		const {USERPROFILE: _profile, ...withoutProfile} = env;
		const rescan = await capture({env: {...withoutProfile, PYENV_ROOT: '/opt/pyenv', HOMEBREW_PREFIX: '/opt/homebrew'}, store, index, adapters: [...adapters], config: {}});
		expect(discovered(spies)).toEqual([]);
		expect(rescan).toMatchObject({new: 0, updated: 0, unchanged: corpus.sessions, records_parsed: 0});
	});

	test('the journal key names every environment variable the adapters and the paths they use read', () => {
		const sources = [path.join(import.meta.dirname, '..', '..', 'source', 'engine', 'paths.ts')];
		const adaptersDir = path.join(import.meta.dirname, '..', '..', 'source', 'adapters');
		for (const name of fs.readdirSync(adaptersDir)) if (name.endsWith('.ts')) sources.push(path.join(adaptersDir, name));
		const read = new Set<string>();
		for (const file of sources) {
			for (const match of fs.readFileSync(file, 'utf8').matchAll(/\benv(?:\.([A-Z][A-Z\d_]*)|\[['"]([A-Z][A-Z\d_]*)['"]\])/g)) read.add(match[1] ?? match[2]!);
		}

		expect(read.size).toBeGreaterThan(5);
		expect([...read].filter(name => !(DISCOVERY_ENV as readonly string[]).includes(name))).toEqual([]);
	});

	test('journals: false discovers every tool (what a caller that keeps discovery results needs)', async () => {
		later();
		await run();
		const spies = discoverSpies();
		expect(await run({journals: false})).toMatchObject({records_parsed: 0, unchanged: corpus.sessions});
		expect(discovered(spies)).toEqual(adapters.map(adapter => adapter.id).sort());
	});

	test("a discovery that did not stat its sessions' files (a reused result) leaves no journal", async () => {
		later();
		await run();
		const claude = adapters.find(adapter => adapter.id === 'claude-code')!;
		const remembered = await claude.discover({env, home: corpus.home, platform: process.platform, now: () => new Date(), cache: {get: () => undefined, set() {}}});
		const reused: Adapter = {...claude, discover: async () => remembered.map(({stats: _stats, ...session}) => session)};
		// A change that makes claude-code discover again, then a discovery that cannot vouch for what it returns.
		const nativeId = '00000000-0000-4000-8000-0000000000dd';
		fs.writeFileSync(path.join(path.dirname(corpus.largest.file), `${nativeId}.jsonl`), claudeLine(nativeId, 'r-1', 'reused'));
		await capture({env, store, index, adapters: [reused], config: {}});
		expect(journaledTools()).not.toContain('claude-code');
	});
});
