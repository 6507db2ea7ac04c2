import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {loadRules, saveConfig} from '../../source/engine/rules/canonical.js';
import {compileRules} from '../../source/engine/rules/compile.js';
import {rulesPreflight} from '../../source/engine/rules/preflight.js';
import {instructionArtifacts} from '../../source/engine/rules/provenance.js';
import {tempRepo} from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	while (cleanups.length > 0) cleanups.pop()!();
});

function repo(files: Record<string, string>) {
	const made = tempRepo(files);
	cleanups.push(made.cleanup);
	return made;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('instructionArtifacts', () => {
	test('lists the instruction files of the cwd and its repository root with their hashes', () => {
		const r = repo({'AGENTS.md': 'root rules\n', 'pkg/CLAUDE.md': 'pkg notes\n', '.cursor/rules/a.mdc': 'a\n', '.cursor/rules/notes.txt': 'not a rule\n', 'README.md': 'no\n'});
		const provenance = instructionArtifacts(path.join(r.root, 'pkg'));
		expect(provenance).toEqual({
			instruction_artifacts: [
				{path: '.cursor/rules/a.mdc', sha256: sha('a\n'), bytes: 2},
				{path: 'AGENTS.md', sha256: sha('root rules\n'), bytes: 11},
				{path: 'pkg/CLAUDE.md', sha256: sha('pkg notes\n'), bytes: 10},
			],
		});
	});

	test('records the canonical rules hash when the repository has rules', () => {
		const r = repo({'.sfs/rules/01.md': 'Rule one.\n'});
		saveConfig(r.root, {version: 1, tools: ['codex']});
		expect(instructionArtifacts(r.root)!.rules_hash).toBe(loadRules(r.root)!.hash);
		expect(loadRules(r.root)!.hash).toBe(sha('Rule one.\n'));
	});

	test('looks at a directory once per few seconds (a first capture meets many sessions from one cwd)', () => {
		const r = repo({'AGENTS.md': 'one\n'});
		const first = instructionArtifacts(r.root, 1_000_000)!;
		r.write('AGENTS.md', 'two\n');
		expect(instructionArtifacts(r.root, 1_003_000)).toBe(first);
		expect(instructionArtifacts(r.root, 1_006_000)!.instruction_artifacts[0]!.sha256).toBe(sha('two\n'));
	});

	test('says nothing about a cwd that is not a directory here', () => {
		expect(instructionArtifacts('/no/such/dir/anywhere')).toBeUndefined();
		expect(instructionArtifacts(undefined)).toBeUndefined();
	});
});

describe('rulesPreflight', () => {
	test('compiles the target’s file when missing or stale, then reports it up to date', () => {
		const r = repo({'.sfs/rules/01.md': 'Rule one.\n'});
		saveConfig(r.root, {version: 1, tools: ['claude-code', 'codex']});
		expect(rulesPreflight('claude-code', path.join(r.root))).toEqual({action: 'compiled', file: 'CLAUDE.md'});
		expect(r.read('CLAUDE.md')).toContain('@AGENTS.md');
		expect(r.exists('AGENTS.md')).toBe(false); // only the launched tool's file
		expect(rulesPreflight('claude-code', r.root)).toEqual({action: 'up-to-date', file: 'CLAUDE.md'});
		expect(rulesPreflight('codex', r.root)).toEqual({action: 'compiled', file: 'AGENTS.md'});
		r.write('.sfs/rules/01.md', 'Rule one, changed.\n');
		expect(rulesPreflight('codex', r.root)).toEqual({action: 'compiled', file: 'AGENTS.md'});
		expect(r.read('AGENTS.md')).toContain('Rule one, changed.');
	});

	test('leaves the user’s own file alone with a warning', () => {
		const r = repo({'.sfs/rules/01.md': 'Rule one.\n', 'GEMINI.md': 'mine\n'});
		saveConfig(r.root, {version: 1, tools: ['gemini']});
		const outcome = rulesPreflight('gemini', r.root);
		expect(outcome.action).toBe('skipped');
		expect(outcome.warning).toMatch(/^rules: GEMINI\.md is your own file/);
		expect(r.read('GEMINI.md')).toBe('mine\n');
	});

	test('does nothing without rules; warns when the tool is not a target and reads no compiled file', () => {
		const plain = repo({});
		expect(rulesPreflight('codex', plain.root)).toEqual({action: 'none'});
		const r = repo({'.sfs/rules/01.md': 'Rule one.\n'});
		saveConfig(r.root, {version: 1, tools: ['codex']});
		compileRules(loadRules(r.root)!);
		expect(rulesPreflight('copilot', r.root)).toEqual({action: 'none'}); // Copilot reads AGENTS.md
		const gemini = rulesPreflight('gemini', r.root);
		expect(gemini.action).toBe('skipped');
		expect(gemini.warning).toMatch(/gemini is not a target/);
		expect(fs.existsSync(path.join(r.root, 'GEMINI.md'))).toBe(false);
	});
});
