import {gzipSync} from 'node:zlib';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {flattenConversation, startModelEndpoint, type ModelEndpoint, type ScriptStep} from './support/model-endpoint.js';

const SCRIPT: ScriptStep[] = [
	{match: 'MARK-TOOL', thinking: 'I will list it.', text: 'Let me look.', command: 'ls -la', followUp: 'Listed the files.'},
	{match: 'MARK-TEXT', thinking: 'Easy one.', text: 'Just text.'},
];

let endpoint: ModelEndpoint;

beforeAll(async () => {
	endpoint = await startModelEndpoint({script: SCRIPT, defaultText: 'Default reply.'});
});

afterAll(async () => {
	await endpoint.close();
});

beforeEach(() => {
	endpoint.clearRequests();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(`${endpoint.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body: JSON.stringify(body)});
}

type SseEvent = {event?: string; data: string};

async function readSse(response: Response): Promise<SseEvent[]> {
	expect(response.headers.get('content-type')).toContain('text/event-stream');
	const text = await response.text();
	return text.split('\n\n').filter(Boolean).map(block => {
		const event = /^event: (.*)$/m.exec(block)?.[1];
		const data = block.split('\n').filter(line => line.startsWith('data: ')).map(line => line.slice(6)).join('\n');
		return {event, data};
	});
}

const json = (event: SseEvent) => JSON.parse(event.data) as Record<string, any>;

const anthropicTools = [
	{name: 'Read', input_schema: {type: 'object', properties: {file_path: {type: 'string'}}}},
	{name: 'Bash', input_schema: {type: 'object', properties: {command: {type: 'string'}, description: {type: 'string'}}, required: ['command']}},
];

describe('Anthropic Messages', () => {
	it('streams thinking, text and a Bash tool call for a marked prompt', async () => {
		const response = await post('/v1/messages?beta=true', {model: 'claude-x', stream: true, tools: anthropicTools, messages: [{role: 'user', content: [{type: 'text', text: 'please MARK-TOOL now'}]}]});
		const events = await readSse(response);
		expect(events[0].event).toBe('message_start');
		expect(events.at(-1)?.event).toBe('message_stop');
		const starts = events.filter(event => event.event === 'content_block_start').map(event => json(event).content_block.type);
		expect(starts).toEqual(['thinking', 'text', 'tool_use']);
		const deltas = events.filter(event => event.event === 'content_block_delta').map(event => json(event).delta);
		expect(deltas.find(delta => delta.type === 'thinking_delta')?.thinking).toBe('I will list it.');
		expect(deltas.find(delta => delta.type === 'text_delta')?.text).toBe('Let me look.');
		const toolInput = JSON.parse(deltas.find(delta => delta.type === 'input_json_delta')?.partial_json) as Record<string, unknown>;
		expect(toolInput).toEqual({command: 'ls -la'});
		const toolStart = json(events.find(event => event.event === 'content_block_start' && json(event).content_block.type === 'tool_use')!).content_block;
		expect(toolStart.name).toBe('Bash');
		expect(json(events.find(event => event.event === 'message_delta')!).delta.stop_reason).toBe('tool_use');
		expect(endpoint.requests[0]).toMatchObject({protocol: 'anthropic', replyKind: 'step', stream: true, query: {beta: 'true'}});
		expect(endpoint.requests[0].reply?.toolCall).toMatchObject({name: 'Bash', args: {command: 'ls -la'}});
	});

	it('answers the tool result with the follow-up text (non-streaming)', async () => {
		const response = await post('/v1/messages', {model: 'claude-x', tools: anthropicTools, messages: [
			{role: 'user', content: 'please MARK-TOOL now'},
			{role: 'assistant', content: [{type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {command: 'ls -la'}}]},
			{role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt'}]},
		]});
		const body = await response.json() as {content: Array<{type: string; text?: string}>; stop_reason: string};
		expect(body.content).toEqual([{type: 'text', text: 'Listed the files.'}]);
		expect(body.stop_reason).toBe('end_turn');
		expect(endpoint.requests[0].replyKind).toBe('follow-up');
	});

	it('fills required fields of the shell tool schema (Copilot bash) and sends text-only side requests plain text', async () => {
		const copilotBash = {name: 'bash', input_schema: {type: 'object', properties: {command: {type: 'string'}, description: {type: 'string'}, initial_wait: {type: 'number'}}, required: ['command', 'description', 'initial_wait']}};
		const withTool = await (await post('/v1/messages', {tools: [copilotBash], messages: [{role: 'user', content: 'MARK-TOOL'}]})).json() as {content: Array<Record<string, any>>};
		const toolUse = withTool.content.find(block => block.type === 'tool_use')!;
		expect(toolUse.name).toBe('bash');
		expect(toolUse.input).toEqual({command: 'ls -la', description: 'Run the requested command', initial_wait: 30});

		// A title-generation request repeats the prompt but offers no tools: it must not get a tool call.
		const title = await (await post('/v1/messages', {messages: [{role: 'user', content: 'Write a title for: MARK-TOOL'}]})).json() as {content: Array<Record<string, any>>};
		expect(title.content).toEqual([{type: 'text', text: 'Default reply.'}]);
		expect(endpoint.requests.map(request => request.replyKind)).toEqual(['step', 'default']);
	});

	it('gives unmatched requests the default text, counts tokens and answers probes', async () => {
		const plain = await (await post('/v1/messages', {messages: [{role: 'user', content: 'hello'}]})).json() as {content: Array<{text?: string}>};
		expect(plain.content[0].text).toBe('Default reply.');
		const count = await (await post('/v1/messages/count_tokens', {messages: []})).json() as {input_tokens: number};
		expect(count.input_tokens).toBeGreaterThan(0);
		const head = await fetch(`${endpoint.url}/api/hello`, {method: 'HEAD'});
		expect(head.status).toBe(200);
		expect(endpoint.requests.map(request => request.replyKind)).toEqual(['default', 'count-tokens', 'probe']);
		expect(endpoint.conversationRequests()).toHaveLength(1);
	});
});

describe('OpenAI Responses', () => {
	const tools = [{type: 'function', name: 'exec_command', parameters: {type: 'object', properties: {cmd: {type: 'string'}, workdir: {type: 'string'}}, required: ['cmd']}}];

	it('streams reasoning, a message and an exec_command call with {cmd}', async () => {
		const events = await readSse(await post('/v1/responses', {model: 'gpt-x', stream: true, tools, input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'MARK-TOOL'}]}]}));
		const types = events.map(event => event.event);
		expect(types[0]).toBe('response.created');
		expect(types.at(-1)).toBe('response.completed');
		const items = events.filter(event => event.event === 'response.output_item.done').map(event => json(event).item);
		expect(items.map(item => item.type)).toEqual(['reasoning', 'message', 'function_call']);
		expect(items[0].summary[0].text).toBe('I will list it.');
		expect(items[1].content[0].text).toBe('Let me look.');
		expect(items[2].name).toBe('exec_command');
		expect(JSON.parse(items[2].arguments as string)).toEqual({cmd: 'ls -la'});
		expect(json(events.at(-1)!).response.usage.total_tokens).toBeGreaterThan(0);
	});

	it('sends the follow-up after a function_call_output and lists models', async () => {
		const events = await readSse(await post('/v1/responses', {stream: true, tools, input: [
			{type: 'message', role: 'user', content: [{type: 'input_text', text: 'MARK-TOOL'}]},
			{type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"ls -la"}'},
			{type: 'function_call_output', call_id: 'c1', output: 'a.txt'},
		]}));
		const items = events.filter(event => event.event === 'response.output_item.done').map(event => json(event).item);
		expect(items).toHaveLength(1);
		expect(items[0].content[0].text).toBe('Listed the files.');
		const models = await (await fetch(`${endpoint.url}/v1/models`)).json() as {data: Array<{id: string}>};
		expect(models.data[0].id).toBeTruthy();
	});
});

describe('OpenAI Chat Completions', () => {
	const tools = [{type: 'function', function: {name: 'run_commands', parameters: {type: 'object', properties: {commands: {type: 'array', items: {type: 'string'}}}, required: ['commands']}}}];

	it('streams reasoning, text and a run_commands call with {commands: [...]}, then [DONE]', async () => {
		const events = await readSse(await post('/v1/chat/completions', {model: 'gpt-4o', stream: true, tools, messages: [{role: 'system', content: 'sys'}, {role: 'user', content: 'MARK-TOOL'}]}));
		expect(events.at(-1)?.data).toBe('[DONE]');
		const chunks = events.slice(0, -1).map(event => json(event));
		const deltas = chunks.flatMap(chunk => chunk.choices.map((choice: {delta: Record<string, any>}) => choice.delta));
		expect(deltas.map(delta => delta.reasoning_content).filter(Boolean)).toEqual(['I will list it.']);
		expect(deltas.map(delta => delta.content).filter(Boolean)).toEqual(['Let me look.']);
		const call = deltas.find(delta => delta.tool_calls)!.tool_calls[0];
		expect(call.function.name).toBe('run_commands');
		expect(JSON.parse(call.function.arguments as string)).toEqual({commands: ['ls -la']});
		expect(chunks.flatMap(chunk => chunk.choices).find((choice: {finish_reason: string | null}) => choice.finish_reason)?.finish_reason).toBe('tool_calls');
		expect(chunks.at(-1)?.usage.total_tokens).toBeGreaterThan(0);
	});

	it('answers a tool message with the follow-up (non-streaming) and reads gzip bodies', async () => {
		const body = gzipSync(JSON.stringify({tools, messages: [
			{role: 'user', content: 'MARK-TOOL'},
			{role: 'assistant', content: null, tool_calls: [{id: 'c1', type: 'function', function: {name: 'run_commands', arguments: '{"commands":["ls -la"]}'}}]},
			{role: 'tool', tool_call_id: 'c1', content: 'a.txt'},
		]}));
		const response = await fetch(`${endpoint.url}/v1/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json', 'content-encoding': 'gzip'}, body});
		const parsed = await response.json() as {choices: Array<{message: {content: string}; finish_reason: string}>};
		expect(parsed.choices[0].message.content).toBe('Listed the files.');
		expect(parsed.choices[0].finish_reason).toBe('stop');
		expect(endpoint.requests[0].replyKind).toBe('follow-up');
	});
});

