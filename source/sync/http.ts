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
	/** Longest Retry-After honoured, in ms (default 60 s): a server asking for more is retried after this. */
	maxRetryAfterMs?: number;
	/** Aborts the request and any wait between attempts (the daemon stopping). */
	signal?: AbortSignal;
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
				signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs ?? 60_000)]) : AbortSignal.timeout(options.timeoutMs ?? 60_000),
			});
			const text = await response.text();
			const body = parseBody(text);
			if (response.ok) return {status: response.status, body: body as T, etag: response.headers.get('etag')?.replace(/^W\//, '').replace(/^"|"$/g, '')};
			const error = (body as {error?: {code?: string; message?: string}} | undefined)?.error;
			const message = error?.message ?? `HTTP ${response.status}`;
			if (response.status !== 429 && response.status < 500) throw new HttpFailure(response.status, error?.code ?? 'HTTP', `server: ${message}`, hintFor(response.status, error?.code, message));
			lastReason = `HTTP ${response.status}: ${message}`;
			const asked = retryAfterMs(response.headers.get('retry-after'));
			waitMs = asked === undefined || asked === 0 ? backoff(base, attempt) : Math.min(asked, options.maxRetryAfterMs ?? 60_000);
		} catch (error) {
			if (error instanceof HttpFailure) throw error;
			if (options.signal?.aborted) throw new SfsError('IO', `request to ${baseUrl} cancelled`);
			lastReason = networkReason(error);
			// fetch never connects to ports reserved for other protocols (6000, 6666, 10080, …): retrying cannot help.
			if (lastReason === 'bad port') {
				throw new SfsError('IO', `cannot reach the sfs server at ${baseUrl}: port ${new URL(baseUrl).port} is one that HTTP clients refuse to use`, {hint: 'run `sfs server` on another port, e.g. --port 8000'});
			}

			waitMs = backoff(base, attempt);
		}

		if (attempt === attempts) break;
		options.onRetry?.(lastReason, waitMs);
		try {
			await sleep(waitMs, undefined, {signal: options.signal});
		} catch {
			throw new SfsError('IO', `request to ${baseUrl} cancelled`);
		}
	}

	throw new SfsError('IO', `cannot reach the sfs server at ${baseUrl} after ${attempts} attempt(s): ${lastReason}`, {hint: 'is `sfs server` running there?'});
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
	if (!header) return undefined;
	const trimmed = header.trim();
	if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
	const at = Date.parse(trimmed);
	return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
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

function hintFor(status: number, code: string | undefined, message: string): string | undefined {
	// A wrong password is not a login to renew; a message that names the fix needs no second one.
	if (status === 401) return code === 'BAD_CREDENTIALS' || message.includes('sfs auth login') ? undefined : 'log in again: sfs auth login --url URL';
	if (status === 413) return 'the session is larger than the server accepts';
	return undefined;
}
