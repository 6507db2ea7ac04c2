/**
 * Requests to the sync server: JSON in and out, the token as a Bearer header, and retries with
 * exponential backoff (with jitter) on 429, 5xx and refused or dropped connections; a 429's
 * Retry-After is honoured. Other 4xx answers are final and become one-line SfsErrors.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {SfsError} from '../engine/errors.js';

export type RequestOptions = {
	method?: string;
	body?: unknown;
	token?: string;
	headers?: Record<string, string>;
	/** Attempts in all (default: SFS_SYNC_ATTEMPTS or 8). */
	attempts?: number;
	/** First backoff delay in ms (doubles each time, capped at 5 s). */
	baseDelayMs?: number;
	timeoutMs?: number;
	/** Told before each wait: why, and how long. */
	onRetry?: (reason: string, waitMs: number) => void;
};

export type Response<T> = {status: number; body: T; etag?: string};

export class HttpFailure extends SfsError {
	constructor(
		readonly status: number,
		readonly errorCode: string,
		message: string,
		hint?: string,
	) {
		super(status === 404 ? 'NOT_FOUND' : status === 409 || status === 412 ? 'CONFLICT' : 'IO', message, {hint});
	}
}

const MAX_DELAY_MS = 5000;

export async function request<T>(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
	const attempts = options.attempts ?? (Number(process.env.SFS_SYNC_ATTEMPTS) || 8);
	const base = options.baseDelayMs ?? 200;
	let lastReason = '';
	for (let attempt = 1; attempt <= attempts; attempt++) {
		let waitMs: number;
		try {
			const response = await fetch(`${baseUrl}${path}`, {
				method: options.method ?? 'GET',
				headers: {
					accept: 'application/json',
					...(options.body === undefined ? {} : {'content-type': 'application/json'}),
					...(options.token ? {authorization: `Bearer ${options.token}`} : {}),
					...options.headers,
				},
				body: options.body === undefined ? undefined : JSON.stringify(options.body),
				signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
			});
			const text = await response.text();
			const body = parseBody(text);
			if (response.ok) return {status: response.status, body: body as T, etag: response.headers.get('etag')?.replace(/^W\//, '').replace(/^"|"$/g, '')};
			const error = (body as {error?: {code?: string; message?: string}} | undefined)?.error;
			const message = error?.message ?? `HTTP ${response.status}`;
			if (response.status !== 429 && response.status < 500) throw new HttpFailure(response.status, error?.code ?? 'HTTP', `server: ${message}`, hintFor(response.status));
			lastReason = `HTTP ${response.status}: ${message}`;
			const retryAfter = Number(response.headers.get('retry-after'));
			waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(base, attempt);
		} catch (error) {
			if (error instanceof HttpFailure) throw error;
			lastReason = networkReason(error);
			waitMs = backoff(base, attempt);
		}

		if (attempt === attempts) break;
		options.onRetry?.(lastReason, waitMs);
		await sleep(waitMs);
	}

	throw new SfsError('IO', `cannot reach the sfs server at ${baseUrl} after ${attempts} attempt(s): ${lastReason}`, {hint: 'is `sfs server` running there?'});
}

function backoff(base: number, attempt: number): number {
	const delay = Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1));
	return Math.round(delay / 2 + Math.random() * (delay / 2));
}

function parseBody(text: string): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return {error: {message: text.slice(0, 200)}};
	}
}

function networkReason(error: unknown): string {
	const cause = (error as {cause?: {code?: string; message?: string}}).cause;
	return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function hintFor(status: number): string | undefined {
	if (status === 401) return 'log in again: sfs auth login --url URL';
	if (status === 413) return 'the session is larger than the server accepts';
	return undefined;
}
