/** The two places rules meet the rest of sfs: provenance in captured sessions, and the resume preflight. */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import type {AdapterContext} from '../../source/adapters/types.js';
import type {ResumeWriter, WriteOptions} from '../../source/adapters/writer-types.js';
import type {Session} from '../../source/engine/types.js';
import {capture} from '../../source/engine/capture.js';
import {sessionIdForNative} from '../../source/engine/format.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {planResume} from '../../source/engine/resume.js';
import {loadRules, saveConfig} from '../../source/engine/rules/canonical.js';
import {fakeAdapter, fakeRoot} from '../support/fake-adapter.js';
import {tempRepo} from './helpers.js';

let home: string;
let env: NodeJS.ProcessEnv;
let engine: Engine;
let repo: ReturnType<typeof tempRepo>;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const line = (record: object) => `${JSON.stringify(record)}\n`;

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-rules-int-'));
	env = {HOME: home, SFS_HOME: path.join(home, 'sfs-data'), CODEX_HOME: path.join(home, '.codex'), CLAUDE_CONFIG_DIR: path.join(home, '.claude')};
	engine = openEngine({env});
	repo = tempRepo({'AGENTS.md': 'Agents rules.\n', 'CLAUDE.md': 'Claude rules.\n', '.sfs/rules/01-base.md': 'Base rule.\n'});
	saveConfig(repo.root, {version: 1, tools: ['claude-code', 'codex']});
});

afterEach(() => {
	engine.close();
	repo.cleanup();
	fs.rmSync(home, {recursive: true, force: true});
});

function writeNative(name: string, text: string, append = false) {
	fs.mkdirSync(fakeRoot(home), {recursive: true});
	(append ? fs.appendFileSync : fs.writeFileSync)(path.join(fakeRoot(home), name), text);
}

async function captureAll() {
	return capture({env, store: engine.store, index: engine.index, adapters: [fakeAdapter], config: {}});
}

describe('capture provenance', () => {
	test('a new session records the instruction files of its workspace and the rules hash, once', async () => {
		writeNative('s.jsonl', line({id: 'm1', role: 'user', text: 'hello', cwd: repo.root}));
		writeNative('elsewhere.jsonl', line({id: 'e1', role: 'user', text: 'hi', cwd: '/no/such/place/on/this/machine'}));
		await captureAll();
		const id = sessionIdForNative('codex', 's');
		const metadata = engine.store.readManifest(id).metadata!;
		expect(metadata.instruction_artifacts).toEqual([
			{path: 'AGENTS.md', sha256: sha('Agents rules.\n'), bytes: 14},
			{path: 'CLAUDE.md', sha256: sha('Claude rules.\n'), bytes: 14},
		]);
		expect(metadata.rules_hash).toBe(loadRules(repo.root)!.hash);
		// A workspace that is not on this machine: nothing is claimed about it.
		const elsewhere = engine.store.readManifest(sessionIdForNative('codex', 'elsewhere')).metadata!;
		expect(elsewhere).not.toHaveProperty('instruction_artifacts');

		// Later captures of the same session keep what was recorded when it was first seen.
		repo.write('AGENTS.md', 'Changed.\n');
		writeNative('s.jsonl', line({id: 'm2', role: 'assistant', text: 'hi'}), true);
		const second = await captureAll();
		expect(second.updated).toBe(1);
		expect(engine.store.readManifest(id).metadata!.instruction_artifacts).toEqual(metadata.instruction_artifacts);
	});
});

describe('resume preflight', () => {
	const written: string[] = [];
	const writer = {
		async write(session: Session, options: WriteOptions) {
			written.push(options.cwd);
			return {nativeId: 'native-1', nativePath: path.join(options.outDir ?? home, 'native-1.jsonl'), files: [], report: {messages_kept: session.messages.length, messages_converted: 0, messages_dropped: 0, tool_calls_mapped: 0, thinking: 'kept', images_kept: 0}, warnings: ['writer note']};
		},
		resumeCommand: (id: string) => ['claude', '--resume', id],
		headlessResumeCommand: (id: string) => ['claude', '-p', id],
		nativeExists: async () => false,
	} as unknown as ResumeWriter;
	const context = (): AdapterContext => ({env, home, platform: process.platform, now: () => new Date(), cache: {get: () => undefined, set() {}}});

	test('before launching, the target’s file is compiled; the user’s own file is left alone with a warning', async () => {
		writeNative('s.jsonl', line({id: 'm1', role: 'user', text: 'hello', cwd: repo.root}));
		await captureAll();
		const id = sessionIdForNative('codex', 's');

		// AGENTS.md is the user's own file (no markers): left alone, and the plan says so.
		const codex = await planResume(engine, id, {target: 'codex'}, async () => writer, context());
		expect(codex.warnings[0]).toMatch(/^rules: AGENTS\.md is your own file/);
		expect(codex.warnings).toContain('writer note');
		expect(repo.read('AGENTS.md')).toBe('Agents rules.\n');

		// CLAUDE.md too; once removed, the preflight compiles it (as an import of the hub).
		fs.rmSync(path.join(repo.root, 'CLAUDE.md'));
		const claude = await planResume(engine, id, {target: 'claude-code'}, async () => writer, context());
		expect(claude.warnings[0]).toBe('rules: compiled CLAUDE.md from .sfs/rules');
		expect(repo.read('CLAUDE.md')).toContain('@AGENTS.md');
		const again = await planResume(engine, id, {target: 'claude-code'}, async () => writer, context());
		expect(again.warnings).toEqual(['writer note']);

		// An export (outDir) writes no rules.
		fs.rmSync(path.join(repo.root, 'CLAUDE.md'));
		const exported = await planResume(engine, id, {target: 'claude-code', outDir: path.join(home, 'out')}, async () => writer, context());
		expect(exported.warnings).toEqual(['writer note']);
		expect(repo.exists('CLAUDE.md')).toBe(false);
	});
});
