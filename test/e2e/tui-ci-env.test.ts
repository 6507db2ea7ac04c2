/**
 * The built `sfs` on a real terminal with CI=true in its environment (a shell that exports it, or the
 * bench under .ci/run): Ink would treat that as "no terminal" and draw nothing until exit. The TUI must
 * still draw its rows live.
 */
import {afterEach, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs, specExamples} from '../cli/run-sfs.js';
import {privateTmux} from '../support/tmux.js';

const tmux = privateTmux(`sfs-ci-env-${process.pid}`);
let box: Sandbox | undefined;

afterEach(() => {
	tmux.kill();
	box?.cleanup();
});

test('with CI=true the TUI still draws its sessions at once and quits cleanly', {timeout: 60_000}, async () => {
	box = sandbox();
	expect((await sfs(box, ['import', specExamples])).exitCode).toBe(0);
	const [first] = parseJson<Array<{title: string | null}>>(await sfs(box, ['list', '--json']));
	expect(first?.title).toBeTruthy();
	const pane = tmux.startSfs('ci', {env: {...box.env, CI: 'true', TERM: 'xterm-256color'}, height: 30, after: 'echo "SFS-EXIT $?"'});
	await pane.waitFor(first!.title!.slice(0, 30), 'the first session', 20_000);
	pane.keys('q');
	await pane.waitFor('SFS-EXIT 0', 'sfs to exit', 20_000);
});
