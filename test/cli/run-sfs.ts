/**
 * Runs the BUILT binary (`node dist/cli.js`) in a sandbox: HOME, SFS_HOME and every XDG dir point
 * into a temp dir, so nothing touches the real home. Build first (`npm run build`; `npm test` does).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');
export const specExamples = path.join(repoRoot, 'test', 'fixtures', 'sfs-spec');

export type Sandbox = {root: string; home: string; sfsHome: string; env: Record<string, string>; cleanup(): void};

export function sandbox(): Sandbox {
	if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first (npm test does)`);
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-cli-'));
	const home = path.join(root, 'home');
	const sfsHome = path.join(root, 'sfs');
	fs.mkdirSync(home);
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '/usr/bin:/bin',
		HOME: home,
		SFS_HOME: sfsHome,
		XDG_DATA_HOME: path.join(home, '.local', 'share'),
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_STATE_HOME: path.join(home, '.local', 'state'),
		XDG_CACHE_HOME: path.join(home, '.cache'),
		CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
		CODEX_HOME: path.join(home, '.codex'),
		COPILOT_HOME: path.join(home, '.copilot'),
		GEMINI_CLI_HOME: home,
	};
	return {root, home, sfsHome, env, cleanup: () => fs.rmSync(root, {recursive: true, force: true})};
}

/** A sandbox holding the spec's example sessions, imported through the CLI (throws with sfs's stderr if that fails). */
export async function sandboxWithExamples(): Promise<Sandbox> {
	const box = sandbox();
	const run = await sfs(box, ['import', specExamples]);
	if (run.exitCode !== 0) {
		box.cleanup();
		throw new Error(run.stderr);
	}

	return box;
}

export type Run = {stdout: string; stderr: string; exitCode: number};

export async function sfs(box: Sandbox, args: string[], options: {env?: Record<string, string>; input?: string; cwd?: string} = {}): Promise<Run> {
	const result = await execa(process.execPath, [cliPath, ...args], {
		env: {...box.env, ...options.env},
		extendEnv: false,
		reject: false,
		input: options.input ?? '',
		cwd: options.cwd ?? box.root,
		stripFinalNewline: false,
		timeout: 60_000,
	});
	return {stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1};
}

/** Errors are one line `sfs: <what> (<fix>)`, with no stack trace (unless SFS_DEBUG=1). */
export function expectOneLineError(run: Run, pattern: RegExp): void {
	const lines = run.stderr.trimEnd().split('\n');
	if (!pattern.test(lines[0] ?? '')) throw new Error(`stderr's first line ${JSON.stringify(lines[0])} does not match ${pattern}`);
	if (!/^sfs: /.test(lines[0] ?? '')) throw new Error(`error does not start with "sfs: ": ${lines[0]}`);
	if (/\n\s+at /.test(run.stderr)) throw new Error(`stack trace in stderr: ${run.stderr}`);
}

export function parseJson<T = unknown>(run: Run): T {
	try {
		return JSON.parse(run.stdout) as T;
	} catch {
		throw new Error(`stdout is not JSON (exit ${run.exitCode}): ${run.stdout.slice(0, 300)} / stderr: ${run.stderr.slice(0, 300)}`);
	}
}
