import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {openEngine} from '../../source/engine/open-engine.js';
import {sessionsDir} from '../../source/engine/paths.js';

// The TUI opens the engine with sweepOrphanTemps: false (its capture worker sweeps instead).
describe('openEngine sweepOrphanTemps', () => {
	let root: string;
	let env: Record<string, string>;
	beforeEach(() => {
		root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-open-sweep-'));
		env = {HOME: root, SFS_HOME: path.join(root, 'sfs'), XDG_DATA_HOME: path.join(root, 'data'), XDG_CONFIG_HOME: path.join(root, 'config'), XDG_CACHE_HOME: path.join(root, 'cache'), XDG_STATE_HOME: path.join(root, 'state')};
	});
	afterEach(() => fs.rmSync(root, {recursive: true, force: true}));

	const orphan = (): string => {
		const dir = sessionsDir(env);
		fs.mkdirSync(dir, {recursive: true});
		const file = path.join(dir, '.ses_x.tmp-999999999-abcd');
		fs.writeFileSync(file, 'partial');
		return file;
	};

	it('sweeps orphan temp files by default', () => {
		const file = orphan();
		const engine = openEngine({env});
		engine.close();
		expect(fs.existsSync(file)).toBe(false);
	});

	it('leaves them (and still creates the store) when told not to sweep', () => {
		const file = orphan();
		const engine = openEngine({env, sweepOrphanTemps: false});
		engine.close();
		expect(fs.existsSync(file)).toBe(true);
		expect(fs.statSync(sessionsDir(env)).isDirectory()).toBe(true);
	});

	it('creates the sessions dir on a fresh home without sweeping', () => {
		const engine = openEngine({env, sweepOrphanTemps: false});
		engine.close();
		expect(fs.statSync(sessionsDir(env)).isDirectory()).toBe(true);
	});
});
