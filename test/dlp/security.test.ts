import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {npmAudit, securityScan} from '../../source/engine/dlp/security-scan.js';
import {parseJson, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';
import * as gen from './corpus.js';

const temps: string[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function home() {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-security-'));
	temps.push(root);
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH,
		HOME: path.join(root, 'home'),
		XDG_DATA_HOME: path.join(root, 'home', '.local', 'share'),
		XDG_CONFIG_HOME: path.join(root, 'home', '.config'),
		CODEX_HOME: path.join(root, 'home', '.codex'),
		CLAUDE_CONFIG_DIR: path.join(root, 'home', '.claude'),
	};
	const data = path.join(env.XDG_DATA_HOME!, 'sfs');
	const config = path.join(env.XDG_CONFIG_HOME!, 'sfs');
	fs.mkdirSync(path.join(data, 'sessions', 's1'), {recursive: true, mode: 0o700});
	fs.mkdirSync(config, {recursive: true, mode: 0o700});
	fs.chmodSync(data, 0o700);
	fs.chmodSync(path.join(data, 'sessions'), 0o700);
	fs.chmodSync(path.join(data, 'sessions', 's1'), 0o700);
	fs.writeFileSync(path.join(data, 'sessions', 's1', 'messages.jsonl'), '{}\n', {mode: 0o600});
	fs.writeFileSync(path.join(config, 'config.json'), '{}\n', {mode: 0o600});
	return {root, env, data, config};
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const issuesOf = (report: Awaited<ReturnType<typeof securityScan>>, id: string) => report.checks.find(check => check.id === id)!;

describe('security scan', () => {
	test('a private setup passes every local check', async () => {
		const {env} = home();
		const report = await securityScan({env, audit: false});
		expect(report.checks.map(check => [check.id, check.status])).toEqual([
			['permissions', 'pass'],
			['config-secrets', 'pass'],
			['socket', 'pass'],
			['npm-audit', 'could-not-run'],
		]);
		expect(report.ok).toBe(true);
		expect(report.complete).toBe(false);
	});

	test('loose modes are found and fix tightens them to 0700/0600', async () => {
		const {env, data} = home();
		const file = path.join(data, 'sessions', 's1', 'messages.jsonl');
		fs.chmodSync(path.join(data, 'sessions'), 0o755);
		fs.chmodSync(file, 0o644);
		const report = await securityScan({env, audit: false});
		const permissions = issuesOf(report, 'permissions');
		expect(permissions.status).toBe('fail');
		expect(permissions.issues.map(issue => [issue.path, issue.fix])).toEqual([
			[path.join(data, 'sessions'), 'chmod 0700'],
			[file, 'chmod 0600'],
		]);
		expect(report.ok).toBe(false);
		const fixed = await securityScan({env, audit: false, fix: true});
		expect(issuesOf(fixed, 'permissions').issues.every(issue => issue.fixed)).toBe(true);
		expect(issuesOf(fixed, 'permissions').status).toBe('pass');
		expect(mode(path.join(data, 'sessions'))).toBe(0o700);
		expect(mode(file)).toBe(0o600);
		expect((await securityScan({env, audit: false})).ok).toBe(true);
	});

	test('a token in a config file readable by others is found (sfs config and a tool auth file), and fixed', async () => {
		const {env, config} = home();
		gen.reseed(99);
		const configFile = path.join(config, 'config.json');
		fs.writeFileSync(configFile, JSON.stringify({llm: {api_key: `sk-ant-api03-${gen.random(gen.URLSAFE, 93)}AA`}}));
		fs.chmodSync(configFile, 0o644);
		fs.mkdirSync(env.CODEX_HOME!, {recursive: true});
		const auth = path.join(env.CODEX_HOME!, 'auth.json');
		fs.writeFileSync(auth, '{"tokens": {"id_token": "opaque"}}', {mode: 0o644});
		fs.chmodSync(auth, 0o644);
		const report = await securityScan({env, audit: false});
		const secrets = issuesOf(report, 'config-secrets');
		expect(secrets.status).toBe('fail');
		expect(secrets.issues.map(issue => issue.path)).toEqual([configFile, auth]);
		expect(secrets.issues[0]!.problem).toBe('holds 1 secret(s) (anthropic-key) and is readable by other users (mode 0644)');
		expect(JSON.stringify(report)).not.toContain('sk-ant-api03-');
		await securityScan({env, audit: false, fix: true});
		expect(mode(configFile)).toBe(0o600);
		expect(mode(auth)).toBe(0o600);
		expect(issuesOf(await securityScan({env, audit: false}), 'config-secrets').status).toBe('pass');
	});

	test('a daemon socket other users can reach is found and closed', async () => {
		const {env, data} = home();
		const run = path.join(data, 'run');
		fs.mkdirSync(run, {mode: 0o755});
		fs.chmodSync(run, 0o755);
		fs.chmodSync(data, 0o755);
		const socket = path.join(run, 'daemon.sock');
		const server = net.createServer();
		await new Promise<void>(resolve => server.listen(socket, resolve));
		cleanups.push(() => server.close());
		fs.chmodSync(socket, 0o777);
		const report = await securityScan({env, audit: false});
		expect(issuesOf(report, 'socket').issues.map(issue => issue.path)).toEqual([socket]);
		await securityScan({env, audit: false, fix: true});
		expect(mode(socket)).toBe(0o600);
		expect(mode(run)).toBe(0o700);
		expect(issuesOf(await securityScan({env, audit: false}), 'socket').status).toBe('pass');
	});
});

describe('npm audit', () => {
	function fakeNpm(script: string): NodeJS.ProcessEnv {
		const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-fake-npm-'));
		temps.push(bin);
		fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\n${script}\n`, {mode: 0o755});
		return {PATH: `${bin}:/usr/bin:/bin`};
	}

	test('vulnerabilities make the check fail, each listed', async () => {
		const report = JSON.stringify({
			vulnerabilities: {tar: {severity: 'high', fixAvailable: true}},
			metadata: {vulnerabilities: {info: 0, low: 0, moderate: 0, high: 1, critical: 0, total: 1}},
		});
		const result = await npmAudit(fakeNpm(`echo '${report}'; exit 1`), {cwd: os.tmpdir()});
		expect(result.status).toBe('fail');
		expect(result.detail).toBe('1 vulnerability (critical 0, high 1, moderate 0, low 0)');
		expect(result.issues[0]).toMatchObject({path: 'tar', problem: 'high severity vulnerability in tar'});
	});

	test('a clean report passes', async () => {
		const report = JSON.stringify({vulnerabilities: {}, metadata: {vulnerabilities: {info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0}}});
		expect((await npmAudit(fakeNpm(`echo '${report}'`), {cwd: os.tmpdir()})).status).toBe('pass');
	});

	test.each([
		['offline (npm reports an error object)', `echo '{"error": {"code": "ENOTFOUND", "summary": "request to https://registry.npmjs.org failed"}}'; exit 1`],
		['no JSON at all', 'echo "npm ERR! network" >&2; exit 1'],
	])('%s: could not run, never a pass', async (_name, script) => {
		const result = await npmAudit(fakeNpm(script), {cwd: os.tmpdir()});
		expect(result.status).toBe('could-not-run');
	});

	test('without npm on PATH: could not run', async () => {
		const result = await npmAudit({PATH: '/nonexistent'}, {cwd: os.tmpdir()});
		expect(result).toMatchObject({status: 'could-not-run', detail: 'npm is not on PATH'});
	});

	test('the real npm against an unreachable registry: could not run', async () => {
		const result = await npmAudit({...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '2000'}, {timeoutMs: 60_000});
		expect(result.status).toBe('could-not-run');
	}, 90_000);
});

describe('sfs security through the built binary', () => {
	let box: Sandbox;
	afterEach(() => box?.cleanup());

	test('scan --json, exit 1 on a loose file, fix repairs, scan passes', async () => {
		box = sandbox();
		expect((await sfs(box, ['list'])).exitCode).toBe(0);
		const loose = path.join(box.sfsHome, 'index.db');
		fs.chmodSync(loose, 0o644);
		const scan = await sfs(box, ['security', 'scan', '--json', '--no-audit']);
		expect(scan.exitCode).toBe(1);
		const report = parseJson<{checks: Array<{id: string; status: string; issues: Array<{path: string}>}>}>(scan);
		expect(report.checks.find(check => check.id === 'permissions')!.issues.map(issue => issue.path)).toContain(loose);
		const fix = await sfs(box, ['security', 'fix', '--no-audit']);
		expect(fix.exitCode, fix.stdout).toBe(0);
		expect(fix.stdout).toContain('(fixed)');
		expect(mode(loose)).toBe(0o600);
		const again = await sfs(box, ['security', 'scan', '--no-audit']);
		expect(again.exitCode).toBe(0);
		expect(again.stdout).toMatch(/could not run\s+npm audit/);
	});
});
