/**
 * The built `sfs` in a real tmux (private socket), opened before the daemon: when `sfs daemon start` runs,
 * the TUI attaches to it and shows what the daemon captures; when `sfs daemon stop` runs, it says so and
 * captures in-process again.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {installFixture, projectsDir, type Sandbox, sandbox, sfs, stopQuietly, writeSession} from '../daemon/helpers.js';
import {privateTmux} from '../support/tmux.js';

const tmux = privateTmux(`sfs-attach-${process.pid}`);
let box: Sandbox | undefined;

afterEach(async () => {
	tmux.kill();
	if (box) await stopQuietly(box);
	box?.cleanup();
	box = undefined;
});

test('a TUI opened before the daemon attaches to it, shows what it captures, and falls back when it stops', {timeout: 120_000}, async () => {
	box = sandbox();
	box.env.XDG_RUNTIME_DIR = path.join(box.root, 'runtime');
	installFixture(box);
	fs.mkdirSync(box.env.XDG_RUNTIME_DIR, {recursive: true, mode: 0o700});
	const pane = tmux.startSfs('attach', {env: {...box.env, CI: 'false', TERM: 'xterm-256color'}, width: 140, height: 30, after: 'echo "SFS-EXIT $?"'});
	const waitForScreen = async (text: string) => pane.waitFor(text);
	await waitForScreen(' 1 session');
	await waitForScreen('○ capture idle');

	expect((await sfs(box, ['daemon', 'start'])).exitCode).toBe(0);
	await waitForScreen('⇄ daemon attached');
	await waitForScreen('A daemon started: attached');

	const id = '7e57a77a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
	writeSession(path.join(projectsDir(box), '-home-me-late'), id, 1);
	await waitForScreen(`question 0 of ${id.slice(0, 8)}`);
	await waitForScreen(' 2 sessions');

	expect((await sfs(box, ['daemon', 'stop'])).exitCode).toBe(0);
	await waitForScreen('The daemon stopped: capturing in-process again');
	await waitForScreen('○ capture idle');
	expect(pane.screen()).not.toContain('daemon attached');

	pane.keys('q');
	await waitForScreen('SFS-EXIT 0');
});
