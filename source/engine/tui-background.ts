/**
 * The TUI's slow per-session work (summary, DLP findings, costs, and a resume's plan and write), as plain
 * functions over an engine. On a 7,000-message session the reads take 0.1–1 s each (read 0.1 s, summary
 * 0.4 s, DLP scan 1 s) and a resume converts the whole session (~1.5 s at 20,000 messages), so the TUI
 * runs them in its background worker (tui-worker.ts); tests and `captureInWorker: false` call them
 * in-process. Costs yield between batches there, so a long id list never holds the event loop long.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {LaunchSpec, ResumePlan, SessionFindingsView, SessionInsight} from '../views/engine-context.js';
import type {Engine} from './open-engine.js';
import type {WriterLoader} from './resume.js';
import type {ResumeTarget} from './types.js';

/** A resume as the TUI's Resume screen asks for it; `cwd` is the folder given instead of the session's own (as `--cwd`). */
export type ResumeJob = {sessionId: string; target: ResumeTarget; model?: string; cwd?: string};

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

/**
 * The Resume screen's plan: the fidelity report and the command line. The report needs the conversion,
 * so the session is written into a throwaway folder (nothing reaches the tool's store) that is removed after.
 */
export async function resumePlanOf(engine: Engine, job: ResumeJob, loadWriter: WriterLoader): Promise<ResumePlan> {
	const {planResume} = await import('./resume.js');
	const {plainAdapterContext} = await import('./capture-run.js');
	const scratch = fs.mkdtempSync(path.join(engine.store.dataRoot, '.resume-plan-'));
	try {
		const plan = await planResume(engine, job.sessionId, {target: job.target, model: job.model, cwd: job.cwd, outDir: scratch}, loadWriter, plainAdapterContext(engine.env));
		const writer = await loadWriter(job.target);
		return {report: plan.report, command: writer.resumeCommand('<new id>', {model: job.model}), cwd: plan.cwd, warnings: plan.warnings};
	} finally {
		fs.rmSync(scratch, {recursive: true, force: true});
	}
}

/** Writes the native session into the target tool's store (after checking the tool is on PATH) and returns what to launch. */
export async function resumeLaunchOf(engine: Engine, job: ResumeJob, loadWriter: WriterLoader): Promise<LaunchSpec> {
	const {assertLaunchable, planResume} = await import('./resume.js');
	const {plainAdapterContext} = await import('./capture-run.js');
	await assertLaunchable(job.target, loadWriter, {}, engine.env);
	const plan = await planResume(engine, job.sessionId, {target: job.target, model: job.model, cwd: job.cwd}, loadWriter, plainAdapterContext(engine.env));
	return {command: plan.command[0]!, args: plan.command.slice(1), cwd: plan.cwd};
}
