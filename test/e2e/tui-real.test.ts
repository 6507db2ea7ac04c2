/**
 * The built `sfs` in a real tmux, over a temp HOME holding sessions the real CLIs recorded: browse,
 * filter, open, search, then resume into the real Claude Code (offline, against the loopback model
 * endpoint), leave it, and come back to the TUI; the terminal is restored on quit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, expect, test, vi} from 'vitest';
import {startModelEndpoint, type ModelEndpoint} from '../support/model-endpoint.js';
import {cliBinaryPath, createToolHome, ensureClis, nativeRootOf} from '../support/real-clis.js';
import {hasTmux, privateTmux, type TmuxPane} from '../support/tmux.js';

const session = 'main';
const tmux = privateTmux(`sfs-e2e-${process.pid}`);
let pane: TmuxPane;
let endpoint: ModelEndpoint;
let root: string;

const screen = () => pane.screen();
const keys = (...names: string[]) => pane.keys(...names);
const pause = async (ms = 150) => new Promise(resolve => setTimeout(resolve, ms));
const waitForScreen = async (predicate: (text: string) => boolean, what: string, timeout = 30_000) => pane.waitFor(predicate, what, timeout);

beforeAll(async () => {
	if (!hasTmux) return;
	await ensureClis(['claude-code']);
	endpoint = await startModelEndpoint({defaultText: 'Hello from the loopback model.'});
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-e2e-'));
	const recorded = JSON.parse(fs.readFileSync('test/fixtures/recorded/claude-code/manifest.json', 'utf8')) as {cwd: string};
	// The recorded session ran in this directory; resuming it by its own id happens there.
	fs.mkdirSync(recorded.cwd, {recursive: true});
	const home = await createToolHome('claude-code', {endpointUrl: endpoint.url, root, trustedDirs: [recorded.cwd]});
	fs.cpSync('test/fixtures/recorded/claude-code', nativeRootOf('claude-code', home.home), {recursive: true});
	fs.cpSync('test/fixtures/recorded/codex/sessions', path.join(home.home, '.codex', 'sessions'), {recursive: true});
	const env = {
		...home.env,
		SFS_HOME: path.join(root, 'sfs'),
		PATH: `${path.dirname(cliBinaryPath('claude-code'))}:${process.env.PATH}`,
		CI: 'false',
		TERM: 'xterm-256color',
	};
	pane = tmux.startSfs(session, {env, height: 36});
}, 600_000);

afterAll(async () => {
	if (!hasTmux) return;
	tmux.kill();

	await endpoint?.close();
	if (root) fs.rmSync(root, {recursive: true, force: true});
});

test.skipIf(!hasTmux)('browse, filter, search, resume into the real claude and come back, quit restored', async () => {
	// Capture runs in the background; the list fills in.
	await waitForScreen(text => /claude/.test(text) && /codex/.test(text) && !/capturing/.test(text), 'both captured sessions');
	expect(tmux.run('display-message', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');

	// Filter to the Codex session and back.
	keys('/');
	keys('-l', 'codex');
	await waitForScreen(text => /1\/\d+ sessions/.test(text) || /codex/.test(text.split('\n').slice(2, 6).join('\n')), 'the filtered list');
	keys('Escape');
	await pause();

	// Open a session and go back.
	keys('g', 'Enter');
	await waitForScreen(text => /sfs-fixture-turn-1/.test(text), 'the conversation');
	keys('Escape');
	await pause();

	// Full-text search.
	keys('s');
	keys('-l', 'notes.txt');
	await waitForScreen(text => /notes/.test(text) && /claude|codex/.test(text), 'search hits');
	keys('Escape');
	await pause();
	keys('1');
	await pause();

	// Resume the Claude Code session in its own tool: the real claude takes the terminal.
	keys('/');
	keys('-l', 'claude');
	keys('Enter');
	keys('l');
	await waitForScreen(text => /claude --resume/.test(text), 'the resume plan');
	keys('Enter');
	await waitForScreen(text => !/claude --resume/.test(text) && /sfs-fixture-turn-2|notes\.txt|>/.test(text), 'claude on the screen', 60_000);
	keys('-l', '/exit');
	keys('Enter');
	await waitForScreen(text => /Back from claude/.test(text), 'the TUI again', 60_000);
	expect(tmux.run('display-message', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');

	// Back on the resume screen, where it was: q goes back to the list, q again quits and restores the terminal.
	keys('q');
	await waitForScreen(text => /q quit/.test(text), 'the session list');
	keys('q');
	await vi.waitFor(() => expect(tmux.run('display-message', '-p', '-t', session, '#{alternate_on}').trim(), screen()).toBe('0'), {timeout: 10_000});
}, 240_000);
