/**
 * The shared part of the real-CLI resume proofs (test/resume/<target>-target.test.ts): one call registers, for one
 * target, the endpoint and CLI setup and the describe blocks every target runs (recorded sessions of every real CLI,
 * fixture sessions of capture-only tools, the kitchen-sink conversion, optionally resume by name). It hands back
 * `proveCell` and the endpoint so a target file adds only the tests that are its own.
 */
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest';
import type {ResumeWriter} from '../../source/adapters/writer-types.js';
import type {Session, ToolId} from '../../source/engine/types.js';
import type {ModelEndpoint, Protocol} from './model-endpoint.js';
import {ensureClis} from './real-clis.js';
import {
	canonicalSession,
	type Expectation,
	expectationsFromManifest,
	expectationsFromSession,
	FIXTURE_TOOLS,
	kitchenSinkSession,
	loadFixtureSession,
	loadRecordedSession,
	message,
	missingInOrder,
	PNG_BASE64,
	RECORDED_TOOLS,
	RESUME_PROMPT,
	RESUME_REPLY,
	removeRun,
	startModelEndpoint,
} from './resume-proof.js';
import {type ResumeOptions, type ResumeTarget, resumeInRealCli} from './resume-targets.js';

export type TargetRun = Awaited<ReturnType<typeof resumeInRealCli>>;

export type TargetProofSpec = {
	target: ResumeTarget;
	writer: ResumeWriter;
	/** How test names call the real CLI ("claude", "codex", …). */
	cliLabel: string;
	/** The name the target's own shell tool has in the request (Bash, bash, exec_command, run_shell_command). */
	shellTool: string;
	/** The key of the command in a shell call's arguments (command, or codex's cmd). */
	commandKey: string;
	/** The wire protocol the resumed request must use, when the proof pins it. */
	protocol?: Protocol;
	/**
	 * What the target does with the thinking of a recorded session: 'own-kept' sends its own session's thinking back as
	 * thinking (report `kept`) and everyone else's as text; 'as_text' sends every source's reasoning as text.
	 */
	thinking: 'own-kept' | 'as_text';
	/** Whether a recorded session's shell command must reach the request verbatim under `commandKey`. */
	checkRecordedCommand: boolean;
	/** The source tool of the kitchen-sink session (its reasoning and unmappable calls are labelled with it). */
	kitchenSinkSource: ToolId;
	/** Where the target keeps a session's title, for the resume-by-name test (omit to skip that block). */
	resumeByName?: {titleRecord: string; commandContains: string};
};

export type TargetProof = {
	/** Resumes `session` in the real CLI and makes the checks every resume must pass; the run is removed once the test passed. */
	proveCell: (source: ToolId, session: Session, expectations: Expectation[], options?: ResumeOptions) => Promise<TargetRun>;
	/** The loopback model endpoint (set once beforeAll ran). */
	endpoint: () => ModelEndpoint;
};

