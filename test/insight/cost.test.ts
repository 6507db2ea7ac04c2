import {describe, expect, it} from 'vitest';
import {billableTokens, CostLedger, responsePico, sessionCost} from '../../source/engine/insight/cost.js';
import {shippedPrices} from '../../source/engine/insight/prices.js';
import type {Session} from '../../source/engine/types.js';
import {SessionBuilder} from './build.js';
import {realFixtureSession, recordedSession} from './load-sessions.js';

const table = shippedPrices();

describe('counting each API response once', () => {
	it('counts records that share an API message id once (a response split or replayed)', () => {
		const b = new SessionBuilder();
		b.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 100}, {api_message_id: 'msg_A'});
		b.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 100}, {api_message_id: 'msg_A'});
		b.usage('claude-sonnet-4-5', {input_tokens: 2000, output_tokens: 200}, {api_message_id: 'msg_B', request_id: 'req_1'});
		const report = sessionCost([b.session()], table);
		expect(report.responses).toBe(2);
		expect(report.tokens).toEqual({input: 3000, output: 300, cache_read: 0, cache_write: 0, reasoning: 0, total: 3300});
		// 3000 × $3/M + 300 × $15/M = 0.009 + 0.0045
		expect(report.micro_usd).toBe(13_500);
		expect(report.cost_usd).toBe(0.0135);
	});

	it('uses the request id, then Copilot’s apiCallId, when there is no message id', () => {
		const b = new SessionBuilder('copilot');
		b.usage('gpt-4.1', {input_tokens: 100, output_tokens: 10}, {request_id: 'req_9'});
		b.usage('gpt-4.1', {input_tokens: 100, output_tokens: 10}, {request_id: 'req_9'});
		b.usage('gpt-4.1', {input_tokens: 100, output_tokens: 10}, {usage_record: {apiCallId: 'call-1'}});
		b.usage('gpt-4.1', {input_tokens: 100, output_tokens: 10}, {usage_record: {apiCallId: 'call-1'}});
		b.usage('gpt-4.1', {input_tokens: 100, output_tokens: 10});
		b.usage('gpt-4.1', {input_tokens: 100, output_tokens: 10});
		expect(sessionCost([b.session()], table).responses).toBe(4);
	});

	it('leaves out history copied by resume and includes sub-agents once', () => {
		const parent = new SessionBuilder();
		parent.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'old', copied_from: 'ses_original'});
		parent.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'p1'});
		const child = new SessionBuilder();
		child.usage('claude-haiku-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'c1'});
		// A response the parent transcript also carries (older Claude Code wrote sidechains inline).
		child.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 0}, {api_message_id: 'p1'});
		const report = sessionCost([parent.session('ses_parent'), child.session('ses_child')], table);
		expect(report.responses).toBe(2);
		expect(report.models.map(model => [model.model, model.responses])).toEqual([['claude-haiku-4-5', 1], ['claude-sonnet-4-5', 1]]);
		// 1000 × $3/M + 1000 × $1/M
		expect(report.micro_usd).toBe(4000);
	});

	it('shares the seen set across ledgers (a period spanning a session and its resumed copy)', () => {
		const seen = new Set<string>();
		const a = new SessionBuilder();
		a.usage('gpt-4.1', {input_tokens: 100, output_tokens: 0}, {api_message_id: 'r1'});
		const first = new CostLedger(table, seen);
		first.addSession(a.session());
		const second = new CostLedger(table, seen);
		second.addSession(a.session('ses_copy'));
		expect(first.report().responses).toBe(1);
		expect(second.report().responses).toBe(0);
	});
});

describe('unpriced models', () => {
	it('reports an unknown model with its tokens, never as $0', () => {
		const b = new SessionBuilder();
		b.usage('acme-coder-9', {input_tokens: 500, output_tokens: 50, cache_read_tokens: 10});
		const report = sessionCost([b.session('ses_x', 'acme-coder-9')], table);
		expect(report.cost_usd).toBeNull();
		expect(report.unpriced_models).toEqual([{model: 'acme-coder-9', responses: 1, tokens: {input: 500, output: 50, cache_read: 10, cache_write: 0, reasoning: 0}}]);
	});

	it('prices what it can and lists the rest', () => {
		const b = new SessionBuilder();
		b.usage('gpt-4.1-mini', {input_tokens: 1_000_000, output_tokens: 0});
		b.usage('mystery-1', {input_tokens: 7, output_tokens: 3});
		const report = sessionCost([b.session()], table);
		expect(report.cost_usd).toBe(0.4);
		expect(report.unpriced_models.map(model => model.model)).toEqual(['mystery-1']);
	});

	it('has no cost when no usage was recorded', () => {
		const b = new SessionBuilder();
		b.say('hello', {model: 'claude-sonnet-4-5'});
		const report = sessionCost([b.session()], table);
		expect(report).toMatchObject({cost_usd: null, responses: 0, unpriced_models: []});
	});

	it('falls back to the session model for usage without one (Codex token_count records)', () => {
		const b = new SessionBuilder('codex');
		b.usage(undefined as unknown as string, {input_tokens: 1000, output_tokens: 0});
		expect(sessionCost([b.session('ses_c', 'gpt-5-codex')], table).models[0]).toMatchObject({model: 'gpt-5-codex', priced_as: 'gpt-5-codex'});
	});
});

