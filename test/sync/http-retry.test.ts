/** The client's retries against a real HTTP server on 127.0.0.1 that answers 503 and 429 first. */
import {describe, expect, test} from 'vitest';
import {request} from '../../source/sync/http.js';
import {flakyServers} from '../support/flaky-http.js';

const flaky = flakyServers();

describe('sync client retries', () => {
	test('retries 5xx with backoff and 429 after Retry-After, then succeeds', async () => {
		const server = await flaky([{status: 503}, {status: 500}, {status: 429, headers: {'retry-after': '1'}}]);
		const waits: Array<[string, number]> = [];
		const started = Date.now();
		const answer = await request<{ok: boolean}>(server.url, '/thing', {baseDelayMs: 10, onRetry: (reason, wait) => waits.push([reason, wait])});
		expect(answer.body).toEqual({ok: true});
		expect(server.hits()).toBe(4);
		expect(waits.map(([reason]) => reason)).toEqual(['HTTP 503: answer 1', 'HTTP 500: answer 2', 'HTTP 429: answer 3']);
		expect(waits[2]![1]).toBe(1000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
	});

	test('a 4xx other than 429 is final; attempts are bounded', async () => {
		const server = await flaky([{status: 404}]);
		await expect(request(server.url, '/thing', {baseDelayMs: 1})).rejects.toThrow(/server: answer 1/);
		expect(server.hits()).toBe(1);
		const down = await flaky(Array.from({length: 10}, () => ({status: 502})));
		await expect(request(down.url, '/thing', {baseDelayMs: 1, attempts: 3})).rejects.toThrow(/after 3 attempt\(s\): HTTP 502/);
		expect(down.hits()).toBe(3);
	});

	test('a refused connection is retried, then reported in one line', async () => {
		const server = await flaky([]);
		const url = server.url;
		await server.close();
		const reasons: string[] = [];
		await expect(request(url, '/thing', {baseDelayMs: 1, attempts: 2, onRetry: reason => reasons.push(reason)})).rejects.toThrow(/cannot reach the sfs server .* after 2 attempt\(s\): ECONNREFUSED/);
		expect(reasons).toEqual(['ECONNREFUSED']);
	});

	test('a port fetch refuses to use (6000 is X11) is said at once, not retried as if the server were down', async () => {
		const reasons: string[] = [];
		const started = Date.now();
		await expect(request('http://127.0.0.1:6000', '/api/v1/health', {baseDelayMs: 200, attempts: 4, onRetry: reason => reasons.push(reason)})).rejects.toThrow(/^cannot reach the sfs server at http:\/\/127\.0\.0\.1:6000: port 6000 is one that HTTP clients refuse to use$/);
		expect(reasons).toEqual([]);
		expect(Date.now() - started).toBeLessThan(1000);
	});
});
