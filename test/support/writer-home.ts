/** Shared set-up for the resume writers' tests: a temp home per test, and reading the JSONL a writer wrote. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect} from 'vitest';
import type {AdapterContext} from '../../source/adapters/types.js';
import {adapterContext} from './resume-proof.js';

/** A fresh temp home (named `sfs-<prefix>-…`) and its adapter context before each test, removed after; `use` receives them. */
export function writerHomePerTest(prefix: string, use: (home: string, ctx: AdapterContext) => void): void {
	let current: string;
	beforeEach(() => {
		current = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-${prefix}-`));
		use(current, adapterContext(current));
	});
	afterEach(() => {
		fs.rmSync(current, {recursive: true, force: true});
	});
}

/** The file's JSON lines; the file must end with a newline, as the real tools write it. */
export function jsonlRecords<T>(file: string): T[] {
	const text = fs.readFileSync(file, 'utf8');
	expect(text.endsWith('\n')).toBe(true);
	return text.trimEnd().split('\n').map(line => JSON.parse(line) as T);
}
