/**
 * Tool calls across tools: every agent has its own names and argument shapes for the same few actions
 * (run a shell command, read, write or edit a file). A call is first classified into one of those
 * intents from its name and arguments; each resume target then renders the intent as its own tool.
 * Calls that fit no intent are not guessed at: the writer turns them into text.
 */
import type {ToolUseBlock} from '../engine/types.js';
import {shellQuote} from '../engine/shell-quote.js';

export type ToolIntent =
	| {kind: 'shell'; command: string; description?: string}
	| {kind: 'read'; path: string}
	| {kind: 'write'; path: string; content: string}
	| {kind: 'edit'; path: string; oldText: string; newText: string};

/** A call rendered as the target's own tool. */
export type MappedCall = {name: string; input: Record<string, unknown>};

const SHELL_NAMES = new Set([
	'bash',
	'shell',
	'exec_command',
	'local_shell',
	'run_shell_command',
	'execute_command',
	'run_commands',
	'run_terminal_cmd',
	'run_terminal_command',
	'terminal',
	'shell_command',
	'container.exec',
]);
const READ_NAMES = new Set(['read', 'view', 'read_file', 'readfile', 'open_file', 'cat']);
const WRITE_NAMES = new Set(['write', 'create', 'write_file', 'create_file', 'write_to_file', 'writefile']);
const EDIT_NAMES = new Set(['edit', 'str_replace', 'replace', 'edit_file', 'str_replace_editor', 'search_replace', 'multiedit_single']);

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `["bash", "-lc", "ls"]` → `ls`; other argv arrays are joined with shell quoting where needed. */
function argvToCommand(argv: unknown[]): string | undefined {
	const parts = argv.filter((part): part is string => typeof part === 'string');
	if (parts.length === 0 || parts.length !== argv.length) return undefined;
	if (parts.length === 3 && /^(?:\/\S*\/)?(?:ba|z|)sh$/.test(parts[0]) && /^-l?c$/.test(parts[1])) return parts[2];
	return parts.map(part => shellQuote(part)).join(' ');
}

function shellCommand(input: Record<string, unknown>): string | undefined {
	for (const key of ['command', 'cmd']) {
		const value = input[key];
		if (text(value)) return value as string;
		if (Array.isArray(value)) return argvToCommand(value);
	}

	if (Array.isArray(input.commands)) {
		const commands = input.commands.map(command => (typeof command === 'string' ? command : Array.isArray(command) ? argvToCommand(command) : undefined));
		if (commands.length > 0 && commands.every(Boolean)) return commands.join('\n');
	}

	return undefined;
}

function pathOf(input: Record<string, unknown>): string | undefined {
	return text(input.file_path) ?? text(input.absolute_path) ?? text(input.path) ?? text(input.target_file) ?? text(input.filePath) ?? text(input.filename);
}

/** What a call does, when it is one of the actions every target has; undefined otherwise. */
export function classifyToolCall(call: Pick<ToolUseBlock, 'name' | 'input'>): ToolIntent | undefined {
	const name = call.name.toLowerCase();
	const input = call.input ?? {};
	if (SHELL_NAMES.has(name)) {
		const command = shellCommand(input);
		return command ? {kind: 'shell', command, ...(text(input.description) ? {description: input.description as string} : {})} : undefined;
	}

	const file = pathOf(input);
	if (!file) return undefined;
	if (READ_NAMES.has(name)) {
		// A read of a range or of several files is not a plain read; keep it as text rather than lose the range.
		return input.offset === undefined && input.limit === undefined && input.view_range === undefined ? {kind: 'read', path: file} : undefined;
	}

	if (WRITE_NAMES.has(name)) {
		const content = typeof input.content === 'string' ? input.content : typeof input.file_text === 'string' ? input.file_text : undefined;
		return content === undefined ? undefined : {kind: 'write', path: file, content};
	}

	if (EDIT_NAMES.has(name)) {
		const oldText = input.old_string ?? input.old_str ?? input.oldText;
		const newText = input.new_string ?? input.new_str ?? input.newText;
		if (typeof oldText === 'string' && typeof newText === 'string' && input.replace_all !== true) return {kind: 'edit', path: file, oldText, newText};
	}

	return undefined;
}

/** Claude Code's own tools: Bash, Read, Write, Edit. */
export function claudeToolFor(intent: ToolIntent): MappedCall {
	switch (intent.kind) {
		case 'shell': {
			return {name: 'Bash', input: {command: intent.command, ...(intent.description ? {description: intent.description} : {})}};
		}

		case 'read': {
			return {name: 'Read', input: {file_path: intent.path}};
		}

		case 'write': {
			return {name: 'Write', input: {file_path: intent.path, content: intent.content}};
		}

		case 'edit': {
			return {name: 'Edit', input: {file_path: intent.path, old_string: intent.oldText, new_string: intent.newText}};
		}
	}
}

/** Copilot CLI's own tools: bash, view, create, edit. */
export function copilotToolFor(intent: ToolIntent): MappedCall {
	switch (intent.kind) {
		case 'shell': {
			return {name: 'bash', input: {command: intent.command, description: intent.description ?? 'Run a shell command'}};
		}

		case 'read': {
			return {name: 'view', input: {path: intent.path}};
		}

		case 'write': {
			return {name: 'create', input: {path: intent.path, file_text: intent.content}};
		}

		case 'edit': {
			return {name: 'edit', input: {path: intent.path, old_str: intent.oldText, new_str: intent.newText}};
		}
	}
}

function patchLines(prefix: '+' | '-', text: string): string[] {
	const lines = text.split('\n');
	if (lines.length > 1 && lines.at(-1) === '') lines.pop();
	return lines.map(line => `${prefix}${line}`);
}

/**
 * Codex CLI's own tools: `exec_command {cmd}` for shell commands and reads (Codex reads files with the shell),
 * the freeform `apply_patch` for writes and edits (its patch text in `input`).
 */
export function codexToolFor(intent: ToolIntent): MappedCall {
	switch (intent.kind) {
		case 'shell': {
			return {name: 'exec_command', input: {cmd: intent.command}};
		}

		case 'read': {
			return {name: 'exec_command', input: {cmd: `cat ${shellQuote(intent.path)}`}};
		}

		case 'write': {
			return {name: 'apply_patch', input: {input: ['*** Begin Patch', `*** Add File: ${intent.path}`, ...patchLines('+', intent.content), '*** End Patch', ''].join('\n')}};
		}

		case 'edit': {
			const patch = ['*** Begin Patch', `*** Update File: ${intent.path}`, '@@', ...patchLines('-', intent.oldText), ...patchLines('+', intent.newText), '*** End Patch', ''];
			return {name: 'apply_patch', input: {input: patch.join('\n')}};
		}
	}
}

/** Gemini CLI's own tools: run_shell_command, read_file, write_file, replace. */
export function geminiToolFor(intent: ToolIntent): MappedCall {
	switch (intent.kind) {
		case 'shell': {
			return {name: 'run_shell_command', input: {command: intent.command, ...(intent.description ? {description: intent.description} : {})}};
		}

		case 'read': {
			return {name: 'read_file', input: {file_path: intent.path}};
		}

		case 'write': {
			return {name: 'write_file', input: {file_path: intent.path, content: intent.content}};
		}

		case 'edit': {
			return {name: 'replace', input: {file_path: intent.path, old_string: intent.oldText, new_string: intent.newText}};
		}
	}
}
