/**
 * The TUI's background worker (engine/tui-worker.ts, started from the TS sources through tsx here):
 * summaries, DLP findings, costs and capture run off the main thread, with the same answers as
 * in-process, errors carried over, and the main thread free while a big session is summarised.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {execa} from 'execa';
import {afterEach, expect, test, vi} from 'vitest';
import {rebuildIndex} from '../../source/engine/index-db.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {BackgroundWorker} from '../../source/engine/tui-worker-client.js';
import {SessionBuilder} from '../insight/build.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

const noWriters = async () => {
	throw new Error('no writers in this test');
};

function setup() {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-worker-'));
	const env = {HOME: home, SFS_HOME: path.join(home, 'sfs'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), XDG_STATE_HOME: path.join(home, 'state'), CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex'), COPILOT_HOME: path.join(home, '.copilot'), GEMINI_CLI_HOME: path.join(home, 'gemini')};
	const engine = openEngine({env});
	const inWorker = createTuiEngine(engine, {loadWriter: noWriters, autoAttach: false});
	const inProcess = createTuiEngine(engine, {loadWriter: noWriters, captureInWorker: false, autoAttach: false});
	cleanups.push(() => {
		inWorker.stopBackground();
		engine.close();
		fs.rmSync(home, {recursive: true, force: true});
	});
	return {engine, env, inWorker, inProcess};
}

function store(engine: Engine, id: string, build: (b: SessionBuilder) => void) {
	const b = new SessionBuilder();
	build(b);
	const session = b.session(id);
	engine.store.createSession(session);
	engine.index.upsertSession(session.manifest);
	engine.index.addMessages(id, session.messages, 1);
}

test('summary, findings and costs come from the worker with the in-process answers; errors keep their message', async () => {
	const {engine, inWorker, inProcess} = setup();
	store(engine, 'ses_a', b => {
		b.user('deploy with GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789');
		b.bash('npm test', 'Tests  3 passed (3)');
		b.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 100}, {api_message_id: 'msg_A'});
	});

	const insight = await inWorker.sessionInsight!('ses_a');
	expect(insight).toEqual(await inProcess.sessionInsight!('ses_a'));
	expect(insight.summary.commands).toEqual([{command: 'npm test', exit_code: 0}]);
	const findings = await inWorker.sessionFindings!('ses_a');
	expect(findings.secrets).toBe(1);
	expect(JSON.stringify(findings)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
	const costs = await inWorker.sessionCosts!(['ses_a', 'ses_unknown']);
	expect(costs.ses_a).toBe(insight.summary.cost_usd);
	expect(costs.ses_a).toBeGreaterThan(0);
	expect(costs.ses_unknown).toBeNull();
	await expect(inWorker.sessionInsight!('ses_missing')).rejects.toThrow(/ses_missing/);
});

test('capture runs in the worker and reports progress and its result', async () => {
	const {inWorker} = setup();
	const states: string[] = [];
	inWorker.onCaptureProgress(progress => states.push(progress.state));
	await inWorker.capture();
	expect(states[0]).toBe('capturing');
	expect(states.at(-1)).toBe('idle');
	expect(inWorker.lastCaptureReport()).toMatchObject({new: 0, updated: 0});
	expect(inWorker.captureState()).toBe('idle');
});

test('the main thread keeps running while the worker summarises a big session', async () => {
	const {engine, inWorker, inProcess} = setup();
	store(engine, 'ses_big', b => {
		for (let turn = 0; turn < 1500; turn++) {
			b.user(`step ${turn}: ${'please look at src/file.ts and fix the thing '.repeat(8)}`);
			b.bash(`npm test -- case-${turn}`, `Tests  ${turn} passed (${turn})\n${'output line\n'.repeat(20)}`);
		}
	});

	// The longest pause between timer ticks while the summary is computed: in-process, then in the worker.
	const longestPause = async (work: () => Promise<unknown>) => {
		let last = performance.now();
		let longest = 0;
		const tick = setInterval(() => {
			const now = performance.now();
			longest = Math.max(longest, now - last);
			last = now;
		}, 2);
		try {
			await work();
		} finally {
			clearInterval(tick);
		}

		return Math.max(longest, performance.now() - last); // a block at the end counts too
	};

	await inWorker.sessionInsight!('ses_big'); // the worker is started and its modules loaded
	const blocked = await longestPause(async () => inProcess.sessionInsight!('ses_big'));
	const free = await longestPause(async () => inWorker.sessionInsight!('ses_big'));
	expect(blocked).toBeGreaterThan(free * 2);
	expect(free).toBeLessThan(blocked);
});

test('the worker stops after a quiet spell and starts again on the next request; stopping rejects what was in flight', async () => {
	const {env, engine} = setup();
	store(engine, 'ses_a', b => {
		b.user('hello');
	});
	const worker = new BackgroundWorker(env, 50);
	cleanups.push(() => {
		worker.stop();
	});
	expect(worker.running).toBe(false);
	const first = await worker.request<{summary: {turns: number}}>({type: 'insight', sessionId: 'ses_a'});
	expect(first.summary.turns).toBe(1);
	await vi.waitFor(() => expect(worker.running).toBe(false));
	const again = await worker.request<{summary: {turns: number}}>({type: 'insight', sessionId: 'ses_a'});
	expect(again).toEqual(first);
	const inFlight = worker.request({type: 'capture'});
	worker.stop();
	await expect(inFlight).rejects.toThrow(/stopped/);
});

test('a live worker does not keep the process from exiting (the TUI quits at once)', async () => {
	const {env, engine} = setup();
	store(engine, 'ses_a', b => {
		b.user('hello');
	});
	const client = pathToFileURL(path.join(import.meta.dirname, '..', '..', 'source', 'engine', 'tui-worker-client.ts')).href;
	const script = `const {BackgroundWorker} = await import(${JSON.stringify(client)});
const worker = new BackgroundWorker(JSON.parse(process.env.WORKER_ENV), 60_000);
const insight = await worker.request({type: 'insight', sessionId: 'ses_a'});
console.log('turns', insight.summary.turns, 'running', worker.running);`;
	const started = performance.now();
	const result = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env: {...process.env, WORKER_ENV: JSON.stringify(env)}, reject: false, timeout: 20_000});
	expect(result.stderr).toBe('');
	expect(result.stdout).toBe('turns 1 running true');
	expect(result.exitCode).toBe(0);
	expect(performance.now() - started).toBeLessThan(15_000); // well before the 60 s idle stop
});

test('a capture in flight does not keep the process alive (quitting the TUI mid-capture does not wait for it)', async () => {
	const {env} = setup();
	const client = pathToFileURL(path.join(import.meta.dirname, '..', '..', 'source', 'engine', 'tui-worker-client.ts')).href;
	// Nothing else keeps this script alive, so Node ends it with 13 (unsettled top-level await) instead of waiting.
	const script = `const {BackgroundWorker} = await import(${JSON.stringify(client)});
const worker = new BackgroundWorker(JSON.parse(process.env.WORKER_ENV), 60_000);
await worker.request({type: 'capture'});
console.log('waited for the capture');`;
	const result = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env: {...process.env, WORKER_ENV: JSON.stringify(env)}, reject: false, timeout: 20_000});
	expect(result.stdout).toBe('');
	expect(result.exitCode).toBe(13);
});

test('holdYoungGeneration keeps the young generation from growing, also after the worker has started', async () => {
	const {env, engine} = setup();
	store(engine, 'ses_a', b => {
		b.user('hello');
	});
	const client = pathToFileURL(path.join(import.meta.dirname, '..', '..', 'source', 'engine', 'tui-worker-client.ts')).href;
	// Objects that survive scavenges (as the TUI's rows do) make V8 grow new space; a held one stays as it is.
	const script = `const {BackgroundWorker, holdYoungGeneration} = await import(${JSON.stringify(client)});
const v8 = await import('node:v8');
const newSpace = () => v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space').space_size;
if (process.env.HOLD) holdYoungGeneration();
const before = newSpace();
const worker = new BackgroundWorker(JSON.parse(process.env.WORKER_ENV), 60_000);
await worker.request({type: 'insight', sessionId: 'ses_a'}); // the worker is online: V8 has configured its heap
const kept = [];
for (let index = 0; index < 400_000; index++) kept.push({index, text: 'row ' + index});
console.log(JSON.stringify({before, after: newSpace(), kept: kept.length}));
worker.stop();`;
	const run = async (hold: boolean) => {
		const result = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env: {...process.env, WORKER_ENV: JSON.stringify(env), HOLD: hold ? '1' : ''}, reject: false, timeout: 20_000});
		expect(result.stderr).toBe('');
		return JSON.parse(result.stdout) as {before: number; after: number; kept: number};
	};

	const [held, free] = await Promise.all([run(true), run(false)]);
	expect(held.kept).toBe(400_000);
	expect(held.after).toBe(held.before);
	expect(free.after).toBeGreaterThan(free.before);
});

test('a search for words of scripts without spaces runs in the worker (it reads messages); others stay on this thread', async () => {
	const {engine, inWorker, inProcess} = setup();
	store(engine, 'ses_ja', b => {
		b.user('今日は東京タワーに行った');
		b.user('deploy the tower');
	});
	const onThisThread = vi.spyOn(engine.index, 'search');
	const fromWorker = await inWorker.search('東京');
	expect(onThisThread).not.toHaveBeenCalled();
	expect(fromWorker.map(hit => hit.snippet)).toEqual(['今日は\u0001東京\u0002タワーに行った']);
	onThisThread.mockRestore();
	expect(fromWorker).toEqual(await inProcess.search('東京'));
	const spy = vi.spyOn(engine.index, 'search');
	expect((await inWorker.search('tower')).length).toBe(1);
	expect(spy).toHaveBeenCalledTimes(1);
});

test('after the index is rebuilt (renamed over index.db, as sfs daemon rebuild-index does) the worker\'s searches read the new file', async () => {
	const {engine, inWorker} = setup();
	store(engine, 'ses_ja', b => b.user('今日は東京タワーに行った'));
	expect((await inWorker.search('東京')).length).toBe(1); // the worker has its index open now

	const osaka = new SessionBuilder();
	osaka.user('明日は大阪城へ行きます');
	const rebuilt = rebuildIndex(engine.index.path, [engine.store.readSession('ses_ja'), osaka.session('ses_osaka')]);
	rebuilt.close();
	const hits = await inWorker.search('大阪');
	expect(hits.map(hit => hit.session_id)).toEqual(['ses_osaka']);
});
