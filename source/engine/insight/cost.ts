/**
 * What a session cost: each API response counted once, priced by its model, in integer micro-dollars.
 *
 * - Tools replay and split responses: Claude Code writes one response as several records (the adapter keeps
 *   usage on one of them), a resumed Claude session repeats earlier records, sub-agent transcripts are
 *   separate sessions. A response is identified by its API message id or request id in message metadata
 *   and counted once per `seen` set (pass one set across a session and its sub-agents, or across a period).
 * - Messages with `metadata.copied_from` are history sfs copied on resume: their cost belongs to the original.
 * - Gemini CLI reports prompt tokens including cached ones and thoughts apart from output; both are
 *   brought to the billing convention (input without cache reads, output with reasoning) before pricing.
 * - A model the table cannot price is reported with its tokens in `unpriced_models`, never as $0.
 */
import type {Message, Session} from '../types.js';
import {matchModel, type ModelPrice, type PriceMatch, type PriceTable} from './prices.js';

export type TokenCounts = {input: number; output: number; cache_read: number; cache_write: number; reasoning: number};
export type TokenTotals = TokenCounts & {total: number};
export type UnpricedModel = {model: string; responses: number; tokens: TokenCounts};
export type ModelCost = {model: string; priced_as: string; how: string; responses: number; tokens: TokenCounts; cost_usd: number};

export type CostReport = {
	/** Priced responses' cost; null when nothing could be priced (no usage recorded, or only unknown models). */
	cost_usd: number | null;
	micro_usd: number;
	tokens: TokenTotals;
	responses: number;
	models: ModelCost[];
	unpriced_models: UnpricedModel[];
};

const PICO_PER_MICRO = 1_000_000n;

export function emptyTokens(): TokenCounts {
	return {input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0};
}

/**
 * The id that names one API response, shared by every record a tool wrote for it. Codex has none, but
 * its token_count events carry the session's running total, which grows with every response: an event
 * repeating the previous total (Codex re-emits one when rate limits update) is the same response.
 */
export function responseKey(message: Message, scope = ''): string {
	const metadata = message.metadata ?? {};
	const record = metadata.usage_record as Record<string, unknown> | undefined;
	const id = metadata.api_message_id ?? metadata.request_id ?? record?.apiCallId ?? record?.api_call_id;
	if (typeof id === 'string' && id) return `api:${id}`;
	const total = codexRunningTotal(message);
	return total ? `codex:${scope}:${total}` : `msg:${message.msg_id}`;
}

function codexRunningTotal(message: Message): string | undefined {
	const fromMetadata = (message.metadata?.token_count as {total_token_usage?: unknown} | undefined)?.total_token_usage;
	const block = message.content?.find?.(item => item.type === 'token_count') as {info?: {total_token_usage?: unknown}} | undefined;
	const total = fromMetadata ?? block?.info?.total_token_usage;
	return total && typeof total === 'object' ? JSON.stringify(total) : undefined;
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0);

/** Usage of one message in the billing convention (input excludes cache reads; output includes reasoning). */
export function billableTokens(message: Message, tool: string): TokenCounts | undefined {
	const usage = message.usage;
	if (!usage) return undefined;
	const tokens: TokenCounts = {
		input: count(usage.input_tokens),
		output: count(usage.output_tokens),
		cache_read: count(usage.cache_read_tokens),
		cache_write: count(usage.cache_write_tokens),
		reasoning: count(usage.reasoning_tokens),
	};
	if (tool === 'gemini') {
		tokens.input = Math.max(0, tokens.input - tokens.cache_read);
		tokens.output += tokens.reasoning;
	}

	return tokens.input + tokens.output + tokens.cache_read + tokens.cache_write > 0 ? tokens : undefined;
}

const pico = (usdPerToken: number | undefined): bigint => BigInt(Math.round((usdPerToken ?? 0) * 1e12));

/** Cost of one response in pico-dollars; a long-context band applies to the whole request above its threshold. */
export function responsePico(tokens: TokenCounts, price: ModelPrice): bigint {
	const prompt = tokens.input + tokens.cache_read + tokens.cache_write;
	let rates = {input: price.input, output: price.output, cache_read: price.cache_read ?? price.input, cache_write: price.cache_write ?? price.input};
	for (const band of price.bands ?? []) {
		if (prompt > band.above_input_tokens) {
			rates = {input: band.input ?? rates.input, output: band.output ?? rates.output, cache_read: band.cache_read ?? rates.cache_read, cache_write: band.cache_write ?? rates.cache_write};
		}
	}

	return (
		BigInt(tokens.input) * pico(rates.input) +
		BigInt(tokens.output) * pico(rates.output) +
		BigInt(tokens.cache_read) * pico(rates.cache_read) +
		BigInt(tokens.cache_write) * pico(rates.cache_write)
	);
}

