/**
 * The built `sfs` end to end: `sfs server` runs as its own process on 127.0.0.1 (random port), on
 * each storage backend (SQLite in a temp dir; PostgreSQL in a fresh database through
 * SFS_DATABASE_URL), two sandboxes are two machines. Signup, push, pull, list-remote, handoff and
 * pull-handoff through the CLI; the server killed mid-push and restarted while the client retries.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {execa, type ResultPromise} from 'execa';
import {describe, expect, test} from 'vitest';
import {Store} from '../../source/engine/store.js';
import {cliPath, parseJson, type Sandbox, sfs, specExamples} from '../cli/run-sfs.js';
import * as gen from '../dlp/corpus.js';
import {serverChildrenPerTest} from '../support/cleanups.js';
import {BACKENDS, message, session, type StorageLocation, storageLocation} from './helpers.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const {box, children: servers, locations} = serverChildrenPerTest('SIGKILL');

async function storage(backend: StorageLocation['backend']): Promise<StorageLocation> {
	const location = await storageLocation(backend);
	locations.push(location);
	return location;
}

/** Starts `sfs server` on that storage and waits (bounded) for its "listening on" line. */
async function startServer(host: Sandbox, location: StorageLocation, options: {port?: number; env?: Record<string, string>} = {}): Promise<{url: string; port: number; child: ResultPromise}> {
	const child = execa(process.execPath, [cliPath, 'server', '--port', String(options.port ?? 0), '--data', location.data], {
		env: {...host.env, ...location.env, ...options.env},
		extendEnv: false,
		reject: false,
		buffer: false,
	});
	servers.push(child);
	const url = await new Promise<string>((resolve, reject) => {
		let seen = '';
		const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 20_000);
		child.stdout!.on('data', (chunk: Buffer) => {
			seen += chunk.toString();
			const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]!);
			}
		});
		child.stderr!.on('data', () => {});
		void child.then(result => reject(new Error(`server exited (${result.exitCode}): ${seen}`)));
	});
	return {url, port: Number(new URL(url).port), child};
}

async function signup(machine: Sandbox, url: string, email: string): Promise<void> {
	const run = await sfs(machine, ['auth', 'signup', '--url', url, '--email', email, '--password-stdin'], {input: `${email}-password\n`});
	expect(run.exitCode, run.stderr).toBe(0);
}

