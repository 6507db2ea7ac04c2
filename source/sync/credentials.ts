/**
 * The client's login: server URL, email and API token in `credentials.json` in the sfs config dir,
 * mode 0600 (written whole, atomically).
 */
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {writeJsonAtomic} from '../engine/fs-atomic.js';
import {configDir, type Env, FILE_MODE} from '../engine/paths.js';

export type Credentials = {url: string; email: string; token: string; token_id: string; user_id?: string};

export function credentialsPath(env: Env = process.env): string {
	return path.join(configDir(env), 'credentials.json');
}

export function loadCredentials(env: Env = process.env): Credentials | undefined {
	let text: string;
	try {
		text = fs.readFileSync(credentialsPath(env), 'utf8');
	} catch {
		return undefined;
	}

	try {
		const value = JSON.parse(text) as Credentials;
		return typeof value.url === 'string' && typeof value.token === 'string' ? value : undefined;
	} catch {
		throw new SfsError('USAGE', `${credentialsPath(env)} is not valid JSON`, {hint: 'log in again: sfs auth login --url URL'});
	}
}

export function requireCredentials(env: Env = process.env): Credentials {
	const credentials = loadCredentials(env);
	if (!credentials) throw new SfsError('NOT_AVAILABLE', 'not logged in to an sfs server', {hint: 'sfs auth login --url URL (or sfs auth signup)'});
	return credentials;
}

export function saveCredentials(credentials: Credentials, env: Env = process.env): void {
	const file = credentialsPath(env);
	writeJsonAtomic(file, credentials, {durable: true});
	fs.chmodSync(file, FILE_MODE);
}

export function removeCredentials(env: Env = process.env): boolean {
	try {
		fs.rmSync(credentialsPath(env));
		return true;
	} catch {
		return false;
	}
}

/** `http://host:port` without a trailing slash or path; only http and https. */
export function normalizeUrl(raw: string): string {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new SfsError('USAGE', `not a URL: ${JSON.stringify(raw)}`, {hint: 'e.g. --url http://127.0.0.1:8000'});
	}

	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SfsError('USAGE', `--url must be http or https, not ${url.protocol}`);
	return `${url.protocol}//${url.host}`;
}
