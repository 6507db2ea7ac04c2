/**
 * False-positive check: the recorded real sessions (test/fixtures/recorded/) and the tool fixtures
 * (test/fixtures/<tool>/) hold no real secrets, so the scanner must find none there. JSON and JSONL
 * files are decoded first (as sfs holds them after capture); other text files are scanned as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import {expect, test} from 'vitest';
import {type Finding, scanText, scanValue} from '../../source/engine/dlp/scanner.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');

function textFiles(): string[] {
	const files: string[] = [];
	for (const rel of fs.readdirSync(FIXTURES, {recursive: true}).map(String).sort()) {
		const file = path.join(FIXTURES, rel);
		if (!fs.statSync(file).isFile()) continue;
		const head = fs.readFileSync(file).subarray(0, 4096);
		if (head.includes(0)) continue; // SQLite databases: their JSON is scanned through the capture tests' sessions, not here.
		files.push(rel);
	}

	return files;
}

function scanFile(rel: string): Finding[] {
	const text = fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
	if (/\.jsonl?$/.test(rel)) {
		const findings: Finding[] = [];
		const lines = rel.endsWith('.jsonl') ? text.split('\n') : [text];
		for (const [index, line] of lines.entries()) {
			if (!line.trim()) continue;
			try {
				findings.push(...scanValue(JSON.parse(line), `${rel}:${index + 1}`));
			} catch {
				findings.push(...scanText(line, {location: `${rel}:${index + 1}`}).findings);
			}
		}

		return findings;
	}

	return scanText(text, {location: rel}).findings;
}

const files = textFiles();

test('the fixture tree is there to scan (recorded sessions and every tool)', () => {
	expect(files.filter(file => file.startsWith('recorded/')).length).toBeGreaterThan(10);
	for (const tool of ['claude-code', 'codex', 'gemini', 'copilot', 'cursor', 'amp', 'cline', 'roo-code']) {
		expect(files.some(file => file.startsWith(`${tool}/`)), tool).toBe(true);
	}
});

test('no secret findings in the recorded real sessions and tool fixtures', () => {
	const secrets = files.flatMap(file => scanFile(file)).filter(finding => finding.kind === 'secret');
	expect(secrets.map(finding => `${finding.pattern} ${finding.location}: ${finding.excerpt}`)).toEqual([]);
});

test('no personal-data findings either (the fixtures are synthetic or recorded in a sandbox)', () => {
	const personal = files.flatMap(file => scanFile(file)).filter(finding => finding.kind === 'personal');
	expect(personal.map(finding => `${finding.pattern} ${finding.location}: ${finding.excerpt}`)).toEqual([]);
});
