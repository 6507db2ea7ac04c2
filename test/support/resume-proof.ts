/**
 * Proof that a resume writer's output is loaded by the real target CLI: source sessions (recorded by the real
 * CLIs under test/fixtures/recorded/<tool>/, or public fixture sessions for the capture-only tools) are captured
 * with sfs's own adapters, written with a writer into a fresh tool home, and the real CLI is run non-interactively
 * on the written id against the loopback endpoint; the request it sends must carry the earlier conversation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {adapterFor} from '../../source/adapters/registry.js';
import {classifyToolCall} from '../../source/adapters/writer-tools.js';
import type {AdapterContext, NativeSession, ReadResult} from '../../source/adapters/types.js';
import type {ResumeWriter, WriteResult} from '../../source/adapters/writer-types.js';
import type {Message, Session, ToolId} from '../../source/engine/types.js';
import {type ConversationEntry, flattenConversation, type ModelEndpoint, type RecordedRequest, startModelEndpoint} from './model-endpoint.js';
import {cliBinaryPath, createGitRepo, createToolHome, isCliInstalled, nativeRootOf, type ToolHome, type ToolId as CliToolId} from './real-clis.js';

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function adapterContext(home: string, env: NodeJS.ProcessEnv = {}): AdapterContext {
	const cache = new Map<string, unknown>();
	return {
		env: {HOME: home, ...env},
		home,
		platform: 'linux',
		now: () => new Date(),
		cache: {get: key => cache.get(key), set: (key, value) => cache.set(key, value)},
	};
}

/** A canonical session from one adapter read, shaped as the engine would store it. */
export function sessionFromRead(tool: ToolId, nativeId: string, read: ReadResult): Session {
	const metadata: Record<string, unknown> = {};
	if (read.info.cwd) metadata.cwd = read.info.cwd;
	if (read.info.gitBranch) metadata.git_branch = read.info.gitBranch;
	return {
		manifest: {
			sfs_version: '0.1.0',
			session_id: `sfs-${tool}-${nativeId}`.slice(0, 80),
			title: read.info.title ?? null,
			created_at: read.info.createdAt ?? new Date().toISOString(),
			source: {tool, original_session_id: nativeId, tool_version: read.info.toolVersion ?? null},
			model: read.info.model ? {model_id: read.info.model, provider: read.info.provider ?? null} : null,
			metadata,
		},
		messages: read.messages,
	};
}

async function readAll(tool: ToolId, ctx: AdapterContext): Promise<Array<{native: NativeSession; session: Session}>> {
	const adapter = adapterFor(tool);
	const found = await adapter.discover(ctx);
	const out: Array<{native: NativeSession; session: Session}> = [];
	for (const native of found) {
		// eslint-disable-next-line no-await-in-loop
		const read = await adapter.read({session: native}, ctx);
		out.push({native, session: sessionFromRead(tool, native.nativeId, read)});
	}

	return out;
}

/** What the real CLI recorded, turn by turn (test/fixtures/recorded/<tool>/manifest.json). */
export type RecordedTurn = {
	prompt: string;
	thinking?: string;
	text?: string;
	toolCall?: {name: string; input: Record<string, unknown>; command?: string};
	toolOutput?: string;
	/** The tool result as the model was sent it (with the tool's own framing). */
	toolResultSeenByModel?: string;
	followUp?: string;
};
export type RecordedManifest = {tool: ToolId; sessionId: string; cwd: string; cliVersion: string; turns: RecordedTurn[]};

export const RECORDED_TOOLS: readonly ToolId[] = ['claude-code', 'codex', 'gemini', 'copilot', 'cline'];
export const FIXTURE_TOOLS: readonly ToolId[] = ['cursor', 'amp', 'roo-code'];

export function recordedManifest(tool: ToolId): RecordedManifest | undefined {
	const file = path.join(fixturesDir, 'recorded', tool, 'manifest.json');
	return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedManifest) : undefined;
}

