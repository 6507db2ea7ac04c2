/**
 * `sfs --demo`: a throwaway HOME holding the bundled sample sessions (recorded from the real CLIs)
 * and a throwaway data dir, so a newcomer sees sfs working at once without touching their own data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {SfsError} from './errors.js';

/** `data/` sits two levels above this file both in `source/engine/` and in `dist/engine/`. */
const demoHome = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'demo', 'home');

export type DemoEnv = {env: NodeJS.ProcessEnv; cleanup(): void};

export function prepareDemoEnv(base: NodeJS.ProcessEnv = process.env): DemoEnv {
	if (!fs.existsSync(demoHome)) throw new SfsError('NOT_FOUND', 'the demo sessions are missing from this install', {hint: 'reinstall sfs'});
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-demo-'));
	const home = path.join(root, 'home');
	fs.cpSync(demoHome, home, {recursive: true});
	const env: NodeJS.ProcessEnv = {...base, HOME: home, SFS_HOME: path.join(root, 'sfs')};
	// The tools' own variables would point capture back at the user's real stores.
	for (const name of ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'COPILOT_HOME', 'GEMINI_CLI_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'CLINE_DIR']) delete env[name];
	return {env, cleanup: () => fs.rmSync(root, {recursive: true, force: true})};
}
