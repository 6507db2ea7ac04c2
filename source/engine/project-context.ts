/**
 * Project context: one Markdown document per git repository, kept in the sfs data dir (not in the
 * repository). A repository is keyed by its normalized remote URL, so every clone and worktree of it
 * shares one document; a repository without a remote is keyed by its root path.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {writeFileAtomic, writeJsonAtomic} from './fs-atomic.js';
import {dataDir, type Env} from './paths.js';
import {repoRoot, sha256} from './rules/canonical.js';

export type ProjectKey = {
	/** `remote:github.com/owner/repo` or `path:/abs/root`. */
	key: string;
	root: string;
	remote: string | null;
};

export type ProjectContext = ProjectKey & {path: string; text: string | null; updated_at: string | null};

/** `git@github.com:Owner/repo.git`, `https://user@GitHub.com/Owner/repo/` and `ssh://git@github.com:22/Owner/repo` → `github.com/Owner/repo`. */
export function normalizeRemote(url: string): string {
	const trimmed = url.trim().replace(/\/+$/, '').replace(/\.git$/, '');
	const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(trimmed);
	if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return `${scp[1]!.toLowerCase()}/${scp[2]!.replace(/^\/+/, '')}`;
	try {
		const parsed = new URL(trimmed);
		if (parsed.protocol === 'file:') return path.resolve(decodeURIComponent(parsed.pathname));
		return `${parsed.hostname.toLowerCase()}${decodeURIComponent(parsed.pathname).replace(/\/+$/, '')}`;
	} catch {
		return path.resolve(trimmed);
	}
}

function git(cwd: string, args: string[]): string | undefined {
	try {
		return execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000}).trim() || undefined;
	} catch {
		return undefined;
	}
}

/** The project `cwd` belongs to: its git root and remote (origin, else the first remote). */
export function projectKey(cwd: string): ProjectKey {
	const root = git(cwd, ['rev-parse', '--show-toplevel']) ?? repoRoot(cwd);
	const remoteName = git(root, ['remote'])?.split('\n').sort((a, b) => (a === 'origin' ? -1 : b === 'origin' ? 1 : 0))[0];
	const url = remoteName ? git(root, ['remote', 'get-url', remoteName]) : undefined;
	const remote = url ? normalizeRemote(url) : null;
	return {key: remote ? `remote:${remote}` : `path:${path.resolve(root)}`, root: path.resolve(root), remote};
}

export function projectsDir(env: Env = process.env): string {
	return path.join(dataDir(env), 'projects');
}

function fileStem(key: string): string {
	return sha256(key).slice(0, 20);
}

export function contextPath(key: string, env: Env = process.env): string {
	return path.join(projectsDir(env), `${fileStem(key)}.md`);
}

export function readContext(project: ProjectKey, env: Env = process.env): ProjectContext {
	const file = contextPath(project.key, env);
	try {
		const text = fs.readFileSync(file, 'utf8');
		return {...project, path: file, text, updated_at: fs.statSync(file).mtime.toISOString()};
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {...project, path: file, text: null, updated_at: null};
		throw error;
	}
}

/** Replaces the document (and its sidecar naming the project, so the data dir stays readable). */
export function writeContext(project: ProjectKey, text: string, env: Env = process.env, now = new Date()): ProjectContext {
	const file = contextPath(project.key, env);
	const normalized = text.endsWith('\n') || text === '' ? text : `${text}\n`;
	writeFileAtomic(file, normalized, {durable: true});
	writeJsonAtomic(file.replace(/\.md$/, '.json'), {key: project.key, remote: project.remote, root: project.root, updated_at: now.toISOString()});
	return readContext(project, env);
}

/** Creates the document from a short template unless it exists; returns it and whether it was created. */
export function initContext(project: ProjectKey, env: Env = process.env, now = new Date()): {context: ProjectContext; created: boolean} {
	const existing = readContext(project, env);
	if (existing.text !== null) return {context: existing, created: false};
	const name = project.remote ?? path.basename(project.root);
	const template = `# ${name}\n\nWhat every agent and teammate should know about this project: what it is for, how it is built, the conventions, and what is being worked on now.\n`;
	return {context: writeContext(project, template, env, now), created: true};
}
