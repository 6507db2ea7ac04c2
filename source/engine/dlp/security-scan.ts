/**
 * `sfs security scan` / `fix`: the local exposure of what sfs keeps. Checks:
 * - permissions: the data and config directories and everything under them are the user's own,
 *   directories 0700 and files 0600;
 * - config-secrets: config files holding tokens or API keys (sfs's own and the coding tools' auth
 *   and settings files) must not be readable by other users;
 * - socket: the daemon socket must not be reachable by other users;
 * - npm-audit: known vulnerabilities in sfs's own dependencies. Offline (or without a lockfile) the
 *   audit cannot run, and the report says "could not run", never "pass".
 * `fix` tightens modes (chmod only; nothing is deleted or moved). It does not run `npm audit fix`.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {configDir, dataDir, DIR_MODE, type Env, FILE_MODE, homeDir, runDir} from '../paths.js';
import {scanText} from './scanner.js';

export type CheckId = 'permissions' | 'config-secrets' | 'socket' | 'npm-audit';
export type Issue = {path?: string; problem: string; fix?: string; fixable: boolean; fixed?: boolean};
export type CheckResult = {id: CheckId; title: string; status: 'pass' | 'fail' | 'could-not-run'; issues: Issue[]; detail?: string};
export type SecurityReport = {checks: CheckResult[]; ok: boolean; complete: boolean};

type Fix = () => void;
type Found = {issue: Issue; fix?: Fix};

const mode = (stat: fs.Stats) => stat.mode & 0o777;
const octal = (value: number) => `0${value.toString(8).padStart(3, '0')}`;

function lstat(file: string): fs.Stats | undefined {
	try {
		return fs.lstatSync(file);
	} catch {
		return undefined;
	}
}

function chmodFix(file: string, wanted: number): Fix {
	return () => fs.chmodSync(file, wanted);
}

/** Directories 0700, files 0600, owned by us, for the whole tree under `root` (links are not followed). */
function permissionFindings(root: string, uid: number | undefined): Found[] {
	const found: Found[] = [];
	const visit = (file: string, depth: number) => {
		const stat = lstat(file);
		if (!stat || stat.isSymbolicLink() || stat.isSocket()) return;
		if (uid !== undefined && stat.uid !== uid) {
			found.push({issue: {path: file, problem: `owned by uid ${stat.uid}, not you (uid ${uid})`, fixable: false}});
		}

		const wanted = stat.isDirectory() ? DIR_MODE : FILE_MODE;
		if ((mode(stat) & 0o077) !== 0) {
			found.push({
				issue: {path: file, problem: `${stat.isDirectory() ? 'directory' : 'file'} mode ${octal(mode(stat))}: other users can ${(mode(stat) & 0o044) !== 0 ? 'read' : 'reach'} it`, fix: `chmod ${octal(wanted)}`, fixable: true},
				fix: chmodFix(file, wanted),
			});
		}

		if (stat.isDirectory() && depth < 8) {
			let names: string[] = [];
			try {
				names = fs.readdirSync(file);
			} catch {}

			for (const name of names) visit(path.join(file, name), depth + 1);
		}
	};

	visit(root, 0);
	return found;
}

