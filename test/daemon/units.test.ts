/**
 * The daemon's parts on their own: the debounce (quiet period, 2 s cap, no overlap), which sessions
 * a batch of file events selects, the rotated log, and the socket protocol's line framing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, afterEach, describe, expect, test} from 'vitest';
import type {NativeSession} from '../../source/adapters/types.js';
import type {Adapter} from '../../source/adapters/types.js';
import {sessionFilter} from '../../source/engine/daemon/changes.js';
import {DiscoverCache} from '../../source/engine/daemon/discover-cache.js';
import {plainAdapterContext} from '../../source/engine/capture-run.js';
import {openRotatingLog} from '../../source/engine/daemon/log.js';
import {lineReader} from '../../source/engine/daemon/protocol.js';
import {type ChangeBatch, CaptureScheduler, emptyBatch} from '../../source/engine/daemon/scheduler.js';

const temps: string[] = [];
afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('CaptureScheduler', () => {
	test('a burst becomes one capture after the quiet period', async () => {
		const batches: ChangeBatch[] = [];
		const scheduler = new CaptureScheduler(async batch => {
			batches.push(batch);
		}, {quietMs: 100, maxDelayMs: 2000});
		for (let index = 0; index < 50; index++) scheduler.add(['claude-code'], 'file', `/p/${index % 5}.jsonl`);
		await sleep(300);
		expect(batches).toHaveLength(1);
		expect([...batches[0]!.files].sort()).toEqual(['/p/0.jsonl', '/p/1.jsonl', '/p/2.jsonl', '/p/3.jsonl', '/p/4.jsonl']);
		expect(batches[0]!.full).toBe(false);
		await scheduler.stop();
	});

	test('events that never pause are still captured within the maximum delay', async () => {
		const started = Date.now();
		const firedAt: number[] = [];
		const scheduler = new CaptureScheduler(async () => {
			firedAt.push(Date.now() - started);
		}, {quietMs: 200, maxDelayMs: 500});
		const until = Date.now() + 1300;
		while (Date.now() < until) {
			scheduler.add(['codex'], 'file', '/x.jsonl');
			await sleep(50); // Never quiet for 200 ms.
		}

		await scheduler.stop();
		expect(firedAt.length).toBeGreaterThanOrEqual(2);
		expect(firedAt[0]!).toBeLessThan(700);
	});

	test('captures never overlap; changes during one go into the next', async () => {
		let running = 0;
		let maxRunning = 0;
		const batches: ChangeBatch[] = [];
		const scheduler = new CaptureScheduler(async batch => {
			running++;
			maxRunning = Math.max(maxRunning, running);
			batches.push(batch);
			await sleep(150);
			running--;
		}, {quietMs: 10});
		scheduler.add(['gemini'], 'file', '/a');
		await sleep(40);
		scheduler.add(['gemini'], 'file', '/b');
		await sleep(40);
		scheduler.add(['gemini'], 'dir', '/c');
		const full = scheduler.requestFull(['gemini']);
		await full;
		await scheduler.stop();
		expect(maxRunning).toBe(1);
		expect([...batches[0]!.files]).toEqual(['/a']);
		expect([...batches[1]!.files]).toEqual(['/b']);
		expect([...batches[1]!.dirs]).toEqual(['/c']);
		expect(batches[1]!.full).toBe(true);
	});
});

describe('sessionFilter', () => {
	const session = (...files: string[]): NativeSession => ({tool: 'claude-code', nativeId: files[0]!, files, growth: 'append'});

	test('selects sessions whose files changed, their neighbours, and everything under a new directory', () => {
		const batch = emptyBatch();
		batch.files.add('/h/.claude/projects/p1/a.jsonl');
		batch.dirs.add('/h/.claude/projects/p3');
		const only = sessionFilter(batch)!;
		expect(only(session('/h/.claude/projects/p1/a.jsonl'))).toBe(true);
		expect(only(session('/h/.claude/projects/p1/b.jsonl'))).toBe(true);
		expect(only(session('/h/.claude/projects/p3/sub/agents/c.jsonl'))).toBe(true);
		expect(only(session('/h/.claude/projects/p2/d.jsonl'))).toBe(false);
	});

	test('a -wal write stands for its SQLite database; an event naming a directory covers what is inside', () => {
		const batch = emptyBatch();
		batch.files.add('/c/User/globalStorage/state.vscdb-wal');
		batch.files.add('/c/tasks/123');
		const only = sessionFilter(batch)!;
		expect(only(session('/c/User/globalStorage/state.vscdb'))).toBe(true);
		expect(only(session('/c/tasks/123/ui_messages.json', '/c/tasks/123/api_conversation_history.json'))).toBe(true);
		expect(only(session('/c/tasks/456/ui_messages.json'))).toBe(false);
	});

	test('a full batch selects everything', () => {
		const batch = emptyBatch();
		batch.full = true;
		expect(sessionFilter(batch)).toBeUndefined();
	});
});

describe('rotating log', () => {
	test('rotates by size and keeps the newest files', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-log-'));
		temps.push(dir);
		const file = path.join(dir, 'logs', 'daemon.log');
		const log = openRotatingLog(file, {maxBytes: 200, keep: 2});
		for (let index = 0; index < 20; index++) log.write('info', `line ${index} ${'x'.repeat(40)}`);
		expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['daemon.log', 'daemon.log.1', 'daemon.log.2']);
		expect(fs.statSync(file).size).toBeLessThanOrEqual(200);
		expect(fs.readFileSync(file, 'utf8')).toContain('line 19');
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		const all = ['daemon.log.2', 'daemon.log.1', 'daemon.log'].map(name => fs.readFileSync(path.join(dir, 'logs', name), 'utf8')).join('');
		const numbers = [...all.matchAll(/line (\d+)/g)].map(match => Number(match[1]));
		// Oldest lines rotated out; the rest in order.
		expect(numbers.at(-1)).toBe(19);
		expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
	});
});

describe('protocol framing', () => {
	test('lines split across chunks arrive whole; blank lines are ignored', () => {
		const lines: string[] = [];
		const feed = lineReader(line => lines.push(line));
		feed('{"id":1,"meth');
		feed('od":"status"}\n\n{"id":2');
		feed(',"method":"capture"}\n');
		expect(lines.map(line => JSON.parse(line) as unknown)).toEqual([
			{id: 1, method: 'status'},
			{id: 2, method: 'capture'},
		]);
	});

	test('a character split between two chunks arrives whole', () => {
		const lines: string[] = [];
		const feed = lineReader(line => lines.push(line));
		const bytes = Buffer.from('{"log":"/home/zoë/.sfs/logs/daemon.log"}\n');
		const split = bytes.indexOf(Buffer.from('ë')) + 1; // Between the two bytes of ë.
		feed(bytes.subarray(0, split));
		feed(bytes.subarray(split));
		expect(lines.map(line => JSON.parse(line) as unknown)).toEqual([{log: '/home/zoë/.sfs/logs/daemon.log'}]);
	});
});

describe('DiscoverCache', () => {
	// Real files: a known file that no longer exists is discovered again.
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-discover-cache-'));
	afterAll(() => fs.rmSync(home, {recursive: true, force: true}));
	const projects = path.join(home, '.claude', 'projects');
	const knownFile = path.join(projects, 'p', 'a.jsonl');
	fs.mkdirSync(path.dirname(knownFile), {recursive: true});
	fs.writeFileSync(knownFile, '');
	function countingAdapter(sessions: NativeSession[]): Adapter & {discoveries: number} {
		const adapter = {
			id: 'claude-code' as const,
			name: 'Claude Code',
			discoveries: 0,
			roots: () => [projects],
			async discover() {
				adapter.discoveries++;
				return sessions;
			},
			async read(): Promise<never> {
				throw new Error('not read here');
			},
		};
		return adapter;
	}

	const context = plainAdapterContext({HOME: home});
	const roots = new Map([['claude-code' as const, [projects]]]);
	const known: NativeSession = {tool: 'claude-code', nativeId: 'a', files: [knownFile], growth: 'append'};

	test('an append to a known file reuses the last discovery; a new file, a directory event or a full pass discovers again', async () => {
		const adapter = countingAdapter([known]);
		const cache = new DiscoverCache();
		const full = emptyBatch();
		full.full = true;
		expect(await cache.wrap([adapter], full, roots)[0]!.discover(context)).toEqual([known]);
		expect(adapter.discoveries).toBe(1);

		const append = emptyBatch();
		append.files.add(knownFile);
		expect(await cache.wrap([adapter], append, roots)[0]!.discover(context)).toEqual([known]);
		expect(adapter.discoveries).toBe(1);

		const fresh = emptyBatch();
		fresh.files.add(path.join(projects, 'p', 'b.jsonl'));
		await cache.wrap([adapter], fresh, roots)[0]!.discover(context);
		expect(adapter.discoveries).toBe(2);

		const directory = emptyBatch();
		directory.dirs.add(path.join(projects, 'q'));
		await cache.wrap([adapter], directory, roots)[0]!.discover(context);
		expect(adapter.discoveries).toBe(3);
	});

	test('a known file that vanished (deleted, rotated away) is discovered again, not read from memory', async () => {
		const gone = path.join(projects, 'p', 'gone.jsonl');
		fs.writeFileSync(gone, '');
		const adapter = countingAdapter([known, {...known, nativeId: 'gone', files: [gone]}]);
		const cache = new DiscoverCache();
		const full = emptyBatch();
		full.full = true;
		await cache.wrap([adapter], full, roots)[0]!.discover(context);
		fs.rmSync(gone);
		const removed = emptyBatch();
		removed.files.add(gone);
		await cache.wrap([adapter], removed, roots)[0]!.discover(context);
		expect(adapter.discoveries).toBe(2);
	});

	test('fingerprinted stores (one database, many sessions) are always discovered again', async () => {
		const adapter = countingAdapter([{...known, fingerprint: 'v1'}]);
		const cache = new DiscoverCache();
		const full = emptyBatch();
		full.full = true;
		await cache.wrap([adapter], full, roots)[0]!.discover(context);
		const append = emptyBatch();
		append.files.add(knownFile);
		await cache.wrap([adapter], append, roots)[0]!.discover(context);
		expect(adapter.discoveries).toBe(2);
	});
});