describe.each(BACKENDS)('sfs server on $name and the sync commands', {timeout: 120_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('signup, push, list-remote, pull across two HOMEs; status and logout', async () => {
		const serverBox = box();
		const location = await storage(backend);
		const {url} = await startServer(serverBox, location);
		const a = box();
		const b = box();
		expect((await sfs(a, ['import', specExamples])).exitCode).toBe(0);
		await signup(a, url, 'ana@example.com');
		// The server keeps its data in the backend under test.
		expect(await location.sql('SELECT email FROM users')).toEqual([{email: 'ana@example.com'}]);
		const credentials = path.join(a.sfsHome, 'credentials.json');
		expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
		expect(fs.readFileSync(credentials, 'utf8')).toContain(url);

		const pushed = parseJson<{session_id: string; message_count: number; merged: boolean}>(await sfs(a, ['push', 'b2c3', '--json']));
		expect(pushed).toMatchObject({session_id: COMPLETE, message_count: 8, merged: false});
		const listed = parseJson<Array<Record<string, unknown>>>(await sfs(a, ['list-remote', '--json']));
		expect(listed).toEqual([{session_id: COMPLETE, title: 'Add user validation to signup endpoint', tool: 'claude-code', updated_at: '2026-03-20T14:05:30.000Z', owner: 'ana@example.com', message_count: 8}]);

		// The same account on a second machine pulls it; the session is in its store and index.
		const login = await sfs(b, ['auth', 'login', '--url', url, '--email', 'ana@example.com', '--password-stdin'], {input: 'ana@example.com-password\n'});
		expect(login.exitCode, login.stderr).toBe(0);
		const pulled = await sfs(b, ['pull', COMPLETE]);
		expect(pulled.exitCode, pulled.stderr).toBe(0);
		expect(pulled.stdout).toContain(`pulled ${COMPLETE} (8 message(s), 8 new)`);
		const shownA = parseJson<{messages: unknown[]}>(await sfs(a, ['show', COMPLETE, '--json']));
		const shownB = parseJson<{messages: unknown[]}>(await sfs(b, ['show', COMPLETE, '--json']));
		expect(shownB.messages).toEqual(shownA.messages);
		const list = parseJson<Array<{session_id: string}>>(await sfs(b, ['list', '--json']));
		expect(list.map(row => row.session_id)).toEqual([COMPLETE]);

		const status = parseJson<{logged_in: boolean; email: string}>(await sfs(b, ['auth', 'status', '--json']));
		expect(status).toMatchObject({logged_in: true, email: 'ana@example.com'});
		const logout = await sfs(b, ['auth', 'logout']);
		expect(logout.stdout).toContain('token revoked');
		expect(fs.existsSync(path.join(b.sfsHome, 'credentials.json'))).toBe(false);
		expect((await sfs(b, ['auth', 'status'])).exitCode).toBe(1);
		const refused = await sfs(b, ['pull', COMPLETE]);
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toMatch(/^sfs: not logged in/);
	});

	test('handoff to a teammate; pull-handoff brings the session and says what differs here', async () => {
		const serverBox = box();
		const {url} = await startServer(serverBox, await storage(backend));
		const a = box();
		const b = box();
		const c = box();
		const repo = path.join(a.root, 'repo');
		fs.mkdirSync(repo);
		const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {encoding: 'utf8'}).trim();
		git('init', '-q', '-b', 'feature-x');
		git('remote', 'add', 'origin', 'https://example.com/team/repo.git');
		fs.writeFileSync(path.join(repo, 'a.txt'), 'one\n');
		git('add', 'a.txt');
		git('commit', '-q', '-m', 'one');
		const senderCommit = git('rev-parse', 'HEAD');
		new Store(a.env).createSession(session('ses_00000000000000h1', [message('h-1', 'fix the flaky test'), message('h-2', 'done half of it')], {metadata: {cwd: repo}}));

		await signup(a, url, 'ana@example.com');
		await signup(b, url, 'ben@example.com');
		await signup(c, url, 'cy@example.com');
		const created = parseJson<{handoff_id: string; url: string; expires_at: string}>(await sfs(a, ['handoff', 'ses_00000000000000h1', '--to', 'ben@example.com', '--message', 'tests still red', '--json']));
		expect(created.handoff_id).toMatch(/^hnd_[0-9a-f]{16}$/);
		expect(created.url).toBe(`${url}/api/v1/handoffs/${created.handoff_id}`);
		expect(Date.parse(created.expires_at)).toBeGreaterThan(Date.now());

		// The receiving machine's checkout has moved on by one commit.
		fs.writeFileSync(path.join(repo, 'b.txt'), 'two\n');
		git('add', 'b.txt');
		git('commit', '-q', '-m', 'two');

		// Someone else cannot take it.
		const stranger = await sfs(c, ['pull-handoff', created.handoff_id]);
		expect(stranger.exitCode).toBe(1);
		expect(stranger.stderr).toMatch(/^sfs: server: no handoff/);

		const waiting = parseJson<Array<{handoff_id: string; from: string; message: string}>>(await sfs(b, ['pull-handoff', '--json']));
		expect(waiting).toEqual([expect.objectContaining({handoff_id: created.handoff_id, from: 'ana@example.com', message: 'tests still red'})]);
		expect(parseJson<unknown[]>(await sfs(c, ['pull-handoff', '--json']))).toEqual([]);

		const taken = parseJson<{session_id: string; taken: string; handoff: {from: string; message: string; workspace: Record<string, string>}; differences: string[]; folder: string}>(
			await sfs(b, ['pull-handoff', created.handoff_id, '--json']),
		);
		expect(taken.session_id).toBe('ses_00000000000000h1');
		expect(taken.taken).toBe('taken');
		expect(taken.handoff).toMatchObject({from: 'ana@example.com', message: 'tests still red', taken_at: expect.any(String)});
		expect(taken.handoff.workspace).toMatchObject({cwd: repo, git_remote: 'https://example.com/team/repo.git', git_branch: 'feature-x', git_commit: senderCommit});
		expect(taken.folder).toBe(repo);
		expect(taken.differences).toEqual([`git commit: sender ${senderCommit}, here ${git('rev-parse', 'HEAD')}`]);
		const shown = parseJson<{messages: Array<{msg_id: string}>}>(await sfs(b, ['show', 'ses_00000000000000h1', '--json']));
		expect(shown.messages.map(m => m.msg_id)).toEqual(['h-1', 'h-2']);
		// Taken: no longer waiting for ben, yet taking it again by id still works (until it expires).
		expect(parseJson<unknown[]>(await sfs(b, ['pull-handoff', '--json']))).toEqual([]);
		expect((await sfs(b, ['pull-handoff'])).stdout).toBe('no handoffs for you\n');
		const human = await sfs(b, ['pull-handoff', created.handoff_id]);
		expect(human.exitCode, human.stderr).toBe(0);
		expect(human.stdout).toContain('differs: git commit: sender');
		expect(human.stdout).toContain('message: tests still red');
		expect(human.stderr).not.toMatch(/warning/);
	});

	test('push and handoff pass the DLP gate: a secret blocks them, redact sends placeholders', async () => {
		const serverBox = box();
		const {url} = await startServer(serverBox, await storage(backend));
		const a = box();
		const token = `ghp_${gen.random(gen.ALNUM, 36)}`;
		new Store(a.env).createSession(session('ses_00000000000000s1', [message('s-1', `use ${token} for the API`)], {metadata: {cwd: a.root}}));
		await signup(a, url, 'ana@example.com');
		const blocked = await sfs(a, ['push', 'ses_00000000000000s1']);
		expect(blocked.exitCode).toBe(1);
		expect(blocked.stderr).toMatch(/^sfs: push blocked: session ses_00000000000000s1 contains 1 secret/m);
		expect(blocked.stderr).not.toContain(token);
		const handoff = await sfs(a, ['handoff', 'ses_00000000000000s1', '--to', 'ben@example.com']);
		expect(handoff.exitCode).toBe(1);
		expect(parseJson<unknown[]>(await sfs(a, ['list-remote', '--json']))).toEqual([]);

		expect((await sfs(a, ['dlp', 'policy', 'set', 'secrets', 'redact', '--global'])).exitCode).toBe(0);
		const redacted = await sfs(a, ['push', 'ses_00000000000000s1', '--json']);
		expect(redacted.exitCode, redacted.stderr).toBe(0);
		const b = box();
		const login = await sfs(b, ['auth', 'login', '--url', url, '--email', 'ana@example.com', '--password-stdin'], {input: 'ana@example.com-password\n'});
		expect(login.exitCode).toBe(0);
		expect((await sfs(b, ['pull', 'ses_00000000000000s1'])).exitCode).toBe(0);
		const shown = await sfs(b, ['show', 'ses_00000000000000s1', '--json']);
		expect(shown.stdout).toContain('[REDACTED:');
		expect(shown.stdout).not.toContain(token);
		// The local copy on the sending machine keeps its text.
		expect((await sfs(a, ['show', 'ses_00000000000000s1', '--json'])).stdout).toContain(token);
	});

	test('the server killed mid-push shows no partial session; the client finishes on retry', async () => {
		const serverBox = box();
		const location = await storage(backend);
		const first = await startServer(serverBox, location, {env: {SFS_SERVER_TEST_PUSH_DELAY_MS: '4000'}});
		const a = box();
		expect((await sfs(a, ['import', specExamples])).exitCode).toBe(0);
		await signup(a, first.url, 'ana@example.com');

		const push = sfs(a, ['push', COMPLETE, '--json']);
		// The push is mid-way once its content is staged as a blob (and not yet committed).
		const staged = async () => (await location.blobHashes()).length > 0;
		for (let i = 0; i < 400 && !(await staged()); i++) await new Promise(resolve => setTimeout(resolve, 50));
		expect(await staged()).toBe(true);
		first.child.kill('SIGKILL');
		await first.child.catch(() => undefined);

		expect(await location.sql('SELECT CAST(count(*) AS integer) AS n FROM sessions')).toEqual([{n: 0}]);

		await startServer(serverBox, location, {port: first.port});
		const finished = await push;
		expect(finished.exitCode, finished.stderr).toBe(0);
		expect(finished.stderr).toMatch(/push: .*retrying in/);
		expect(parseJson<{message_count: number}>(finished)).toMatchObject({message_count: 8});
		const listed = parseJson<Array<{session_id: string; message_count: number}>>(await sfs(a, ['list-remote', '--json']));
		expect(listed).toEqual([expect.objectContaining({session_id: COMPLETE, message_count: 8})]);
	});
});
