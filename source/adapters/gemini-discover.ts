/**
 * Where Gemini CLI keeps sessions and how they are found:
 * `<home>/.gemini/tmp/<project>/chats/session-*.jsonl|json` (main sessions) and
 * `chats/<parentSessionId>/<subagentSessionId>.jsonl` (subagents), where `<home>` is
 * `$GEMINI_CLI_HOME` when set (Gemini's own `homedir()` override), else HOME.
 * `<project>` is a slug registered in `projects.json` (v0.29+) or the SHA-256 of the project root (older).
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {listDir, statFile} from './discover-fs.js';
import type {AdapterContext, NativeSession} from './types.js';
import {isObject} from './gemini-parts.js';

export function geminiDir(ctx: AdapterContext): string {
	const override = ctx.env.GEMINI_CLI_HOME;
	return path.join(override && override.length > 0 ? override : ctx.home, '.gemini');
}

export function geminiTmpDir(ctx: AdapterContext): string {
	return path.join(geminiDir(ctx), 'tmp');
}

function readDirNames(dir: string): Array<{name: string; isDirectory: boolean; isFile: boolean}> {
	return listDir(dir).map(entry => ({name: entry.name, isDirectory: entry.isDirectory(), isFile: entry.isFile()}));
}

/** Reads the first bytes of a session file to find its `sessionId` (first line of JSONL, first key of legacy JSON). */
async function peekSessionId(file: string): Promise<string | undefined> {
	let handle: fs.FileHandle | undefined;
	try {
		handle = await fs.open(file, 'r');
		const buffer = Buffer.alloc(8192);
		const {bytesRead} = await handle.read(buffer, 0, buffer.length, 0);
		const head = buffer.toString('utf8', 0, bytesRead);
		const match = /"sessionId"\s*:\s*"([^"\\]{1,200})"/.exec(head);
		return match?.[1];
	} catch {
		return undefined;
	} finally {
		await handle?.close();
	}
}

type CachedId = {ino: number; sessionId: string};

async function sessionIdOf(file: string, ino: number, ctx: AdapterContext): Promise<string | undefined> {
	const key = `gemini:session-id:${file}`;
	const cached = ctx.cache.get(key) as CachedId | undefined;
	if (cached && cached.ino === ino) return cached.sessionId;
	const sessionId = await peekSessionId(file);
	if (sessionId) ctx.cache.set(key, {ino, sessionId} satisfies CachedId);
	return sessionId;
}

async function sessionFor(file: string, fallbackId: string, ctx: AdapterContext, extra: Partial<NativeSession>): Promise<NativeSession | undefined> {
	const stat = statFile(file);
	if (!stat) return undefined;
	const nativeId = (await sessionIdOf(file, stat.ino, ctx)) ?? fallbackId;
	return {tool: 'gemini', nativeId, files: [file], growth: file.endsWith('.jsonl') ? 'append' : 'rewrite', mtimeMs: stat.mtimeMs, stats: {[file]: stat}, ...extra};
}

/** Lists every main and subagent session file under `tmp/`. Never throws. */
export async function discoverGemini(ctx: AdapterContext): Promise<NativeSession[]> {
	const sessions: NativeSession[] = [];
	const tmp = geminiTmpDir(ctx);
	for (const project of readDirNames(tmp)) {
		if (!project.isDirectory) continue;
		const chats = path.join(tmp, project.name, 'chats');
		const entries = readDirNames(chats);
		const names = new Set(entries.map(entry => entry.name));
		const mainSessions: NativeSession[] = [];
		for (const entry of entries) {
			if (entry.isFile && entry.name.startsWith('session-') && (entry.name.endsWith('.jsonl') || entry.name.endsWith('.json'))) {
				// A legacy .json resumed by v0.39+ is migrated to a sibling .jsonl holding the same messages: read that one.
				if (entry.name.endsWith('.json') && names.has(`${entry.name}l`)) continue;
				const session = await sessionFor(path.join(chats, entry.name), entry.name.replace(/\.jsonl?$/, ''), ctx, {});
				if (session) mainSessions.push(session);
			} else if (entry.isDirectory) {
				for (const sub of readDirNames(path.join(chats, entry.name))) {
					if (!sub.isFile || !sub.name.endsWith('.jsonl')) continue;
					const agentId = sub.name.replace(/\.jsonl$/, '');
					const session = await sessionFor(path.join(chats, entry.name, sub.name), agentId, ctx, {parentNativeId: entry.name, agentId});
					if (session) sessions.push(session);
				}
			}
		}

		sessions.push(...mergeBySessionId(mainSessions));
	}

	return sessions;
}

/**
 * Starting a resumed session, Gemini first creates a fresh `session-<now>-<id8>.jsonl` (metadata line and
 * context turn) with the same session id, then keeps writing to the original file. (Within the same minute
 * the name is the same, so it lands in the original file instead.) Files of one session id are read as one
 * session, the earliest name first.
 */
