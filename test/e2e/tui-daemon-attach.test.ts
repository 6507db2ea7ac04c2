/**
 * The built `sfs` in a real tmux (private socket), opened before the daemon: when `sfs daemon start` runs,
 * the TUI attaches to it and shows what the daemon captures; when `sfs daemon stop` runs, it says so and
 * captures in-process again.
 */
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {afterEach, expect, test, vi} from 'vitest';
import {installFixture, projectsDir, type Sandbox, sandbox, sfs, stopQuietly, writeSession} from '../daemon/helpers.js';

const socket = `sfs-attach-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
const screen = () => tmux('capture-pane', '-p', '-t', 'attach');
let box: Sandbox | undefined;

async function waitForScreen(text: string, timeout = 30_000) {
	await vi.waitFor(
		() => {
			const shown = screen();
			if (!shown.includes(text)) throw new Error(`waiting for "${text}"; screen:\n${shown}`);
		},
		{timeout, interval: 200},
	);
}

afterEach(async () => {
	try {
		tmux('kill-server');
	} catch {}

	if (box) await stopQuietly(box);
	box?.cleanup();
	box = undefined;
});

test('a TUI opened before the daemon attaches to it, shows what it captures, and falls back when it stops', {timeout: 120_000}, async () => {
	box = sandbox();
	box.env.XDG_RUNTIME_DIR = path.join(box.root, 'runtime');
	installFixture(box);
	const exports = Object.entries({...box.env, CI: 'false', TERM: 'xterm-256color'})
		.map(([name, value]) => `${name}=${shellQuote(value)}`)
		.join(' ');
	const cli = path.resolve('dist/cli.js');
	tmux('new-session', '-d', '-s', 'attach', '-x', '140', '-y', '30', `mkdir -p -m 700 ${shellQuote(box.env.XDG_RUNTIME_DIR)}; env -i ${exports} ${shellQuote(process.execPath)} ${shellQuote(cli)}; echo "SFS-EXIT $?"; sleep 30`);
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
	expect(screen()).not.toContain('daemon attached');

	tmux('send-keys', '-t', 'attach', 'q');
	await waitForScreen('SFS-EXIT 0');
});
