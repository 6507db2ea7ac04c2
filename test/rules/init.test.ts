import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {loadRules} from '../../source/engine/rules/canonical.js';
import {parseBlock} from '../../source/engine/rules/markers.js';
import {applyInit, detectedTools, findInstructionFiles, planInit} from '../../source/engine/rules/seed.js';
import {rulesStatus} from '../../source/engine/rules/status.js';
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

describe('rules init', () => {
	test('seeds the canonical rules from existing files; the files seeded from become managed with a .bak', () => {
		const r = repo({
			'CLAUDE.md': '# Claude notes\r\n\r\nUse pnpm.\r\n',
			'AGENTS.md': '# Agents\n\nNever push to main.\n',
			'GEMINI.md': '@./AGENTS.md\n',
			'.cursor/rules/style.mdc': '---\ndescription: style\nalwaysApply: true\n---\nPrefer named exports.\n',
			'.clinerules/testing.md': 'Write a test for every bug fix.\n',
			'.github/copilot-instructions.md': '# Agents\n\nNever push to main.\n',
			'CLAUDE.local.md': 'my personal sandbox URL\n',
			'.cursor/rules/react.mdc': '---\ndescription: react\nglobs: src/**/*.tsx\nalwaysApply: false\n---\nUse hooks.\n',
			'.clinerules/sql.md': '---\npaths:\n  - "db/**"\n---\nUse migrations.\n',
		});
		const found = findInstructionFiles(r.root);
		expect(detectedTools(found)).toEqual(['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'cline']);

		const plan = planInit(r.root, ['claude-code', 'codex', 'gemini', 'cursor', 'cline']);
		// Identical texts are seeded once; a bare import line and personal files are not seeded at all.
		expect(plan.seeds.map(seed => [seed.name, seed.from])).toEqual([
			['01-agents.md', ['AGENTS.md', '.github/copilot-instructions.md']],
			['02-claude.md', ['CLAUDE.md']],
			['03-cursor-style.md', ['.cursor/rules/style.mdc']],
			['04-cline-testing.md', ['.clinerules/testing.md']],
		]);
		expect(plan.seeds[2]!.text).toBe('Prefer named exports.\n');
		expect(plan.takeOver).toEqual(['AGENTS.md', 'CLAUDE.md', 'GEMINI.md']);
		expect(plan.retire).toEqual(['.cursor/rules/style.mdc', '.clinerules/testing.md']);
		// Path-scoped rules keep their meaning where they are.
		expect(plan.leftInPlace).toEqual(['CLAUDE.local.md', '.github/copilot-instructions.md', '.cursor/rules/react.mdc', '.clinerules/sql.md']);

		const result = applyInit(plan);
		expect(fs.readdirSync(path.join(r.root, '.sfs/rules')).sort()).toEqual(['01-agents.md', '02-claude.md', '03-cursor-style.md', '04-cline-testing.md', 'config.json']);
		expect(JSON.parse(r.read('.sfs/rules/config.json'))).toEqual({version: 1, tools: ['claude-code', 'codex', 'gemini', 'cursor', 'cline']});
		expect(r.read('CLAUDE.md.bak')).toBe('# Claude notes\r\n\r\nUse pnpm.\r\n');
		expect(r.read('AGENTS.md.bak')).toBe('# Agents\n\nNever push to main.\n');
		expect(r.read('GEMINI.md.bak')).toBe('@./AGENTS.md\n');
		expect(r.exists('.cursor/rules/style.mdc')).toBe(false);
		expect(r.read('.sfs/backup/.cursor/rules/style.mdc.bak')).toContain('Prefer named exports.');
		expect(r.read('CLAUDE.local.md')).toBe('my personal sandbox URL\n');
		expect(result.retired.map(item => item.path)).toEqual(['.cursor/rules/style.mdc', '.clinerules/testing.md']);

		const agents = parseBlock(r.read('AGENTS.md'));
		expect(agents.kind === 'block' && agents.content).toBe(
			'# Agents\n\nNever push to main.\n\n# Claude notes\n\nUse pnpm.\n\nPrefer named exports.\n\nWrite a test for every bug fix.\n',
		);
		expect(rulesStatus(r.root).check).toMatchObject({exitCode: 0, stale: []});
		expect(loadRules(r.root)!.files).toHaveLength(4);
	});

	test('an empty repository gets a starter rule; a second init is refused', () => {
		const r = repo({});
		expect(findInstructionFiles(r.root)).toEqual([]);
		const result = applyInit(planInit(r.root, ['codex']));
		expect(result.compile.written).toEqual(['AGENTS.md']);
		expect(r.read('AGENTS.md')).toContain('# Project rules');
		expect(() => planInit(r.root, ['codex'])).toThrow(/already set up/);
	});
});
