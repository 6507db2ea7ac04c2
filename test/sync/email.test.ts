/**
 * Email on a real server with a real SMTP sink (smtp-server on 127.0.0.1): with SMTP configured, signup
 * mails a verification link, unverified accounts may touch no data, the mailed link verifies; invites
 * and handoffs are mailed. With email off, links go to the server log and the API answer instead.
 */
import {afterEach, describe, expect, test} from 'vitest';
import {pushSession, signup} from '../../source/sync/client.js';
import {createOrg, inviteToOrg, joinOrg, resendVerification, verifyEmail} from '../../source/sync/team-client.js';
import {expectOneLineError, sandbox, sfs} from '../cli/run-sfs.js';
import {BACKENDS, type BackendName, machine, message, raw, server, session} from './helpers.js';
import {smtpSink, type SmtpSink} from './email-smtp-sink.js';

const pass = (value: Parameters<Parameters<typeof pushSession>[3]>[0]) => value;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function withSmtp(backend: BackendName) {
	const sink = await smtpSink();
	cleanups.push(() => sink.close());
	const logs: string[] = [];
	const srv = await server({backend, mail: {url: sink.url, from: 'sfs test <noreply@sfs.test>'}, log: line => logs.push(line)});
	cleanups.push(() => srv.close());
	return {sink, srv, logs};
}

function linkIn(text: string): string {
	const link = /https?:\/\/\S+\/api\/v1\/auth\/verify\?token=vrf_[0-9a-f]{32}/.exec(text)?.[0];
	if (!link) throw new Error(`no verification link in: ${text}`);
	return link;
}

function onlyMail(sink: SmtpSink, email: string) {
	const mails = sink.mailsTo(email);
	expect(mails).toHaveLength(1);
	return mails[0]!;
}

