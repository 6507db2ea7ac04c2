/**
 * A scripted loopback model endpoint for running the real coding-agent CLIs offline.
 *
 * It speaks four wire protocols on 127.0.0.1 (random port):
 * - Anthropic Messages (`POST /v1/messages`, `/v1/messages/count_tokens`): Claude Code, Copilot CLI;
 * - OpenAI Responses (`POST /v1/responses`, `GET /v1/models`): Codex;
 * - OpenAI Chat Completions (`POST /v1/chat/completions`): Cline CLI;
 * - Gemini (`POST /v1beta/models/<m>:generateContent|streamGenerateContent|countTokens`): Gemini CLI.
 *
 * Reply selection is stateless, so side requests (titles, quota probes, classifiers) cannot derail it:
 * the last real user prompt of the request picks a script step by its marker; if the request ends with a
 * tool result, the step's follow-up text is sent, otherwise (when the request offers a shell tool) the
 * step's thinking + text + shell tool call. Anything else gets a short plain-text reply.
 * Every request is recorded (`endpoint.requests`) with its decoded JSON body.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {brotliDecompressSync, gunzipSync, inflateSync} from 'node:zlib';
import {decompress as zstdDecompress} from 'fzstd';

export type Protocol = 'anthropic' | 'openai-responses' | 'openai-chat' | 'gemini' | 'other';

export type ScriptStep = {
	/** Substring of the user prompt that selects this step. */
	match: string;
	/** Reasoning sent before the reply (Anthropic thinking block, Gemini thought part, Responses reasoning summary). */
	thinking?: string;
	/** Text reply; sent before the tool call when `command` is set. */
	text?: string;
	/** Shell command to request through the client's own shell tool. */
	command?: string;
	/** Text sent once the tool result comes back. */
	followUp?: string;
};

export type ReplyKind = 'step' | 'follow-up' | 'default' | 'json' | 'count-tokens' | 'probe';

export type RecordedRequest = {
	method: string;
	/** Path without the query string. */
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	protocol: Protocol;
	/** Decoded JSON body, or the raw text when it is not JSON, or undefined when empty. */
	body: unknown;
	stream: boolean;
	replyKind: ReplyKind;
	/** The script step that produced the reply, if any. */
	step?: ScriptStep;
	/** What was sent back (for conversation requests). */
	reply?: SentReply;
};

export type SentReply = {
	thinking?: string;
	text?: string;
	toolCall?: {id: string; name: string; args: Record<string, unknown>};
};

/** One flattened conversation entry, in request order, protocol-independent. */
export type ConversationEntry = {
	role: 'system' | 'user' | 'assistant' | 'tool';
	kind: 'text' | 'thinking' | 'tool_call' | 'tool_result';
	text: string;
	toolName?: string;
	callId?: string;
};

export type ModelEndpointOptions = {
	script?: ScriptStep[];
	/** Reply for requests that match no step. */
	defaultText?: string;
	/** Model name reported back. */
	model?: string;
};

export type ModelEndpoint = {
	/** `http://127.0.0.1:PORT` (no trailing slash, no /v1). */
	url: string;
	port: number;
	requests: RecordedRequest[];
	setScript(script: ScriptStep[]): void;
	/** Requests that carried a conversation (not probes, classifiers or token counts). */
	conversationRequests(): RecordedRequest[];
	clearRequests(): void;
	close(): Promise<void>;
};

const SHELL_TOOL_NAMES = ['Bash', 'bash', 'exec_command', 'shell', 'run_shell_command', 'run_commands', 'execute_command', 'local_shell'];

type ToolSpec = {name: string; schema: Record<string, unknown> | undefined};

/** Planned reply, protocol-independent. */
type Reply = {
	kind: ReplyKind;
	step?: ScriptStep;
	thinking?: string;
	text?: string;
	toolCall?: {id: string; name: string; args: Record<string, unknown>};
	json?: unknown;
};

