/**
 * The TUI's launch of a tool that is not on PATH: it used to convert and write the native session
 * first and then fail to start the program, so every try left one more session in the tool's store
 * (each captured later as a copy). Now it is refused before anything is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {loadWriter} from '../../source/adapters/writers.js';
import {openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {SessionBuilder} from '../insight/build.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

function filesUnder(dir: string): string[] {
	return fs.existsSync(dir) ? (fs.readdirSync(dir, {recursive: true}) as string[]).filter(file => fs.statSync(path.join(dir, file)).isFile()) : [];
}

test('prepareLaunch refuses a target whose program is not on PATH and writes nothing; with it on PATH it writes the session', async () => {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-launch-'));
	const bin = path.join(home, 'bin');
	fs.mkdirSync(bin);
	const env = {HOME: home, SFS_HOME: path.join(home, 'sfs'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), CODEX_HOME: path.join(home, '.codex'), PATH: bin};
	const engine = openEngine({env});
	cleanups.push(() => {
		engine.close();
		fs.rmSync(home, {recursive: true, force: true});
	});
	const builder = new SessionBuilder('claude-code', '2026-03-20T10:00:00.000Z', home);
	builder.user('hello from the TUI');
	const session = builder.session('ses_launch', 'claude-sonnet-4-5');
	engine.store.createSession(session);
	engine.index.upsertSession(session.manifest);
	engine.index.addMessages('ses_launch', session.messages, 1);
	const tui = createTuiEngine(engine, {loadWriter, captureInWorker: false, autoAttach: false});
	cleanups.unshift(() => tui.stopBackground());

	for (let attempt = 0; attempt < 3; attempt++) {
		await expect(tui.prepareLaunch('ses_launch', 'codex')).rejects.toThrow(/codex \(codex\) is not installed or not on PATH/);
	}

	expect(filesUnder(path.join(home, '.codex'))).toEqual([]);
	expect(engine.index.listSessions({}).map(row => row.session_id)).toEqual(['ses_launch']);

	fs.writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\n', {mode: 0o755});
	const spec = await tui.prepareLaunch('ses_launch', 'codex');
	expect(spec.command).toBe('codex');
	expect(filesUnder(path.join(home, '.codex')).length).toBe(1);
});
