/**
 * The built `sfs` in a real tmux (private socket): a Claude Code session whose folder is gone is resumed
 * from the TUI in another folder, as `sfs resume --cwd` would. The Resume screen asks for the folder,
 * refuses one that does not exist, plans in the one given (in the background worker), and the launched
 * program (a stand-in `claude` on PATH) runs there; the TUI comes back when it exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, expect, test} from 'vitest';
import {shellQuote} from '../../source/engine/shell-quote.js';
import {builtCli, hasTmux, privateTmux} from '../support/tmux.js';

const tmux = privateTmux(`sfs-resume-folder-${process.pid}`);
const session = 'main';
const fixture = 'test/fixtures/claude-code/projects/-workspace-example-app/55550000-0000-4000-8000-000000000001.jsonl';
let root = '';

afterAll(() => {
	if (!hasTmux) return;
	tmux.kill();
	if (root) fs.rmSync(root, {recursive: true, force: true});
});

test.skipIf(!hasTmux)('a session whose folder is gone is resumed from the TUI in another folder', async () => {
	expect(fs.existsSync(builtCli), 'run npm run build first').toBe(true);
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-e2e-folder-'));
	const home = path.join(root, 'home');
	const gone = path.join(root, 'old-checkout'); // recorded by the session, never created
	const elsewhere = path.join(root, 'new-checkout');
	const bin = path.join(root, 'bin');
	fs.mkdirSync(elsewhere, {recursive: true});
	fs.mkdirSync(bin);
	const project = path.join(home, '.claude', 'projects', '-old-checkout');
	fs.mkdirSync(project, {recursive: true});
	fs.writeFileSync(path.join(project, path.basename(fixture)), fs.readFileSync(fixture, 'utf8').replaceAll('/workspace/example-app', gone));
	// A stand-in for Claude Code: says where it runs and with what, then waits for a line.
	fs.writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\necho "STAND-IN-CLAUDE cwd=$(pwd) args=$*"\nread line\n', {mode: 0o755});

	const env: Record<string, string> = {
		HOME: home,
		SFS_HOME: path.join(root, 'sfs'),
		XDG_CACHE_HOME: path.join(root, 'cache'),
		XDG_CONFIG_HOME: path.join(root, 'config'),
		XDG_DATA_HOME: path.join(root, 'data'),
		XDG_STATE_HOME: path.join(root, 'state'),
		PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
		CI: 'false', // G9: Ink draws live frames only outside CI
		TERM: 'xterm-256color',
	};
	const pane = tmux.startSfs(session, {env, before: `cd ${shellQuote(root)}`, after: 'echo "SHELL-SAW $?"'});
	const {keys, screen} = pane;
	const waitForScreen = async (test: (text: string) => boolean, what: string) => pane.waitFor(test, what);

	await waitForScreen(text => text.includes('Give me a tour'), 'the captured session in the list');
	keys('l');
	await waitForScreen(text => text.includes(`The session's folder ${gone} no longer exists: type another and press Enter`), 'the folder question');
	expect(screen()).toContain(`Folder: ${root}`); // the field starts with the TUI's own folder

	keys('C-u', path.join(root, 'nowhere'), 'Enter');
	await waitForScreen(text => text.includes(`${path.join(root, 'nowhere')} is not a folder`), 'the refusal');

	keys('C-u', elsewhere, 'Enter');
	await waitForScreen(text => text.includes(`(in ${elsewhere})`) && text.includes('$ claude --resume'), 'the plan in the new folder');
	expect(screen()).toContain(`Folder: ${elsewhere} (f to change)`);
	expect(screen()).not.toContain('no longer exists');

	keys('Enter');
	await waitForScreen(text => text.includes(`STAND-IN-CLAUDE cwd=${elsewhere} args=--resume `), 'the tool launched in the new folder');
	keys('Enter');
	await waitForScreen(text => text.includes('Back from claude'), 'the TUI back');
	// The native session the launch wrote lives where Claude Code looks for a session run in the new folder.
	const written = fs.readdirSync(path.join(home, '.claude', 'projects')).filter(name => name !== '-old-checkout');
	expect(written).toEqual([elsewhere.replaceAll(/[^a-zA-Z\d]/g, '-')]);

	keys('q');
	await waitForScreen(text => text.includes('Enter open'), 'the Sessions screen');
	keys('q');
	await waitForScreen(text => text.includes('SHELL-SAW 0'), 'sfs exited');
}, 120_000);