/** Files that commonly hold tokens: sfs's config and the coding tools' credentials and settings. */
export function credentialFiles(env: Env): string[] {
	const home = homeDir(env);
	const claude = env.CLAUDE_CONFIG_DIR ?? path.join(home, '.claude');
	const codex = env.CODEX_HOME ?? path.join(home, '.codex');
	const gemini = path.join(env.GEMINI_CLI_HOME ?? home, '.gemini');
	const copilot = env.COPILOT_HOME ?? path.join(home, '.copilot');
	return [
		path.join(configDir(env), 'config.json'),
		path.join(claude, '.credentials.json'),
		path.join(claude, 'settings.json'),
		path.join(home, '.claude.json'),
		path.join(codex, 'auth.json'),
		path.join(codex, 'config.toml'),
		path.join(gemini, 'settings.json'),
		path.join(gemini, 'oauth_creds.json'),
		path.join(gemini, '.env'),
		path.join(copilot, 'config.json'),
		path.join(home, '.npmrc'),
	];
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function configSecretFindings(env: Env): Found[] {
	const found: Found[] = [];
	for (const file of [...new Set(credentialFiles(env))]) {
		const stat = lstat(file);
		if (!stat?.isFile() || (mode(stat) & 0o044) === 0 || stat.size > MAX_CONFIG_BYTES) continue;
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch {
			continue;
		}

		const secrets = scanText(text).findings.filter(finding => finding.kind === 'secret');
		// Auth files are secret by purpose even when their token has no known shape.
		const isAuthFile = /(?:credentials|auth|oauth_creds)\.json$|\.env$/.test(file);
		if (secrets.length === 0 && !isAuthFile) continue;
		const what = secrets.length > 0 ? `holds ${secrets.length} secret(s) (${[...new Set(secrets.map(finding => finding.pattern))].join(', ')})` : 'is a credentials file';
		found.push({
			issue: {path: file, problem: `${what} and is readable by other users (mode ${octal(mode(stat))})`, fix: 'chmod 0600', fixable: true},
			fix: chmodFix(file, FILE_MODE),
		});
	}

	return found;
}

function socketFindings(env: Env): Found[] {
	const found: Found[] = [];
	const dir = runDir(env);
	let names: string[] = [];
	try {
		names = fs.readdirSync(dir);
	} catch {
		return found;
	}

	// Reaching a socket takes search permission on every directory above it, and write permission on it.
	const chain = [dataDir(env), dir];
	const reachable = chain.every(part => {
		const stat = lstat(part);
		return stat !== undefined && (mode(stat) & 0o011) !== 0;
	});
	for (const name of names) {
		const file = path.join(dir, name);
		const stat = lstat(file);
		if (!stat?.isSocket() || (mode(stat) & 0o022) === 0 || !reachable) continue;
		found.push({
			issue: {path: file, problem: `socket mode ${octal(mode(stat))} in directories other users can enter: they can send it commands`, fix: 'chmod 0600 (and 0700 on its directories)', fixable: true},
			fix() {
				fs.chmodSync(file, FILE_MODE);
				for (const part of chain) fs.chmodSync(part, DIR_MODE);
			},
		});
	}

	return found;
}

/** The folder of sfs's own package.json (dist/engine/dlp → the package root). */
export function packageRoot(): string | undefined {
	let dir = path.dirname(fileURLToPath(import.meta.url));
	for (let depth = 0; depth < 6; depth++) {
		try {
			const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {name?: string};
			if (manifest.name === 'sfs') return dir;
		} catch {}

		dir = path.dirname(dir);
	}

	return undefined;
}

type AuditCounts = Record<'info' | 'low' | 'moderate' | 'high' | 'critical' | 'total', number>;

/** Runs `npm audit --json --omit=dev` in sfs's package folder; could-not-run when offline, without a lockfile, or without npm. */
export async function npmAudit(env: Env, options: {cwd?: string; timeoutMs?: number} = {}): Promise<CheckResult> {
	const base = {id: 'npm-audit' as const, title: "npm audit of sfs's own dependencies"};
	const cwd = options.cwd ?? packageRoot();
	if (!cwd) return {...base, status: 'could-not-run', issues: [], detail: "could not find sfs's package.json"};
	const result = await new Promise<{stdout: string; stderr: string; error?: {code?: string | number | null; killed?: boolean}}>(resolve => {
		execFile('npm', ['audit', '--json', '--omit=dev'], {cwd, env: {...env}, timeout: options.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024}, (error, stdout, stderr) => {
			resolve({stdout: String(stdout), stderr: String(stderr), error: error ?? undefined});
		});
	});
	if (result.error?.code === 'ENOENT') return {...base, status: 'could-not-run', issues: [], detail: 'npm is not on PATH'};
	if (result.error?.killed) return {...base, status: 'could-not-run', issues: [], detail: 'npm audit timed out'};
	let report: {message?: string; error?: {code?: string; summary?: string}; metadata?: {vulnerabilities?: Partial<AuditCounts>}; vulnerabilities?: Record<string, {severity?: string; via?: unknown[]; fixAvailable?: unknown}>};
	try {
		report = JSON.parse(result.stdout) as typeof report;
	} catch {
		const why = (result.stderr.trim().split('\n').find(line => /err/i.test(line)) ?? result.stderr.trim().split('\n')[0] ?? 'no output').slice(0, 200);
		return {...base, status: 'could-not-run', issues: [], detail: `npm audit gave no report: ${why}`};
	}

	if (report.error || !report.metadata?.vulnerabilities) {
		const stderrLine = result.stderr.split('\n').find(line => /^npm (?:error|ERR!)/.test(line) && !/complete log/.test(line));
		const why = report.message ?? (report.error?.summary ? `${report.error.code ?? 'error'}: ${report.error.summary.split('\n')[0]}` : undefined) ?? stderrLine ?? 'no vulnerability counts in the report';
		return {...base, status: 'could-not-run', issues: [], detail: `npm audit failed (${why.slice(0, 200)})`};
	}

	const counts = report.metadata.vulnerabilities;
	const issues: Issue[] = Object.entries(report.vulnerabilities ?? {}).map(([name, vulnerability]) => ({
		path: name,
		problem: `${vulnerability.severity ?? 'unknown'} severity vulnerability in ${name}`,
		fix: vulnerability.fixAvailable ? 'npm audit fix (in the sfs install folder), or upgrade sfs' : 'no fix available yet',
		fixable: false,
	}));
	const total = counts.total ?? issues.length;
	return {
		...base,
		status: total > 0 ? 'fail' : 'pass',
		issues,
		detail: `${total} vulnerabilit${total === 1 ? 'y' : 'ies'} (critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0})`,
	};
}

export type SecurityOptions = {env?: Env; fix?: boolean; audit?: boolean; auditCwd?: string; auditTimeoutMs?: number};

/** Runs every check; with `fix`, applies the fixes and reports what was fixed. */
export async function securityScan(options: SecurityOptions = {}): Promise<SecurityReport> {
	const env = options.env ?? process.env;
	const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
	const roots = [...new Set([dataDir(env), configDir(env)])].filter(root => lstat(root));
	const groups: Array<{id: CheckId; title: string; found: Found[]}> = [
		{id: 'permissions', title: 'permissions of the data and config directories (0700) and files (0600)', found: roots.flatMap(root => permissionFindings(root, uid))},
		{id: 'config-secrets', title: 'tokens or API keys in config files readable by other users', found: configSecretFindings(env)},
		{id: 'socket', title: 'daemon socket closed to other users', found: socketFindings(env)},
	];
	const checks: CheckResult[] = groups.map(group => {
		const issues = group.found.map(({issue, fix}) => {
			if (!options.fix || !fix) return issue;
			try {
				fix();
				return {...issue, fixed: true};
			} catch (error) {
				return {...issue, problem: `${issue.problem}; fix failed: ${(error as Error).message}`};
			}
		});
		return {id: group.id, title: group.title, status: issues.every(issue => issue.fixed) ? 'pass' : 'fail', issues};
	});
	if (options.audit !== false) checks.push(await npmAudit(env, {cwd: options.auditCwd, timeoutMs: options.auditTimeoutMs}));
	else checks.push({id: 'npm-audit', title: "npm audit of sfs's own dependencies", status: 'could-not-run', issues: [], detail: 'skipped (--no-audit)'});
	return {checks, ok: checks.every(check => check.status !== 'fail'), complete: checks.every(check => check.status !== 'could-not-run')};
}
