/**
 * Resume writers: turn a canonical session into a NEW native session of a target tool (a fresh native
 * id, never overwriting one), and say how to launch the tool on it. Used by `sfs resume` and by
 * `sfs export --format <tool>` (which writes into `outDir` instead of the tool's store).
 */
import type {ResumeTarget, Session} from '../engine/types.js';
import type {AdapterContext} from './types.js';

/** What was kept, converted and dropped on the way into the target; nothing is lost silently. */
export type FidelityReport = {
	/** Messages written as they were (same role and block kinds). */
	messages_kept: number;
	/** Messages written in another shape (e.g. a tool call turned into text, a developer message into user text). */
	messages_converted: number;
	/** Messages left out (e.g. native_record blobs, empty messages); each reason is in `warnings`. */
	messages_dropped: number;
	/** Tool calls written as the target's own tool calls with their results. */
	tool_calls_mapped: number;
	/** Reasoning: kept as the target's own (same vendor, valid signature), written as plain text, or dropped. */
	thinking: 'kept' | 'as_text' | 'dropped';
	images_kept: number;
	/** User turns left out by trimming (set by the resume engine). */
	turns_trimmed: number;
};

export type WriteOptions = {
	/** The directory the target will be launched in (the session's workspace or --cwd). Absolute. */
	cwd: string;
	model?: string;
	/** Wall clock for the written session's timestamps where the target needs "now" (e.g. Gemini's cleanup). */
	now: Date;
	/** Write the native file(s) under this directory instead of the tool's store (export). */
	outDir?: string;
	/** The sfs session this native session is written from (stamped where the format has room). */
	fromSessionId: string;
};

export type WriteResult = {
	nativeId: string;
	/** The main native file written. */
	nativePath: string;
	/** Every file written or updated (e.g. Gemini's projects.json). */
	files: string[];
	report: Omit<FidelityReport, 'turns_trimmed'>;
	warnings: string[];
};

export interface ResumeWriter {
	readonly target: ResumeTarget;
	/** The executable name, e.g. "claude". */
	readonly binary: string;
	/** How to install the CLI, shown when it is missing. */
	readonly installHint: string;
	/** Writes `session` as a new native session. Must not overwrite any existing file. */
	write(session: Session, options: WriteOptions, ctx: AdapterContext): Promise<WriteResult>;
	/** argv (binary first) that resumes `nativeId` interactively, e.g. ["claude", "--resume", id]. */
	resumeCommand(nativeId: string, options: {model?: string}): string[];
	/** argv that resumes `nativeId` non-interactively with a prompt (tests, headless). */
	headlessResumeCommand(nativeId: string, prompt: string, options: {model?: string}): string[];
	/** True when the tool's own store still holds this native session (resume in its own tool by id). */
	nativeExists(nativeId: string, ctx: AdapterContext): Promise<boolean>;
}
