/**
 * After `sfs resume --in <target>` and a real turn in the target, capturing again links the new native
 * session to its origin, and the copied history is found once by search (in the origin).
 * Also: --trim keeps the newest turns with a summary first, and --tmux opens the tool in a new window.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test, vi} from 'vitest';
import {loadWriter} from '../../source/adapters/writers.js';
import {trimSession} from '../../source/engine/resume.js';
import type {Message} from '../../source/engine/types.js';
import {type ModelEndpoint, startModelEndpoint} from '../support/model-endpoint.js';
import {cliBinaryPath, createGitRepo, createToolHome, ensureClis, nativeRootOf} from '../support/real-clis.js';

const cli = path.resolve('dist/cli.js');
let endpoint: ModelEndpoint;
let root: string;

beforeAll(async () => {
	await ensureClis(['codex']);
	endpoint = await startModelEndpoint({defaultText: 'Continuing here.'});
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-recapture-'));
}, 600_000);

afterAll(async () => {
	await endpoint?.close();
	fs.rmSync(root, {recursive: true, force: true});
});

test('a resumed session captured again is linked to its origin and its copied history is not found twice', async () => {
	const cwd = await createGitRepo(path.join(root, 'work', 'demo-repo'), {'README.md': '# demo\n', 'notes.txt': 'alpha\nbeta\n'});
	const home = await createToolHome('codex', {endpointUrl: endpoint.url, root: path.join(root, 'machine'), trustedDirs: [cwd]});
	fs.cpSync('test/fixtures/recorded/claude-code', nativeRootOf('claude-code', home.home), {recursive: true});
	const env = {...home.env, SFS_HOME: path.join(root, 'sfs'), NO_COLOR: '1'};
	const sfs = async (...args: string[]) => execa(process.execPath, [cli, ...args], {env, extendEnv: false, reject: false});

	expect((await sfs('capture', '--quiet')).exitCode).toBe(0);
	const [origin] = JSON.parse((await sfs('list', '--json', '--tool', 'claude-code')).stdout) as Array<{session_id: string}>;
	const before = JSON.parse((await sfs('search', 'sfs-fixture-turn-1', '--json')).stdout) as Array<{session_id: string}>;
	expect(new Set(before.map(hit => hit.session_id))).toEqual(new Set([origin!.session_id]));

	const resumed = await sfs('resume', origin!.session_id, '--in', 'codex', '--no-launch', '--json', '--cwd', cwd);
	expect(resumed.exitCode, resumed.stderr).toBe(0);
	const plan = JSON.parse(resumed.stdout) as {native_id: string};
	const argv = (await loadWriter('codex')).headlessResumeCommand(plan.native_id, 'One more thing: sfs-recapture-check', {});
	const run = await execa(cliBinaryPath('codex'), argv.slice(1), {cwd, env: home.env, extendEnv: false, stdin: 'ignore', reject: false, timeout: 120_000});
	expect(run.exitCode, String(run.stderr).slice(-500)).toBe(0);

	expect((await sfs('capture', '--quiet')).exitCode).toBe(0);
	const codexRows = JSON.parse((await sfs('list', '--json', '--tool', 'codex')).stdout) as Array<{session_id: string; native_id: string; parent_session_id: string | null}>;
	const copy = codexRows.find(row => row.native_id === plan.native_id);
	expect(copy?.parent_session_id).toBe(origin!.session_id);
	const after = JSON.parse((await sfs('search', 'sfs-fixture-turn-1', '--json')).stdout) as Array<{session_id: string}>;
	expect(after.length).toBe(before.length);
	const fresh = JSON.parse((await sfs('search', 'sfs-recapture-check', '--json')).stdout) as Array<{session_id: string}>;
	expect(fresh.map(hit => hit.session_id)).toContain(copy!.session_id);
}, 300_000);

describe('--trim', () => {
	const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
	const turn = (n: number): Message[] => [
		{msg_id: `u${n}`, role: 'user', timestamp: at(n * 3), content: [{type: 'text', text: `question ${n}`}]},
		{msg_id: `a${n}`, role: 'assistant', timestamp: at(n * 3 + 1), content: [{type: 'tool_use', tool_use_id: `t${n}`, name: 'Bash', input: {command: 'ls'}}]},
		{msg_id: `r${n}`, role: 'tool', timestamp: at(n * 3 + 2), content: [{type: 'tool_result', tool_use_id: `t${n}`, content: 'ok'}]},
	];
	const messages = [1, 2, 3, 4].flatMap(turn);

	test('keeps the newest N user turns whole, with a summary of the rest first', () => {
		const {messages: kept, turnsTrimmed} = trimSession(messages, 2, Number.POSITIVE_INFINITY);
		expect(turnsTrimmed).toBe(2);
		expect(kept.map(message => message.msg_id)).toEqual([expect.stringMatching(/^sfs-trim-summary-/), 'u3', 'a3', 'r3', 'u4', 'a4', 'r4']);
		const summary = kept[0]!.content[0] as {type: string; text: string};
		expect(summary.type).toBe('summary');
		expect(summary.text).toContain('question 1');
		expect(summary.text).toContain('2 earlier turn(s)');
	});

	test('without N, trims the oldest turns only as far as the budget needs; nothing when it fits', () => {
		expect(trimSession(messages, undefined, 1_000_000).turnsTrimmed).toBe(0);
		const size = JSON.stringify(messages.slice(9).map(message => message.content)).length;
		expect(trimSession(messages, undefined, size + 10).turnsTrimmed).toBe(3);
	});

	test('sfs resume --trim reports the trimmed turns', async () => {
		const home = path.join(root, 'trim-home');
		fs.cpSync('test/fixtures/recorded/claude-code', path.join(home, '.claude'), {recursive: true});
		const env = {PATH: process.env.PATH, HOME: home, SFS_HOME: path.join(root, 'trim-sfs'), NO_COLOR: '1'};
		await execa(process.execPath, [cli, 'capture', '--quiet'], {env, extendEnv: false});
		const [row] = JSON.parse((await execa(process.execPath, [cli, 'list', '--json'], {env, extendEnv: false})).stdout) as Array<{session_id: string}>;
		const work = fs.mkdtempSync(path.join(root, 'trim-cwd-'));
		const result = await execa(process.execPath, [cli, 'resume', row!.session_id, '--in', 'codex', '--trim', '1', '--no-launch', '--json', '--cwd', work], {env, extendEnv: false, reject: false});
		expect(result.exitCode, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout).report.turns_trimmed).toBe(1);
	});
});

const hasTmux = (() => {
	try {
		execFileSync('tmux', ['-V']);
		return true;
	} catch {
		return false;
	}
})();

test.skipIf(!hasTmux)('--tmux window opens the tool in a new tmux window and returns at once', async () => {
	const home = path.join(root, 'tmux-home');
	fs.cpSync('test/fixtures/recorded/claude-code', path.join(home, '.claude'), {recursive: true});
	const bin = path.join(root, 'fake-bin');
	fs.mkdirSync(bin, {recursive: true});
	// A stand-in `codex` so the window's command is observable; the real one is proven above.
	fs.writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\necho "fake codex $*"; sleep 30\n', {mode: 0o755});
	const env = {PATH: `${bin}:${process.env.PATH}`, HOME: home, SFS_HOME: path.join(root, 'tmux-sfs'), NO_COLOR: '1'};
	await execa(process.execPath, [cli, 'capture', '--quiet'], {env, extendEnv: false});
	const [row] = JSON.parse((await execa(process.execPath, [cli, 'list', '--json'], {env, extendEnv: false})).stdout) as Array<{session_id: string}>;
	const work = fs.mkdtempSync(path.join(root, 'tmux-cwd-'));
	const session = `sfs-resume-tmux-${process.pid}`;
	const script = path.join(root, 'run.sh');
	const exports = Object.entries(env).map(([name, value]) => `export ${name}='${value}'`).join('\n');
	fs.writeFileSync(script, `${exports}\n'${process.execPath}' '${cli}' resume ${row!.session_id} --in codex --cwd '${work}' --tmux window; echo "sfs exit $?"; sleep 30\n`);
	execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', `bash ${script}`]);
	try {
		await vi.waitFor(
			() => {
				const windows = execFileSync('tmux', ['list-windows', '-t', session, '-F', '#{window_index} #{pane_current_path}'], {encoding: 'utf8'}).trim().split('\n');
				expect(windows.length).toBe(2);
				expect(windows[1]).toContain(work);
				expect(execFileSync('tmux', ['capture-pane', '-p', '-t', `${session}:1`], {encoding: 'utf8'})).toMatch(/fake codex resume/);
				expect(execFileSync('tmux', ['capture-pane', '-p', '-t', `${session}:0`], {encoding: 'utf8'})).toContain('sfs exit 0');
			},
			{timeout: 20_000, interval: 250},
		);
	} finally {
		execFileSync('tmux', ['kill-session', '-t', session]);
	}
}, 60_000);

test('the Claude Code transcript fallback reaches the real claude through --append-system-prompt-file', async () => {
	await ensureClis(['claude-code']);
	const cwd = await createGitRepo(path.join(root, 'transcript', 'demo-repo'), {'README.md': '# demo\n'});
	const home = await createToolHome('claude-code', {endpointUrl: endpoint.url, root: path.join(root, 'transcript-machine'), trustedDirs: [cwd]});
	fs.cpSync('test/fixtures/recorded/codex/sessions', path.join(home.home, '.codex', 'sessions'), {recursive: true});
	const env = {...home.env, SFS_HOME: path.join(root, 'transcript-sfs'), NO_COLOR: '1'};
	const sfs = async (...args: string[]) => execa(process.execPath, [cli, ...args], {env, extendEnv: false, reject: false});
	await sfs('capture', '--quiet');
	const [row] = JSON.parse((await sfs('list', '--json', '--tool', 'codex')).stdout) as Array<{session_id: string}>;
	const planned = await sfs('resume', row!.session_id, '--in', 'claude-code', '--transcript', '--no-launch', '--json', '--cwd', cwd);
	expect(planned.exitCode, planned.stderr).toBe(0);
	const plan = JSON.parse(planned.stdout) as {command: string[]; native_path: string; report: {messages_converted: number}};
	expect(plan.command.slice(0, 2)).toEqual(['claude', '--append-system-prompt-file']);
	expect(plan.report.messages_converted).toBeGreaterThan(0);
	endpoint.clearRequests();
	const run = await execa(cliBinaryPath('claude-code'), [...plan.command.slice(1), '-p', 'Continue. sfs-transcript-check'], {cwd, env: home.env, extendEnv: false, stdin: 'ignore', reject: false, timeout: 120_000});
	expect(run.exitCode, String(run.stderr).slice(-400)).toBe(0);
	const request = endpoint.requests.find(candidate => JSON.stringify(candidate.body ?? '').includes('sfs-transcript-check'));
	expect(request, 'claude sent the new prompt').toBeDefined();
	expect(JSON.stringify((request!.body as {system?: unknown}).system)).toContain('sfs-fixture-turn-1');
}, 180_000);