describe('Gemini', () => {
	const tools = [{functionDeclarations: [{name: 'run_shell_command', parametersJsonSchema: {type: 'object', properties: {command: {type: 'string'}, description: {type: 'string'}}, required: ['command']}}]}];

	it('answers the routing classifier with JSON that follows its schema', async () => {
		const schema = {type: 'object', properties: {complexity_reasoning: {type: 'string'}, complexity_score: {type: 'integer'}}, required: ['complexity_reasoning', 'complexity_score']};
		const response = await post('/v1beta/models/gemini-flash-lite:generateContent', {contents: [{role: 'user', parts: [{text: 'MARK-TOOL'}]}], generationConfig: {responseMimeType: 'application/json', responseJsonSchema: schema}});
		const body = await response.json() as {candidates: Array<{content: {parts: Array<{text: string}>}}>};
		const verdict = JSON.parse(body.candidates[0].content.parts[0].text) as {complexity_reasoning: string; complexity_score: number};
		expect(typeof verdict.complexity_reasoning).toBe('string');
		expect(verdict.complexity_score).toBeGreaterThanOrEqual(1);
		expect(endpoint.requests[0].replyKind).toBe('json');
	});

	it('streams a thought, text and a run_shell_command call, then the follow-up after functionResponse', async () => {
		const events = await readSse(await post('/v1beta/models/gemini-x:streamGenerateContent?alt=sse', {tools, contents: [{role: 'user', parts: [{text: 'MARK-TOOL'}]}]}));
		const parts = events.flatMap(event => json(event).candidates[0].content.parts as Array<Record<string, any>>);
		expect(parts[0]).toEqual({text: 'I will list it.', thought: true});
		expect(parts[1]).toEqual({text: 'Let me look.'});
		expect(parts[2].functionCall).toEqual({name: 'run_shell_command', args: {command: 'ls -la'}});
		expect(json(events.at(-1)!).candidates[0].finishReason).toBe('STOP');

		const followUp = await readSse(await post('/v1beta/models/gemini-x:streamGenerateContent?alt=sse', {tools, contents: [
			{role: 'user', parts: [{text: 'MARK-TOOL'}]},
			{role: 'model', parts: [{functionCall: {name: 'run_shell_command', args: {command: 'ls -la'}}}]},
			{role: 'user', parts: [{functionResponse: {name: 'run_shell_command', response: {output: 'a.txt'}}}]},
		]}));
		expect(followUp.flatMap(event => json(event).candidates[0].content.parts)).toEqual([{text: 'Listed the files.'}]);
		const counted = await (await post('/v1beta/models/gemini-x:countTokens', {contents: []})).json() as {totalTokens: number};
		expect(counted.totalTokens).toBeGreaterThan(0);
	});
});

