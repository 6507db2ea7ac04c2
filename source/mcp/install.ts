/**
 * `sfs mcp install|uninstall`: registers `sfs mcp serve` in each agent's own MCP config (see
 * install-targets.ts), with the absolute paths of node and sfs's cli.js so it works whatever the
 * agent's PATH. Idempotent: an entry already right is left alone (no write, no backup); a stale sfs
 * entry is repaired (keys the user added to it are kept); other servers and keys are never touched;
 * a file that cannot be read is reported and left as it was; a backup precedes every change.
 * Each entry pins the installing shell's store in its `env` (store-env.ts): an entry pinning another
 * store, or none where one is needed, is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {SfsError} from '../engine/errors.js';
import {backupFile, formatJsonLike, hasComments, type JsonObject, parseJsonObject, readText, writeConfigAtomic} from './config-file.js';
import {INSTALL_TOOLS, type InstallTool, type Place, type Scope, type ServerCommand, TARGETS, type Target} from './install-targets.js';
import {mergedEnvironment, PINNED_VARIABLES, type PinnedEnv, pinnedEnvironment} from './store-env.js';
import {readTomlTable, removeTomlTable, tomlArray, tomlString, tomlStringValue, upsertTomlTable} from './toml-table.js';

export const ENTRY_NAME = 'sfs';

export type Change = {
	tool: InstallTool;
	file: string;
	action: 'added' | 'repaired' | 'unchanged' | 'removed' | 'absent' | 'failed';
	backup?: string;
	/** install: the store variables the entry pins (empty for a default set-up). */
	pinned?: PinnedEnv;
	error?: string;
};

export type InstallOptions = {scope: Scope; place: Place; server?: ServerCommand; now?: Date};

/** node plus the absolute, symlink-resolved cli.js of this sfs (dist/cli.js next to dist/mcp/). */
export function defaultServerCommand(): ServerCommand {
	const here = path.dirname(fileURLToPath(import.meta.url));
	// From dist/mcp/ the CLI is ../cli.js; from source/mcp/ (tests, tsx) the built one is ../../dist/cli.js.
	const candidates = [path.resolve(here, '..', 'cli.js'), path.resolve(here, '..', '..', 'dist', 'cli.js')];
	const cli = candidates.find(file => fs.existsSync(file));
	if (!cli) throw new SfsError('NOT_INSTALLED', 'cannot find sfs\'s cli.js to register', {hint: 'build sfs first (npm run build)'});
	return {command: process.execPath, args: [fs.realpathSync(cli), 'mcp', 'serve']};
}

export function toolsFor(value: string): InstallTool[] {
	if (value === 'all') return [...INSTALL_TOOLS];
	const tools = value.split(',').map(item => item.trim()).filter(Boolean);
	for (const tool of tools) {
		if (!(INSTALL_TOOLS as readonly string[]).includes(tool)) {
			throw new SfsError('USAGE', `unknown tool ${JSON.stringify(tool)} for --for`, {hint: `use one of ${INSTALL_TOOLS.join(', ')} or all`});
		}
	}

	return tools as InstallTool[];
}

export function install(tools: InstallTool[], options: InstallOptions): Change[] {
	const command = options.server ?? defaultServerCommand();
	const pinned = pinnedEnvironment(options.place.env, options.place.platform);
	const server = {...command, env: pinned};
	return each(tools, options, (target, file) => ({
		...(target.format === 'toml' ? installToml(target, file, server, options) : installJson(target, file, server, options)),
		pinned,
	}));
}

export function uninstall(tools: InstallTool[], options: InstallOptions): Change[] {
	return each(tools, options, (target, file) => (target.format === 'toml' ? uninstallToml(target, file, options) : uninstallJson(target, file, options)));
}

function each(tools: InstallTool[], options: InstallOptions, apply: (target: Target, file: string) => Omit<Change, 'tool' | 'file'>): Change[] {
	const changes: Change[] = [];
	for (const tool of tools) {
		const target = TARGETS[tool];
		let files: string[];
		try {
			files = target.files(options.scope, options.place);
		} catch (error) {
			// A single tool asked for an unsupported scope is a usage error; within --for all it is skipped and reported.
			if (tools.length === 1) throw error;
			changes.push({tool, file: '-', action: 'failed', error: error instanceof Error ? error.message : String(error)});
			continue;
		}

		for (const file of files) {
			try {
				changes.push({tool, file, ...apply(target, file)});
			} catch (error) {
				const message = error instanceof SfsError && error.hint ? `${error.message} (${error.hint})` : error instanceof Error ? error.message : String(error);
				changes.push({tool, file, action: 'failed', error: message});
			}
		}
	}

	return changes;
}

