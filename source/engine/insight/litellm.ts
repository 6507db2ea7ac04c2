/**
 * Converts LiteLLM's `model_prices_and_context_window.json` into sfs's price table (data/prices.json):
 * chat models of the providers the captured tools use, with input, output, cache read and cache write
 * prices per token and the long-context bands LiteLLM lists (`…_above_200k_tokens`).
 */
import type {ModelPrice, PriceBand} from './prices.js';

/** LiteLLM providers whose bare model ids (no `provider/` prefix) the tools report. */
const PROVIDERS: Record<string, string> = {
	anthropic: 'anthropic',
	openai: 'openai',
	'text-completion-openai': 'openai',
	gemini: 'google',
	'vertex_ai-language-models': 'google',
	deepseek: 'deepseek',
	xai: 'xai',
	moonshot: 'moonshot',
	mistral: 'mistral',
	codestral: 'mistral',
};
const MODES = new Set(['chat', 'responses', 'completion']);
/** Audio, realtime, image and search variants are not what coding agents run on. */
const NOT_AGENT_MODELS = /(audio|realtime|tts|transcribe|image|search|embedding|live|native-audio|computer-use|deep-research)/;

type Raw = Record<string, unknown>;
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

export function priceFromLiteLlm(entry: Raw): ModelPrice | undefined {
	const input = num(entry.input_cost_per_token);
	const output = num(entry.output_cost_per_token);
	if (input === undefined || output === undefined) return undefined;
	const price: ModelPrice = {input, output};
	const cacheRead = num(entry.cache_read_input_token_cost);
	const cacheWrite = num(entry.cache_creation_input_token_cost);
	if (cacheRead !== undefined) price.cache_read = cacheRead;
	if (cacheWrite !== undefined) price.cache_write = cacheWrite;
	const bands = new Map<number, PriceBand>();
	for (const [key, value] of Object.entries(entry)) {
		const match = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/.exec(key);
		const cost = num(value);
		if (!match || cost === undefined) continue;
		const above = Number(match[2]) * 1000;
		const band = bands.get(above) ?? {above_input_tokens: above};
		const field = {input_cost_per_token: 'input', output_cost_per_token: 'output', cache_read_input_token_cost: 'cache_read', cache_creation_input_token_cost: 'cache_write'}[match[1]!] as 'input' | 'output' | 'cache_read' | 'cache_write';
		band[field] = cost;
		bands.set(above, band);
	}

	if (bands.size > 0) price.bands = [...bands.values()].sort((a, b) => a.above_input_tokens - b.above_input_tokens);
	return price;
}

export type ConvertOptions = {
	/** Keys to leave out (e.g. entries a mirror added that are not LiteLLM's own). */
	exclude?: Set<string>;
};

/** The models of a LiteLLM price file that sfs prices, keyed by model id, sorted. */
export function convertLiteLlm(data: Raw, options: ConvertOptions = {}): Record<string, ModelPrice> {
	const models: Record<string, ModelPrice> = {};
	for (const key of Object.keys(data).sort()) {
		if (options.exclude?.has(key) || key.includes('/') || key === 'sample_spec') continue;
		const entry = data[key];
		if (!entry || typeof entry !== 'object') continue;
		const raw = entry as Raw;
		const provider = PROVIDERS[String(raw.litellm_provider)];
		if (!provider || !MODES.has(String(raw.mode)) || NOT_AGENT_MODELS.test(key)) continue;
		const price = priceFromLiteLlm(raw);
		if (!price) continue;
		// The same id can appear under two providers (gemini, vertex): the first one read wins, deterministically.
		models[key] ??= {provider, ...price};
	}

	return models;
}
