/**
 * Gemini CLI as a resume target, proven with the real CLI: a session from every source tool is written with
 * geminiWriter into a fresh Gemini home, `gemini --resume <id> --prompt="…"` runs in the written cwd against the loopback
 * endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest';
import {geminiWriter} from '../../source/adapters/gemini-writer.js';
import type {Session, ToolId} from '../../source/engine/types.js';
import type {ModelEndpoint} from '../support/model-endpoint.js';
import {cliBinaryPath, ensureClis} from '../support/real-clis.js';
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
	await ensureClis(['gemini']);
	endpoint = await startModelEndpoint();
}, 600_000);

afterAll(async () => {
	await endpoint?.close();
});

async function proveCell(source: ToolId, session: Session, expectations: ReturnType<typeof expectationsFromSession>, options: ResumeOptions = {}) {
	const run = await resumeInRealCli('gemini', geminiWriter, session, endpoint, options);
	const context = `gemini exit ${run.exitCode}\nstdout: ${run.stdout.slice(0, 800)}\nstderr: ${run.stderr.slice(-1500)}`;
	expect(run.exitCode, context).toBe(0);
	expect(run.stdout, context).toContain(RESUME_REPLY);
	expect(run.protocol).toBe('gemini');
	expect(run.entries, `no request carried the new prompt\n${context}`).toBeDefined();
	const entries = run.entries!;
	expect(expectations.length).toBeGreaterThan(2);
	expect(missingInOrder(entries, expectations), `source ${source}: history missing from the resumed request`).toEqual([]);
	// The new prompt comes after the whole history.
	const promptIndex = entries.findLastIndex(entry => entry.role === 'user' && entry.text.includes(RESUME_PROMPT));
	expect(promptIndex).toBeGreaterThan(0);
	// Every replayed tool call is answered by its output (the API rejects unpaired calls).
	const callIds = entries.filter(entry => entry.kind === 'tool_call').map(entry => entry.callId);
	const resultIds = entries.filter(entry => entry.kind === 'tool_result').map(entry => entry.callId);
	expect(resultIds.sort()).toEqual(callIds.sort());
	onTestFinished(context => {
		if (context.task.result?.state === 'pass') removeRun(run);
	});
	return run;
}

describe('gemini target: sessions the real CLIs recorded', () => {
	for (const source of RECORDED_TOOLS) {
		it(`resumes a ${source} session in the real gemini`, async () => {
			const loaded = await loadRecordedSession(source);
			expect(loaded, `test/fixtures/recorded/${source} is missing or its session was not captured`).toBeDefined();
			const run = await proveCell(source, loaded!.session, expectationsFromManifest(loaded!.manifest));
			const calls = run.entries!.filter(entry => entry.kind === 'tool_call');
			expect(calls.map(entry => entry.toolName)).toContain('run_shell_command');
			const command = loaded!.manifest.turns.find(turn => turn.toolCall?.command)?.toolCall?.command;
			expect(calls.map(entry => JSON.parse(entry.text).command)).toContain(command);
			// Gemini sends no stored thoughts to the model (its own neither): every source's reasoning goes as text.
			expect(run.write.report.thinking).toBe('as_text');
			expect(run.entries!.some(entry => entry.kind === 'thinking')).toBe(false);
			expect(run.write.report.tool_calls_mapped).toBeGreaterThanOrEqual(1);
		}, 120_000);
	}
});

describe('gemini target: fixture sessions of capture-only tools', () => {
	for (const source of FIXTURE_TOOLS) {
		it(`resumes a ${source} fixture session in the real gemini`, async () => {
			const session = await loadFixtureSession(source);
			expect(session, `no ${source} fixture session captured`).toBeDefined();
			await proveCell(source, session!, expectationsFromSession(session!));
		}, 120_000);
	}
});

describe('gemini target: every kind of conversion', () => {
	it('replays an inline image, reasoning as text, unmappable calls as text and placeholder results in the real gemini', async () => {
		const session = kitchenSinkSession('claude-code');
		const run = await proveCell('claude-code', session, expectationsFromSession(session));
		const texts = run.entries!.filter(entry => entry.kind === 'text').map(entry => entry.text).join('\n');
		expect(texts).toContain('[Reasoning from claude-code]\nI should look at the files first.');
		expect(texts).toContain('[Tool call from claude-code: apply_patch]');
		expect(texts).toContain('[Summary of the earlier conversation]');
		expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, JSON.parse(entry.text).command])).toEqual([
			['run_shell_command', 'ls -la'],
			['run_shell_command', 'npm test'],
		]);
		expect(JSON.stringify(run.request!.body)).toContain(PNG_BASE64);
	}, 120_000);
});

describe('gemini target: how Gemini finds the written session', () => {
	it('survives the startup cleanup and is listed in its cwd, even when the conversation is months old', async () => {
		const session = kitchenSinkSession('claude-code');
		for (const entry of session.messages) entry.timestamp = '2025-01-01T00:00:00.000Z';
		const listed = await resumeInRealCli('gemini', geminiWriter, session, endpoint, {argv: () => ['gemini', '--list-sessions']});
		expect(listed.exitCode, listed.stderr).toBe(0);
		expect(listed.stdout).toContain(`Fix the failing build (Just now) [${listed.write.nativeId}]`);
		expect(fs.existsSync(listed.write.nativePath)).toBe(true);
		// And it still resumes after that startup.
		const resumed = await execa(cliBinaryPath('gemini'), ['--resume', listed.write.nativeId, `--prompt=${RESUME_PROMPT}`], {cwd: listed.cwd, env: listed.home.env, extendEnv: false, stdin: 'ignore', timeout: 90_000, reject: false});
		expect(resumed.exitCode, resumed.stderr).toBe(0);
		expect(resumed.stdout).toContain(RESUME_REPLY);
		removeRun(listed);
	}, 180_000);

	it('is deleted by the real CLI at startup once its lastUpdated is old (why the writer stamps the time of writing)', async () => {
		const written = await resumeInRealCli('gemini', geminiWriter, kitchenSinkSession('claude-code'), endpoint, {argv: () => ['gemini', '--version']});
		const text = fs.readFileSync(written.write.nativePath, 'utf8');
		fs.writeFileSync(written.write.nativePath, text.replaceAll(/"lastUpdated":"[^"]+"/g, '"lastUpdated":"2025-01-01T00:00:00.000Z"'));
		const listed = await execa(cliBinaryPath('gemini'), ['--list-sessions'], {cwd: written.cwd, env: written.home.env, extendEnv: false, stdin: 'ignore', timeout: 90_000, reject: false});
		expect(listed.stdout).toContain('No previous sessions found');
		expect(fs.existsSync(written.write.nativePath)).toBe(false);
		removeRun(written);
	}, 180_000);

	it('registers the project under the next free slug when another directory owns the name, as Gemini itself would', async () => {
		const loaded = await loadRecordedSession('claude-code');
		expect(loaded).toBeDefined();
		const prepare: ResumeOptions['prepare'] = async home => {
			const gemini = path.join(home.home, '.gemini');
			fs.mkdirSync(path.join(gemini, 'tmp', 'demo-repo'), {recursive: true});
			fs.writeFileSync(path.join(gemini, 'tmp', 'demo-repo', '.project_root'), '/elsewhere/demo-repo');
			fs.writeFileSync(path.join(gemini, 'projects.json'), JSON.stringify({projects: {'/elsewhere/demo-repo': 'demo-repo'}}));
		};
		const run = await proveCell('claude-code', loaded!.session, expectationsFromManifest(loaded!.manifest), {prepare});
		expect(run.write.nativePath).toContain(`${path.sep}tmp${path.sep}demo-repo-1${path.sep}chats${path.sep}`);
		const registry = JSON.parse(fs.readFileSync(path.join(run.home.home, '.gemini', 'projects.json'), 'utf8')) as {projects: Record<string, string>};
		expect(registry.projects).toEqual({'/elsewhere/demo-repo': 'demo-repo', [run.cwd]: 'demo-repo-1'});
	}, 120_000);
});

describe('gemini target: file tools', () => {
	it('replays foreign reads, writes and edits as the real gemini\'s own tools', async () => {
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
		// --yolo: headless Gemini declares its write, edit and shell tools only when they need no approval.
		const run = await proveCell('claude-code', session, expectationsFromSession(session), {argv: id => ['gemini', '--resume', id, '--yolo', `--prompt=${RESUME_PROMPT}`]});
		expect(run.write.report.tool_calls_mapped).toBe(4);
		expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, JSON.parse(entry.text)])).toEqual([
			['read_file', {file_path: 'notes.txt'}],
			['write_file', {file_path: 'todo.txt', content: 'ship it\n'}],
			['replace', {file_path: 'notes.txt', old_string: 'beta', new_string: 'gamma'}],
			['run_shell_command', {command: 'git status --short'}],
		]);
		// The real CLI declares these tools under the same names.
		const declared = JSON.stringify((run.request!.body as {tools?: unknown}).tools ?? []);
		for (const name of ['read_file', 'write_file', 'replace', 'run_shell_command']) expect(declared).toContain(`"${name}"`);
		const outputs = run.entries!.filter(entry => entry.kind === 'tool_result').map(entry => entry.text);
		expect(outputs.some(text => text.includes('File created successfully at: todo.txt'))).toBe(true);
		expect(outputs.some(text => text.includes('The file notes.txt has been updated.'))).toBe(true);
	}, 120_000);
});

describe('gemini target: prompts Gemini would skip', () => {
	it('keeps user prompts that start with "/" or "?" in the resumed conversation', async () => {
		const session = canonicalSession('claude-code', [
			message('user', [{type: 'text', text: 'Look at the network setup.'}]),
			message('assistant', [{type: 'text', text: 'Which file should I check?'}]),
			message('user', [{type: 'text', text: '/etc/hosts looks broken, check it'}]),
			message('assistant', [{type: 'text', text: 'The localhost line is missing.'}]),
			message('user', [{type: 'text', text: '? and what about resolv.conf'}]),
			message('assistant', [{type: 'text', text: 'resolv.conf is fine.'}]),
		]);
		const run = await proveCell('claude-code', session, expectationsFromSession(session));
		expect(run.write.warnings.join('\n')).toContain('2 user prompts starting with "/", "?"');
	}, 120_000);
});
