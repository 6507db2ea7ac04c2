import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {shippedPrices} from '../../source/engine/insight/prices.js';

const repo = path.resolve(import.meta.dirname, '..', '..');
const script = path.join(repo, 'scripts', 'refresh-prices.ts');
const tsx = path.join(repo, 'node_modules', '.bin', 'tsx');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-prices-'));

afterEach(() => {
	for (const entry of fs.readdirSync(temp)) fs.rmSync(path.join(temp, entry), {recursive: true, force: true});
});

function liteLlm(count: number): Record<string, unknown> {
	const data: Record<string, unknown> = {sample_spec: {litellm_provider: 'one of …'}};
	for (let index = 0; index < count; index++) data[`gpt-test-${index}`] = {litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6};
	return data;
}

describe('scripts/refresh-prices.ts', () => {
	it('writes the table from a LiteLLM file, with its source and date, keeping the curated aliases', async () => {
		const from = path.join(temp, 'litellm.json');
		const out = path.join(temp, 'prices.json');
		fs.writeFileSync(from, JSON.stringify(liteLlm(60)));
		fs.writeFileSync(out, JSON.stringify({aliases: {'my-alias': 'gpt-test-1'}}));
		const run = await execa(tsx, [script, '--from', from, '--out', out, '--source-date', '2026-01-02', '--exclude', 'gpt-test-0'], {reject: false});
		expect(run.exitCode, run.stderr).toBe(0);
		const table = shippedPrices(out);
		expect(Object.keys(table.models)).toHaveLength(59);
		expect(table.models['gpt-test-0']).toBeUndefined();
		expect(table.date).toBe('2026-01-02');
		expect(table.source).toMatchObject({name: 'LiteLLM model_prices_and_context_window.json', upstream: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json'});
		expect(table.aliases).toEqual({'my-alias': 'gpt-test-1'});
	});

	it('refuses a file with too few priced models and leaves the table alone', async () => {
		const from = path.join(temp, 'litellm.json');
		const out = path.join(temp, 'prices.json');
		fs.writeFileSync(from, JSON.stringify(liteLlm(3)));
		fs.writeFileSync(out, '{"models": {}, "aliases": {}}');
		const run = await execa(tsx, [script, '--from', from, '--out', out], {reject: false});
		expect(run.exitCode).toBe(1);
		expect(run.stderr).toContain('only 3 priced models found');
		expect(fs.readFileSync(out, 'utf8')).toBe('{"models": {}, "aliases": {}}');
	});
});
