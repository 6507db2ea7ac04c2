/**
 * What capture hands to the index worker is only what the index uses (capture-index.ts): manifests go
 * without their capture state, messages slimmed; the sessions' rows and the search results are the same
 * as when the capture thread writes the index itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {benchEnv, generateCorpusSync} from '../../scripts/bench/generate.js';
import {adapters} from '../../source/adapters/registry.js';
import {capture} from '../../source/engine/capture.js';
import {manifestForIndex} from '../../source/engine/capture-index.js';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {Store} from '../../source/engine/store.js';
import type {Manifest} from '../../source/engine/types.js';

let home: string;

beforeEach(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-capture-handover-'));
});

afterEach(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

function manifest(sessionId: string, metadata: Record<string, unknown>): Manifest {
	return {
		sfs_version: '0.1.0',
		session_id: sessionId,
		title: 'a session',
		tags: ['kept'],
		created_at: '2026-01-01T00:00:00.000Z',
		updated_at: '2026-01-02T00:00:00.000Z',
		source: {tool: 'gemini', tool_version: '1.0', sfs_converter_version: '0.1.0', original_session_id: 'native-1', original_path: null, interface: 'cli'},
		model: {model_id: 'gemini-pro', reasoning_effort: null},
		stats: {message_count: 2, turn_count: 1, tool_use_count: 0, total_input_tokens: 5, total_output_tokens: 7, duration_ms: 0},
		parent_session_id: null,
		checkpoint_count: 0,
		metadata,
	} as unknown as Manifest;
}

describe('what the index worker is handed', () => {
	test('a manifest without its capture state gives the same session row', () => {
		const full = manifest('ses_00000000000000f1', {
			cwd: '/work/app',
			first_prompt: 'hello',
			alias: 'app',
			headless: true,
			subagent: {parent_native_id: 'p', agent_id: 'a'},
			capture: {files: {'/x.json': {size: 1, mtime_ms: 2, ino: 3, offset: 1}}, messages_bytes: 10, adapter_state: {seen: 'x'.repeat(10_000)}, captured_at: '2026-01-01T00:00:00.000Z'},
		});
		const slim = manifestForIndex(full);
		expect(slim.metadata).not.toHaveProperty('capture');
		expect(full.metadata).toHaveProperty('capture');
		expect(JSON.stringify(slim).length).toBeLessThan(1000);

		const index = SessionIndex.open(':memory:');
		try {
			index.upsertSession(full);
			const fromFull = index.getSession('ses_00000000000000f1');
			expect(fromFull).toMatchObject({alias: 'app', cwd: '/work/app', first_prompt: 'hello', is_headless: true, is_subagent: true, tags: ['kept'], model: 'gemini-pro'});
			index.upsertSession(slim);
			expect(index.getSession('ses_00000000000000f1')).toEqual(fromFull);
		} finally {
			index.close();
		}

		const bare = manifest('ses_00000000000000f2', {cwd: '/x'});
		expect(manifestForIndex(bare)).toBe(bare);
	});

	test('the bench corpus indexed by the worker and by the capture thread: the same session rows and search hits', async () => {
		const corpus = generateCorpusSync({home: path.join(home, 'corpus'), scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
		const results = [];
		for (const indexWorkerAfter of [0, Number.POSITIVE_INFINITY]) {
			const runEnv = benchEnv(corpus.home, path.join(home, `sfs-${indexWorkerAfter}`));
			const runIndex = SessionIndex.open(indexPath(runEnv));
			try {
				const report = await capture({env: runEnv, store: new Store(runEnv), index: runIndex, adapters: [...adapters], config: {}, indexWorkerAfter});
				expect(report.new).toBe(corpus.sessions);
				const sessions = runIndex.listSessions({includeSubagents: true, limit: 100_000}).sort((a, b) => a.session_id.localeCompare(b.session_id));
				const words = corpus.vocabulary.slice(0, 60).filter((_, i) => i % 3 === 0);
				const hits = words.map(word => runIndex.search(word, {limit: 50}).map(hit => `${hit.session_id}:${hit.position}:${hit.snippet}`).sort());
				results.push({sessions, hits});
			} finally {
				runIndex.close();
			}
		}

		expect(results[0]!.sessions.length).toBe(corpus.sessions);
		expect(new Set(results[0]!.sessions.map(row => row.tool)).size).toBeGreaterThanOrEqual(6);
		expect(results[0]!.hits.flat().length).toBeGreaterThan(10);
		expect(results[0]).toEqual(results[1]);
	});
});
