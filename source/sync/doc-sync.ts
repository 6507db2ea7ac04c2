/**
 * Rules and project context through the sync server. A project is keyed on the server by its git
 * remote (`remote:github.com/owner/repo`), else by its directory name (`dir:name`). Each push or pull
 * remembers the server version it left in sync (per server, scope, kind and project); a pull refuses to
 * replace a local copy that changed since then and differs from the server's, unless forced, and a push
 * over a server version this machine has not seen answers 412 and is refused the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import {enforce, gateText} from '../engine/dlp/gate.js';
import {SfsError} from '../engine/errors.js';
import {writeJsonAtomic} from '../engine/fs-atomic.js';
import type {Env} from '../engine/paths.js';
import {projectKey, readContext, writeContext} from '../engine/project-context.js';
import {CONFIG_FILE, loadRules, repoRoot, RULES_DIR, rulesDir, sha256, sortTools, writeRepoFile} from '../engine/rules/canonical.js';
import type {RulesTool} from '../engine/rules/tools.js';
import type {Credentials} from './credentials.js';
import {HttpFailure} from './http.js';
import {syncDir} from './state.js';
import {type DocumentKind, getDocument, putDocument} from './team-client.js';

export type ServerProject = {key: string; root: string; keyed_by: 'git remote' | 'directory name'};

/** The project `cwd` is in, as the server knows it. */
export function serverProject(cwd: string): ServerProject {
	const project = projectKey(cwd);
	if (project.remote) return {key: `remote:${project.remote}`, root: project.root, keyed_by: 'git remote'};
	return {key: `dir:${path.basename(project.root)}`, root: project.root, keyed_by: 'directory name'};
}

export type SyncOptions = {
	org?: string;
	force?: boolean;
	env?: Env;
	/** The DLP gate's notices on a push (what was redacted, what went out under warn); default: stderr. */
	notify?: (line: string) => void;
};
export type DocPushResult = {kind: DocumentKind; project: string; keyed_by: ServerProject['keyed_by']; org: string | null; etag: string; changed: boolean};
export type DocPullResult = DocPushResult & {written: string[]};

const LABEL: Record<DocumentKind, string> = {rules: 'rules', project: 'project context'};

export async function pushDocument(credentials: Credentials, kind: DocumentKind, cwd: string, options: SyncOptions = {}): Promise<DocPushResult> {
	const env = options.env ?? process.env;
	const project = serverProject(cwd);
	const local = localContent(kind, cwd, env);
	if (local === undefined) {
		throw new SfsError('NOT_FOUND', kind === 'rules' ? `no canonical rules in ${repoRoot(cwd)}` : `no context for this project`, {hint: kind === 'rules' ? 'sfs rules init, or sfs rules pull' : 'sfs project init, or sfs project pull'});
	}

	const outgoing = gateDocument(kind, local, project, env, options.notify ?? (line => process.stderr.write(`sfs: warning: ${line}\n`)));
	const stateKey = keyOf(credentials, kind, project.key, options.org);
	const base = loadState(env)[stateKey];
	let written;
	try {
		written = await putDocument(credentials, kind, project.key, outgoing, {org: options.org, base, force: options.force});
	} catch (error) {
		if (error instanceof HttpFailure && error.status === 412) {
			throw new SfsError('CONFLICT', `the server's ${LABEL[kind]} for ${project.key} changed since this machine last synced them`, {hint: `sfs ${kind} pull first (or push --force to replace them)`});
		}

		throw error;
	}

	remember(env, stateKey, written.etag);
	return {kind, project: project.key, keyed_by: project.keyed_by, org: written.org, etag: written.etag, changed: written.changed};
}

export async function pullDocument(credentials: Credentials, kind: DocumentKind, cwd: string, options: SyncOptions = {}): Promise<DocPullResult> {
	const env = options.env ?? process.env;
	const project = serverProject(cwd);
	const remote = await getDocument(credentials, kind, project.key, options.org);
	if (!remote) throw new SfsError('NOT_FOUND', `the server has no ${LABEL[kind]} for ${project.key}${options.org ? ` in ${options.org}` : ''}`, {hint: `sfs ${kind} push first`});
	const stateKey = keyOf(credentials, kind, project.key, options.org);
	const base = loadState(env)[stateKey];
	const local = localContent(kind, cwd, env);
	const result = {kind, project: project.key, keyed_by: project.keyed_by, org: remote.org, etag: remote.etag};
	if (local !== undefined && sha256(local) === remote.etag) {
		remember(env, stateKey, remote.etag);
		return {...result, changed: false, written: []};
	}

	if (local !== undefined && sha256(local) !== base && !options.force) {
		throw new SfsError('CONFLICT', `the local ${LABEL[kind]} changed since the last sync and differ from the server's: not overwritten`, {hint: `sfs ${kind} push to send yours, or sfs ${kind} pull --force to take the server's`});
	}

	const written = kind === 'rules' ? writeRules(repoRoot(cwd), remote.content) : [writeContext(projectKey(cwd), remote.content, env).path];
	remember(env, stateKey, remote.etag);
	return {...result, changed: true, written};
}