export async function startModelEndpoint(options: ModelEndpointOptions = {}): Promise<ModelEndpoint> {
	let script = options.script ?? [];
	const defaultText = options.defaultText ?? 'OK.';
	const model = options.model ?? 'stub-model';
	const requests: RecordedRequest[] = [];
	let callCounter = 0;

	const server: Server = createServer((request, response) => {
		void handle(request, response).catch((error: unknown) => {
			if (!response.headersSent) {
				response.writeHead(500, {'content-type': 'application/json'});
			}

			response.end(JSON.stringify({error: {message: String(error)}}));
		});
	});
	server.keepAliveTimeout = 1000;

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const raw = await readBody(request);
		const body = parseBody(raw);
		const path = url.pathname;
		const query = Object.fromEntries(url.searchParams);
		const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value ?? '')]));
		const protocol = detectProtocol(path);
		const record: RecordedRequest = {method: request.method ?? 'GET', path, query, headers, protocol, body, stream: false, replyKind: 'probe'};
		requests.push(record);

		if (record.method !== 'POST') {
			answerProbe(path, response, model);
			return;
		}

		const object = isObject(body) ? body : {};
		if (path.endsWith('/count_tokens') || path.endsWith(':countTokens')) {
			record.replyKind = 'count-tokens';
			sendJson(response, path.endsWith(':countTokens') ? {totalTokens: 42} : {input_tokens: 42});
			return;
		}

		if (protocol === 'other') {
			sendJson(response, {});
			return;
		}

		const stream = protocol === 'gemini' ? path.includes(':streamGenerateContent') : object.stream === true;
		record.stream = stream;
		const entries = flattenConversation(protocol, object);
		const reply = planReply(protocol, object, entries);
		record.replyKind = reply.kind;
		record.step = reply.step;
		record.reply = {thinking: reply.thinking, text: replyText(reply), toolCall: reply.toolCall};
		const modelName = typeof object.model === 'string' ? object.model : (/models\/([^:]+):/.exec(path)?.[1] ?? model);
		switch (protocol) {
			case 'anthropic': {
				sendAnthropic(response, reply, modelName, stream);
				break;
			}

			case 'openai-responses': {
				sendResponses(response, reply, modelName, stream);
				break;
			}

			case 'openai-chat': {
				sendChat(response, reply, modelName, stream);
				break;
			}

			case 'gemini': {
				sendGemini(response, reply, modelName, stream);
				break;
			}
		}
	}

	function planReply(protocol: Protocol, body: Record<string, unknown>, entries: ConversationEntry[]): Reply {
		const wantsJson = jsonSchemaWanted(protocol, body);
		if (wantsJson !== undefined) {
			return {kind: 'json', json: fillFromSchema(wantsJson)};
		}

		const lastUser = [...entries].reverse().find(entry => entry.role === 'user' && entry.kind === 'text' && script.some(step => entry.text.includes(step.match)));
		const step = lastUser ? script.find(candidate => lastUser.text.includes(candidate.match)) : undefined;
		const last = entries.at(-1);
		const endsWithToolResult = last?.kind === 'tool_result';
		const shellTool = findShellTool(protocol, body);
		if (step && endsWithToolResult && step.command) {
			return {kind: 'follow-up', step, text: step.followUp ?? defaultText};
		}

		// A side request (title, summary) carries the prompt but no tools: answer it with plain text.
		if (step && !endsWithToolResult && (!step.command || shellTool)) {
			const reply: Reply = {kind: 'step', step, thinking: step.thinking, text: step.text};
			if (step.command && shellTool) {
				callCounter++;
				reply.toolCall = {id: callId(protocol, callCounter), name: shellTool.name, args: shellArgs(shellTool, step.command)};
			}

			if (!reply.text && !reply.toolCall) {
				reply.text = defaultText;
			}

			return reply;
		}

		return {kind: 'default', text: defaultText};
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		setScript(next) {
			script = next;
		},
		conversationRequests() {
			return requests.filter(request => request.replyKind === 'step' || request.replyKind === 'follow-up' || request.replyKind === 'default');
		},
		clearRequests() {
			requests.length = 0;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}

function detectProtocol(path: string): Protocol {
	if (path.includes('/messages')) {
		return 'anthropic';
	}

	if (path.endsWith('/responses')) {
		return 'openai-responses';
	}

	if (path.endsWith('/chat/completions')) {
		return 'openai-chat';
	}

	if (/\/models\/[^/]+:(generateContent|streamGenerateContent|countTokens)$/.test(path)) {
		return 'gemini';
	}

	return 'other';
}

function answerProbe(path: string, response: ServerResponse, model: string): void {
	if (path.endsWith('/models')) {
		sendJson(response, {
			object: 'list',
			data: [{id: model, object: 'model', created: 0, owned_by: 'stub'}],
			models: [{slug: model, id: model, display_name: model}],
		});
		return;
	}

	sendJson(response, {});
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) {
		chunks.push(chunk as Buffer);
	}

	const data = Buffer.concat(chunks);
	const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
	try {
		if (encoding === 'gzip') {
			return gunzipSync(data);
		}

		if (encoding === 'deflate') {
			return inflateSync(data);
		}

		if (encoding === 'br') {
			return brotliDecompressSync(data);
		}

		if (encoding === 'zstd') {
			return Buffer.from(zstdDecompress(data));
		}
	} catch {
		return data;
	}

	return data;
}

