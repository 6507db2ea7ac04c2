/**
 * Resume: a captured session → a new native session in a target tool (or the tool's own session by
 * its id, when it still exists) → the command that launches the tool on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {AdapterContext, NativeSession} from '../adapters/types.js';
import type {FidelityReport, ResumeWriter} from '../adapters/writer-types.js';
import {getKey, loadConfig} from './config.js';
import {SfsError} from './errors.js';
import {recordWritten} from './lineage.js';
import type {Engine} from './open-engine.js';
import {rulesPreflight} from './rules/preflight.js';
import {isUserTurn, oneLine} from './session-stats.js';
import {type Message, RESUME_TARGETS, type ResumeTarget, type Session} from './types.js';

export type ResumeOptions = {
	/** Target tool; default: the session's own tool. */
	target?: ResumeTarget;
	model?: string;
	cwd?: string;
	/** Keep only the newest N user turns (whole); default: the target's context budget. */
	trim?: number;
	now?: Date;
	/** Where the native files go instead of the tool's store (export). */
	outDir?: string;
	/** Claude Code only: no native session; the conversation goes in as a transcript (`--append-system-prompt-file`). */
	transcript?: boolean;
	/** DLP: send secrets unredacted this once, whatever the policy says (loudly, in the warnings). */
	allowSecrets?: boolean;
};

export type ResumePlan = {
	target: ResumeTarget;
	native_id: string;
	native_path: string | null;
	cwd: string;
	command: string[];
	report: FidelityReport;
	warnings: string[];
	/** True when the tool's own native session is resumed by its id (nothing written). */
	reused_native: boolean;
	files: string[];
};

export type WriterLoader = (target: ResumeTarget) => Promise<ResumeWriter>;

/** Rough context budgets (in characters, ~4 per token) per target, leaving room for the new work. */
const CONTEXT_BUDGET_CHARS: Record<ResumeTarget, number> = {
	'claude-code': 140_000 * 4,
	codex: 200_000 * 4,
	gemini: 700_000 * 4,
	copilot: 100_000 * 4,
};

export function isResumeTarget(value: string): value is ResumeTarget {
	return (RESUME_TARGETS as readonly string[]).includes(value);
}

/**
 * The target when none is given: the session's own tool when sfs can launch it, else the configured
 * `resume.default_target` (for Cursor, Amp, Cline and Roo Code sessions), else none.
 */
export function defaultTarget(sourceTool: string, env: NodeJS.ProcessEnv = process.env): ResumeTarget | undefined {
	if (isResumeTarget(sourceTool)) return sourceTool;
	const configured = getKey(loadConfig(env), 'resume.default_target');
	return typeof configured === 'string' && isResumeTarget(configured) ? configured : undefined;
}

/** Writes the native session (unless the tool's own still exists) and returns what to launch. */
export async function planResume(engine: Engine, sessionId: string, options: ResumeOptions, loadWriter: WriterLoader, context: AdapterContext): Promise<ResumePlan> {
	const session = engine.store.readSession(sessionId);
	const sourceTool = session.manifest.source.tool;
	const target = options.target ?? defaultTarget(sourceTool, engine.env);
	if (!target) {
		throw new SfsError('USAGE', `${sourceTool} is a capture-only source: sfs cannot launch it`, {hint: `pick a target: sfs resume ${sessionId} --in claude-code|codex|gemini|copilot, or set a default: sfs config set resume.default_target codex`});
	}

	if (options.transcript && target !== 'claude-code') throw new SfsError('USAGE', 'the transcript fallback is for Claude Code', {hint: 'use --in claude-code with --transcript'});
	const writer = await loadWriter(target);
	const cwd = resolveCwd(session, options.cwd);
	// The target's instructions file, compiled from the repository's canonical rules before it launches (not for exports).
	const rulesNotes = options.outDir ? [] : preflightNotes(target, cwd);
	const nativeId = session.manifest.source.original_session_id;
	// The tool's own session is resumable by its id only from where it ran (Claude Code looks it up by cwd).
	const samePlace = !options.cwd || path.resolve(options.cwd) === recordedCwd(session);
	if (!options.target && !options.outDir && target === sourceTool && nativeId && options.trim === undefined && samePlace && (await writer.nativeExists(nativeId, context))) {
		return {
			target,
			native_id: nativeId,
			native_path: session.manifest.source.original_path ?? null,
			cwd,
			command: writer.resumeCommand(nativeId, {model: options.model}),
			report: untouchedReport(session.messages),
			warnings: rulesNotes,
			reused_native: true,
			files: [],
		};
	}

	// Into another tool, or out to a folder, the session leaves through the DLP gate (block, redact or warn).
	const dlpNotes: string[] = [];
	let outgoing: Session = session;
	if (target !== sourceTool || options.outDir) {
		const {enforce, gateSession} = await import('./dlp/gate.js');
		const gated = gateSession(session, {egress: options.outDir ? 'export' : 'resume', what: `session ${sessionId} (into ${target})`, allowSecrets: options.allowSecrets, env: engine.env});
		enforce(gated, line => dlpNotes.push(line));
		outgoing = gated.session;
	}

	const {messages, turnsTrimmed} = trimSession(outgoing.messages, options.trim, CONTEXT_BUDGET_CHARS[target]);
	if (options.transcript) return transcriptPlan(engine, {...outgoing, messages}, turnsTrimmed, cwd, options, [...dlpNotes, ...rulesNotes]);
	const result = await writer.write({...outgoing, messages}, {cwd, model: options.model, now: options.now ?? new Date(), outDir: options.outDir, fromSessionId: sessionId}, context);
	if (!options.outDir) {
		recordWritten(engine.env, {
			tool: target,
			native_id: result.nativeId,
			from_session_id: sessionId,
			through_msg_id: session.messages.at(-1)?.msg_id ?? null,
			copied_messages: await countReadBack(target, result, context),
			written_at: (options.now ?? new Date()).toISOString(),
		});
	}

	return {
		target,
		native_id: result.nativeId,
		native_path: result.nativePath,
		cwd,
		command: writer.resumeCommand(result.nativeId, {model: options.model}),
		report: {...result.report, turns_trimmed: turnsTrimmed},
		warnings: [...dlpNotes, ...rulesNotes, ...result.warnings],
		reused_native: false,
		files: result.files,
	};
}