function installJson(target: Target, file: string, server: ServerCommand, options: InstallOptions): Omit<Change, 'tool' | 'file'> {
	const text = readText(file);
	let data: JsonObject;
	try {
		data = parseJsonObject(text, file);
	} catch (error) {
		// With comments the file is fine for its tool; say exactly what to add by hand.
		if (text !== undefined && hasComments(text) && error instanceof SfsError) {
			throw new SfsError(error.code, error.message, {hint: `add under "${target.key[0]}": "${ENTRY_NAME}": ${JSON.stringify(target.entry(server, options.scope))}`});
		}

		throw error;
	}

	const servers = serversOf(data, target, file);
	const existing = servers?.[ENTRY_NAME];
	const next = nextEntry(existing, target.entry(server, options.scope), server.env ?? {});
	if (existing !== undefined && deepEqual(existing, next)) return {action: 'unchanged'};
	const backup = backupFile(file, options.now);
	const updated: JsonObject = {...data, [target.key[0]!]: {...servers, [ENTRY_NAME]: next}};
	writeConfigAtomic(file, formatJsonLike(updated, text));
	return {action: existing === undefined ? 'added' : 'repaired', ...(backup ? {backup} : {})};
}

/** The entry repaired: ours set, the user's other keys and env variables kept, env variables pinning another store dropped. */
function nextEntry(existing: unknown, wanted: JsonObject, pinned: PinnedEnv): JsonObject {
	if (!isObject(existing)) return wanted;
	const next: JsonObject = {...existing, ...wanted};
	const current = isObject(existing.env) ? existing.env : undefined;
	const env = mergedEnvironment(current, pinned);
	if (Object.keys(env).length > 0) next.env = env;
	else if (wanted.env !== undefined || (current && Object.keys(current).length === 0)) next.env = {};
	else delete next.env;
	return next;
}

function uninstallJson(target: Target, file: string, options: InstallOptions): Omit<Change, 'tool' | 'file'> {
	const text = readText(file);
	if (text === undefined) return {action: 'absent'};
	const data = parseJsonObject(text, file);
	const servers = serversOf(data, target, file);
	if (!servers || !Object.hasOwn(servers, ENTRY_NAME)) return {action: 'absent'};
	const backup = backupFile(file, options.now);
	const {[ENTRY_NAME]: _removed, ...rest} = servers;
	writeConfigAtomic(file, formatJsonLike({...data, [target.key[0]!]: rest}, text));
	return {action: 'removed', ...(backup ? {backup} : {})};
}

function serversOf(data: JsonObject, target: Target, file: string): JsonObject | undefined {
	const value = data[target.key[0]!];
	if (value === undefined || value === null) return undefined;
	if (!isObject(value)) throw new SfsError('INVALID_SESSION', `${file}: "${target.key[0]}" is not an object; left as it was`, {hint: 'fix the file and run again'});
	return value;
}

function installToml(target: Target, file: string, server: ServerCommand, options: InstallOptions): Omit<Change, 'tool' | 'file'> {
	const text = readText(file) ?? '';
	const before = readTomlTable(text, target.key, file);
	const withCommand = upsertTomlTable(text, target.key, {command: tomlString(server.command), args: tomlArray(server.args)}, file);
	const next = pinTomlEnv(withCommand, [...target.key, 'env'], server.env ?? {}, file);
	if (next === text) return {action: 'unchanged'};
	const backup = backupFile(file, options.now);
	writeConfigAtomic(file, next);
	return {action: before ? 'repaired' : 'added', ...(backup ? {backup} : {})};
}

/** `[<entry>.env]` (what `codex mcp add --env` writes) with the pinned variables set and stale ones removed; untouched when right. */
function pinTomlEnv(text: string, envTable: string[], pinned: PinnedEnv, file: string): string {
	let current: Record<string, string> | undefined;
	try {
		current = readTomlTable(text, envTable, file);
	} catch (error) {
		// An env written inline (`env = {…}`, as Codex's docs show) is not rewritten here. With nothing to pin and
		// none of install's variables anywhere in the file, it is the user's own and needs no change.
		const ours = PINNED_VARIABLES.some(name => text.includes(name));
		if (error instanceof SfsError && error.code === 'CONFLICT' && Object.keys(pinned).length === 0 && !ours) return text;
		throw error;
	}

	const changes: Record<string, string | undefined> = {};
	for (const name of PINNED_VARIABLES) {
		const wanted = pinned[name];
		const have = current?.[name];
		if (wanted !== undefined && (have === undefined || tomlStringValue(have) !== wanted)) changes[name] = tomlString(wanted);
		if (wanted === undefined && have !== undefined) changes[name] = undefined;
	}

	if (Object.keys(changes).length === 0) return text;
	const next = upsertTomlTable(text, envTable, changes, file);
	// A table that held only variables install owned goes with them.
	const left = readTomlTable(next, envTable, file);
	return left && Object.keys(left).length === 0 && Object.keys(pinned).length === 0 ? removeTomlTable(next, envTable, file) : next;
}

function uninstallToml(target: Target, file: string, options: InstallOptions): Omit<Change, 'tool' | 'file'> {
	const text = readText(file);
	if (text === undefined) return {action: 'absent'};
	const next = removeTomlTable(text, target.key, file);
	if (next === text) return {action: 'absent'};
	const backup = backupFile(file, options.now);
	writeConfigAtomic(file, next);
	return {action: 'removed', ...(backup ? {backup} : {})};
}

function isObject(value: unknown): value is JsonObject {
	return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (Array.isArray(a) || Array.isArray(b)) {
		return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
	}

	if (isObject(a) && isObject(b)) {
		const keys = Object.keys(a);
		return keys.length === Object.keys(b).length && keys.every(key => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
	}

	return false;
}
