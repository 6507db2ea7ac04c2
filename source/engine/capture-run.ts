/**
 * Capture with everything loaded from the machine: the adapters, the user's config. Shared by
 * `sfs capture`, the TUI's background capture and the daemon.
 */
import type {Adapter, AdapterContext} from '../adapters/types.js';
import {capture, type CaptureProgress, type CaptureReport} from './capture.js';
import {loadConfig} from './config.js';
import type {Engine} from './open-engine.js';
import {homeDir} from './paths.js';
import type {ToolId} from './types.js';

export type RunCaptureOptions = {
	tools?: ToolId[];
	onProgress?: (progress: CaptureProgress) => void;
	only?: Parameters<typeof capture>[0]['only'];
	natives?: Parameters<typeof capture>[0]['natives'];
};

export async function loadAdapters(): Promise<Adapter[]> {
	const {adapters} = await import('../adapters/registry.js');
	return [...adapters];
}

export async function runCapture(engine: Engine, options: RunCaptureOptions = {}): Promise<CaptureReport> {
	return capture({
		env: engine.env,
		store: engine.store,
		index: engine.index,
		adapters: await loadAdapters(),
		config: loadConfig(engine.env),
		tools: options.tools,
		only: options.only,
		natives: options.natives,
		onProgress: options.onProgress,
	});
}

/** A context for calling adapters outside a capture (watcher list, doctor, import --from). */
export function plainAdapterContext(env: NodeJS.ProcessEnv): AdapterContext {
	const cache = new Map<string, unknown>();
	return {
		env,
		home: homeDir(env),
		platform: process.platform,
		now: () => new Date(),
		cache: {get: key => cache.get(key), set: (key, value) => cache.set(key, value)},
	};
}
