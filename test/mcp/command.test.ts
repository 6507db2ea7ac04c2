/** `sfs mcp` on the command line (the built binary, in a sandboxed HOME): usage errors, output, exit codes. */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {cliPath, expectOneLineError, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

let box: Sandbox;
beforeEach(() => {
	box = sandbox();
});
afterEach(() => box.cleanup());

describe('sfs mcp', () => {
	test('usage errors exit 2 with one line', async () => {
		const cases: Array<[string[], RegExp]> = [
			[['mcp'], /missing serve, install or uninstall/],
			[['mcp', 'start'], /unknown action "start"/],
			[['mcp', 'install'], /missing --for <tool>/],
			[['mcp', 'install', '--for', 'vim'], /unknown tool "vim"/],
			[['mcp', 'install', '--for', 'codex', '--scope', 'moon'], /--scope must be one of user, project/],
			[['mcp', 'install', '--for', 'cline', '--scope', 'project'], /Cline has no project-scope MCP configuration/],
			[['mcp', 'serve', '--for', 'codex'], /takes only --no-capture/],
			[['mcp', 'install', '--for', 'codex', '--no-capture'], /--no-capture is for mcp serve/],
			[['mcp', 'install', '--for', 'codex', 'extra'], /unexpected argument "extra"/],
		];
		for (const [args, pattern] of cases) {
			const run = await sfs(box, args);
			expect(run.exitCode, args.join(' ')).toBe(2);
			expectOneLineError(run, pattern);
			expect(run.stdout).toBe('');
		}
	});

	test('--help', async () => {
		const run = await sfs(box, ['mcp', '--help']);
		expect(run.exitCode).toBe(0);
		expect(run.stdout).toContain('sfs mcp install --for <tool>');
	});

	test('install --for all, again (unchanged), then uninstall: one line per file', async () => {
		const first = await sfs(box, ['mcp', 'install', '--for', 'all']);
		expect(first.exitCode, first.stderr).toBe(0);
		const lines = first.stdout.trim().split('\n');
		// The sandbox's store is not the default one: the last line says what every entry pins.
		expect(lines).toHaveLength(9);
		for (const line of lines.slice(0, 8)) expect(line).toMatch(/^\S+\s+added\s+\//);
		expect(lines[8]).toBe(`pinned in the server's env: SFS_HOME=${box.sfsHome}`);
		const claude = JSON.parse(fs.readFileSync(path.join(box.home, '.claude', '.claude.json'), 'utf8')) as {mcpServers: {sfs: {command: string; args: string[]}}};
		expect(claude.mcpServers.sfs).toMatchObject({command: process.execPath, args: [fs.realpathSync(cliPath), 'mcp', 'serve'], env: {SFS_HOME: box.sfsHome}});
		const second = await sfs(box, ['mcp', 'install', '--for', 'all']);
		for (const line of second.stdout.trim().split('\n').slice(0, 8)) expect(line).toMatch(/^\S+\s+unchanged\s+\//);
		const removed = await sfs(box, ['mcp', 'uninstall']);
		expect(removed.exitCode).toBe(0);
		for (const line of removed.stdout.trim().split('\n')) expect(line).toMatch(/^\S+\s+removed\s+\/.*\(backup: .*\.sfs-backup-/);
	});

	test('install --json says what each entry pins; a default store pins nothing', async () => {
		const custom = await sfs(box, ['mcp', 'install', '--for', 'codex,gemini', '--json']);
		expect(custom.exitCode, custom.stderr).toBe(0);
		const changes = JSON.parse(custom.stdout) as Array<{tool: string; action: string; pinned: Record<string, string>}>;
		expect(changes.map(change => [change.tool, change.action, change.pinned])).toEqual([['codex', 'added', {SFS_HOME: box.sfsHome}], ['gemini', 'added', {SFS_HOME: box.sfsHome}]]);
		expect(fs.readFileSync(path.join(box.home, '.codex', 'config.toml'), 'utf8')).toContain(`[mcp_servers.sfs.env]\nSFS_HOME = ${JSON.stringify(box.sfsHome)}\n`);
		const {SFS_HOME: _store, ...defaults} = box.env;
		const plain = await sfs({...box, env: defaults}, ['mcp', 'install', '--for', 'codex', '--json']);
		expect(JSON.parse(plain.stdout)).toMatchObject([{tool: 'codex', action: 'repaired', pinned: {}}]);
		expect(fs.readFileSync(path.join(box.home, '.codex', 'config.toml'), 'utf8')).not.toContain('[mcp_servers.sfs.env]');
		const help = await sfs(box, ['mcp', '--help']);
		expect(help.stdout).toMatch(/pins this shell's store in the server's env/);
	});

	test('a malformed config: exit 1, the file named, left as it was', async () => {
		const file = path.join(box.home, '.cursor', 'mcp.json');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, '{"mcpServers": {"a": 1},,}');
		const run = await sfs(box, ['mcp', 'install', '--for', 'cursor,gemini']);
		expect(run.exitCode).toBe(1);
		expect(run.stderr).toMatch(new RegExp(`^sfs: cursor: ${file.replaceAll('/', '\\/').replaceAll('.', '\\.')} is not valid JSON`));
		expect(run.stdout).toMatch(/gemini\s+added/);
		expect(fs.readFileSync(file, 'utf8')).toBe('{"mcpServers": {"a": 1},,}');
	});
});
