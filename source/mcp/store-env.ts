/**
 * The environment `sfs mcp install` pins in each registered server entry, so the agent's server opens
 * the installing shell's store whatever environment the agent gives it. Codex passes its MCP servers
 * only HOME, LANG, PATH, PWD, TERM, TMPDIR and USER (0.169, observed); Gemini CLI drops every variable
 * outside a short allow-list under GitHub Actions (GITHUB_SHA or SURFACE=Github; 0.61, its
 * sanitizeEnvironment). Both apply the entry's own `env` on top of that.
 *
 * Pinned: the variables that place sfs's store and config (engine/paths.ts) and the native session
 * folders its start-up capture reads (engine/capture-journal.ts DISCOVERY_ENV, less HOME, which every
 * agent passes, and Windows' APPDATA), each only when set to something other than the place it would
 * mean anyway, so a default set-up pins nothing.
 */
import path from 'node:path';
import {PLACE_ENV} from '../engine/capture-journal.js';
import {homeDir} from '../engine/paths.js';

/** The variables install owns in an entry's env: set from the installing shell, removed when it lacks them. */
export const PINNED_VARIABLES = PLACE_ENV;

export type PinnedVariable = (typeof PINNED_VARIABLES)[number];
export type PinnedEnv = Partial<Record<PinnedVariable, string>>;

/** What each variable means when unset (undefined: no default worth comparing with, so pinned whenever set). */
function defaultOf(name: PinnedVariable, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
	const home = homeDir(env);
	switch (name) {
		case 'XDG_CONFIG_HOME': {
			return path.join(home, '.config');
		}

		case 'XDG_DATA_HOME': {
			// On macOS sfs's data dir without XDG_DATA_HOME is Application Support, so any value moves the store.
			return platform === 'darwin' ? undefined : path.join(home, '.local', 'share');
		}

		case 'CLAUDE_CONFIG_DIR': {
			return path.join(home, '.claude');
		}

		case 'CODEX_HOME': {
			return path.join(home, '.codex');
		}

		case 'COPILOT_HOME': {
			return path.join(home, '.copilot');
		}

		case 'GEMINI_CLI_HOME': {
			return home;
		}

		default: {
			return undefined;
		}
	}
}

/** The variables to pin for a shell with `env`: absolute paths (the agent starts the server elsewhere), in PINNED_VARIABLES order. */
export function pinnedEnvironment(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): PinnedEnv {
	const pinned: PinnedEnv = {};
	for (const name of PINNED_VARIABLES) {
		const value = env[name];
		if (!value) continue;
		const absolute = path.resolve(value);
		const fallback = defaultOf(name, env, platform);
		if (fallback !== undefined && path.resolve(fallback) === absolute) continue;
		pinned[name] = absolute;
	}

	return pinned;
}

/**
 * An entry's env after install: the user's own variables kept, every pinned variable set, and the
 * variables install owns but this shell does not pin removed (they would point the server elsewhere).
 */
export function mergedEnvironment(current: Record<string, unknown> | undefined, pinned: PinnedEnv): Record<string, unknown> {
	const owned = new Set<string>(PINNED_VARIABLES);
	const kept = Object.fromEntries(Object.entries(current ?? {}).filter(([name]) => !owned.has(name)));
	return {...kept, ...pinned};
}
