/**
 * The store: one directory per session under `<data>/sessions/`, in the `.sfs` format. It is the truth;
 * the index is derived from it. New sessions appear whole (built in a temp dir, then renamed);
 * manifests are replaced atomically; messages.jsonl only gains whole lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from './errors.js';
import {appendLines, ensureDir, removeOrphanTemps, writeFileAtomic, writeJsonAtomic} from './fs-atomic.js';
import {checkVersion, isSafeSessionId, newSessionId} from './format.js';
import {withLockSync} from './lock.js';
import {dataDir, DIR_MODE, type Env, FILE_MODE, sessionsDir, tombstonesPath} from './paths.js';
import {statsFor} from './session-stats.js';
import type {Manifest, Message, Session, ToolsInfo, Workspace} from './types.js';

export const MANIFEST = 'manifest.json';
export const MESSAGES = 'messages.jsonl';
export const WORKSPACE = 'workspace.json';
export const TOOLS = 'tools.json';
export const CHECKPOINTS = 'checkpoints';

export type Tombstone = {session_id: string; tool?: string; native_id?: string; deleted_at: string};

export type MessagesRead = {messages: Message[]; badLines: number[]; bytes: number};

export class Store {
	readonly sessionsRoot: string;
	readonly dataRoot: string;
	private readonly tombstoneFile: string;
	private readonly heldSessionLocks = new Set<string>();
	private initialized = false;

	constructor(env: Env = process.env) {
		this.dataRoot = dataDir(env);
		this.sessionsRoot = sessionsDir(env);
		this.tombstoneFile = tombstonesPath(env);
	}

	dir(sessionId: string): string {
		if (!isSafeSessionId(sessionId)) throw new SfsError('USAGE', `not a valid session id: ${JSON.stringify(sessionId)}`);
		return path.join(this.sessionsRoot, sessionId);
	}

	/** Creates the data dir (0700) and clears temp files left by killed writers. */
	init(): void {
		this.initialized = true;
		ensureDir(this.sessionsRoot);
		fs.chmodSync(this.dataRoot, DIR_MODE);
		removeOrphanTemps(this.sessionsRoot);
	}

	/** init() unless this Store did it already (a CLI command opens the engine, then captures: 10,000 session dirs listed once, not twice). */
	initOnce(): void {
		if (!this.initialized) this.init();
	}

	/** Ids of every session directory (no parsing). */
	listIds(): string[] {
		let names: string[];
		try {
			names = fs.readdirSync(this.sessionsRoot);
		} catch {
			return [];
		}

		return names.filter(name => !name.startsWith('.') && isSafeSessionId(name)).sort();
	}

	exists(sessionId: string): boolean {
		return fs.existsSync(path.join(this.dir(sessionId), MANIFEST));
	}

	readManifest(sessionId: string): Manifest {
		const file = path.join(this.dir(sessionId), MANIFEST);
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SfsError('NOT_FOUND', `session ${sessionId} not found`);
			throw new SfsError('IO', `cannot read ${file}: ${(error as Error).message}`);
		}

		let manifest: Manifest;
		try {
			manifest = JSON.parse(text) as Manifest;
		} catch {
			throw new SfsError('INVALID_SESSION', `session ${sessionId}: manifest.json is not valid JSON`);
		}

		if (!manifest || typeof manifest !== 'object') throw new SfsError('INVALID_SESSION', `session ${sessionId}: manifest.json is not an object`);
		checkVersion(manifest, `session ${sessionId}`);
		return manifest;
	}

	/** All messages; unparsable lines are counted (by line number) and skipped, a torn last line is ignored. */
	readMessages(sessionId: string): MessagesRead {
		const file = path.join(this.dir(sessionId), MESSAGES);
		let buffer: Buffer;
		try {
			buffer = fs.readFileSync(file);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {messages: [], badLines: [], bytes: 0};
			throw new SfsError('IO', `cannot read ${file}: ${(error as Error).message}`);
		}

		return parseMessages(buffer);
	}

	/** Messages after byte `offset` (used to recover lines appended by a writer killed before its manifest update). */
	readMessagesAfter(sessionId: string, offset: number): MessagesRead {
		const file = path.join(this.dir(sessionId), MESSAGES);
		try {
			const fd = fs.openSync(file, 'r');
			try {
				const {size} = fs.fstatSync(fd);
				if (size <= offset) return {messages: [], badLines: [], bytes: size};
				const buffer = Buffer.alloc(size - offset);
				fs.readSync(fd, buffer, 0, buffer.length, offset);
				const read = parseMessages(buffer);
				return {...read, bytes: size};
			} finally {
				fs.closeSync(fd);
			}
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {messages: [], badLines: [], bytes: 0};
			throw error;
		}
	}

	messagesSize(sessionId: string): number {
		try {
			return fs.statSync(path.join(this.dir(sessionId), MESSAGES)).size;
		} catch {
			return 0;
		}
	}

	readWorkspace(sessionId: string): Workspace | undefined {
		return readOptionalJson<Workspace>(path.join(this.dir(sessionId), WORKSPACE));
	}

	readTools(sessionId: string): ToolsInfo | undefined {
		return readOptionalJson<ToolsInfo>(path.join(this.dir(sessionId), TOOLS));
	}

	readSession(sessionId: string): Session & {badLines: number[]} {
		const manifest = this.readManifest(sessionId);
		const {messages, badLines} = this.readMessages(sessionId);
		return {manifest, messages, workspace: this.readWorkspace(sessionId), tools: this.readTools(sessionId), badLines};
	}

	/** Writes a new session whole: built in a temp directory, then renamed into place. */
	createSession(session: Session): void {
		const id = session.manifest.session_id;
		const target = this.dir(id);
		if (fs.existsSync(target)) throw new SfsError('CONFLICT', `session ${id} already exists`);
		const temp = path.join(this.sessionsRoot, `.${id}.tmp-${process.pid}-${Date.now()}`);
		try {
			fs.mkdirSync(temp, {mode: DIR_MODE});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
			ensureDir(this.sessionsRoot);
			fs.mkdirSync(temp, {mode: DIR_MODE});
		}

		try {
			// Plain writes: nobody sees the files before the directory is renamed into place (a cold capture creates thousands).
			const bytes = writeMessagesFile(path.join(temp, MESSAGES), session.messages);
			const manifest = withMessagesBytes(session.manifest, bytes);
			writeNewJson(path.join(temp, MANIFEST), manifest);
			if (session.workspace) writeNewJson(path.join(temp, WORKSPACE), session.workspace);
			if (session.tools) writeNewJson(path.join(temp, TOOLS), session.tools);
			fs.renameSync(temp, target);
			session.manifest = manifest;
		} catch (error) {
			fs.rmSync(temp, {recursive: true, force: true});
			if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') {
				throw new SfsError('CONFLICT', `session ${id} already exists`);
			}

			throw error;
		}
	}

	/**
	 * Appends messages, then commits the manifest (which records the new messages.jsonl length).
	 * A kill between the two leaves extra lines that `readMessagesAfter(capture.messages_bytes)` finds.
	 */
	appendMessages(sessionId: string, messages: Message[], manifest: Manifest): Manifest {
		const dir = this.dir(sessionId);
		const bytes = appendLines(path.join(dir, MESSAGES), messages.map(message => JSON.stringify(message)));
		const next = withMessagesBytes(manifest, bytes);
		writeJsonAtomic(path.join(dir, MANIFEST), next);
		return next;
	}

	writeManifest(sessionId: string, manifest: Manifest): void {
		writeJsonAtomic(path.join(this.dir(sessionId), MANIFEST), manifest, {durable: true});
	}

	/** Read-modify-write of a manifest (aliases, tags, titles), under the session's lock. */
	updateManifest(sessionId: string, change: (manifest: Manifest) => Manifest): Manifest {
		return this.withSessionLock(sessionId, () => {
			const next = change(this.readManifest(sessionId));
			this.writeManifest(sessionId, next);
			return next;
		});
	}

	/**
	 * Runs `fn` holding this session's lock, so that two processes' read-modify-writes of its
	 * manifest (the daemon committing captured messages, `sfs alias`/`tag`) never overwrite each
	 * other's change. Re-entrant within a process; a lock whose owner died is taken over.
	 */
	withSessionLock<T>(sessionId: string, fn: () => T): T {
		if (this.heldSessionLocks.has(sessionId)) return fn();
		this.dir(sessionId); // Refuses ids that could escape the store.
		const file = path.join(this.dataRoot, 'run', 'session-locks', `${sessionId}.lock`);
		return withLockSync(
			file,
			() => {
				this.heldSessionLocks.add(sessionId);
				try {
					return fn();
				} finally {
					this.heldSessionLocks.delete(sessionId);
				}
			},
			{what: `session ${sessionId}`},
		);
	}

	writeWorkspace(sessionId: string, workspace: Workspace): void {
		writeJsonAtomic(path.join(this.dir(sessionId), WORKSPACE), workspace);
	}

	writeTools(sessionId: string, tools: ToolsInfo): void {
		writeJsonAtomic(path.join(this.dir(sessionId), TOOLS), tools);
	}

	/**
	 * Deletes a session from sfs. A tombstone is written first, so capture never brings it back. A
	 * session whose manifest is damaged can be deleted too: its tombstone takes the tool and native id
	 * from `known` (the index's row), as the manifest cannot say them.
	 */
	delete(sessionId: string, known: {tool?: string; native_id?: string | null} = {}): void {
		let source: {tool?: string; native_id?: string | null};
		try {
			const manifest = this.readManifest(sessionId);
			source = {tool: manifest.source.tool, native_id: manifest.source.original_session_id};
		} catch (error) {
			if (!(error instanceof SfsError && error.code === 'INVALID_SESSION')) throw error;
			source = known;
		}

		const tombstone: Tombstone = {
			session_id: sessionId,
			tool: source.tool,
			native_id: source.native_id ?? undefined,
			deleted_at: new Date().toISOString(),
		};
		ensureDir(this.dataRoot);
		appendLines(this.tombstoneFile, [JSON.stringify(tombstone)]);
		const doomed = path.join(this.sessionsRoot, `.${sessionId}.tmp-deleted-${process.pid}`);
		fs.renameSync(this.dir(sessionId), doomed);
		fs.rmSync(doomed, {recursive: true, force: true});
	}

	tombstones(): Tombstone[] {
		let text: string;
		try {
			text = fs.readFileSync(this.tombstoneFile, 'utf8');
		} catch {
			return [];
		}

		const result: Tombstone[] = [];
		for (const line of text.split('\n')) {
			if (!line.trim()) continue;
			try {
				result.push(JSON.parse(line) as Tombstone);
			} catch {
				// A torn last line of a killed writer: not a committed tombstone.
			}
		}

		return result;
	}

	/** A new session with the messages up to and including `atMsgId` (all when absent). */
	fork(sessionId: string, atMsgId?: string, now = new Date()): Manifest {
		const source = this.readSession(sessionId);
		let messages = source.messages;
		if (atMsgId) {
			const at = messages.findIndex(message => message.msg_id === atMsgId);
			if (at === -1) throw new SfsError('NOT_FOUND', `message ${atMsgId} not found in ${sessionId}`);
			messages = messages.slice(0, at + 1);
		}

		const id = newSessionId();
		const {capture: _capture, alias: _alias, ...metadata} = source.manifest.metadata ?? {};
		const manifest: Manifest = {
			...source.manifest,
			// A fork mirrors no native session: keeping the native id would make it ambiguous as a <ref>
			// and would tombstone the original's native session when the fork is deleted.
			source: {...source.manifest.source, original_session_id: null, original_path: null},
			session_id: id,
			title: source.manifest.title ? `${source.manifest.title} (fork)` : 'fork',
			created_at: now.toISOString(),
			updated_at: now.toISOString(),
			parent_session_id: sessionId,
			checkpoint_count: 0,
			stats: {...source.manifest.stats, ...statsFor(messages)},
			metadata: {...metadata, fork: {from_session_id: sessionId, at_msg_id: atMsgId ?? messages.at(-1)?.msg_id ?? null, created_at: now.toISOString()}},
		};
		delete manifest.sync;
		this.createSession({manifest, messages, workspace: source.workspace, tools: source.tools});
		return manifest;
	}

	checkpointDir(sessionId: string, name: string): string {
		if (!isSafeSessionId(name)) throw new SfsError('USAGE', `not a valid checkpoint name: ${JSON.stringify(name)}`, {hint: 'use letters, digits, . _ -'});
		return path.join(this.dir(sessionId), CHECKPOINTS, name);
	}

	/** Copies manifest + messages into checkpoints/<name>/ (whole, via a temp dir). */
	checkpoint(sessionId: string, name: string): void {
		const target = this.checkpointDir(sessionId, name);
		if (fs.existsSync(target)) throw new SfsError('CONFLICT', `checkpoint ${name} already exists for ${sessionId}`, {hint: 'pick another name'});
		const manifest = this.readManifest(sessionId);
		const dir = this.dir(sessionId);
		ensureDir(path.dirname(target));
		const temp = `${path.dirname(target)}/.${name}.tmp-${process.pid}`;
		fs.rmSync(temp, {recursive: true, force: true});
		fs.mkdirSync(temp, {mode: DIR_MODE});
		fs.copyFileSync(path.join(dir, MESSAGES), path.join(temp, MESSAGES));
		writeJsonAtomic(path.join(temp, MANIFEST), manifest);
		fs.renameSync(temp, target);
		this.writeManifest(sessionId, {...manifest, checkpoint_count: (manifest.checkpoint_count ?? 0) + 1});
	}

	listCheckpoints(sessionId: string): Array<{name: string; created_at: string; message_count: number}> {
		const root = path.join(this.dir(sessionId), CHECKPOINTS);
		let names: string[];
		try {
			names = fs.readdirSync(root).filter(name => !name.startsWith('.'));
		} catch {
			return [];
		}

		return names.sort().map(name => {
			const stat = fs.statSync(path.join(root, name));
			const manifest = readOptionalJson<Manifest>(path.join(root, name, MANIFEST));
			return {name, created_at: stat.mtime.toISOString(), message_count: manifest?.stats?.message_count ?? 0};
		});
	}

	/** A new session made from a checkpoint; the original is never rewritten. */
	restoreCheckpoint(sessionId: string, name: string, now = new Date()): Manifest {
		const dir = this.checkpointDir(sessionId, name);
		if (!fs.existsSync(dir)) throw new SfsError('NOT_FOUND', `checkpoint ${name} not found for ${sessionId}`, {hint: `see: sfs checkpoint list ${sessionId}`});
		const saved = readOptionalJson<Manifest>(path.join(dir, MANIFEST));
		if (!saved) throw new SfsError('INVALID_SESSION', `checkpoint ${name} has no readable manifest`);
		const {messages} = parseMessages(fs.readFileSync(path.join(dir, MESSAGES)));
		const id = newSessionId();
		const {capture: _capture, alias: _alias, ...metadata} = saved.metadata ?? {};
		const manifest: Manifest = {
			...saved,
			source: {...saved.source, original_session_id: null, original_path: null},
			session_id: id,
			title: `${saved.title ?? sessionId} (checkpoint ${name})`,
			created_at: now.toISOString(),
			updated_at: now.toISOString(),
			parent_session_id: sessionId,
			checkpoint_count: 0,
			stats: {...saved.stats, ...statsFor(messages)},
			metadata: {...metadata, checkpoint: {from_session_id: sessionId, name}},
		};
		this.createSession({manifest, messages, workspace: this.readWorkspace(sessionId), tools: this.readTools(sessionId)});
		return manifest;
	}

	/** Every readable session, for rebuilding the index; broken ones are reported through `onProblem` and skipped. */
	*loadAll(onProblem?: (sessionId: string, reason: string) => void): Iterable<{manifest: Manifest; messages: Message[]}> {
		for (const id of this.listIds()) {
			try {
				const manifest = this.readManifest(id);
				const {messages, badLines} = this.readMessages(id);
				if (badLines.length > 0) onProblem?.(id, `${badLines.length} unreadable line(s) in messages.jsonl (line ${badLines[0]})`);
				yield {manifest, messages};
			} catch (error) {
				onProblem?.(id, error instanceof Error ? error.message : String(error));
			}
		}
	}

	writeRaw(sessionId: string, relative: string, data: string): void {
		writeFileAtomic(path.join(this.dir(sessionId), relative), data);
	}
}