describe.each(BACKENDS)('email on $name', {timeout: 60_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('SMTP on: signup mails a link; unverified accounts touch no data; the mailed link verifies', async () => {
		const {sink, srv} = await withSmtp(backend);
		const answer = await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'alice@example.com', password: 'alice-password'}});
		expect(answer.status).toBe(201);
		expect(answer.json.verification).toEqual({required: true, sent_to: 'alice@example.com', mailed: true});
		// The token travels by mail only.
		expect(JSON.stringify(answer.json)).not.toMatch(/vrf_/);
		const mail = onlyMail(sink, 'alice@example.com');
		expect(mail.from).toBe('noreply@sfs.test');
		expect(mail.subject).toBe('Verify your email for sfs');
		const link = linkIn(mail.text);
		expect(link.startsWith(`${srv.url}/api/v1/auth/verify?token=`)).toBe(true);
		expect(await srv.location.dumpText()).not.toContain(/vrf_[0-9a-f]{32}/.exec(link)![0]);

		const token = answer.json.token as string;
		const me = await raw(srv.url, 'GET', '/api/v1/auth/me', {token});
		expect(me.json).toMatchObject({verified: false, verification_required: true});
		const a = machine('a');
		cleanups.push(() => a.close());
		a.engine.store.createSession(session('ses_00000000000000e1', [message('e-1', 'hello')]));
		const credentials = {url: srv.url, email: 'alice@example.com', token, token_id: answer.json.token_id as string};
		for (const [method, route, body] of [
			['GET', '/api/v1/sessions', undefined],
			['GET', '/api/v1/sessions/ses_00000000000000e1', undefined],
			['PUT', '/api/v1/sessions/ses_00000000000000e1', session('ses_00000000000000e1', [message('e-1', 'hello')])],
			['POST', '/api/v1/handoffs', {session_id: 'ses_00000000000000e1', to: 'bob@example.com'}],
			['GET', '/api/v1/orgs', undefined],
			['POST', '/api/v1/orgs', {name: 'acme'}],
			['GET', '/api/v1/docs', undefined],
			['PUT', '/api/v1/docs/project', {project: 'dir:x', content: 'hi'}],
		] as const) {
			const refused = await raw(srv.url, method, route, {token, body});
			expect({route, status: refused.status, code: refused.json.error.code}).toEqual({route, status: 403, code: 'UNVERIFIED'});
		}

		await expect(pushSession(a.engine, credentials, 'ses_00000000000000e1', pass)).rejects.toThrow(/verify alice@example\.com first/);
		expect(await srv.location.sql('SELECT session_id FROM sessions')).toEqual([]);

		// The link as a mail client opens it: a plain GET, no token needed.
		const opened = await fetch(link);
		expect(opened.status).toBe(200);
		expect(await opened.json()).toEqual({verified: true, email: 'alice@example.com'});
		const again = await fetch(link);
		expect(again.status).toBe(404);
		expect(await pushSession(a.engine, credentials, 'ses_00000000000000e1', pass)).toMatchObject({added: 1, message_count: 1});
		expect((await raw(srv.url, 'GET', '/api/v1/auth/me', {token})).json).toMatchObject({verified: true});
	});

	test('sfs auth verify with the token, resend; invites and handoffs are mailed and their codes work', async () => {
		const {sink, srv, logs} = await withSmtp(backend);
		const a = machine('a');
		const c = machine('c');
		cleanups.push(() => a.close(), () => c.close());
		const alice = await signup(srv.url, 'alice@example.com', 'alice-password', a.env);
		const first = linkIn(onlyMail(sink, 'alice@example.com').text);
		// A resend mails a second link; the token alone (as `sfs auth verify vrf_…` sends it) verifies.
		expect(await resendVerification(alice)).toEqual({verified: false, verification: {required: true, sent_to: 'alice@example.com', mailed: true}});
		const second = linkIn(sink.mailsTo('alice@example.com')[1]!.text);
		expect(second).not.toBe(first);
		const token = /vrf_[0-9a-f]{32}/.exec(second)![0];
		expect(await verifyEmail(token, srv.url)).toEqual({verified: true, email: 'alice@example.com', url: srv.url});
		expect(await resendVerification(alice)).toEqual({verified: true, verification: null});
		await expect(verifyEmail('vrf_nope', srv.url)).rejects.toThrow(/not a verification token/);
		await expect(verifyEmail(`vrf_${'0'.repeat(32)}`, srv.url)).rejects.toThrow(/unknown, used or expired/);

		await createOrg(alice, 'acme', 3);
		const invite = await inviteToOrg(alice, 'acme', 'carol@example.com');
		// With email on the code goes to the invited address only, not back to the admin or the log.
		expect(invite).toEqual({org: 'acme', email: 'carol@example.com', role: 'member', expires_at: expect.any(String), mailed: true});
		const inviteMail = onlyMail(sink, 'carol@example.com');
		expect(inviteMail.subject).toBe('alice@example.com invited you to the sfs org acme');
		const code = /sfs org join (inv_[0-9a-f]{32})/.exec(inviteMail.text)![1]!;
		expect(logs.join('\n')).not.toContain(code);
		const details = /https?:\/\/\S+\/api\/v1\/invites\/inv_[0-9a-f]{32}/.exec(inviteMail.text)![0];
		expect(await (await fetch(details)).json()).toMatchObject({org: 'acme', email: 'carol@example.com', invited_by: 'alice@example.com', state: 'pending'});

		// carol signs up (a second mail to her: the verification) and must verify before joining.
		const carol = await signup(srv.url, 'carol@example.com', 'carol-password', c.env);
		await expect(joinOrg(carol, inviteMail.text)).rejects.toThrow(/verify carol@example\.com first/);
		await verifyEmail(linkIn(sink.mailsTo('carol@example.com')[1]!.text), undefined);
		expect(await joinOrg(carol, inviteMail.text)).toEqual({org: 'acme', role: 'member', joined: true});
		expect(await (await fetch(details)).json()).toMatchObject({state: 'accepted'});

		// A handoff is mailed to its recipient too.
		a.engine.store.createSession(session('ses_00000000000000e2', [message('e-1', 'hello')]));
		await pushSession(a.engine, alice, 'ses_00000000000000e2', pass);
		const handoff = await raw(srv.url, 'POST', '/api/v1/handoffs', {token: alice.token, body: {session_id: 'ses_00000000000000e2', to: 'carol@example.com', message: 'tests red'}});
		expect(handoff.status).toBe(201);
		const handoffMail = sink.mailsTo('carol@example.com').at(-1)!;
		expect(handoffMail.subject).toContain(handoff.json.handoff_id);
		expect(handoffMail.text).toContain(`sfs pull-handoff ${handoff.json.handoff_id}`);
		expect(handoffMail.text).toContain('tests red');
	});

	test('SMTP unreachable: signup still succeeds, says the mail failed, and the server logs the link', async () => {
		const sink = await smtpSink();
		const deadUrl = sink.url;
		await sink.close();
		const logs: string[] = [];
		const srv = await server({backend, mail: {url: deadUrl, from: 'sfs@sfs.test'}, log: line => logs.push(line)});
		cleanups.push(() => srv.close());
		const answer = await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'alice@example.com', password: 'alice-password'}});
		expect(answer.status).toBe(201);
		expect(answer.json.verification).toEqual({required: true, sent_to: 'alice@example.com', mailed: false});
		const line = logs.find(entry => entry.includes('mail to alice@example.com failed'));
		expect(line).toBeDefined();
		const opened = await fetch(linkIn(line!));
		expect(opened.status).toBe(200);
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token: answer.json.token})).status).toBe(200);
	});

	test('email off (air-gapped): no verification required; the link is logged and answered, and works', async () => {
		const logs: string[] = [];
		const srv = await server({backend, mail: false, log: line => logs.push(line)});
		cleanups.push(() => srv.close());
		const answer = await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'alice@example.com', password: 'alice-password'}});
		expect(answer.json.verification).toEqual({required: false, url: expect.stringContaining('/api/v1/auth/verify?token=vrf_'), token: expect.stringMatching(/^vrf_[0-9a-f]{32}$/)});
		expect(logs.some(line => line.includes('email is off') && line.includes(answer.json.verification.url))).toBe(true);
		const token = answer.json.token as string;
		expect((await raw(srv.url, 'GET', '/api/v1/sessions', {token})).status).toBe(200);
		expect((await raw(srv.url, 'GET', '/api/v1/auth/me', {token})).json).toMatchObject({verified: false, verification_required: false});
		expect((await raw(srv.url, 'POST', '/api/v1/auth/verify', {body: {token: answer.json.verification.token}})).json).toEqual({verified: true, email: 'alice@example.com'});
		expect((await raw(srv.url, 'GET', '/api/v1/auth/me', {token})).json).toMatchObject({verified: true});
	});

	test('SMTP settings come from SFS_SMTP_URL and SFS_MAIL_FROM; a bad URL stops sfs server with one line', async () => {
		const sink = await smtpSink();
		cleanups.push(() => sink.close());
		const saved = {url: process.env.SFS_SMTP_URL, from: process.env.SFS_MAIL_FROM};
		process.env.SFS_SMTP_URL = sink.url;
		process.env.SFS_MAIL_FROM = 'Team sfs <team@sfs.test>';
		let srv;
		try {
			srv = await server({backend});
		} finally {
			for (const [key, value] of [['SFS_SMTP_URL', saved.url], ['SFS_MAIL_FROM', saved.from]] as const) {
				if (value === undefined) delete process.env[key];
				else process.env[key] = value;
			}
		}

		cleanups.push(() => srv.close());
		const answer = await raw(srv.url, 'POST', '/api/v1/auth/signup', {body: {email: 'alice@example.com', password: 'alice-password'}});
		expect(answer.json.verification).toMatchObject({required: true, mailed: true});
		expect(onlyMail(sink, 'alice@example.com').from).toBe('team@sfs.test');

		const box = sandbox();
		cleanups.push(() => box.cleanup());
		const bad = await sfs(box, ['server', '--port', '0', '--data', `${box.root}/server`], {env: {SFS_SMTP_URL: 'ftp://mail.example.com'}});
		expect(bad.exitCode).toBe(2);
		expectOneLineError(bad, /SFS_SMTP_URL must be smtp:\/\/ or smtps:\/\/, not ftp:/);
	});
});
