/** Every capture adapter, one per tool id. */
import type {ToolId} from '../engine/types.js';
import {ampAdapter} from './amp.js';
import {claudeCodeAdapter} from './claude-code.js';
import {clineAdapter} from './cline.js';
import {codexAdapter} from './codex.js';
import {copilotAdapter} from './copilot.js';
import {cursorAdapter} from './cursor.js';
import {geminiAdapter} from './gemini.js';
import {rooCodeAdapter} from './roo-code.js';
import type {Adapter} from './types.js';

export const adapters: readonly Adapter[] = [
	claudeCodeAdapter,
	codexAdapter,
	geminiAdapter,
	copilotAdapter,
	cursorAdapter,
	ampAdapter,
	clineAdapter,
	rooCodeAdapter,
];

export function adapterFor(tool: ToolId): Adapter {
	const adapter = adapters.find(candidate => candidate.id === tool);
	if (!adapter) throw new Error(`no adapter for ${tool}`);
	return adapter;
}
