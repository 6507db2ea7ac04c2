/** Resume writers by target, loaded on demand (only the target in use is imported). */
import {SfsError} from '../engine/errors.js';
import type {ResumeTarget} from '../engine/types.js';
import type {ResumeWriter} from './writer-types.js';

const LOADERS: Partial<Record<ResumeTarget, () => Promise<ResumeWriter>>> = {
	'claude-code': async () => (await import('./claude-code-writer.js')).claudeCodeWriter,
	copilot: async () => (await import('./copilot-writer.js')).copilotWriter,
};

export async function loadWriter(target: ResumeTarget): Promise<ResumeWriter> {
	const load = LOADERS[target];
	if (!load) throw new SfsError('NOT_AVAILABLE', `resuming into ${target} is not available yet`, {hint: 'try --in claude-code or --in copilot'});
	return load();
}
