/**
 * Discovery hands its stats to capture (`NativeSession.stats`), so a rescan stats each native file
 * once; a discovery result reused later (the daemon's cache) must not carry stale stats, or an
 * append would look like no change.
 */
import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test, vi} from 'vitest';
import {benchEnv, type Corpus, generateCorpusSync} from '../../scripts/bench/generate.js';
import {adapters} from '../../source/adapters/registry.js';
import {capture} from '../../source/engine/capture.js';
import {plainAdapterContext} from '../../source/engine/capture-run.js';
import {DiscoverCache} from '../../source/engine/daemon/discover-cache.js';
import {emptyBatch} from '../../source/engine/daemon/scheduler.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';

let root: string;
let env: NodeJS.ProcessEnv;
let corpus: Corpus;
let store: Store;
let index: SessionIndex;

beforeAll(async () => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-discovery-stats-'));
	corpus = generateCorpusSync({home: path.join(root, 'home'), scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
	env = benchEnv(corpus.home, path.join(root, 'sfs'));
	store = new Store(env);
	index = SessionIndex.open(indexPath(env));
	const first = await capture({env, store, index, adapters: [...adapters], config: {}});
	expect(first.new).toBe(corpus.sessions);
});

afterAll(() => {
	index.close();
	fs.rmSync(root, {recursive: true, force: true});
});

describe('discovery stats', () => {
	test.each(adapters.filter(adapter => adapter.id !== 'cursor').map(adapter => adapter.id))('%s: every discovered file comes with the stat capture compares', async tool => {
		const adapter = adapters.find(candidate => candidate.id === tool)!;
		const sessions = await adapter.discover(plainAdapterContext(env));
		expect(sessions.length).toBeGreaterThan(0);
		for (const session of sessions) {
			for (const file of session.files) {
				const stat = fs.statSync(file);
				expect(session.stats?.[file], file).toMatchObject({size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino});
			}
		}
	});

	test('a no-op rescan stats every native file once and parses nothing', async () => {
		const spy = vi.spyOn(fs, 'statSync');
		const asyncSpy = vi.spyOn(fsPromises, 'stat');
		try {
			const report = await capture({env, store, index, adapters: [...adapters], config: {}});
			expect(report.records_parsed).toBe(0);
			expect(report.unchanged).toBe(corpus.sessions);
			const counts = new Map<string, number>();
			for (const [file] of [...spy.mock.calls, ...asyncSpy.mock.calls]) counts.set(String(file), (counts.get(String(file)) ?? 0) + 1);
			const sessionFiles = corpus.files.filter(file => !file.endsWith('.vscdb'));
			expect(sessionFiles.length).toBeGreaterThan(10);
			for (const file of sessionFiles) expect(counts.get(file) ?? 0, file).toBeLessThanOrEqual(1);
		} finally {
			spy.mockRestore();
			asyncSpy.mockRestore();
		}
	});

	test("the daemon's reused discovery carries no stale stats: an append after it is captured", async () => {
		const claude = adapters.find(adapter => adapter.id === 'claude-code')!;
		const roots = new Map([[claude.id, claude.roots(plainAdapterContext(env))]]);
		const cache = new DiscoverCache();
		const full = emptyBatch();
		full.full = true;
		// As the daemon calls it (run.ts): without journals, else a journal kept by the capture in beforeAll
		// (its folders older than the trust window on a slow machine) skips the discovery the cache remembers.
		await capture({env, store, index, adapters: cache.wrap([claude], full, roots), config: {}, journals: false});

		const file = corpus.largest.file;
		const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
		const last = JSON.parse(lines.at(-1)!) as {uuid: string; sessionId: string; cwd: string};
		const record = {type: 'user', uuid: 'appended-after-discovery', parentUuid: last.uuid, sessionId: last.sessionId, cwd: last.cwd, timestamp: '2026-07-01T00:00:00.000Z', message: {role: 'user', content: 'quokkaappended'}};
		fs.appendFileSync(file, `${JSON.stringify(record)}\n`);

		const append = emptyBatch();
		append.files.add(file);
		const wrapped = cache.wrap([claude], append, roots);
		const reused = await wrapped[0]!.discover(plainAdapterContext(env));
		for (const session of reused) expect(session.stats).toBeUndefined();
		const report = await capture({env, store, index, adapters: wrapped, config: {}, journals: false});
		expect(report).toMatchObject({updated: 1, records_parsed: 1});
		expect(index.search('quokkaappended')).toHaveLength(1);
	});
});
