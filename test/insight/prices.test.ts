import {describe, expect, it} from 'vitest';
import {convertLiteLlm} from '../../source/engine/insight/litellm.js';
import {matchModel, normalizeModelId, priceTable, type PriceTable, shippedPrices} from '../../source/engine/insight/prices.js';

const table = shippedPrices();

describe('the shipped price table', () => {
	it('records its source and date', () => {
		expect(table.source?.name).toBe('LiteLLM model_prices_and_context_window.json');
		expect(table.source?.project).toBe('https://github.com/BerriAI/litellm');
		expect(table.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(Object.keys(table.models).length).toBeGreaterThan(100);
	});

	it('holds input, output, cache read and cache write per token, and long-context bands', () => {
		expect(table.models['claude-sonnet-4-5']).toMatchObject({input: 3e-6, output: 15e-6, cache_read: 3e-7, cache_write: 3.75e-6});
		expect(table.models['claude-sonnet-4-5']!.bands).toEqual([{above_input_tokens: 200_000, input: 6e-6, output: 22.5e-6, cache_read: 6e-7, cache_write: 7.5e-6}]);
		expect(table.models['gpt-4.1']).toMatchObject({input: 2e-6, output: 8e-6, cache_read: 5e-7});
		expect(table.models['gpt-4.1-mini']).toMatchObject({input: 4e-7, output: 1.6e-6, cache_read: 1e-7});
		expect(table.models['gemini-2.5-pro']!.bands?.[0]).toMatchObject({above_input_tokens: 200_000, input: 2.5e-6, output: 15e-6});
	});
});

describe('matching a model id', () => {
	const cases: Array<[string, string | undefined, string?]> = [
		['claude-sonnet-4-5', 'claude-sonnet-4-5', 'exact'],
		['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'exact'],
		['gpt-4.1', 'gpt-4.1', 'exact'],
		// Prefix traps: a size or variant word names another model.
		['gpt-4.1-mini', 'gpt-4.1-mini', 'exact'],
		['gpt-4.1-nano', 'gpt-4.1-nano', 'exact'],
		['gpt-4o-mini', 'gpt-4o-mini', 'exact'],
		['o3-mini', 'o3-mini', 'exact'],
		['gemini-2.5-flash-lite', 'gemini-2.5-flash-lite', 'exact'],
		['gpt-5.1-codex-mini', 'gpt-5.1-codex-mini', 'exact'],
		['gpt-4.1-mega', undefined],
		['claude-opus-4-9', undefined],
		// Aliases and spellings of the same model.
		['claude-sonnet-4', 'claude-sonnet-4-20250514', 'alias'],
		['claude-sonnet-4.5', 'claude-sonnet-4-5', 'alias'],
		['claude-4.5-sonnet', 'claude-sonnet-4-5', 'alias'],
		['claude-haiku-4.5', 'claude-haiku-4-5', 'alias'],
		['anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5', 'alias'],
		['CLAUDE-SONNET-4-5', 'claude-sonnet-4-5', 'exact'],
		['claude-sonnet-4-5[1m]', 'claude-sonnet-4-5', 'exact'],
		['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5-20250929', 'exact'],
		['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5-20250929', 'exact'],
		// Date-suffixed variants, both ways.
		['claude-opus-4-5-20270101', 'claude-opus-4-5', 'date'],
		['gpt-4.1-2099-01-01', 'gpt-4.1', 'date'],
		['gpt-5.4-mini', 'gpt-5.4-mini-2026-03-17', 'date'],
		// Longest prefix, only across neutral words.
		['claude-sonnet-4-5-thinking', 'claude-sonnet-4-5', 'prefix'],
		['gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro', 'prefix'],
		['gpt-5-codex-high', 'gpt-5-codex', 'prefix'],
		// Unknown models stay unknown.
		['llama-3.3-70b-instruct', undefined],
		['some-new-model', undefined],
		['', undefined],
	];
	for (const [model, id, how] of cases) {
		it(`${JSON.stringify(model)} → ${id ?? 'unpriced'}`, () => {
			const match = matchModel(model, table);
			expect(match?.id).toBe(id);
			if (how) expect(match?.how).toBe(how);
		});
	}

	it('never falls back from gpt-4.1-mini to gpt-4.1 when mini is missing from the table', () => {
		const small: PriceTable = {models: {'gpt-4.1': {input: 2e-6, output: 8e-6}, 'gpt-4o': {input: 1, output: 1}, o3: {input: 1, output: 1}}, aliases: {}};
		expect(matchModel('gpt-4.1-mini', small)).toBeUndefined();
		expect(matchModel('gpt-4.1-mini-2025-04-14', small)).toBeUndefined();
		expect(matchModel('gpt-4o-mini', small)).toBeUndefined();
		expect(matchModel('o3-pro', small)).toBeUndefined();
		expect(matchModel('gpt-4.1-2025-04-14', small)?.id).toBe('gpt-4.1');
	});

	it('normalizes provider paths, regions and flags', () => {
		expect(normalizeModelId('openrouter/anthropic/Claude-Opus-4-1')).toBe('claude-opus-4-1');
		expect(normalizeModelId('eu.anthropic.claude-3-7-sonnet-20250219-v1:0')).toBe('claude-3-7-sonnet-20250219');
	});
});

describe('user overrides (config key prices)', () => {
	it('adds and replaces models and aliases', () => {
		const merged = priceTable({models: {'my-model': {input: 1e-6, output: 2e-6}, 'gpt-4.1': {input: 1e-6, output: 1e-6}}, aliases: {'team-default': 'claude-sonnet-4-5'}}, table);
		expect(matchModel('my-model', merged)?.price).toEqual({input: 1e-6, output: 2e-6});
		expect(matchModel('gpt-4.1', merged)?.price.input).toBe(1e-6);
		expect(matchModel('team-default', merged)).toMatchObject({id: 'claude-sonnet-4-5', how: 'alias'});
		expect(matchModel('gpt-4.1', table)?.price.input).toBe(2e-6);
	});

	it('ignores a malformed override', () => {
		expect(priceTable('nonsense', table)).toBe(table);
		expect(matchModel('broken', priceTable({models: {broken: {input: 'x'}}}, table))).toBeUndefined();
	});
});

describe('converting the LiteLLM file', () => {
	it('keeps chat models of the known providers with their cache prices and bands', () => {
		const models = convertLiteLlm({
			sample_spec: {input_cost_per_token: 0, output_cost_per_token: 0, litellm_provider: 'openai', mode: 'chat'},
			'claude-x': {litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 3e-6, output_cost_per_token: 15e-6, cache_read_input_token_cost: 3e-7, cache_creation_input_token_cost: 3.75e-6, input_cost_per_token_above_200k_tokens: 6e-6, output_cost_per_token_above_200k_tokens: 22.5e-6},
			'gpt-4o-audio-preview': {litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1, output_cost_per_token: 1},
			'openai/gpt-4o': {litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1, output_cost_per_token: 1},
			'dall-e-3': {litellm_provider: 'openai', mode: 'image_generation', output_cost_per_image: 0.04},
			'bedrock-thing': {litellm_provider: 'bedrock', mode: 'chat', input_cost_per_token: 1, output_cost_per_token: 1},
			'custom-one': {litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1, output_cost_per_token: 1},
		}, {exclude: new Set(['custom-one'])});
		expect(Object.keys(models)).toEqual(['claude-x']);
		expect(models['claude-x']).toEqual({provider: 'anthropic', input: 3e-6, output: 15e-6, cache_read: 3e-7, cache_write: 3.75e-6, bands: [{above_input_tokens: 200_000, input: 6e-6, output: 22.5e-6}]});
	});
});
