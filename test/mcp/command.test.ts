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
		expect(lines).toHaveLength(8);
		for (const line of lines) expect(line).toMatch(/^\S+\s+added\s+\//);
		const claude = JSON.parse(fs.readFileSync(path.join(box.home, '.claude', '.claude.json'), 'utf8')) as {mcpServers: {sfs: {command: string; args: string[]}}};
		expect(claude.mcpServers.sfs).toMatchObject({command: process.execPath, args: [fs.realpathSync(cliPath), 'mcp', 'serve']});
		const second = await sfs(box, ['mcp', 'install', '--for', 'all']);
		for (const line of second.stdout.trim().split('\n')) expect(line).toMatch(/^\S+\s+unchanged\s+\//);
		const removed = await sfs(box, ['mcp', 'uninstall']);
		expect(removed.exitCode).toBe(0);
		for (const line of removed.stdout.trim().split('\n')) expect(line).toMatch(/^\S+\s+removed\s+\/.*\(backup: .*\.sfs-backup-/);
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