function parseBody(raw: Buffer): unknown {
	if (raw.length === 0) {
		return undefined;
	}

	const text = raw.toString('utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

function textOf(value: unknown): string {
	if (typeof value === 'string') {
		return value;
	}

	if (Array.isArray(value)) {
		return value.map(part => textOf(part)).filter(Boolean).join('\n');
	}

	if (isObject(value)) {
		if (typeof value.text === 'string') {
			return value.text;
		}

		if (value.content !== undefined) {
			return textOf(value.content);
		}

		if (typeof value.output === 'string') {
			return value.output;
		}
	}

	return '';
}

/** Flattens a request body of any supported protocol into ordered conversation entries. */
export function flattenConversation(protocol: Protocol, body: unknown): ConversationEntry[] {
	if (!isObject(body)) {
		return [];
	}

	switch (protocol) {
		case 'anthropic': {
			return flattenAnthropic(body);
		}

		case 'openai-responses': {
			return flattenResponses(body);
		}

		case 'openai-chat': {
			return flattenChat(body);
		}

		case 'gemini': {
			return flattenGemini(body);
		}

		default: {
			return [];
		}
	}
}

function flattenAnthropic(body: Record<string, unknown>): ConversationEntry[] {
	const entries: ConversationEntry[] = [];
	for (const message of asArray(body.messages)) {
		if (!isObject(message)) {
			continue;
		}

		// Claude Code 2.1 also sends role "system" entries inside messages.
		const role = message.role === 'assistant' ? 'assistant' : (message.role === 'system' ? 'system' : 'user');
		if (typeof message.content === 'string') {
			entries.push({role, kind: 'text', text: message.content});
			continue;
		}

		for (const block of asArray(message.content)) {
			if (!isObject(block)) {
				continue;
			}

			switch (block.type) {
				case 'text': {
					entries.push({role, kind: 'text', text: String(block.text ?? '')});
					break;
				}

				case 'thinking': {
					entries.push({role, kind: 'thinking', text: String(block.thinking ?? '')});
					break;
				}

				case 'tool_use': {
					entries.push({role, kind: 'tool_call', text: JSON.stringify(block.input ?? {}), toolName: String(block.name ?? ''), callId: String(block.id ?? '')});
					break;
				}

				case 'tool_result': {
					entries.push({role: 'tool', kind: 'tool_result', text: textOf(block.content), callId: String(block.tool_use_id ?? '')});
					break;
				}

				default: {
					break;
				}
			}
		}
	}

	return entries;
}

function flattenResponses(body: Record<string, unknown>): ConversationEntry[] {
	const entries: ConversationEntry[] = [];
	if (typeof body.input === 'string') {
		return [{role: 'user', kind: 'text', text: body.input}];
	}

	for (const item of asArray(body.input)) {
		if (!isObject(item)) {
			continue;
		}

		const type = item.type ?? 'message';
		if (type === 'message') {
			const role = item.role === 'assistant' ? 'assistant' : (item.role === 'system' || item.role === 'developer' ? 'system' : 'user');
			entries.push({role, kind: 'text', text: textOf(item.content)});
		} else if (type === 'function_call' || type === 'custom_tool_call' || type === 'local_shell_call') {
			entries.push({role: 'assistant', kind: 'tool_call', text: String(item.arguments ?? item.input ?? JSON.stringify(item.action ?? {})), toolName: String(item.name ?? type), callId: String(item.call_id ?? '')});
		} else if (type === 'function_call_output' || type === 'custom_tool_call_output' || type === 'local_shell_call_output') {
			entries.push({role: 'tool', kind: 'tool_result', text: textOf(item.output), callId: String(item.call_id ?? '')});
		} else if (type === 'reasoning') {
			entries.push({role: 'assistant', kind: 'thinking', text: textOf(item.summary)});
		}
	}

	return entries;
}

function flattenChat(body: Record<string, unknown>): ConversationEntry[] {
	const entries: ConversationEntry[] = [];
	for (const message of asArray(body.messages)) {
		if (!isObject(message)) {
			continue;
		}

		const role = message.role;
		if (role === 'tool') {
			entries.push({role: 'tool', kind: 'tool_result', text: textOf(message.content), callId: String(message.tool_call_id ?? '')});
			continue;
		}

		const mapped = role === 'assistant' ? 'assistant' : (role === 'system' || role === 'developer' ? 'system' : 'user');
		const reasoning = message.reasoning_content ?? message.reasoning;
		if (typeof reasoning === 'string' && reasoning) {
			entries.push({role: mapped, kind: 'thinking', text: reasoning});
		}

		const text = textOf(message.content);
		if (text) {
			entries.push({role: mapped, kind: 'text', text});
		}

		for (const call of asArray(message.tool_calls)) {
			if (isObject(call) && isObject(call.function)) {
				entries.push({role: 'assistant', kind: 'tool_call', text: String(call.function.arguments ?? ''), toolName: String(call.function.name ?? ''), callId: String(call.id ?? '')});
			}
		}
	}

	return entries;
}

function flattenGemini(body: Record<string, unknown>): ConversationEntry[] {
	const entries: ConversationEntry[] = [];
	for (const content of asArray(body.contents)) {
		if (!isObject(content)) {
			continue;
		}

		const role = content.role === 'model' ? 'assistant' : 'user';
		for (const part of asArray(content.parts)) {
			if (!isObject(part)) {
				continue;
			}

			if (typeof part.text === 'string') {
				entries.push({role, kind: part.thought === true ? 'thinking' : 'text', text: part.text});
			} else if (isObject(part.functionCall)) {
				entries.push({role: 'assistant', kind: 'tool_call', text: JSON.stringify(part.functionCall.args ?? {}), toolName: String(part.functionCall.name ?? ''), callId: String(part.functionCall.id ?? '')});
			} else if (isObject(part.functionResponse)) {
				// Gemini wraps a tool's output as {output} (or {error}); the text is what the model reads.
				const response = isObject(part.functionResponse.response) ? part.functionResponse.response : {};
				const text = typeof response.output === 'string' ? response.output : typeof response.error === 'string' ? response.error : JSON.stringify(response);
				entries.push({role: 'tool', kind: 'tool_result', text, toolName: String(part.functionResponse.name ?? ''), callId: String(part.functionResponse.id ?? '')});
			}
		}
	}

	return entries;
}

/** Returns the JSON schema the client wants the reply to follow (Gemini classifiers), or undefined. */
function jsonSchemaWanted(protocol: Protocol, body: Record<string, unknown>): Record<string, unknown> | undefined {
	if (protocol !== 'gemini') {
		return undefined;
	}

	const config = isObject(body.generationConfig) ? body.generationConfig : (isObject(body.config) ? body.config : {});
	if (config.responseMimeType !== 'application/json') {
		return undefined;
	}

	const schema = config.responseJsonSchema ?? config.responseSchema;
	return isObject(schema) ? schema : {};
}

/** Builds a plausible value for a JSON schema; answers known classifier fields so the CLI takes the simple path. */
function fillFromSchema(schema: Record<string, unknown>, name = ''): unknown {
	const type = String(schema.type ?? '').toLowerCase();
	if (Array.isArray(schema.enum) && schema.enum.length > 0) {
		if (name === 'next_speaker' && schema.enum.includes('user')) {
			return 'user';
		}

		return schema.enum[0] as unknown;
	}

	if (type === 'object' || isObject(schema.properties)) {
		const properties = isObject(schema.properties) ? schema.properties : {};
		return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fillFromSchema(isObject(value) ? value : {}, key)]));
	}

	if (type === 'array') {
		return [];
	}

	if (type === 'number' || type === 'integer') {
		return name.includes('score') ? 10 : 1;
	}

	if (type === 'boolean') {
		return false;
	}

	if (name === 'next_speaker') {
		return 'user';
	}

	if (name === 'model_choice') {
		return 'flash';
	}

	return 'simple task';
}

