/**
 * Writes one conversation in each tool's native format, where the adapters look for it under a HOME
 * (the shapes follow the recorded sessions in test/fixtures/<tool>/ and test/fixtures/recorded/).
 * Returns the files written.
 */
import fs from 'node:fs';
import path from 'node:path';
import {Clock, type Conversation, uuidFrom} from './conversation.js';

export const BENCH_TOOLS = ['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp', 'cline', 'roo-code'] as const;
export type BenchTool = (typeof BENCH_TOOLS)[number];

type Writer = (home: string, conversation: Conversation) => string[];

function writeFile(file: string, content: string): string {
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, content);
	return file;
}

const jsonl = (records: unknown[]): string => records.map(record => JSON.stringify(record)).join('\n') + '\n';
const slug = (cwd: string): string => cwd.replace(/[^A-Za-z0-9]/g, '-');

/** Claude Code: ~/.claude/projects/<cwd slug>/<uuid>.jsonl, one record per message linked by parentUuid. */
export function claudeRecords(conversation: Conversation, clock: Clock, label = conversation.uuid): unknown[] {
	const records: unknown[] = [];
	let parent: string | null = null;
	let n = 0;
	const base = {isSidechain: false, userType: 'external', cwd: conversation.cwd, sessionId: conversation.uuid, version: '2.1.332', gitBranch: 'main'};
	const push = (record: Record<string, unknown>) => {
		const uuid = uuidFrom(`${label}:${n++}`);
		records.push({parentUuid: parent, ...record, uuid, timestamp: clock.next(), ...base});
		parent = uuid;
	};

	for (const turn of conversation.turns) {
		push({type: 'user', message: {role: 'user', content: turn.prompt}});
		for (const step of turn.steps) {
			push({
				type: 'assistant',
				requestId: `req_${n}`,
				message: {
					id: `msg_${label.slice(0, 8)}_${n}`,
					type: 'message',
					role: 'assistant',
					model: 'claude-sonnet-4-5',
					content: [
						{type: 'thinking', thinking: step.thinking, signature: ''},
						{type: 'text', text: step.text},
						{type: 'tool_use', id: step.callId, name: 'Bash', input: {command: step.command, description: 'Run a command'}},
					],
					stop_reason: 'tool_use',
					usage: {input_tokens: 1200 + n, output_tokens: 80, cache_read_input_tokens: 900, cache_creation_input_tokens: 0},
				},
			});
			push({
				type: 'user',
				message: {role: 'user', content: [{type: 'tool_result', tool_use_id: step.callId, content: step.output, is_error: false}]},
				toolUseResult: {stdout: step.output, stderr: '', interrupted: false, isImage: false},
			});
		}

		push({
			type: 'assistant',
			requestId: `req_${n}`,
			message: {
				id: `msg_${label.slice(0, 8)}_${n}`,
				type: 'message',
				role: 'assistant',
				model: 'claude-sonnet-4-5',
				content: [{type: 'text', text: turn.answer}],
				stop_reason: 'end_turn',
				usage: {input_tokens: 1500 + n, output_tokens: 200, cache_read_input_tokens: 1100, cache_creation_input_tokens: 0},
			},
		});
	}

	return records;
}

export function claudeSessionFile(home: string, conversation: Conversation): string {
	return path.join(home, '.claude', 'projects', slug(conversation.cwd), `${conversation.uuid}.jsonl`);
}

const claudeCode: Writer = (home, conversation) => [writeFile(claudeSessionFile(home, conversation), jsonl(claudeRecords(conversation, new Clock(conversation.startMs))))];