function add(into: TokenCounts, tokens: TokenCounts): void {
	into.input += tokens.input;
	into.output += tokens.output;
	into.cache_read += tokens.cache_read;
	into.cache_write += tokens.cache_write;
	into.reasoning += tokens.reasoning;
}

/** Accumulates responses of one or more sessions; `report()` any time. */
export class CostLedger {
	private readonly seen: Set<string>;
	private readonly priced = new Map<string, {priced_as: string; how: string; responses: number; tokens: TokenCounts; pico: bigint}>();
	private readonly unpriced = new Map<string, UnpricedModel>();
	/** Matching a model id is most of the work per response; a session names few models. */
	private readonly matches = new Map<string, PriceMatch | undefined>();
	private readonly totals = emptyTokens();
	private responses = 0;

	constructor(private readonly table: PriceTable, seen: Set<string> = new Set()) {
		this.seen = seen;
	}

	addSession(session: Pick<Session, 'manifest' | 'messages'>): void {
		const tool = session.manifest.source?.tool ?? 'unknown';
		const fallbackModel = session.manifest.model?.model_id ?? undefined;
		for (const message of session.messages) this.addMessage(message, tool, fallbackModel, session.manifest.session_id);
	}

	addMessage(message: Message, tool: string, fallbackModel?: string, scope = ''): void {
		if (!message || typeof message !== 'object' || message.metadata?.copied_from) return;
		const tokens = billableTokens(message, tool);
		if (!tokens) return;
		const key = responseKey(message, scope);
		if (this.seen.has(key)) return;
		this.seen.add(key);
		this.responses++;
		add(this.totals, tokens);
		const model = (message.model && message.model !== '<synthetic>' ? message.model : fallbackModel) ?? 'unknown';
		const match = this.match(model);
		if (!match) {
			const entry = this.unpriced.get(model) ?? {model, responses: 0, tokens: emptyTokens()};
			entry.responses++;
			add(entry.tokens, tokens);
			this.unpriced.set(model, entry);
			return;
		}

		const entry = this.priced.get(model) ?? {priced_as: match.id, how: match.how, responses: 0, tokens: emptyTokens(), pico: 0n};
		entry.responses++;
		add(entry.tokens, tokens);
		entry.pico += responsePico(tokens, match.price);
		this.priced.set(model, entry);
	}

	private match(model: string): PriceMatch | undefined {
		if (model === 'unknown') return undefined;
		if (!this.matches.has(model)) this.matches.set(model, matchModel(model, this.table));
		return this.matches.get(model);
	}

	report(): CostReport {
		let total = 0n;
		const models: ModelCost[] = [];
		for (const [model, entry] of [...this.priced].sort(([a], [b]) => a.localeCompare(b))) {
			total += entry.pico;
			models.push({model, priced_as: entry.priced_as, how: entry.how, responses: entry.responses, tokens: entry.tokens, cost_usd: microToUsd(picoToMicro(entry.pico))});
		}

		const micro = picoToMicro(total);
		const tokens = {...this.totals, total: this.totals.input + this.totals.output + this.totals.cache_read + this.totals.cache_write};
		return {
			cost_usd: models.length > 0 ? microToUsd(micro) : null,
			micro_usd: micro,
			tokens,
			responses: this.responses,
			models,
			unpriced_models: [...this.unpriced.values()].sort((a, b) => a.model.localeCompare(b.model)),
		};
	}
}

/** Rounded half up to whole micro-dollars. */
function picoToMicro(value: bigint): number {
	return Number((value + PICO_PER_MICRO / 2n) / PICO_PER_MICRO);
}

/** Micro-dollars as a number of dollars (exact to the micro-dollar in its decimal form). */
export function microToUsd(micro: number): number {
	return Number((micro / 1e6).toFixed(6));
}

export function sessionCost(sessions: Array<Pick<Session, 'manifest' | 'messages'>>, table: PriceTable): CostReport {
	const ledger = new CostLedger(table);
	for (const session of sessions) ledger.addSession(session);
	return ledger.report();
}
