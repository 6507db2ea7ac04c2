/**
 * `sfs mcp install` proven by the real CLIs: after installing, Claude Code's, Codex's and Gemini
 * CLI's own `mcp list` show the sfs server (Claude Code and Gemini CLI also start it and report it
 * connected); a second install changes nothing; uninstall removes it from their lists. Homes are
 * temp dirs seeded as for the offline real-CLI runs (test/support/real-clis.ts), so each config
 * file already holds the tool's own settings, which must survive.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliBinaryPath, createToolHome, ensureClis, type ToolHome} from '../support/real-clis.js';
import {cliPath} from '../cli/run-sfs.js';

const TOOLS = ['claude-code', 'codex', 'gemini', 'copilot'] as const;
type Tool = (typeof TOOLS)[number];
const homes: ToolHome[] = [];

beforeAll(async () => {
	await ensureClis([...TOOLS]);
}, 900_000);

afterAll(() => {
	for (const home of homes) fs.rmSync(home.root, {recursive: true, force: true});
});

function configFile(tool: Tool, home: ToolHome): string {
	if (tool === 'claude-code') return path.join(home.nativeRoot, '.claude.json');
	if (tool === 'codex') return path.join(home.nativeRoot, 'config.toml');
	if (tool === 'copilot') return path.join(home.nativeRoot, 'mcp-config.json');
	return path.join(home.nativeRoot, 'settings.json');
}

async function sfs(home: ToolHome, project: string, args: string[]) {
	return execa(process.execPath, [cliPath, ...args], {env: {...home.env, SFS_HOME: path.join(home.root, 'sfs')}, extendEnv: false, cwd: project, reject: false, stdin: 'ignore'});
}

async function mcpList(tool: Tool, home: ToolHome, project: string): Promise<string> {
	const run = await execa(cliBinaryPath(tool), ['mcp', 'list'], {env: home.env, extendEnv: false, cwd: project, reject: false, stdin: 'ignore', timeout: 120_000});
	if (tool !== 'copilot') return `${run.stdout}\n${run.stderr}`;
	// Copilot's list names servers only; `mcp get` shows the command, folded here into the same line for the checks.
	const get = await execa(cliBinaryPath(tool), ['mcp', 'get', 'sfs'], {env: home.env, extendEnv: false, cwd: project, reject: false, stdin: 'ignore', timeout: 120_000});
	const command = /Command: (.*)/.exec(get.stdout)?.[1];
	return `${run.stdout}\n${run.stderr}\n${command ? `sfs (from mcp get): ${command}` : ''}`;
}

describe.each(TOOLS.map(tool => [tool]))('%s', (tool: Tool) => {
	test('its own `mcp list` shows sfs after install, and not after uninstall', async () => {
		const home = await createToolHome(tool, {endpointUrl: 'http://127.0.0.1:9'});
		homes.push(home);
		const project = path.join(home.root, 'project');
		fs.mkdirSync(project);
		const file = configFile(tool, home);
		const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;

		const installed = await sfs(home, project, ['mcp', 'install', '--for', tool, '--json']);
		expect(installed.exitCode, installed.stderr).toBe(0);
		const changes = JSON.parse(installed.stdout) as Array<{action: string; file: string; backup?: string}>;
		expect(changes).toEqual([expect.objectContaining({action: 'added', file})]);
		if (before === undefined) expect(changes[0]!.backup).toBeUndefined();
		else expect(fs.readFileSync(changes[0]!.backup!, 'utf8')).toBe(before);

		// The tool's own settings are still there (checked before its CLI runs: Claude Code rewrites its state file).
		const after = fs.readFileSync(file, 'utf8');
		if (tool === 'claude-code') expect(JSON.parse(after)).toMatchObject({hasCompletedOnboarding: true, theme: 'dark'});
		if (tool === 'codex') {
			expect(after.startsWith(before!)).toBe(true);
			expect(after).toContain('[model_providers.stub]');
		}

		if (tool === 'gemini') expect(JSON.parse(after)).toMatchObject({security: {auth: {selectedType: 'gemini-api-key'}}});

		const listed = await mcpList(tool, home, project);
		expect(listed).toMatch(new RegExp(`sfs.*${process.execPath.replaceAll('/', '\\/')}.*${cliPath.replaceAll('/', '\\/').replaceAll('.', '\\.')} mcp serve`));
		if (tool === 'claude-code' || tool === 'gemini') expect(listed).toMatch(/sfs.*Connected/);
		if (tool === 'copilot') expect(listed).toMatch(/User servers:\n\s+sfs \(local\)/); // Claude Code and Gemini CLI start the server to check it.

		const current = fs.readFileSync(file, 'utf8');
		const again = await sfs(home, project, ['mcp', 'install', '--for', tool, '--json']);
		expect(JSON.parse(again.stdout)).toEqual([expect.objectContaining({action: 'unchanged'})]);
		expect(fs.readFileSync(file, 'utf8')).toBe(current);
		expect(fs.readdirSync(path.dirname(file)).filter(name => name.startsWith(`${path.basename(file)}.sfs-backup-`))).toHaveLength(before === undefined ? 0 : 1); // no backup without a change

		const removed = await sfs(home, project, ['mcp', 'uninstall', '--for', tool, '--json']);
		expect(JSON.parse(removed.stdout)).toEqual([expect.objectContaining({action: 'removed'})]);
		const afterUninstall = await mcpList(tool, home, project);
		expect(afterUninstall).not.toMatch(/sfs.*mcp serve/);
		expect(afterUninstall).not.toMatch(/^\s*sfs\b/m);
		if (tool === 'codex') expect(fs.readFileSync(file, 'utf8')).toBe(before);
	}, 300_000);
});
