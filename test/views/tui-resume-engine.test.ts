/**
 * The TUI engine's resume: the Resume screen's plan (a whole-session conversion) and the launch's write
 * run in the background worker, not on the TUI's main thread; a folder given on the screen is used as
 * `sfs resume --cwd` uses it. The worker runs from the TS sources through tsx here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {loadWriter} from '../../source/adapters/writers.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {BackgroundWorker} from '../../source/engine/tui-worker-client.js';
import type {ResumeTarget} from '../../source/engine/types.js';
import {SessionBuilder} from '../insight/build.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

function filesUnder(dir: string): string[] {
	return fs.existsSync(dir) ? (fs.readdirSync(dir, {recursive: true}) as string[]).filter(file => fs.statSync(path.join(dir, file)).isFile()) : [];
}

/** A loadWriter that counts its calls (the main thread's: the worker loads its own writers). */
function countingLoader() {
	const calls: ResumeTarget[] = [];
	return {
		calls,
		load: async (target: ResumeTarget) => {
			calls.push(target);
			return loadWriter(target);
		},
	};
}

function setup() {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-resume-'));
	const bin = path.join(home, 'bin');
	fs.mkdirSync(bin);
	const env = {
		HOME: home,
		PATH: bin,
		SFS_HOME: path.join(home, 'sfs'),
		XDG_CACHE_HOME: path.join(home, 'cache'),
		XDG_CONFIG_HOME: path.join(home, 'config'),
		XDG_DATA_HOME: path.join(home, 'data'),
		XDG_STATE_HOME: path.join(home, 'state'),
		CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
		CODEX_HOME: path.join(home, '.codex'),
		COPILOT_HOME: path.join(home, '.copilot'),
		GEMINI_CLI_HOME: path.join(home, 'gemini'),
	};
	const engine = openEngine({env});
	const mainThread = countingLoader();
	const inWorker = createTuiEngine(engine, {loadWriter: mainThread.load, autoAttach: false});
	const inProcess = createTuiEngine(engine, {loadWriter, captureInWorker: false, autoAttach: false});
	cleanups.push(() => {
		inWorker.stopBackground();
		engine.close();
		fs.rmSync(home, {recursive: true, force: true});
	});
	return {home, bin, env, engine, inWorker, inProcess, mainThread};
}

function store(engine: Engine, id: string, cwd: string, turns = 3) {
	const builder = new SessionBuilder('claude-code', '2026-03-20T10:00:00.000Z', cwd);
	for (let turn = 0; turn < turns; turn++) {
		builder.user(`step ${turn}: fix the parser`);
		builder.bash(`npm test -- case-${turn}`, `Tests  ${turn} passed (${turn})`);
	}

	const session = builder.session(id);
	engine.store.createSession(session);
	engine.index.upsertSession(session.manifest);
	engine.index.addMessages(id, session.messages, 1);
}

test('the plan is made by the worker (the main thread loads no writer), with the in-process answer, and leaves nothing behind', async () => {
	const {home, engine, inWorker, inProcess, mainThread} = setup();
	const project = path.join(home, 'project');
	fs.mkdirSync(project);
	store(engine, 'ses_plan', project, 40);

	const fromWorker = await inWorker.planResume('ses_plan', 'codex', 'gpt-5');
	expect(mainThread.calls).toEqual([]);
	expect(fromWorker).toEqual(await inProcess.planResume('ses_plan', 'codex', 'gpt-5'));
	expect(fromWorker.cwd).toBe(project);
	expect(fromWorker.report.messages_converted + fromWorker.report.messages_kept).toBeGreaterThan(0);
	expect(fromWorker.command).toContain('gpt-5');
	// A plan writes into a scratch folder only: nothing in the tool's store, no scratch left over.
	expect(filesUnder(path.join(home, '.codex'))).toEqual([]);
	expect(fs.readdirSync(engine.store.dataRoot).filter(name => name.startsWith('.resume-plan-'))).toEqual([]);
});

test('an error in the worker reaches the TUI as one line with its code', async () => {
	const {engine, inWorker, mainThread} = setup();
	store(engine, 'ses_gone', '/nonexistent/sfs-test-folder');
	const failure = await inWorker.planResume('ses_gone', 'codex').then(
		() => undefined,
		(error: unknown) => error as {message: string; code?: string; hint?: string},
	);
	expect(failure?.code).toBe('NOT_FOUND');
	expect(failure?.message).toBe('the session\'s directory /nonexistent/sfs-test-folder no longer exists');
	expect(mainThread.calls).toEqual([]);
});

test('a session whose folder is gone: reported as gone, and planned and launched in another folder as --cwd does', async () => {
	const {home, bin, engine, inWorker, mainThread} = setup();
	const gone = path.join(home, 'old-checkout');
	const elsewhere = path.join(home, 'new-checkout');
	fs.mkdirSync(elsewhere);
	store(engine, 'ses_moved', gone);

	expect(await inWorker.sessionFolder!('ses_moved')).toEqual({path: gone, exists: false});
	expect(await inWorker.checkFolder!('~/new-checkout')).toEqual({path: elsewhere, exists: true});
	expect(await inWorker.checkFolder!('~/old-checkout')).toEqual({path: gone, exists: false});
	fs.writeFileSync(path.join(home, 'a-file'), '');
	expect((await inWorker.checkFolder!(path.join(home, 'a-file'))).exists).toBe(false);

	const plan = await inWorker.planResume('ses_moved', 'codex', undefined, elsewhere);
	expect(plan.cwd).toBe(elsewhere);

	// The launch writes in the worker too: a codex session whose recorded cwd is the folder given.
	fs.writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\n', {mode: 0o755});
	let changed = 0;
	inWorker.onSessionsChanged(() => changed++);
	const spec = await inWorker.prepareLaunch('ses_moved', 'codex', undefined, elsewhere);
	expect(spec.cwd).toBe(elsewhere);
	expect(spec.command).toBe('codex');
	expect(changed).toBe(1);
	const written = filesUnder(path.join(home, '.codex'));
	expect(written).toHaveLength(1);
	expect(fs.readFileSync(path.join(home, '.codex', written[0]!), 'utf8')).toContain(JSON.stringify(elsewhere).slice(1, -1));
	expect(mainThread.calls).toEqual([]);
});

test('a launch of a tool that is not on PATH is refused in the worker before anything is written', async () => {
	const {home, engine, inWorker} = setup();
	const project = path.join(home, 'project');
	fs.mkdirSync(project);
	store(engine, 'ses_launch', project);
	await expect(inWorker.prepareLaunch('ses_launch', 'codex')).rejects.toThrow(/codex \(codex\) is not installed or not on PATH/);
	expect(filesUnder(path.join(home, '.codex'))).toEqual([]);
});

test('a plan still waiting behind another job when a newer plan is asked for is not made', async () => {
	const {home, env, engine} = setup();
	const project = path.join(home, 'project');
	fs.mkdirSync(project);
	store(engine, 'ses_a', project);
	const worker = new BackgroundWorker(env, 60_000);
	cleanups.unshift(() => {
		worker.stop();
	});
	// A fresh worker loads its modules for the first job, so the two plans arrive while it runs and wait their turn.
	const first = worker.request({type: 'insight', sessionId: 'ses_a'});
	const older = worker.request({type: 'resume-plan', sessionId: 'ses_a', target: 'codex'});
	const newer = worker.request<{cwd: string}>({type: 'resume-plan', sessionId: 'ses_a', target: 'gemini'});
	await expect(older).rejects.toThrow('a newer resume plan was asked for');
	expect((await newer).cwd).toBe(project);
	await first;
});
