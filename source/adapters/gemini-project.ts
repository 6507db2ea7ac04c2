/**
 * Gemini CLI's project identifier (v0.29+): the directory name under `~/.gemini/tmp/` (and `history/`) that holds a
 * project's chats, registered in `~/.gemini/projects.json` (`{"projects": {"/abs/root": "<slug>"}}`) and claimed by a
 * `.project_root` marker holding the absolute root. Resolved the way Gemini's own ProjectRegistry.getShortId does,
 * under the same lock (proper-lockfile's `<registry>.lock` directory), so the CLI later finds the same slug.
 */
import {randomUUID} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {isObject} from './gemini-parts.js';

const PROJECT_ROOT_FILE = '.project_root';
const SLUG = /^[a-z\d-]+$/;
const LOCK_TIMEOUT_MS = 10_000;
const LOCK_RETRY_MS = 100;
/** proper-lockfile's default: a lock not refreshed for this long is abandoned. */
const LOCK_STALE_MS = 10_000;

type Registry = {projects: Record<string, string>};

/** Gemini's slugify: lower case, every other character → '-', dashes collapsed and trimmed, empty → "project". */
export function geminiSlugify(text: string): string {
	return (
		text
			.toLowerCase()
			.replaceAll(/[^a-z\d]/g, '-')
			.replaceAll(/-+/g, '-')
			.replaceAll(/^-|-$/g, '') || 'project'
	);
}

function isCode(error: unknown, code: string): boolean {
	return isObject(error) && error.code === code;
}

async function readText(file: string): Promise<string | undefined> {
	try {
		return await fs.readFile(file, 'utf8');
	} catch (error) {
		if (isCode(error, 'ENOENT')) return undefined;
		throw error;
	}
}

/** The registry, or an empty one where Gemini would reset it (missing, not JSON, a value that is not a slug). */
async function loadRegistry(file: string): Promise<Registry> {
	const text = await readText(file);
	if (text === undefined) return {projects: {}};
	try {
		const parsed: unknown = JSON.parse(text);
		if (isObject(parsed) && isObject(parsed.projects) && Object.values(parsed.projects).every(value => typeof value === 'string' && SLUG.test(value))) {
			return {projects: {...(parsed.projects as Record<string, string>)}};
		}
	} catch {}

	return {projects: {}};
}

async function saveRegistry(file: string, registry: Registry): Promise<void> {
	await fs.mkdir(path.dirname(file), {recursive: true});
	const temporary = `${file}.${randomUUID()}.tmp`;
	await fs.writeFile(temporary, JSON.stringify(registry, null, 2), 'utf8');
	try {
		await fs.rename(temporary, file);
	} catch (error) {
		await fs.rm(temporary, {force: true});
		throw error;
	}
}

async function withRegistryLock<T>(file: string, work: () => Promise<T>): Promise<T> {
	const lock = `${file}.lock`;
	const deadline = Date.now() + LOCK_TIMEOUT_MS;
	for (;;) {
		try {
			await fs.mkdir(lock);
			break;
		} catch (error) {
			if (!isCode(error, 'EEXIST')) throw error;
			const stat = await fs.stat(lock).catch(() => undefined);
			if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) {
				await fs.rm(lock, {recursive: true, force: true});
				continue;
			}

			if (Date.now() > deadline) throw new SfsError('CONFLICT', `${file} is locked by another process (${lock})`, {hint: 'close the Gemini CLI sessions that are starting and try again'});
			await new Promise(resolve => setTimeout(resolve, LOCK_RETRY_MS));
		}
	}

	try {
		return await work();
	} finally {
		await fs.rm(lock, {recursive: true, force: true});
	}
}

async function markerOwner(baseDir: string, slug: string): Promise<string | undefined> {
	return (await readText(path.join(baseDir, slug, PROJECT_ROOT_FILE)))?.trim();
}