/** Captures the session a real CLI recorded, from a copy of its native files in a temp home. */
export async function loadRecordedSession(tool: ToolId): Promise<{session: Session; manifest: RecordedManifest} | undefined> {
	const manifest = recordedManifest(tool);
	if (!manifest) return undefined;
	const home = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-src-${tool}-`));
	fs.cpSync(path.join(fixturesDir, 'recorded', tool), nativeRootOf(tool as CliToolId, home), {recursive: true});
	const sessions = await readAll(tool, adapterContext(home));
	const match = sessions.find(entry => entry.native.nativeId === manifest.sessionId);
	fs.rmSync(home, {recursive: true, force: true});
	return match ? {session: match.session, manifest} : undefined;
}

export function installFixture(tool: ToolId, home: string): void {
	switch (tool) {
		case 'amp': {
			fs.cpSync(path.join(fixturesDir, 'amp', 'legacy-threads'), path.join(home, '.local', 'share', 'amp', 'threads'), {recursive: true});
			break;
		}

		case 'roo-code': {
			fs.cpSync(path.join(fixturesDir, 'roo-code', 'extension-layout'), path.join(home, '.config', 'Code', 'User', 'globalStorage', 'rooveterinaryinc.roo-cline'), {recursive: true});
			break;
		}

		case 'cursor': {
			fs.cpSync(path.join(fixturesDir, 'cursor', 'dot-cursor'), path.join(home, '.cursor'), {recursive: true});
			fs.cpSync(path.join(fixturesDir, 'cursor', 'legacy-2024-workspaceStorage'), path.join(home, '.config', 'Cursor', 'User', 'workspaceStorage'), {recursive: true});
			break;
		}

		default: {
			throw new Error(`no fixture layout for ${tool}`);
		}
	}
}

/** How much conversation a session holds: prompts, replies and calls (picks the richest fixture session). */
function richness(session: Session): number {
	let score = 0;
	for (const message of session.messages) {
		if (message.is_sidechain || message.is_meta) continue;
		for (const block of message.content) {
			if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) score += 1;
			if (block.type === 'tool_use') score += 3;
		}
	}

	return score;
}

/** Captures the richest fixture session of a capture-only tool (public sample files, not a real recording). */
export async function loadFixtureSession(tool: ToolId): Promise<Session | undefined> {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-src-${tool}-`));
	installFixture(tool, home);
	const sessions = await readAll(tool, adapterContext(home, {SFS_HOME: path.join(home, 'sfs-data')}));
	fs.rmSync(home, {recursive: true, force: true});
	return sessions.map(entry => entry.session).sort((a, b) => richness(b) - richness(a))[0];
}

/** One thing the resumed request must carry, in order. */
export type Expectation = {what: string; test: (entry: ConversationEntry) => boolean};

const squash = (text: string) => text.replaceAll(/\s+/g, ' ').trim();
const carries = (haystack: string, needle: string) => squash(haystack).includes(squash(needle));

function textExpectation(role: 'user' | 'assistant', text: string): Expectation {
	const needle = text.length > 200 ? text.slice(0, 200) : text;
	return {what: `${role} text ${JSON.stringify(needle.slice(0, 60))}`, test: entry => entry.role === role && entry.kind === 'text' && carries(entry.text, needle)};
}

function commandExpectation(command: string): Expectation {
	return {what: `tool call running ${JSON.stringify(command)}`, test: entry => entry.kind === 'tool_call' && carries(entry.text, JSON.stringify(command).slice(1, -1))};
}

function outputExpectation(output: string): Expectation {
	const needle = output.trim().slice(0, 120);
	return {what: `tool output ${JSON.stringify(needle.slice(0, 40))}`, test: entry => entry.kind === 'tool_result' && carries(entry.text, needle)};
}

