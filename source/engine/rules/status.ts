/**
 * Everything a rules view needs in one call (the `sfs rules show` command and the TUI Rules screen):
 * the canonical rules, each target's compiled output, its diff against the file on disk, and the
 * check status.
 */
import {createTwoFilesPatch} from 'diff';
import {type CanonicalRules, loadRules, repoRoot} from './canonical.js';
import {deliveryWarnings, NEEDS_COMPILE, planTargets, targetStatuses, type TargetStatus} from './compile.js';

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
	];
	return {root, configured: true, rules, targets, check: {exitCode: stale.length > 0 ? 1 : 0, stale, warnings}};
}

function diffOf(status: TargetStatus): string {
	const actual = status.actual ?? '';
	if (actual === status.expected) return '';
	const patch = createTwoFilesPatch(status.actual === null ? '/dev/null' : `a/${status.file}`, `b/${status.file}`, actual, status.expected, undefined, undefined, {context: 3});
	return patch.replace(/^=+\n/, '');
}
