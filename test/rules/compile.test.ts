import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {loadRules, saveConfig} from '../../source/engine/rules/canonical.js';
import {compileRules, deliveryWarnings, planTargets} from '../../source/engine/rules/compile.js';
import {parseBlock} from '../../source/engine/rules/markers.js';
import {RULES_TOOLS, TARGET_FILES, type RulesTool} from '../../source/engine/rules/tools.js';
import {rulesStatus} from '../../source/engine/rules/status.js';
import {tempRepo} from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	while (cleanups.length > 0) cleanups.pop()!();
});

function repoWithRules(tools: RulesTool[], rules: Record<string, string> = {'01-style.md': '# Style\n\n- Tabs, not spaces.\n', '02-tests.md': 'Run `npm test` before you commit.\r\n'}) {
	const repo = tempRepo();
	cleanups.push(repo.cleanup);
	for (const [name, text] of Object.entries(rules)) repo.write(`.sfs/rules/${name}`, text);
	saveConfig(repo.root, {version: 1, tools});
	return repo;
}

function snapshot(root: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const file of TARGET_FILES) {
		const full = path.join(root, file);
		if (fs.existsSync(full)) out[file] = fs.readFileSync(full, 'utf8');
	}

	return out;
}

describe('compile', () => {
	test('compiles every target, with the rules in full in the hub and no tool reading them twice', () => {
		const repo = repoWithRules([...RULES_TOOLS]);
		const result = compileRules(loadRules(repo.root)!);
		expect(result.written.sort()).toEqual([...TARGET_FILES].sort());
		const agents = repo.read('AGENTS.md');
		expect(agents).toContain('# Style\n\n- Tabs, not spaces.\n\nRun `npm test` before you commit.\n');
		expect(agents).not.toContain('\r');
		expect(agents).toMatch(/^<!-- sfs:rules:begin sha256=[0-9a-f]{16} /);
		// Claude Code does not read AGENTS.md when CLAUDE.md exists, Gemini CLI reads GEMINI.md: with Copilot CLI
		// among the targets (it expands imports, and skips identical files) they get byte-identical copies.
		expect(repo.read('CLAUDE.md')).toBe(agents);
		expect(repo.read('GEMINI.md')).toBe(agents);
		// Copilot, Cursor, Cline and Roo read AGENTS.md themselves: their own file only points there.
		for (const file of ['.github/copilot-instructions.md', '.clinerules/sfs.md', '.roo/rules/sfs.md', '.cursor/rules/sfs.mdc']) {
			const text = repo.read(file);
			expect(text).toContain('The project rules are in AGENTS.md');
			expect(text).not.toContain('Tabs, not spaces');
		}

		expect(repo.read('.cursor/rules/sfs.mdc')).toMatch(/^---\ndescription: .*\nalwaysApply: true\n---\n<!-- sfs:rules:begin/);
		// The one trade-off left: Cursor's CLI reads CLAUDE.md too, and whether it skips identical files is unverified.
		expect(deliveryWarnings(planTargets(RULES_TOOLS, 'x\n'))).toEqual(['Cursor reads the rules 2 times (AGENTS.md, CLAUDE.md)']);
		expect(deliveryWarnings(planTargets(['claude-code', 'codex', 'gemini', 'copilot', 'cline', 'roo-code', 'amp'], 'x\n'))).toEqual([]);
	});

	test('without Copilot among the targets, Claude Code and Gemini CLI import the hub', () => {
		const plans = planTargets(['claude-code', 'codex', 'gemini', 'cursor'], 'rules\n');
		expect(plans.map(plan => [plan.file, plan.mode])).toEqual([
			['AGENTS.md', {kind: 'full'}],
			['CLAUDE.md', {kind: 'import', from: 'AGENTS.md'}],
			['GEMINI.md', {kind: 'import', from: 'AGENTS.md'}],
			['.cursor/rules/sfs.mdc', {kind: 'pointer', to: 'AGENTS.md'}],
		]);
		expect(plans.map(plan => plan.content).slice(1, 3)).toEqual(['@AGENTS.md\n', '@./AGENTS.md\n']);
		expect(deliveryWarnings(plans)).toEqual([]);
	});

	test('a copy with the user’s text outside its markers is flagged: Copilot no longer skips it', () => {
		const repo = repoWithRules(['claude-code', 'codex', 'copilot']);
		compileRules(loadRules(repo.root)!);
		expect(rulesStatus(repo.root).check.warnings).toEqual([]);
		repo.write('CLAUDE.md', `${repo.read('CLAUDE.md')}\nMy own line.\n`);
		expect(rulesStatus(repo.root).check.warnings).toEqual([expect.stringMatching(/^CLAUDE\.md and AGENTS\.md differ outside the sfs markers, so Copilot CLI reads the rules from both/)]);
		repo.write('CLAUDE.md', repo.read('AGENTS.md'));
		repo.write('AGENTS.md', `# Mine\n${repo.read('AGENTS.md')}`);
		expect(rulesStatus(repo.root).check.warnings).toHaveLength(1);
	});

	test('without AGENTS.md a tool that cannot import gets its own full copy', () => {
		const plans = planTargets(['claude-code', 'gemini', 'cline'], 'rules\n');
		expect(plans.map(plan => [plan.file, plan.mode.kind])).toEqual([
			['CLAUDE.md', 'full'],
			['GEMINI.md', 'import'],
			['.clinerules/sfs.md', 'full'],
		]);
		expect(plans[1]!.content).toBe('@./CLAUDE.md\n');
		// Cursor's CLI reads CLAUDE.md at the root: no second copy in its .mdc.
		expect(planTargets(['claude-code', 'cursor'], 'r\n').map(plan => plan.mode.kind)).toEqual(['full', 'pointer']);
	});

	test('recompiling is byte-identical and writes nothing', () => {
		const repo = repoWithRules([...RULES_TOOLS]);
		compileRules(loadRules(repo.root)!);
		const first = snapshot(repo.root);
		const mtimes = Object.keys(first).map(file => fs.statSync(path.join(repo.root, file)).mtimeMs);
		const again = compileRules(loadRules(repo.root)!);
		expect(again.written).toEqual([]);
		expect(snapshot(repo.root)).toEqual(first);
		expect(Object.keys(first).map(file => fs.statSync(path.join(repo.root, file)).mtimeMs)).toEqual(mtimes);

		// A second repository with the same rules compiles to the same bytes.
		const twin = repoWithRules([...RULES_TOOLS]);
		compileRules(loadRules(twin.root)!);
		expect(snapshot(twin.root)).toEqual(first);
	});

	test('content outside the markers is the user’s and survives recompiles', () => {
		const repo = repoWithRules(['codex']);
		compileRules(loadRules(repo.root)!);
		repo.write('AGENTS.md', `# My notes above\n\n${repo.read('AGENTS.md')}\n## Below, mine too\r\nkeep me\r\n`);
		repo.write('.sfs/rules/01-style.md', '# Style\n\n- Spaces now.\n');
		const result = compileRules(loadRules(repo.root)!);
		expect(result.written).toEqual(['AGENTS.md']);
		const text = repo.read('AGENTS.md');
		expect(text.startsWith('# My notes above\n\n<!-- sfs:rules:begin')).toBe(true);
		expect(text.endsWith('<!-- sfs:rules:end -->\n\n## Below, mine too\r\nkeep me\r\n')).toBe(true);
		expect(text).toContain('- Spaces now.');
		expect(text).not.toContain('Tabs, not spaces');
	});

	test('an unmanaged file is left alone with a warning; --force takes it over keeping a .bak', () => {
		const repo = repoWithRules(['claude-code', 'cline']);
		repo.write('CLAUDE.md', 'my own claude notes\n');
		repo.write('.clinerules/sfs.md', 'my own cline notes\n');
		const rules = loadRules(repo.root)!;
		const left = compileRules(rules);
		expect(left.written).toEqual([]);
		expect(left.warnings).toHaveLength(2);
		expect(left.warnings[0]).toMatch(/CLAUDE\.md is your own file .*--force/);
		expect(repo.read('CLAUDE.md')).toBe('my own claude notes\n');

		const forced = compileRules(rules, {force: true});
		expect(forced.written).toEqual(['CLAUDE.md', '.clinerules/sfs.md']);
		expect(forced.backups).toEqual(['CLAUDE.md.bak', '.sfs/backup/.clinerules/sfs.md.bak']);
		expect(repo.read('CLAUDE.md.bak')).toBe('my own claude notes\n');
		// Cline reads every file in .clinerules/: the backup is kept out of it.
		expect(fs.readdirSync(path.join(repo.root, '.clinerules'))).toEqual(['sfs.md']);
		expect(repo.read('.sfs/backup/.clinerules/sfs.md.bak')).toBe('my own cline notes\n');
		expect(parseBlock(repo.read('CLAUDE.md')).kind).toBe('block');

		// A second takeover never overwrites the first backup.
		repo.write('CLAUDE.md', 'notes again\n');
		expect(compileRules(loadRules(repo.root)!, {force: true}).backups).toEqual(['CLAUDE.md.bak.2']);
		expect(repo.read('CLAUDE.md.bak')).toBe('my own claude notes\n');
	});

	test('a hand edit inside the markers is stale, and the compile keeps the edited file in a .bak', () => {
		const repo = repoWithRules(['codex']);
		compileRules(loadRules(repo.root)!);
		repo.write('AGENTS.md', repo.read('AGENTS.md').replace('Tabs, not spaces', 'Whatever you like'));
		const status = rulesStatus(repo.root);
		expect(status.targets[0]!.state).toBe('edited');
		expect(status.check.exitCode).toBe(1);
		expect(status.targets[0]!.diff).toContain('-- Whatever you like.');
		expect(status.targets[0]!.diff).toContain('+- Tabs, not spaces.');
		const result = compileRules(loadRules(repo.root)!);
		expect(result.backups).toEqual(['AGENTS.md.bak']);
		expect(repo.read('AGENTS.md.bak')).toContain('Whatever you like');
		expect(rulesStatus(repo.root).check.exitCode).toBe(0);
	});

	test('--check semantics: 1 when a managed file is missing or stale, 0 when current or only unmanaged', () => {
		const repo = repoWithRules(['codex', 'gemini']);
		expect(rulesStatus(repo.root).check).toMatchObject({exitCode: 1, stale: ['AGENTS.md', 'GEMINI.md']});
		const dry = compileRules(loadRules(repo.root)!, {dryRun: true});
		expect(dry.written).toEqual(['AGENTS.md', 'GEMINI.md']);
		expect(repo.exists('AGENTS.md')).toBe(false);

		compileRules(loadRules(repo.root)!);
		expect(rulesStatus(repo.root).check).toEqual({exitCode: 0, stale: [], warnings: []});

		repo.write('.sfs/rules/03-new.md', 'A new rule.\n');
		expect(rulesStatus(repo.root).check).toMatchObject({exitCode: 1, stale: ['AGENTS.md']});
		compileRules(loadRules(repo.root)!);

		fs.rmSync(path.join(repo.root, 'GEMINI.md'));
		repo.write('GEMINI.md', 'hand written\n');
		const unmanaged = rulesStatus(repo.root);
		expect(unmanaged.check.exitCode).toBe(0);
		expect(unmanaged.check.warnings).toEqual([expect.stringMatching(/GEMINI\.md is your own file/)]);
	});

	test('a compiled file whose tool is no longer a target is reported, not checked', () => {
		const repo = repoWithRules(['claude-code', 'codex']);
		compileRules(loadRules(repo.root)!);
		saveConfig(repo.root, {version: 1, tools: ['codex']});
		const status = rulesStatus(repo.root);
		expect(status.check.exitCode).toBe(0);
		expect(status.check.warnings).toEqual([expect.stringMatching(/^CLAUDE\.md has sfs markers but no target tool uses it any more/)]);
		repo.write('AGENTS.override.md', 'local override\n');
		expect(rulesStatus(repo.root).check.warnings[1]).toMatch(/^AGENTS\.override\.md exists: Codex reads it instead of AGENTS\.md/);
	});

	test('rulesStatus without canonical rules says so', () => {
		const repo = tempRepo({'AGENTS.md': 'x\n'});
		cleanups.push(repo.cleanup);
		expect(rulesStatus(path.join(repo.root))).toMatchObject({configured: false, targets: [], check: {exitCode: 0}});
	});

	test('a broken config is one clear error', () => {
		const repo = tempRepo({'.sfs/rules/config.json': '{"tools": ["claude-code", "vim"]}'});
		cleanups.push(repo.cleanup);
		expect(() => loadRules(repo.root)).toThrow(/unknown tool "vim"/);
		repo.write('.sfs/rules/config.json', '{"tools": ');
		expect(() => loadRules(repo.root)).toThrow(/not valid JSON/);
	});
});