/**
 * The transcript fallback: the conversation as Markdown in a file that Claude Code appends to its
 * system prompt, for when a native session is not wanted (or a native write is not accepted).
 */
async function transcriptPlan(engine: Engine, session: Session, turnsTrimmed: number, cwd: string, options: ResumeOptions, notes: string[]): Promise<ResumePlan> {
	const {sessionToMarkdown} = await import('./markdown-export.js');
	const {writeFileAtomic} = await import('./fs-atomic.js');
	const id = session.manifest.session_id;
	const file = path.join(engine.store.dataRoot, 'transcripts', `${id}-${(options.now ?? new Date()).toISOString().replaceAll(/[:.]/g, '-')}.md`);
	const text = [
		`The conversation below happened earlier in ${session.manifest.source.tool} (sfs session ${id}). Continue the work from where it left off.`,
		'',
		sessionToMarkdown(session.manifest, session.messages),
	].join('\n');
	writeFileAtomic(file, text);
	const command = ['claude', '--append-system-prompt-file', file, ...(options.model ? ['--model', options.model] : [])];
	const tools = session.messages.reduce((sum, message) => sum + message.content.filter(block => block.type === 'tool_use').length, 0);
	const hasThinking = session.messages.some(message => message.content.some(block => block.type === 'thinking'));
	return {
		target: 'claude-code',
		native_id: '',
		native_path: file,
		cwd,
		command,
		report: {
			messages_kept: 0,
			messages_converted: session.messages.length,
			messages_dropped: 0,
			tool_calls_mapped: 0,
			thinking: hasThinking ? 'dropped' : 'kept',
			images_kept: 0,
			turns_trimmed: turnsTrimmed,
		},
		warnings: [...notes, `transcript fallback: ${session.messages.length} message(s) as text in ${file}${tools > 0 ? `; ${tools} tool call(s) as text` : ''}`],
		reused_native: false,
		files: [file],
	};
}

function preflightNotes(target: ResumeTarget, cwd: string): string[] {
	const outcome = rulesPreflight(target, cwd);
	if (outcome.warning) return [outcome.warning];
	return outcome.action === 'compiled' ? [`rules: compiled ${outcome.file} from .sfs/rules`] : [];
}

function resolveCwd(session: Session, requested: string | undefined): string {
	if (requested) {
		const absolute = path.resolve(requested);
		if (!isDirectory(absolute)) throw new SfsError('USAGE', `--cwd ${requested} is not a directory`);
		return absolute;
	}

	const recorded = recordedCwd(session);
	if (!recorded) throw new SfsError('USAGE', 'the session does not record its working directory', {hint: 'pass --cwd DIR (e.g. --cwd .)'});
	if (!isDirectory(recorded)) {
		throw new SfsError('NOT_FOUND', `the session's directory ${recorded} no longer exists`, {hint: `resume in the current directory with --cwd ${process.cwd()}`});
	}

	return recorded;
}

/** The folder the session ran in, as recorded (the manifest's cwd, else the workspace root); undefined when neither is. */
export function recordedCwd(session: Pick<Session, 'manifest' | 'workspace'>): string | undefined {
	return (session.manifest.metadata?.cwd as string | undefined) ?? session.workspace?.root_path;
}

function isDirectory(candidate: string): boolean {
	try {
		return fs.statSync(candidate).isDirectory();
	} catch {
		return false;
	}
}

