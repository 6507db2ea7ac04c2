/**
 * `sfs doctor`: health checks, each with a verdict and, where possible, a repair (`--fix`).
 * Checks look before they open anything that would repair on its own (opening the engine rebuilds
 * a missing index and clears temp files), so the report says what was found.
 */
import fs from 'node:fs';
import path from 'node:path';
import {loadAdapters, plainAdapterContext} from '../capture-run.js';
import {loadConfig} from '../config.js';
import {pidAlive} from '../lock.js';
import {type Engine, openEngine, rebuildEngineIndex} from '../open-engine.js';
import {dataDir, DIR_MODE, type Env, FILE_MODE, homeDir, indexPath, sessionsDir} from '../paths.js';
import {connectDaemon} from './client.js';
import {cleanStale} from './files.js';
import {daemonState} from './control.js';
import {errorLine} from '../errors.js';

export type Verdict = 'ok' | 'info' | 'warn' | 'fail';

export type CheckResult = {
	id: string;
	title: string;
	verdict: Verdict;
	detail: string;
	/** What to do about it (a command, or the setting to change). */
	hint?: string;
	/** --fix: what was repaired. */
	fixed?: string;
};

export type DoctorOptions = {
	env: Env;
	fix?: boolean;
	now?: Date;
	/** Also read every page of the index (SQLite's and FTS5's integrity checks): seconds per GB. */
	deep?: boolean;
	/** Told before the deep check starts (it is the one long step). */
	onDeepCheck?: (indexBytes: number) => void;
};

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
	const {env} = options;
	const fix = options.fix === true;
	const results: CheckResult[] = [];
	results.push(checkTemps(env, fix));
	results.push(checkPermissions(env, fix));
	const indexFound = fs.existsSync(indexPath(env));
	let engine: Engine | undefined;
	try {
		engine = openEngine({env});
	} catch (error) {
		results.push({id: 'store', title: 'store readable', verdict: 'fail', detail: errorLine(error), hint: `check ${dataDir(env)}`});
	}

	if (engine) {
		try {
			results.push(checkStoreReadable(engine));
			results.push(...(await checkIndex(engine, indexFound, fix, options)));
			results.push(checkDrift(engine));
		} finally {
			engine.close();
		}
	}

	const daemon = await checkDaemon(env, fix);
	results.push(daemon.result);
	results.push(...(await checkSources(env, daemon.watching)));
	results.push(...checkRetention(env));
	results.push(checkDisk(env));
	return results;
}

// Temp files ------------------------------------------------------------------------------------

/** Temp files and directories sfs writers leave when killed: `.<name>.tmp-<pid>-…`, `index.db.rebuild-<pid>-…`, `.resume-plan-…`. */
function tempOwner(name: string): number | null | undefined {
	const atomic = /^\..+\.tmp-(?:deleted-)?(\d+)/.exec(name);
	if (atomic) return Number(atomic[1]);
	const rebuild = /^index\.db\.rebuild-(\d+)-/.exec(name);
	if (rebuild) return Number(rebuild[1]);
	if (name.startsWith('.resume-plan-')) return null; // No pid in the name: orphaned when older than an hour.
	return undefined;
}

export function findOrphanTemps(env: Env, now = Date.now()): string[] {
	const found: string[] = [];
	const look = (dir: string) => {
		let names: string[];
		try {
			names = fs.readdirSync(dir);
		} catch {
			return;
		}

		for (const name of names) {
			const owner = tempOwner(name);
			if (owner === undefined) continue;
			const file = path.join(dir, name);
			if (owner === null) {
				try {
					if (now - fs.statSync(file).mtimeMs > 3600_000) found.push(file);
				} catch {}
			} else if (!pidAlive(owner)) {
				found.push(file);
			}
		}
	};

	look(dataDir(env));
	look(sessionsDir(env));
	let ids: string[] = [];
	try {
		ids = fs.readdirSync(sessionsDir(env)).filter(name => !name.startsWith('.'));
	} catch {}

	for (const id of ids) look(path.join(sessionsDir(env), id));
	return found;
}

function checkTemps(env: Env, fix: boolean): CheckResult {
	const orphans = findOrphanTemps(env);
	const base = {id: 'temp-files', title: 'orphaned temp files'};
	if (orphans.length === 0) return {...base, verdict: 'ok', detail: 'none'};
	if (fix) {
		for (const file of orphans) fs.rmSync(file, {recursive: true, force: true});
		return {...base, verdict: 'ok', detail: `${orphans.length} left by killed writers`, fixed: `removed ${orphans.length}`};
	}

	return {...base, verdict: 'warn', detail: `${orphans.length} left by killed writers (first: ${orphans[0]})`, hint: 'sfs doctor --fix removes them'};
}

