/**
 * The TUI's one background thread: capture, and the slow per-session reads (tui-background.ts). One
 * worker for all of them, because each V8 heap costs memory before it does anything; capture awaits file
 * I/O between files, so a summary asked for during a capture is answered between two files. The worker
 * opens its own store and index connection (WAL lets the TUI read meanwhile).
 */
import {parentPort, workerData} from 'node:worker_threads';
import type {CaptureProgress} from './capture.js';
import type {Engine} from './open-engine.js';

export type BackgroundRequest =
	| {id: number; type: 'capture'}
	| {id: number; type: 'insight'; sessionId: string}
	| {id: number; type: 'findings'; sessionId: string}
	| {id: number; type: 'costs'; sessionIds: string[]};

export type BackgroundReply =
	| {id: number; type: 'progress'; progress: CaptureProgress}
	| {id: number; type: 'done'; value: unknown}
	| {id: number; type: 'error'; message: string; code?: string; hint?: string};

type Input = {env: NodeJS.ProcessEnv};

let opened: Engine | undefined;

async function engine(): Promise<Engine> {
	if (!opened) {
		const {openEngine} = await import('./open-engine.js');
		opened = openEngine({env: (workerData as Input).env});
	}

	return opened;
}

async function handle(request: BackgroundRequest): Promise<unknown> {
	const background = await import('./tui-background.js');
	switch (request.type) {
		case 'capture': {
			const {runCapture} = await import('./capture-run.js');
			return runCapture(await engine(), {onProgress: progress => post({id: request.id, type: 'progress', progress})});
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
	}
}

function post(reply: BackgroundReply): void {
	parentPort?.postMessage(reply);
}

if (parentPort) {
	parentPort.on('message', (request: BackgroundRequest) => {
		handle(request).then(
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
