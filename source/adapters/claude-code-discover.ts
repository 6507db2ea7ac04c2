/**
 * Where Claude Code keeps transcripts and how to list them (readdir/stat only, never throws).
 * Layout: `<root>/projects/<sanitized cwd>/<sessionId>.jsonl`; sub-agents under
 * `<sessionId>/subagents/[workflows/<runId>/]agent-<agentId>.jsonl` (+ `.meta.json`), or, in 2.0.x,
 * `agent-<agentId>.jsonl` beside the sessions.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {listDir, statInto} from './discover-fs.js';
import type {AdapterContext, FileStat, NativeSession} from './types.js';

/** `projects/` directories: `$CLAUDE_CONFIG_DIR` (comma-separated allowed), `~/.claude`, `~/.config/claude`. */
export function claudeProjectRoots(ctx: AdapterContext): string[] {
	const roots: string[] = [];
	const configured = ctx.env.CLAUDE_CONFIG_DIR;
	if (configured) {
		for (const part of configured.split(',')) if (part.trim()) roots.push(path.resolve(part.trim(), 'projects'));
	}

	roots.push(path.join(ctx.home, '.claude', 'projects'));
	const xdg = ctx.env.XDG_CONFIG_HOME && ctx.env.XDG_CONFIG_HOME.length > 0 ? ctx.env.XDG_CONFIG_HOME : path.join(ctx.home, '.config');
	roots.push(path.join(xdg, 'claude', 'projects'));
	return [...new Set(roots)];
}

/** The sub-agent's native id: unique, and tells which session spawned it. */
export function subagentNativeId(parentId: string, agentId: string): string {
	return `${parentId}:agent-${agentId}`;
}

/** Reads the `sessionId` from the first lines of a 2.0.x sibling agent file (first 64 KB only). */
async function sessionIdInHead(file: string): Promise<string | undefined> {
	try {
		const handle = await fs.open(file, 'r');
		try {
			const buffer = Buffer.alloc(64 * 1024);
			const {bytesRead} = await handle.read(buffer, 0, buffer.length, 0);
			for (const line of buffer.subarray(0, bytesRead).toString('utf8').split('\n')) {
				const match = /"sessionId"\s*:\s*"([^"]+)"/.exec(line);
				if (match) return match[1];
			}
		} finally {
			await handle.close();
		}
	} catch {}

	return undefined;
}

function subagentSessions(dir: string, parentId: string, depth: number): NativeSession[] {
	const found: NativeSession[] = [];
	for (const entry of listDir(dir)) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory() && depth < 3) {
			found.push(...subagentSessions(full, parentId, depth + 1));
			continue;
		}

		const match = /^agent-(.+)\.jsonl$/.exec(entry.name);
		if (!entry.isFile() || !match) continue;
		const agentId = match[1];
		const meta = full.replace(/\.jsonl$/, '.meta.json');
		const stats: Record<string, FileStat> = {};
		const mtimeMs = statInto(stats, full)?.mtimeMs;
		found.push({
			tool: 'claude-code',
			nativeId: subagentNativeId(parentId, agentId),
			files: statInto(stats, meta) ? [full, meta] : [full],
			growth: 'append',
			parentNativeId: parentId,
			agentId,
			mtimeMs,
			stats,
		});
	}

	return found;
}

export async function discoverClaudeSessions(ctx: AdapterContext, roots: string[], warnings: string[] = []): Promise<NativeSession[]> {
	const sessions: NativeSession[] = [];
	const seen = new Set<string>();
	for (const root of roots) {
		for (const project of listDir(root, warnings)) {
			if (!project.isDirectory()) continue;
			const projectDir = path.join(root, project.name);
			for (const entry of listDir(projectDir, warnings)) {
				const full = path.join(projectDir, entry.name);
				if (entry.isDirectory()) {
					// `<sessionId>/subagents/…`; the main transcript may not exist (yet) beside it.
					sessions.push(...subagentSessions(path.join(full, 'subagents'), entry.name, 0));
					continue;
				}

				if (!entry.isFile() || !entry.name.endsWith('.jsonl')) continue;
				const agent = /^agent-(.+)\.jsonl$/.exec(entry.name);
				if (agent) {
					const parent = (await sessionIdInHead(full)) ?? 'unknown';
					const stats: Record<string, FileStat> = {};
					sessions.push({
						tool: 'claude-code',
						nativeId: subagentNativeId(parent, agent[1]),
						files: [full],
						growth: 'append',
						parentNativeId: parent,
						agentId: agent[1],
						mtimeMs: statInto(stats, full)?.mtimeMs,
						stats,
					});
					continue;
				}

				const nativeId = entry.name.slice(0, -'.jsonl'.length);
				// The same session under two roots (e.g. a symlinked config dir): keep the first.
				if (seen.has(nativeId)) continue;
				seen.add(nativeId);
				const stats: Record<string, FileStat> = {};
				sessions.push({tool: 'claude-code', nativeId, files: [full], growth: 'append', mtimeMs: statInto(stats, full)?.mtimeMs, stats});
			}
		}
	}

	return sessions;
}
