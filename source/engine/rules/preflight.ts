/**
 * Resume preflight: before sfs launches a tool in a repository that has canonical rules, the tool's
 * own instructions file is compiled if it is missing or stale (and managed). The user's own file
 * (no markers) is never touched: the outcome is a warning instead.
 */
import {loadRules, repoRoot} from './canonical.js';
import {compileRules, NEEDS_COMPILE, planTargets} from './compile.js';
import {filesReadBy, isRulesTool, TOOL_RULES} from './tools.js';

export type RulesPreflight = {
	action: 'none' | 'up-to-date' | 'compiled' | 'skipped';
	/** The target file concerned, relative to the repository root. */
	file?: string;
	warning?: string;
};

export function rulesPreflight(target: string, cwd: string): RulesPreflight {
	if (!isRulesTool(target)) return {action: 'none'};
	let rules;
	try {
		rules = loadRules(repoRoot(cwd));
	} catch (error) {
		return {action: 'skipped', warning: `rules: ${(error as Error).message}`};
	}

	if (!rules) return {action: 'none'};
	const file = TOOL_RULES[target].target;
	if (!rules.config.tools.includes(target)) {
		const reached = planTargets(rules.config.tools, rules.body).some(plan => plan.mode.kind !== 'pointer' && filesReadBy(target).includes(plan.file));
		if (reached) return {action: 'none'};
		return {action: 'skipped', file, warning: `rules: ${target} is not a target in .sfs/rules/config.json, so it does not get this repository's rules (add "${target}" to its tools, then sfs rules compile)`};
	}

	try {
		const result = compileRules(rules, {only: [file]});
		const status = result.targets[0];
		if (!status) return {action: 'none'};
		if (NEEDS_COMPILE.includes(status.state)) return {action: 'compiled', file};
		if (status.state === 'ok') return {action: 'up-to-date', file};
		return {action: 'skipped', file, warning: `rules: ${status.warning ?? `${file} left alone`}`};
	} catch (error) {
		return {action: 'skipped', file, warning: `rules: could not compile ${file}: ${(error as Error).message.split('\n', 1)[0]}`};
	}
}
