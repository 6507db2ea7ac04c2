/**
 * The optional LLM provider behind `sfs summary --narrative` and `sfs audit --judge`. Config keys
 * `llm.provider` (`anthropic` or `openai-compatible`), `llm.base_url`, `llm.model`; the key comes from
 * the environment (`SFS_LLM_API_KEY`), never from the config file.
 */
import {SfsError} from '../errors.js';

export type LlmConfig = {provider?: string; base_url?: string; model?: string};
export type LlmRequest = {system: string; prompt: string; maxTokens?: number};
export type LlmReply = {text: string; model: string; provider: string};

const DEFAULT_BASE: Record<string, string> = {anthropic: 'https://api.anthropic.com', 'openai-compatible': 'https://api.openai.com/v1'};
const TIMEOUT_MS = 120_000;

export function resolveLlm(config: LlmConfig | undefined, env: NodeJS.ProcessEnv): {provider: 'anthropic' | 'openai-compatible'; baseUrl: string; model: string; key: string} {
	const provider = config?.provider;
	if (provider !== 'anthropic' && provider !== 'openai-compatible') {
		throw new SfsError('USAGE', provider ? `llm.provider must be anthropic or openai-compatible, not ${JSON.stringify(provider)}` : 'no LLM provider configured', {
			hint: 'sfs config set llm.provider anthropic (or openai-compatible), then llm.model and SFS_LLM_API_KEY',
		});
	}

	const model = config?.model;
	if (!model) throw new SfsError('USAGE', 'no LLM model configured', {hint: 'sfs config set llm.model <model id>'});
	const key = env.SFS_LLM_API_KEY;
	if (!key) throw new SfsError('USAGE', 'SFS_LLM_API_KEY is not set', {hint: 'export SFS_LLM_API_KEY=<your key for the configured provider>'});
	return {provider, baseUrl: (config?.base_url || DEFAULT_BASE[provider]!).replace(/\/+$/, ''), model, key};
}

/** One completion. Errors (HTTP, timeout, an answer without text) are SfsErrors with the reason. */
export async function complete(request: LlmRequest, config: LlmConfig | undefined, env: NodeJS.ProcessEnv = process.env): Promise<LlmReply> {
	const llm = resolveLlm(config, env);
	const maxTokens = request.maxTokens ?? 2000;
	const anthropic = llm.provider === 'anthropic';
	const url = anthropic ? `${llm.baseUrl}/v1/messages` : `${llm.baseUrl}/chat/completions`;
	const headers: Record<string, string> = anthropic
		? {'content-type': 'application/json', 'x-api-key': llm.key, 'anthropic-version': '2023-06-01'}
		: {'content-type': 'application/json', authorization: `Bearer ${llm.key}`};
	const body = anthropic
		? {model: llm.model, max_tokens: maxTokens, system: request.system, messages: [{role: 'user', content: request.prompt}]}
		: {model: llm.model, max_tokens: maxTokens, messages: [{role: 'system', content: request.system}, {role: 'user', content: request.prompt}]};
	let response: Response;
	try {
		response = await fetch(url, {method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS)});
	} catch (error) {
		throw new SfsError('IO', `LLM request to ${url} failed: ${error instanceof Error ? error.message : String(error)}`, {hint: 'check llm.base_url and the network'});
	}

	const raw = await response.text();
	if (!response.ok) throw new SfsError('IO', `LLM request to ${url} failed: HTTP ${response.status} ${raw.slice(0, 200).replace(/\s+/g, ' ')}`, {hint: 'check llm.model and SFS_LLM_API_KEY'});
	let data: Record<string, unknown>;
	try {
		data = JSON.parse(raw) as Record<string, unknown>;
	} catch {
		throw new SfsError('IO', `LLM answer from ${url} is not JSON`);
	}

	const text = anthropic ? anthropicText(data) : openAiText(data);
	if (!text) throw new SfsError('IO', `LLM answer from ${url} has no text`);
	return {text, model: typeof data.model === 'string' ? data.model : llm.model, provider: llm.provider};
}

function anthropicText(data: Record<string, unknown>): string {
	const content = Array.isArray(data.content) ? data.content : [];
	return content
		.map(block => (block && typeof block === 'object' && (block as {type?: unknown}).type === 'text' ? String((block as {text?: unknown}).text ?? '') : ''))
		.join('')
		.trim();
}

function openAiText(data: Record<string, unknown>): string {
	const choice = Array.isArray(data.choices) ? (data.choices[0] as {message?: {content?: unknown}} | undefined) : undefined;
	const content = choice?.message?.content;
	if (typeof content === 'string') return content.trim();
	if (Array.isArray(content)) return content.map(part => (part && typeof part === 'object' ? String((part as {text?: unknown}).text ?? '') : '')).join('').trim();
	return '';
}

/** The first JSON object in a model's answer (which may wrap it in prose or a code fence). */
export function extractJson(text: string): unknown {
	const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(text);
	const candidate = fenced ? fenced[1]! : text;
	const start = candidate.indexOf('{');
	const end = candidate.lastIndexOf('}');
	if (start === -1 || end <= start) return undefined;
	try {
		return JSON.parse(candidate.slice(start, end + 1));
	} catch {
		return undefined;
	}
}

/** A compact transcript for a model to read: one labelled line per message, long texts cut. */
export function transcriptForLlm(messages: Array<{msg_id: string; role: string; content: Array<Record<string, unknown>>; metadata?: Record<string, unknown>}>, maxChars = 60_000): string {
	const lines: string[] = [];
	for (const message of messages) {
		if (message.metadata?.copied_from) continue;
		const parts: string[] = [];
		for (const block of message.content ?? []) {
			if (block.type === 'text') parts.push(clip(String(block.text ?? ''), 1500));
			else if (block.type === 'tool_use') parts.push(`[tool call ${String(block.name)}] ${clip(JSON.stringify(block.input ?? {}), 400)}`);
			else if (block.type === 'tool_result') parts.push(`[tool result${block.is_error ? ' (error)' : ''}${typeof block.exit_code === 'number' ? ` exit ${block.exit_code}` : ''}] ${clip(String(block.content ?? ''), 600)}`);
		}

		if (parts.length > 0) lines.push(`<${message.msg_id}> ${message.role}: ${parts.join(' ')}`);
	}

	let text = lines.join('\n');
	// Keep the start (the task) and the end (the outcome) when the whole does not fit.
	if (text.length > maxChars) text = `${text.slice(0, maxChars / 3)}\n…\n${text.slice(text.length - (2 * maxChars) / 3)}`;
	return text;
}

function clip(text: string, max: number): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
