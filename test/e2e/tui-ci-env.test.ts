/**
 * The built `sfs` on a real terminal with CI=true in its environment (a shell that exports it, or the
 * bench under .ci/run): Ink would treat that as "no terminal" and draw nothing until exit. The TUI must
 * still draw its rows live.
 */
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {afterEach, expect, test, vi} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs, specExamples} from '../cli/run-sfs.js';

const socket = `sfs-ci-env-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
let box: Sandbox | undefined;

afterEach(() => {
	try {
		tmux('kill-server');
	} catch {}

	box?.cleanup();
});

test('with CI=true the TUI still draws its sessions at once and quits cleanly', {timeout: 60_000}, async () => {
	box = sandbox();
	expect((await sfs(box, ['import', specExamples])).exitCode).toBe(0);
	const [first] = parseJson<Array<{title: string | null}>>(await sfs(box, ['list', '--json']));
	expect(first?.title).toBeTruthy();
	const exports = Object.entries({...box.env, CI: 'true', TERM: 'xterm-256color'})
		.map(([name, value]) => `${name}=${shellQuote(value)}`)
		.join(' ');
	const cli = path.resolve('dist/cli.js');
	tmux('new-session', '-d', '-s', 'ci', '-x', '120', '-y', '30', `env -i ${exports} ${shellQuote(process.execPath)} ${shellQuote(cli)}; echo "SFS-EXIT $?"; sleep 30`);
	const screen = () => tmux('capture-pane', '-p', '-t', 'ci');
	await vi.waitFor(() => expect(screen()).toContain(first!.title!.slice(0, 30)), {timeout: 20_000, interval: 100});
	tmux('send-keys', '-t', 'ci', 'q');
	await vi.waitFor(() => expect(screen()).toContain('SFS-EXIT 0'), {timeout: 20_000, interval: 100});
});