/** The facts of a real recording, in order (independent of sfs's own capture). */
export function expectationsFromManifest(manifest: RecordedManifest): Expectation[] {
	const out: Expectation[] = [];
	for (const turn of manifest.turns) {
		out.push(textExpectation('user', turn.prompt));
		if (turn.thinking) {
			out.push({what: `reasoning ${JSON.stringify(turn.thinking.slice(0, 40))} (as thinking or as text)`, test: entry => entry.role === 'assistant' && carries(entry.text, turn.thinking!)});
		}

		if (turn.text) out.push(textExpectation('assistant', turn.text));
		if (turn.toolCall?.command) out.push(commandExpectation(turn.toolCall.command));
		if (turn.toolOutput) out.push(outputExpectation(turn.toolOutput));
		if (turn.followUp) out.push(textExpectation('assistant', turn.followUp));
	}

	return out;
}

/** The facts of a captured session, in order: user and assistant texts, shell commands and their outputs. */
export function expectationsFromSession(session: Session): Expectation[] {
	const out: Expectation[] = [];
	const results = new Map<string, string>();
	for (const message of session.messages) {
		for (const block of message.content) if (block.type === 'tool_result' && typeof block.content === 'string') results.set(String(block.tool_use_id), block.content);
	}

	// A sub-agent's own transcript is all sidechain: then that chain is the conversation.
	const spoken = (entry: Message) => !entry.is_meta && entry.role !== 'system' && entry.role !== 'developer';
	const subagentOnly = !session.messages.some(entry => !entry.is_sidechain && spoken(entry));
	// A rewound session keeps its abandoned branch; only the branch that reaches the newest message is expected.
	const byId = new Map(session.messages.map(entry => [entry.msg_id, entry]));
	const onBranch = new Set<string>();
	let walk = session.messages.findLast(entry => (subagentOnly || !entry.is_sidechain) && spoken(entry));
	while (walk && !onBranch.has(walk.msg_id)) {
		onBranch.add(walk.msg_id);
		walk = walk.parent_msg_id ? byId.get(walk.parent_msg_id) : undefined;
	}

	const rooted = [...onBranch].some(id => byId.get(id)?.parent_msg_id === null);
	for (const message of session.messages as Message[]) {
		if ((message.is_sidechain && !subagentOnly) || !spoken(message)) continue;
		if (rooted && message.parent_msg_id !== undefined && !onBranch.has(message.msg_id)) continue;
		for (const block of message.content) {
			if (block.type === 'text' && typeof block.text === 'string' && block.text.trim() && (message.role === 'user' || message.role === 'assistant')) {
				out.push(textExpectation(message.role, block.text));
			} else if (block.type === 'tool_use') {
				const intent = classifyToolCall({name: String(block.name), input: (block.input ?? {}) as Record<string, unknown>});
				if (intent?.kind !== 'shell') continue;
				out.push(commandExpectation(intent.command));
				const output = results.get(String(block.tool_use_id));
				if (output?.trim()) out.push(outputExpectation(output));
			}
		}
	}

	return out;
}

/** Checks that `entries` carry every expectation, in order; returns the ones missing. */
export function missingInOrder(entries: ConversationEntry[], expectations: Expectation[]): string[] {
	const missing: string[] = [];
	let from = 0;
	for (const expectation of expectations) {
		const index = entries.findIndex((entry, position) => position >= from && expectation.test(entry));
		// Several expected pieces may sit in one entry (a target may join a message's text blocks).
		if (index === -1) missing.push(expectation.what);
		else from = index;
	}

	return missing;
}

export const RESUME_PROMPT = 'Continue please. [sfs-resume-check]';
export const RESUME_REPLY = 'Resumed from the written session.';

export type ResumeRun = {
	write: WriteResult;
	home: ToolHome;
	cwd: string;
	command: string[];
	exitCode: number | undefined;
	stdout: string;
	stderr: string;
	/** The conversation request that carried the new prompt, flattened; undefined when none arrived. */
	entries?: ConversationEntry[];
	request?: RecordedRequest;
};

