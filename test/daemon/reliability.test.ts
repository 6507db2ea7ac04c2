/**
 * The daemon under stress: kill -9 in the middle of a capture, CLI writes while it captures, a burst
 * of 1,000 appends. Real processes on temp homes; build first (`npm run build`).
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {connectDaemon} from '../../source/engine/daemon/client.js';
import type {DaemonStatus} from '../../source/engine/daemon/protocol.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {appendUser, FIXTURE_NATIVE_ID, installFixture, projectsDir, type Sandbox, sandbox, sandboxPerTest, sessionIds, sfs, stored, texts, waitFor, waitIdle, writeSession} from './helpers.js';

let box: Sandbox;
sandboxPerTest(created => {
	box = created;
});

describe('daemon reliability', () => {
	test('kill -9 during a capture, restart: every message once, exactly as an uninterrupted capture stores them', async () => {
		installFixture(box);
		await sfs(box, ['daemon', 'start']);
		const {pid} = await waitIdle(box);

		// Enough new native data that the capture takes a while.
		const dir = path.join(projectsDir(box), '-home-me-big');
		const files: string[] = [];
		for (let index = 0; index < 120; index++) files.push(writeSession(dir, undefined, 40));
		const client = await connectDaemon(box.env);
		let killedWhileCapturing = false;
		try {
			await waitFor(
				'the capture to be under way',
				async () => {
					const current = await client.request<DaemonStatus>('status');
					if (!current.capturing) return undefined;
					// Let it commit part of the batch first.
					if (sessionIds(box).length < 10) return undefined;
					return true;
				},
				20_000,
				10,
			);
			process.kill(pid, 'SIGKILL');
			killedWhileCapturing = true;
		} finally {
			client.close();
		}

		expect(killedWhileCapturing).toBe(true);
		const capturedAtKill = sessionIds(box).length;
		expect(capturedAtKill).toBeLessThan(121);

		const restarted = await sfs(box, ['daemon', 'start']);
		expect(restarted.exitCode).toBe(0);
		await waitFor('all sessions', () => (sessionIds(box).length === 121 ? true : undefined), 60_000, 100);
		await waitIdle(box, 60_000);
		await sfs(box, ['daemon', 'stop']);

		// Reference: the same native files captured by one uninterrupted `sfs capture` in another sandbox.
		const reference = sandbox();
		try {
			fs.cpSync(path.join(box.home, '.claude'), path.join(reference.home, '.claude'), {recursive: true});
			expect((await sfs(reference, ['capture', '--quiet'])).exitCode).toBe(0);
			for (const file of files) {
				const id = sessionIdForNative('claude-code', path.basename(file, '.jsonl'));
				const ids = stored(box, id).map(message => message.msg_id);
				const expected = stored(reference, id).map(message => message.msg_id);
				expect(expected).toHaveLength(80);
				expect(ids).toEqual(expected);
			}

			// The index agrees with the store: search finds each session's last question once.
			const probe = path.basename(files[0]!, '.jsonl');
			const hits = JSON.parse((await sfs(box, ['search', `"question 39 of ${probe}"`, '--json'])).stdout) as unknown[];
			expect(hits).toHaveLength(1);
		} finally {
			reference.cleanup();
		}
	});

	test('alias and fork from the CLI while the daemon captures: no lock errors, nothing lost', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const [id] = sessionIds(box);
		let writing = true;
		let appended = 0;
		const writer = (async () => {
			while (writing) {
				appendUser(file, `concurrent line ${appended++}`);
				await new Promise(resolve => setTimeout(resolve, 15));
			}
		})();

		const runs: Array<{args: string[]; exitCode: number; stderr: string}> = [];
		const run = async (...args: string[]) => runs.push({args, ...(await sfs(box, args))});
		try {
			for (let round = 0; round < 6; round++) {
				await run('alias', id!, `busy-${round}`);
				await run('fork', id!, '--json');
				await run('show', `busy-${round}`, '--json');
			}
		} finally {
			writing = false;
			await writer;
		}

		for (const {args, exitCode, stderr} of runs) {
			expect(stderr, args.join(' ')).not.toMatch(/lock|busy|SQLITE/i);
			expect(exitCode, `sfs ${args.join(' ')}: ${stderr}`).toBe(0);
		}

		await waitFor('every appended line', () => (texts(box, id!).filter(text => text.startsWith('concurrent line')).length === appended ? true : undefined), 5000);
		const lines = texts(box, id!).filter(text => text.startsWith('concurrent line'));
		expect(lines).toEqual(Array.from({length: appended}, (_, index) => `concurrent line ${index}`));
		const shown = JSON.parse((await sfs(box, ['show', 'busy-5', '--json'])).stdout) as {manifest: {session_id: string; metadata: {alias?: string}}};
		expect(shown.manifest.session_id).toBe(id);
		expect(shown.manifest.metadata.alias).toBe('busy-5');
		// Six forks, each a session of its own next to the original.
		expect(sessionIds(box)).toHaveLength(7);
	});

	test('a burst of 1,000 appends is captured completely, in order, once', async () => {
		const file = installFixture(box);
		await sfs(box, ['daemon', 'start']);
		await waitIdle(box);
		const id = sessionIdForNative('claude-code', FIXTURE_NATIVE_ID);
		const before = stored(box, id).length;
		for (let index = 0; index < 1000; index++) appendUser(file, `burst ${index}`);
		await waitFor('1,000 more messages', () => (stored(box, id).length >= before + 1000 ? true : undefined), 15_000, 50);
		await waitIdle(box);
		const messages = stored(box, id);
		expect(messages).toHaveLength(before + 1000);
		expect(new Set(messages.map(message => message.msg_id)).size).toBe(messages.length);
		expect(texts(box, id).slice(before)).toEqual(Array.from({length: 1000}, (_, index) => `burst ${index}`));
		const listed = JSON.parse((await sfs(box, ['list', '--json'])).stdout) as Array<{session_id: string; message_count: number}>;
		expect(listed.find(row => row.session_id === id)?.message_count).toBe(before + 1000);
	});
});
