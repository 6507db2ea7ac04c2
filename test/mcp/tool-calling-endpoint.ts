/**
 * A loopback Anthropic Messages endpoint that drives an agent to call one sfs MCP tool: when the
 * request lets it, it loads the deferred tool (Claude Code's ToolSearch), then calls the tool, then
 * answers with text once the tool result comes back. Records every tool result it is sent.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export type ToolCallingEndpoint = {url: string; toolResults: Array<{name: string; content: string}>; close(): Promise<void>};

type Block = {type: string; id?: string; name?: string; tool_use_id?: string; content?: unknown; text?: string};
type Body = {stream?: boolean; model?: string; tools?: Array<{name: string}>; messages?: Array<{role: string; content: string | Block[]}>};

async function readBody(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map(part => (typeof part === 'object' && part && 'text' in part ? String((part as {text: unknown}).text) : '')).join('');
	return '';
}

export async function startToolCallingEndpoint(tool: string, input: Record<string, unknown>): Promise<ToolCallingEndpoint> {
	const toolResults: ToolCallingEndpoint['toolResults'] = [];
	const server = createServer((request, response) => {
		void handle(request, response);
	});

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const raw = await readBody(request);
		if (request.method !== 'POST') {
			response.writeHead(200, {'content-type': 'application/json'}).end('{}');
			return;
		}

		if (request.url?.includes('count_tokens')) {
			response.writeHead(200, {'content-type': 'application/json'}).end('{"input_tokens":42}');
			return;
		}

		const body = JSON.parse(raw || '{}') as Body;
		const blocks = (body.messages ?? []).flatMap(message => (Array.isArray(message.content) ? message.content : []));
		const names = new Map(blocks.filter(block => block.type === 'tool_use').map(block => [block.id!, block.name!]));
		const results = blocks.filter(block => block.type === 'tool_result').map(block => ({name: names.get(block.tool_use_id!) ?? '?', content: textOf(block.content)}));
		const offered = new Set((body.tools ?? []).map(item => item.name));
		let reply: Block;
		if (results.some(result => result.name === tool)) {
			for (const result of results) if (result.name === tool && !toolResults.some(seen => seen.content === result.content)) toolResults.push(result);
			reply = {type: 'text', text: 'The sfs tool answered.'};
		} else if (offered.has(tool)) {
			reply = {type: 'tool_use', id: 'toolu_sfs_1', name: tool};
		} else if (offered.has('ToolSearch') && !results.some(result => result.name === 'ToolSearch')) {
			reply = {type: 'tool_use', id: 'toolu_search_1', name: 'ToolSearch'};
		} else {
			reply = {type: 'text', text: 'ok'};
		}

		const replyInput = reply.name === 'ToolSearch' ? {query: `select:${tool}`} : input;
		const usage = {input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0};
		const content = reply.type === 'text' ? [{type: 'text', text: reply.text}] : [{type: 'tool_use', id: reply.id, name: reply.name, input: replyInput}];
		const stopReason = reply.type === 'text' ? 'end_turn' : 'tool_use';
		const message = {id: `msg_${Date.now().toString(36)}`, type: 'message', role: 'assistant', model: body.model ?? 'stub', stop_sequence: null, usage};
		if (!body.stream) {
			response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({...message, content, stop_reason: stopReason}));
			return;
		}

		response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
		const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
		send('message_start', {type: 'message_start', message: {...message, content: [], stop_reason: null}});
		if (reply.type === 'text') {
			send('content_block_start', {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}});
			send('content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: reply.text}});
		} else {
			send('content_block_start', {type: 'content_block_start', index: 0, content_block: {type: 'tool_use', id: reply.id, name: reply.name, input: {}}});
			send('content_block_delta', {type: 'content_block_delta', index: 0, delta: {type: 'input_json_delta', partial_json: JSON.stringify(replyInput)}});
		}

		send('content_block_stop', {type: 'content_block_stop', index: 0});
		send('message_delta', {type: 'message_delta', delta: {stop_reason: stopReason, stop_sequence: null}, usage: {output_tokens: 5}});
		send('message_stop', {type: 'message_stop'});
		response.end();
	}

	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {url: `http://127.0.0.1:${port}`, toolResults, close: async () => new Promise(resolve => server.close(() => resolve()))};
}
