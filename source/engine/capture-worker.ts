/**
 * Capture in a worker thread, so the TUI's event loop never waits on native files or SQLite writes.
 * The worker opens its own store and index connection (WAL lets the TUI read meanwhile) and posts
 * progress and the final report.
 */
import {parentPort, workerData} from 'node:worker_threads';
import type {CaptureProgress, CaptureReport} from './capture.js';
import type {ToolId} from './types.js';

export type CaptureWorkerMessage =
	| {type: 'progress'; progress: CaptureProgress}
	| {type: 'done'; report: CaptureReport}
	| {type: 'error'; message: string};

type Input = {env: NodeJS.ProcessEnv; tools?: ToolId[]};

async function main(): Promise<void> {
	const {env, tools} = workerData as Input;
	const {openEngine} = await import('./open-engine.js');
	const {runCapture} = await import('./capture-run.js');
	const engine = openEngine({env});
	try {
		const report = await runCapture(engine, {tools, onProgress: progress => parentPort?.postMessage({type: 'progress', progress} satisfies CaptureWorkerMessage)});
		parentPort?.postMessage({type: 'done', report} satisfies CaptureWorkerMessage);
	} finally {
		engine.close();
	}
}

if (parentPort) {
	main().catch((error: unknown) => {
		parentPort?.postMessage({type: 'error', message: error instanceof Error ? error.message : String(error)} satisfies CaptureWorkerMessage);
	});
}