// Store ------------------------------------------------------------------------------------------

function checkPermissions(env: Env, fix: boolean): CheckResult {
	const root = dataDir(env);
	const base = {id: 'permissions', title: 'store permissions (0700 dirs, 0600 files)'};
	if (!fs.existsSync(root)) return {...base, verdict: 'info', detail: `${root} does not exist yet (created on first capture)`};
	const loose: string[] = [];
	const walk = (target: string) => {
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(target);
		} catch {
			return;
		}

		if (stat.isSymbolicLink()) return;
		if (stat.isDirectory()) {
			if ((stat.mode & 0o077) !== 0) loose.push(target);
			let names: string[] = [];
			try {
				names = fs.readdirSync(target);
			} catch {}

			for (const name of names) walk(path.join(target, name));
		} else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
			loose.push(target);
		}
	};

	walk(root);
	if (loose.length === 0) return {...base, verdict: 'ok', detail: root};
	if (fix) {
		for (const target of loose) {
			try {
				fs.chmodSync(target, fs.statSync(target).isDirectory() ? DIR_MODE : FILE_MODE);
			} catch {}
		}

		return {...base, verdict: 'ok', detail: `${loose.length} path(s) were readable by others`, fixed: `chmod-ed ${loose.length}`};
	}

	return {...base, verdict: 'fail', detail: `${loose.length} path(s) readable by others (first: ${loose[0]})`, hint: 'sfs doctor --fix sets 0700/0600'};
}

function checkStoreReadable(engine: Engine): CheckResult {
	const ids = engine.store.listIds();
	let unreadable = 0;
	let first: string | undefined;
	for (const id of ids) {
		try {
			engine.store.readManifest(id);
		} catch (error) {
			unreadable++;
			first ??= `${id}: ${errorLine(error)}`;
		}
	}

	const base = {id: 'store', title: 'store readable'};
	if (unreadable > 0) return {...base, verdict: 'fail', detail: `${unreadable} of ${ids.length} session(s) unreadable (${first})`, hint: `fix or remove the session directory under ${engine.store.sessionsRoot}`};
	return {...base, verdict: 'ok', detail: `${ids.length} session(s) in ${engine.store.dataRoot}`};
}

// Index ------------------------------------------------------------------------------------------

async function rebuildIndex(engine: Engine): Promise<number> {
	// A running daemon rebuilds (it holds the index open); otherwise rebuild here.
	const state = await daemonState(engine.env, 1000);
	if (state.state === 'running') {
		const client = await connectDaemon(engine.env);
		try {
			return (await client.request<{sessions: number}>('rebuild-index', undefined, {timeoutMs: 30 * 60_000})).sessions;
		} finally {
			client.close();
		}
	}

	return rebuildEngineIndex(engine);
}

function fts5Available(engine: Engine): boolean {
	try {
		engine.index.search('doctorprobe', {limit: 1});
		return true;
	} catch {
		return false;
	}
}

