/** Resume writers by target, loaded on demand (only the target in use is imported). */
import {SfsError} from '../engine/errors.js';
import type {ResumeTarget} from '../engine/types.js';
import type {ResumeWriter} from './writer-types.js';

const LOADERS: Partial<Record<ResumeTarget, () => Promise<ResumeWriter>>> = {
	'claude-code': async () => (await import('./claude-code-writer.js')).claudeCodeWriter,
	codex: async () => (await import('./codex-writer.js')).codexWriter,
	gemini: async () => (await import('./gemini-writer.js')).geminiWriter,
	copilot: async () => (await import('./copilot-writer.js')).copilotWriter,
};

export async function loadWriter(target: ResumeTarget): Promise<ResumeWriter> {
	const load = LOADERS[target];
	if (!load) throw new SfsError('USAGE', `${target} is not a resume target`, {hint: 'targets: claude-code, codex, gemini, copilot'});
	return load();
}
