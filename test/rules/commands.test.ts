/** `sfs rules` and `sfs project` run as a user runs them (the source CLI through tsx), in temp git repos. */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test, vi} from 'vitest';
import {tempRepo} from './helpers.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
const cli = path.join(repoRoot, 'source', 'cli.tsx');
let home: string;
// Each run starts the source CLI through tsx (about a second on two cores).
vi.setConfig({testTimeout: 120_000});

beforeAll(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-rules-cmd-'));
});

afterAll(() => fs.rmSync(home, {recursive: true, force: true}));

async function sfs(cwd: string, args: string[], input = '') {
	const result = await execa(process.execPath, ['--import', tsx, cli, ...args], {
		cwd,
		input,
		reject: false,
		stripFinalNewline: false,
		extendEnv: false,
		env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, SFS_HOME: path.join(home, 'sfs'), XDG_CONFIG_HOME: path.join(home, '.config'), EDITOR: 'true', NO_COLOR: '1'},
	});
	return {stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1};
}

describe('sfs rules', () => {
	test('init, compile --check both ways, show --json, unmanaged files and --force', async () => {
		const repo = tempRepo({'CLAUDE.md': '# Team rules\n\nUse tabs.\n', 'GEMINI.md': 'my own gemini notes\n'});
		try {
			// No terminal and no --tools: refused with the fix, nothing written.
			const asked = await sfs(repo.root, ['rules', 'init']);
			expect(asked.exitCode).toBe(2);
			expect(asked.stderr).toMatch(/^sfs: rules init: which tools\?.*--tools/m);
			expect(repo.exists('.sfs')).toBe(false);
			const noYes = await sfs(repo.root, ['rules', 'init', '--tools', 'claude-code,codex']);
			expect(noYes.exitCode).toBe(2);
			expect(noYes.stderr).toContain('pass --yes');

			const init = await sfs(repo.root, ['rules', 'init', '--tools', 'claude-code,codex', '--yes']);
			expect(init.exitCode, init.stderr).toBe(0);
			expect(init.stdout.split('\n').filter(Boolean).sort()).toEqual(['AGENTS.md', 'CLAUDE.md']);
			expect(repo.read('CLAUDE.md.bak')).toBe('# Team rules\n\nUse tabs.\n');
			expect(repo.read('AGENTS.md')).toContain('Use tabs.');

			const clean = await sfs(repo.root, ['rules', 'compile', '--check']);
			expect(clean.exitCode).toBe(0);

			repo.write('.sfs/rules/02-more.md', 'One more rule.\n');
			const stale = await sfs(repo.root, ['rules', 'compile', '--check']);
			expect(stale.exitCode).toBe(1);
			expect(stale.stderr).toContain('AGENTS.md is stale');
			expect(repo.read('AGENTS.md')).not.toContain('One more rule.');

			const shown = await sfs(repo.root, ['rules', 'show', '--json']);
			const json = JSON.parse(shown.stdout) as {tools: string[]; targets: Array<{file: string; state: string; diff: string}>; check: {exitCode: number}};
			expect(json.tools).toEqual(['claude-code', 'codex']);
			expect(json.targets.map(target => [target.file, target.state])).toEqual([['AGENTS.md', 'stale'], ['CLAUDE.md', 'ok']]);
			expect(json.targets[0]!.diff).toContain('+One more rule.');
			expect(json.check.exitCode).toBe(1);

			const compiled = await sfs(repo.root, ['rules', 'compile']);
			expect(compiled.exitCode).toBe(0);
			expect(compiled.stdout).toBe('AGENTS.md\n');
			expect((await sfs(repo.root, ['rules', 'compile', '--check'])).exitCode).toBe(0);

			// Gemini added as a target: the user's own GEMINI.md is a warning, not staleness; --force takes it over.
			repo.write('.sfs/rules/config.json', '{"version": 1, "tools": ["claude-code", "codex", "gemini"]}\n');
			const unmanaged = await sfs(repo.root, ['rules', 'compile', '--check']);
			expect(unmanaged.exitCode).toBe(0);
			expect(unmanaged.stderr).toMatch(/warning: GEMINI\.md is your own file/);
			const dry = await sfs(repo.root, ['rules', 'compile', '--dry-run', '--force']);
			expect(dry.stdout).toBe('GEMINI.md\n');
			expect(repo.read('GEMINI.md')).toBe('my own gemini notes\n');
			const forced = await sfs(repo.root, ['rules', 'compile', '--force']);
			expect(forced.exitCode).toBe(0);
			expect(repo.read('GEMINI.md.bak')).toBe('my own gemini notes\n');
			expect(repo.read('GEMINI.md')).toContain('@./AGENTS.md');

			expect((await sfs(repo.root, ['rules', 'edit'])).exitCode).toBe(0); // EDITOR=true
			const bad = await sfs(repo.root, ['rules', 'show', '--check']);
			expect(bad.exitCode).toBe(2);
			expect(bad.stderr).toContain('--check does not apply to "rules show"');
		} finally {
			repo.cleanup();
		}
	});

	test('without rules: compile is an error, --check passes with a warning', async () => {
		const repo = tempRepo();
		try {
			const compile = await sfs(repo.root, ['rules', 'compile']);
			expect(compile.exitCode).toBe(1);
			expect(compile.stderr).toMatch(/^sfs: no canonical rules in .* \(set them up: sfs rules init\)$/m);
			const check = await sfs(repo.root, ['rules', 'compile', '--check']);
			expect(check.exitCode).toBe(0);
			expect(check.stderr).toContain('nothing to check');
		} finally {
			repo.cleanup();
		}
	});
});

