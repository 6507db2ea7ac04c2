/**
 * Codex CLI adapter: rollouts `{timestamp, type, payload}` (session_meta, turn_context, response_item,
 * event_msg, compacted), append-only `.jsonl` read from a cursor, compressed `.jsonl.zst` read whole.
 * `response_item`s are the conversation; `event_msg` user/agent messages repeat them for the UI and only
 * become messages when no response item says the same thing.
 */
import {codexRoots, discoverCodexSessions} from './codex-discover.js';
import type {Adapter, AdapterContext, ReadRequest} from './types.js';

/** The reader (fzstd, rollout parsing) loads on the first read: a no-op capture reads no session. */
export const codexAdapter: Adapter = {
	id: 'codex',
	name: 'Codex',
	roots: (ctx: AdapterContext) => codexRoots(ctx),
	discover: async (ctx: AdapterContext) => discoverCodexSessions(ctx),
	async read(request: ReadRequest) {
		const {readCodexSession} = await import('./codex-session.js');
		return readCodexSession(request);
	},
};
