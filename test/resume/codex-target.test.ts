/**
 * Codex CLI as a resume target, proven with the real CLI: a session from every source tool is written with
 * codexWriter into a fresh Codex home, `codex exec resume <id> "…"` runs in the written cwd against the loopback
 * endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest';
import {codexWriter} from '../../source/adapters/codex-writer.js';
import type {Session, ToolId} from '../../source/engine/types.js';
import type {ModelEndpoint} from '../support/model-endpoint.js';
import {ensureClis} from '../support/real-clis.js';
import {
	expectationsFromManifest,
	expectationsFromSession,
	FIXTURE_TOOLS,
	canonicalSession,
	kitchenSinkSession,
	loadFixtureSession,
	message,
	loadRecordedSession,
	missingInOrder,
	PNG_BASE64,
	RECORDED_TOOLS,
	RESUME_PROMPT,
	removeRun,
	RESUME_REPLY,
	startModelEndpoint,
} from '../support/resume-proof.js';
import {type ResumeOptions, resumeInRealCli} from '../support/resume-targets.js';

let endpoint: ModelEndpoint;

beforeAll(async () => {
	await ensureClis(['codex']);
	endpoint = await startModelEndpoint();
}, 600_000);

afterAll(async () => {
	await endpoint?.close();
});

async function proveCell(source: ToolId, session: Session, expectations: ReturnType<typeof expectationsFromSession>, options: ResumeOptions = {}) {
	const run = await resumeInRealCli('codex', codexWriter, session, endpoint, options);
	const context = `codex exit ${run.exitCode}\nstdout: ${run.stdout.slice(0, 800)}\nstderr: ${run.stderr.slice(-1500)}`;
	expect(run.exitCode, context).toBe(0);
	expect(run.stdout, context).toContain(RESUME_REPLY);
	expect(run.protocol).toBe('openai-responses');
	expect(run.entries, `no request carried the new prompt\n${context}`).toBeDefined();
	const entries = run.entries!;
	expect(expectations.length).toBeGreaterThan(2);
	expect(missingInOrder(entries, expectations), `source ${source}: history missing from the resumed request`).toEqual([]);
	// The new prompt comes after the whole history.
	const promptIndex = entries.findLastIndex(entry => entry.role === 'user' && entry.text.includes(RESUME_PROMPT));
	expect(promptIndex).toBeGreaterThan(0);
	// Every replayed tool call is answered by its output (the Responses API rejects unpaired calls).
	const callIds = entries.filter(entry => entry.kind === 'tool_call').map(entry => entry.callId);
	const resultIds = entries.filter(entry => entry.kind === 'tool_result').map(entry => entry.callId);
	expect(resultIds.sort()).toEqual(callIds.sort());
	onTestFinished(context => {
		if (context.task.result?.state === 'pass') removeRun(run);
	});
	return run;
}

describe('codex target: sessions the real CLIs recorded', () => {
	for (const source of RECORDED_TOOLS) {
		it(`resumes a ${source} session in the real codex`, async () => {
			const loaded = await loadRecordedSession(source);
			expect(loaded, `test/fixtures/recorded/${source} is missing or its session was not captured`).toBeDefined();
			const run = await proveCell(source, loaded!.session, expectationsFromManifest(loaded!.manifest));
			const calls = run.entries!.filter(entry => entry.kind === 'tool_call');
			expect(calls.map(entry => entry.toolName)).toContain('exec_command');
			const command = loaded!.manifest.turns.find(turn => turn.toolCall?.command)?.toolCall?.command;
			expect(calls.map(entry => JSON.parse(entry.text).cmd)).toContain(command);
			// No reasoning item without encrypted content reaches the model: the recordings' reasoning goes as text.
			expect(run.write.report.thinking).toBe('as_text');
			expect(run.entries!.some(entry => entry.kind === 'thinking')).toBe(false);
			expect(run.write.report.tool_calls_mapped).toBeGreaterThanOrEqual(1);
		}, 120_000);
	}
});

describe('codex target: fixture sessions of capture-only tools', () => {
	for (const source of FIXTURE_TOOLS) {
		it(`resumes a ${source} fixture session in the real codex`, async () => {
			const session = await loadFixtureSession(source);
			expect(session, `no ${source} fixture session captured`).toBeDefined();
			await proveCell(source, session!, expectationsFromSession(session!));
		}, 120_000);
	}
});

describe('codex target: every kind of conversion', () => {
	it('replays an inline image, reasoning as text, unmappable calls as text and placeholder results in the real codex', async () => {
		const session = kitchenSinkSession('claude-code');
		const run = await proveCell('claude-code', session, expectationsFromSession(session));
		const texts = run.entries!.filter(entry => entry.kind === 'text').map(entry => entry.text).join('\n');
		expect(texts).toContain('[Reasoning from claude-code]\nI should look at the files first.');
		expect(texts).toContain('[Tool call from claude-code: apply_patch]');
		expect(texts).toContain('[Summary of the earlier conversation]');
		expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, JSON.parse(entry.text).cmd])).toEqual([
			['exec_command', 'ls -la'],
			['exec_command', 'npm test'],
		]);
		expect(JSON.stringify(run.request!.body)).toContain(PNG_BASE64);
	}, 120_000);
});

describe('codex target: how Codex finds the written session', () => {
	it('is the session `codex exec resume --last` picks in its cwd (listed: session_meta and user_message in its head, source cli)', async () => {
		const loaded = await loadRecordedSession('claude-code');
		expect(loaded).toBeDefined();
		const run = await proveCell('claude-code', loaded!.session, expectationsFromManifest(loaded!.manifest), {argv: () => ['codex', 'exec', 'resume', '--last', RESUME_PROMPT]});
		expect(run.stderr).toContain(`session id: ${run.write.nativeId}`);
	}, 120_000);
});

describe('codex target: file tools', () => {
	it('replays foreign reads, writes and edits as the real codex\'s own tools', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: 'Add a todo and rename beta.'}]),
			message('assistant', [
				{type: 'tool_use', tool_use_id: 'toolu_r', name: 'Read', input: {file_path: 'notes.txt'}},
				{type: 'tool_use', tool_use_id: 'toolu_w', name: 'Write', input: {file_path: 'todo.txt', content: 'ship it\n'}},
				{type: 'tool_use', tool_use_id: 'toolu_e', name: 'Edit', input: {file_path: 'notes.txt', old_string: 'beta', new_string: 'gamma'}},
				{type: 'tool_use', tool_use_id: 'toolu_b', name: 'Bash', input: {command: 'git status --short'}},
			]),
			message('user', [
				{type: 'tool_result', tool_use_id: 'toolu_r', content: 'alpha\nbeta'},
				{type: 'tool_result', tool_use_id: 'toolu_w', content: 'File created successfully at: todo.txt'},
				{type: 'tool_result', tool_use_id: 'toolu_e', content: 'The file notes.txt has been updated.'},
				{type: 'tool_result', tool_use_id: 'toolu_b', content: ' M notes.txt\n?? todo.txt'},
			]),
			message('assistant', [{type: 'text', text: 'Added the todo and renamed beta to gamma.'}]),
		]);
		const run = await proveCell('claude-code', session, expectationsFromSession(session));
		expect(run.write.report.tool_calls_mapped).toBe(4);
		expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, entry.text])).toEqual([
			['exec_command', JSON.stringify({cmd: 'cat notes.txt'})],
			['apply_patch', '*** Begin Patch\n*** Add File: todo.txt\n+ship it\n*** End Patch\n'],
			['apply_patch', '*** Begin Patch\n*** Update File: notes.txt\n@@\n-beta\n+gamma\n*** End Patch\n'],
			['exec_command', JSON.stringify({cmd: 'git status --short'})],
		]);
		// apply_patch is a freeform tool of the real CLI: its calls go back as custom tool calls.
		expect((run.request!.body as {input: Array<{type: string}>}).input.filter(item => item.type === 'custom_tool_call')).toHaveLength(2);
		expect((run.request!.body as {tools: Array<{type: string; name?: string}>}).tools).toContainEqual(expect.objectContaining({type: 'custom', name: 'apply_patch'}));
		const outputs = run.entries!.filter(entry => entry.kind === 'tool_result').map(entry => entry.text);
		expect(outputs.some(text => text.includes('File created successfully at: todo.txt'))).toBe(true);
		expect(outputs.some(text => text.includes('The file notes.txt has been updated.'))).toBe(true);
	}, 120_000);
});
