/**
 * Moving sessions in and out of the store as files.
 *
 * Export: one session → `<session_id>.sfs.tar.gz` holding `<session_id>/…` (the session directory as
 * stored, checkpoints included); the whole store → a backup holding `sfs-backup.json` and
 * `sessions/<session_id>/…`.
 *
 * Import takes an `.sfs` directory, a directory of them, a single-session archive (ours or one
 * SessionFS wrote, with or without a top folder), or a backup. Nothing from the outside is trusted:
 * 1. every archive entry is checked before anything is written: absolute paths, `..`, links and
 *    devices refuse the whole archive;
 * 2. the archive is unpacked into a staging directory inside the store (regular files and
 *    directories only), a directory source is copied there without following links;
 * 3. every session found is checked: version, JSON Schemas for manifest, each message, workspace
 *    and tools, a safe session id; the first violation refuses the import and nothing is committed;
 * 4. each session is renamed into `sessions/<session_id>/` (existing ones are skipped, not replaced).
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {errorLine, SfsError} from './errors.js';
import {ensureDir} from './fs-atomic.js';
import {assertValid, checkVersion, isSafeSessionId, prepareValidation} from './format.js';
import {DIR_MODE, FILE_MODE} from './paths.js';
import {statsFor} from './session-stats.js';
import {CHECKPOINTS, MANIFEST, MESSAGES, parseMessages, type Store, TOOLS, WORKSPACE} from './store.js';
import type {Manifest, Message} from './types.js';

export const BACKUP_MARKER = 'sfs-backup.json';
export const BACKUP_FORMAT = 'sfs-backup';
/** Entry types an archive may hold; everything else (links, devices, FIFOs, …) is refused. */
const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);
/** Unpacked size an import may reach; beyond it the archive is refused (a decompression bomb fills the disk). */
export const MAX_IMPORT_BYTES = 16 * 1024 ** 3;
/** Folders searched for session directories inside an import (a backup is `sessions/<id>/`). */
const MAX_SEARCH_DEPTH = 4;

export type ExportedArchive = {path: string; sessions: string[]; skipped: Array<{session_id: string; reason: string}>};

/** Writes `<id>.sfs.tar.gz` into `target` (a directory) or to `target` (a file path). */
export async function exportSessionArchive(store: Store, sessionId: string, target: string): Promise<ExportedArchive> {
	await prepareValidation();
	validateStoredSession(store, sessionId);
	const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
	const file = isDir ? path.join(target, `${sessionId}.sfs.tar.gz`) : target;
	await writeTarGz(file, store.sessionsRoot, [sessionId]);
	return {path: file, sessions: [sessionId], skipped: []};
}

/** Writes a whole-store backup; sessions that fail validation are skipped and reported. */
export async function exportBackup(store: Store, target: string, now = new Date(), onProgress?: (done: number, total: number) => void): Promise<ExportedArchive> {
	await prepareValidation();
	const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
	const file = isDir ? path.join(target, `sfs-backup-${now.toISOString().replace(/[:.]/g, '-')}.tar.gz`) : target;
	const sessions: string[] = [];
	const skipped: Array<{session_id: string; reason: string}> = [];
	const ids = store.listIds();
	for (const [at, id] of ids.entries()) {
		onProgress?.(at, ids.length);
		try {
			validateStoredSession(store, id);
			sessions.push(id);
		} catch (error) {
			skipped.push({session_id: id, reason: error instanceof Error ? error.message : String(error)});
		}
	}

	onProgress?.(ids.length, ids.length);

	// The backup is packed from a staging directory holding the marker and, under `sessions/`, a
	// symlink to each live session folder (followed while packing), so nothing in the store is copied.
	const staging = stagingDir(store);
	try {
		fs.writeFileSync(
			path.join(staging, BACKUP_MARKER),
			`${JSON.stringify({format: BACKUP_FORMAT, version: 1, created_at: now.toISOString(), sessions: sessions.length}, null, 2)}\n`,
			{mode: FILE_MODE},
		);
		fs.mkdirSync(path.join(staging, 'sessions'), {mode: DIR_MODE});
		for (const id of sessions) fs.symlinkSync(path.join(store.sessionsRoot, id), path.join(staging, 'sessions', id));
		await writeTarGz(file, staging, [BACKUP_MARKER, 'sessions'], {follow: true});
	} finally {
		fs.rmSync(staging, {recursive: true, force: true});
	}

	return {path: file, sessions, skipped};
}

