/**
 * What guided an agent: the instruction files present in a session's workspace and their hashes,
 * recorded in `manifest.metadata` when capture first sees the session. Called from capture for every
 * new session, so it stays cheap: a few stats, three small directory listings, small files hashed.
 */
import fs from 'node:fs';
import path from 'node:path';
import {loadRules, repoRoot, sha256} from './canonical.js';
import {INSTRUCTION_DIRS, INSTRUCTION_FILES} from './tools.js';

export type InstructionArtifact = {
	/** Relative to the repository root (or the cwd when it is not in a repository), `/`-separated. */
	path: string;
	sha256: string;
	bytes: number;
};

export type InstructionProvenance = {
	instruction_artifacts: InstructionArtifact[];
	/** sha256 of the canonical rules (.sfs/rules), when the repository has them. */
	rules_hash?: string;
};

const MAX_HASH_BYTES = 4 * 1024 * 1024;
const MAX_DIR_ENTRIES = 200;

/**
 * The instruction files in `cwd` and at its repository root. Undefined when `cwd` is not a directory
 * on this machine (a session captured elsewhere): nothing can be said about it.
 */
export function instructionArtifacts(cwd: string | undefined, now = Date.now()): InstructionProvenance | undefined {
	if (!cwd) return undefined;
	// A first capture meets hundreds of sessions from the same few directories: look at each once per few seconds.
	const cached = recent.get(cwd);
	if (cached && now - cached.at < MEMO_MS) return cached.value;
	const value = scan(cwd);
	if (recent.size >= MEMO_ENTRIES) recent.clear();
	recent.set(cwd, {at: now, value});
	return value;
}

const MEMO_MS = 5000;
const MEMO_ENTRIES = 256;
const recent = new Map<string, {at: number; value: InstructionProvenance | undefined}>();

function scan(cwd: string): InstructionProvenance | undefined {
	if (!isDirectory(cwd)) return undefined;
	const root = repoRoot(cwd);
	const dirs = [...new Set([root, path.resolve(cwd)])];
	const artifacts: InstructionArtifact[] = [];
	const seen = new Set<string>();
	const add = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const artifact = hashFile(file, root);
		if (artifact) artifacts.push(artifact);
	};

	for (const dir of dirs) {
		for (const relative of INSTRUCTION_FILES) add(path.join(dir, relative));
		for (const {dir: ruleDir, match} of INSTRUCTION_DIRS) {
			for (const name of listNames(path.join(dir, ruleDir))) if (match.test(name)) add(path.join(dir, ruleDir, name));
		}
	}

	let rulesHash: string | undefined;
	try {
		rulesHash = loadRules(root)?.hash;
	} catch {
		// An unreadable config is the user's to fix; provenance records what it can.
	}

	artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
	return {instruction_artifacts: artifacts, ...(rulesHash ? {rules_hash: rulesHash} : {})};
}

function hashFile(file: string, root: string): InstructionArtifact | undefined {
	try {
		const stat = fs.statSync(file);
		if (!stat.isFile() || stat.size > MAX_HASH_BYTES) return undefined;
		return {path: path.relative(root, file).split(path.sep).join('/'), sha256: sha256(fs.readFileSync(file)), bytes: stat.size};
	} catch {
		return undefined;
	}
}

function listNames(dir: string): string[] {
	try {
		return fs.readdirSync(dir).slice(0, MAX_DIR_ENTRIES);
	} catch {
		return [];
	}
}

function isDirectory(candidate: string): boolean {
	try {
		return fs.statSync(candidate).isDirectory();
	} catch {
		return false;
	}
}
