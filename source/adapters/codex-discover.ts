/**
 * Where Codex keeps rollouts and how to list them: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`
 * (or `.jsonl.zst` once compressed), legacy flat `sessions/rollout-*.jsonl`, and `archived_sessions/`.
 * Sub-agent threads are their own rollouts whose `session_meta.source` names the parent thread.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {listDir, statFile} from './discover-fs.js';
import type {AdapterContext, FileStat, NativeSession} from './types.js';

export function codexHome(ctx: AdapterContext): string {
	const configured = ctx.env.CODEX_HOME;
	return configured && configured.length > 0 ? path.resolve(configured) : path.join(ctx.home, '.codex');
}

export function codexRoots(ctx: AdapterContext): string[] {
	const home = codexHome(ctx);
	return [path.join(home, 'sessions'), path.join(home, 'archived_sessions')];
}

const ROLLOUT_NAME = /^rollout-.*\.jsonl(?:\.zst)?$/;
const UUID = /[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}/gi;

/**
 * The thread id in a rollout file name: `rollout-<local time>-<uuid>.jsonl`. After a rewind in the TUI, Codex
 * 0.169 continues the same thread (same session_meta id) in `rollout-<time>-<thread uuid>_<new uuid>.jsonl`,
 * so the first UUID names the thread.
 */
export function threadIdFromFileName(fileName: string): string {
	const matches = fileName.match(UUID);
	if (matches && matches.length > 0) return matches[0]!.toLowerCase();
	return fileName.replace(/\.jsonl(?:\.zst)?$/, '').replace(/^rollout-/, '');
}

/** A rollout's name without `.jsonl[.zst]`: the same before and after compression or archiving. */
export function rolloutStem(file: string): string {
	return path.basename(file).replace(/\.jsonl(?:\.zst)?$/, '');
}

function rolloutFiles(dir: string, depth: number): string[] {
	const files: string[] = [];
	for (const entry of listDir(dir)) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory() && depth < 3) files.push(...rolloutFiles(full, depth + 1));
		else if (entry.isFile() && ROLLOUT_NAME.test(entry.name)) files.push(full);
	}

	return files;
}

export type HeadFacts = {parentThreadId?: string; agentNickname?: string};

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parent thread of a sub-agent rollout, from its first line (session_meta); undefined when the line is not JSON (yet). */
export function headFacts(firstLine: string): HeadFacts | undefined {
	try {
		const value: unknown = JSON.parse(firstLine);
		const payload = isRecord(value) && isRecord(value.payload) ? value.payload : undefined;
		if (!payload) return {};
		const source = payload.source;
		const spawn = isRecord(source) && isRecord(source.subagent) && isRecord(source.subagent.thread_spawn) ? source.subagent.thread_spawn : undefined;
		const parent = typeof spawn?.parent_thread_id === 'string' ? spawn.parent_thread_id : typeof payload.parent_thread_id === 'string' ? payload.parent_thread_id : undefined;
		return {parentThreadId: parent, agentNickname: typeof payload.agent_nickname === 'string' ? payload.agent_nickname : undefined};
	} catch {
		return undefined;
	}
}

/** The first line of a rollout (up to 4 MB; session_meta carries ~20 KB of instructions). */
async function firstLine(file: string): Promise<string | undefined> {
	try {
		if (file.endsWith('.zst')) {
			const {zstdLines} = await import('./zstd-lines.js');
			// Only up to the first line: the rest is not decompressed.
			return zstdLines(await fs.readFile(file), () => false).lines[0]?.text;
		}

		const handle = await fs.open(file, 'r');
		try {
			const chunks: Buffer[] = [];
			let position = 0;
			while (position < 4 * 1024 * 1024) {
				const buffer = Buffer.alloc(64 * 1024);
				const {bytesRead} = await handle.read(buffer, 0, buffer.length, position);
				if (bytesRead === 0) break;
				const chunk = buffer.subarray(0, bytesRead);
				const newline = chunk.indexOf(10);
				if (newline !== -1) {
					chunks.push(chunk.subarray(0, newline));
					break;
				}

				chunks.push(chunk);
				position += bytesRead;
			}

			return Buffer.concat(chunks).toString('utf8');
		} finally {
			await handle.close();
		}
	} catch {
		return undefined;
	}
}

export async function discoverCodexSessions(ctx: AdapterContext): Promise<NativeSession[]> {
	// stem → the file to read (plain beats compressed: Codex materialises `.jsonl.zst` back before appending).
	const byStem = new Map<string, {file: string; stat: FileStat}>();
	for (const root of codexRoots(ctx)) {
		for (const file of rolloutFiles(root, 0)) {
			const stat = statFile(file);
			if (!stat) continue;
			const stem = rolloutStem(file);
			const existing = byStem.get(stem);
			if (existing && (file.endsWith('.zst') || !existing.file.endsWith('.zst'))) continue;
			byStem.set(stem, {file, stat});
		}
	}

	// One native session per thread: its first rollout plus the files a rewind continued it in, oldest first.
	const byThread = new Map<string, Array<{file: string; stat: FileStat}>>();
	// One collator for the whole sort: the same order as localeCompare, without its per-call set-up (10 ms at 2,000 rollouts).
	const collator = new Intl.Collator();
	for (const [stem, entry] of [...byStem.entries()].sort(([a], [b]) => collator.compare(a, b))) {
		const thread = threadIdFromFileName(stem);
		byThread.set(thread, [...(byThread.get(thread) ?? []), entry]);
	}

	const sessions: NativeSession[] = [];
	for (const [nativeId, entries] of byThread) {
		const first = entries[0]!;
		// The first line never changes (append-only), so the parent link is cached per file identity.
		const cacheKey = `codex:head:${first.file}:${first.stat.ino}:${first.stat.birthtimeMs}`;
		let facts = ctx.cache.get(cacheKey) as HeadFacts | undefined;
		if (!facts) {
			const line = await firstLine(first.file);
			facts = line ? headFacts(line) : undefined;
			if (facts) ctx.cache.set(cacheKey, facts);
			facts ??= {};
		}

		const last = entries.at(-1)!;
		const session: NativeSession = {
			tool: 'codex',
			nativeId,
			files: entries.map(entry => entry.file),
			growth: last.file.endsWith('.zst') ? 'rewrite' : 'append',
			mtimeMs: Math.max(...entries.map(entry => entry.stat.mtimeMs)),
			stats: Object.fromEntries(entries.map(entry => [entry.file, entry.stat])),
		};
		if (facts.parentThreadId) {
			session.parentNativeId = facts.parentThreadId;
			session.agentId = nativeId;
		}

		sessions.push(session);
	}

	return sessions;
}
