/**
 * Where Copilot CLI keeps sessions: `$COPILOT_HOME` (default `~/.copilot`) holds
 * `session-state/<id>/events.jsonl` (+ `workspace.yaml`), flat `session-state/<id>.jsonl` event logs
 * (earlier builds), and `history-session-state/<id>.json` (≤ 0.0.341, one JSON document per session).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {listDir, statInto} from './discover-fs.js';
import type {AdapterContext, FileStat, NativeSession} from './types.js';

export function copilotHome(ctx: AdapterContext): string {
	const override = ctx.env.COPILOT_HOME;
	return override && override.length > 0 ? override : path.join(ctx.home, '.copilot');
}

export function copilotRoots(ctx: AdapterContext): string[] {
	const home = copilotHome(ctx);
	return [path.join(home, 'session-state'), path.join(home, 'history-session-state')];
}

function entries(dir: string): Array<{name: string; isDirectory: boolean; isFile: boolean}> {
	return listDir(dir).map(entry => ({name: entry.name, isDirectory: entry.isDirectory(), isFile: entry.isFile()}));
}

async function mtimeOf(file: string): Promise<number | undefined> {
	try {
		const stat = await fs.stat(file);
		return stat.isFile() ? stat.mtimeMs : undefined;
	} catch {
		return undefined;
	}
}

/** Lists sessions in every known layout. Never throws; a missing root yields nothing. */
export async function discoverCopilot(ctx: AdapterContext): Promise<NativeSession[]> {
	const sessions: NativeSession[] = [];
	const [stateDir, historyDir] = copilotRoots(ctx);
	for (const entry of entries(stateDir)) {
		const stats: Record<string, FileStat> = {};
		if (entry.isDirectory) {
			const events = path.join(stateDir, entry.name, 'events.jsonl');
			const mtimeMs = statInto(stats, events)?.mtimeMs;
			// `copilot --resume` can leave an empty session directory behind: nothing to capture there.
			if (mtimeMs === undefined) continue;
			const files = [events];
			const workspace = path.join(stateDir, entry.name, 'workspace.yaml');
			if (statInto(stats, workspace)) files.push(workspace);
			sessions.push({tool: 'copilot', nativeId: entry.name, files, growth: 'append', mtimeMs, stats});
		} else if (entry.isFile && entry.name.endsWith('.jsonl')) {
			const file = path.join(stateDir, entry.name);
			sessions.push({tool: 'copilot', nativeId: entry.name.replace(/\.jsonl$/, ''), files: [file], growth: 'append', mtimeMs: statInto(stats, file)?.mtimeMs, stats});
		}
	}

	for (const entry of entries(historyDir)) {
		if (!entry.isFile || !entry.name.endsWith('.json')) continue;
		const file = path.join(historyDir, entry.name);
		const stats: Record<string, FileStat> = {};
		sessions.push({tool: 'copilot', nativeId: entry.name.replace(/\.json$/, ''), files: [file], growth: 'rewrite', mtimeMs: statInto(stats, file)?.mtimeMs, stats});
	}

	return sessions;
}

/**
 * Parses the flat `workspace.yaml` Copilot writes (`key: value` lines). Nested or multi-line values
 * are kept as raw text under their key rather than interpreted.
 */
export function parseWorkspaceYaml(text: string): Record<string, string | number | boolean | null> {
	const out: Record<string, string | number | boolean | null> = {};
	let lastKey: string | undefined;
	for (const line of text.split(/\r?\n/)) {
		if (line.trim().length === 0 || line.trimStart().startsWith('#')) continue;
		const match = /^([A-Za-z_][\w.-]*):\s*(.*)$/.exec(line);
		if (!match) {
			if (lastKey !== undefined) out[lastKey] = `${String(out[lastKey] ?? '')}\n${line}`.replace(/^\n/, '');
			continue;
		}

		const [, key, raw] = match;
		lastKey = key;
		const value = raw.trim();
		out[key] = scalar(value.startsWith('"') || value.startsWith("'") ? value : value.replace(/\s+#.*$/, ''));
	}

	return out;
}

function scalar(raw: string): string | number | boolean | null {
	if (raw === '' || raw === '~' || raw === 'null') return raw === '' ? '' : null;
	if (raw === 'true') return true;
	if (raw === 'false') return false;
	if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
	if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
		try {
			return JSON.parse(raw) as string;
		} catch {
			return raw.slice(1, -1);
		}
	}

	if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1).replaceAll("''", "'");
	return raw;
}

/** A NativeSession for one file given by path (`sfs import --from copilot <file>`): an events.jsonl, a flat log or a legacy document. */
export async function copilotSessionForFile(file: string): Promise<NativeSession> {
	const absolute = path.resolve(file);
	if (absolute.endsWith('.json')) {
		return {tool: 'copilot', nativeId: path.basename(absolute, '.json'), files: [absolute], growth: 'rewrite', mtimeMs: await mtimeOf(absolute)};
	}

	if (path.basename(absolute) === 'events.jsonl') {
		const workspace = path.join(path.dirname(absolute), 'workspace.yaml');
		const files = (await mtimeOf(workspace)) === undefined ? [absolute] : [absolute, workspace];
		return {tool: 'copilot', nativeId: path.basename(path.dirname(absolute)), files, growth: 'append', mtimeMs: await mtimeOf(absolute)};
	}

	return {tool: 'copilot', nativeId: path.basename(absolute).replace(/\.jsonl$/, ''), files: [absolute], growth: 'append', mtimeMs: await mtimeOf(absolute)};
}
