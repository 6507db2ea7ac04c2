/**
 * The canonical rules of a repository: Markdown files in `.sfs/rules/` plus `.sfs/rules/config.json`
 * naming the target tools. Committed with the code; everything sfs compiles comes from here.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../errors.js';
import {isRulesTool, RULES_TOOLS, type RulesTool} from './tools.js';

export type RulesConfig = {version: 1; tools: RulesTool[]};
export type RuleFile = {name: string; text: string};
export type CanonicalRules = {
	root: string;
	config: RulesConfig;
	files: RuleFile[];
	/** What every full target carries between its markers: the rule files in name order, LF line ends. */
	body: string;
	/** sha256 of the body (hex). */
	hash: string;
};

export const RULES_DIR = path.join('.sfs', 'rules');
export const CONFIG_FILE = 'config.json';

/** The repository root above `cwd` (the nearest directory holding `.git`), else `cwd` itself. */
export function repoRoot(cwd: string): string {
	const start = path.resolve(cwd);
	for (let dir = start; ; dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, '.git'))) return dir;
		if (path.dirname(dir) === dir) return start;
	}
}

export function rulesDir(root: string): string {
	return path.join(root, RULES_DIR);
}

export function configPathOf(root: string): string {
	return path.join(rulesDir(root), CONFIG_FILE);
}

export function hasRules(root: string): boolean {
	return fs.existsSync(configPathOf(root));
}

/** The canonical rules of the repository at `root`, or undefined when it has none (no config.json). */
export function loadRules(root: string): CanonicalRules | undefined {
	const configFile = configPathOf(root);
	let raw: string;
	try {
		raw = fs.readFileSync(configFile, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new SfsError('IO', `cannot read ${configFile}: ${(error as Error).message}`);
	}

	const config = parseConfig(raw, configFile);
	const files = readRuleFiles(root);
	const body = rulesBody(files);
	return {root, config, files, body, hash: sha256(body)};
}

export function parseConfig(raw: string, where: string): RulesConfig {
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch (error) {
		throw new SfsError('USAGE', `${where} is not valid JSON: ${(error as Error).message.split('\n', 1)[0]}`, {hint: 'fix it, or remove it and run sfs rules init'});
	}

	const tools = (value as {tools?: unknown} | null)?.tools;
	if (!Array.isArray(tools)) throw new SfsError('USAGE', `${where}: "tools" must be a list of tool ids`, {hint: `known: ${RULES_TOOLS.join(', ')}`});
	const unknown = tools.filter(tool => typeof tool !== 'string' || !isRulesTool(tool));
	if (unknown.length > 0) throw new SfsError('USAGE', `${where}: unknown tool ${JSON.stringify(unknown[0])}`, {hint: `known: ${RULES_TOOLS.join(', ')}`});
	return {version: 1, tools: sortTools(tools as RulesTool[])};
}

/** Tools in their canonical order, without repeats (config files and outputs stay stable). */
export function sortTools(tools: RulesTool[]): RulesTool[] {
	return RULES_TOOLS.filter(tool => tools.includes(tool));
}

export function saveConfig(root: string, config: RulesConfig): void {
	fs.mkdirSync(rulesDir(root), {recursive: true});
	writeRepoFile(configPathOf(root), `${JSON.stringify({version: 1, tools: sortTools(config.tools)}, null, 2)}\n`);
}

/** The `.md` files of `.sfs/rules/` in byte order of their names (not locale order: same on every machine). */
export function readRuleFiles(root: string): RuleFile[] {
	let names: string[];
	try {
		names = fs.readdirSync(rulesDir(root));
	} catch {
		return [];
	}

	return names
		.filter(name => name.endsWith('.md') && !name.startsWith('.'))
		.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
		.flatMap(name => {
			try {
				const file = path.join(rulesDir(root), name);
				return fs.statSync(file).isFile() ? [{name, text: fs.readFileSync(file, 'utf8')}] : [];
			} catch {
				return [];
			}
		});
}

export function rulesBody(files: RuleFile[]): string {
	const parts = files.map(file => normalizeText(file.text)).filter(Boolean);
	return parts.length > 0 ? `${parts.join('\n\n')}\n` : '';
}

/** LF line ends, no BOM, no trailing spaces at line ends, no blank lines at either end. */
export function normalizeText(text: string): string {
	return text
		.replace(/^\uFEFF/, '')
		.replace(/\r\n?/g, '\n')
		.split('\n')
		.map(line => line.trimEnd())
		.join('\n')
		.replace(/^\n+|\n+$/g, '');
}

export function sha256(text: string | Uint8Array): string {
	return createHash('sha256').update(text).digest('hex');
}

/**
 * Writes a file that belongs to the repository: atomically (temp + rename), readable like any other
 * source file (0644 unless the file had its own mode), parent directories created as needed.
 */
export function writeRepoFile(target: string, data: string): void {
	fs.mkdirSync(path.dirname(target), {recursive: true});
	let mode = 0o644;
	try {
		mode = fs.statSync(target).mode & 0o777;
	} catch {}

	const temp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
	fs.writeFileSync(temp, data, {mode});
	try {
		fs.chmodSync(temp, mode);
		fs.renameSync(temp, target);
	} catch (error) {
		fs.rmSync(temp, {force: true});
		throw error;
	}
}
