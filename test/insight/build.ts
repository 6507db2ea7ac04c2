/** Purpose-built sessions for the insight tests: messages written the way the adapters store them. */
import type {ContentBlock, Message, Session, TokenUsage} from '../../source/engine/types.js';

export class SessionBuilder {
	readonly messages: Message[] = [];
	private clock: number;
	private calls = 0;

	constructor(private readonly tool = 'claude-code', start = '2026-03-20T10:00:00.000Z', private readonly cwd = '/work/demo') {
		this.clock = Date.parse(start);
	}

	private add(role: Message['role'], content: ContentBlock[], extra: Partial<Message> = {}): Message {
		const message: Message = {msg_id: `m${this.messages.length + 1}`, role, content, timestamp: new Date(this.clock).toISOString(), ...extra};
		this.clock += 1000;
		this.messages.push(message);
		return message;
	}

	user(text: string): Message {
		return this.add('user', [{type: 'text', text}]);
	}

	say(text: string, extra: Partial<Message> = {}): Message {
		return this.add('assistant', [{type: 'text', text}], extra);
	}

	usage(model: string, usage: TokenUsage, metadata: Record<string, unknown> = {}): Message {
		return this.add('assistant', [{type: 'text', text: '…'}], {model, usage, metadata});
	}

	/** One tool call and its result; returns the call's message. */
	call(name: string, input: Record<string, unknown>, result: {content?: string; is_error?: boolean; exit_code?: number} = {}): Message {
		const id = `call_${++this.calls}`;
		const message = this.add('assistant', [{type: 'tool_use', tool_use_id: id, name, input}]);
		this.add('tool', [{type: 'tool_result', tool_use_id: id, content: result.content ?? '', ...(result.is_error === undefined ? {} : {is_error: result.is_error}), ...(result.exit_code === undefined ? {} : {exit_code: result.exit_code})}]);
		return message;
	}

	bash(command: string, output: string, exitCode = 0): Message {
		return this.call('Bash', {command}, exitCode === 0 ? {content: output} : {content: `Exit code ${exitCode}\n${output}`, is_error: true});
	}

	session(id = 'ses_builder', model = 'claude-sonnet-4-5'): Session {
		return {
			manifest: {sfs_version: '0.1.0', session_id: id, created_at: this.messages[0]?.timestamp ?? '2026-03-20T10:00:00.000Z', source: {tool: this.tool}, model: {model_id: model}, metadata: {cwd: this.cwd}},
			messages: this.messages,
		};
	}
}