describe('script selection and recording', () => {
	it('picks the step from the latest marked user prompt, so a resumed conversation gets the new step', async () => {
		const response = await post('/v1/messages', {tools: anthropicTools, messages: [
			{role: 'user', content: 'MARK-TOOL'},
			{role: 'assistant', content: [{type: 'tool_use', id: 't1', name: 'Bash', input: {command: 'ls -la'}}]},
			{role: 'user', content: [{type: 'tool_result', tool_use_id: 't1', content: 'a.txt'}]},
			{role: 'assistant', content: [{type: 'text', text: 'Listed the files.'}]},
			{role: 'user', content: 'and now MARK-TEXT'},
		]});
		const body = await response.json() as {content: Array<{type: string; text?: string}>};
		expect(body.content.find(block => block.type === 'text')?.text).toBe('Just text.');
		const entries = flattenConversation('anthropic', endpoint.requests[0].body);
		expect(entries.map(entry => `${entry.role}:${entry.kind}`)).toEqual(['user:text', 'assistant:tool_call', 'tool:tool_result', 'assistant:text', 'user:text']);
		expect(entries[2].text).toBe('a.txt');
	});

	it('setScript replaces the script and flattening reads every protocol', async () => {
		endpoint.setScript([{match: 'NEW', text: 'New script.'}]);
		try {
			const body = await (await post('/v1/responses', {input: 'NEW please'})).json() as {output: Array<{content: Array<{text: string}>}>};
			expect(body.output[0].content[0].text).toBe('New script.');
		} finally {
			endpoint.setScript(SCRIPT);
		}

		expect(flattenConversation('openai-chat', {messages: [{role: 'assistant', content: 'x', tool_calls: [{id: 'c', function: {name: 'run_commands', arguments: '{}'}}]}]}).map(entry => entry.kind)).toEqual(['text', 'tool_call']);
		expect(flattenConversation('gemini', {contents: [{role: 'model', parts: [{text: 'hm', thought: true}, {text: 'ok'}]}]}).map(entry => entry.kind)).toEqual(['thinking', 'text']);
		expect(flattenConversation('openai-responses', {input: [{type: 'reasoning', summary: [{type: 'summary_text', text: 'r'}]}]})).toEqual([{role: 'assistant', kind: 'thinking', text: 'r'}]);
		expect(flattenConversation('anthropic', 'not an object')).toEqual([]);
	});

	it('keeps serving after a malformed body', async () => {
		const response = await fetch(`${endpoint.url}/v1/messages`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"messages": [trunc'});
		expect(response.status).toBe(200);
		expect(endpoint.requests[0].body).toBe('{"messages": [trunc');
		expect(endpoint.requests[0].replyKind).toBe('default');
	});
});
