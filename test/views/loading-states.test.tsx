/**
 * What the TUI shows while the engine is still working: the first screenful of rows before the rest,
 * costs priced for the rows on screen only ("…" meanwhile), summaries and findings loading in the
 * preview, and background capture started only once the list is there.
 */
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import type {SessionFindingsView, SessionInsight, SessionQuery, SessionRow} from '../../source/views/engine-context.js';
import {FakeEngine, makeRows} from './fake-engine.js';
import {renderApp} from './helpers.js';

afterEach(cleanup);

/** A promise with its resolve function, to hold an engine call open. */
function deferred<T>() {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>(done => {
		resolve = done;
	});
	return {promise, resolve};
}

/** Answers a limited query at once and holds the full list until `release` is called. */
class SlowListEngine extends FakeEngine {
	readonly full = deferred<void>();

	override async listSessions(query?: SessionQuery): Promise<SessionRow[]> {
		this.calls.push({method: 'listSessions', args: [query]});
		if (query?.limit !== undefined) return this.rows.slice(0, query.limit);
		await this.full.promise;
		return [...this.rows];
	}
}

const header = (frame: string) => frame.split('\n')[0] ?? '';

describe('loading states', () => {
	test('the first screenful shows before the full list; the header says the rest is loading', async () => {
		const engine = new SlowListEngine(makeRows(250), {captureState: 'idle'});
		const app = renderApp(engine, {columns: 120, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
		const limit = (engine.callsTo('listSessions')[0]!.args[0] as SessionQuery).limit!;
		expect(limit).toBeGreaterThanOrEqual(50); // two screenfuls at least
		expect(limit).toBeLessThan(250);
		expect(header(app.frame())).toContain(`${limit}+ sessions (loading…)`);
		expect(engine.callsTo('capture')).toHaveLength(0); // capture waits for the list

		engine.full.resolve();
		await vi.waitFor(() => expect(header(app.frame())).toContain('250 sessions'));
		expect(header(app.frame())).not.toContain('loading');
		app.stdin.write('G');
		await vi.waitFor(() => expect(app.frame()).toContain('session 250'));
		await vi.waitFor(() => expect(engine.callsTo('capture')).toHaveLength(1));
		const calls = engine.calls.map(call => call.method);
		expect(calls.indexOf('capture')).toBeGreaterThan(calls.lastIndexOf('listSessions'));
	});

	test('costs are asked for the rows on screen only, show "…" while priced, and follow the scroll', async () => {
		const engine = new (class extends FakeEngine {
			readonly requests: Array<{ids: string[]; answer: (costs: Record<string, number | null>) => void}> = [];
			async sessionCosts(ids: string[]) {
				const held = deferred<Record<string, number | null>>();
				this.requests.push({ids, answer: held.resolve});
				return held.promise;
			}
		})(makeRows(200));
		const app = renderApp(engine, {columns: 120, rows: 30});
		await vi.waitFor(() => expect(engine.requests).toHaveLength(1));
		const first = engine.requests[0]!;
		expect(first.ids).toContain('sess-001');
		expect(first.ids.length).toBeLessThanOrEqual(60); // the window and the next page, not 200
		expect(first.ids).not.toContain('sess-200');
		await vi.waitFor(() => expect(app.frame()).toMatch(/session 001 .*1\.1k\s+…│/));

		first.answer(Object.fromEntries(first.ids.map(id => [id, id === 'sess-002' ? null : 1.5])));
		await vi.waitFor(() => expect(app.frame()).toMatch(/session 001 .*1\.1k\s+\$1\.50│/));
		expect(app.frame()).toMatch(/session 002 .*2\.2k\s+–│/);

		app.stdin.write('G'); // rows never priced come into view: they are asked for, once
		await vi.waitFor(() => expect(engine.requests).toHaveLength(2));
		expect(engine.requests[1]!.ids).toContain('sess-200');
		expect(engine.requests[1]!.ids.some(id => first.ids.includes(id))).toBe(false);
		await vi.waitFor(() => expect(app.frame()).toMatch(/session 200 .*…│/));
		engine.requests[1]!.answer({});
		await vi.waitFor(() => expect(app.frame()).toMatch(/session 200 .*–│/));
	});

	test('the preview says the summary and findings are loading until they arrive', async () => {
		const insight = deferred<SessionInsight>();
		const findings = deferred<SessionFindingsView>();
		const engine = new (class extends FakeEngine {
			async sessionInsight() {
				return insight.promise;
			}

			async sessionFindings() {
				return findings.promise;
			}
		})(makeRows(3));
		const app = renderApp(engine, {columns: 120, rows: 30});
		await vi.waitFor(() => expect(app.frame()).toContain('summary  loading…'));
		expect(app.frame()).toContain('findings loading…');
		app.stdin.write('j'); // keys work while the load is under way
		await vi.waitFor(() => expect(app.frame()).toContain('│session 002'));
		app.stdin.write('k');
		await vi.waitFor(() => expect(app.frame()).toContain('│session 001'));
		findings.resolve({secrets: 0, personal: 0, findings: []});
		insight.resolve({
			summary: {files: [], commands: [], tests: [], packages: [], errors: [], duration_ms: 60_000, turns: 2, tokens: {input: 10, output: 5, cache_read: 0, cache_write: 0, total: 15} as SessionInsight['summary']['tokens'], cost_usd: 0.25},
			unpriced_models: [],
		});
		await vi.waitFor(() => expect(app.frame()).toContain('1m · 2 turns · tokens 15 · $0.25'));
		expect(app.frame()).toContain('findings none');
		expect(app.frame()).not.toContain('loading…');
	});
});
