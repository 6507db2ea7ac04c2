/**
 * Gemini CLI adapter. Current sessions are append-only JSONL (`session-*.jsonl`, v0.39+) read
 * incrementally from a cursor; older ones are a single JSON document rewritten whole (`session-*.json`).
 */
import {discoverGemini, geminiTmpDir} from './gemini-discover.js';
import type {Adapter} from './types.js';

export {geminiSessionForFile} from './gemini-discover.js';

/** The reader (assembler, parts, JSONL parsing) loads on the first read: a no-op capture reads no session. */
export const geminiAdapter: Adapter = {
	id: 'gemini',
	name: 'Gemini CLI',
	roots: ctx => [geminiTmpDir(ctx)],
	discover: async ctx => discoverGemini(ctx),
	async read(request, ctx) {
		const {readGeminiSession} = await import('./gemini-session.js');
		return readGeminiSession(request, ctx);
	},
};
