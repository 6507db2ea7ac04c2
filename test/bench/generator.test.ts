import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {plainAdapterContext} from '../../source/engine/capture-run.js';
import {adapters} from '../../source/adapters/registry.js';
import {benchEnv, type Corpus, generateCorpus, generateCorpusSync} from '../../scripts/bench/generate.js';
import {BENCH_TOOLS} from '../../scripts/bench/native-writers.js';

let home: string;
let corpus: Corpus;

beforeAll(() => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-bench-gen-'));
	corpus = generateCorpusSync({home, scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures')});
});

afterAll(() => {
	fs.rmSync(home, {recursive: true, force: true});
});

describe('bench corpus generator', () => {
	it('writes sessions for all 8 tools, every file inside the temp HOME', () => {
		for (const tool of BENCH_TOOLS) expect(corpus.perTool[tool].sessions, tool).toBeGreaterThan(0);
		expect(corpus.sessions).toBe(24);
		for (const file of corpus.files) expect(file.startsWith(home)).toBe(true);
		expect(corpus.nativeBytes).toBeGreaterThan(10_000);
	});

	it('writes JSON every line or file of which parses', () => {
		for (const file of corpus.files) {
			const text = fs.readFileSync(file, 'utf8');
			if (file.endsWith('.jsonl')) for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
			else expect(() => JSON.parse(text)).not.toThrow();
		}
	});

	it.each(BENCH_TOOLS)('%s: the adapter discovers every generated session and reads its messages without warnings', async tool => {
		const adapter = adapters.find(candidate => candidate.id === tool)!;
		const context = plainAdapterContext(benchEnv(home));
		const natives = await adapter.discover(context);
		expect(natives.length).toBe(corpus.perTool[tool].sessions);
		let messages = 0;
		for (const native of natives) {
			const read = await adapter.read({session: native}, context);
			expect(read.warnings, `${tool} ${native.files[0]}`).toEqual([]);
			expect(read.unknownRecords, `${tool} ${native.files[0]}`).toEqual({});
			expect(read.messages.length).toBeGreaterThan(0);
			const text = JSON.stringify(read.messages);
			expect(text).toMatch(/[a-z]{4,}/);
			messages += read.messages.length;
		}

		// Tools differ in how they split a step: Gemini keeps a call's output inside the call (fewer
		// messages), Codex keeps reasoning and the call as items of their own (more).
		expect(messages).toBeGreaterThanOrEqual(corpus.perTool[tool].messages * 0.5);
		expect(messages).toBeLessThanOrEqual(corpus.perTool[tool].messages * 2);
	});
});

describe('bench corpus generator in parallel', () => {
	it('writes the same files, byte for byte, from two processes as from one', async () => {
		const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-bench-gen2-'));
		try {
			const parallel = await generateCorpus({home: other, scale: 'tiny', fixturesDir: path.join(import.meta.dirname, '..', 'fixtures'), parallel: 2});
			expect(parallel.files.map(file => path.relative(other, file)).sort()).toEqual(corpus.files.map(file => path.relative(home, file)).sort());
			expect(parallel.messages).toBe(corpus.messages);
			for (const file of corpus.files) expect(fs.readFileSync(path.join(other, path.relative(home, file)), 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
		} finally {
			fs.rmSync(other, {recursive: true, force: true});
		}
	});
});
