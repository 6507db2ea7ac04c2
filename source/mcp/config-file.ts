/**
 * Reading and writing the agents' own config files safely: a file that cannot be read as what it
 * should be is never overwritten (the error names it, the file stays as it was); every change is
 * preceded by a backup next to the file; writes are atomic and keep the file's mode.
 */
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';

export type JsonObject = Record<string, unknown>;

export function readText(file: string): string | undefined {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new SfsError('IO', `cannot read ${file}: ${(error as Error).message}`);
	}
}

export function malformed(file: string, why: string): SfsError {
	return new SfsError('INVALID_SESSION', `${file} is not valid ${why}; left as it was`, {hint: 'fix the file (or restore its backup) and run again'});
}

/** The file's JSON object ({} for a missing or empty file). */
export function parseJsonObject(text: string | undefined, file: string): JsonObject {
	if (text === undefined || text.trim() === '') return {};
	let value: unknown;
	try {
		value = JSON.parse(text.replace(/^\uFEFF/, ''));
	} catch (error) {
		if (hasComments(text)) throw malformed(file, 'plain JSON: it has comments, and rewriting it would drop them');
		throw malformed(file, `JSON (${(error as Error).message.split('\n')[0]})`);
	}

	if (!value || typeof value !== 'object' || Array.isArray(value)) throw malformed(file, 'JSON: the top level is not an object');
	return value as JsonObject;
}

/** `//` or `/*` outside strings (JSONC, as some tools accept). */
export function hasComments(text: string): boolean {
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (inString) {
			if (char === '\\') index++;
			else if (char === '"') inString = false;
		} else if (char === '"') inString = true;
		else if (char === '/' && (text[index + 1] === '/' || text[index + 1] === '*')) return true;
	}

	return false;
}

/** JSON in the file's own indentation (tabs or N spaces; 2 for a new file), with a final newline. */
export function formatJsonLike(value: unknown, original: string | undefined): string {
	let indent: string | number = 2;
	const match = original ? /^[ \t]+(?=")/m.exec(original) : null;
	if (match) indent = match[0].startsWith('\t') ? '\t' : match[0].length;
	return `${JSON.stringify(value, null, indent)}\n`;
}

/** `<file>.sfs-backup-<time>` holding the file as it was; returns its path (undefined when there was no file). */
export function backupFile(file: string, now = new Date()): string | undefined {
	if (!fs.existsSync(file)) return undefined;
	const stamp = now.toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
	let backup = `${file}.sfs-backup-${stamp}`;
	for (let n = 2; fs.existsSync(backup); n++) backup = `${file}.sfs-backup-${stamp}-${n}`;
	fs.copyFileSync(file, backup);
	return backup;
}

/** Writes via a temp file and rename, keeping the mode of the file it replaces (0600 for a new one: configs may hold tokens). */
export function writeConfigAtomic(target: string, text: string): void {
	// A symlinked config (a dotfiles repo) is written where the link points, and stays a link.
	let file = target;
	try {
		file = fs.realpathSync(target);
	} catch {}

	fs.mkdirSync(path.dirname(file), {recursive: true});
	let mode = 0o600;
	try {
		mode = fs.statSync(file).mode & 0o777;
	} catch {}

	const temp = path.join(path.dirname(file), `.${path.basename(file)}.sfs-tmp-${process.pid}`);
	fs.writeFileSync(temp, text, {mode});
	fs.chmodSync(temp, mode);
	fs.renameSync(temp, file);
}
