/** What the server's route modules share: the error type, request checks and the per-request context. */
import type {FastifyInstance, FastifyRequest} from 'fastify';
import {isSafeSessionId} from '../../engine/format.js';
import type {Mailer} from '../mailer.js';
import type {ServerStorage, UserRecord} from '../storage.js';

export class HttpError extends Error {
	constructor(
		readonly statusCode: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

export type Caller = {user: UserRecord; tokenId: string};

export type AuthenticateOptions = {
	/** Let an account whose email is not verified through (auth/me, logout, resending the link). */
	allowUnverified?: boolean;
};

/** Everything a route module needs from the server it is registered on. */
export type RouteContext = {
	app: FastifyInstance;
	storage: ServerStorage;
	/** Undefined when email is off (air-gapped): links are logged and answered instead of mailed. */
	mailer: Mailer | undefined;
	log: (line: string) => void;
	authenticate(request: FastifyRequest, options?: AuthenticateOptions): Promise<Caller>;
	/** Counts a request against `key`'s rate limit (429 with Retry-After when over it). */
	limitBy(key: string): void;
	/** The server's address as clients see it (SFS_PUBLIC_URL / publicUrl, else from the request). */
	baseUrl(request: FastifyRequest): string;
	/** Mails when email is on; logs the line otherwise. Never throws: a failed send is logged. */
	deliver(mail: {to: string; subject: string; text: string}, logLine: string): Promise<boolean>;
};

export const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function now(): string {
	return new Date().toISOString();
}

export function objectBody(body: unknown): Record<string, unknown> {
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'BAD_REQUEST', 'the body must be a JSON object');
	return body as Record<string, unknown>;
}

export function stringField(value: unknown, name: string, max: number): string {
	if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new HttpError(400, 'BAD_REQUEST', `${name} must be a string of 1 to ${max} characters`);
	return value;
}

export function emailOf(value: unknown, name: string): string {
	const email = stringField(value, name, 320).trim().toLowerCase();
	if (!EMAIL.test(email)) throw new HttpError(400, 'BAD_REQUEST', `${name} is not an email address`);
	return email;
}

/** An If-Match / If-None-Match value without quotes or the weak prefix. */
/** A session id from a route parameter or body; 400 when it is not one sfs would have made. */
export function sessionIdParam(value: unknown): string {
	if (typeof value !== 'string' || !isSafeSessionId(value)) throw new HttpError(400, 'BAD_REQUEST', `not a valid session id: ${JSON.stringify(value)}`);
	return value;
}

export function etagHeader(value: string | string[] | undefined): string | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (!raw) return undefined;
	return raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}