describe('sfs project', () => {
	test('one document per repository, shared by clones of the same remote', async () => {
		const first = tempRepo();
		const clone = tempRepo();
		const local = tempRepo();
		try {
			execFileSync('git', ['remote', 'add', 'origin', 'git@GitHub.com:acme/widgets.git'], {cwd: first.root});
			execFileSync('git', ['remote', 'add', 'origin', 'https://github.com/acme/widgets'], {cwd: clone.root});
			const missing = await sfs(first.root, ['project', 'get-context']);
			expect(missing.exitCode).toBe(1);
			expect(missing.stderr).toMatch(/no context for remote:github\.com\/acme\/widgets/);

			first.write('ctx.md', '# Widgets\n\nShip on Fridays.');
			expect((await sfs(first.root, ['project', 'set-context', 'ctx.md'])).exitCode).toBe(0);
			const fromClone = await sfs(path.join(clone.root), ['project', 'get-context']);
			expect(fromClone).toMatchObject({exitCode: 0, stdout: '# Widgets\n\nShip on Fridays.\n'});

			const piped = await sfs(clone.root, ['project', 'set-context', '-'], 'From stdin.\n');
			expect(piped.exitCode).toBe(0);
			expect((await sfs(first.root, ['project', 'get-context'])).stdout).toBe('From stdin.\n');

			// No remote: keyed by the root path; init writes a template once.
			fs.mkdirSync(path.join(local.root, 'sub'));
			const init = await sfs(path.join(local.root, 'sub'), ['project', 'init']);
			expect(init.exitCode).toBe(0);
			const shown = JSON.parse((await sfs(local.root, ['project', 'show', '--json'])).stdout) as {key: string; root: string; text: string; path: string};
			expect(shown.key).toBe(`path:${local.root}`);
			expect(shown.text).toContain(`# ${path.basename(local.root)}`);
			expect(shown.path.startsWith(path.join(home, 'sfs', 'projects'))).toBe(true);
			expect((await sfs(local.root, ['project', 'init'])).stderr).toContain('already has a context');
			expect((await sfs(local.root, ['project', 'frob'])).exitCode).toBe(2);
		} finally {
			first.cleanup();
			clone.cleanup();
			local.cleanup();
		}
	});
});