function findShellTool(protocol: Protocol, body: Record<string, unknown>): ToolSpec | undefined {
	const tools: ToolSpec[] = [];
	if (protocol === 'gemini') {
		for (const group of asArray(body.tools)) {
			if (isObject(group)) {
				for (const declaration of asArray(group.functionDeclarations)) {
					if (isObject(declaration)) {
						const schema = declaration.parametersJsonSchema ?? declaration.parameters;
						tools.push({name: String(declaration.name), schema: isObject(schema) ? schema : undefined});
					}
				}
			}
		}
	} else {
		for (const tool of asArray(body.tools)) {
			if (!isObject(tool)) {
				continue;
			}

			const inner = isObject(tool.function) ? tool.function : tool;
			const schema = inner.input_schema ?? inner.parameters;
			tools.push({name: String(inner.name ?? tool.type), schema: isObject(schema) ? schema : undefined});
		}
	}

	for (const name of SHELL_TOOL_NAMES) {
		const found = tools.find(tool => tool.name === name);
		if (found) {
			return found;
		}
	}

	return undefined;
}

/** Shapes the shell command the way the tool's own schema wants it. */
function shellArgs(tool: ToolSpec, command: string): Record<string, unknown> {
	const properties = isObject(tool.schema?.properties) ? tool.schema.properties : {};
	const required = asArray(tool.schema?.required).map(String);
	const args: Record<string, unknown> = {};
	if ('commands' in properties) {
		args.commands = [command];
	} else if ('cmd' in properties) {
		args.cmd = command;
	} else if ('command' in properties) {
		const commandSchema = properties.command;
		args.command = isObject(commandSchema) && commandSchema.type === 'array' ? ['bash', '-lc', command] : command;
	} else {
		args.command = command;
	}

	for (const key of required) {
		if (key in args) {
			continue;
		}

		const schema = properties[key];
		if (key === 'description') {
			args[key] = 'Run the requested command';
		} else if (isObject(schema)) {
			args[key] = fillRequired(schema, key);
		}
	}

	return args;
}