export function defineTargetProof(spec: TargetProofSpec): TargetProof {
	const {target, writer, cliLabel} = spec;
	let endpoint: ModelEndpoint;

	beforeAll(async () => {
		await ensureClis([target]);
		endpoint = await startModelEndpoint();
	}, 600_000);

	afterAll(async () => {
		await endpoint?.close();
	});

	async function proveCell(source: ToolId, session: Session, expectations: Expectation[], options: ResumeOptions = {}): Promise<TargetRun> {
		const run = await resumeInRealCli(target, writer, session, endpoint, options);
		const context = `${cliLabel} exit ${run.exitCode}\nstdout: ${run.stdout.slice(0, 800)}\nstderr: ${run.stderr.slice(-1500)}`;
		expect(run.exitCode, context).toBe(0);
		expect(run.stdout, context).toContain(RESUME_REPLY);
		if (spec.protocol) expect(run.protocol).toBe(spec.protocol);
		expect(run.entries, `no request carried the new prompt\n${context}`).toBeDefined();
		const entries = run.entries!;
		expect(expectations.length).toBeGreaterThan(2);
		expect(missingInOrder(entries, expectations), `source ${source}: history missing from the resumed request`).toEqual([]);
		// The new prompt comes after the whole history.
		const promptIndex = entries.findLastIndex(entry => entry.role === 'user' && entry.text.includes(RESUME_PROMPT));
		expect(promptIndex).toBeGreaterThan(0);
		// Every replayed tool call is answered by its result in the request (the APIs reject unpaired calls).
		const callIds = entries.filter(entry => entry.kind === 'tool_call').map(entry => entry.callId);
		const resultIds = entries.filter(entry => entry.kind === 'tool_result').map(entry => entry.callId);
		expect(resultIds.sort()).toEqual(callIds.sort());
		onTestFinished(context => {
			if (context.task.result?.state === 'pass') removeRun(run);
		});
		return run;
	}

	describe(`${target} target: sessions the real CLIs recorded`, () => {
		for (const source of RECORDED_TOOLS) {
			it(`resumes a ${source} session in the real ${cliLabel}`, async () => {
				const loaded = await loadRecordedSession(source);
				expect(loaded, `test/fixtures/recorded/${source} is missing or its session was not captured`).toBeDefined();
				const run = await proveCell(source, loaded!.session, expectationsFromManifest(loaded!.manifest));
				const calls = run.entries!.filter(entry => entry.kind === 'tool_call');
				expect(calls.map(entry => entry.toolName)).toContain(spec.shellTool);
				if (spec.checkRecordedCommand) {
					const command = loaded!.manifest.turns.find(turn => turn.toolCall?.command)?.toolCall?.command;
					expect(calls.map(entry => (JSON.parse(entry.text) as Record<string, unknown>)[spec.commandKey])).toContain(command);
				}
				if (spec.thinking === 'own-kept' && source === target) {
					// Same vendor: the target's own stored thinking goes back as thinking.
					expect(run.write.report.thinking).toBe('kept');
					expect(run.entries!.some(entry => entry.kind === 'thinking' && entry.text.includes(loaded!.manifest.turns[0].thinking!))).toBe(true);
				} else {
					// No thinking block the target cannot verify reaches the model: the reasoning goes as text.
					expect(run.write.report.thinking).toBe('as_text');
					expect(run.entries!.some(entry => entry.kind === 'thinking')).toBe(false);
				}
				expect(run.write.report.tool_calls_mapped).toBeGreaterThanOrEqual(1);
			}, 120_000);
		}
	});

	describe(`${target} target: fixture sessions of capture-only tools`, () => {
		for (const source of FIXTURE_TOOLS) {
			it(`resumes a ${source} fixture session in the real ${cliLabel}`, async () => {
				const session = await loadFixtureSession(source);
				expect(session, `no ${source} fixture session captured`).toBeDefined();
				await proveCell(source, session!, expectationsFromSession(session!));
			}, 120_000);
		}
	});

	describe(`${target} target: every kind of conversion`, () => {
		it(`replays an inline image, foreign reasoning as text, unmappable calls as text and placeholder results in the real ${cliLabel}`, async () => {
			const source = spec.kitchenSinkSource;
			const session = kitchenSinkSession(source);
			const run = await proveCell(source, session, expectationsFromSession(session));
			const texts = run.entries!.filter(entry => entry.kind === 'text').map(entry => entry.text).join('\n');
			expect(texts).toContain(`[Reasoning from ${source}]\nI should look at the files first.`);
			expect(texts).toContain(`[Tool call from ${source}: apply_patch]`);
			expect(texts).toContain('[Summary of the earlier conversation]');
			expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, (JSON.parse(entry.text) as Record<string, unknown>)[spec.commandKey]])).toEqual([
				[spec.shellTool, 'ls -la'],
				[spec.shellTool, 'npm test'],
			]);
			expect(JSON.stringify(run.request!.body)).toContain(PNG_BASE64);
		}, 120_000);
	});

	const byName = spec.resumeByName;
	if (byName) {
		describe(`${target} target: resume by name`, () => {
			it(`finds the written session by the title in its ${byName.titleRecord}`, async () => {
				const loaded = await loadRecordedSession('codex');
				expect(loaded).toBeDefined();
				const session = {...loaded!.session, manifest: {...loaded!.session.manifest, title: 'Notes check from sfs'}};
				// The writer's own headless resume command, given the title instead of the written id.
				const run = await resumeInRealCli(target, writer, session, endpoint, {argv: () => writer.headlessResumeCommand('Notes check from sfs', RESUME_PROMPT, {})});
				expect(run.command).toContain(byName.commandContains);
				expect(run.exitCode, run.stderr).toBe(0);
				expect(run.stdout).toContain(RESUME_REPLY);
				expect(missingInOrder(run.entries ?? [], expectationsFromManifest(loaded!.manifest))).toEqual([]);
				removeRun(run);
			}, 120_000);
		});
	}

	return {proveCell, endpoint: () => endpoint};
}

/** A claude-code session that reads, writes and edits files and runs a shell command: for the targets' own file tools. */
export function fileToolsSession(): Session {
	return canonicalSession('claude-code', [
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
}

/** The outputs of the file-tools session's calls that must reach the request (shared by the targets' file-tool tests). */
export function expectFileToolOutputs(run: TargetRun): void {
	const outputs = run.entries!.filter(entry => entry.kind === 'tool_result').map(entry => entry.text);
	expect(outputs.some(text => text.includes('File created successfully at: todo.txt'))).toBe(true);
	expect(outputs.some(text => text.includes('The file notes.txt has been updated.'))).toBe(true);
}
