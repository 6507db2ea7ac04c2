/**
 * Everything a rules view needs in one call (the `sfs rules show` command and the TUI Rules screen):
 * the canonical rules, each target's compiled output, its diff against the file on disk, and the
 * check status.
 */
import fs from 'node:fs';
import path from 'node:path';
import {createTwoFilesPatch} from 'diff';
import {type CanonicalRules, loadRules, repoRoot} from './canonical.js';
import {copyWarnings, deliveryWarnings, NEEDS_COMPILE, planTargets, targetStatuses, type TargetStatus} from './compile.js';
import {parseBlock} from './markers.js';
import {TARGET_FILES} from './tools.js';

export type RulesTargetView = TargetStatus & {
	/** Unified diff from the file on disk to what a compile would write ('' when they are equal). */
	diff: string;
};

export type RulesStatus = {
	root: string;
	/** False when the repository has no `.sfs/rules/config.json` (then rules and targets are empty). */
	configured: boolean;
	rules: CanonicalRules | undefined;
	targets: RulesTargetView[];
	check: {
		/** What `sfs rules compile --check` would exit with. */
		exitCode: 0 | 1;
		/** Managed targets that are missing or stale. */
		stale: string[];
		warnings: string[];
	};
};

export function rulesStatus(cwd: string): RulesStatus {
	const root = repoRoot(cwd);
	const rules = loadRules(root);
	if (!rules) return {root, configured: false, rules: undefined, targets: [], check: {exitCode: 0, stale: [], warnings: []}};
	const targets = targetStatuses(rules).map(status => ({...status, diff: diffOf(status)}));
	const stale = targets.filter(target => NEEDS_COMPILE.includes(target.state)).map(target => target.file);
	const warnings = [
		...targets.flatMap(target => (target.warning ? [target.warning] : [])),
		...deliveryWarnings(planTargets(rules.config.tools, rules.body)),
		...copyWarnings(targets),
		...orphanWarnings(root, new Set(targets.map(target => target.file))),
		...(targets.some(target => target.file === 'AGENTS.md' && target.tools.includes('codex')) && fs.existsSync(path.join(root, 'AGENTS.override.md'))
			? ['AGENTS.override.md exists: Codex reads it instead of AGENTS.md, so the compiled rules do not reach Codex']
			: []),
	];
	return {root, configured: true, rules, targets, check: {exitCode: stale.length > 0 ? 1 : 0, stale, warnings}};
}

function diffOf(status: TargetStatus): string {
	const actual = status.actual ?? '';
	if (actual === status.expected) return '';
	const patch = createTwoFilesPatch(status.actual === null ? '/dev/null' : `a/${status.file}`, `b/${status.file}`, actual, status.expected, undefined, undefined, {context: 3});
	return patch.replace(/^=+\n/, '');
}

/** Files sfs once compiled for a tool that is no longer a target: still there, no longer kept up to date. */
function orphanWarnings(root: string, planned: Set<string>): string[] {
	return TARGET_FILES.filter(file => !planned.has(file)).flatMap(file => {
		try {
			const text = fs.readFileSync(path.join(root, file), 'utf8');
			return parseBlock(text).kind === 'block' ? [`${file} has sfs markers but no target tool uses it any more: it is not kept up to date (remove it, or add its tool to .sfs/rules/config.json)`] : [];
		} catch {
			return [];
		}
	});
}