function fillRequired(schema: Record<string, unknown>, name: string): unknown {
	if (Array.isArray(schema.enum) && schema.enum.length > 0) {
		return schema.enum[0] as unknown;
	}

	switch (String(schema.type)) {
		case 'boolean': {
			return false;
		}

		case 'number':
		case 'integer': {
			return name.includes('wait') || name.includes('timeout') ? 30 : 1;
		}

		case 'array': {
			return [];
		}

		default: {
			return name.toLowerCase().includes('id') ? 'shell-1' : 'run';
		}
	}
}

function callId(protocol: Protocol, counter: number): string {
	const suffix = String(counter).padStart(4, '0');
	switch (protocol) {
		case 'anthropic': {
			return `toolu_stub${suffix}`;
		}

		case 'openai-responses': {
			return `call_stub${suffix}`;
		}

		case 'openai-chat': {
			return `call_stub${suffix}`;
		}

		default: {
			return `stub-call-${suffix}`;
		}
	}
}

function sendJson(response: ServerResponse, value: unknown): void {
	const data = JSON.stringify(value);
	response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)});
	response.end(data);
}

function startSse(response: ServerResponse): (event: string | undefined, data: unknown) => void {
	response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'});
	return (event, data) => {
		const payload = typeof data === 'string' ? data : JSON.stringify(data);
		response.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
	};
}

