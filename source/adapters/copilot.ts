/**
 * GitHub Copilot CLI adapter. `events.jsonl` is an append-only event log read incrementally from a
 * cursor (`/rewind` truncates it: the reader notices and re-reads in full, so the new events form a
 * branch); `workspace.yaml` beside it supplies the session name. Legacy `history-session-state/*.json`
 * documents are kept whole as one native record (their shape was never documented).
 */
import {copilotRoots, discoverCopilot} from './copilot-discover.js';
import type {Adapter} from './types.js';

export {copilotSessionForFile} from './copilot-discover.js';

/** The reader (event assembler, JSONL parsing) loads on the first read: a no-op capture reads no session. */
export const copilotAdapter: Adapter = {
	id: 'copilot',
	name: 'Copilot CLI',
	roots: ctx => copilotRoots(ctx),
	discover: async ctx => discoverCopilot(ctx),
	async read(request) {
		const {readCopilotSession} = await import('./copilot-session.js');
		return readCopilotSession(request);
	},
};
