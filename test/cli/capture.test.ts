import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeEach, expect, test} from 'vitest';

const cli = path.resolve('dist/cli.js');
let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-cli-capture-'));
	env = {PATH: process.env.PATH, HOME: path.join(root, 'home'), SFS_HOME: path.join(root, 'sfs'), NO_COLOR: '1'};
});

afterEach(() => fs.rmSync(root, {recursive: true, force: true}));

const sfs = async (...args: string[]) => execa(process.execPath, [cli, ...args], {env, extendEnv: false, reject: false});

function installRecorded(tool: string, into: string) {
	fs.cpSync(path.join('test/fixtures/recorded', tool), path.join(env.HOME!, into), {recursive: true});
}

test('capture of real recorded sessions: searchable at once, and a second scan parses nothing', async () => {
	installRecorded('claude-code', '.claude');
	installRecorded('codex', '.codex');
	installRecorded('gemini', '.gemini');
	installRecorded('copilot', '.copilot');
	fs.cpSync('test/fixtures/recorded/cline/sessions', path.join(env.HOME!, '.cline', 'data', 'sessions'), {recursive: true});
	const first = await sfs('capture', '--json');
	expect(first.exitCode, first.stderr).toBe(0);
	const report = JSON.parse(first.stdout) as {new: number; updated: number; unchanged: number; skipped: unknown[]; unknown_records: object; duration_ms: number; records_parsed: number};
	expect(report).toMatchObject({new: 5, updated: 0, unchanged: 0, skipped: []});
	expect(report.records_parsed).toBeGreaterThan(0);
	const listed = JSON.parse((await sfs('list', '--json')).stdout) as Array<{tool: string}>;
	expect(listed.map(row => row.tool).sort()).toEqual(['claude-code', 'cline', 'codex', 'copilot', 'gemini']);
	const hits = JSON.parse((await sfs('search', 'sfs-fixture-turn-1', '--json')).stdout) as Array<{session_id: string}>;
	expect(new Set(hits.map(hit => hit.session_id)).size).toBe(5);

	const second = JSON.parse((await sfs('capture', '--json')).stdout) as typeof report;
	expect(second).toMatchObject({new: 0, updated: 0, unchanged: 5, records_parsed: 0});
});

test('a damaged native file keeps its good lines, exits 0, and says what was skipped in one line', async () => {
	installRecorded('claude-code', '.claude');
	const project = path.join(env.HOME!, '.claude', 'projects');
	const file = fs.readdirSync(project, {recursive: true, withFileTypes: true}).find(entry => entry.isFile() && entry.name.endsWith('.jsonl'))!;
	const full = path.join(file.parentPath, file.name);
	const lines = fs.readFileSync(full, 'utf8').split('\n').filter(Boolean);
	fs.writeFileSync(full, [...lines.slice(0, 3), '{"type":"user", truncated', '\u0000\u0001binary garbage\u00ff', ...lines.slice(3), ''].join('\n'));
	fs.writeFileSync(path.join(file.parentPath, '00000000-0000-4000-8000-000000000000.jsonl'), '');
	const run = await sfs('capture');
	expect(run.exitCode).toBe(0);
	expect(run.stderr).not.toMatch(/\n\s+at /);
	expect(run.stderr).toMatch(/warning/);
	const rows = JSON.parse((await sfs('list', '--json')).stdout) as Array<{session_id: string; message_count: number}>;
	const clean = fs.mkdtempSync(path.join(root, 'clean-'));
	const cleanEnv = {...env, HOME: clean, SFS_HOME: path.join(clean, 'sfs')};
	fs.cpSync(path.join('test/fixtures/recorded/claude-code'), path.join(clean, '.claude'), {recursive: true});
	await execa(process.execPath, [cli, 'capture'], {env: cleanEnv, extendEnv: false});
	const cleanRows = JSON.parse((await execa(process.execPath, [cli, 'list', '--json'], {env: cleanEnv, extendEnv: false})).stdout) as typeof rows;
	expect(rows.find(row => row.message_count > 0)!.message_count).toBe(cleanRows[0]!.message_count);
});