/**
 * New messages.jsonl files are written through this one buffer in pieces: a big session is never held
 * as one string, and a cold capture (1.8 GB of lines at large) does not allocate a joined string and a
 * new Buffer per piece (garbage that kept the capture thread's heap and malloc arena large).
 */
const WRITE_CHUNK_BYTES = 1 << 20;
let writeChunk: Buffer | undefined;

function writeAll(fd: number, buffer: Buffer, length: number): void {
	let written = 0;
	while (written < length) written += fs.writeSync(fd, buffer, written, length - written);
}

/** The same bytes writeJsonAtomic writes, to a file that must not exist yet. */
function writeNewJson(file: string, value: unknown): void {
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, {mode: FILE_MODE, flag: 'wx'});
}

/** Writes a new messages.jsonl (one JSON line per message) and returns its size. */
function writeMessagesFile(file: string, messages: Message[]): number {
	const fd = fs.openSync(file, 'wx', FILE_MODE);
	try {
		const chunk = (writeChunk ??= Buffer.allocUnsafe(WRITE_CHUNK_BYTES));
		let bytes = 0;
		let used = 0;
		for (const message of messages) {
			const line = `${JSON.stringify(message)}\n`;
			// A UTF-16 code unit takes at most 3 bytes in UTF-8: a line that fits by that bound is copied whole.
			if (line.length * 3 > chunk.length - used) {
				writeAll(fd, chunk, used);
				bytes += used;
				used = 0;
				if (line.length * 3 > chunk.length) {
					const big = Buffer.from(line, 'utf8');
					writeAll(fd, big, big.length);
					bytes += big.length;
					continue;
				}
			}

			used += chunk.write(line, used, 'utf8');
		}

		writeAll(fd, chunk, used);
		return bytes + used;
	} finally {
		fs.closeSync(fd);
	}
}

function withMessagesBytes(manifest: Manifest, bytes: number): Manifest {
	const capture = manifest.metadata?.capture;
	if (!capture) return manifest;
	return {...manifest, metadata: {...manifest.metadata, capture: {...capture, messages_bytes: bytes}}};
}

export function parseMessages(buffer: Buffer): MessagesRead {
	const messages: Message[] = [];
	const badLines: number[] = [];
	let start = 0;
	let lineNumber = 0;
	for (;;) {
		const newline = buffer.indexOf(10, start);
		if (newline === -1) break; // A torn last line (writer killed mid-append) is not a committed message.
		lineNumber++;
		const line = buffer.toString('utf8', start, newline);
		start = newline + 1;
		if (!line.trim()) continue;
		try {
			const value = JSON.parse(line) as unknown;
			// A line of valid JSON that is not an object (`null`, `42`, `[]`) is no message either.
			if (value && typeof value === 'object' && !Array.isArray(value)) messages.push(value as Message);
			else badLines.push(lineNumber);
		} catch {
			badLines.push(lineNumber);
		}
	}

	return {messages, badLines, bytes: buffer.length};
}

function readOptionalJson<T>(file: string): T | undefined {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
	} catch {
		return undefined;
	}
}
