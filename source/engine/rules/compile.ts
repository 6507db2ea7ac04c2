/**
 * Compiling the canonical rules into each target tool's own file.
 *
 * The same rules must not reach one agent twice, and several tools read more than their own file
 * (see tools.ts). So one file is the hub and carries the rules in full (AGENTS.md when it is a
 * target); a tool that reads the hub on its own gets a one-line pointer in its file, and a tool that
 * does not but can import files (Claude Code, Gemini CLI) gets an import of the hub. Only a tool that
 * can do neither gets a full copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import {type CanonicalRules, writeRepoFile} from './canonical.js';
import {blockHash, parseBlock, renderBlock} from './markers.js';
import {filesReadBy, type RulesTool, TARGET_FILES, type TargetFile, TOOL_RULES} from './tools.js';

export type TargetMode = {kind: 'full'} | {kind: 'import'; from: TargetFile} | {kind: 'pointer'; to: TargetFile};

export type TargetPlan = {file: TargetFile; tools: RulesTool[]; mode: TargetMode; /** What goes between the markers. */ content: string};

/**
 * `ok`: up to date. `missing`, `stale` (the rules changed) and `edited` (someone changed the text
 * inside the markers) are what `--check` fails on. `unmanaged` (the user's own file, no markers) and
 * `broken` (a marker without its pair) are left alone with a warning.
 */
export type TargetState = 'ok' | 'missing' | 'stale' | 'edited' | 'unmanaged' | 'broken';

export type TargetStatus = TargetPlan & {
	path: string;
	state: TargetState;
	/** The file as it is on disk (null when missing). */
	actual: string | null;
	/** The file as a compile would leave it (for unmanaged files: as `--force` would). */
	expected: string;
	warning?: string;
};

export const NEEDS_COMPILE: readonly TargetState[] = ['missing', 'stale', 'edited'];

const TOOL_NAMES: Record<RulesTool, string> = {
	'claude-code': 'Claude Code',
	codex: 'Codex',
	gemini: 'Gemini CLI',
	copilot: 'Copilot CLI',
	cursor: 'Cursor',
	cline: 'Cline',
	'roo-code': 'Roo Code',
	amp: 'Amp',
};

/** Which file carries what, for the given tools. Deterministic: depends only on the set of tools. */
export function planTargets(tools: readonly RulesTool[], body: string): TargetPlan[] {
	const full: TargetFile[] = [];
	const plans: TargetPlan[] = [];
	for (const file of TARGET_FILES) {
		const owners = tools.filter(tool => TOOL_RULES[tool].target === file);
		if (owners.length === 0) continue;
		const mode = modeFor(owners, full);
		if (mode.kind === 'full') full.push(file);
		plans.push({file, tools: owners, mode, content: contentFor(file, owners, mode, body)});
	}

	return plans;
}

function modeFor(owners: RulesTool[], full: TargetFile[]): TargetMode {
	const readByAll = full.find(file => owners.every(tool => TOOL_RULES[tool].alsoReads.includes(file)));
	if (readByAll) return {kind: 'pointer', to: readByAll};
	const hub = full.find(file => !file.endsWith('.mdc'));
	if (hub && owners.every(tool => TOOL_RULES[tool].importLine)) return {kind: 'import', from: hub};
	return {kind: 'full'};
}

function contentFor(file: TargetFile, owners: RulesTool[], mode: TargetMode, body: string): string {
	if (mode.kind === 'full') return body;
	if (mode.kind === 'import') return `${TOOL_RULES[owners[0]!].importLine!(mode.from)}\n`;
	const names = owners.map(tool => TOOL_NAMES[tool]).join(' and ');
	return `The project rules are in ${mode.to}, which ${names} ${owners.length > 1 ? 'read' : 'reads'} as well; they are not repeated here.\n`;
}

/** What a new file holds around the block: Cursor wants its frontmatter first. */
function newFilePrefix(file: TargetFile): string {
	if (!file.endsWith('.mdc')) return '';
	return '---\ndescription: Project rules compiled by sfs from .sfs/rules\nalwaysApply: true\n---\n';
}

/** The state of every target file of the repository against the canonical rules. */
export function targetStatuses(rules: CanonicalRules, tools: readonly RulesTool[] = rules.config.tools): TargetStatus[] {
	return planTargets(tools, rules.body).map(plan => statusOf(rules.root, plan));
}

