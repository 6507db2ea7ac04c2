/**
 * Independent review of issue 3 (capture), through the built binary (`npm run build` first).
 * Root reads chmod 000 files, so as root the permission test runs sfs under `setpriv` with CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH dropped: then permission bits apply to it as to any user.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {cliPath, parseJson, repoRoot, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

type Report = {new: number; updated: number; unchanged: number; skipped: Array<{path: string; reason: string}>; warnings?: string[]; unknown_records: object; duration_ms: number};
type Row = {session_id: string; tool: string; is_headless?: boolean; is_subagent?: boolean; cwd: string | null};

const recorded = (tool: string) => path.join(repoRoot, 'test/fixtures/recorded', tool);
let box: Sandbox;
beforeEach(() => {
	box = sandbox();
});
afterEach(() => box.cleanup());

async function capture(env: Record<string, string> = {}): Promise<Report> {
	const run = await sfs(box, ['capture', '--json'], {env});
	expect(run.exitCode, run.stderr).toBe(0);
	expect(run.stderr).not.toMatch(/\n\s+at /);
	return parseJson<Report>(run);
}

async function listed(args: string[] = []): Promise<Row[]> {
	return parseJson<Row[]>(await sfs(box, ['list', '--json', ...args]));
}

describe('issue 3: bad native input is skipped with a one-line reason, exit 0', () => {
	test('a 50 MB line, binary garbage, an empty file and a truncated line next to a good session', async () => {
		const projects = path.join(box.home, '.claude', 'projects');
		fs.cpSync(recorded('claude-code'), path.join(box.home, '.claude'), {recursive: true});
		const bad = path.join(projects, '-tmp-bad');
		fs.mkdirSync(bad, {recursive: true});
		const huge = `{"type":"user","uuid":"u1","sessionId":"11111111-1111-4111-8111-111111111111","message":{"role":"user","content":"${'x'.repeat(50 * 1024 * 1024)}"}}\n`;
		fs.writeFileSync(path.join(bad, '11111111-1111-4111-8111-111111111111.jsonl'), huge);
		fs.writeFileSync(path.join(bad, '22222222-2222-4222-8222-222222222222.jsonl'), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x80, 0x81, 10]));
		fs.writeFileSync(path.join(bad, '33333333-3333-4333-8333-333333333333.jsonl'), '');
		fs.writeFileSync(path.join(bad, '44444444-4444-4444-8444-444444444444.jsonl'), '{"type":"user","uuid":"t1", trunc\n');
		const report = await capture();
		const rows = await listed();
		const byNative = new Map(rows.map(row => [(row as Row & {native_id: string}).native_id, row as Row & {message_count: number}]));
		expect(byNative.get('9f121064-c084-43cf-be07-06274ab42054')?.message_count).toBeGreaterThan(0); // the good session
		expect(byNative.get('11111111-1111-4111-8111-111111111111')?.message_count).toBe(1); // the 50 MB line is read whole (limit: 64 MB a line)
		for (const id of ['22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333']) expect(byNative.get(id)?.message_count ?? 0).toBe(0);
		const reasons = [...report.skipped.map(item => `${item.path}: ${item.reason}`), ...(report.warnings ?? [])];
		for (const reason of reasons) expect(reason).not.toContain('\n');
		expect(reasons.filter(reason => reason.includes('22222222-2222-4222-8222-222222222222')).length).toBeGreaterThan(0); // garbage: counted, by name
		expect(reasons.some(reason => reason.includes('44444444-4444-4444-8444-444444444444'))).toBe(true); // truncated line
		const hits = parseJson<Array<{session_id: string}>>(await sfs(box, ['search', 'sfs-fixture-turn-1', '--json']));
		expect(hits.length).toBeGreaterThan(0);
	}, 120_000);
});

describe('issue 3: capture.exclude', () => {
	test('a project matching a configured glob is not captured; removing the glob lets it in', async () => {
		fs.cpSync(recorded('claude-code'), path.join(box.home, '.claude'), {recursive: true});
		fs.cpSync(recorded('codex'), path.join(box.home, '.codex'), {recursive: true});
		expect((await sfs(box, ['config', 'set', 'capture.exclude', '/tmp/sfs-record-claude-code/**'])).exitCode).toBe(0);
		await capture();
		expect((await listed()).map(row => row.tool)).toEqual(['codex']);
		expect((await sfs(box, ['config', 'set', 'capture.exclude', '/elsewhere/**'])).exitCode).toBe(0);
		await capture();
		expect((await listed()).map(row => row.tool).sort()).toEqual(['claude-code', 'codex']);
	});
});

describe('issue 3: sfs watcher list|enable|disable', () => {
	test('a disabled tool is not scanned; enabling it again captures it', async () => {
		fs.cpSync(recorded('claude-code'), path.join(box.home, '.claude'), {recursive: true});
		fs.cpSync(recorded('codex'), path.join(box.home, '.codex'), {recursive: true});
		const before = await sfs(box, ['watcher', 'list', '--json']);
		expect(before.exitCode, before.stderr).toBe(0);
		const tools = JSON.stringify(parseJson(before));
		for (const tool of ['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp', 'cline', 'roo-code']) expect(tools).toContain(tool);
		expect((await sfs(box, ['watcher', 'disable', 'codex'])).exitCode).toBe(0);
		expect(JSON.stringify(parseJson(await sfs(box, ['watcher', 'list', '--json'])))).toMatch(/codex/);
		await capture();
		expect((await listed()).map(row => row.tool)).toEqual(['claude-code']);
		expect((await sfs(box, ['watcher', 'enable', 'codex'])).exitCode).toBe(0);
		await capture();
		expect((await listed()).map(row => row.tool).sort()).toEqual(['claude-code', 'codex']);
		expect((await sfs(box, ['watcher', 'disable', 'no-such-tool'])).exitCode).not.toBe(0);
	});
});

describe('issue 3: headless runs', () => {
	test('marked and shown by default; `sfs list --no-headless` hides them', async () => {
		fs.cpSync(recorded('claude-code'), path.join(box.home, '.claude'), {recursive: true});
		fs.cpSync(recorded('codex'), path.join(box.home, '.codex'), {recursive: true});
		await capture();
		const all = await listed();
		expect(all).toHaveLength(2);
		const headless = all.filter(row => row.is_headless);
		expect(headless.length).toBeGreaterThan(0); // recorded with `claude -p` / `codex exec`
		const interactive = await listed(['--no-headless']);
		expect(interactive.length).toBe(all.length - headless.length);
		for (const row of interactive) expect(row.is_headless).toBe(false);
		const text = await sfs(box, ['list'], {env: {NO_COLOR: '1'}});
		expect(text.stdout).toContain('(headless)');
	});
});

describe('issue 3: every path honours HOME and each tool variable', () => {
	test('CLAUDE_CONFIG_DIR, CODEX_HOME, COPILOT_HOME, GEMINI_CLI_HOME and XDG_CONFIG_HOME (VS Code family) point capture elsewhere', async () => {
		const alt = path.join(box.root, 'alt');
		fs.cpSync(recorded('claude-code'), path.join(alt, 'claude'), {recursive: true});
		fs.cpSync(recorded('codex'), path.join(alt, 'codex'), {recursive: true});
		fs.cpSync(recorded('copilot'), path.join(alt, 'copilot'), {recursive: true});
		fs.cpSync(recorded('gemini'), path.join(alt, 'gemhome', '.gemini'), {recursive: true});
		fs.cpSync(path.join(repoRoot, 'test/fixtures/roo-code/extension-layout'), path.join(alt, 'xdg', 'Code', 'User', 'globalStorage', 'rooveterinaryinc.roo-cline'), {recursive: true});
		// Decoys at the default places must not be read when the variables point elsewhere.
		fs.cpSync(recorded('claude-code'), path.join(box.home, 'decoy-not-used'), {recursive: true});
		const env = {
			CLAUDE_CONFIG_DIR: path.join(alt, 'claude'),
			CODEX_HOME: path.join(alt, 'codex'),
			COPILOT_HOME: path.join(alt, 'copilot'),
			GEMINI_CLI_HOME: path.join(alt, 'gemhome'),
			XDG_CONFIG_HOME: path.join(alt, 'xdg'),
		};
		const report = await capture(env);
		expect(report.skipped).toEqual([]);
		const tools = new Set((await parseJson<Row[]>(await sfs(box, ['list', '--json'], {env}))).map(row => row.tool));
		expect([...tools].sort()).toEqual(['claude-code', 'codex', 'copilot', 'gemini', 'roo-code']);
	});

	test('with the tool variables unset, HOME alone decides (~/.claude, ~/.codex, ~/.copilot, ~/.gemini, ~/.config)', async () => {
		for (const key of ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'COPILOT_HOME', 'GEMINI_CLI_HOME', 'XDG_CONFIG_HOME']) delete box.env[key];
		fs.cpSync(recorded('claude-code'), path.join(box.home, '.claude'), {recursive: true});
		fs.cpSync(recorded('codex'), path.join(box.home, '.codex'), {recursive: true});
		fs.cpSync(recorded('copilot'), path.join(box.home, '.copilot'), {recursive: true});
		fs.cpSync(recorded('gemini'), path.join(box.home, '.gemini'), {recursive: true});
		fs.cpSync(path.join(repoRoot, 'test/fixtures/roo-code/extension-layout'), path.join(box.home, '.config', 'Code', 'User', 'globalStorage', 'rooveterinaryinc.roo-cline'), {recursive: true});
		await capture();
		expect([...new Set((await listed()).map(row => row.tool))].sort()).toEqual(['claude-code', 'codex', 'copilot', 'gemini', 'roo-code']);
	});
});

const isRoot = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find(file => fs.existsSync(file));

describe('issue 3: unreadable permissions', () => {
	test.runIf(!isRoot || setpriv)('a chmod 000 file and a chmod 000 project folder are skipped with one line each; the good session is kept, exit 0', async () => {
		fs.cpSync(recorded('claude-code'), path.join(box.home, '.claude'), {recursive: true});
		const projects = path.join(box.home, '.claude', 'projects');
		const good = fs.readdirSync(projects, {recursive: true}).map(String).find(name => name.endsWith('.jsonl'))!;
		const lockedFile = path.join(projects, '-tmp-locked-file', '66666666-6666-4666-8666-666666666666.jsonl');
		const lockedDir = path.join(projects, '-tmp-locked-dir');
		fs.mkdirSync(path.dirname(lockedFile), {recursive: true});
		fs.mkdirSync(lockedDir);
		fs.copyFileSync(path.join(projects, good), lockedFile);
		fs.copyFileSync(path.join(projects, good), path.join(lockedDir, '77777777-7777-4777-8777-777777777777.jsonl'));
		fs.chmodSync(lockedFile, 0o000);
		fs.chmodSync(lockedDir, 0o000);
		try {
			const command = isRoot ? [setpriv!, '--bounding-set', '-dac_override,-dac_read_search', process.execPath] : [process.execPath];
			const run = await execa(command[0]!, [...command.slice(1), cliPath, 'capture', '--json'], {env: box.env, extendEnv: false, reject: false, timeout: 60_000});
			expect(run.exitCode, String(run.stderr)).toBe(0);
			expect(String(run.stderr)).not.toMatch(/\n\s+at /);
			const report = JSON.parse(String(run.stdout)) as Report;
			const reasons = [...report.skipped.map(item => `${item.path}: ${item.reason}`), ...(report.warnings ?? [])];
			for (const reason of reasons) expect(reason).not.toContain('\n');
			expect(reasons.some(reason => reason.includes(lockedFile) && /EACCES|permission/i.test(reason))).toBe(true);
			expect(reasons.some(reason => reason.includes('-tmp-locked-dir') && /EACCES|permission/i.test(reason))).toBe(true);
			expect(report.new).toBe(1);
		} finally {
			fs.chmodSync(lockedDir, 0o700);
			fs.chmodSync(lockedFile, 0o600);
		}
	});
});
