/**
 * A handoff end to end, down to a real CLI: two "machines" (temp HOMEs) and the in-process sfs server.
 * A signs up and hands a session to B's email; B signs up, `sfs pull-handoff hnd_…`, then
 * `sfs resume <id> --in claude-code --no-launch --json`, and the real pinned `claude` (offline, against the
 * loopback model endpoint) continues it: the request the endpoint receives carries the handed-over
 * conversation, in order, before the new prompt. The same through an offline signed bundle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {Store} from '../../source/engine/store.js';
import type {Message, Session} from '../../source/engine/types.js';
import {cliPath} from '../cli/run-sfs.js';
import {flattenConversation, type ModelEndpoint, startModelEndpoint} from '../support/model-endpoint.js';
import {createGitRepo, createToolHome, ensureClis, resumeTool, type ToolHome} from '../support/real-clis.js';
import {expectationsFromSession, missingInOrder, RESUME_PROMPT, RESUME_REPLY} from '../support/resume-proof.js';
import {server} from './helpers.js';

let endpoint: ModelEndpoint;
let running: Awaited<ReturnType<typeof server>>;
let root: string;

beforeAll(async () => {
	await ensureClis(['claude-code']);
	endpoint = await startModelEndpoint();
	running = await server();
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-handoff-cli-'));
}, 600_000);

afterAll(async () => {
	await endpoint?.close();
	await running?.close();
	if (root) fs.rmSync(root, {recursive: true, force: true});
});

const at = (second: number) => new Date(Date.UTC(2026, 10, 20, 9, 0, second)).toISOString();

/** A small Claude Code session with a shell call, whose words the resumed request must carry. */
function handedSession(id: string, cwd: string, marker: string): Session {
	const messages: Message[] = [
		{msg_id: `${marker}-1`, parent_msg_id: null, role: 'user', timestamp: at(1), content: [{type: 'text', text: `The date helper drops the time zone (${marker}). Please look.`}]},
		{msg_id: `${marker}-2`, parent_msg_id: `${marker}-1`, role: 'assistant', timestamp: at(2), model: 'claude-sonnet-4-5', content: [{type: 'text', text: 'I will list the helpers first.'}, {type: 'tool_use', tool_use_id: `toolu_${marker}`, name: 'Bash', input: {command: 'ls src/helpers'}}]},
		{msg_id: `${marker}-3`, parent_msg_id: `${marker}-2`, role: 'tool', timestamp: at(3), content: [{type: 'tool_result', tool_use_id: `toolu_${marker}`, content: `format-date.ts\nparse-${marker}.ts`}]},
		{msg_id: `${marker}-4`, parent_msg_id: `${marker}-3`, role: 'assistant', timestamp: at(4), model: 'claude-sonnet-4-5', content: [{type: 'text', text: `format-date.ts calls toISOString without the offset; the fix goes there (${marker}-finding).`}]},
	];
	return {
		manifest: {sfs_version: '0.1.0', session_id: id, title: `Date helper ${marker}`, created_at: at(0), updated_at: at(4), source: {tool: 'claude-code'}, model: {model_id: 'claude-sonnet-4-5', provider: 'anthropic'}, metadata: {cwd}},
		messages,
	};
}

type Machine = {env: Record<string, string>; run(...args: string[]): Promise<{stdout: string; stderr: string; exitCode: number}>};

function sfsOn(env: Record<string, string>, cwd: string): Machine {
	return {
		env,
		async run(...args) {
			const result = await execa(process.execPath, [cliPath, ...args], {env, cwd, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000});
			return {stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1};
		},
	};
}

function json<T>(result: {stdout: string; stderr: string; exitCode: number}): T {
	expect(result.exitCode, result.stderr).toBe(0);
	return JSON.parse(result.stdout) as T;
}

/** Machine A: its own HOME and sfs store, holding the session to hand over in a git checkout. */
async function sender(name: string, id: string, marker: string): Promise<Machine & {repo: string}> {
	const home = path.join(root, name, 'home');
	fs.mkdirSync(home, {recursive: true});
	const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, SFS_HOME: path.join(root, name, 'sfs'), XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), CLAUDE_CONFIG_DIR: path.join(home, '.claude'), NO_COLOR: '1'};
	const repo = await createGitRepo(path.join(root, name, 'work', 'app'), {'src/helpers/format-date.ts': 'export const f = 1;\n', 'src/helpers/wip.ts': `// ${marker}\n`});
	new Store(env).createSession(handedSession(id, repo, marker));
	return {...sfsOn(env, repo), repo};
}

/** Machine B: a Claude Code home seeded for offline runs against the endpoint, its own checkout and sfs store. */
async function receiver(name: string): Promise<Machine & {home: ToolHome; repo: string}> {
	const repo = await createGitRepo(path.join(root, name, 'work', 'app'), {'src/helpers/format-date.ts': 'export const f = 1;\n'});
	const home = await createToolHome('claude-code', {endpointUrl: endpoint.url, root: path.join(root, name), trustedDirs: [repo]});
	return {...sfsOn({...home.env, SFS_HOME: path.join(root, name, 'sfs')}, repo), home, repo};
}

