import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import {decide, enforce, gate, gateSession, gateText} from '../../source/engine/dlp/gate.js';
import {projectRoot, resolvePolicy, setPolicy, storedPolicies} from '../../source/engine/dlp/policy.js';
import type {Session} from '../../source/engine/types.js';
import * as gen from './corpus.js';

gen.reseed(42);
const AWS = `AKIA${gen.random(gen.UPPER_B32, 16)}`;
const GHP = `ghp_${gen.random(gen.ALNUM, 36)}`;
const EMAIL = 'li.wei@posteo.de';
const TEXT = `key ${AWS}, token ${GHP}, mail ${EMAIL}`;

const temps: string[] = [];
function tempEnv(): NodeJS.ProcessEnv {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-dlp-gate-'));
	temps.push(root);
	return {HOME: root, SFS_HOME: path.join(root, 'sfs')};
}

afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function session(cwd: string | undefined, text = TEXT): Session {
	return {
		manifest: {sfs_version: '0.1.0', session_id: 's-1', created_at: '2026-01-01T00:00:00Z', source: {tool: 'codex'}, metadata: cwd ? {cwd} : {}},
		messages: [{msg_id: 'm-1', role: 'user', timestamp: '2026-01-01T00:00:00Z', content: [{type: 'text', text}]}],
	};
}

describe('policy', () => {
	test('defaults: block secrets, warn on personal data', () => {
		const env = tempEnv();
		expect(resolvePolicy('/anywhere', env)).toMatchObject({secrets: 'block', personal: 'warn', project: null, sources: {secrets: 'default', personal: 'default'}});
	});

	test('global and per-project settings; the longest project root wins; stored in config.json', () => {
		const env = tempEnv();
		setPolicy('secrets', 'redact', null, env);
		setPolicy('personal', 'block', '/work/app', env);
		setPolicy('secrets', 'warn', '/work/app/sub', env);
		expect(resolvePolicy('/elsewhere', env)).toMatchObject({secrets: 'redact', personal: 'warn', sources: {secrets: 'global', personal: 'default'}});
		expect(resolvePolicy('/work/app/src', env)).toMatchObject({secrets: 'redact', personal: 'block', project: '/work/app'});
		expect(resolvePolicy('/work/app/sub/x', env)).toMatchObject({secrets: 'warn', personal: 'warn', project: '/work/app/sub'});
		expect(resolvePolicy('/work/application', env).project).toBeNull();
		const config = JSON.parse(fs.readFileSync(path.join(env.SFS_HOME!, 'config.json'), 'utf8')) as {dlp: unknown};
		expect(config.dlp).toEqual({secrets: 'redact', projects: {'/work/app': {personal: 'block'}, '/work/app/sub': {secrets: 'warn'}}});
		expect(storedPolicies(env).projects['/work/app']).toEqual({personal: 'block'});
	});

	test('an unknown action is a usage error', () => {
		expect(() => setPolicy('secrets', 'allow', null, tempEnv())).toThrow(/not an action/);
	});

	test('the project of a directory is its git root', () => {
		const env = tempEnv();
		const repo = path.join(env.HOME!, 'repo');
		fs.mkdirSync(path.join(repo, '.git'), {recursive: true});
		fs.mkdirSync(path.join(repo, 'src', 'deep'), {recursive: true});
		expect(projectRoot(path.join(repo, 'src', 'deep'))).toBe(repo);
	});
});

describe('decide', () => {
	const findings = gateText(TEXT, {egress: 'export', policy: {secrets: 'warn', personal: 'warn'}}).findings;

	test('block when a kind with findings is blocked; the message counts, never quotes', () => {
		const outcome = decide(findings, {egress: 'export', what: 'session s-1', policy: {secrets: 'block', personal: 'warn'}});
		expect(outcome.action).toBe('block');
		expect(outcome.message).toBe('export blocked: session s-1 contains 2 secret(s) (aws-access-key ×1, github-token ×1)');
	});

	test('redact secrets, warn on personal data', () => {
		const outcome = decide(findings, {egress: 'export', what: 'x', policy: {secrets: 'redact', personal: 'warn'}});
		expect(outcome.action).toBe('redact');
		expect(outcome.redacted).toEqual(['secret']);
		expect(outcome.notices).toEqual(['dlp: redacted 2 secret(s) in x (aws-access-key ×1, github-token ×1)', 'dlp: x went out with 1 personal data item(s) (email ×1; policy: warn)']);
	});

	test('personal data can be blocked while secrets are redacted', () => {
		expect(decide(findings, {egress: 'export', policy: {secrets: 'redact', personal: 'block'}}).action).toBe('block');
	});

	test('--allow-secrets lets everything out, loudly', () => {
		const outcome = decide(findings, {egress: 'export', what: 'x', allowSecrets: true, policy: {secrets: 'block', personal: 'block'}});
		expect(outcome.action).toBe('warn');
		expect(outcome.notices[0]).toMatch(/^--allow-secrets: x goes out UNREDACTED with 2 secret\(s\) and 1 personal data item\(s\)/);
	});

	test('nothing found: pass', () => {
		expect(decide([], {egress: 'export', policy: {secrets: 'block', personal: 'block'}}).action).toBe('pass');
	});
});

