/**
 * Tool calls paired with their results, and the shell commands among them with their exit status,
 * across tools (Bash, exec_command/shell, run_shell_command, bash, run_commands/execute_command,
 * run_terminal_cmd, …). History copied by resume (`metadata.copied_from`) is left out.
 */
import type {Message, ToolResultBlock, ToolUseBlock} from '../types.js';

export type ToolCall = {
	call: ToolUseBlock;
	/** Lower-case tool name without an MCP server prefix. */
	name: string;
	msg_id: string;
	/** Position of the calling message in the session. */
	position: number;
	timestamp: string;
	result?: ToolResultBlock;
	result_msg_id?: string;
};

export type ShellCommand = {
	command: string;
	/** From the result's exit_code, else read from its text; 0 for a result that is no error; null when unknown. */
	exit_code: number | null;
	failed: boolean;
	output: string;
	msg_id: string;
	result_msg_id?: string;
	position: number;
	/** When the call was made (ms since the epoch; NaN when the message has no readable time). */
	time: number;
};

export function toolName(name: string): string {
	return name.toLowerCase().replace(/^mcp__[^_]+__/, '');
}

/** Every tool call of the session in order, with its result when there is one. */
export function pairToolCalls(messages: Message[]): ToolCall[] {
	const results = new Map<string, {block: ToolResultBlock; msg_id: string}>();
	for (const message of messages) {
		for (const block of message.content ?? []) {
			if (block.type === 'tool_result') results.set((block as ToolResultBlock).tool_use_id, {block: block as ToolResultBlock, msg_id: message.msg_id});
		}
	}

	const calls: ToolCall[] = [];
	messages.forEach((message, position) => {
		if (message.metadata?.copied_from) return;
		for (const block of message.content ?? []) {
			if (block.type !== 'tool_use') continue;
			const call = block as ToolUseBlock;
			const result = results.get(call.tool_use_id);
			calls.push({call, name: toolName(call.name), msg_id: message.msg_id, position, timestamp: message.timestamp, result: result?.block, result_msg_id: result?.msg_id});
		}
	});
	return calls;
}

const SHELL_TOOLS = new Set(['bash', 'shell', 'exec_command', 'local_shell', 'container.exec', 'run_shell_command', 'execute_command', 'run_terminal_cmd', 'run_terminal_command', 'run_commands', 'run_command', 'terminal', 'powershell']);

/** The command line(s) a shell call ran. */
export function commandsOf(call: ToolCall): string[] {
	if (!SHELL_TOOLS.has(call.name)) return [];
	const input = (call.call.input ?? {}) as Record<string, unknown>;
	const raw = input.command ?? input.cmd ?? input.commands ?? input.script;
	if (typeof raw === 'string') return raw.trim() ? [raw.trim()] : [];
	if (Array.isArray(raw) && raw.every(part => typeof part === 'string')) {
		const parts = raw as string[];
		// `["bash", "-lc", "npm test"]` is one command; `commands: ["a", "b"]` are several.
		if (parts.length >= 3 && /(^|\/)(ba|z|)sh$/.test(parts[0]!) && /^-l?c$/.test(parts[1]!)) return [parts.slice(2).join(' ')];
		if (input.commands !== undefined) return parts.filter(part => part.trim());
		return [parts.join(' ')];
	}

	return [];
}

const EXIT_PATTERNS = [
	/^Exit code[:\s]+(-?\d+)/im,
	/Process exited with code (-?\d+)/i,
	/\bExit Code:\s*(-?\d+)/i,
	/completed with exit code (-?\d+)/i,
	/exited with (?:exit )?code (-?\d+)/i,
	/\bexit(?:ed)? status[:\s]+(-?\d+)/i,
];

export function resultText(result: ToolResultBlock | undefined): string {
	if (!result) return '';
	return typeof result.content === 'string' ? result.content : JSON.stringify(result.content ?? '');
}

export function exitCodeOf(result: ToolResultBlock | undefined): number | null {
	if (!result) return null;
	if (typeof result.exit_code === 'number') return result.exit_code;
	const text = resultText(result);
	for (const pattern of EXIT_PATTERNS) {
		const match = pattern.exec(text);
		if (match) return Number(match[1]);
	}

	return result.is_error ? null : 0;
}

export function shellCommands(calls: ToolCall[]): ShellCommand[] {
	const out: ShellCommand[] = [];
	for (const call of calls) {
		for (const command of commandsOf(call)) {
			const exitCode = exitCodeOf(call.result);
			out.push({
				command,
				exit_code: exitCode,
				failed: Boolean(call.result?.is_error) || (exitCode !== null && exitCode !== 0),
				output: resultText(call.result),
				msg_id: call.msg_id,
				result_msg_id: call.result_msg_id,
				position: call.position,
				time: Date.parse(call.timestamp),
			});
		}
	}

	return out;
}

/** The simple commands of a command line (split at `&&`, `||`, `;`, `|` and newlines, outside quotes). */
export function simpleCommands(line: string): string[] {
	const parts: string[] = [];
	let current = '';
	let quote: string | undefined;
	for (let index = 0; index < line.length; index++) {
		const char = line[index]!;
		if (quote) {
			if (char === quote) quote = undefined;
			current += char;
			continue;
		}

		if (char === '"' || char === "'") {
			quote = char;
			current += char;
			continue;
		}

		if (char === ';' || char === '\n' || char === '|' || (char === '&' && line[index + 1] === '&')) {
			if (char === '&' || (char === '|' && line[index + 1] === '|')) index++;
			parts.push(current);
			current = '';
			continue;
		}

		current += char;
	}

	parts.push(current);
	return parts.map(part => part.trim()).filter(Boolean);
}

/** Words of a simple command, quotes removed; leading `VAR=value` assignments and `sudo`/`env` dropped. */
export function words(command: string): string[] {
	const out: string[] = [];
	for (const match of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3] ?? '');
	while (out.length > 0 && (/^[A-Za-z_]\w*=/.test(out[0]!) || out[0] === 'sudo' || out[0] === 'env' || out[0] === 'time')) out.shift();
	return out;
}
