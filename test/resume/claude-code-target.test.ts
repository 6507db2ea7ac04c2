/**
 * Claude Code as a resume target, proven with the real CLI: a session from every source tool is written with
 * claudeCodeWriter into a fresh Claude home, `claude -p --resume <id> "…"` runs in the written cwd against the
 * loopback endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest';
import {claudeCodeWriter} from '../../source/adapters/claude-code-writer.js';
import type {Session, ToolId} from '../../source/engine/types.js';
import type {ModelEndpoint} from '../support/model-endpoint.js';
import {ensureClis} from '../support/real-clis.js';
import {
	expectationsFromManifest,
	expectationsFromSession,
	FIXTURE_TOOLS,
	loadFixtureSession,
	kitchenSinkSession,
	loadRecordedSession,
	missingInOrder,
	PNG_BASE64,
	RECORDED_TOOLS,
	RESUME_PROMPT,
	removeRun,
	RESUME_REPLY,
	resumeWithRealCli,
	startModelEndpoint,
} from '../support/resume-proof.js';

let endpoint: ModelEndpoint;

beforeAll(async () => {
	await ensureClis(['claude-code']);
	endpoint = await startModelEndpoint();
}, 600_000);

afterAll(async () => {
	await endpoint?.close();
});

async function proveCell(source: ToolId, session: Session, expectations: ReturnType<typeof expectationsFromSession>) {
	const run = await resumeWithRealCli('claude-code', claudeCodeWriter, session, endpoint);
	const context = `claude exit ${run.exitCode}\nstdout: ${run.stdout.slice(0, 800)}\nstderr: ${run.stderr.slice(0, 800)}`;
	expect(run.exitCode, context).toBe(0);
	expect(run.stdout, context).toContain(RESUME_REPLY);
	expect(run.entries, `no request carried the new prompt\n${context}`).toBeDefined();
	const entries = run.entries!;
	expect(expectations.length).toBeGreaterThan(2);
	expect(missingInOrder(entries, expectations), `source ${source}: history missing from the resumed request`).toEqual([]);
	// The new prompt comes after the whole history.
	const promptIndex = entries.findLastIndex(entry => entry.role === 'user' && entry.text.includes(RESUME_PROMPT));
	expect(promptIndex).toBeGreaterThan(0);
	// Every replayed tool call is answered by its result in the request (the API rejects unpaired calls).
	const callIds = entries.filter(entry => entry.kind === 'tool_call').map(entry => entry.callId);
	const resultIds = entries.filter(entry => entry.kind === 'tool_result').map(entry => entry.callId);
	expect(resultIds.sort()).toEqual(callIds.sort());
	onTestFinished(context => {
		if (context.task.result?.state === 'pass') removeRun(run);
	});
	return run;
}

describe('claude-code target: sessions the real CLIs recorded', () => {
	for (const source of RECORDED_TOOLS) {
		it(`resumes a ${source} session in the real claude`, async () => {
			const loaded = await loadRecordedSession(source);
			expect(loaded, `test/fixtures/recorded/${source} is missing or its session was not captured`).toBeDefined();
			const run = await proveCell(source, loaded!.session, expectationsFromManifest(loaded!.manifest));
			const shellCalls = run.entries!.filter(entry => entry.kind === 'tool_call');
			expect(shellCalls.map(entry => entry.toolName)).toContain('Bash');
			if (source === 'claude-code') {
				// Same vendor: the signed thinking block goes back as thinking.
				expect(run.write.report.thinking).toBe('kept');
				expect(run.entries!.some(entry => entry.kind === 'thinking' && entry.text.includes(loaded!.manifest.turns[0].thinking!))).toBe(true);
			} else {
				expect(run.write.report.thinking).toBe('as_text');
				expect(run.entries!.some(entry => entry.kind === 'thinking')).toBe(false);
			}

			expect(run.write.report.tool_calls_mapped).toBeGreaterThanOrEqual(1);
		}, 120_000);
	}
});

describe('claude-code target: fixture sessions of capture-only tools', () => {
	for (const source of FIXTURE_TOOLS) {
		it(`resumes a ${source} fixture session in the real claude`, async () => {
			const session = await loadFixtureSession(source);
			expect(session, `no ${source} fixture session captured`).toBeDefined();
			await proveCell(source, session!, expectationsFromSession(session!));
		}, 120_000);
	}
});

describe('claude-code target: every kind of conversion', () => {
	it('replays an inline image, foreign reasoning as text, unmappable calls as text and placeholder results in the real claude', async () => {
		const session = kitchenSinkSession();
		const run = await proveCell('codex', session, expectationsFromSession(session));
		const texts = run.entries!.filter(entry => entry.kind === 'text').map(entry => entry.text).join('\n');
		expect(texts).toContain('[Reasoning from codex]\nI should look at the files first.');
		expect(texts).toContain('[Tool call from codex: apply_patch]');
		expect(texts).toContain('[Summary of the earlier conversation]');
		expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, JSON.parse(entry.text).command])).toEqual([
			['Bash', 'ls -la'],
			['Bash', 'npm test'],
		]);
		expect(JSON.stringify(run.request!.body)).toContain(PNG_BASE64);
	}, 120_000);
});

describe('claude-code target: resume by name', () => {
	it('finds the written session by the title in its custom-title record', async () => {
		const loaded = await loadRecordedSession('codex');
		expect(loaded).toBeDefined();
		const session = {...loaded!.session, manifest: {...loaded!.session.manifest, title: 'Notes check from sfs'}};
		const run = await resumeWithRealCli('claude-code', claudeCodeWriter, session, endpoint, 90_000, () => 'Notes check from sfs');
		expect(run.command).toContain("Notes check from sfs");
		expect(run.exitCode, run.stderr).toBe(0);
		expect(run.stdout).toContain(RESUME_REPLY);
		expect(missingInOrder(run.entries ?? [], expectationsFromManifest(loaded!.manifest))).toEqual([]);
		removeRun(run);
	}, 120_000);
});
