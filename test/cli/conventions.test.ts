import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {COMMANDS} from '../../source/commands/registry.js';
import {expectOneLineError, parseJson, repoRoot, type Sandbox, sandbox, sfs, specExamples} from './run-sfs.js';

let box: Sandbox;

beforeAll(() => {
	box = sandbox();
});

afterAll(() => box.cleanup());

describe('help, version and usage errors', () => {
	test('--version and -v print the package version', async () => {
		const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version;
		for (const flag of ['--version', '-v']) {
			const run = await sfs(box, [flag]);
			expect(run).toMatchObject({exitCode: 0, stdout: `${version}\n`, stderr: ''});
		}
	});

	test('--help and -h list every command', async () => {
		for (const flag of ['--help', '-h']) {
			const run = await sfs(box, [flag]);
			expect(run.exitCode).toBe(0);
			expect(run.stderr).toBe('');
			for (const name of Object.keys(COMMANDS)) expect(run.stdout).toMatch(new RegExp(`^\\s+${name}\\s`, 'm'));
		}
	});

	test.each(Object.keys(COMMANDS))('sfs %s --help and -h print its usage on stdout and exit 0', async name => {
		for (const flag of ['--help', '-h']) {
			const run = await sfs(box, [name, flag]);
			expect(run.exitCode).toBe(0);
			expect(run.stdout).toContain('Usage');
			expect(run.stdout).toContain(`sfs ${name}`);
			expect(run.stderr).toBe('');
		}
	});

	test('sfs help and sfs help <command> print the same help as --help', async () => {
		expect((await sfs(box, ['help'])).stdout).toBe((await sfs(box, ['--help'])).stdout);
		const fork = await sfs(box, ['help', 'fork']);
		expect(fork.exitCode).toBe(0);
		expect(fork.stdout).toBe((await sfs(box, ['fork', '--help'])).stdout);
		const unknown = await sfs(box, ['help', 'nope']);
		expect(unknown.exitCode).toBe(2);
		expectOneLineError(unknown, /no help for "nope"/);
	});

	test('an unknown command is a one-line usage error, exit 2', async () => {
		const run = await sfs(box, ['frobnicate']);
		expect(run.exitCode).toBe(2);
		expect(run.stdout).toBe('');
		expectOneLineError(run, /^sfs: unknown command "frobnicate" \(.*sfs --help\)$/);
		expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
	});

	test.each([
		[['list', '--bogus']],
		[['search', 'x', '-q']],
		[['show', 'x', '--json=1', '--nope']],
		[['--frob', 'list']],
	])('an unknown flag %j is a one-line usage error, exit 2', async args => {
		const run = await sfs(box, args);
		expect(run.exitCode).toBe(2);
		expect(run.stdout).toBe('');
		expectOneLineError(run, /^sfs: unknown flag /);
		expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
	});

	test('a flag missing its value, a bad choice or a bad time are usage errors', async () => {
		for (const args of [['list', '--limit'], ['list', '--sort', 'size'], ['list', '--since', 'last tuesday'], ['search']]) {
			const run = await sfs(box, args);
			expect(run.exitCode, args.join(' ')).toBe(2);
			expectOneLineError(run, /^sfs: /);
		}
	});
});

