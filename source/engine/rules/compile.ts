/**
 * Compiling the canonical rules into each target tool's own file.
 *
 * The same rules must not reach one agent twice, and several tools read more than their own file
 * (see tools.ts). So one file is the hub and carries the rules in full (AGENTS.md when it is a
 * target); a tool that reads the hub on its own gets a one-line pointer in its file, and a tool that
 * does not but can import files (Claude Code, Gemini CLI) gets an import of the hub, unless another
 * target tool would expand that import next to the hub (Copilot CLI): then it gets a byte-identical
 * copy, which that tool skips. Only a tool that can do none of this gets its own full copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import {type CanonicalRules, writeRepoFile} from './canonical.js';
import {blockHash, parseBlock, renderBlock} from './markers.js';
import {filesReadBy, type RulesTool, TARGET_FILES, type TargetFile, TOOL_RULES} from './tools.js';

export type TargetMode = {kind: 'full'} | {kind: 'copy'; of: TargetFile} | {kind: 'import'; from: TargetFile} | {kind: 'pointer'; to: TargetFile};

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
		const mode = modeFor(owners, full, tools);
		if (mode.kind === 'full') full.push(file);
		plans.push({file, tools: owners, mode, content: contentFor(file, owners, mode, body)});
	}

	return plans;
}

function modeFor(owners: RulesTool[], full: TargetFile[], tools: readonly RulesTool[]): TargetMode {
	const readByAll = full.find(file => owners.every(tool => TOOL_RULES[tool].alsoReads.includes(file)));
	if (readByAll) return {kind: 'pointer', to: readByAll};
	const hub = full.find(file => !file.endsWith('.mdc'));
	if (!hub || !owners.every(tool => TOOL_RULES[tool].importLine)) return {kind: 'full'};
	const file = TOOL_RULES[owners[0]!].target;
	// A target tool that reads both this file and the hub, and expands imports, would see the rules twice.
	const doubled = tools.filter(tool => TOOL_RULES[tool].expandsImports && filesReadBy(tool).includes(file) && filesReadBy(tool).includes(hub));
	if (doubled.length === 0) return {kind: 'import', from: hub};
	return doubled.every(tool => TOOL_RULES[tool].dedupesIdentical) ? {kind: 'copy', of: hub} : {kind: 'full'};
}

function contentFor(file: TargetFile, owners: RulesTool[], mode: TargetMode, body: string): string {
	if (mode.kind === 'full' || mode.kind === 'copy') return body;
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

/** How many times each planned tool gets the rules from the planned files (0 is as bad as 2). */
export function deliveries(plans: TargetPlan[]): Array<{tool: RulesTool; files: TargetFile[]; copies: number}> {
	const byFile = new Map(plans.map(plan => [plan.file, plan] as const));
	return plans.flatMap(plan =>
		plan.tools.map(tool => {
			const rules = TOOL_RULES[tool];
			const files = filesReadBy(tool).filter(file => {
				const mode = byFile.get(file)?.mode;
				return mode && (mode.kind === 'full' || mode.kind === 'copy' || (mode.kind === 'import' && rules.expandsImports));
			});
			// Identical copies count once for a tool that skips identical files.
			const distinct = new Set(files.map(file => {
				const mode = byFile.get(file)!.mode;
				return rules.dedupesIdentical && mode.kind === 'copy' ? mode.of : file;
			}));
			return {tool, files, copies: distinct.size};
		}),
	);
}

/**
 * A copy is only skipped by Copilot CLI while it is byte-identical to its hub: the user's text outside
 * the markers of either file breaks that.
 */
export function copyWarnings(statuses: TargetStatus[]): string[] {
	return statuses.flatMap(status => {
		if (status.mode.kind !== 'copy') return [];
		const hub = statuses.find(other => other.file === (status.mode as {of: TargetFile}).of);
		if (!hub || hub.expected === status.expected) return [];
		return [`${status.file} and ${hub.file} differ outside the sfs markers, so Copilot CLI reads the rules from both (keep your own text out of one of them)`];
	});
}

/** Tools that get the rules more than once (or not at all) from the planned files. */
export function deliveryWarnings(plans: TargetPlan[]): string[] {
	return deliveries(plans)
		.filter(delivery => delivery.copies !== 1)
		.map(delivery => `${TOOL_NAMES[delivery.tool]} reads the rules ${delivery.copies} times${delivery.files.length > 0 ? ` (${delivery.files.join(', ')})` : ''}`);
}
