/** The daemon's AutoSync in-process against the real server: catch-up at start, debounced runs after captures, mode off, failures logged and retried. */
import net from 'node:net';
import {afterEach, describe, expect, test} from 'vitest';
import {AutoSync} from '../../source/engine/daemon/autosync.js';
import type {DaemonLog} from '../../source/engine/daemon/log.js';
import {listRemote, signup} from '../../source/sync/client.js';
import {saveCredentials} from '../../source/sync/credentials.js';
import {setMode} from '../../source/sync/state.js';
import {machine, message, server} from './helpers.js';
import {append, seed} from './sync-support.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function memoryLog(): DaemonLog & {lines: string[]} {
	const lines: string[] = [];
	return {file: '(memory)', lines, write: (level, text) => lines.push(`${level} ${text}`)};
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
	const probe = net.createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port} = probe.address() as net.AddressInfo;
	await new Promise(resolve => probe.close(resolve));
	return port;
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await probe())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(25);
	}
}

describe('AutoSync', {timeout: 60_000}, () => {
	test('catches up at start, then runs once per burst of captures (debounced), not on every one', async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const m = machine('auto');
		cleanups.push(() => m.close());
		const credentials = await signup(srv.url, 'al@example.com', 'al-password', m.env);
		setMode('all', m.env);
		seed(m, 'ses_00000000000000a1', 2);
		const log = memoryLog();
		const pulled: string[] = [];
		const auto = new AutoSync({env: m.env, engine: () => m.engine, log, debounceMs: 150, maxDelayMs: 400, intervalMs: 60_000, onPulled: id => pulled.push(id)});
		cleanups.push(() => auto.stop());
		auto.start();
		await until('the catch-up push', async () => (await listRemote(credentials)).length === 1);
		await until('the run to finish', () => !auto.status().running && auto.status().last_sync !== null);
		expect(auto.status()).toMatchObject({mode: 'all', server: srv.url, runs: 1, last_error: null, last_sync: {pushed: 1, by: 'daemon'}});
		expect(log.lines).toEqual([expect.stringMatching(/^info autosync with http:\/\/127\.0\.0\.1:\d+: 1 pushed, 0 pulled, 0 merged, 0 unchanged, 0 failed$/)]);

		// A burst of captures (every 50 ms for 300 ms) gives one run, by maxDelayMs at the latest.
		for (let i = 0; i < 6; i++) {
			append(m, 'ses_00000000000000a1', [message(`burst-${i}`, `burst ${i}`)]);
			auto.sessionsChanged();
			await sleep(50);
		}

		await until('the burst pushed', async () => (await listRemote(credentials))[0]!.message_count === 8);
		await sleep(500);
		expect(auto.status().runs).toBe(2);
		expect(auto.status().next_at).not.toBeNull();
		expect(pulled).toEqual([]);
	});

	test('switching the mode on takes effect at once, not at the next interval', async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const m = machine('auto-switch');
		cleanups.push(() => m.close());
		const credentials = await signup(srv.url, 'sw@example.com', 'sw-password', m.env);
		seed(m, 'ses_00000000000000c1', 1);
		const log = memoryLog();
		const auto = new AutoSync({env: m.env, engine: () => m.engine, log, debounceMs: 100, intervalMs: 60_000});
		cleanups.push(() => auto.stop());
		auto.start();
		await sleep(400);
		expect(auto.status().runs).toBe(0);
		setMode('all', m.env);
		await until('the push after the switch', async () => (await listRemote(credentials)).length === 1, 5000);
		expect(log.lines[0]).toBe('info autosync all');
	});

	test('mode off does nothing; not logged in is said once; a failing server is one line per try, retried', async () => {
		const m = machine('auto-off');
		cleanups.push(() => m.close());
		seed(m, 'ses_00000000000000b1', 1);
		const log = memoryLog();
		const auto = new AutoSync({env: m.env, engine: () => m.engine, log, debounceMs: 50, intervalMs: 200});
		cleanups.push(() => auto.stop());
		auto.start();
		await sleep(400);
		expect(auto.status()).toMatchObject({mode: 'off', runs: 0});
		expect(log.lines).toEqual([]);

		setMode('selective', m.env);
		await sleep(600);
		expect(auto.status().runs).toBe(0);
		expect(log.lines).toEqual(['info autosync selective', 'warn autosync is on but this machine is not logged in to a server (sfs auth login)']);

		const closed = await closedPort();
		saveCredentials({url: `http://127.0.0.1:${closed}`, email: 'x@example.com', token: 'sfs_x', token_id: 'tok_x'}, m.env);
		await until('two failed tries', () => log.lines.filter(line => line.includes('autosync failed')).length >= 2, 30_000);
		const failures = log.lines.filter(line => line.includes('autosync failed'));
		expect(failures[0]).toMatch(/^error autosync failed: cannot reach the sfs server at http:\/\/127\.0\.0\.1:\d+ after 3 attempt\(s\): ECONNREFUSED; trying again in 0\.2s$/);
		expect(auto.status().last_error?.message).toMatch(/cannot reach/);
		await auto.stop();
		const runs = auto.status().runs;
		await sleep(500);
		expect(auto.status().runs).toBe(runs);
	});
});
