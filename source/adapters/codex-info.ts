/** What a Codex rollout's carried state says about the session (manifest fields). */
import {isRecord, str} from './codex-items.js';
import type {CodexState} from './codex-reader.js';
import type {SessionInfo} from './types.js';

/**
 * Where the session ran. The TUI of 0.169 writes `source: "vscode"` with `originator: "codex-tui"`, so the
 * originator decides: codex-tui/codex_cli_rs/codex_exec are the terminal; the VS Code extension and the desktop
 * app name themselves.
 */
function interfaceFor(originator: unknown, source: unknown): string {
	if (typeof originator === 'string') {
		if (/vscode|jetbrains|ide/i.test(originator)) return 'ide';
		if (/desktop|app/i.test(originator)) return 'desktop';
		if (/^codex[-_](tui|cli|exec)/i.test(originator)) return 'cli';
	}

	if (source === 'vscode') return 'ide';
	if (source === 'mcp') return 'mcp';
	return 'cli';
}

const EFFORTS = new Set(['low', 'medium', 'high']);

export function codexSessionInfo(state: CodexState): SessionInfo {
	const meta = state.meta ?? {};
	const info: SessionInfo = {};
	const title = state.threadName ?? state.firstPrompt ?? state.firstItemPrompt;
	if (title) {
		const flat = title.replace(/\s+/g, ' ').trim();
		info.title = flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
	}

	const cwd = state.cwd ?? str(meta.cwd);
	if (cwd) info.cwd = cwd;
	const git = isRecord(meta.git) ? meta.git : {};
	if (str(git.branch)) info.gitBranch = git.branch as string;
	if (str(git.commit_hash)) info.gitCommit = git.commit_hash as string;
	if (str(git.repository_url)) info.gitRemote = git.repository_url as string;
	if (state.model) info.model = state.model;
	if (str(meta.model_provider)) info.provider = meta.model_provider as string;
	if (state.effort && EFFORTS.has(state.effort)) info.reasoningEffort = state.effort as SessionInfo['reasoningEffort'];
	if (str(meta.cli_version)) info.toolVersion = meta.cli_version as string;
	if (state.createdAt) info.createdAt = state.createdAt;
	if (state.updatedAt) info.updatedAt = state.updatedAt;
	const source = meta.source;
	info.headless = source === 'exec' || meta.originator === 'codex_exec';
	info.interface = interfaceFor(meta.originator, source);
	const extra: Record<string, unknown> = {};
	for (const [key, value] of Object.entries({
		originator: meta.originator,
		source,
		session_id: meta.session_id,
		forked_from_id: meta.forked_from_id,
		parent_thread_id: state.parentThreadId,
		agent_nickname: meta.agent_nickname,
		agent_role: meta.agent_role,
		reasoning_effort: state.effort && !EFFORTS.has(state.effort) ? state.effort : undefined,
		approval_policy: state.approvalPolicy,
		sandbox_policy: state.sandboxPolicy,
		total_token_usage: state.totalUsage,
		model_context_window: state.contextWindow,
		legacy_format: state.legacy,
		rollout_files: state.rolloutFiles,
	})) {
		if (value !== undefined) extra[key] = value;
	}

	if (Object.keys(extra).length > 0) info.extra = extra;
	return info;
}
