/**
 * Claude Code adapter: `<config>/projects/<sanitized cwd>/<sessionId>.jsonl` (append-only JSONL, a tree
 * of records through uuid/parentUuid) and sub-agent transcripts, each captured as its own session.
 */
import {claudeProjectRoots, discoverClaudeSessions} from './claude-code-discover.js';
import type {Adapter, AdapterContext, ReadRequest} from './types.js';

/** The reader (records, content, JSONL parsing) loads on the first read: a no-op capture reads no session. */
export const claudeCodeAdapter: Adapter & {lastDiscoverWarnings: string[]} = {
	id: 'claude-code',
	name: 'Claude Code',
	lastDiscoverWarnings: [],
	roots: (ctx: AdapterContext) => claudeProjectRoots(ctx),
	async discover(ctx: AdapterContext) {
		const warnings: string[] = [];
		const sessions = await discoverClaudeSessions(ctx, claudeProjectRoots(ctx), warnings);
		this.lastDiscoverWarnings = warnings;
		return sessions;
	},
	async read(request: ReadRequest) {
		const {readClaudeSession} = await import('./claude-code-reader.js');
		return readClaudeSession(request);
	},
};