/** Codex: ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl (session_meta, then response_items). */
const codex: Writer = (home, conversation) => {
	const clock = new Clock(conversation.startMs);
	const start = new Date(conversation.startMs).toISOString();
	const [date, time] = start.split('T') as [string, string];
	const records: unknown[] = [];
	const item = (type: string, payload: Record<string, unknown>) => records.push({timestamp: clock.next(), type, payload});
	item('session_meta', {id: conversation.uuid, timestamp: start, cwd: conversation.cwd, originator: 'codex_cli_rs', cli_version: '0.169.0', source: 'cli', model_provider: 'openai'});
	item('turn_context', {cwd: conversation.cwd, approval_policy: 'on-request', model: 'gpt-5-codex', summary: 'auto'});
	let n = 0;
	for (const turn of conversation.turns) {
		item('response_item', {type: 'message', id: `msg_${conversation.uuid.slice(0, 8)}_${n++}`, role: 'user', content: [{type: 'input_text', text: turn.prompt}]});
		for (const step of turn.steps) {
			item('response_item', {type: 'reasoning', id: `rs_${n++}`, summary: [{type: 'summary_text', text: step.thinking}], content: null, encrypted_content: null});
			item('response_item', {type: 'message', id: `msg_${conversation.uuid.slice(0, 8)}_${n++}`, role: 'assistant', content: [{type: 'output_text', text: step.text}]});
			item('response_item', {type: 'function_call', id: `fc_${n++}`, name: 'exec_command', arguments: JSON.stringify({cmd: step.command}), call_id: step.callId});
			item('response_item', {type: 'function_call_output', call_id: step.callId, output: `Process exited with code 0\nOutput:\n${step.output}`});
		}

		item('response_item', {type: 'message', id: `msg_${conversation.uuid.slice(0, 8)}_${n++}`, role: 'assistant', content: [{type: 'output_text', text: turn.answer}]});
		item('event_msg', {type: 'token_count', info: {total_token_usage: {input_tokens: 1000 * n, cached_input_tokens: 500 * n, output_tokens: 100 * n, reasoning_output_tokens: 10 * n, total_tokens: 1100 * n}}});
	}

	const [year, month, day] = date.split('-') as [string, string, string];
	const stamp = `${date}T${time.slice(0, 8).replace(/:/g, '-')}`;
	return [writeFile(path.join(home, '.codex', 'sessions', year, month, day, `rollout-${stamp}-${conversation.uuid}.jsonl`), jsonl(records))];
};

/** Gemini CLI: ~/.gemini/tmp/<project slug>/chats/session-<time>-<uuid8>.jsonl (metadata line, then messages); `.project_root` names the cwd. */
const gemini: Writer = (home, conversation) => {
	const clock = new Clock(conversation.startMs);
	const projectSlug = `${path.basename(conversation.cwd)}-${conversation.uuid.slice(0, 4)}`;
	const projectDir = path.join(home, '.gemini', 'tmp', projectSlug);
	writeFile(path.join(projectDir, '.project_root'), `${conversation.cwd}-${conversation.uuid.slice(0, 4)}`);
	const start = new Date(conversation.startMs).toISOString();
	const records: unknown[] = [{sessionId: conversation.uuid, projectHash: conversation.uuid.replace(/-/g, ''), startTime: start, lastUpdated: start, kind: 'main'}];
	let n = 0;
	for (const turn of conversation.turns) {
		records.push({id: uuidFrom(`${conversation.uuid}:g${n++}`), timestamp: clock.next(), type: 'user', content: [{text: turn.prompt}]});
		for (const step of turn.steps) {
			const at = clock.next();
			records.push({
				id: uuidFrom(`${conversation.uuid}:g${n++}`),
				timestamp: at,
				type: 'gemini',
				content: step.text,
				thoughts: [{subject: '', description: step.thinking, timestamp: at}],
				tokens: {input: 1200, output: 80, cached: 0, thoughts: 10, tool: 0, total: 1290},
				model: 'gemini-2.5-flash',
				toolCalls: [
					{
						id: step.callId,
						name: 'run_shell_command',
						args: {command: step.command},
						result: [{functionResponse: {id: step.callId, name: 'run_shell_command', response: {output: step.output}}}],
						status: 'success',
						timestamp: at,
						resultDisplay: step.output,
						displayName: 'Shell',
					},
				],
			});
		}

		records.push({id: uuidFrom(`${conversation.uuid}:g${n++}`), timestamp: clock.next(), type: 'gemini', content: turn.answer, tokens: {input: 1500, output: 200, cached: 0, thoughts: 0, tool: 0, total: 1700}, model: 'gemini-2.5-flash'});
		records.push({$set: {lastUpdated: clock.next()}});
	}

	const stamp = start.slice(0, 16).replace(':', '-');
	return [writeFile(path.join(projectDir, 'chats', `session-${stamp}-${conversation.uuid.slice(0, 8)}.jsonl`), jsonl(records))];
};

