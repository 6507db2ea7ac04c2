/**
 * The DLP policy: what happens to secrets and to personal data on the way out (`block`, `redact` or
 * `warn`), kept in config.json under `dlp`: a global setting and per-project overrides keyed by the
 * project's root directory. A session's project is the longest root that contains its working
 * directory. Defaults: block secrets, warn on personal data.
 *
 *   "dlp": {"secrets": "block", "personal": "warn", "projects": {"/home/me/app": {"secrets": "redact"}}}
 */
import fs from 'node:fs';
import path from 'node:path';
import {loadConfig, saveConfig} from '../config.js';
import {SfsError} from '../errors.js';
import type {Env} from '../paths.js';
import type {FindingKind} from './pattern-types.js';

export const ACTIONS = ['block', 'redact', 'warn'] as const;
export type DlpAction = (typeof ACTIONS)[number];
export type DlpPolicy = {secrets: DlpAction; personal: DlpAction};
/** Where each half of an effective policy came from. */
export type PolicySource = 'default' | 'global' | `project:${string}`;
export type ResolvedPolicy = DlpPolicy & {project: string | null; sources: {secrets: PolicySource; personal: PolicySource}};

export const DEFAULT_POLICY: DlpPolicy = {secrets: 'block', personal: 'warn'};

type StoredPolicy = {secrets?: unknown; personal?: unknown; projects?: Record<string, {secrets?: unknown; personal?: unknown}>};

export function isAction(value: unknown): value is DlpAction {
	return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

export function kindKey(kind: FindingKind): keyof DlpPolicy {
	return kind === 'secret' ? 'secrets' : 'personal';
}

function stored(env: Env): StoredPolicy {
	const value = loadConfig(env).dlp;
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as StoredPolicy) : {};
}

/** The policy for work done in `cwd` (null: the global policy). */
export function resolvePolicy(cwd: string | null | undefined, env: Env = process.env): ResolvedPolicy {
	const config = stored(env);
	const policy: ResolvedPolicy = {...DEFAULT_POLICY, project: null, sources: {secrets: 'default', personal: 'default'}};
	for (const key of ['secrets', 'personal'] as const) {
		if (isAction(config[key])) {
			policy[key] = config[key];
			policy.sources[key] = 'global';
		}
	}

	const project = cwd ? projectFor(path.resolve(cwd), Object.keys(config.projects ?? {})) : undefined;
	if (project) {
		policy.project = project;
		const override = config.projects![project]!;
		for (const key of ['secrets', 'personal'] as const) {
			if (isAction(override?.[key])) {
				policy[key] = override[key];
				policy.sources[key] = `project:${project}`;
			}
		}
	}

	return policy;
}

/** The longest configured root that is `cwd` or contains it. */
function projectFor(cwd: string, roots: string[]): string | undefined {
	let best: string | undefined;
	for (const root of roots) {
		const relative = path.relative(root, cwd);
		const inside = relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
		if (inside && (!best || root.length > best.length)) best = root;
	}

	return best;
}

/** Sets one half of the policy, globally (`project` null) or for a project root. Returns the stored root. */
export function setPolicy(which: keyof DlpPolicy, action: string, project: string | null, env: Env = process.env): string | null {
	if (!isAction(action)) throw new SfsError('USAGE', `dlp policy: ${JSON.stringify(action)} is not an action`, {hint: 'use block, redact or warn'});
	const config = loadConfig(env);
	const dlp: StoredPolicy = config.dlp && typeof config.dlp === 'object' && !Array.isArray(config.dlp) ? structuredClone(config.dlp as StoredPolicy) : {};
	let root: string | null = null;
	if (project === null) dlp[which] = action;
	else {
		root = path.resolve(project);
		dlp.projects = {...dlp.projects, [root]: {...dlp.projects?.[root], [which]: action}};
	}

	saveConfig({...config, dlp}, env);
	return root;
}

/** Every stored setting, for `sfs dlp policy show`. */
export function storedPolicies(env: Env = process.env): {global: Partial<DlpPolicy>; projects: Record<string, Partial<DlpPolicy>>} {
	const config = stored(env);
	const pick = (value: {secrets?: unknown; personal?: unknown} | undefined): Partial<DlpPolicy> => ({
		...(isAction(value?.secrets) ? {secrets: value.secrets} : {}),
		...(isAction(value?.personal) ? {personal: value.personal} : {}),
	});
	const projects: Record<string, Partial<DlpPolicy>> = {};
	for (const [root, value] of Object.entries(config.projects ?? {})) projects[root] = pick(value);
	return {global: pick(config), projects};
}

/** The project a directory belongs to: the nearest ancestor holding `.git`, else the directory itself. */
export function projectRoot(dir: string): string {
	let current = path.resolve(dir);
	for (;;) {
		if (fs.existsSync(path.join(current, '.git'))) return current;
		const parent = path.dirname(current);
		if (parent === current) return path.resolve(dir);
		current = parent;
	}
}