export type ImportResult = {
	imported: string[];
	/** Sessions already in the store (left as they are). */
	skipped: Array<{session_id: string; reason: string}>;
	kind: 'directory' | 'archive' | 'backup';
};

export type ImportProgress = {phase: 'checking' | 'importing'; done: number; total: number};

/**
 * Imports from `source` into the store. `onImported` runs after each session is committed (the
 * caller indexes it). Refuses (throws) before committing anything when any entry or session is bad.
 * Every session is checked before any is committed, but only its manifest is kept meanwhile: the
 * messages are read again when it is committed (a backup of a million messages is not held at once).
 */
export async function importSessions(
	store: Store,
	source: string,
	onImported?: (sessionId: string, manifest: Manifest, messages: Message[]) => void,
	onProgress?: (progress: ImportProgress) => void,
): Promise<ImportResult> {
	await prepareValidation();
	let stat: fs.Stats;
	try {
		stat = fs.statSync(source);
	} catch {
		throw new SfsError('NOT_FOUND', `nothing to import at ${source}`, {hint: 'give an .sfs directory or a .tar.gz archive'});
	}

	store.init();
	const staging = stagingDir(store);
	try {
		let kind: ImportResult['kind'];
		if (stat.isDirectory()) {
			copyTreeSafely(source, path.join(staging, 'in'));
			kind = 'directory';
		} else if (stat.isFile()) {
			await checkArchiveEntries(source);
			await unpack(source, path.join(staging, 'in'));
			kind = fs.existsSync(path.join(staging, 'in', BACKUP_MARKER)) ? 'backup' : 'archive';
		} else {
			throw new SfsError('HOSTILE_ARCHIVE', `${source} is neither a directory nor a file`, {hint: 'give an .sfs directory or a .tar.gz archive'});
		}

		const found = findSessionDirs(path.join(staging, 'in'));
		if (found.length === 0) {
			throw new SfsError('INVALID_SESSION', `no session found in ${source}`, {hint: 'a session is a directory with manifest.json and messages.jsonl'});
		}

		const checked = found.map((dir, at) => {
			onProgress?.({phase: 'checking', done: at, total: found.length});
			return checkStagedSession(dir, path.relative(path.join(staging, 'in'), dir) || path.basename(source));
		});
		const seen = new Set<string>();
		for (const session of checked) {
			if (seen.has(session.manifest.session_id)) {
				throw new SfsError('INVALID_SESSION', `session ${session.manifest.session_id} appears twice in ${source}`, {hint: 'an import holds each session once'});
			}

			seen.add(session.manifest.session_id);
		}

		const result: ImportResult = {imported: [], skipped: [], kind};
		for (const [at, session] of checked.entries()) {
			onProgress?.({phase: 'importing', done: at, total: checked.length});
			const id = session.manifest.session_id;
			if (fs.existsSync(path.join(store.sessionsRoot, id))) {
				result.skipped.push({session_id: id, reason: 'already in the store'});
				continue;
			}

			// Read before the move: what was checked (a missing final newline was added, see checkMessagesFile).
			const messages = onImported ? parseMessages(fs.readFileSync(path.join(session.dir, MESSAGES))).messages : [];
			fs.renameSync(session.dir, path.join(store.sessionsRoot, id));
			result.imported.push(id);
			onImported?.(id, session.manifest, messages);
		}

		return result;
	} finally {
		fs.rmSync(staging, {recursive: true, force: true});
	}
}

/** The manifest as the index should see it: stats filled in from the messages when the writer left them out. */
export function manifestForIndex(manifest: Manifest, messages: Message[]): Manifest {
	const derived = statsFor(messages);
	return {...manifest, stats: {...derived, ...manifest.stats}};
}