const USAGE = {input: 120, output: 30};

function replyText(reply: Reply): string | undefined {
	return reply.json === undefined ? reply.text : JSON.stringify(reply.json);
}

function sendAnthropic(response: ServerResponse, reply: Reply, model: string, stream: boolean): void {
	const id = `msg_stub${Date.now().toString(36)}`;
	const blocks: Array<Record<string, unknown>> = [];
	if (reply.thinking) {
		blocks.push({type: 'thinking', thinking: reply.thinking, signature: 'stub-signature'});
	}

	const text = replyText(reply);
	if (text) {
		blocks.push({type: 'text', text});
	}

	if (reply.toolCall) {
		blocks.push({type: 'tool_use', id: reply.toolCall.id, name: reply.toolCall.name, input: reply.toolCall.args});
	}

	const stopReason = reply.toolCall ? 'tool_use' : 'end_turn';
	const usage = {input_tokens: USAGE.input, output_tokens: USAGE.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0};
	if (!stream) {
		sendJson(response, {id, type: 'message', role: 'assistant', model, content: blocks, stop_reason: stopReason, stop_sequence: null, usage});
		return;
	}

	const send = startSse(response);
	send('message_start', {type: 'message_start', message: {id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: {...usage, output_tokens: 1}}});
	for (const [index, block] of blocks.entries()) {
		if (block.type === 'thinking') {
			send('content_block_start', {type: 'content_block_start', index, content_block: {type: 'thinking', thinking: '', signature: ''}});
			send('content_block_delta', {type: 'content_block_delta', index, delta: {type: 'thinking_delta', thinking: block.thinking}});
			send('content_block_delta', {type: 'content_block_delta', index, delta: {type: 'signature_delta', signature: block.signature}});
		} else if (block.type === 'text') {
			send('content_block_start', {type: 'content_block_start', index, content_block: {type: 'text', text: ''}});
			send('content_block_delta', {type: 'content_block_delta', index, delta: {type: 'text_delta', text: block.text}});
		} else {
			send('content_block_start', {type: 'content_block_start', index, content_block: {type: 'tool_use', id: block.id, name: block.name, input: {}}});
			send('content_block_delta', {type: 'content_block_delta', index, delta: {type: 'input_json_delta', partial_json: JSON.stringify(block.input)}});
		}

		send('content_block_stop', {type: 'content_block_stop', index});
	}

	send('message_delta', {type: 'message_delta', delta: {stop_reason: stopReason, stop_sequence: null}, usage: {output_tokens: USAGE.output}});
	send('message_stop', {type: 'message_stop'});
	response.end();
}

