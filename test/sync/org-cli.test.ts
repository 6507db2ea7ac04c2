/**
 * The built `sfs` against a real server (in-process on 127.0.0.1, each backend), three sandboxes as
 * three people: sfs org (create, invite, seats refused in one line, join, show, list, remove; seats
 * and role changed by admins only), push --org and a teammate's list-remote/pull, a non-member refused
 * like a missing session; sfs rules and sfs project push|pull with a refused pull; sfs auth verify
 * with a real SMTP sink.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sfs, specExamples} from '../cli/run-sfs.js';
import {cleanupsPerTest} from '../support/cleanups.js';
import {smtpSink} from './email-smtp-sink.js';
import {BACKENDS, server} from './helpers.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const {cleanups, box} = cleanupsPerTest();

async function signup(machine: Sandbox, url: string, email: string) {
	const run = await sfs(machine, ['auth', 'signup', '--url', url, '--email', email, '--password-stdin'], {input: `${email}-password\n`});
	expect(run.exitCode, run.stderr).toBe(0);
	return run;
}

async function ok(machine: Sandbox, args: string[], options: {cwd?: string; input?: string} = {}) {
	const run = await sfs(machine, args, options);
	expect(run.exitCode, `sfs ${args.join(' ')}: ${run.stderr}`).toBe(0);
	return run;
}

function gitRepo(parent: string, remote: string): string {
	const dir = path.join(parent, 'work', 'widget');
	fs.mkdirSync(dir, {recursive: true});
	execFileSync('git', ['init', '-q', dir]);
	execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', remote]);
	return dir;
}

describe.each(BACKENDS)('org, rules and project commands on $name', {timeout: 180_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('org create/invite/join with seats; push --org; a member pulls, a non-member cannot', async () => {
		const srv = await server({backend, mail: false});
		cleanups.push(() => srv.close());
		const [a, b, c] = [box(), box(), box()];
		await signup(a, srv.url, 'ana@example.com');
		await signup(b, srv.url, 'ben@example.com');
		await signup(c, srv.url, 'cy@example.com');

		expect(parseJson(await ok(a, ['org', 'create', 'acme', '--seats', '2', '--json']))).toMatchObject({name: 'acme', seats: 2, role: 'admin'});
		const invite = parseJson<{code: string; url: string}>(await ok(a, ['org', 'invite', 'ben@example.com', '--json']));
		expect(invite.code).toMatch(/^inv_[0-9a-f]{32}$/);
		const text = await ok(a, ['org', 'invite', 'ben@example.com']);
		// Inviting again replaces the pending invite (same seat); the text form prints the join line.
		const code = /sfs org join (inv_[0-9a-f]{32})/.exec(text.stdout)![1]!;
		const full = await sfs(a, ['org', 'invite', 'cy@example.com']);
		expect(full.exitCode).toBe(1);
		expectOneLineError(full, /^sfs: server: acme has no free seat \(2 seat\(s\), counting pending invites\)/);
		const stale = await sfs(b, ['org', 'join', invite.code]);
		expect(stale.exitCode).toBe(1);
		expectOneLineError(stale, /no such invite for ben@example\.com/);
		expect(parseJson(await ok(b, ['org', 'join', code, '--json']))).toEqual({org: 'acme', role: 'member', joined: true});
		expect(parseJson(await ok(b, ['org', 'list', '--json']))).toEqual([expect.objectContaining({name: 'acme', role: 'member', members: 2, seats: 2})]);
		const shown = parseJson<{seats_used: number; members: Array<{email: string; role: string}>}>(await ok(b, ['org', 'show', '--json']));
		expect(shown).toMatchObject({seats_used: 2, members: [{email: 'ana@example.com', role: 'admin'}, {email: 'ben@example.com', role: 'member'}]});
		expect((await ok(a, ['org', 'show', 'acme'])).stdout).toContain('acme  (2 of 2 seat(s) taken; you are admin)');

		await ok(a, ['import', specExamples]);
		const pushed = parseJson<{session_id: string; org: string}>(await ok(a, ['push', 'b2c3', '--org', 'acme', '--json']));
		expect(pushed).toMatchObject({session_id: COMPLETE, org: 'acme', message_count: 8});
		const seen = parseJson<Array<Record<string, unknown>>>(await ok(b, ['list-remote', '--json']));
		expect(seen).toEqual([expect.objectContaining({session_id: COMPLETE, owner: 'ana@example.com'})]);
		const table = (await ok(b, ['list-remote'])).stdout;
		expect(table).toMatch(/OWNER/);
		expect(table).toContain('ana@example.com');
		expect((await ok(a, ['list-remote'])).stdout).not.toMatch(/OWNER/);
		expect((await ok(b, ['pull', COMPLETE])).stdout).toContain(`pulled ${COMPLETE} (8 message(s), 8 new)`);
		expect(parseJson<Array<{session_id: string}>>(await ok(b, ['list', '--json'])).map(row => row.session_id)).toEqual([COMPLETE]);

		// cy is in no org: nothing listed, the pull fails like a missing session, the org does not exist for cy.
		expect(parseJson(await ok(c, ['list-remote', '--json']))).toEqual([]);
		const refused = await sfs(c, ['pull', COMPLETE]);
		expect(refused.exitCode).toBe(1);
		expectOneLineError(refused, new RegExp(`no session ${COMPLETE} on this server`));
		const foreign = await sfs(c, ['org', 'show', 'acme']);
		expect(foreign.exitCode).toBe(1);
		expectOneLineError(foreign, /no org acme of yours on this server/);
		const memberInvites = await sfs(b, ['org', 'invite', 'cy@example.com']);
		expect(memberInvites.exitCode).toBe(1);
		expectOneLineError(memberInvites, /you administer no org/);

		// Usage errors exit 2 with one line.
		for (const args of [['org'], ['org', 'create'], ['org', 'fly'], ['org', 'list', '--seats', '3'], ['org', 'create', 'x', '--role', 'boss']]) {
			const run = await sfs(a, args);
			expect({args, exit: run.exitCode}).toEqual({args, exit: 2});
			expectOneLineError(run, /^sfs: /);
		}

		expect(parseJson(await ok(a, ['org', 'remove', 'ben@example.com', '--json']))).toEqual({org: 'acme', email: 'ben@example.com', removed: 'member'});
		expect(parseJson(await ok(b, ['list-remote', '--json']))).toEqual([]);
		expect((await ok(a, ['org', '--help'])).stdout).toContain('sfs org join <invite>');
	});

	test('org seats and org role: admins change them, members and strangers cannot, one-line errors, usage exits 2', async () => {
		const srv = await server({backend, mail: false});
		cleanups.push(() => srv.close());
		const [a, b, c] = [box(), box(), box()];
		await signup(a, srv.url, 'ana@example.com');
		await signup(b, srv.url, 'ben@example.com');
		await signup(c, srv.url, 'cy@example.com');
		await ok(a, ['org', 'create', 'acme', '--seats', '3']);
		const code = parseJson<{code: string}>(await ok(a, ['org', 'invite', 'ben@example.com', '--json'])).code;
		await ok(b, ['org', 'join', code]);
		await ok(a, ['org', 'invite', 'cy@example.com']);

		const below = await sfs(a, ['org', 'seats', '1']);
		expect(below.exitCode).toBe(1);
		expectOneLineError(below, /^sfs: server: acme has 2 member\(s\): it needs at least 2 seat\(s\) \(remove members first: sfs org remove EMAIL\)$/);
		const invited = await sfs(a, ['org', 'seats', '2']);
		expect(invited.exitCode).toBe(1);
		expectOneLineError(invited, /acme has 2 member\(s\) and 1 pending invite\(s\): it needs at least 3 seat\(s\)/);
		expect((await ok(a, ['org', 'seats', '5'])).stdout).toBe('acme now has 5 seat(s) (3 taken)\n');
		expect(parseJson(await ok(a, ['org', 'seats', '4', '--org', 'acme', '--json']))).toEqual({name: 'acme', seats: 4, seats_used: 3});
		expect(parseJson(await ok(b, ['org', 'list', '--json']))).toEqual([expect.objectContaining({name: 'acme', seats: 4, role: 'member'})]);

		// ben is a member: without --org he administers nothing; with it the server says no.
		const notAdmin = await sfs(b, ['org', 'seats', '9']);
		expect(notAdmin.exitCode).toBe(1);
		expectOneLineError(notAdmin, /you administer no org/);
		const forbidden = await sfs(b, ['org', 'role', 'ben@example.com', 'admin', '--org', 'acme']);
		expect(forbidden.exitCode).toBe(1);
		expectOneLineError(forbidden, /^sfs: server: only an admin of acme may change roles$/);
		// cy has only an invite: not a member, so acme does not exist for cy.
		const stranger = await sfs(c, ['org', 'seats', '9', '--org', 'acme']);
		expect(stranger.exitCode).toBe(1);
		expectOneLineError(stranger, /no org acme of yours on this server/);

		const last = await sfs(a, ['org', 'role', 'ana@example.com', 'member']);
		expect(last.exitCode).toBe(1);
		expectOneLineError(last, /^sfs: server: you are the last admin of acme: make another member admin first \(sfs org role EMAIL admin\)$/);
		expect((await ok(a, ['org', 'role', 'Ben@Example.com', 'admin'])).stdout).toBe('ben@example.com is now admin of acme\n');
		expect((await ok(a, ['org', 'role', 'ben@example.com', 'admin'])).stdout).toBe('ben@example.com is admin of acme already\n');
		expect(parseJson(await ok(a, ['org', 'role', 'ana@example.com', 'member', '--json']))).toEqual({org: 'acme', email: 'ana@example.com', role: 'member', changed: true});
		const shown = parseJson<{members: Array<{email: string; role: string}>}>(await ok(b, ['org', 'show', '--json']));
		expect(shown.members.map(({email, role}) => ({email, role}))).toEqual([{email: 'ana@example.com', role: 'member'}, {email: 'ben@example.com', role: 'admin'}]);
		const notMember = await sfs(b, ['org', 'role', 'cy@example.com', 'admin']);
		expect(notMember.exitCode).toBe(1);
		expectOneLineError(notMember, /^sfs: server: cy@example\.com is not a member of acme$/);

		for (const args of [['org', 'seats'], ['org', 'seats', 'many'], ['org', 'seats', '0'], ['org', 'role', 'ben@example.com'], ['org', 'role', 'ben@example.com', 'boss'], ['org', 'seats', '3', '--role', 'admin']]) {
			const run = await sfs(b, args);
			expect({args, exit: run.exitCode}).toEqual({args, exit: 2});
			expectOneLineError(run, /^sfs: org: /);
		}

		const help = (await ok(a, ['org', '--help'])).stdout;
		expect(help).toContain('sfs org seats N [--org NAME]');
		expect(help).toContain('sfs org role EMAIL admin|member [--org NAME]');
	});

	test('rules and project push/pull between two machines; a pull over a local change is refused', async () => {
		const srv = await server({backend, mail: false});
		cleanups.push(() => srv.close());
		const [a, b] = [box(), box()];
		await signup(a, srv.url, 'ana@example.com');
		const login = await sfs(b, ['auth', 'login', '--url', srv.url, '--email', 'ana@example.com', '--password-stdin'], {input: 'ana@example.com-password\n'});
		expect(login.exitCode, login.stderr).toBe(0);
		const here = gitRepo(a.root, 'git@github.com:acme/widget.git');
		const there = gitRepo(b.root, 'https://github.com/acme/widget.git');
		await ok(a, ['rules', 'init', '--tools', 'claude-code,codex', '--yes'], {cwd: here});
		const pushed = parseJson(await ok(a, ['rules', 'push', '--json'], {cwd: here}));
		expect(pushed).toMatchObject({kind: 'rules', project: 'remote:github.com/acme/widget', keyed_by: 'git remote', changed: true});
		const pulled = await ok(b, ['rules', 'pull'], {cwd: there});
		expect(pulled.stdout).toContain(`pulled the rules of remote:github.com/acme/widget from ${srv.url}`);
		expect(pulled.stderr).toContain('sfs rules compile');
		const rulesA = path.join(here, '.sfs', 'rules');
		const rulesB = path.join(there, '.sfs', 'rules');
		expect(fs.readdirSync(rulesB).sort()).toEqual(fs.readdirSync(rulesA).sort());
		const ruleFile = fs.readdirSync(rulesA).find(name => name.endsWith('.md'))!;
		expect(fs.readFileSync(path.join(rulesB, ruleFile), 'utf8')).toBe(fs.readFileSync(path.join(rulesA, ruleFile), 'utf8'));
		await ok(b, ['rules', 'compile'], {cwd: there});
		expect(fs.existsSync(path.join(there, 'AGENTS.md'))).toBe(true);

		fs.appendFileSync(path.join(rulesB, ruleFile), '\nFrom machine B.\n');
		await ok(b, ['rules', 'push'], {cwd: there});
		fs.appendFileSync(path.join(rulesA, ruleFile), '\nFrom machine A.\n');
		const refused = await sfs(a, ['rules', 'pull'], {cwd: here});
		expect(refused.exitCode).toBe(1);
		expectOneLineError(refused, /^sfs: the local rules changed since the last sync and differ from the server's: not overwritten/);
		expect(fs.readFileSync(path.join(rulesA, ruleFile), 'utf8')).toContain('From machine A.');
		const pushRefused = await sfs(a, ['rules', 'push'], {cwd: here});
		expect(pushRefused.exitCode).toBe(1);
		expectOneLineError(pushRefused, /changed since this machine last synced them/);
		await ok(a, ['rules', 'pull', '--force'], {cwd: here});
		expect(fs.readFileSync(path.join(rulesA, ruleFile), 'utf8')).toContain('From machine B.');
		const wrongFlag = await sfs(a, ['rules', 'compile', '--org', 'acme'], {cwd: here});
		expect(wrongFlag.exitCode).toBe(2);

		await ok(a, ['project', 'set-context', '-'], {cwd: here, input: '# Widget\n\nShip it.\n'});
		expect(parseJson(await ok(a, ['project', 'push', '--json'], {cwd: here}))).toMatchObject({kind: 'project', project: 'remote:github.com/acme/widget', changed: true});
		expect(parseJson(await ok(b, ['project', 'pull', '--json'], {cwd: there}))).toMatchObject({kind: 'project', changed: true});
		expect((await ok(b, ['project', 'get-context'], {cwd: there})).stdout).toBe('# Widget\n\nShip it.\n');
		const noOrg = await sfs(b, ['project', 'pull', '--org', 'acme'], {cwd: there});
		expect(noOrg.exitCode).toBe(1);
		expectOneLineError(noOrg, /no org acme of yours/);
		expect((await sfs(b, ['project', 'show', '--force'], {cwd: there})).exitCode).toBe(2);
		expect((await ok(a, ['project', '--help'])).stdout).toContain('by the name of its directory');
	});

	test('sfs auth verify: with SMTP on, push is refused until the mailed link is verified', async () => {
		const sink = await smtpSink();
		cleanups.push(() => sink.close());
		const srv = await server({backend, mail: {url: sink.url, from: 'sfs@sfs.test'}});
		cleanups.push(() => srv.close());
		const a = box();
		await ok(a, ['import', specExamples]);
		const signed = await signup(a, srv.url, 'ana@example.com');
		expect(signed.stderr).toContain('sfs: verify ana@example.com before pushing or pulling');
		const refused = await sfs(a, ['push', 'b2c3']);
		expect(refused.exitCode).toBe(1);
		expectOneLineError(refused, /^sfs: server: verify ana@example\.com first/);
		const link = /http:\/\/\S+token=vrf_[0-9a-f]{32}/.exec(sink.mailsTo('ana@example.com')[0]!.text)![0];
		expect((await sfs(a, ['auth', 'status'])).stdout).toContain('email not verified yet (sfs auth verify)');
		expect(parseJson(await sfs(a, ['auth', 'status', '--json']))).toMatchObject({logged_in: true, verified: false, verification_required: true});
		const bad = await sfs(a, ['auth', 'verify', 'nonsense']);
		expect(bad.exitCode).toBe(2);
		expect(parseJson(await ok(a, ['auth', 'verify', link, '--json']))).toEqual({verified: true, email: 'ana@example.com', url: srv.url});
		const used = await sfs(a, ['auth', 'verify', link]);
		expect(used.exitCode).toBe(1);
		expectOneLineError(used, /unknown, used or expired/);
		expect((await ok(a, ['auth', 'verify', '--resend'])).stdout).toContain('verified already');
		expect(parseJson(await sfs(a, ['auth', 'status', '--json']))).toMatchObject({verified: true, verification_required: true});
		expect(parseJson(await ok(a, ['push', 'b2c3', '--json']))).toMatchObject({session_id: COMPLETE, message_count: 8});
	});
});
