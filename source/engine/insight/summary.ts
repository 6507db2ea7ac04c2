/**
 * What a session did, from its tool calls and their results only (deterministic, offline): files read,
 * created, edited and deleted with line counts, commands with exit status, test runs with pass/fail
 * counts, packages added, errors hit, duration, turns, tokens and cost.
 */
import path from 'node:path';
import {extractFileEdits} from '../file-edits.js';
import {isUserTurn} from '../session-stats.js';
import type {Message, Session} from '../types.js';
import {CostLedger, type CostReport, type TokenTotals} from './cost.js';
import {packagesAdded, type PackageAdded} from './packages.js';
import type {PriceTable} from './prices.js';
import {testRuns} from './test-runs.js';
import {pairToolCalls, resultText, shellCommands, simpleCommands, type ToolCall, words} from './tool-calls.js';

export type FileAction = 'read' | 'created' | 'edited' | 'deleted';
export type FileSummary = {path: string; action: FileAction; lines_added: number; lines_removed: number};
export type SessionSummary = {
	files: FileSummary[];
	commands: Array<{command: string; exit_code: number | null}>;
	tests: Array<{command: string; passed: number | null; failed: number | null; exit_code: number | null}>;
	packages: PackageAdded[];
	errors: Array<{tool: string; message: string; msg_id: string}>;
	duration_ms: number;
	turns: number;
	tokens: TokenTotals;
	cost_usd: number | null;
};

type SummarySession = Pick<Session, 'manifest' | 'messages' | 'workspace'>;

export type SummaryResult = {summary: SessionSummary; cost: CostReport};

/** The summary of `session`; the cost includes its sub-agent sessions, each API response counted once. */
export function summarize(session: SummarySession, table: PriceTable, subagents: SummarySession[] = [], seen?: Set<string>): SummaryResult {
	const messages = wellFormed(session.messages);
	const calls = pairToolCalls(messages);
	const commands = shellCommands(calls);
	const cwd = workspaceRoot(session);
	const ledger = new CostLedger(table, seen);
	ledger.addSession(session);
	for (const child of subagents) ledger.addSession(child);
	const cost = ledger.report();
	const summary: SessionSummary = {
		files: fileSummaries(messages, calls, cwd),
		commands: commands.map(command => ({command: command.command, exit_code: command.exit_code})),
		tests: testRuns(commands).map(run => ({command: run.command, passed: run.passed, failed: run.failed, exit_code: run.exit_code})),
		packages: packagesAdded(commands),
		errors: errorsOf(calls),
		duration_ms: durationMs(messages),
		turns: messages.filter(message => !message.metadata?.copied_from && isUserTurn(message)).length,
		tokens: cost.tokens,
		cost_usd: cost.cost_usd,
	};
	return {summary, cost};
}

/** Messages as the insight code reads them: a message whose content is not a list has no blocks. */
export function wellFormed(messages: Message[]): Message[] {
	return messages.filter(message => message && typeof message === 'object').map(message => (Array.isArray(message.content) ? message : {...message, content: []}));
}

export function workspaceRoot(session: SummarySession): string | undefined {
	const cwd = session.manifest.metadata?.cwd;
	if (typeof cwd === 'string' && cwd) return cwd;
	return session.workspace?.root_path || undefined;
}

/** Workspace-relative when inside the workspace; otherwise as given. */
export function relativePath(file: string, cwd: string | undefined): string {
	let normalized = file.trim().replace(/\\/g, '/');
	if (normalized.startsWith('file://')) normalized = normalized.slice('file://'.length);
	if (cwd && path.posix.isAbsolute(normalized)) {
		const root = cwd.replace(/\\/g, '/').replace(/\/+$/, '');
		if (normalized === root) return '.';
		if (normalized.startsWith(`${root}/`)) normalized = normalized.slice(root.length + 1);
	}

	normalized = path.posix.normalize(normalized);
	return normalized.startsWith('./') ? normalized.slice(2) : normalized;
}

const READ_TOOLS = new Set(['read', 'read_file', 'read_files', 'readfile', 'view', 'view_file', 'open_file', 'read_many_files', 'cat']);
const SHELL_READERS = new Set(['cat', 'head', 'tail', 'nl', 'less', 'more', 'bat']);

