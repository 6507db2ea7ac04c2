/** What `sfs mcp install` pins in a server entry's env: the installing shell's store, nothing for a default set-up. */
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {DISCOVERY_ENV} from '../../source/engine/capture-journal.js';
import {configDir, dataDir} from '../../source/engine/paths.js';
import {mergedEnvironment, PINNED_VARIABLES, pinnedEnvironment} from '../../source/mcp/store-env.js';

const HOME = '/home/ada';
const DEFAULTS = {
	HOME,
	XDG_CONFIG_HOME: `${HOME}/.config`,
	XDG_DATA_HOME: `${HOME}/.local/share`,
	CLAUDE_CONFIG_DIR: `${HOME}/.claude`,
	CODEX_HOME: `${HOME}/.codex`,
	COPILOT_HOME: `${HOME}/.copilot`,
	GEMINI_CLI_HOME: HOME,
};

describe('pinnedEnvironment', () => {
	test('a default set-up pins nothing, whether the defaults are spelled out or not', () => {
		expect(pinnedEnvironment({HOME}, 'linux')).toEqual({});
		expect(pinnedEnvironment(DEFAULTS, 'linux')).toEqual({});
		expect(pinnedEnvironment({...DEFAULTS, XDG_CONFIG_HOME: `${HOME}/.config/`, SFS_HOME: ''}, 'linux')).toEqual({});
	});

	test('a moved store or config is pinned, as absolute paths', () => {
		expect(pinnedEnvironment({HOME, SFS_HOME: '/data/sfs'}, 'linux')).toEqual({SFS_HOME: '/data/sfs'});
		expect(pinnedEnvironment({HOME, SFS_HOME: 'rel/store'}, 'linux')).toEqual({SFS_HOME: path.resolve('rel/store')});
		expect(pinnedEnvironment({...DEFAULTS, XDG_DATA_HOME: '/xdg/data', XDG_CONFIG_HOME: '/xdg/config'}, 'linux')).toEqual({XDG_DATA_HOME: '/xdg/data', XDG_CONFIG_HOME: '/xdg/config'});
	});

	test('on macOS any XDG_DATA_HOME moves the store (its default is Application Support)', () => {
		const env = {HOME, XDG_DATA_HOME: `${HOME}/.local/share`};
		expect(dataDir(env, 'darwin')).not.toBe(dataDir({HOME}, 'darwin'));
		expect(pinnedEnvironment(env, 'darwin')).toEqual({XDG_DATA_HOME: `${HOME}/.local/share`});
		expect(pinnedEnvironment({HOME, XDG_CONFIG_HOME: `${HOME}/.config`}, 'darwin')).toEqual({});
	});

	test('agents\' homes the start-up capture reads are pinned when moved', () => {
		expect(pinnedEnvironment({...DEFAULTS, CODEX_HOME: '/cx', CLAUDE_CONFIG_DIR: '/cl', GEMINI_CLI_HOME: '/g', COPILOT_HOME: '/cp', CLINE_DIR: `${HOME}/.cline`}, 'linux')).toEqual({
			CLAUDE_CONFIG_DIR: '/cl',
			CODEX_HOME: '/cx',
			COPILOT_HOME: '/cp',
			GEMINI_CLI_HOME: '/g',
			CLINE_DIR: `${HOME}/.cline`,
		});
	});

	test('every variable that places the store or config, or that discovery reads, is one install owns', () => {
		for (const name of ['SFS_HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME']) {
			const moved = {HOME, [name]: '/elsewhere'};
			expect(dataDir(moved, 'linux') !== dataDir({HOME}, 'linux') || configDir(moved) !== configDir({HOME}), name).toBe(true);
			expect(PINNED_VARIABLES, name).toContain(name);
		}

		// HOME every agent passes on; APPDATA is Windows' own.
		for (const name of DISCOVERY_ENV.filter(name => name !== 'HOME' && name !== 'APPDATA')) expect(PINNED_VARIABLES, name).toContain(name);
	});
});

test('mergedEnvironment: the user\'s variables kept, pinned ones set, owned ones this shell lacks dropped', () => {
	expect(mergedEnvironment({SFS_DEBUG: '1', SFS_HOME: '/old', CODEX_HOME: '/old-codex'}, {SFS_HOME: '/new'})).toEqual({SFS_DEBUG: '1', SFS_HOME: '/new'});
	expect(mergedEnvironment(undefined, {})).toEqual({});
});
