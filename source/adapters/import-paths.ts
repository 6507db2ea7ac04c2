/**
 * `sfs import --from <tool> <path>`: the native sessions in one file or folder that is not (or not
 * only) in the tool's usual store — a copied transcript, a backup of a tool's folder, another
 * machine's store. Each tool knows which of its files make up a session.
 */
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import type {ToolId} from '../engine/types.js';
import {ampSessionForFile} from './amp.js';
import {threadIdFromFileName} from './codex-discover.js';
import {clineSessionsAt} from './cline.js';
import {copilotSessionForFile} from './copilot-discover.js';
import {cursorSessionsForFile} from './cursor-discover.js';
import {geminiSessionForFile} from './gemini-discover.js';
import {rooCodeSessionsAt} from './roo-code.js';
import type {AdapterContext, NativeSession} from './types.js';

const MAX_DEPTH = 8;

/** Which files of a folder may hold a session of this tool. */
const CANDIDATE: Partial<Record<ToolId, (name: string) => boolean>> = {
	'claude-code': name => name.endsWith('.jsonl'),
	codex: name => /^rollout-.*\.jsonl(\.zst)?$/.test(name),
	gemini: name => /^session-.*\.jsonl?$/.test(name),
	copilot: name => name === 'events.jsonl' || /^[0-9a-f-]{36}\.jsonl$/.test(name),
	cursor: name => name === 'state.vscdb' || name === 'store.db' || name.endsWith('.jsonl'),
	amp: name => name.endsWith('.json'),
};

export async function nativeSessionsAt(tool: ToolId, target: string, ctx: AdapterContext): Promise<NativeSession[]> {
	const absolute = path.resolve(target);
	if (!fs.existsSync(absolute)) throw new SfsError('NOT_FOUND', `${target} does not exist`);
	if (tool === 'cline') return clineSessionsAt(absolute);
	if (tool === 'roo-code') return rooCodeSessionsAt(absolute);
	const stat = fs.statSync(absolute);
	// A FIFO, socket or device is no session file: opening a FIFO blocked the import for good, /dev/zero gave an empty session.
	if (!stat.isDirectory() && !stat.isFile()) return [];
	const files = stat.isDirectory() ? walk(absolute, CANDIDATE[tool]!, 0) : [absolute];
	const sessions: NativeSession[] = [];
	for (const file of files) {
		try {
			sessions.push(...(await sessionsForFile(tool, file, ctx)));
		} catch {
			// A file that is not a session of this tool is passed over.
		}
	}

	return sessions;
}

async function sessionsForFile(tool: ToolId, file: string, ctx: AdapterContext): Promise<NativeSession[]> {
	switch (tool) {
		case 'claude-code': {
			return [{tool, nativeId: path.basename(file, '.jsonl'), files: [file], growth: 'append', mtimeMs: fs.statSync(file).mtimeMs}];
		}

		case 'codex': {
			return [{tool, nativeId: threadIdFromFileName(path.basename(file)), files: [file], growth: file.endsWith('.zst') ? 'rewrite' : 'append', mtimeMs: fs.statSync(file).mtimeMs}];
		}

		case 'gemini': {
			return [await geminiSessionForFile(file, ctx)];
		}

		case 'copilot': {
			return [await copilotSessionForFile(file)];
		}

		case 'cursor': {
			return cursorSessionsForFile(file, ctx);
		}

		case 'amp': {
			return [await ampSessionForFile(file)];
		}

		default: {
			return [];
		}
	}
}

function walk(dir: string, accept: (name: string) => boolean, depth: number): string[] {
	if (depth > MAX_DEPTH) return [];
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, {withFileTypes: true});
	} catch {
		return [];
	}

	const files: string[] = [];
	for (const entry of entries) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...walk(full, accept, depth + 1));
		else if (entry.isFile() && accept(entry.name)) files.push(full);
	}

	return files.sort();
}
