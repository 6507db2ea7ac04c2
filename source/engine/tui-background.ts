/**
 * The TUI's slow per-session reads (summary, DLP findings, costs), as plain functions over an engine.
 * On a 7,000-message session they take 0.1–1 s each (read 0.1 s, summary 0.4 s, DLP scan 1 s), so the
 * TUI runs them in its background worker (tui-worker.ts); tests and `captureInWorker: false` call them
 * in-process. Costs yield between batches there, so a long id list never holds the event loop long.
 */
import type {SessionFindingsView, SessionInsight} from '../views/engine-context.js';
import type {Engine} from './open-engine.js';

/** Sessions priced per step of `costsOf` before it yields to the event loop. */
const COST_BATCH = 100;

export async function insightOf(engine: Engine, sessionId: string): Promise<SessionInsight> {
	const {summarizeSession} = await import('./insight/session-insight.js');
	const {readNarrative} = await import('./insight/session-meta.js');
	const session = engine.store.readSession(sessionId);
	const {summary, cost} = summarizeSession(engine, session);
	let narrative = null;
	try {
		narrative = readNarrative(engine.store, sessionId)?.narrative ?? null;
	} catch {}

	return {summary, unpriced_models: cost.unpriced_models.map(model => model.model), narrative};
}

export async function findingsOf(engine: Engine, sessionId: string): Promise<SessionFindingsView> {
	const {sessionFindings} = await import('./dlp/findings-db.js');
	const found = sessionFindings(engine, sessionId);
	return {secrets: found.secrets, personal: found.personal, findings: found.findings};
}

/** Cost per session id (null = unpriced or unknown). */
export async function costsOf(engine: Engine, sessionIds: string[]): Promise<Record<string, number | null>> {
	const {costsForRows} = await import('./insight/cost-cache.js');
	const {configuredPrices} = await import('./insight/session-insight.js');
	const rows = sessionIds.map(id => engine.index.getSession(id)).filter(row => row !== undefined);
	const table = configuredPrices(engine.env);
	const out: Record<string, number | null> = {};
	for (let start = 0; start < rows.length; start += COST_BATCH) {
		if (start > 0) await new Promise(resolve => setImmediate(resolve));
		for (const [id, cost] of costsForRows(engine, rows.slice(start, start + COST_BATCH), table)) out[id] = cost.cost_usd;
	}

	for (const id of sessionIds) out[id] ??= null;
	return out;
}