describe('data on stdout, diagnostics on stderr', () => {
	test('an empty store lists as [] and prints nothing else', async () => {
		const run = await sfs(box, ['list', '--json']);
		expect(run).toMatchObject({exitCode: 0, stdout: '[]\n', stderr: ''});
	});

	test('import prints ids on stdout and its summary on stderr', async () => {
		const run = await sfs(box, ['import', specExamples]);
		expect(run.exitCode).toBe(0);
		expect(run.stdout.trim().split('\n').sort()).toEqual([
			'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
			'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
			'c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f',
		]);
		expect(run.stderr).toContain('imported 3 session(s)');
	});

	test('not found is exit 1 with one line and no stack; SFS_DEBUG=1 adds the stack', async () => {
		const run = await sfs(box, ['show', 'no-such-session']);
		expect(run.exitCode).toBe(1);
		expect(run.stdout).toBe('');
		expectOneLineError(run, /^sfs: no session matches "no-such-session" \(see: sfs list\)$/);
		const debug = await sfs(box, ['show', 'no-such-session'], {env: {SFS_DEBUG: '1'}});
		expect(debug.exitCode).toBe(1);
		expect(debug.stderr.split('\n')[0]).toBe('sfs: no session matches "no-such-session" (see: sfs list)');
		expect(debug.stderr).toMatch(/\n\s+at /);
	});

	test('`sfs` without a terminal prints the list and a hint on stderr', async () => {
		const run = await sfs(box, []);
		expect(run.exitCode).toBe(0);
		expect(run.stdout).toContain('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
		expect(run.stderr).toMatch(/not a terminal/);
	});

	test('NO_COLOR wins over FORCE_COLOR; FORCE_COLOR alone colours', async () => {
		const coloured = await sfs(box, ['list'], {env: {FORCE_COLOR: '1'}});
		expect(coloured.stdout).toContain('\u001B[');
		const plain = await sfs(box, ['list'], {env: {FORCE_COLOR: '1', NO_COLOR: '1'}});
		expect(plain.exitCode).toBe(0);
		expect(plain.stdout).not.toContain('\u001B[');
		expect(plain.stdout).toContain('Hello world test');
		const flagged = await sfs(box, ['list', '--no-color'], {env: {FORCE_COLOR: '1'}});
		expect(flagged.exitCode).toBe(0);
		expect(flagged.stdout).not.toContain('\u001B[');
		const piped = await sfs(box, ['list']);
		expect(piped.stdout).not.toContain('\u001B[');
	});
});

describe('shell completion and config', () => {
	test.each(['bash', 'zsh', 'fish'])('completion %s prints a script naming the commands', async shell => {
		const run = await sfs(box, ['completion', shell]);
		expect(run.exitCode).toBe(0);
		for (const name of ['list', 'search', 'checkpoint']) expect(run.stdout).toContain(name);
		expect(run.stdout).toContain('sfs list --ids');
	});

	for (const shell of ['bash', 'zsh', 'fish']) {
		const installed = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
		// Shown as skipped (not passed) on a machine without that shell.
		test.skipIf(!installed)(`the ${shell} script parses in ${shell}`, async () => {
			const file = path.join(box.root, `completion.${shell}`);
			fs.writeFileSync(file, (await sfs(box, ['completion', shell])).stdout);
			const check = await execa(shell, ['-n', file], {reject: false});
			expect(check.stderr).toBe('');
			expect(check.exitCode).toBe(0);
		});
	}

	test('completion of an unknown shell is a usage error', async () => {
		const run = await sfs(box, ['completion', 'tcsh']);
		expect(run.exitCode).toBe(2);
		expectOneLineError(run, /unknown shell/);
	});

	test('config set, get and show round-trip through config.json under SFS_HOME', async () => {
		expect((await sfs(box, ['config', 'set', 'capture.exclude', '~/secret/**,/tmp/**'])).exitCode).toBe(0);
		const get = await sfs(box, ['config', 'get', 'capture.exclude']);
		expect(get.exitCode).toBe(0);
		expect(JSON.parse(get.stdout)).toEqual(['~/secret/**', '/tmp/**']);
		const show = parseJson<{capture: {exclude: string[]}}>(await sfs(box, ['config', 'show']));
		expect(show.capture.exclude).toHaveLength(2);
		expect(fs.existsSync(path.join(box.sfsHome, 'config.json'))).toBe(true);
		const unknown = await sfs(box, ['config', 'set', 'no.such.key', '1']);
		expect(unknown.exitCode).toBe(2);
		expectOneLineError(unknown, /unknown config key: no.such.key/);
		const unset = await sfs(box, ['config', 'get', 'llm.model']);
		expect(unset.exitCode).toBe(1);
	});
});
