/**
 * `sfs rules init`: the canonical rules seeded from the instruction files a repository already has.
 * The plan is computed first (to show and confirm), then applied: rule files written, config saved,
 * the files seeded from taken over (their previous content kept in a .bak).
 */
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../errors.js';
import {type CanonicalRules, configPathOf, hasRules, loadRules, normalizeText, rulesDir, saveConfig, sortTools, writeRepoFile} from './canonical.js';
import {backupFile, type CompileResult, compileRules} from './compile.js';
import {parseBlock} from './markers.js';
import {INSTRUCTION_DIRS, INSTRUCTION_FILES, ownerOf, type RulesTool, TOOL_RULES} from './tools.js';

export type FoundInstruction = {path: string; owner: RulesTool | undefined; text: string};

export type InitPlan = {
	root: string;
	tools: RulesTool[];
	found: FoundInstruction[];
	/** Rule files to write in .sfs/rules/, and which instruction file each comes from. */
	seeds: Array<{name: string; from: string[]; text: string}>;
	/** Existing target files of the chosen tools: compiled over, previous content in a .bak. */
	takeOver: string[];
	/** Other instruction files of the chosen tools: moved to a .bak (their text is in the rules now). */
	retire: string[];
	/** Instruction files of tools not chosen: seeded from, but left where they are. */
	leftInPlace: string[];
};

const MAX_SEED_BYTES = 1024 * 1024;
/** A user's own, uncommitted instructions: never copied into the shared rules, never moved. */
const PERSONAL = new Set(['CLAUDE.local.md']);

/** Instruction files at the root of a repository (relative paths, sorted). */
export function findInstructionFiles(root: string): FoundInstruction[] {
	const found: FoundInstruction[] = [];
	const add = (relative: string) => {
		const text = readSmallFile(path.join(root, relative));
		if (text !== undefined) found.push({path: relative, owner: ownerOf(relative), text});
	};

	for (const relative of INSTRUCTION_FILES) add(relative);
	for (const {dir, match} of INSTRUCTION_DIRS) {
		for (const relative of listFiles(root, dir)) if (match.test(relative)) add(relative);
	}

	return found;
}

function listFiles(root: string, dir: string): string[] {
	const out: string[] = [];
	const walk = (relative: string, depth: number) => {
		let entries: fs.Dirent[];
		try {
			entries = fs.readdirSync(path.join(root, relative), {withFileTypes: true});
		} catch {
			return;
		}

		for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
			const child = `${relative}/${entry.name}`;
			if (entry.isDirectory() && depth < 3) walk(child, depth + 1);
			else if (entry.isFile()) out.push(child);
		}
	};

	walk(dir, 0);
	return out;
}

function readSmallFile(file: string): string | undefined {
	try {
		const stat = fs.statSync(file);
		if (!stat.isFile() || stat.size > MAX_SEED_BYTES) return undefined;
		return fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

/**
 * Rules that apply only to some paths (Copilot's *.instructions.md with applyTo, Cursor rules that are
 * not alwaysApply, Cline/Roo rules with paths or globs) stay where they are: folding them into the
 * rules every agent always reads would change what they mean.
 */
export function isPathScoped(found: FoundInstruction): boolean {
	if (found.path.startsWith('.github/instructions/')) return true;
	const frontmatter = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(found.text)?.[1];
	if (found.path.endsWith('.mdc') && frontmatter !== undefined) return !/^alwaysApply:\s*true\s*$/m.test(frontmatter);
	return frontmatter !== undefined && /^(paths|globs|applyTo):\s*\S/m.test(frontmatter);
}

/** The user's text of an instruction file: without sfs's block, Cursor frontmatter, or bare import lines. */
export function seedText(found: FoundInstruction): string {
	let text = found.text;
	const block = parseBlock(text);
	if (block.kind === 'block') text = `${block.before}\n${block.after}`;
	if (found.path.endsWith('.mdc')) text = text.replace(/^\uFEFF?---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
	const lines = normalizeText(text).split('\n');
	if (lines.every(line => /^\s*(@\S+)?\s*$/.test(line))) return '';
	return normalizeText(text);
}

function seedName(index: number, relative: string): string {
	const stem = relative
		.replace(/^\.github\//, '')
		.replace(/^\.cursor\/rules\//, 'cursor-')
		.replace(/^\.clinerules\//, 'cline-')
		.replace(/^\.roo\/rules\//, 'roo-')
		.replace(/\.(md|mdc|txt)$/, '')
		.replace(/^\./, '')
		.replace(/[^A-Za-z0-9]+/g, '-')
		.replace(/^-|-$/g, '')
		.toLowerCase();
	return `${String(index).padStart(2, '0')}-${stem || 'rules'}.md`;
}

/** The tools whose instruction files exist in the repository (the default choice of `init`). */
export function detectedTools(found: FoundInstruction[]): RulesTool[] {
	return sortTools(found.map(item => item.owner).filter((owner): owner is RulesTool => Boolean(owner)));
}

export function planInit(root: string, tools: RulesTool[]): InitPlan {
	if (hasRules(root)) {
		throw new SfsError('CONFLICT', `${path.relative(process.cwd(), configPathOf(root)) || configPathOf(root)} exists: the rules are already set up`, {hint: 'edit them: sfs rules edit; or change the tools in .sfs/rules/config.json'});
	}

	if (tools.length === 0) throw new SfsError('USAGE', 'rules init: no target tools', {hint: 'pass --tools all or --tools claude-code,codex,…'});
	const chosen = sortTools(tools);
	const found = findInstructionFiles(root);
	const seeds: InitPlan['seeds'] = [];
	const byText = new Map<string, InitPlan['seeds'][number]>();
	for (const item of found) {
		if (PERSONAL.has(item.path) || isPathScoped(item)) continue;
		const text = seedText(item);
		if (!text) continue;
		const same = byText.get(text);
		if (same) {
			same.from.push(item.path);
			continue;
		}

		const seed = {name: seedName(seeds.length + 1, item.path), from: [item.path], text: `${text}\n`};
		seeds.push(seed);
		byText.set(text, seed);
	}

	if (seeds.length === 0) seeds.push({name: '01-project.md', from: [], text: '# Project rules\n\nWrite here the rules every coding agent on this repository follows.\n'});
	const targets = new Set(chosen.map(tool => TOOL_RULES[tool].target as string));
	const plan: InitPlan = {root, tools: chosen, found, seeds, takeOver: [], retire: [], leftInPlace: []};
	for (const item of found) {
		if (targets.has(item.path)) plan.takeOver.push(item.path);
		else if (item.owner && chosen.includes(item.owner) && !PERSONAL.has(item.path) && !isPathScoped(item)) plan.retire.push(item.path);
		else plan.leftInPlace.push(item.path);
	}

	return plan;
}

export type InitResult = {plan: InitPlan; rules: CanonicalRules; compile: CompileResult; retired: Array<{path: string; backup: string}>};

export function applyInit(plan: InitPlan): InitResult {
	fs.mkdirSync(rulesDir(plan.root), {recursive: true});
	for (const seed of plan.seeds) writeRepoFile(path.join(rulesDir(plan.root), seed.name), seed.text);
	saveConfig(plan.root, {version: 1, tools: plan.tools});
	const retired = plan.retire.map(relative => ({path: relative, backup: backupFile(plan.root, relative, {move: true})}));
	const rules = loadRules(plan.root)!;
	const compile = compileRules(rules, {force: true, only: undefined});
	return {plan, rules, compile, retired};
}
