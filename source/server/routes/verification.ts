/**
 * Email verification. When email is on, signup mails a one-time link and the account may touch no
 * data until it is opened (GET, from a mail client) or its token is posted (`sfs auth verify`). When
 * email is off the link is logged and returned in the answer, and verification is not required.
 */
import {randomBytes} from 'node:crypto';
import type {FastifyRequest} from 'fastify';
import {sha256Hex} from '../credentials.js';
import type {UserRecord} from '../storage.js';
import {HttpError, now, objectBody, type RouteContext} from './common.js';

const VERIFICATION_TTL_MS = 48 * 3600 * 1000;
const TOKEN = /^vrf_[0-9a-f]{32}$/;

export type VerificationAnswer =
	| {required: true; sent_to: string; mailed: boolean}
	| {required: false; url: string; token: string};

/** Makes a new verification token for `user` and mails its link (email on) or returns it (email off). */
export async function issueVerification(context: RouteContext, request: FastifyRequest, user: UserRecord): Promise<VerificationAnswer> {
	const token = `vrf_${randomBytes(16).toString('hex')}`;
	const created = new Date();
	await context.storage.addVerification({
		token_sha256: sha256Hex(token),
		user_id: user.id,
		created_at: created.toISOString(),
		expires_at: new Date(created.getTime() + VERIFICATION_TTL_MS).toISOString(),
		used_at: null,
	});
	const url = `${context.baseUrl(request)}/api/v1/auth/verify?token=${token}`;
	const mailed = await context.deliver(
		{
			to: user.email,
			subject: 'Verify your email for sfs',
			text: `Open this link to verify ${user.email} on the sfs server ${context.baseUrl(request)}:\n\n  ${url}\n\nor run:\n\n  sfs auth verify ${token}\n\nThe link expires in 48 hours.\n`,
		},
		`verification link for ${user.email}: ${url}`,
	);
	if (context.mailer) return {required: true, sent_to: user.email, mailed};
	return {required: false, url, token};
}

export function registerVerificationRoutes(context: RouteContext): void {
	const {app, storage} = context;

	async function verify(request: FastifyRequest, token: unknown) {
		context.limitBy(`ip:${request.ip}`);
		if (typeof token !== 'string' || !TOKEN.test(token)) throw new HttpError(400, 'BAD_REQUEST', 'not a verification token (vrf_ and 32 hex digits)');
		const userId = await storage.useVerification(sha256Hex(token), now());
		if (!userId) throw new HttpError(404, 'NOT_FOUND', 'this verification link is unknown, used or expired (sfs auth verify --resend mails a new one)');
		const user = await storage.userById(userId);
		return {verified: true, email: user?.email ?? null};
	}

	app.get<{Querystring: {token?: string}}>('/api/v1/auth/verify', async request => verify(request, request.query.token));
	app.post('/api/v1/auth/verify', async request => verify(request, objectBody(request.body).token));

	app.post('/api/v1/auth/verify/resend', async request => {
		const caller = await context.authenticate(request, {allowUnverified: true});
		if (caller.user.verified) return {verified: true, verification: null};
		return {verified: false, verification: await issueVerification(context, request, caller.user)};
	});
}