export function statusOf(root: string, plan: TargetPlan): TargetStatus {
	const file = path.join(root, plan.file);
	const block = renderBlock(plan.content);
	const fresh = newFilePrefix(plan.file) + block;
	let actual: string;
	try {
		actual = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {...plan, path: file, state: 'missing', actual: null, expected: fresh};
		return {...plan, path: file, state: 'broken', actual: null, expected: fresh, warning: `${plan.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): left alone`};
	}

	const parsed = parseBlock(actual);
	if (parsed.kind === 'none') {
		return {...plan, path: file, state: 'unmanaged', actual, expected: fresh, warning: `${plan.file} is your own file (no sfs markers): left alone (sfs rules compile --force takes it over, keeping a .bak)`};
	}

	if (parsed.kind === 'broken') {
		return {...plan, path: file, state: 'broken', actual, expected: fresh, warning: `${plan.file} has an sfs marker without its pair: left alone (fix the markers, or sfs rules compile --force)`};
	}

	const expected = parsed.before + block + parsed.after;
	if (expected === actual) return {...plan, path: file, state: 'ok', actual, expected};
	const edited = parsed.recordedHash !== undefined && parsed.recordedHash !== blockHash(parsed.content) && parsed.content !== plan.content;
	return {...plan, path: file, state: edited ? 'edited' : 'stale', actual, expected};
}

export type CompileOptions = {
	/** Report only; write nothing. */
	dryRun?: boolean;
	/** Take over unmanaged (and broken) files, keeping their content in a .bak. */
	force?: boolean;
	/** Only these target files. */
	only?: readonly TargetFile[];
};

export type CompileResult = {
	targets: TargetStatus[];
	/** Target files written (or, with dryRun, that would be). */
	written: string[];
	/** Backups made (relative to the root). */
	backups: string[];
	warnings: string[];
};

export function compileRules(rules: CanonicalRules, options: CompileOptions = {}, tools: readonly RulesTool[] = rules.config.tools): CompileResult {
	const result: CompileResult = {targets: [], written: [], backups: [], warnings: []};
	for (const status of targetStatuses(rules, tools)) {
		if (options.only && !options.only.includes(status.file)) continue;
		result.targets.push(status);
		const takeOver = options.force && (status.state === 'unmanaged' || status.state === 'broken');
		if (!NEEDS_COMPILE.includes(status.state) && !takeOver) {
			if (status.warning) result.warnings.push(status.warning);
			continue;
		}

		result.written.push(status.file);
		if (options.dryRun) continue;
		if (status.state === 'edited' || takeOver) result.backups.push(backupFile(rules.root, status.file));
		writeRepoFile(status.path, status.expected);
	}

	return result;
}

/**
 * Copies a file to a backup nobody reads as instructions: `<file>.bak` beside it, except inside the
 * rule directories tools read whole (.cursor/rules, .clinerules, .roo/rules), where the backup goes
 * to `.sfs/backup/<path>.bak`. An existing backup is never overwritten (`.bak.2`, `.bak.3`, …).
 */
export function backupFile(root: string, relative: string, options: {move?: boolean} = {}): string {
	const inRuleDir = /^(\.cursor\/rules|\.clinerules|\.roo\/rules)\//.test(relative);
	const base = inRuleDir ? path.join('.sfs', 'backup', `${relative}.bak`) : `${relative}.bak`;
	let candidate = base;
	for (let n = 2; fs.existsSync(path.join(root, candidate)); n++) candidate = `${base}.${n}`;
	const target = path.join(root, candidate);
	fs.mkdirSync(path.dirname(target), {recursive: true});
	if (options.move) fs.renameSync(path.join(root, relative), target);
	else fs.copyFileSync(path.join(root, relative), target);
	return candidate.split(path.sep).join('/');
}

/** Tools that get the rules more than once from the planned files (reported, not fixed: user choice). */
export function deliveryWarnings(plans: TargetPlan[]): string[] {
	const warnings: string[] = [];
	const carriers = new Map(plans.filter(plan => plan.mode.kind !== 'pointer').map(plan => [plan.file, plan] as const));
	for (const plan of plans) {
		for (const tool of plan.tools) {
			const copies = filesReadBy(tool).filter(file => carriers.get(file)?.mode.kind === 'full');
			if (copies.length > 1) warnings.push(`${TOOL_NAMES[tool]} reads the rules ${copies.length} times (${copies.join(', ')})`);
		}
	}

	return warnings;
}
