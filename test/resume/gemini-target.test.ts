/**
 * Gemini CLI as a resume target, proven with the real CLI: a session from every source tool is written with
 * geminiWriter into a fresh Gemini home, `gemini --resume <id> --prompt="…"` runs in the written cwd against the loopback
 * endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {geminiWriter} from '../../source/adapters/gemini-writer.js';
import {cliBinaryPath} from '../support/real-clis.js';
import {
	canonicalSession,
	expectationsFromManifest,
	expectationsFromSession,
	kitchenSinkSession,
	loadRecordedSession,
	message,
	removeRun,
	RESUME_PROMPT,
	RESUME_REPLY,
} from '../support/resume-proof.js';
import {type ResumeOptions, resumeInRealCli} from '../support/resume-targets.js';
import {defineTargetProof, expectFileToolOutputs, fileToolsSession} from '../support/target-proof.js';

const {proveCell, endpoint} = defineTargetProof({
	target: 'gemini',
	writer: geminiWriter,
	cliLabel: 'gemini',
	shellTool: 'run_shell_command',
	commandKey: 'command',
	protocol: 'gemini',
	// Gemini sends no stored thoughts to the model (its own neither): every source's reasoning goes as text.
	thinking: 'as_text',
	checkRecordedCommand: true,
	kitchenSinkSource: 'claude-code',
});

describe('gemini target: how Gemini finds the written session', () => {
	it('survives the startup cleanup and is listed in its cwd, even when the conversation is months old', async () => {
		const session = kitchenSinkSession('claude-code');
		for (const entry of session.messages) entry.timestamp = '2025-01-01T00:00:00.000Z';
		const listed = await resumeInRealCli('gemini', geminiWriter, session, endpoint(), {argv: () => ['gemini', '--list-sessions']});
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
		const written = await resumeInRealCli('gemini', geminiWriter, kitchenSinkSession('claude-code'), endpoint(), {argv: () => ['gemini', '--version']});
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
		const session = fileToolsSession();
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
		expectFileToolOutputs(run);
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
