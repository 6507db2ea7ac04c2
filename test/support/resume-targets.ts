/**
 * The resume proof (test/support/resume-proof.ts) for every target CLI: write a session with a writer into a fresh
 * home of the target, run the real target headless on the written id in the written cwd against the loopback
 * endpoint, and hand back the conversation request that carried the new prompt, flattened so that the shared
 * expectations read it the same way for every wire protocol.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import type {ResumeWriter} from '../../source/adapters/writer-types.js';
import type {Session} from '../../source/engine/types.js';
import {type ConversationEntry, flattenConversation, type ModelEndpoint, type Protocol} from './model-endpoint.js';
import {cliBinaryPath, createGitRepo, createToolHome, type ToolHome, type ToolId as CliToolId} from './real-clis.js';
import {adapterContext, RESUME_PROMPT, RESUME_REPLY, type ResumeRun} from './resume-proof.js';

export type ResumeTarget = Exclude<CliToolId, 'cline'>;

/**
 * Gemini sends a tool result as `functionResponse.response` ({output} or {error}); the flattened entry holds its JSON.
 * The text the tool returned is what the history must carry, so it is unwrapped here.
 */
export function readableEntries(protocol: Protocol, entries: ConversationEntry[]): ConversationEntry[] {
	if (protocol !== 'gemini') return entries;
	return entries.map(entry => {
		if (entry.kind !== 'tool_result') return entry;
		try {
			const response = JSON.parse(entry.text) as {output?: unknown; error?: unknown};
			const text = typeof response.output === 'string' ? response.output : typeof response.error === 'string' ? response.error : undefined;
			return text === undefined ? entry : {...entry, text};
		} catch {
			return entry;
		}
	});
}

export type ResumeOptions = {
	/** Seeds the tool's home before the session is written (e.g. a registry the writer must respect). */
	prepare?: (home: ToolHome, cwd: string) => Promise<void>;
	/** The argv to run instead of the writer's headless resume command (binary first, replaced by the pinned one). */
	argv?: (nativeId: string) => string[];
	timeoutMs?: number;
};

/** Writes `session` with `writer` into a fresh home of `target` and resumes it with the real CLI, headless. */
export async function resumeInRealCli(target: ResumeTarget, writer: ResumeWriter, session: Session, endpoint: ModelEndpoint, options: ResumeOptions = {}): Promise<ResumeRun & {protocol?: Protocol}> {
	endpoint.setScript([{match: 'sfs-resume-check', text: RESUME_REPLY}]);
	endpoint.clearRequests();
	const root = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-resume-${target}-`));
	const cwd = await createGitRepo(path.join(root, 'work', 'demo-repo'), {'README.md': '# demo\n', 'notes.txt': 'alpha\nbeta\n'});
	const home = await createToolHome(target, {endpointUrl: endpoint.url, root, trustedDirs: [cwd]});
	await options.prepare?.(home, cwd);
	const write = await writer.write(session, {cwd, now: new Date(), fromSessionId: session.manifest.session_id}, adapterContext(home.home, home.env));
	const argv = options.argv?.(write.nativeId) ?? writer.headlessResumeCommand(write.nativeId, RESUME_PROMPT, {});
	const command = [cliBinaryPath(target), ...argv.slice(1)];
	const result = await execa(command[0]!, command.slice(1), {
		cwd,
		env: home.env,
		extendEnv: false,
		stdin: 'ignore',
		timeout: options.timeoutMs ?? 90_000,
		forceKillAfterDelay: 2000,
		reject: false,
	});
	const request = endpoint
		.conversationRequests()
		.findLast(candidate => flattenConversation(candidate.protocol, candidate.body).some(entry => entry.role === 'user' && entry.text.includes('sfs-resume-check')));
	return {
		write,
		home,
		cwd,
		command,
		exitCode: result.exitCode,
		stdout: String(result.stdout ?? ''),
		stderr: String(result.stderr ?? ''),
		entries: request ? readableEntries(request.protocol, flattenConversation(request.protocol, request.body)) : undefined,
		request,
		protocol: request?.protocol,
	};
}
