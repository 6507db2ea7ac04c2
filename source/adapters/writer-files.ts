/** File helpers shared by the resume writers: create-only writes and JSONL lines the targets can parse. */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';

/** One JSON object per line; U+2028/U+2029 escaped (raw ones broke line-based loaders, e.g. Copilot < 1.0.41). */
export function jsonlLine(value: unknown): string {
	return JSON.stringify(value).replaceAll('\u2028', String.raw`\u2028`).replaceAll('\u2029', String.raw`\u2029`) + '\n';
}

function isCode(error: unknown, code: string): boolean {
	return typeof error === 'object' && error !== null && (error as {code?: unknown}).code === code;
}

/** Writes a file that must not exist yet (never overwrites); creates its parent directories. */
export async function writeNewFile(file: string, content: string, mode = 0o600): Promise<void> {
	await fs.mkdir(path.dirname(file), {recursive: true});
	let handle;
	try {
		handle = await fs.open(file, 'wx', mode);
	} catch (error) {
		if (isCode(error, 'EEXIST')) throw new SfsError('CONFLICT', `${file} already exists; refusing to overwrite it`, {cause: error});
		throw new SfsError('IO', `cannot create ${file}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	try {
		await handle.writeFile(content, 'utf8');
	} catch (error) {
		await handle.close().catch(() => undefined);
		await fs.rm(file, {force: true}).catch(() => undefined);
		throw new SfsError('IO', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}

	await handle.close();
}

/** Creates a directory that must not exist yet (its parents may). */
export async function makeNewDirectory(dir: string): Promise<void> {
	await fs.mkdir(path.dirname(dir), {recursive: true});
	try {
		await fs.mkdir(dir);
	} catch (error) {
		if (isCode(error, 'EEXIST')) throw new SfsError('CONFLICT', `${dir} already exists; refusing to write into it`, {cause: error});
		throw new SfsError('IO', `cannot create ${dir}: ${error instanceof Error ? error.message : String(error)}`, {cause: error});
	}
}

export async function fileExists(file: string): Promise<boolean> {
	try {
		await fs.access(file);
		return true;
	} catch {
		return false;
	}
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random base62 token, shaped like the ids APIs hand out (`msg_…`, `req_…`). */
export function randomToken(length = 24): string {
	const bytes = randomBytes(length);
	let out = '';
	for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
	return out;
}

/** A valid ISO timestamp for `value`, or `fallback`. */
export function isoOr(value: string | undefined | null, fallback: string): string {
	if (!value) return fallback;
	const time = Date.parse(value);
	return Number.isNaN(time) ? fallback : new Date(time).toISOString();
}