describe('prices per response', () => {
	it('prices cache reads and writes at their own rates, in integer micro-dollars', () => {
		const price = table.models['claude-sonnet-4-5']!;
		const pico = responsePico({input: 10, output: 20, cache_read: 1000, cache_write: 100, reasoning: 0}, price);
		// 10×3 + 20×15 + 1000×0.3 + 100×3.75 micro-dollars per million tokens → pico-dollars
		expect(pico).toBe(30_000_000n + 300_000_000n + 300_000_000n + 375_000_000n);
	});

	it('applies the long-context band to a whole request above its threshold', () => {
		const price = table.models['claude-sonnet-4-5']!;
		const below = responsePico({input: 200_000, output: 1000, cache_read: 0, cache_write: 0, reasoning: 0}, price);
		const above = responsePico({input: 150_000, output: 1000, cache_read: 60_000, cache_write: 0, reasoning: 0}, price);
		expect(below).toBe(200_000n * 3_000_000n + 1000n * 15_000_000n);
		expect(above).toBe(150_000n * 6_000_000n + 1000n * 22_500_000n + 60_000n * 600_000n);
	});

	it('brings Gemini CLI usage to the billing convention (cached inside input, thoughts outside output)', () => {
		const b = new SessionBuilder('gemini');
		const message = b.usage('gemini-2.5-pro', {input_tokens: 900, output_tokens: 60, cache_read_tokens: 800, reasoning_tokens: 20});
		expect(billableTokens(message, 'gemini')).toEqual({input: 100, output: 80, cache_read: 800, cache_write: 0, reasoning: 20});
		expect(billableTokens(message, 'codex')).toEqual({input: 900, output: 60, cache_read: 800, cache_write: 0, reasoning: 20});
	});

	it('prints cost_usd as a number', () => {
		const b = new SessionBuilder();
		b.usage('claude-opus-4-6', {input_tokens: 3, output_tokens: 1});
		const report = sessionCost([b.session()], table);
		expect(typeof report.cost_usd).toBe('number');
		expect(report.micro_usd).toBe(40);
		expect(JSON.stringify({cost_usd: report.cost_usd})).toBe('{"cost_usd":0.00004}');
	});
});

describe('de-duplicated token counts over the recorded real sessions', () => {
	// Every recording is three model responses of 120 input and 30 output tokens (the loopback endpoint's usage).
	const expected: Record<string, {models: string[]; cost: number; reasoning: number}> = {
		'claude-code': {models: ['claude-sonnet-4-5'], cost: 0.00243, reasoning: 0},
		codex: {models: ['gpt-5-codex'], cost: 0.00135, reasoning: 20},
		gemini: {models: ['gemini-2.5-flash'], cost: 0.000383, reasoning: 20},
		copilot: {models: ['claude-sonnet-4'], cost: 0.00243, reasoning: 0},
		cline: {models: ['gpt-4o'], cost: 0.0018, reasoning: 0},
	};
	for (const [tool, want] of Object.entries(expected)) {
		it(`${tool}: three responses, each counted once`, async () => {
			const session: Session = await recordedSession(tool as never);
			const report = sessionCost([session], table);
			expect(report.responses).toBe(3);
			expect(report.tokens.input).toBe(360);
			expect(report.tokens.output).toBe(tool === 'gemini' ? 90 + want.reasoning : 90);
			expect(report.tokens.reasoning).toBe(want.reasoning);
			expect(report.models.map(model => model.model)).toEqual(want.models);
			expect(report.cost_usd).toBe(want.cost);
			expect(report.unpriced_models).toEqual([]);
		});
	}

	it('claude-code: a response written as several records (thinking, text, tool call) is one response', async () => {
		const session = await realFixtureSession('claude-code', 'real-2.1.332-failing-command');
		const withApiId = session.messages.filter(message => message.metadata?.api_message_id);
		const responses = new Set(withApiId.map(message => message.metadata!.api_message_id));
		expect(withApiId.length).toBeGreaterThan(responses.size);
		const report = sessionCost([session], table);
		expect(report.responses).toBe(responses.size);
		expect(report.tokens.input).toBe(120 * responses.size);
	});
});

describe('Codex token_count events', () => {
	it('count an event repeating the running total once (Codex re-emits it on rate-limit updates)', () => {
		const b = new SessionBuilder('codex');
		const info = (input: number) => ({total_token_usage: {input_tokens: input, output_tokens: 10}, last_token_usage: {input_tokens: 100, output_tokens: 10}});
		b.usage('gpt-5-codex', {input_tokens: 100, output_tokens: 10}, {token_count: info(100)});
		b.messages.push({msg_id: 'tc-dup', role: 'system', is_meta: true, timestamp: '2026-03-20T10:00:05.000Z', content: [{type: 'token_count', info: info(100)}], usage: {input_tokens: 100, output_tokens: 10}});
		b.usage('gpt-5-codex', {input_tokens: 100, output_tokens: 10}, {token_count: info(200)});
		const report = sessionCost([b.session('ses_codex', 'gpt-5-codex')], table);
		expect(report.responses).toBe(2);
		expect(report.tokens.input).toBe(200);
	});

	it('keeps equal running totals of two different sessions apart', () => {
		const make = (id: string) => {
			const b = new SessionBuilder('codex');
			b.usage('gpt-5-codex', {input_tokens: 100, output_tokens: 10}, {token_count: {total_token_usage: {input_tokens: 100, output_tokens: 10}}});
			return b.session(id, 'gpt-5-codex');
		};

		expect(sessionCost([make('ses_one'), make('ses_two')], table).responses).toBe(2);
	});
});