/** Writes `session` with `writer` into a fresh home of `target` and resumes it with the real CLI, headless. */
export async function resumeWithRealCli(
	target: 'claude-code' | 'copilot',
	writer: ResumeWriter,
	session: Session,
	endpoint: ModelEndpoint,
	timeoutMs = 90_000,
	/** What to resume by (default the written id; e.g. the session's title to prove resume-by-name). */
	resumeRef: (write: WriteResult) => string = write => write.nativeId,
): Promise<ResumeRun> {
	endpoint.setScript([{match: 'sfs-resume-check', text: RESUME_REPLY}]);
	endpoint.clearRequests();
	const root = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-resume-${target}-`));
	const cwd = await createGitRepo(path.join(root, 'work', 'demo-repo'), {'README.md': '# demo\n', 'notes.txt': 'alpha\nbeta\n'});
	const home = await createToolHome(target, {endpointUrl: endpoint.url, root, trustedDirs: [cwd]});
	const write = await writer.write(session, {cwd, now: new Date(), fromSessionId: session.manifest.session_id}, adapterContext(home.home, home.env));
	const argv = writer.headlessResumeCommand(resumeRef(write), RESUME_PROMPT, {});
	const command = [cliBinaryPath(target), ...argv.slice(1)];
	const result = await execa(command[0], command.slice(1), {
		cwd,
		env: home.env,
		extendEnv: false,
		stdin: 'ignore',
		timeout: timeoutMs,
		forceKillAfterDelay: 2000,
		reject: false,
	});
	const request = endpoint.conversationRequests().findLast(candidate => flattenConversation(candidate.protocol, candidate.body).some(entry => entry.role === 'user' && entry.text.includes('sfs-resume-check')));
	return {
		write,
		home,
		cwd,
		command,
		exitCode: result.exitCode,
		stdout: String(result.stdout ?? ''),
		stderr: String(result.stderr ?? ''),
		entries: request ? flattenConversation(request.protocol, request.body) : undefined,
		request,
	};
}

/** Removes the temp home and workspace of a run (call it once the run's assertions passed; a failure keeps them to look at). */
export function removeRun(run: Pick<ResumeRun, 'home'>): void {
	fs.rmSync(run.home.root, {recursive: true, force: true});
}

export function cliAvailable(target: CliToolId): boolean {
	return isCliInstalled(target);
}

export {startModelEndpoint};

/** A canonical message for writer tests (msg ids and timestamps filled in). */
let messageCounter = 0;

export function message(role: Message['role'], content: Message['content'], extra: Partial<Message> = {}): Message {
	const n = ++messageCounter;
	return {msg_id: `m${String(n).padStart(3, '0')}`, role, content, timestamp: new Date(Date.UTC(2026, 10, 1, 10, 0, n)).toISOString(), ...extra};
}

export function canonicalSession(tool: ToolId, messages: Message[], extra: Partial<Session['manifest']> = {}): Session {
	return {
		manifest: {sfs_version: '0.1.0', session_id: `sfs-test-${tool}`, created_at: '2026-11-01T10:00:00.000Z', source: {tool}, title: 'Fix the failing build', ...extra},
		messages,
	};
}

export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * A Codex-like session that exercises every conversion: dropped system/meta/sidechain/native records, a mapped
 * shell call, an unmappable call (→ text), a call without result, an orphan result, foreign reasoning, images
 * (inline and by path), a compaction summary and U+2028 in text.
 */
export function kitchenSinkSession(tool: ToolId = 'codex'): Session {
	messageCounter = 0;
	return canonicalSession(tool, [
		message('developer', [{type: 'text', text: 'You are Codex. Follow the sandbox rules.'}], {is_meta: true}),
		message('user', [{type: 'text', text: '<environment_context><cwd>/w</cwd></environment_context>'}], {is_meta: true}),
		message('user', [{type: 'text', text: 'The build fails, please fix it.'}, {type: 'image', source: {type: 'base64', data: PNG_BASE64, media_type: 'image/png'}}]),
		message('user', [{type: 'image', source: {type: 'path', data: '/tmp/screenshot.png', media_type: 'image/png'}}]),
		message('assistant', [{type: 'thinking', text: 'I should look at the files first.', signature: null}, {type: 'text', text: 'Listing the files.'}], {model: 'gpt-5-codex'}),
		message('assistant', [{type: 'tool_use', tool_use_id: 'call_ls', name: 'exec_command', input: {cmd: 'ls -la'}}], {model: 'gpt-5-codex'}),
		message('tool', [{type: 'tool_result', tool_use_id: 'call_ls', content: 'main.ts\npackage.json', exit_code: 0}]),
		message('assistant', [{type: 'tool_use', tool_use_id: 'call_patch', name: 'apply_patch', input: {input: '*** Begin Patch\n*** End Patch'}}], {model: 'gpt-5-codex'}),
		message('tool', [{type: 'tool_result', tool_use_id: 'call_patch', content: 'Success. Updated 1 file.'}]),
		message('assistant', [{type: 'tool_use', tool_use_id: 'call lost', name: 'shell', input: {command: ['bash', '-lc', 'npm test']}}], {model: 'gpt-5-codex'}),
		message('tool', [{type: 'tool_result', tool_use_id: 'call_orphan', content: 'stray output', is_error: true}]),
		message('assistant', [{type: 'text', text: 'Sub-agent work.'}], {is_sidechain: true, agent_id: 'a1'}),
		message('system', [{type: 'native_record', record: {type: 'turn_context', cwd: '/w'}}], {is_meta: true}),
		message('system', [{type: 'summary', text: 'Earlier: the user asked to fix the build.'}], {is_meta: true}),
		message('assistant', [{type: 'text', text: 'Fixed: the import path was wrong.\u2028Done.'}], {model: 'gpt-5-codex'}),
	]);
}

/** Where each public fixture set goes in a home, so the adapters' own discovery finds it (one home per set). */
const FIXTURE_LAYOUTS: Array<{tool: ToolId; from: string; to: string}> = [
	{tool: 'claude-code', from: 'claude-code/projects', to: '.claude/projects'},
	{tool: 'codex', from: 'codex/sessions', to: '.codex/sessions'},
	{tool: 'gemini', from: 'gemini/real-0.61.0/.gemini', to: '.gemini'},
	{tool: 'gemini', from: 'gemini/constructed/.gemini', to: '.gemini'},
	{tool: 'copilot', from: 'copilot/session-state', to: '.copilot/session-state'},
	{tool: 'cline', from: 'cline/sdk-layout/dot-cline', to: '.cline'},
	{tool: 'cline', from: 'cline/extension-layout', to: '.config/Code/User/globalStorage/saoudrizwan.claude-dev'},
	{tool: 'roo-code', from: 'roo-code/extension-layout', to: '.config/Code/User/globalStorage/rooveterinaryinc.roo-cline'},
	{tool: 'amp', from: 'amp/legacy-threads', to: '.local/share/amp/threads'},
	{tool: 'cursor', from: 'cursor/dot-cursor', to: '.cursor'},
	{tool: 'cursor', from: 'cursor/legacy-2024-workspaceStorage', to: '.config/Cursor/User/workspaceStorage'},
];

/** Every session of every public fixture set and every real recording, captured with sfs's adapters. */
export async function loadAllSessions(): Promise<Array<{label: string; session: Session}>> {
	const out: Array<{label: string; session: Session}> = [];
	for (const layout of FIXTURE_LAYOUTS) {
		const from = path.join(fixturesDir, layout.from);
		if (!fs.existsSync(from)) continue;
		const home = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-all-${layout.tool}-`));
		fs.cpSync(from, path.join(home, layout.to), {recursive: true});
		// eslint-disable-next-line no-await-in-loop
		for (const {native, session} of await readAll(layout.tool, adapterContext(home, {SFS_HOME: path.join(home, 'sfs-data')}))) {
			out.push({label: `${layout.from} ${native.nativeId}`, session});
		}

		fs.rmSync(home, {recursive: true, force: true});
	}

	for (const tool of RECORDED_TOOLS) {
		// eslint-disable-next-line no-await-in-loop
		const recorded = await loadRecordedSession(tool);
		if (recorded) out.push({label: `recorded/${tool}`, session: recorded.session});
	}

	return out;
}
