/**
 * CaptureScheduler's retries: a capture that could not run (capture.lock held, the index busy) keeps
 * its changes and its waiters for one later try, merged with what arrives meanwhile, after a back-off
 * that `wake()` cuts short.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, expect, test} from 'vitest';
import {type CaptureOutcome, type ChangeBatch, CaptureScheduler} from '../../source/engine/daemon/scheduler.js';

describe('CaptureScheduler retries', () => {
	test('a put-off batch is tried again after its back-off, merged with later changes into one pending batch', async () => {
		const tries: Array<{at: number; files: string[]}> = [];
		const started = Date.now();
		let refuse = 2;
		const scheduler = new CaptureScheduler(async (batch: ChangeBatch): Promise<CaptureOutcome> => {
			tries.push({at: Date.now() - started, files: [...batch.files].sort()});
			if (refuse-- > 0) return {retryInMs: 300};
			return undefined;
		}, {quietMs: 10});
		scheduler.add(['claude-code'], 'file', '/a');
		await sleep(100);
		// Arrives during the back-off: waits for it instead of firing at once, and joins the same batch.
		scheduler.add(['claude-code'], 'file', '/b');
		expect(scheduler.pending).toBe(true);
		expect(scheduler.retryAt).toBeGreaterThan(Date.now());
		await sleep(900);
		await scheduler.stop();
		expect(tries.map(entry => entry.files)).toEqual([['/a'], ['/a', '/b'], ['/a', '/b']]);
		// Each retry came after its back-off, not at once (no busy loop).
		expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(280);
		expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(280);
		expect(scheduler.pending).toBe(false);
		expect(scheduler.retryAt).toBeUndefined();
	});

	test('wake() tries again at once; a requested capture resolves only once a try succeeds', async () => {
		let refuse = true;
		let runs = 0;
		const scheduler = new CaptureScheduler(async (): Promise<CaptureOutcome> => {
			runs++;
			return refuse ? {retryInMs: 60_000} : undefined;
		}, {quietMs: 10});
		let resolved = false;
		const requested = scheduler.requestFull(['codex']).then(() => {
			resolved = true;
		});
		await sleep(200);
		expect(runs).toBe(1);
		expect(resolved).toBe(false);
		expect(scheduler.pending).toBe(true);
		refuse = false;
		const woken = Date.now();
		scheduler.wake();
		await requested;
		expect(Date.now() - woken).toBeLessThan(1000);
		expect(runs).toBe(2);
		expect(scheduler.pending).toBe(false);
		await scheduler.stop();
	});

	test('stop() ends the requests still waiting for a retry', async () => {
		const scheduler = new CaptureScheduler(async (): Promise<CaptureOutcome> => ({retryInMs: 60_000}), {quietMs: 10});
		const requested = scheduler.requestFull(['gemini']);
		await sleep(100);
		await scheduler.stop();
		await expect(requested).resolves.toBeUndefined();
	});
});