/** Copilot CLI: ~/.copilot/session-state/<uuid>/events.jsonl (+ workspace.yaml). */
const copilot: Writer = (home, conversation) => {
	const clock = new Clock(conversation.startMs);
	const dir = path.join(home, '.copilot', 'session-state', conversation.uuid);
	const events: unknown[] = [];
	let parent: string | null = null;
	let n = 0;
	const event = (type: string, data: Record<string, unknown>) => {
		const id = uuidFrom(`${conversation.uuid}:c${n++}`);
		events.push({type, data, id, timestamp: clock.next(), parentId: parent});
		parent = id;
	};

	const start = new Date(conversation.startMs).toISOString();
	event('session.start', {sessionId: conversation.uuid, version: 1, producer: 'copilot-agent', copilotVersion: '1.0.102', startTime: start, selectedModel: 'claude-sonnet-4', context: {cwd: conversation.cwd}});
	let turnId = 0;
	for (const turn of conversation.turns) {
		const messageId = uuidFrom(`${conversation.uuid}:u${n}`);
		event('user.message', {content: turn.prompt, transformedContent: turn.prompt, messageId, interactionId: messageId, turnId: String(turnId)});
		for (const step of turn.steps) {
			event('assistant.turn_start', {turnId: String(turnId)});
			event('assistant.message', {messageId: uuidFrom(`${conversation.uuid}:a${n}`), model: 'claude-sonnet-4', content: step.text, reasoningText: step.thinking, toolRequests: [{toolCallId: step.callId, name: 'bash', arguments: {command: step.command}}], turnId: String(turnId)});
			event('tool.execution_start', {toolCallId: step.callId, toolName: 'bash', arguments: {command: step.command}, turnId: String(turnId)});
			event('tool.execution_complete', {toolCallId: step.callId, model: 'claude-sonnet-4', turnId: String(turnId), success: true, result: {content: step.output}});
			event('assistant.turn_end', {turnId: String(turnId++)});
		}

		event('assistant.message', {messageId: uuidFrom(`${conversation.uuid}:a${n}`), model: 'claude-sonnet-4', content: turn.answer, toolRequests: [], turnId: String(turnId++)});
	}

	writeFile(
		path.join(dir, 'workspace.yaml'),
		`id: ${conversation.uuid}\ncwd: ${conversation.cwd}\nclient_name: github/cli\nsummary_count: 0\ncreated_at: ${start}\nupdated_at: ${start}\n`,
	);
	return [writeFile(path.join(dir, 'events.jsonl'), jsonl(events))];
};

/** Cursor agent: ~/.cursor/projects/<slug>/agent-transcripts/<uuid>/<uuid>.jsonl (role + content parts). */
const cursor: Writer = (home, conversation) => {
	const lines: unknown[] = [];
	for (const turn of conversation.turns) {
		lines.push({role: 'user', message: {content: [{type: 'text', text: `<user_query>\n${turn.prompt}\n</user_query>`}]}});
		for (const step of turn.steps) {
			lines.push({role: 'assistant', message: {content: [{type: 'text', text: step.text}, {type: 'tool_use', name: 'Shell', input: {command: step.command}}]}});
			lines.push({role: 'user', message: {content: [{type: 'text', text: step.output}]}});
		}

		lines.push({role: 'assistant', message: {content: [{type: 'text', text: turn.answer}]}});
	}

	return [writeFile(path.join(home, '.cursor', 'projects', slug(conversation.cwd).replace(/^-/, ''), 'agent-transcripts', conversation.uuid, `${conversation.uuid}.jsonl`), jsonl(lines))];
};

/** Amp: ~/.local/share/amp/threads/T-<uuid>.json, the whole thread in one JSON file. */
const amp: Writer = (home, conversation) => {
	const clock = new Clock(conversation.startMs);
	const messages: unknown[] = [];
	let messageId = 0;
	for (const turn of conversation.turns) {
		messages.push({role: 'user', messageId: messageId++, meta: {sentAt: clock.nextMs()}, content: [{type: 'text', text: turn.prompt}]});
		for (const step of turn.steps) {
			messages.push({
				role: 'assistant',
				messageId: messageId++,
				state: {type: 'complete', stopReason: 'tool_use'},
				content: [
					{type: 'thinking', thinking: step.thinking, signature: ''},
					{type: 'text', text: step.text},
					{type: 'tool_use', id: step.callId, name: 'Bash', input: {cmd: step.command}, complete: true},
				],
			});
			messages.push({role: 'user', messageId: messageId++, content: [{type: 'tool_result', toolUseID: step.callId, run: {status: 'done', result: {output: step.output, exitCode: 0}}}]});
		}

		messages.push({role: 'assistant', messageId: messageId++, state: {type: 'complete', stopReason: 'end_turn'}, content: [{type: 'text', text: turn.answer}]});
	}

	const id = `T-${conversation.uuid}`;
	const thread = {
		v: messages.length,
		id,
		created: conversation.startMs,
		title: conversation.turns[0]?.prompt.slice(0, 60),
		env: {initial: {trees: [{uri: `file://${conversation.cwd}`, displayName: path.basename(conversation.cwd)}], tags: ['model:claude-sonnet-4-20250514']}},
		messages,
	};
	return [writeFile(path.join(home, '.local', 'share', 'amp', 'threads', `${id}.json`), JSON.stringify(thread, null, 2))];
};