type RulesDocument = {tools: RulesTool[]; files: Array<{name: string; text: string}>};

/**
 * A document leaves the machine like a session does: through the DLP gate, under the policy of its
 * project (block throws, redact sends a copy with placeholders; the local document is not changed).
 * Rules are gated file by file, so that a redaction never touches their JSON framing.
 */
function gateDocument(kind: DocumentKind, local: string, project: ServerProject, env: Env, notify: (line: string) => void): string {
	const gate = (text: string, what: string) => {
		const outcome = gateText(text, {egress: 'push', what, cwd: project.root, env});
		enforce(outcome, notify, {canOverride: false});
		return outcome.text;
	};

	if (kind === 'project') return gate(local, `the project context of ${project.key}`);
	const document = JSON.parse(local) as RulesDocument;
	const files = document.files.map(file => ({...file, text: gate(file.text, `the rules file ${file.name} of ${project.key}`)}));
	return JSON.stringify({...document, files});
}

/** The text a kind is synced as; undefined when this machine has none. */
function localContent(kind: DocumentKind, cwd: string, env: Env): string | undefined {
	if (kind === 'project') return readContext(projectKey(cwd), env).text ?? undefined;
	const rules = loadRules(repoRoot(cwd));
	if (!rules) return undefined;
	const document: RulesDocument = {tools: rules.config.tools, files: rules.files.map(file => ({name: file.name, text: file.text}))};
	return JSON.stringify(document);
}

/**
 * Replaces `.sfs/rules` as a whole: the new set is built in a sibling folder and swapped in with two
 * renames, so a reader never sees half of one set and half of another. Other files there are kept.
 */
function writeRules(root: string, content: string): string[] {
	const document = JSON.parse(content) as RulesDocument;
	const target = rulesDir(root);
	const parent = path.dirname(target);
	const staging = path.join(parent, `.rules-pull-${process.pid}`);
	const old = path.join(parent, `.rules-old-${process.pid}`);
	fs.rmSync(staging, {recursive: true, force: true});
	fs.mkdirSync(staging, {recursive: true});
	try {
		for (const name of existingNames(target)) {
			if (!name.endsWith('.md') && name !== CONFIG_FILE) fs.cpSync(path.join(target, name), path.join(staging, name), {recursive: true});
		}

		for (const file of document.files) writeRepoFile(path.join(staging, file.name), file.text);
		// The same bytes saveConfig writes (it can only write into the live folder).
		writeRepoFile(path.join(staging, CONFIG_FILE), `${JSON.stringify({version: 1, tools: sortTools(document.tools)}, null, 2)}\n`);
		fs.rmSync(old, {recursive: true, force: true});
		if (fs.existsSync(target)) fs.renameSync(target, old);
		fs.renameSync(staging, target);
		fs.rmSync(old, {recursive: true, force: true});
	} finally {
		fs.rmSync(staging, {recursive: true, force: true});
	}

	return [...document.files.map(file => path.join(RULES_DIR, file.name)), path.join(RULES_DIR, CONFIG_FILE)];
}

function existingNames(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

type DocState = Record<string, string>;

function statePath(env: Env): string {
	return path.join(syncDir(env), 'documents.json');
}

function keyOf(credentials: Credentials, kind: DocumentKind, project: string, org: string | undefined): string {
	return `${credentials.url} ${org ? `org:${org}` : `user:${credentials.email}`} ${kind} ${project}`;
}

function loadState(env: Env): DocState {
	try {
		const value = JSON.parse(fs.readFileSync(statePath(env), 'utf8')) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as DocState) : {};
	} catch {
		return {};
	}
}

function remember(env: Env, key: string, etag: string): void {
	const state = loadState(env);
	state[key] = etag;
	writeJsonAtomic(statePath(env), state);
}