function sendResponses(response: ServerResponse, reply: Reply, model: string, stream: boolean): void {
	const id = `resp_stub${Date.now().toString(36)}`;
	const items: Array<Record<string, unknown>> = [];
	if (reply.thinking) {
		items.push({type: 'reasoning', id: `rs_${id}`, summary: [{type: 'summary_text', text: reply.thinking}]});
	}

	const text = replyText(reply);
	if (text) {
		items.push({type: 'message', id: `msg_${id}`, role: 'assistant', status: 'completed', content: [{type: 'output_text', text, annotations: []}]});
	}

	if (reply.toolCall) {
		items.push({type: 'function_call', id: `fc_${id}`, call_id: reply.toolCall.id, name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.args), status: 'completed'});
	}

	const usage = {input_tokens: USAGE.input, input_tokens_details: {cached_tokens: 0}, output_tokens: USAGE.output, output_tokens_details: {reasoning_tokens: reply.thinking ? 10 : 0}, total_tokens: USAGE.input + USAGE.output};
	const completed = {id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model, output: items, usage};
	if (!stream) {
		sendJson(response, completed);
		return;
	}

	const send = startSse(response);
	send('response.created', {type: 'response.created', response: {...completed, status: 'in_progress', output: []}});
	for (const [index, item] of items.entries()) {
		send('response.output_item.added', {type: 'response.output_item.added', output_index: index, item: item.type === 'message' ? {...item, content: []} : item});
		if (item.type === 'message') {
			const text = textOf(item.content);
			send('response.output_text.delta', {type: 'response.output_text.delta', item_id: item.id, output_index: index, content_index: 0, delta: text});
			send('response.output_text.done', {type: 'response.output_text.done', item_id: item.id, output_index: index, content_index: 0, text});
		} else if (item.type === 'reasoning') {
			send('response.reasoning_summary_text.delta', {type: 'response.reasoning_summary_text.delta', item_id: item.id, output_index: index, summary_index: 0, delta: reply.thinking});
		}

		send('response.output_item.done', {type: 'response.output_item.done', output_index: index, item});
	}

	send('response.completed', {type: 'response.completed', response: completed});
	response.end();
}

function sendChat(response: ServerResponse, reply: Reply, model: string, stream: boolean): void {
	const id = `chatcmpl-stub${Date.now().toString(36)}`;
	const created = Math.floor(Date.now() / 1000);
	const text = replyText(reply);
	const toolCalls = reply.toolCall ? [{id: reply.toolCall.id, type: 'function', function: {name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.args)}}] : undefined;
	const finishReason = toolCalls ? 'tool_calls' : 'stop';
	const usage = {prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output};
	if (!stream) {
		sendJson(response, {
			id, object: 'chat.completion', created, model,
			choices: [{index: 0, message: {role: 'assistant', content: text ?? null, ...(reply.thinking ? {reasoning_content: reply.thinking} : {}), ...(toolCalls ? {tool_calls: toolCalls} : {})}, finish_reason: finishReason}],
			usage,
		});
		return;
	}

	const send = startSse(response);
	const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({id, object: 'chat.completion.chunk', created, model, choices: [{index: 0, delta, finish_reason: finish}]});
	send(undefined, chunk({role: 'assistant', content: ''}));
	if (reply.thinking) {
		send(undefined, chunk({reasoning_content: reply.thinking}));
	}

	if (text) {
		send(undefined, chunk({content: text}));
	}

	if (toolCalls) {
		send(undefined, chunk({tool_calls: toolCalls.map((call, index) => ({index, ...call}))}));
	}

	send(undefined, chunk({}, finishReason));
	send(undefined, {id, object: 'chat.completion.chunk', created, model, choices: [], usage});
	send(undefined, '[DONE]');
	response.end();
}

function sendGemini(response: ServerResponse, reply: Reply, model: string, stream: boolean): void {
	const parts: Array<Record<string, unknown>> = [];
	if (reply.thinking) {
		parts.push({text: reply.thinking, thought: true});
	}

	const text = replyText(reply);
	if (text) {
		parts.push({text});
	}

	if (reply.toolCall) {
		parts.push({functionCall: {name: reply.toolCall.name, args: reply.toolCall.args}});
	}

	const usageMetadata = {promptTokenCount: USAGE.input, candidatesTokenCount: USAGE.output, totalTokenCount: USAGE.input + USAGE.output, thoughtsTokenCount: reply.thinking ? 10 : 0};
	const envelope = (someParts: Array<Record<string, unknown>>, finish?: string) => ({
		candidates: [{content: {role: 'model', parts: someParts}, index: 0, ...(finish ? {finishReason: finish} : {})}],
		usageMetadata,
		modelVersion: model,
		responseId: `stub-${Date.now().toString(36)}`,
	});
	if (!stream) {
		sendJson(response, envelope(parts, 'STOP'));
		return;
	}

	const send = startSse(response);
	for (const [index, part] of parts.entries()) {
		send(undefined, envelope([part], index === parts.length - 1 ? 'STOP' : undefined));
	}

	response.end();
}