/** Anthropic-style messages, as Cline and Roo Code keep them (api_conversation_history.json). */
function anthropicMessages(conversation: Conversation, clock: Clock, wrapPrompt: (prompt: string) => string): unknown[] {
	const out: unknown[] = [];
	for (const turn of conversation.turns) {
		out.push({role: 'user', content: [{type: 'text', text: wrapPrompt(turn.prompt)}], ts: clock.nextMs()});
		for (const step of turn.steps) {
			out.push({role: 'assistant', content: [{type: 'text', text: step.text}, {type: 'tool_use', id: step.callId, name: 'execute_command', input: {command: step.command}}], ts: clock.nextMs()});
			out.push({role: 'user', content: [{type: 'tool_result', tool_use_id: step.callId, content: [{type: 'text', text: step.output}]}], ts: clock.nextMs()});
		}

		out.push({role: 'assistant', content: [{type: 'text', text: turn.answer}], ts: clock.nextMs()});
	}

	return out;
}

/** Cline CLI (SDK layout): ~/.cline/data/sessions/<id>/<id>.json + <id>.messages.json. */
const cline: Writer = (home, conversation) => {
	const clock = new Clock(conversation.startMs);
	const id = `${conversation.startMs}_${conversation.uuid.slice(0, 5)}`;
	const dir = path.join(home, '.cline', 'data', 'sessions', id);
	let n = 0;
	const messages = anthropicMessages(conversation, clock, prompt => `<user_input mode="act">${prompt}</user_input>`).map(message => ({id: uuidFrom(`${id}:${n++}`), ...(message as object)}));
	const start = new Date(conversation.startMs).toISOString();
	const header = {
		version: 1,
		session_id: id,
		source: 'cli',
		started_at: start,
		status: 'idle',
		interactive: true,
		provider: 'anthropic',
		model: 'claude-sonnet-4-5',
		cwd: conversation.cwd,
		workspace_root: conversation.cwd,
		prompt: conversation.turns[0]?.prompt,
		metadata: {title: conversation.turns[0]?.prompt.slice(0, 80)},
	};
	writeFile(path.join(dir, `${id}.json`), JSON.stringify(header, null, 2));
	return [writeFile(path.join(dir, `${id}.messages.json`), JSON.stringify({version: 1, updated_at: start, agent: 'lead', sessionId: id, messages}, null, 2))];
};

/** Roo Code (VS Code extension): globalStorage/rooveterinaryinc.roo-cline/tasks/<uuid>/. */
const rooCode: Writer = (home, conversation) => {
	const clock = new Clock(conversation.startMs);
	const dir = path.join(home, '.config', 'Code', 'User', 'globalStorage', 'rooveterinaryinc.roo-cline', 'tasks', conversation.uuid);
	const api = anthropicMessages(conversation, clock, prompt => `<user_message>\n${prompt}\n</user_message>`);
	const ui = [{ts: conversation.startMs, type: 'say', say: 'text', text: conversation.turns[0]?.prompt}];
	const history = {id: conversation.uuid, number: 1, ts: conversation.startMs, task: conversation.turns[0]?.prompt, tokensIn: 1000, tokensOut: 100, totalCost: 0.01, workspace: conversation.cwd, mode: 'code'};
	writeFile(path.join(dir, 'ui_messages.json'), JSON.stringify(ui));
	writeFile(path.join(dir, 'history_item.json'), JSON.stringify(history, null, '\t'));
	return [writeFile(path.join(dir, 'api_conversation_history.json'), JSON.stringify(api, null, '\t'))];
};

export const NATIVE_WRITERS: Record<BenchTool, Writer> = {'claude-code': claudeCode, codex, gemini, copilot, cursor, amp, cline, 'roo-code': rooCode};
