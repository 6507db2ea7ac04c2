/**
 * The TUI's one background thread: capture, the slow per-session reads and a resume's conversion
 * (tui-background.ts). One worker for all of them, because each V8 heap costs memory before it does anything; capture awaits file
 * I/O between files, so a summary asked for during a capture is answered between two files. The worker
 * opens its own store and index connection (WAL lets the TUI read meanwhile). Its jobs take turns
 * (tui-worker-jobs.ts: reads one at a time, a capture after them, the garbage collected in between), so
 * the process holds one job's memory at a time, not the sum of all of them.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import {runInNewContext} from 'node:vm';
import {parentPort, workerData} from 'node:worker_threads';
import {SfsError} from './errors.js';
import type {Engine} from './open-engine.js';
import type {ResumeJob} from './tui-background.js';
import {BackgroundJobs} from './tui-worker-jobs.js';
import {ProgressThrottle, type ThrottledProgress} from './tui-worker-progress.js';

/**
 * The page cache of the worker's index connection, KiB. Its queries are capture's state rows and one
 * session's rows at a time; the default writer cache (32 MB) filled ~12 MB of the TUI's RSS during a
 * capture's full discovery at 10,000 sessions. A cold capture's bulk inserts go through capture's own
 * index worker, with its own cache.
 */
export const WORKER_INDEX_CACHE_KIB = 2000;

export type BackgroundRequest =
	| {id: number; type: 'capture'}
	| {id: number; type: 'insight'; sessionId: string}
	| {id: number; type: 'findings'; sessionId: string}
	| {id: number; type: 'costs'; sessionIds: string[]}
	| {id: number; type: 'search'; query: string; tools?: string[]; limit: number}
	/** The Resume screen's plan (converted into a throwaway folder); only the newest one asked for is made. */
	| ({id: number; type: 'resume-plan'} & ResumeJob)
	/** A resume's write into the target tool's store, before the launch. */
	| ({id: number; type: 'resume-launch'} & ResumeJob);

export type BackgroundReply =
	| {id: number; type: 'progress'; progress: ThrottledProgress}
	| {id: number; type: 'done'; value: unknown}
	| {id: number; type: 'error'; message: string; code?: string; hint?: string};

type Input = {env: NodeJS.ProcessEnv};

let opened: Engine | undefined;
/** The index file `opened` reads (device and inode): a rebuild renames a new file over the path. */
let openedFile: string | undefined;

function fileIdentity(file: string): string | undefined {
	try {
		const stat = fs.statSync(file);
		return `${stat.dev}:${stat.ino}`;
	} catch {
		return undefined;
	}
}

async function engine(): Promise<Engine> {
	const {SessionIndex} = await import('./index-db.js');
	if (!opened) {
		const {openEngine} = await import('./open-engine.js');
		// openEngine checks (and if need be repairs) the index; the worker then reads it through a connection with a small cache.
		const checked = openEngine({env: (workerData as Input).env});
		checked.index.close();
		const index = SessionIndex.open(checked.index.path, {cacheKib: WORKER_INDEX_CACHE_KIB});
		opened = {...checked, index, close: () => index.close()};
		openedFile = fileIdentity(index.path);
	} else {
		const now = fileIdentity(opened.index.path);
		if (now !== undefined && now !== openedFile) {
			// Rebuilt (sfs daemon rebuild-index, sfs index rebuild): read and write the new file from now on. A capture
			// under way keeps the engine it started with, so the old connection is left to it (freed when the worker stops).
			const index = SessionIndex.open(opened.index.path, {cacheKib: WORKER_INDEX_CACHE_KIB});
			opened = {...opened, index, close: () => index.close()};
			openedFile = now;
		}
	}

	return opened;
}

/** A full garbage collection of this worker's heap, or nothing where V8 will not expose one. */
function collector(): () => void {
	try {
		v8.setFlagsFromString('--expose-gc');
		const gc = runInNewContext('gc') as unknown;
		if (typeof gc === 'function') return gc as () => void;
	} catch {}

	return () => {};
}

const jobs = new BackgroundJobs(collector());

/**
 * The newest plan asked for. The Resume screen shows only the plan of the target the cursor is on, so a
 * plan still waiting for its turn when a newer one arrives is not made (each converts the whole session).
 */
let newestPlan = 0;

async function handle(request: BackgroundRequest): Promise<unknown> {
	// Checked when the job's turn comes (before any await), so a plan that waited behind another job and was overtaken is skipped.
	if (request.type === 'resume-plan' && request.id !== newestPlan) throw new SfsError('NOT_AVAILABLE', 'a newer resume plan was asked for');
	const background = await import('./tui-background.js');
	switch (request.type) {
		case 'capture': {
			const {runCapture} = await import('./capture-run.js');
			const progress = new ProgressThrottle(latest => {
				post({id: request.id, type: 'progress', progress: latest});
			});
			try {
				return await runCapture(await engine(), {onProgress: latest => progress.push(latest)});
			} finally {
				progress.flush();
			}
		}

		case 'insight': {
			return background.insightOf(await engine(), request.sessionId);
		}

		case 'findings': {
			return background.findingsOf(await engine(), request.sessionId);
		}

		case 'costs': {
			return background.costsOf(await engine(), request.sessionIds);
		}

		case 'search': {
			return (await engine()).index.search(request.query, {tools: request.tools, limit: request.limit});
		}

		case 'resume-plan': {
			const {loadWriter} = await import('../adapters/writers.js');
			return background.resumePlanOf(await engine(), jobOf(request), loadWriter);
		}

		case 'resume-launch': {
			const {loadWriter} = await import('../adapters/writers.js');
			return background.resumeLaunchOf(await engine(), jobOf(request), loadWriter);
		}
	}
}

function jobOf({sessionId, target, model, cwd}: ResumeJob): ResumeJob {
	return {sessionId, target, model, cwd};
}

function post(reply: BackgroundReply): void {
	parentPort?.postMessage(reply);
}

if (parentPort) {
	parentPort.on('message', (request: BackgroundRequest) => {
		if (request.type === 'resume-plan') newestPlan = request.id;
		// A search is what the user waits for: it takes no turn behind the reads (nor holds much memory).
		const running = request.type === 'search' ? handle(request) : jobs.run(request.type === 'capture' ? 'capture' : 'read', async () => handle(request));
		running.then(
			value => {
				post({id: request.id, type: 'done', value});
			},
			(error: unknown) => {
				const {code, hint} = (error ?? {}) as {code?: string; hint?: string};
				post({id: request.id, type: 'error', message: error instanceof Error ? error.message : String(error), code, hint});
			},
		);
	});
}
