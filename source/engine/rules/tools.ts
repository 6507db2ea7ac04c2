/**
 * Which instruction files each tool reads today, and which file sfs compiles the rules into for it.
 *
 * Sources (checked 2026-11-25; the tools change this often, so re-check before trusting a row):
 * - Claude Code reads CLAUDE.md (and .claude/CLAUDE.md, CLAUDE.local.md) from the cwd up to /, and expands
 *   `@path` imports: https://code.claude.com/docs/en/memory. Since 2.1.277 it reads AGENTS.md, but only
 *   in a project with NO CLAUDE.md (changelog: "Added AGENTS.md support: in a project with no CLAUDE.md,
 *   Claude Code reads AGENTS.md instead"), and behind a remote flag that is off with telemetry disabled.
 *   So when CLAUDE.md is written next to AGENTS.md, CLAUDE.md imports it (`@AGENTS.md`), which works on
 *   every version.
 * - Codex reads AGENTS.override.md or AGENTS.md (plus `project_doc_fallback_filenames`) in each directory
 *   from the git root down to the cwd, one file per directory: https://developers.openai.com/codex/guides/agents-md
 * - Gemini CLI reads GEMINI.md (the name is `context.fileName` in settings.json; it may list AGENTS.md)
 *   in the workspace and its parents, and expands `@./file.md` imports:
 *   https://geminicli.com/docs/cli/gemini-md and https://geminicli.com/docs/reference/memport
 * - Copilot CLI reads .github/copilot-instructions.md, .github/instructions/**\/*.instructions.md,
 *   AGENTS.md, CLAUDE.md, .claude/CLAUDE.md and GEMINI.md, and merges them all (no precedence):
 *   https://docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-custom-instructions
 *   Observed with the real Copilot CLI 1.0.102 (test/rules/real-clis.test.ts and probes): it expands `@AGENTS.md`
 *   and `@./AGENTS.md` imports in CLAUDE.md and GEMINI.md (a second copy next to AGENTS.md itself), and it drops
 *   instruction files whose bytes are identical to one already read. So when Copilot is a target, CLAUDE.md and
 *   GEMINI.md carry byte-identical copies of the hub instead of imports.
 * - Cursor reads .cursor/rules/*.mdc (frontmatter: description, globs, alwaysApply) and AGENTS.md; the
 *   Cursor CLI also reads CLAUDE.md at the project root: https://docs.cursor.com/cli/using and
 *   https://docs.cursor.com/context/rules
 * - Cline reads every file in .clinerules/ (or a single .clinerules file) and AGENTS.md (always);
 *   .cursor/rules and .windsurf/rules only when there is no .clinerules:
 *   https://docs.cline.bot/features/cline-rules/overview
 * - Roo Code reads .roo/rules/ recursively (else .roorules) and AGENTS.md (unless
 *   `roo-cline.useAgentRules` is off): https://docs.roocode.com/features/custom-instructions
 *   (RooCodeInc/Roo-Code-Docs#315)
 * - Amp reads AGENTS.md: https://ampcode.com/manual#AGENTS.md
 */

export type RulesTool = 'claude-code' | 'codex' | 'gemini' | 'copilot' | 'cursor' | 'cline' | 'roo-code' | 'amp';

export const RULES_TOOLS: readonly RulesTool[] = ['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'cline', 'roo-code', 'amp'];

/** The files sfs writes, one per tool (Codex and Amp share AGENTS.md), in the order a hub is chosen. */
export const TARGET_FILES = ['AGENTS.md', 'CLAUDE.md', 'GEMINI.md', '.github/copilot-instructions.md', '.clinerules/sfs.md', '.roo/rules/sfs.md', '.cursor/rules/sfs.mdc'] as const;
export type TargetFile = (typeof TARGET_FILES)[number];

export type ToolRules = {
	/** The file sfs compiles for this tool. */
	target: TargetFile;
	/** Target files (of TARGET_FILES) this tool reads on its own, besides its target. */
	alsoReads: TargetFile[];
	/** How the tool imports another file into its instructions, if it can. */
	importLine?: (file: TargetFile) => string;
	/** It expands `@file` imports in the files it reads (so an import there is one more copy). */
	expandsImports?: boolean;
	/** It skips an instruction file byte-identical to one it already read (observed: Copilot CLI). */
	dedupesIdentical?: boolean;
};

export const TOOL_RULES: Record<RulesTool, ToolRules> = {
	'claude-code': {target: 'CLAUDE.md', alsoReads: [], importLine: file => `@${file}`, expandsImports: true},
	codex: {target: 'AGENTS.md', alsoReads: []},
	amp: {target: 'AGENTS.md', alsoReads: []},
	gemini: {target: 'GEMINI.md', alsoReads: [], importLine: file => `@./${file}`, expandsImports: true},
	copilot: {target: '.github/copilot-instructions.md', alsoReads: ['AGENTS.md', 'CLAUDE.md', 'GEMINI.md'], expandsImports: true, dedupesIdentical: true},
	cursor: {target: '.cursor/rules/sfs.mdc', alsoReads: ['AGENTS.md', 'CLAUDE.md']},
	cline: {target: '.clinerules/sfs.md', alsoReads: ['AGENTS.md']},
	'roo-code': {target: '.roo/rules/sfs.md', alsoReads: ['AGENTS.md']},
};

export function isRulesTool(value: string): value is RulesTool {
	return (RULES_TOOLS as readonly string[]).includes(value);
}

/** Every file a tool reads among the targets: its own and the ones it reads too. */
export function filesReadBy(tool: RulesTool): TargetFile[] {
	return [TOOL_RULES[tool].target, ...TOOL_RULES[tool].alsoReads];
}

/**
 * Instruction files sfs looks for (to seed from, and to record in captured sessions): exact paths, and
 * directories whose files count. Relative to the repository root or the session's cwd.
 */
export const INSTRUCTION_FILES = [
	'AGENTS.md',
	'AGENTS.override.md',
	'CLAUDE.md',
	'CLAUDE.local.md',
	'.claude/CLAUDE.md',
	'GEMINI.md',
	'.github/copilot-instructions.md',
	'.cursorrules',
	'.clinerules',
	'.roorules',
] as const;

export const INSTRUCTION_DIRS = [
	{dir: '.cursor/rules', match: /\.mdc?$/},
	{dir: '.clinerules', match: /\.(md|txt)$/},
	{dir: '.roo/rules', match: /\.(md|txt)$/},
	{dir: '.github/instructions', match: /\.instructions\.md$/},
] as const;

/** Which tool an existing instruction file belongs to (for seeding), by its path. */
export function ownerOf(relativePath: string): RulesTool | undefined {
	if (relativePath === 'AGENTS.md' || relativePath === 'AGENTS.override.md') return 'codex';
	if (/^(\.claude\/)?CLAUDE(\.local)?\.md$/.test(relativePath)) return 'claude-code';
	if (relativePath === 'GEMINI.md') return 'gemini';
	if (relativePath.startsWith('.github/')) return 'copilot';
	if (relativePath === '.cursorrules' || relativePath.startsWith('.cursor/')) return 'cursor';
	if (relativePath.startsWith('.clinerules')) return 'cline';
	if (relativePath === '.roorules' || relativePath.startsWith('.roo/')) return 'roo-code';
	return undefined;
}