function mergeBySessionId(candidates: NativeSession[]): NativeSession[] {
	const byId = new Map<string, NativeSession[]>();
	for (const session of candidates) byId.set(session.nativeId, [...(byId.get(session.nativeId) ?? []), session]);
	const merged: NativeSession[] = [];
	for (const group of byId.values()) {
		const logs = group.filter(session => session.growth === 'append').sort((a, b) => a.files[0].localeCompare(b.files[0]));
		merged.push(...group.filter(session => session.growth !== 'append'));
		if (logs.length === 0) continue;
		merged.push({
			...logs[0],
			files: logs.map(session => session.files[0]),
			mtimeMs: Math.max(...logs.map(session => session.mtimeMs ?? 0)),
			stats: Object.assign({}, ...logs.map(session => session.stats)) as NativeSession['stats'],
		});
	}

	return merged;
}

async function readText(file: string): Promise<string | undefined> {
	try {
		return await fs.readFile(file, 'utf8');
	} catch {
		return undefined;
	}
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/**
 * The project root (cwd) a session ran in, from the project directory's `.project_root` marker,
 * the `projects.json` registry, or (hash-named directories and `projectHash`) the SHA-256 of a known root.
 */
export async function projectRootFor(ctx: AdapterContext, sessionFile: string, projectHash?: string): Promise<string | undefined> {
	const chatsDir = path.basename(path.dirname(path.dirname(sessionFile))) === 'chats' ? path.dirname(path.dirname(sessionFile)) : path.dirname(sessionFile);
	const projectDir = path.dirname(chatsDir);
	const projectDirName = path.basename(projectDir);

	const marker = (await readText(path.join(projectDir, '.project_root')))?.trim();
	if (marker) return marker;

	const roots: Record<string, string> = {};
	const registryText = await readText(path.join(geminiDir(ctx), 'projects.json'));
	if (registryText) {
		try {
			const registry = JSON.parse(registryText) as unknown;
			if (isObject(registry) && isObject(registry.projects)) {
				for (const [root, slug] of Object.entries(registry.projects)) if (typeof slug === 'string') roots[root] = slug;
			}
		} catch {
			// A damaged registry only costs us the cwd.
		}
	}

	for (const [root, slug] of Object.entries(roots)) {
		if (slug === projectDirName) return root;
	}

	for (const root of Object.keys(roots)) {
		const hash = sha256(root);
		if (hash === projectDirName || hash === projectHash) return root;
	}

	return undefined;
}

/** A NativeSession for one session file given by path (`sfs import --from gemini <file>`). */
export async function geminiSessionForFile(file: string, ctx: AdapterContext): Promise<NativeSession> {
	const absolute = path.resolve(file);
	const parent = path.basename(path.dirname(absolute));
	const isSubagent = !path.basename(absolute).startsWith('session-') && path.basename(path.dirname(path.dirname(absolute))) === 'chats';
	const stem = path.basename(absolute).replace(/\.jsonl?$/, '');
	const session = await sessionFor(absolute, stem, ctx, isSubagent ? {parentNativeId: parent, agentId: stem} : {});
	return session ?? {tool: 'gemini', nativeId: stem, files: [absolute], growth: absolute.endsWith('.jsonl') ? 'append' : 'rewrite'};
}

type PromptLogIds = {size: number; mtimeMs: number; sessionIds: string[]};

/**
 * Whether a session ran headless (`gemini -p`, piped input). Gemini's interactive UI logs every prompt
 * to `tmp/<project>/logs.json` ({sessionId, messageId, type, message, timestamp}); the non-interactive
 * path never writes it. So a session id absent from that log is headless. Undefined when it cannot tell.
 */
export async function isHeadlessSession(ctx: AdapterContext, sessionFile: string, sessionId: string | undefined): Promise<boolean | undefined> {
	if (!sessionId) return undefined;
	const chatsDir = path.basename(path.dirname(path.dirname(sessionFile))) === 'chats' ? path.dirname(path.dirname(sessionFile)) : path.dirname(sessionFile);
	if (path.basename(chatsDir) !== 'chats') return undefined;
	const logFile = path.join(path.dirname(chatsDir), 'logs.json');
	let stat;
	try {
		stat = await fs.stat(logFile);
	} catch {
		// No prompt log at all: headless, if this is a complete project dir (v0.29+ writes a `.project_root` marker).
		return statFile(path.join(path.dirname(chatsDir), '.project_root')) ? true : undefined;
	}

	const key = `gemini:prompt-log:${logFile}`;
	let cached = ctx.cache.get(key) as PromptLogIds | undefined;
	if (!cached || cached.size !== stat.size || cached.mtimeMs !== stat.mtimeMs) {
		const text = await readText(logFile);
		let entries: unknown;
		try {
			entries = text === undefined ? undefined : JSON.parse(text);
		} catch {
			return undefined;
		}

		if (!Array.isArray(entries)) return undefined;
		const ids = new Set(entries.filter(isObject).map(entry => entry.sessionId).filter((id): id is string => typeof id === 'string'));
		cached = {size: stat.size, mtimeMs: stat.mtimeMs, sessionIds: [...ids]};
		ctx.cache.set(key, cached);
	}

	return !cached.sessionIds.includes(sessionId);
}