/** B resumes the session into claude-code with sfs, then the real claude continues it; returns the conversation it sent. */
async function resumeInRealClaude(b: Machine & {home: ToolHome; repo: string}, sessionId: string) {
	const plan = json<{target: string; native_id: string; native_path: string; cwd: string}>(await b.run('resume', sessionId, '--in', 'claude-code', '--no-launch', '--json', '--cwd', b.repo));
	expect(plan.target).toBe('claude-code');
	expect(plan.cwd).toBe(b.repo);
	expect(plan.native_path.startsWith(b.home.nativeRoot)).toBe(true);
	expect(fs.existsSync(plan.native_path)).toBe(true);
	endpoint.setScript([{match: 'sfs-resume-check', text: RESUME_REPLY}]);
	endpoint.clearRequests();
	const run = await resumeTool('claude-code', {home: b.home, cwd: b.repo, id: plan.native_id, prompt: RESUME_PROMPT, timeoutMs: 120_000});
	const context = `claude exit ${run.exitCode}\nstdout: ${run.stdout.slice(0, 600)}\nstderr: ${run.stderr.slice(0, 600)}`;
	expect(run.exitCode, context).toBe(0);
	expect(run.stdout, context).toContain(RESUME_REPLY);
	const request = endpoint.conversationRequests().findLast(candidate => flattenConversation(candidate.protocol, candidate.body).some(entry => entry.role === 'user' && entry.text.includes('sfs-resume-check')));
	expect(request, `no request carried the new prompt\n${context}`).toBeDefined();
	return flattenConversation(request!.protocol, request!.body);
}

function expectHandedConversation(entries: ReturnType<typeof flattenConversation>, session: Session) {
	const expectations = expectationsFromSession(session);
	// Both user and assistant texts, the shell command and its output.
	expect(expectations.map(expectation => expectation.what.split(' ')[0])).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant']);
	expect(missingInOrder(entries, expectations)).toEqual([]);
	const promptAt = entries.findLastIndex(entry => entry.role === 'user' && entry.text.includes(RESUME_PROMPT));
	const historyAt = entries.findIndex(entry => entry.text.includes((session.messages[0]!.content[0] as {text: string}).text));
	expect(historyAt).toBeGreaterThanOrEqual(0);
	expect(promptAt).toBeGreaterThan(historyAt);
}

describe('a handoff resumed in the real claude on the receiving machine', () => {
	test('through the server: handoff → pull-handoff → sfs resume --in claude-code → claude sends the handed-over conversation', async () => {
		const id = 'ses_0000000000000ha1';
		const a = await sender('server-a', id, 'hsrv');
		const b = await receiver('server-b');
		const signup = async (m: Machine, email: string) => {
			const result = await execa(process.execPath, [cliPath, 'auth', 'signup', '--url', running.url, '--email', email, '--password-stdin'], {env: m.env, extendEnv: false, reject: false, input: `${email}-pw-123456\n`});
			expect(result.exitCode, String(result.stderr)).toBe(0);
		};

		await signup(a, 'ana@example.com');
		const created = json<{handoff_id: string; url: string; expires_at: string}>(await a.run('handoff', id, '--to', 'ben@example.com', '--message', 'timezone bug, half found', '--json'));
		expect(created.handoff_id).toMatch(/^hnd_[0-9a-f]{16}$/);

		// B is another machine: A's checkout is not there.
		const elsewhere = `${a.repo}-on-machine-a`;
		fs.renameSync(a.repo, elsewhere);
		await signup(b, 'ben@example.com');
		const pulled = json<{session_id: string; created: boolean; message_count: number; handoff: {from: string; message: string}; folder: string; differences: string[]}>(
			await b.run('pull-handoff', created.handoff_id, '--json'),
		);
		expect(pulled).toMatchObject({session_id: id, created: true, message_count: 4, handoff: {from: 'ana@example.com', message: 'timezone bug, half found'}});
		// B's checkout (the current folder of pull-handoff) stands in for A's, one commit apart: pull-handoff says so.
		const commit = async (repo: string) => (await execa('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
		expect(pulled.folder).toBe(b.repo);
		expect(pulled.differences).toEqual([`folder: ${a.repo} does not exist here; compared with ${b.repo}`, `git commit: sender ${await commit(elsewhere)}, here ${await commit(b.repo)}`]);

		const entries = await resumeInRealClaude(b, id);
		expectHandedConversation(entries, handedSession(id, a.repo, 'hsrv'));
	}, 300_000);

	test('through a signed bundle: handoff --bundle → import → sfs resume --in claude-code → claude sends the handed-over conversation', async () => {
		const id = 'ses_0000000000000hb1';
		const a = await sender('bundle-a', id, 'hbnd');
		const b = await receiver('bundle-b');
		const file = path.join(root, 'bundle-b', 'from-ana.sfs-bundle');
		const made = json<{fingerprint: string}>(await a.run('handoff', id, '--bundle', file, '--from', 'ana@example.com', '--message', 'offline copy', '--json'));
		const taken = json<{imported: string[]; signer: {fingerprint: string; trust: string; email: string}; message: string}>(await b.run('import', file, '--json'));
		expect(taken).toMatchObject({imported: [id], message: 'offline copy', signer: {fingerprint: made.fingerprint, trust: 'first-seen', email: 'ana@example.com'}});

		const entries = await resumeInRealClaude(b, id);
		expectHandedConversation(entries, handedSession(id, a.repo, 'hbnd'));
	}, 300_000);
});
