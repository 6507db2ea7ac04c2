/**
 * A loopback Gemini API endpoint that drives Gemini CLI to call one function (an MCP tool, named
 * `mcp_<server>_<tool>` by Gemini CLI 0.61) once it is offered, then answers with text when the
 * function's response comes back. JSON-mode side requests (the routing classifier) get a value
 * shaped by their schema. Records every function response it is sent.
 */
import {createServer, type IncomingMessage} from 'node:http';
import type {AddressInfo} from 'node:net';

export type GeminiToolEndpoint = {url: string; toolResponses: string[]; close(): Promise<void>};

type Part = {text?: string; functionCall?: {name?: string}; functionResponse?: {name?: string; response?: unknown}};
type Body = {
	contents?: Array<{role?: string; parts?: Part[]}>;
	tools?: Array<{functionDeclarations?: Array<{name?: string}>}>;
	generationConfig?: {responseMimeType?: string; responseJsonSchema?: Schema; responseSchema?: Schema};
};
type Schema = {type?: string; enum?: unknown[]; properties?: Record<string, Schema>};

async function readBody(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

/** A value for the classifier's schema that keeps the CLI on its simple path. */
function fill(schema: Schema, name = ''): unknown {
	if (schema.enum && schema.enum.length > 0) return schema.enum[0];
	const type = String(schema.type ?? '').toLowerCase();
	if (type === 'object' || schema.properties) return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, fill(value, key)]));
	if (type === 'array') return [];
	if (type === 'number' || type === 'integer') return 1;
	if (type === 'boolean') return false;
	return name === 'model_choice' ? 'flash' : 'simple task';
}

export async function startGeminiToolEndpoint(tool: string, args: Record<string, unknown>): Promise<GeminiToolEndpoint> {
	const toolResponses: string[] = [];
	const server = createServer((request, response) => {
		void (async () => {
			const raw = await readBody(request);
			const url = request.url ?? '';
			if (request.method !== 'POST') {
				response.writeHead(200, {'content-type': 'application/json'}).end('{}');
				return;
			}

			if (url.includes(':countTokens')) {
				response.writeHead(200, {'content-type': 'application/json'}).end('{"totalTokens":42}');
				return;
			}

			const body = JSON.parse(raw || '{}') as Body;
			const parts = (body.contents ?? []).flatMap(content => content.parts ?? []);
			const answered = parts.filter(part => part.functionResponse?.name === tool);
			const offered = (body.tools ?? []).some(group => (group.functionDeclarations ?? []).some(declaration => declaration.name === tool));
			let reply: Part;
			const config = body.generationConfig ?? {};
			if (config.responseMimeType === 'application/json') {
				reply = {text: JSON.stringify(fill(config.responseJsonSchema ?? config.responseSchema ?? {}))};
			} else if (answered.length > 0) {
				for (const part of answered) {
					const text = JSON.stringify(part.functionResponse!.response ?? null);
					if (!toolResponses.includes(text)) toolResponses.push(text);
				}

				reply = {text: 'The sfs tool answered.'};
			} else if (offered) {
				reply = {functionCall: {name: tool, args} as Part['functionCall']};
			} else {
				reply = {text: 'ok'};
			}

			const envelope = {
				candidates: [{content: {role: 'model', parts: [reply]}, index: 0, finishReason: 'STOP'}],
				usageMetadata: {promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15},
				modelVersion: 'stub',
			};
			if (url.includes(':streamGenerateContent')) {
				response.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
				response.end(`data: ${JSON.stringify(envelope)}\n\n`);
				return;
			}

			response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(envelope));
		})();
	});

	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {url: `http://127.0.0.1:${port}`, toolResponses, close: async () => new Promise(resolve => server.close(() => resolve()))};
}
