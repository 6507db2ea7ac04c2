/**
 * The model price table: the shipped snapshot (data/prices.json, from LiteLLM) plus user overrides
 * (config key `prices`), and matching a model id as tools report it to an entry of the table.
 *
 * Matching, in order: the exact id; a known alias (the table's `aliases`, dotted versions
 * `claude-sonnet-4.5`, Cursor's `claude-4.5-sonnet`); a date-suffixed variant (`…-20250514` of a bare
 * id and the reverse); then the longest table id the model id starts with, when what follows it only
 * names a date, a preview or a reasoning setting. `gpt-4.1-mini` never falls back to `gpt-4.1`: `mini`
 * names another model. A model that still matches nothing is unpriced.
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {SfsError} from '../errors.js';

/** USD per token. */
export type PriceBand = {above_input_tokens: number; input?: number; output?: number; cache_read?: number; cache_write?: number};
export type ModelPrice = {provider?: string; input: number; output: number; cache_read?: number; cache_write?: number; bands?: PriceBand[]};
export type PriceTable = {
	source?: Record<string, unknown>;
	date?: string;
	models: Record<string, ModelPrice>;
	aliases: Record<string, string>;
};

export type PriceMatch = {
	/** The table id whose prices apply. */
	id: string;
	price: ModelPrice;
	how: 'exact' | 'alias' | 'date' | 'prefix';
};

export const PRICES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'prices.json');

let shipped: PriceTable | undefined;

/** The shipped snapshot (read once per process). */
export function shippedPrices(file = PRICES_FILE): PriceTable {
	if (file === PRICES_FILE && shipped) return shipped;
	let data: unknown;
	try {
		data = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (error) {
		throw new SfsError('IO', `cannot read the price table ${file}: ${(error as Error).message}`, {hint: 'reinstall sfs or run scripts/refresh-prices.ts'});
	}

	const table = asTable(data);
	if (file === PRICES_FILE) shipped = table;
	return table;
}

function asTable(data: unknown): PriceTable {
	const raw = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
	const models: Record<string, ModelPrice> = {};
	for (const [id, value] of Object.entries(isObject(raw.models) ? raw.models : {})) {
		const price = asPrice(value);
		if (price) models[id.toLowerCase()] = price;
	}

	const aliases: Record<string, string> = {};
	for (const [from, to] of Object.entries(isObject(raw.aliases) ? raw.aliases : {})) if (typeof to === 'string') aliases[from.toLowerCase()] = to.toLowerCase();
	return {source: isObject(raw.source) ? raw.source : undefined, date: typeof raw.date === 'string' ? raw.date : undefined, models, aliases};
}

function asPrice(value: unknown): ModelPrice | undefined {
	if (!isObject(value)) return undefined;
	const number = (key: string) => (typeof value[key] === 'number' && Number.isFinite(value[key]) && (value[key] as number) >= 0 ? (value[key] as number) : undefined);
	const input = number('input');
	const output = number('output');
	if (input === undefined || output === undefined) return undefined;
	const price: ModelPrice = {input, output};
	if (typeof value.provider === 'string') price.provider = value.provider;
	const cacheRead = number('cache_read');
	const cacheWrite = number('cache_write');
	if (cacheRead !== undefined) price.cache_read = cacheRead;
	if (cacheWrite !== undefined) price.cache_write = cacheWrite;
	if (Array.isArray(value.bands)) {
		const bands = value.bands.filter((band): band is PriceBand => isObject(band) && typeof band.above_input_tokens === 'number');
		if (bands.length > 0) price.bands = [...bands].sort((a, b) => a.above_input_tokens - b.above_input_tokens);
	}

	return price;
}

/**
 * The shipped table with the user's overrides: config `prices` is `{"models": {id: {input, output,
 * cache_read, cache_write}}, "aliases": {id: table id}}` (USD per token); an overridden id replaces the
 * shipped entry whole.
 */
export function priceTable(overrides?: unknown, base: PriceTable = shippedPrices()): PriceTable {
	if (!isObject(overrides)) return base;
	const extra = asTable(overrides);
	return {...base, models: {...base.models, ...extra.models}, aliases: {...base.aliases, ...extra.aliases}};
}

const isObject = (value: unknown): value is Record<string, unknown> => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;
/** What may follow a table id in a reported id without naming another model. */
const NEUTRAL_PART = /^(\d{8}|\d{4}|\d{2}|latest|thinking|preview|exp|experimental|high|low|medium|minimal|xhigh|none|v\d+(:\d+)?)$/;

/** The id as the table spells ids: lower case, no provider path, region or `[1m]`-style flags. */
export function normalizeModelId(model: string): string {
	let id = model.trim().toLowerCase();
	id = id.replace(/\[[^\]]*\]$/, '');
	id = id.slice(id.lastIndexOf('/') + 1);
	id = id.replace(/^(us|eu|apac|jp|global)\.(?=anthropic\.)/, '').replace(/^anthropic\./, '');
	id = id.replace(/-v\d+(:\d+)?$/, '').replace(/:\d+$/, '');
	id = id.replace(/@(\d{8})$/, '-$1').replace(/@latest$/, '');
	return id;
}