async function checkIndex(engine: Engine, existedBefore: boolean, fix: boolean, options: Pick<DoctorOptions, 'deep' | 'onDeepCheck'>): Promise<CheckResult[]> {
	const results: CheckResult[] = [];
	results.push(
		existedBefore
			? {id: 'index-present', title: 'index present', verdict: 'ok', detail: engine.index.path}
			: {id: 'index-present', title: 'index present', verdict: 'warn', detail: 'index.db was missing', fixed: 'rebuilt from the store on open'},
	);
	const fts = fts5Available(engine);
	results.push(
		fts
			? {id: 'fts5', title: 'full-text search (FTS5)', verdict: 'ok', detail: 'available'}
			: {id: 'fts5', title: 'full-text search (FTS5)', verdict: 'fail', detail: 'FTS5 queries fail on this index', hint: 'sfs index rebuild; if it persists, reinstall sfs (better-sqlite3 without FTS5)'},
	);

	const inStore = new Set(engine.store.listIds());
	const indexed = new Set(engine.index.listSessions({includeSubagents: true}).map(row => row.session_id));
	const missing = [...inStore].filter(id => !indexed.has(id));
	const extra = [...indexed].filter(id => !inStore.has(id));
	let behind = 0;
	for (const id of inStore) {
		if (!indexed.has(id)) continue;
		try {
			const count = engine.store.readManifest(id).stats?.message_count;
			if (count !== undefined && engine.index.getSession(id)?.message_count !== count) behind++;
		} catch {}
	}

	// Counts and FTS5 answering catch what capture and kills leave behind; a damaged page needs every page read.
	let healthy = true;
	if (options.deep) {
		options.onDeepCheck?.(engine.index.bytesOnDisk());
		healthy = engine.index.integrityOk();
	}

	const problems = [
		missing.length > 0 ? `${missing.length} session(s) not indexed` : '',
		extra.length > 0 ? `${extra.length} indexed session(s) gone from the store` : '',
		behind > 0 ? `${behind} session(s) with a stale message count` : '',
		healthy ? '' : 'integrity check failed',
	].filter(Boolean);
	const base = {id: 'index-consistent', title: 'index consistent with the store'};
	if (problems.length === 0 && fts) {
		results.push({...base, verdict: 'ok', detail: `${indexed.size} session(s)${options.deep ? '; every page checked' : '; pages not read (sfs doctor --deep)'}`});
		return results;
	}

	if (fix) {
		const sessions = await rebuildIndex(engine);
		results.push({...base, verdict: 'ok', detail: problems.join('; ') || 'FTS5 unusable', fixed: `rebuilt the index (${sessions} session(s))`});
	} else {
		results.push({...base, verdict: 'fail', detail: problems.join('; ') || 'FTS5 unusable', hint: 'sfs doctor --fix (or sfs index rebuild)'});
	}

	return results;
}

function checkDrift(engine: Engine): CheckResult {
	const counts = new Map<string, number>();
	for (const id of engine.store.listIds()) {
		try {
			const unknown = engine.store.readManifest(id).metadata?.unknown_records as Record<string, number> | undefined;
			for (const [key, count] of Object.entries(unknown ?? {})) {
				// Keys are "<tool>@<version>:<record type>".
				const at = key.lastIndexOf(':');
				const toolVersion = at === -1 ? key : key.slice(0, at);
				counts.set(toolVersion, (counts.get(toolVersion) ?? 0) + count);
			}
		} catch {}
	}

	const base = {id: 'format-drift', title: 'format drift (records of unknown type)'};
	if (counts.size === 0) return {...base, verdict: 'ok', detail: 'none'};
	const list = [...counts].sort((a, b) => b[1] - a[1]).map(([toolVersion, count]) => `${toolVersion}: ${count}`);
	return {
		...base,
		verdict: 'info',
		detail: list.slice(0, 6).join(', ') + (list.length > 6 ? `, +${list.length - 6} more` : ''),
		hint: 'kept as native_record messages; a newer sfs may understand them',
	};
}

// Daemon and sources ----------------------------------------------------------------------------

async function checkDaemon(env: Env, fix: boolean): Promise<{result: CheckResult; watching?: Set<string>}> {
	const state = await daemonState(env);
	const base = {id: 'daemon', title: 'daemon running and responsive'};
	switch (state.state) {
		case 'running': {
			const watching = new Set(state.status.watched.filter(root => root.watching).map(root => root.root));
			return {result: {...base, verdict: 'ok', detail: `pid ${state.status.pid}, up ${state.status.uptime_s}s, ${state.status.errors.count} error(s)`}, watching};
		}

		case 'unresponsive': {
			return {result: {...base, verdict: 'fail', detail: `pid ${state.pid} is alive but does not answer`, hint: 'sfs daemon restart'}};
		}

		case 'stale': {
			if (fix) {
				const removed = cleanStale(env);
				return {result: {...base, verdict: 'info', detail: 'not running (it was killed)', fixed: `removed ${removed.length} stale file(s)`, hint: 'sfs daemon start'}};
			}

			return {result: {...base, verdict: 'warn', detail: `not running, stale pid file/socket left (pid ${state.pid ?? '?'})`, hint: 'sfs doctor --fix cleans them; sfs daemon start'}};
		}

		default: {
			return {result: {...base, verdict: 'info', detail: 'not running (capture runs on demand)', hint: 'sfs daemon start (or sfs daemon install to start at login)'}};
		}
	}
}