describe('gateText (what MCP calls)', () => {
	test('block: no text goes out, findings and a message say why', () => {
		const outcome = gateText(TEXT, {egress: 'mcp', tool: 'search', policy: {secrets: 'block', personal: 'warn'}});
		expect(outcome.action).toBe('block');
		expect(outcome.text).toBe('');
		expect(outcome.message).toMatch(/^mcp blocked: mcp search contains 2 secret\(s\)/);
		expect(JSON.stringify(outcome.findings)).not.toContain(AWS);
	});

	test('redact: typed placeholders, personal data kept under warn', () => {
		const outcome = gateText(TEXT, {egress: 'mcp', tool: 'search', policy: {secrets: 'redact', personal: 'warn'}});
		expect(outcome.text).toBe(`key [REDACTED:aws-access-key], token [REDACTED:github-token], mail ${EMAIL}`);
	});

	test('redact both kinds', () => {
		const outcome = gateText(TEXT, {egress: 'mcp', policy: {secrets: 'redact', personal: 'redact'}});
		expect(outcome.text).toBe('key [REDACTED:aws-access-key], token [REDACTED:github-token], mail [REDACTED:email]');
	});

	test('clean text passes unchanged', () => {
		expect(gateText('nothing to see', {egress: 'mcp', policy: {secrets: 'block', personal: 'block'}})).toMatchObject({action: 'pass', text: 'nothing to see', findings: []});
	});

	test('without a fixed policy the configured one of the cwd applies', () => {
		const env = tempEnv();
		setPolicy('secrets', 'redact', '/srv/app', env);
		expect(gateText(TEXT, {egress: 'mcp', cwd: '/srv/app', env}).action).toBe('redact');
		expect(gateText(TEXT, {egress: 'mcp', cwd: '/srv/other', env}).action).toBe('block');
	});
});

describe('gateSession and enforce', () => {
	test('the session policy comes from its cwd; the original is never changed', () => {
		const env = tempEnv();
		setPolicy('secrets', 'redact', '/srv/app', env);
		const original = session('/srv/app/web');
		const before = JSON.stringify(original);
		const outcome = gateSession(original, {egress: 'export', env});
		expect(outcome.action).toBe('redact');
		expect(JSON.stringify(original)).toBe(before);
		expect(JSON.stringify(outcome.session)).not.toContain(AWS);
		expect(JSON.stringify(outcome.session)).toContain('[REDACTED:github-token]');
	});

	test('enforce throws BLOCKED (exit 1) with one masked line per blocked finding', () => {
		const outcome = gateSession(session(undefined), {egress: 'export', env: tempEnv()});
		let error: unknown;
		try {
			enforce(outcome, () => {});
		} catch (caught) {
			error = caught;
		}

		expect(error).toBeInstanceOf(SfsError);
		const blocked = error as SfsError;
		expect(blocked.code).toBe('BLOCKED');
		expect(blocked.hint).toMatch(/sfs dlp policy set secrets redact.*--allow-secrets/);
		expect(blocked.details).toHaveLength(2);
		expect(blocked.details![0]).toMatch(/^secret aws-access-key msg m-1: key AKIA\*+, token \[REDACTED:github-token\]/);
		expect(JSON.stringify(blocked)).not.toContain(AWS.slice(4));
	});

	test("a block's hint names the policy that blocked: the session's own project, or the global one", () => {
		const env = tempEnv();
		const project = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-dlp-project-'));
		temps.push(project);
		fs.mkdirSync(path.join(project, '.git'));
		const hintFor = (cwd: string | undefined) => {
			try {
				enforce(gateSession(session(cwd), {egress: 'push', env}), () => {});
			} catch (error) {
				return (error as SfsError).hint;
			}

			throw new Error('not blocked');
		};

		// Run from elsewhere (the test's cwd), a plain "policy set" would change this directory's project, not the session's.
		expect(hintFor(path.join(project, 'web'))).toMatch(new RegExp(`^redact instead: sfs dlp policy set secrets redact --project ${project}, or send`));
		expect(hintFor(undefined)).toMatch(/^redact instead: sfs dlp policy set secrets redact --global, or send/);
		expect(hintFor(process.cwd())).toMatch(/^redact instead: sfs dlp policy set secrets redact, or send/);

		// Following the hint is what lets the session out.
		setPolicy('secrets', 'redact', project, env);
		expect(gateSession(session(path.join(project, 'web')), {egress: 'push', env}).action).toBe('redact');
	});

	test('gate() takes text or a session', () => {
		const policy = {secrets: 'redact', personal: 'warn'} as const;
		expect(gate(TEXT, {egress: 'handoff', policy}).text).toContain('[REDACTED:aws-access-key]');
		expect(JSON.stringify(gate(session(undefined), {egress: 'push', policy}).session)).toContain('[REDACTED:github-token]');
	});

	test('a personal-data block names the personal policy in its hint', () => {
		const outcome = gateSession(session(undefined, `mail ${EMAIL}`), {egress: 'export', policy: {secrets: 'block', personal: 'block'}});
		expect(() => enforce(outcome, () => {})).toThrow(SfsError);
		try {
			enforce(outcome, () => {});
		} catch (error) {
			expect((error as SfsError).hint).toMatch(/^redact instead: sfs dlp policy set personal redact/);
			expect((error as SfsError).details).toEqual([expect.stringMatching(/^personal email msg m-1: mail \*+$/)]);
		}
	});

	test('enforce passes notices on when not blocked', () => {
		const lines: string[] = [];
		enforce(gateSession(session(undefined), {egress: 'export', policy: {secrets: 'warn', personal: 'warn'}}), line => lines.push(line));
		expect(lines).toHaveLength(2);
	});
});
