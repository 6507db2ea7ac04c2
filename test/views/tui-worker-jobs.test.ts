/**
 * The order of the TUI background worker's jobs (engine/tui-worker-jobs.ts) and its capture progress
 * batching (engine/tui-worker-progress.ts): reads one at a time, a capture after the reads asked before
 * it, reads during a capture answered at once, memory released between jobs, and progress sent at most
 * once per interval with the count of changed sessions kept.
 */
import {expect, test} from 'vitest';
import {BackgroundJobs} from '../../source/engine/tui-worker-jobs.js';
import {ProgressThrottle, type ThrottledProgress} from '../../source/engine/tui-worker-progress.js';

function deferred() {
	let resolve!: () => void;
	const promise = new Promise<void>(done => {
		resolve = done;
	});
	return {promise, resolve};
}

const tick = async () => new Promise(resolve => setImmediate(resolve));

test('reads run one at a time in the order asked, and a capture waits for the reads asked before it', async () => {
	const log: string[] = [];
	const jobs = new BackgroundJobs(() => log.push('release'));
	const gates = {costs: deferred(), insight: deferred(), capture: deferred()};
	const job = (name: keyof typeof gates) => async () => {
		log.push(`start ${name}`);
		await gates[name].promise;
		log.push(`end ${name}`);
		return name;
	};

	const costs = jobs.run('read', job('costs'));
	const insight = jobs.run('read', job('insight'));
	const capture = jobs.run('capture', job('capture'));
	await tick();
	expect(log).toEqual(['start costs']);
	expect(jobs.size).toBe(3);
	gates.costs.resolve();
	await expect(costs).resolves.toBe('costs');
	await tick();
	expect(log).toEqual(['start costs', 'end costs', 'release', 'start insight']);
	gates.insight.resolve();
	await insight;
	await tick();
	expect(log.slice(3)).toEqual(['start insight', 'end insight', 'release', 'start capture']);
	gates.capture.resolve();
	await expect(capture).resolves.toBe('capture');
	await tick();
	expect(log.at(-1)).toBe('release');
	expect(jobs.size).toBe(0);
});

test('a read asked for while a capture runs starts at once (a long capture never holds a summary back)', async () => {
	const log: string[] = [];
	const jobs = new BackgroundJobs();
	const captureGate = deferred();
	const capture = jobs.run('capture', async () => {
		log.push('start capture');
		await captureGate.promise;
		log.push('end capture');
	});
	await tick();
	const read = jobs.run('read', async () => {
		log.push('read');
		return 42;
	});
	await expect(read).resolves.toBe(42);
	expect(log).toEqual(['start capture', 'read']);
	captureGate.resolve();
	await capture;
	expect(log.at(-1)).toBe('end capture');
});

test('a failing job rejects with its error and the next job still runs', async () => {
	const jobs = new BackgroundJobs(() => {
		throw new Error('a failing release is ignored');
	});
	const failing = jobs.run('read', async () => {
		throw new Error('no such session');
	});
	const throwing = jobs.run('read', () => {
		throw new Error('thrown before any await');
	});
	const next = jobs.run('capture', async () => 'captured');
	await expect(failing).rejects.toThrow('no such session');
	await expect(throwing).rejects.toThrow('thrown before any await');
	await expect(next).resolves.toBe('captured');
});

test('capture progress goes out at most once per interval, with the changed sessions counted and the last report flushed', () => {
	let now = 0;
	const sent: ThrottledProgress[] = [];
	const throttle = new ProgressThrottle(progress => sent.push(progress), 100, () => now);
	for (let done = 1; done <= 1000; done++) {
		now = done / 10; // 1,000 sessions in 100 ms
		throttle.push({tool: 'codex', done, total: 2000, sessionId: done % 4 === 0 ? `ses_${done}` : undefined});
	}

	expect(sent.length).toBeLessThanOrEqual(2);
	throttle.flush();
	expect(sent.reduce((sum, progress) => sum + progress.changed, 0)).toBe(250);
	expect(sent.at(-1)).toEqual({tool: 'codex', done: 1000, total: 2000, changed: sent.at(-1)!.changed});
	expect(sent.every(progress => !('sessionId' in progress))).toBe(true);
	// A tool's final report is never held back.
	throttle.push({tool: 'gemini', done: 3, total: 3});
	expect(sent.at(-1)).toEqual({tool: 'gemini', done: 3, total: 3, changed: 0});
	const count = sent.length;
	throttle.flush(); // nothing held: nothing sent
	expect(sent.length).toBe(count);
});