/** Files a call read (successful calls only). */
export function filesRead(call: ToolCall): string[] {
	if (call.result?.is_error) return [];
	const input = (call.call.input ?? {}) as Record<string, unknown>;
	const isView = (call.name === 'str_replace_based_edit_tool' || call.name === 'str_replace_editor') && input.command === 'view';
	if (READ_TOOLS.has(call.name) || isView) {
		const single = input.file_path ?? input.path ?? input.target_file ?? input.absolute_path ?? input.filePath ?? input.filename;
		if (typeof single === 'string') return [single];
		const many = input.paths ?? input.file_paths ?? input.files;
		// Strings, or objects with a path (the Cline SDK's read_files: [{path, start_line, end_line}]).
		if (!Array.isArray(many)) return [];
		return many.flatMap(item => (typeof item === 'string' ? [item] : item && typeof item === 'object' && typeof (item as {path?: unknown}).path === 'string' ? [(item as {path: string}).path] : []));
	}

	const out: string[] = [];
	for (const line of commandLines(call)) {
		for (const part of simpleCommands(line)) {
			const [head, ...args] = words(part);
			if (!head || !SHELL_READERS.has(head.replace(/^.*\//, ''))) continue;
			for (let index = 0; index < args.length; index++) {
				const arg = args[index]!;
				if (arg === '-n' || arg === '-c') {
					index++;
					continue;
				}

				if (!arg.startsWith('-') && !arg.includes('>') && !arg.includes('<') && !arg.includes('*')) out.push(arg);
			}
		}
	}

	return call.result && !shellFailed(call) ? out : [];
}

function commandLines(call: ToolCall): string[] {
	const input = (call.call.input ?? {}) as Record<string, unknown>;
	const raw = input.command ?? input.cmd ?? input.commands;
	if (typeof raw === 'string') return [raw];
	if (Array.isArray(raw)) return raw.filter((item): item is string => typeof item === 'string').filter(item => !/^(ba|z|)sh$|^-l?c$/.test(item));
	return [];
}

function shellFailed(call: ToolCall): boolean {
	const code = call.result?.exit_code;
	if (typeof code === 'number') return code !== 0;
	return Boolean(call.result?.is_error) || /Process exited with code [1-9]|^Exit code [1-9]|Exit Code: [1-9]|exit code [1-9]/im.test(resultText(call.result));
}

function fileSummaries(messages: Message[], calls: ToolCall[], cwd: string | undefined): FileSummary[] {
	type Entry = {ops: FileAction[]; lines_added: number; lines_removed: number; order: number};
	const byPath = new Map<string, Entry>();
	let order = 0;
	const entry = (file: string): Entry => {
		const key = relativePath(file, cwd);
		let found = byPath.get(key);
		if (!found) {
			found = {ops: [], lines_added: 0, lines_removed: 0, order: order++};
			byPath.set(key, found);
		}

		return found;
	};

	const resultOf = new Map(calls.map(call => [call.call.tool_use_id, call.result]));
	const edits = extractFileEdits(messages);
	const editsByCall = new Map<string, typeof edits>();
	for (const edit of edits) {
		const list = editsByCall.get(edit.tool_use_id);
		if (list) list.push(edit);
		else editsByCall.set(edit.tool_use_id, [edit]);
	}
	// Walk calls in order so reads and edits interleave as they happened.
	for (const call of calls) {
		for (const file of filesRead(call)) entry(file).ops.push('read');
		for (const edit of editsByCall.get(call.call.tool_use_id) ?? []) {
			if (edit.failed) continue;
			const target = entry(edit.path);
			let action: FileAction = edit.action === 'written' ? 'edited' : edit.action;
			// Write/write_file on a path not seen before: the tool's reply tells created from overwritten.
			if (edit.action === 'written' && /\b(created|new file)\b/i.test(resultText(resultOf.get(edit.tool_use_id)))) action = 'created';
			target.ops.push(action);
			target.lines_added += edit.lines_added;
			target.lines_removed += edit.lines_removed;
		}
	}

	return [...byPath.entries()]
		.sort(([, a], [, b]) => a.order - b.order)
		.map(([file, found]) => ({path: file, action: finalAction(found.ops), lines_added: found.lines_added, lines_removed: found.lines_removed}));
}

function finalAction(ops: FileAction[]): FileAction {
	if (ops.at(-1) === 'deleted') return 'deleted';
	if (ops.includes('created')) return 'created';
	if (ops.includes('edited')) return 'edited';
	return 'read';
}

function errorsOf(calls: ToolCall[]): SessionSummary['errors'] {
	const out: SessionSummary['errors'] = [];
	for (const call of calls) {
		if (!call.result) continue;
		const code = call.result.exit_code;
		const failed = Boolean(call.result.is_error) || (typeof code === 'number' && code !== 0) || (typeof code !== 'number' && shellFailed(call) && commandLines(call).length > 0);
		if (!failed) continue;
		const text = resultText(call.result);
		const lines = text.split('\n').map(line => line.trim()).filter(line => line && !/^(Exit code|Chunk ID|Wall time|Process exited|Original token count|Output:)/i.test(line));
		// The line that says what went wrong, when one does (a test summary, `FAIL pkg`, `error: …`).
		const telling = lines.find(line => /\b(error|fail(ed|ure)?|exception|not found|no such|denied|cannot|panic|traceback)\b/i.test(line) && !/\b0 (failed|errors?)\b/.test(line));
		const message = (telling ?? lines[0] ?? text.trim()).slice(0, 200);
		out.push({tool: call.call.name, message, msg_id: call.result_msg_id ?? call.msg_id});
	}

	return out;
}

function durationMs(messages: Message[]): number {
	let first = Number.POSITIVE_INFINITY;
	let last = Number.NEGATIVE_INFINITY;
	for (const message of messages) {
		if (message.metadata?.copied_from) continue;
		const time = Date.parse(message.timestamp);
		if (Number.isNaN(time)) continue;
		first = Math.min(first, time);
		last = Math.max(last, time);
	}

	return Number.isFinite(first) && Number.isFinite(last) ? last - first : 0;
}
