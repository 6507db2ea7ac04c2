/**
 * A loopback OpenAI Responses endpoint that drives Codex to call one MCP tool: the first turn answers
 * with a function call in the server's namespace (Codex 0.169 names MCP tools `mcp__<server>` +
 * `<tool>` and routes such a call even while it lists the namespace as deferred), and once the
 * function's output comes back it answers with text. Records every tool output it is sent.
 */
import {createServer, type IncomingMessage} from 'node:http';
import type {AddressInfo} from 'node:net';

export type ResponsesToolEndpoint = {url: string; toolOutputs: string[]; close(): Promise<void>};

type Item = {type?: string; call_id?: string; output?: unknown};

async function readBody(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function textOf(output: unknown): string {
	if (typeof output === 'string') return output;
	if (Array.isArray(output)) return output.map(part => (part && typeof part === 'object' && 'text' in part ? String((part as {text: unknown}).text) : '')).join('');
	return JSON.stringify(output ?? '');
}

export async function startResponsesToolEndpoint(namespace: string, tool: string, input: Record<string, unknown>): Promise<ResponsesToolEndpoint> {
	const toolOutputs: string[] = [];
	const callId = 'call_sfs_1';
	const server = createServer((request, response) => {
		void (async () => {
			const raw = await readBody(request);
			if (request.method !== 'POST' || !request.url?.endsWith('/responses')) {
				response.writeHead(200, {'content-type': 'application/json'}).end(request.url?.endsWith('/models') ? '{"models":[]}' : '{}');
				return;
			}

			const body = JSON.parse(raw || '{}') as {model?: string; input?: Item[]};
			const output = (body.input ?? []).find(item => item.type === 'function_call_output' && item.call_id === callId);
			let item: Record<string, unknown>;
			if (output) {
				const text = textOf(output.output);
				if (!toolOutputs.includes(text)) toolOutputs.push(text);
				item = {type: 'message', id: 'msg_sfs_1', role: 'assistant', status: 'completed', content: [{type: 'output_text', text: 'The sfs tool answered.', annotations: []}]};
			} else {
				item = {type: 'function_call', id: 'fc_sfs_1', call_id: callId, namespace, name: tool, arguments: JSON.stringify(input), status: 'completed'};
			}

			const usage = {input_tokens: 10, input_tokens_details: {cached_tokens: 0}, output_tokens: 5, output_tokens_details: {reasoning_tokens: 0}, total_tokens: 15};
			const completed = {id: `resp_${Date.now().toString(36)}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model: body.model ?? 'stub', output: [item], usage};
			response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
			const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
			send('response.created', {type: 'response.created', response: {...completed, status: 'in_progress', output: []}});
			send('response.output_item.added', {type: 'response.output_item.added', output_index: 0, item});
			send('response.output_item.done', {type: 'response.output_item.done', output_index: 0, item});
			send('response.completed', {type: 'response.completed', response: completed});
			response.end();
		})();
	});

	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {url: `http://127.0.0.1:${port}`, toolOutputs, close: async () => new Promise(resolve => server.close(() => resolve()))};
}
