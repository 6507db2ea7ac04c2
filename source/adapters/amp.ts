/**
 * Amp (ampcode.com). Capture-only: Amp keeps threads on its servers today; what can be read locally are the
 * legacy thread files (`$XDG_DATA_HOME/amp/threads/T-*.json`, older VS Code extension builds:
 * `<editor>/User/globalStorage/sourcegraph.amp/threads3/*.json`) and `amp threads export` output, which share
 * one JSON shape. Each file is rewritten whole, so every read is a full read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {listDir, statFile} from './discover-fs.js';
import type {ReadRequest, ReadResult, Adapter, AdapterContext, NativeSession} from './types.js';
import {readJsonFile} from './jsonl.js';

const THREAD_FILE = /^(T-[0-9A-Za-z-]+?)(?:\.[^/]*)?\.json$/;
const EDITORS = ['Code', 'Code - Insiders', 'Cursor', 'Windsurf', 'VSCodium'];

function dataHome(ctx: AdapterContext): string {
	return ctx.env.XDG_DATA_HOME && ctx.env.XDG_DATA_HOME.length > 0 ? ctx.env.XDG_DATA_HOME : path.join(ctx.home, '.local', 'share');
}

function editorUserDirs(ctx: AdapterContext): string[] {
	const base =
		ctx.platform === 'darwin'
			? path.join(ctx.home, 'Library', 'Application Support')
			: ctx.platform === 'win32' && ctx.env.APPDATA
				? ctx.env.APPDATA
				: ctx.env.XDG_CONFIG_HOME && ctx.env.XDG_CONFIG_HOME.length > 0
					? ctx.env.XDG_CONFIG_HOME
					: path.join(ctx.home, '.config');
	return EDITORS.map(editor => path.join(base, editor, 'User'));
}

/** The native thread id a file name implies (`T-<uuid>.json`, also `T-<uuid>.<anything>.json` for exports). */
export function threadIdFromFileName(filePath: string): string | undefined {
	return THREAD_FILE.exec(path.basename(filePath))?.[1];
}

/** A NativeSession for one Amp thread file anywhere on disk (for `sfs import --from amp <file>`). */
export async function ampSessionForFile(filePath: string): Promise<NativeSession> {
	const stat = await fs.stat(filePath);
	let nativeId = threadIdFromFileName(filePath);
	if (!nativeId) {
		const {value} = await readJsonFile(filePath);
		const id = typeof value === 'object' && value !== null ? (value as {id?: unknown}).id : undefined;
		nativeId = typeof id === 'string' && id.length > 0 ? id : path.basename(filePath, '.json');
	}

	return {tool: 'amp', nativeId, files: [path.resolve(filePath)], growth: 'rewrite', mtimeMs: stat.mtimeMs};
}

function listThreadFiles(dir: string, requirePrefix: boolean): NativeSession[] {
	const names = listDir(dir).map(entry => entry.name);

	const sessions: NativeSession[] = [];
	for (const name of names.sort()) {
		if (!name.endsWith('.json')) continue;
		const nativeId = threadIdFromFileName(name) ?? (requirePrefix ? undefined : name.slice(0, -'.json'.length));
		if (!nativeId) continue;
		const file = path.join(dir, name);
		// Vanished between readdir and stat (or not a file): nothing to capture.
		const stat = statFile(file);
		if (stat) sessions.push({tool: 'amp', nativeId, files: [file], growth: 'rewrite', mtimeMs: stat.mtimeMs, stats: {[file]: stat}});
	}

	return sessions;
}

export const ampAdapter: Adapter = {
	id: 'amp',
	name: 'Amp',

	roots(ctx) {
		return [path.join(dataHome(ctx), 'amp', 'threads'), ...editorUserDirs(ctx).map(dir => path.join(dir, 'globalStorage', 'sourcegraph.amp', 'threads3'))];
	},

	async discover(ctx) {
		const [central, ...editors] = this.roots(ctx);
		const found = listThreadFiles(central!, true);
		const seen = new Set(found.map(session => session.nativeId));
		for (const dir of editors) {
			// The central directory wins when both hold the same thread (the extension migrated into it).
			for (const session of listThreadFiles(dir, false)) {
				if (seen.has(session.nativeId)) continue;
				seen.add(session.nativeId);
				found.push(session);
			}
		}

		return found;
	},

	async read(request: ReadRequest, ctx: AdapterContext): Promise<ReadResult> {
		const file = request.session.files[0];
		if (!file) throw new Error('amp: session has no file');
		const {value, cursor, warning} = await readJsonFile(file);
		const base: ReadResult = {mode: 'full', messages: [], info: {}, cursors: {[file]: cursor}, warnings: [], unknownRecords: {}, recordsParsed: 0};
		// Capture already names the file: the warnings say only its base name.
		const name = path.basename(file);
		if (value === undefined) return {...base, warnings: warning ? [warning.replace(file, name)] : []};
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			return {...base, warnings: [`${name}: not an Amp thread (top level is not an object), skipped`]};
		}

		const {mapThread} = await import('./amp-thread.js');
		const mapped = mapThread(value as Record<string, unknown>, {nativeId: request.session.nativeId, fallbackTime: new Date(cursor.mtime_ms || ctx.now().getTime()).toISOString()});
		const result: ReadResult = {
			...base,
			messages: mapped.messages,
			info: mapped.info,
			warnings: [...(warning ? [warning.replace(file, name)] : []), ...mapped.warnings.map(line => `${name}: ${line}`)],
			unknownRecords: mapped.unknownRecords,
			recordsParsed: mapped.recordsParsed,
		};
		if (mapped.workspace) result.workspace = mapped.workspace;
		if (mapped.toolsUsed.length > 0) result.tools = {tools_used: mapped.toolsUsed};
		return result;
	},
};