/** Writes the missing `.project_root` markers; returns the files created. Throws CONFLICT when another root owns the slug. */
async function ensureMarkers(baseDirs: string[], slug: string, root: string): Promise<string[]> {
	const created: string[] = [];
	for (const baseDir of baseDirs) {
		const marker = path.join(baseDir, slug, PROJECT_ROOT_FILE);
		await fs.mkdir(path.dirname(marker), {recursive: true});
		try {
			await fs.writeFile(marker, root, {encoding: 'utf8', flag: 'wx'});
			created.push(marker);
		} catch (error) {
			if (!isCode(error, 'EEXIST')) throw error;
			const owner = await markerOwner(baseDir, slug);
			if (owner !== root) throw new SfsError('CONFLICT', `Gemini project directory ${slug} belongs to ${owner}`);
		}
	}

	return created;
}

async function ownedBy(baseDirs: string[], slug: string, root: string): Promise<boolean> {
	for (const baseDir of baseDirs) {
		const owner = await markerOwner(baseDir, slug).catch(() => 'unreadable');
		if (owner !== undefined && owner !== root) return false;
	}

	return true;
}

async function findSlugByMarker(baseDirs: string[], root: string): Promise<string | undefined> {
	for (const baseDir of baseDirs) {
		let names: string[];
		try {
			names = await fs.readdir(baseDir);
		} catch {
			continue;
		}

		for (const name of names) {
			if ((await markerOwner(baseDir, name).catch(() => undefined)) === root) return name;
		}
	}

	return undefined;
}

/** A new slug from the directory name (`-1`, `-2`… when taken), its markers written into `files`. */
async function claimSlug(baseDirs: string[], root: string, taken: Set<string>, files: string[]): Promise<string> {
	const base = geminiSlugify(path.basename(root) || 'project');
	for (let counter = 0; ; counter++) {
		const candidate = counter === 0 ? base : `${base}-${counter}`;
		if (taken.has(candidate) || !(await ownedBy(baseDirs, candidate, root))) continue;
		try {
			files.push(...(await ensureMarkers(baseDirs, candidate, root)));
		} catch (error) {
			if (error instanceof SfsError && error.code === 'CONFLICT') continue;
			throw error;
		}

		return candidate;
	}
}

export type GeminiProject = {slug: string; tmpDir: string; files: string[]};

/**
 * The slug Gemini uses for `projectRoot` under `geminiRoot` (`~/.gemini`), registering it (projects.json and the
 * markers) when it is new. `files` lists what was created or updated.
 */
export async function resolveGeminiProject(geminiRoot: string, projectRoot: string): Promise<GeminiProject> {
	const root = path.resolve(projectRoot);
	const registryFile = path.join(geminiRoot, 'projects.json');
	const tmp = path.join(geminiRoot, 'tmp');
	const baseDirs = [tmp, path.join(geminiRoot, 'history')];
	await fs.mkdir(geminiRoot, {recursive: true});
	// proper-lockfile locks the real path of an existing file, so Gemini creates the registry first; so do we.
	if ((await readText(registryFile)) === undefined) await saveRegistry(registryFile, {projects: {}});

	return withRegistryLock(registryFile, async () => {
		const registry = await loadRegistry(registryFile);
		const files: string[] = [];
		const registered = registry.projects[root];
		if (registered && (await ownedBy(baseDirs, registered, root))) {
			// Registered already: only a marker Gemini would restore may be missing.
			return {slug: registered, tmpDir: path.join(tmp, registered), files: await ensureMarkers(baseDirs, registered, root)};
		}

		// Not registered, or its directory is owned by another root (Gemini then drops the entry): find or claim one.
		delete registry.projects[root];
		const found = await findSlugByMarker(baseDirs, root);
		if (found) files.push(...(await ensureMarkers(baseDirs, found, root)));
		const slug = found ?? (await claimSlug(baseDirs, root, new Set(Object.values(registry.projects)), files));
		registry.projects[root] = slug;
		await saveRegistry(registryFile, registry);
		return {slug, tmpDir: path.join(tmp, slug), files: [registryFile, ...files]};
	});
}