/** Refuses an archive whose entries could write outside the target or are not plain files and folders. */
export async function checkArchiveEntries(file: string): Promise<void> {
	const tar = await import('tar');
	const problems: string[] = [];
	let total = 0;
	try {
		await tar.t({
			file,
			strict: true,
			onReadEntry(entry) {
				const problem = entryProblem(entry.path, entry.type);
				if (problem) problems.push(problem);
				total += entry.size ?? 0;
				entry.resume();
			},
		});
	} catch (error) {
		throw new SfsError('HOSTILE_ARCHIVE', `${file} is not a readable tar archive: ${errorLine(error)}`, {hint: 'give a .tar.gz written by sfs or SessionFS'});
	}

	if (total > MAX_IMPORT_BYTES) problems.unshift(`it would unpack to ${total} bytes, more than the ${MAX_IMPORT_BYTES} an import may hold`);
	if (problems.length > 0) {
		throw new SfsError('HOSTILE_ARCHIVE', `refused ${file}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
			hint: 'archives may hold only regular files and folders with relative paths',
		});
	}
}

/** Why an entry is refused, or undefined when it is a plain relative file or folder. */
export function entryProblem(entryPath: string, type: string): string | undefined {
	if (!ALLOWED_TYPES.has(type)) return `entry ${JSON.stringify(entryPath)} is a ${type}`;
	if (entryPath.includes('\0')) return `entry ${JSON.stringify(entryPath)} has a NUL byte in its path`;
	if (entryPath.startsWith('/') || entryPath.startsWith('\\') || /^[A-Za-z]:/.test(entryPath)) return `entry ${JSON.stringify(entryPath)} has an absolute path`;
	if (entryPath.split(/[/\\]/).includes('..')) return `entry ${JSON.stringify(entryPath)} climbs out with ..`;
	return undefined;
}

async function unpack(file: string, target: string): Promise<void> {
	const tar = await import('tar');
	fs.mkdirSync(target, {recursive: true, mode: DIR_MODE});
	const refused: string[] = [];
	await tar.x({
		file,
		cwd: target,
		strict: true,
		preservePaths: false,
		preserveOwner: false,
		noMtime: false,
		dmode: DIR_MODE,
		fmode: FILE_MODE,
		// Second line of defence after checkArchiveEntries: only plain files and folders reach disk.
		filter(entryPath, entry) {
			const type = 'type' in entry ? String(entry.type) : 'File';
			const problem = entryProblem(entryPath, type);
			if (problem) refused.push(problem);
			return !problem && !path.basename(entryPath).startsWith('._');
		},
	});
	if (refused.length > 0) throw new SfsError('HOSTILE_ARCHIVE', `refused ${file}: ${refused[0]}`);
}

/** Copies a directory tree, refusing links, devices and sockets instead of following them. */
function copyTreeSafely(source: string, target: string, depth = 0): void {
	if (depth > 16) throw new SfsError('HOSTILE_ARCHIVE', `${source} is nested too deeply`);
	fs.mkdirSync(target, {recursive: true, mode: DIR_MODE});
	for (const entry of fs.readdirSync(source, {withFileTypes: true})) {
		const from = path.join(source, entry.name);
		const to = path.join(target, entry.name);
		if (entry.isDirectory()) copyTreeSafely(from, to, depth + 1);
		else if (entry.isFile()) {
			fs.copyFileSync(from, to);
			fs.chmodSync(to, FILE_MODE);
		} else {
			throw new SfsError('HOSTILE_ARCHIVE', `refused ${from}: ${entry.isSymbolicLink() ? 'a symlink' : 'not a regular file'}`, {
				hint: 'an .sfs directory may hold only regular files and folders',
			});
		}
	}
}

/** Folders holding a manifest.json; the search does not descend into a session (its checkpoints are part of it). */
function findSessionDirs(root: string, depth = 0): string[] {
	if (fs.existsSync(path.join(root, MANIFEST))) return [root];
	if (depth >= MAX_SEARCH_DEPTH) return [];
	const found: string[] = [];
	for (const entry of fs.readdirSync(root, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
		if (entry.isDirectory()) found.push(...findSessionDirs(path.join(root, entry.name), depth + 1));
	}

	return found;
}

type StagedSession = {dir: string; manifest: Manifest};

function checkStagedSession(dir: string, label: string): StagedSession {
	const manifest = readJson(path.join(dir, MANIFEST), `${label}/manifest.json`) as Manifest;
	if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
		throw new SfsError('INVALID_SESSION', `${label}/manifest.json is not a JSON object`);
	}

	checkVersion(manifest, label);
	assertValid('manifest', manifest, `${label}/manifest.json`);
	if (!isSafeSessionId(manifest.session_id)) {
		throw new SfsError('INVALID_SESSION', `${label}: session_id ${JSON.stringify(manifest.session_id)} cannot be a directory name`, {
			hint: 'session ids may hold letters, digits, . _ - only',
		});
	}

	checkMessagesFile(path.join(dir, MESSAGES), `${label}/messages.jsonl`, true);
	for (const [name, schema] of [[WORKSPACE, 'workspace'], [TOOLS, 'tools']] as const) {
		const file = path.join(dir, name);
		if (fs.existsSync(file)) assertValid(schema, readJson(file, `${label}/${name}`), `${label}/${name}`);
	}

	const checkpoints = path.join(dir, CHECKPOINTS);
	if (fs.existsSync(checkpoints)) {
		for (const name of fs.readdirSync(checkpoints)) {
			const where = `${label}/checkpoints/${name}`;
			if (!isSafeSessionId(name)) throw new SfsError('INVALID_SESSION', `${where}: not a valid checkpoint name`);
			const checkpointManifest = readJson(path.join(checkpoints, name, MANIFEST), `${where}/manifest.json`);
			checkVersion(checkpointManifest as Manifest, where);
			assertValid('manifest', checkpointManifest, `${where}/manifest.json`);
			checkMessagesFile(path.join(checkpoints, name, MESSAGES), `${where}/messages.jsonl`, false);
		}
	}

	return {dir, manifest};
}

/** Parses and validates every line; a missing final newline is added (other writers may omit it). */
function checkMessagesFile(file: string, label: string, required: boolean): void {
	let buffer: Buffer;
	try {
		buffer = fs.readFileSync(file);
	} catch {
		if (!required) return;
		throw new SfsError('INVALID_SESSION', `${label} is missing`, {hint: 'a session needs manifest.json and messages.jsonl'});
	}

	if (buffer.length > 0 && buffer.at(-1) !== 10) {
		fs.appendFileSync(file, '\n');
		buffer = Buffer.concat([buffer, Buffer.from('\n')]);
	}

	const {messages, badLines} = parseMessages(buffer);
	if (badLines.length > 0) throw new SfsError('INVALID_SESSION', `${label} line ${badLines[0]} is not valid JSON`);
	for (const [index, message] of messages.entries()) assertValid('message', message, `${label} message ${index + 1}`);
}

/** Refuses to export a session the schemas would reject (so every archive sfs writes imports again). */
function validateStoredSession(store: Store, sessionId: string): void {
	const session = store.readSession(sessionId);
	assertValid('manifest', session.manifest, `session ${sessionId} manifest.json`);
	if (session.badLines.length > 0) throw new SfsError('INVALID_SESSION', `session ${sessionId}: messages.jsonl line ${session.badLines[0]} is not valid JSON`);
	for (const [index, message] of session.messages.entries()) assertValid('message', message, `session ${sessionId} message ${index + 1}`);
	if (session.workspace) assertValid('workspace', session.workspace, `session ${sessionId} workspace.json`);
	if (session.tools) assertValid('tools', session.tools, `session ${sessionId} tools.json`);
}

async function writeTarGz(file: string, cwd: string, entries: string[], options: {follow?: boolean} = {}): Promise<void> {
	const tar = await import('tar');
	ensureDir(path.dirname(path.resolve(file)));
	const temp = tempFileFor(file);
	try {
		// Private like the store it comes from: tar would create the file with the umask's mode (0644).
		fs.writeFileSync(temp, '', {mode: FILE_MODE});
		await tar.c({gzip: true, file: temp, cwd, portable: true, follow: options.follow === true, filter: entryFilter}, entries);
		fs.chmodSync(temp, FILE_MODE);
		fs.renameSync(temp, file);
	} catch (error) {
		fs.rmSync(temp, {force: true});
		throw new SfsError('IO', `cannot write ${file}: ${errorLine(error)}`, {hint: 'check that the folder exists and is writable'});
	}
}

/** Leftovers of killed writers (`.*.tmp-*`) stay out of archives. */
function entryFilter(entryPath: string): boolean {
	const name = path.basename(entryPath);
	return !(name.startsWith('.') && name.includes('.tmp-'));
}

function stagingDir(store: Store): string {
	ensureDir(store.sessionsRoot);
	// Inside sessions/ so renames into place stay on one file system; the `.tmp-` name makes
	// Store.init() clear it should this process be killed.
	const dir = path.join(store.sessionsRoot, `.import.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
	fs.mkdirSync(dir, {mode: DIR_MODE});
	return dir;
}

function tempFileFor(file: string): string {
	return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

function readJson(file: string, label: string): unknown {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		throw new SfsError('INVALID_SESSION', `${label} is missing`);
	}

	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new SfsError('INVALID_SESSION', `${label} is not valid JSON`);
	}
}
