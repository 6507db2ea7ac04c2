/** The sync client's HTTP retries beyond the basics (http-retry.test.ts): Retry-After dates and caps, 503 with Retry-After, cancellation. */
import {describe, expect, test} from 'vitest';
import {request, retryAfterMs} from '../../source/sync/http.js';
import {flakyServers} from '../support/flaky-http.js';

const answering = flakyServers();

describe('sync client HTTP', () => {
	test('Retry-After in seconds or as an HTTP date; unreadable is ignored', () => {
		const now = Date.parse('2026-11-25T12:00:00Z');
		expect(retryAfterMs('3', now)).toBe(3000);
		expect(retryAfterMs(' 0 ', now)).toBe(0);
		expect(retryAfterMs('Wed, 25 Nov 2026 12:00:07 GMT', now)).toBe(7000);
		expect(retryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
		expect(retryAfterMs('soon', now)).toBeUndefined();
		expect(retryAfterMs(null, now)).toBeUndefined();
	});

	test('a 503 with Retry-After is waited out as asked; a Retry-After beyond the cap waits the cap', async () => {
		const server = await answering([{status: 503, headers: {'retry-after': '1'}}, {status: 429, headers: {'retry-after': '3600'}}]);
		const waits: number[] = [];
		const answer = await request<{ok: boolean}>(server.url, '/thing', {baseDelayMs: 10, maxRetryAfterMs: 1500, onRetry: (_reason, wait) => waits.push(wait)});
		expect(answer.body).toEqual({ok: true});
		expect(waits).toEqual([1000, 1500]);
		expect(server.hits()).toBe(3);
	});

	test('an abort signal ends the wait between attempts with one line', async () => {
		const server = await answering(Array.from({length: 5}, () => ({status: 429, headers: {'retry-after': '30'}})));
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 200);
		await expect(request(server.url, '/thing', {signal: controller.signal})).rejects.toThrow(/^request to http:\/\/127\.0\.0\.1:\d+ cancelled$/);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(server.hits()).toBe(1);
	});
});