/** Spellings of the same Claude model: `claude-sonnet-4.5`, `claude-4.5-sonnet`, `claude-3.5-sonnet`. */
function knownAliases(id: string): string[] {
	const out: string[] = [];
	if (!id.startsWith('claude-')) return out;
	const dashed = id.replace(/(\d)\.(\d)/g, '$1-$2');
	if (dashed !== id) out.push(dashed);
	const swapped = /^claude-(\d+(?:-\d+)?)-(opus|sonnet|haiku)(.*)$/.exec(dashed);
	if (swapped) out.push(`claude-${swapped[2]}-${swapped[1]}${swapped[3]}`);
	return out;
}

export function matchModel(model: string, table: PriceTable): PriceMatch | undefined {
	const id = normalizeModelId(model);
	if (!id) return undefined;
	const exact = (candidate: string) => table.models[candidate];
	if (exact(id)) return {id, price: exact(id)!, how: 'exact'};

	const aliasTargets = [table.aliases[id], ...knownAliases(id).flatMap(alias => [alias, table.aliases[alias]])].filter((value): value is string => Boolean(value));
	for (const target of aliasTargets) if (exact(target)) return {id: target, price: exact(target)!, how: 'alias'};

	for (const candidate of [id, ...knownAliases(id)]) {
		const dated = byDate(candidate, table);
		if (dated) return dated;
	}

	for (const candidate of [id, ...knownAliases(id)]) {
		const prefixed = byPrefix(candidate, table);
		if (prefixed) return prefixed;
	}

	return undefined;
}

function byDate(id: string, table: PriceTable): PriceMatch | undefined {
	const base = id.replace(DATE_SUFFIX, '');
	if (base !== id) {
		const target = table.models[base] ? base : table.aliases[base];
		if (target && table.models[target]) return {id: target, price: table.models[target]!, how: 'date'};
	}

	// A bare id the table lists only with dates: the newest dated entry.
	const dated = Object.keys(table.models)
		.filter(key => key.startsWith(`${id}-`) && DATE_SUFFIX.test(key) && key.replace(DATE_SUFFIX, '') === id)
		.sort();
	const newest = dated.at(-1);
	return newest ? {id: newest, price: table.models[newest]!, how: 'date'} : undefined;
}

function byPrefix(id: string, table: PriceTable): PriceMatch | undefined {
	let best: string | undefined;
	for (const key of Object.keys(table.models)) {
		if (!id.startsWith(`${key}-`) || (best && best.length >= key.length)) continue;
		const rest = id.slice(key.length + 1).split('-');
		if (rest.every(part => NEUTRAL_PART.test(part))) best = key;
	}

	return best ? {id: best, price: table.models[best]!, how: 'prefix'} : undefined;
}