async function checkSources(env: Env, watching: Set<string> | undefined): Promise<CheckResult[]> {
	const context = plainAdapterContext(env);
	const disabled = new Set(loadConfig(env).watchers?.disabled ?? []);
	const results: CheckResult[] = [];
	for (const adapter of await loadAdapters()) {
		const roots = adapter.roots(context);
		const found = roots.filter(root => fs.existsSync(root));
		const base = {id: `source:${adapter.id}`, title: `${adapter.name} store`};
		if (disabled.has(adapter.id)) {
			results.push({...base, verdict: 'info', detail: `disabled${found.length > 0 ? ` (store found: ${found[0]})` : ''}`, hint: `sfs watcher enable ${adapter.id}`});
			continue;
		}

		if (found.length === 0) {
			results.push({...base, verdict: 'info', detail: 'not found (tool not used here)'});
			continue;
		}

		if (!watching) {
			results.push({...base, verdict: 'ok', detail: `found: ${found[0]}${found.length > 1 ? ` (+${found.length - 1})` : ''}; no daemon watching`});
			continue;
		}

		const unwatched = found.filter(root => !watching.has(root));
		results.push(
			unwatched.length === 0
				? {...base, verdict: 'ok', detail: `found and watched: ${found[0]}${found.length > 1 ? ` (+${found.length - 1})` : ''}`}
				: {...base, verdict: 'warn', detail: `found but not watched: ${unwatched[0]}`, hint: 'sfs daemon restart (the daemon reads the sources at start)'},
		);
	}

	return results;
}

// Native retention --------------------------------------------------------------------------------

function readJson(file: string): Record<string, unknown> | undefined {
	try {
		const value = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function checkRetention(env: Env): CheckResult[] {
	const home = homeDir(env);
	const results: CheckResult[] = [];
	const claudeDir = env.CLAUDE_CONFIG_DIR || path.join(home, '.claude');
	if (fs.existsSync(claudeDir)) {
		const file = path.join(claudeDir, 'settings.json');
		const days = readJson(file)?.cleanupPeriodDays;
		const base = {id: 'retention:claude-code', title: 'Claude Code retention'};
		const effective = typeof days === 'number' ? days : 30;
		if (effective >= 3650) results.push({...base, verdict: 'ok', detail: `cleanupPeriodDays ${effective}`});
		else {
			results.push({
				...base,
				verdict: 'warn',
				detail: `Claude Code deletes transcripts older than ${effective} days at start-up (cleanupPeriodDays ${typeof days === 'number' ? days : 'unset, default 30'})`,
				hint: `set "cleanupPeriodDays": 36500 in ${file}; sfs keeps what it captured before then`,
			});
		}
	}

	const geminiDir = path.join(env.GEMINI_CLI_HOME || home, '.gemini');
	if (fs.existsSync(geminiDir)) {
		const file = path.join(geminiDir, 'settings.json');
		const settings = readJson(file);
		const general = settings?.general as Record<string, unknown> | undefined;
		const retention = (general?.sessionRetention ?? settings?.sessionRetention) as {enabled?: boolean; maxAge?: string} | undefined;
		const base = {id: 'retention:gemini', title: 'Gemini CLI retention'};
		if (retention?.enabled === false) results.push({...base, verdict: 'ok', detail: 'sessionRetention disabled'});
		else {
			results.push({
				...base,
				verdict: 'warn',
				detail: `Gemini CLI deletes sessions older than ${retention?.maxAge ?? '30d'} (and any it cannot parse) at start-up`,
				hint: `set "general": {"sessionRetention": {"enabled": false}} in ${file}; sfs keeps what it captured before then`,
			});
		}
	}

	return results;
}

// Disk ---------------------------------------------------------------------------------------------

function checkDisk(env: Env): CheckResult {
	let target = dataDir(env);
	while (!fs.existsSync(target) && path.dirname(target) !== target) target = path.dirname(target);
	const base = {id: 'disk', title: 'disk space'};
	try {
		const stats = fs.statfsSync(target);
		const free = stats.bavail * stats.bsize;
		const total = stats.blocks * stats.bsize;
		const detail = `${(free / 1024 ** 3).toFixed(1)} GiB free of ${(total / 1024 ** 3).toFixed(1)} GiB`;
		if (free < 256 * 1024 ** 2) return {...base, verdict: 'fail', detail, hint: 'free some space: capture stops when the disk is full'};
		if (free < 1024 ** 3 || free / total < 0.05) return {...base, verdict: 'warn', detail, hint: 'sfs storage prune can remove old sessions'};
		return {...base, verdict: 'ok', detail};
	} catch (error) {
		return {...base, verdict: 'info', detail: `unknown (${errorLine(error)})`};
	}
}
