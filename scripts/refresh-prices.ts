/**
 * Refreshes data/prices.json from LiteLLM's maintained price list. Runs where the source is reachable;
 * tests never run it (they use the shipped snapshot).
 *
 *   npx tsx scripts/refresh-prices.ts                       # download from LiteLLM (main)
 *   npx tsx scripts/refresh-prices.ts --url <url>           # another copy of the same file
 *   npx tsx scripts/refresh-prices.ts --from <file.json>    # a local copy
 *       [--via <text>] [--source-date YYYY-MM-DD] [--exclude id,id,…]
 *
 * The curated `aliases` of the current data/prices.json are kept. A file with fewer than 50 priced models
 * is refused (a truncated or wrong download), and the current table is left as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {convertLiteLlm} from '../source/engine/insight/litellm.js';

export const LITELLM_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'prices.json');

const {values} = parseArgs({
	options: {
		url: {type: 'string'},
		from: {type: 'string'},
		via: {type: 'string'},
		'source-date': {type: 'string'},
		exclude: {type: 'string'},
		out: {type: 'string'},
	},
});

async function load(): Promise<unknown> {
	if (values.from) return JSON.parse(fs.readFileSync(values.from, 'utf8'));
	const url = values.url ?? LITELLM_URL;
	const response = await fetch(url, {signal: AbortSignal.timeout(60_000)});
	if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
	return response.json();
}

function currentAliases(file: string): Record<string, string> {
	try {
		const data = JSON.parse(fs.readFileSync(file, 'utf8')) as {aliases?: Record<string, string>};
		return data.aliases ?? {};
	} catch {
		return {};
	}
}

try {
	const data = await load();
	if (!data || typeof data !== 'object') throw new Error('the price file is not a JSON object');
	const exclude = new Set((values.exclude ?? '').split(',').map(item => item.trim()).filter(Boolean));
	const models = convertLiteLlm(data as Record<string, unknown>, {exclude});
	const count = Object.keys(models).length;
	if (count < 50) throw new Error(`only ${count} priced models found; refusing to replace the table`);
	const out = values.out ?? target;
	const today = new Date().toISOString().slice(0, 10);
	const table = {
		source: {
			name: 'LiteLLM model_prices_and_context_window.json',
			url: values.from ? undefined : (values.url ?? LITELLM_URL),
			upstream: LITELLM_URL,
			project: 'https://github.com/BerriAI/litellm',
			...(values.via ? {via: values.via} : {}),
			retrieved_at: today,
		},
		date: values['source-date'] ?? today,
		unit: 'USD per token; bands apply to a whole request whose prompt (input + cache read + cache write) is above above_input_tokens',
		models,
		aliases: currentAliases(out),
	};
	fs.writeFileSync(out, `${JSON.stringify(table, null, '\t')}\n`);
	console.log(`wrote ${count} models to ${out}`);
} catch (error) {
	console.error(`refresh-prices: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
}
