/**
 * End to end in a real tmux: the real runTui (over the fake engine) in a real pty. Asserts what a person
 * would see: frames, the alternate screen on and off, a launched child owning the terminal and the
 * TUI coming back, and the terminal restored on quit and on SIGTERM. Skips cleanly without tmux.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test, vi} from 'vitest';

const hasTmux = (() => {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
})();

const socket = `sfs-tui-test-${process.pid}`;
const root = path.resolve(import.meta.dirname, '../..');
let dir = '';

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
}

function screen(target: string): string {
	return tmux('capture-pane', '-p', '-t', target);
}

function alternateOn(target: string): string {
	return tmux('display-message', '-p', '-t', target, '#{alternate_on}').trim();
}

function start(name: string, rows = 40): string {
	const pidFile = path.join(dir, `${name}.pid`);
	// G9: Ink only draws live frames when not in CI. The trailing sleep keeps the pane readable after exit.
	const command = `cd ${root} && CI=false HARNESS_ROWS=${rows} HARNESS_PID_FILE=${pidFile} ./node_modules/.bin/tsx test/views/tui-harness.tsx; echo "SHELL-SAW $?"; sleep 60`;
	tmux('new-session', '-d', '-s', name, '-x', '110', '-y', '30', command);
	return pidFile;
}

const wait = {timeout: 20_000, interval: 100};

describe.skipIf(!hasTmux)('TUI in real tmux', () => {
	beforeAll(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'sfs-tui-'));
	});

	afterAll(() => {
		try {
			tmux('kill-server');
		} catch {}

		rmSync(dir, {recursive: true, force: true});
	});

	test('navigate, filter, launch a child that owns the terminal, come back, quit restores the screen', async () => {
		start('main');
		await vi.waitFor(() => expect(screen('main')).toContain('session 001'), wait);
		expect(alternateOn('main')).toBe('1');
		tmux('send-keys', '-t', 'main', 'j', 'j', 'j');
		await vi.waitFor(() => expect(screen('main')).toMatch(/› copilot\s+session 004/), wait);
		// Redraws land where the first frame was: header on row 1, footer on row rows-1 (no scrolling, G1).
		const rows = screen('main').split('\n');
		expect(rows[0]).toMatch(/^sfs {3}1 Sessions/);
		expect(rows[1]).toMatch(/^\/ filter/);
		expect(rows[28]).toContain('q quit');
		tmux('send-keys', '-t', 'main', '/', 'session 01');
		await vi.waitFor(() => expect(screen('main')).toContain('/ session 01'), wait);
		tmux('send-keys', '-t', 'main', 'Enter', 'l');
		await vi.waitFor(() => expect(screen('main')).toContain('messages kept'), wait);
		tmux('send-keys', '-t', 'main', 'Enter');
		await vi.waitFor(() => expect(screen('main')).toContain('CHILD-RAN'), wait);
		expect(alternateOn('main')).toBe('0');
		tmux('send-keys', '-t', 'main', 'hello', 'Enter');
		await vi.waitFor(() => expect(screen('main')).toContain('Back from sh (exit 0)'), wait);
		expect(alternateOn('main')).toBe('1');
		expect(screen('main')).toContain('Resume');
		tmux('send-keys', '-t', 'main', 'q');
		await vi.waitFor(() => expect(screen('main')).toContain('Enter open'), wait);
		tmux('send-keys', '-t', 'main', 'q');
		await vi.waitFor(() => expect(screen('main')).toContain('SHELL-SAW 0'), wait);
		expect(alternateOn('main')).toBe('0');
		const after = screen('main');
		expect(after).toContain('child got hello');
		expect(after).toContain('HARNESS-EXIT 0');
	});

	test('SIGTERM leaves the alternate screen and exits 143', async () => {
		const pidFile = start('term', 5);
		await vi.waitFor(() => expect(screen('term')).toContain('session 005'), wait);
		expect(alternateOn('term')).toBe('1');
		process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
		await vi.waitFor(() => expect(screen('term')).toContain('SHELL-SAW 143'), wait);
		expect(alternateOn('term')).toBe('0');
	});

	test('a resize re-lays out the list', async () => {
		start('resize', 40);
		await vi.waitFor(() => expect(screen('resize')).toContain('session 001'), wait);
		expect(screen('resize')).toContain('│'); // wide: preview beside the list
		tmux('resize-window', '-t', 'resize', '-x', '80', '-y', '16');
		await vi.waitFor(() => {
			const now = screen('resize');
			expect(now).not.toContain('│'); // single pane below 100 columns
			expect(now).toContain('session 001');
			expect(now.split('\n').filter(line => line.trim()).length).toBeLessThanOrEqual(15); // rows - 1 (G1)
		}, wait);
		tmux('send-keys', '-t', 'resize', 'q');
		await vi.waitFor(() => expect(screen('resize')).toContain('SHELL-SAW 0'), wait);
	});
});
