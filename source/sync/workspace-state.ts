/**
 * A handoff's workspace state: the git remote, branch and commit, and the rules hash, of the session's
 * folder on the sender's machine; on the receiving machine, what differs from it.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import {instructionArtifacts} from '../engine/rules/provenance.js';
import type {Session} from '../engine/types.js';
import type {HandoffWorkspace} from '../server/storage.js';

function git(cwd: string, args: string[]): string | null {
	try {
		const out = execFileSync('git', ['-C', cwd, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000}).trim();
		return out || null;
	} catch {
		return null;
	}
}

function isDirectory(dir: string): boolean {
	try {
		return fs.statSync(dir).isDirectory();
	} catch {
		return false;
	}
}

/** The state of `cwd` on this machine (nulls where it is not a git checkout or has no rules). */
export function workspaceOf(cwd: string | null): HandoffWorkspace {
	if (!cwd || !isDirectory(cwd)) return {cwd};
	return {
		cwd,
		git_remote: git(cwd, ['remote', 'get-url', 'origin']),
		git_branch: git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']),
		git_commit: git(cwd, ['rev-parse', 'HEAD']),
		rules_hash: instructionArtifacts(cwd, 0)?.rules_hash ?? null,
	};
}

/** What the sender's machine says about the session's folder: live git state when the folder is here, else what capture recorded. */
export function senderWorkspace(session: Session): HandoffWorkspace {
	const cwd = typeof session.manifest.metadata?.cwd === 'string' ? session.manifest.metadata.cwd : (session.workspace?.root_path ?? null);
	const live = workspaceOf(cwd);
	const recorded = session.workspace?.git;
	return {
		cwd,
		git_remote: live.git_remote ?? recorded?.remote_url ?? null,
		git_branch: live.git_branch ?? recorded?.branch ?? (typeof session.manifest.metadata?.git_branch === 'string' ? session.manifest.metadata.git_branch : null),
		git_commit: live.git_commit ?? recorded?.commit_sha ?? null,
		rules_hash: live.rules_hash ?? (typeof session.manifest.metadata?.rules_hash === 'string' ? session.manifest.metadata.rules_hash : null),
	};
}

/**
 * Lines saying how this machine differs from the sender's: the folder compared is the sender's
 * path when it exists here, else `here` (the current folder).
 */
export function workspaceDifferences(sender: HandoffWorkspace, here: string): {folder: string; local: HandoffWorkspace; differences: string[]} {
	const folder = sender.cwd && isDirectory(sender.cwd) ? sender.cwd : here;
	if (!Object.values(sender).some(Boolean)) return {folder, local: workspaceOf(folder), differences: ['the sender recorded no workspace state (no folder, git or rules) to compare with']};
	const local = workspaceOf(folder);
	const differences: string[] = [];
	if (sender.cwd && folder !== sender.cwd) differences.push(`folder: ${sender.cwd} does not exist here; compared with ${folder}`);
	const compare = (label: string, theirs: string | null | undefined, ours: string | null | undefined) => {
		if ((theirs ?? null) !== (ours ?? null)) differences.push(`${label}: sender ${theirs ?? '(none)'}, here ${ours ?? '(none)'}`);
	};

	compare('git remote', sender.git_remote, local.git_remote);
	compare('git branch', sender.git_branch, local.git_branch);
	compare('git commit', sender.git_commit, local.git_commit);
	compare('rules hash', sender.rules_hash, local.rules_hash);
	return {folder, local, differences};
}
