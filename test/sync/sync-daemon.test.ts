/**
 * Autosync in a real daemon process (the built CLI's `sfs daemon start`) against the real server on
 * 127.0.0.1 behind a proxy that can go away: a captured session is pushed after the capture, one
 * appended to is pushed again, a session pushed from another machine is pulled on the interval; with
 * the server gone, the failure is one log line, the daemon keeps running and syncs once it is back.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {openEngine} from '../../source/engine/open-engine.js';
import {appendUser, installFixture, type Sandbox, sfs, status, stopQuietly, waitFor} from '../daemon/helpers.js';
import {parseJson} from '../cli/run-sfs.js';
import {cleanupsPerTest} from '../support/cleanups.js';
import {server} from './helpers.js';
import {proxy, seed} from './sync-support.js';

const {cleanups, box} = cleanupsPerTest();

type Remote = {session_id: string; message_count: number};

async function remote(url: string, token: string): Promise<Remote[]> {
	const response = await fetch(`${url}/api/v1/sessions`, {headers: {authorization: `Bearer ${token}`}});
	return (await response.json()) as Remote[];
}

const AUTOSYNC = {SFS_AUTOSYNC_DEBOUNCE_MS: '300', SFS_AUTOSYNC_INTERVAL_MS: '1500'};

describe('daemon autosync', {timeout: 180_000}, () => {
	test('pushes after captures, pulls on the interval, survives the server going away', async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const gate = await proxy(srv.url);
		cleanups.push(() => gate.close());
		const a = box();
		const b = box();
		const signup = await sfs(a, ['auth', 'signup', '--url', gate.url, '--email', 'dee@example.com', '--password-stdin'], {input: 'dee-password\n'});
		expect(signup.exitCode, signup.stderr).toBe(0);
		const {token} = JSON.parse(fs.readFileSync(path.join(a.sfsHome, 'credentials.json'), 'utf8')) as {token: string};
		expect((await sfs(a, ['sync', 'auto', '--mode', 'all'])).exitCode).toBe(0);
		const native = installFixture(a);

		const started = await sfs(a, ['daemon', 'start'], {env: AUTOSYNC});
		expect(started.exitCode, started.stderr).toBe(0);
		cleanups.push(() => stopQuietly(a));
		const first = await waitFor('the captured session on the server', async () => (await remote(srv.url, token)).find(row => row.message_count > 0), 30_000, 200);
		const list = parseJson<Array<{session_id: string; message_count: number}>>(await sfs(a, ['list', '--json']));
		expect(list).toHaveLength(1);
		expect(first.session_id).toBe(list[0]!.session_id);
		expect(first.message_count).toBe(list[0]!.message_count);

		// An append is captured, then pushed.
		appendUser(native, 'one more thing');
		await waitFor('the appended message on the server', async () => (await remote(srv.url, token)).find(row => row.session_id === first.session_id && row.message_count === first.message_count + 1), 30_000, 200);

		// Another machine of the same account pushes a session; the daemon pulls it on its interval.
		const login = await sfs(b, ['auth', 'login', '--url', gate.url, '--email', 'dee@example.com', '--password-stdin'], {input: 'dee-password\n'});
		expect(login.exitCode, login.stderr).toBe(0);
		const engine = openEngine({env: b.env});
		try {
			seed({root: b.root, env: b.env, engine, close() {}}, 'ses_0000000000000bb1', 2, 'bee');
		} finally {
			engine.close();
		}

		expect((await sfs(b, ['sync', 'watch', 'ses_0000000000000bb1'])).exitCode).toBe(0);
		expect(parseJson<{pushed: number}>(await sfs(b, ['sync', '--json'])).pushed).toBe(1);
		await waitFor('the other machine\'s session pulled by the daemon', () => fs.existsSync(path.join(a.sfsHome, 'sessions', 'ses_0000000000000bb1', 'manifest.json')) || undefined, 30_000, 200);
		const shown = parseJson<{messages: Array<{msg_id: string}>}>(await sfs(a, ['show', 'ses_0000000000000bb1', '--json']));
		expect(shown.messages.map(item => item.msg_id)).toEqual(['bee-0', 'bee-1']);
		const synced = await status(a);
		expect((synced as unknown as {sync: {mode: string; server: string; runs: number; last_error: unknown}}).sync).toMatchObject({mode: 'all', server: gate.url, last_error: null});

		// The server goes away: captures go on, the failure is logged in one line, the daemon lives.
		await gate.close();
		appendUser(native, 'written while the server is away');
		const log = path.join(a.sfsHome, 'logs', 'daemon.log');
		await waitFor('an autosync failure in the log', () => /autosync failed: cannot reach the sfs server/.test(fs.readFileSync(log, 'utf8')) || undefined, 60_000, 200);
		const failing = (await status(a)) as unknown as {running: boolean; pid: number; sync: {last_error: {message: string} | null}};
		expect(failing.running).toBe(true);
		expect(failing.sync.last_error?.message).toMatch(/cannot reach the sfs server/);
		const failureLines = fs.readFileSync(log, 'utf8').split('\n').filter(line => line.includes('autosync failed'));
		expect(failureLines.every(line => /^\S+ error autosync failed: cannot reach the sfs server at http:\/\/127\.0\.0\.1:\d+ after 3 attempt\(s\): ECONNREFUSED; trying again in [\d.]+s$/.test(line))).toBe(true);
		const human = await sfs(a, ['daemon', 'status']);
		expect(human.stdout).toMatch(/^sync {6}all with http:\/\/127\.0\.0\.1:\d+; last .*; error: cannot reach the sfs server/m);

		// Back again: the pending append reaches the server, the error clears.
		await gate.reopen();
		await waitFor('the message written while away on the server', async () => (await remote(srv.url, token)).find(row => row.session_id === first.session_id && row.message_count === first.message_count + 2), 60_000, 200);
		await waitFor('the error cleared', async () => ((await status(a)) as unknown as {sync: {last_error: unknown}}).sync.last_error === null || undefined, 30_000, 200);
		expect((await status(a)).pid).toBe(failing.pid);
		expect(fs.readFileSync(log, 'utf8')).toMatch(/info  autosync with http:\/\/127\.0\.0\.1:\d+: 1 pushed/);
	});

	test('mode off: the daemon does not sync', async () => {
		const srv = await server();
		cleanups.push(() => srv.close());
		const a = box();
		expect((await sfs(a, ['auth', 'signup', '--url', srv.url, '--email', 'off@example.com', '--password-stdin'], {input: 'off-password\n'})).exitCode).toBe(0);
		const {token} = JSON.parse(fs.readFileSync(path.join(a.sfsHome, 'credentials.json'), 'utf8')) as {token: string};
		installFixture(a);
		expect((await sfs(a, ['daemon', 'start'], {env: AUTOSYNC})).exitCode).toBe(0);
		cleanups.push(() => stopQuietly(a));
		await waitFor('the capture', async () => ((await status(a)).captures > 0 && (await status(a)).sessions_captured > 0) || undefined, 30_000, 200);
		await new Promise(resolve => setTimeout(resolve, 2500));
		expect(await remote(srv.url, token)).toEqual([]);
		const current = (await status(a)) as unknown as {sync: {mode: string; runs: number}};
		expect(current.sync).toMatchObject({mode: 'off', runs: 0});
		expect((await sfs(a, ['daemon', 'status'])).stdout).toContain('sync      off (sfs sync auto --mode all|selective)');
	});
});