function untouchedReport(messages: Message[]): FidelityReport {
	return {
		messages_kept: messages.length,
		messages_converted: 0,
		messages_dropped: 0,
		tool_calls_mapped: messages.reduce((sum, message) => sum + message.content.filter(block => block.type === 'tool_use').length, 0),
		thinking: 'kept',
		images_kept: messages.reduce((sum, message) => sum + message.content.filter(block => block.type === 'image').length, 0),
		turns_trimmed: 0,
	};
}

function messageChars(message: Message): number {
	return JSON.stringify(message.content).length;
}

/**
 * Keeps the newest `keepTurns` user turns whole (or as many as fit `budgetChars`), and puts a short
 * summary of what was left out at the start. Turn boundaries are user prompts, so a tool call is
 * never separated from its result.
 */
export function trimSession(messages: Message[], keepTurns: number | undefined, budgetChars: number): {messages: Message[]; turnsTrimmed: number} {
	const starts: number[] = [];
	for (const [at, message] of messages.entries()) if (isUserTurn(message)) starts.push(at);
	if (starts.length === 0) return {messages, turnsTrimmed: 0};

	let cut = 0;
	if (keepTurns !== undefined) {
		cut = keepTurns <= 0 ? messages.length : starts.length > keepTurns ? starts[starts.length - keepTurns]! : 0;
	} else {
		let total = messages.reduce((sum, message) => sum + messageChars(message), 0);
		let turn = 0;
		while (total > budgetChars && turn < starts.length - 1) {
			const next = starts[turn + 1]!;
			for (let at = starts[turn]!; at < next; at++) total -= messageChars(messages[at]!);
			turn++;
			cut = next;
		}
	}

	if (cut === 0) return {messages, turnsTrimmed: 0};
	const dropped = messages.slice(0, cut);
	const trimmedTurns = dropped.filter(message => isUserTurn(message));
	const prompts = trimmedTurns.slice(0, 5).map(message => `- ${oneLine(firstText(message), 160)}`);
	const summary: Message = {
		msg_id: `sfs-trim-summary-${dropped.at(-1)!.msg_id}`,
		role: 'user',
		timestamp: dropped[0]!.timestamp,
		content: [
			{
				type: 'summary',
				text: [
					`[sfs] ${trimmedTurns.length} earlier turn(s) of this session (${dropped.length} messages) were left out to fit the context. They began with:`,
					...prompts,
					...(trimmedTurns.length > prompts.length ? [`- … and ${trimmedTurns.length - prompts.length} more`] : []),
				].join('\n'),
				summarized_through_msg_id: dropped.at(-1)!.msg_id,
			},
		],
		is_meta: true,
		metadata: {sfs_trim_summary: true},
	};
	return {messages: [summary, ...messages.slice(cut)], turnsTrimmed: trimmedTurns.length};
}

function firstText(message: Message): string {
	for (const block of message.content) if (block.type === 'text' && typeof block.text === 'string') return block.text;
	return '';
}

/** Reads the written native session back with our own adapter: how many messages capture will see as copies. */
async function countReadBack(target: ResumeTarget, result: {nativeId: string; nativePath: string; files: string[]}, context: AdapterContext): Promise<number> {
	try {
		const {adapterFor} = await import('../adapters/registry.js');
		const adapter = adapterFor(target);
		const native: NativeSession = {tool: target, nativeId: result.nativeId, files: [result.nativePath], growth: 'append'};
		const discovered = (await adapter.discover(context)).find(candidate => candidate.nativeId === result.nativeId);
		const read = await adapter.read({session: discovered ?? native}, context);
		return read.messages.length;
	} catch {
		return 0;
	}
}

/** Finds an executable on PATH (no shell). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
	for (const dir of (env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {}
	}

	return undefined;
}

/**
 * Refuses a launch whose program is not on PATH, before anything is written: a tool that is not
 * installed would otherwise leave one more native session behind on every try, each captured later
 * as another copy.
 */
export async function assertLaunchable(target: ResumeTarget, loadWriter: WriterLoader, options: {transcript?: boolean} = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
	const writer = await loadWriter(target);
	const executable = options.transcript ? 'claude' : writer.resumeCommand('probe', {})[0]!;
	if (findExecutable(executable, env)) return;
	throw new SfsError('NOT_INSTALLED', `${executable} (${target}) is not installed or not on PATH`, {
		hint: `install it: ${writer.installHint}; nothing was written (--no-launch writes the session and prints the command)`,
	});
}

/** The argv that opens `command` in a new tmux pane or window, in `cwd`. */
export function tmuxCommand(kind: 'split' | 'window', command: string[], cwd: string): string[] {
	return ['tmux', kind === 'split' ? 'split-window' : 'new-window', '-c', cwd, '--', ...command];
}
