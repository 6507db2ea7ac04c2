import {cleanup, render} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import type {CaptureProgress} from '../../source/engine/capture.js';
import type {ToolId} from '../../source/engine/types.js';
import {type DetectedTool, InitWizard, type InitWizardProps, type InitWizardResult} from '../../source/views/init-wizard.js';
import {keys} from './helpers.js';

afterEach(cleanup);

/** vi.waitFor with room for a loaded CI machine (two workers, many Ink renders). */
async function until(check: () => void) {
	await vi.waitFor(check, {timeout: 5000, interval: 20});
}

const detected: DetectedTool[] = [
	{tool: 'claude-code', name: 'Claude Code', found: ['/h/.claude/projects'], sessions: 12},
	{tool: 'codex', name: 'Codex', found: [], sessions: 0},
	{tool: 'gemini', name: 'Gemini CLI', found: ['/h/.gemini/tmp'], sessions: 1},
];

/** Fakes for every side effect; capture reports progress only when `release()` is called. */
function fakes(daemon: InitWizardProps['daemon'] = {running: false, allowed: true, installFlag: false}) {
	const calls: string[] = [];
	const results: InitWizardResult[] = [];
	let emit: ((progress: CaptureProgress) => void) | undefined;
	let finish: (() => void) | undefined;
	const props: InitWizardProps = {
		detect: async () => detected,
		daemon,
		applyWatchers(selected: ToolId[], all: DetectedTool[]) {
			calls.push(`watch ${selected.join(',')} of ${all.length}`);
			return `enabled: ${selected.join(', ')}`;
		},
		async capture(onProgress) {
			calls.push('capture');
			emit = onProgress;
			await new Promise<void>(resolve => {
				finish = resolve;
			});
			return 'first capture: 13 new, 0 updated, 0 unchanged in 0.1s';
		},
		async startDaemon() {
			calls.push('start');
			return 'daemon started (pid 42)';
		},
		async installDaemon() {
			calls.push('install');
			return ['wrote /h/.config/systemd/user/sfs-daemon.service'];
		},
		onDone: result => results.push(result),
	};
	return {props, calls, results, progress: (p: CaptureProgress) => emit!(p), finish: () => finish!(), started: () => emit !== undefined};
}

describe('sfs init wizard', () => {
	test('lists the detected tools with sessions, found ones checked', async () => {
		const {props} = fakes();
		const {lastFrame} = render(<InitWizard {...props} />);
		await until(() => expect(lastFrame()).toContain('which tools should sfs watch?'));
		const frame = lastFrame()!;
		expect(frame).toMatch(/› \[x\] Claude Code\s+12 sessions \/h\/\.claude\/projects/);
		expect(frame).toMatch(/ {2}\[ \] Codex\s+not found/);
		expect(frame).toMatch(/ {2}\[x\] Gemini CLI\s+1 session \/h\/\.gemini\/tmp/);
	});

	test('navigate, toggle, confirm, answer: the choices reach the callbacks, progress and summary render', async () => {
		const f = fakes();
		const {stdin, lastFrame} = render(<InitWizard {...f.props} />);
		await until(() => expect(lastFrame()).toContain('[x] Claude Code'));
		// Down twice in one chunk (G10) to Gemini, untick it; up to Codex, tick it.
		stdin.write('jj');
		await until(() => expect(lastFrame()).toContain('› [x] Gemini CLI'));
		stdin.write(' ');
		await until(() => expect(lastFrame()).toContain('› [ ] Gemini CLI'));
		stdin.write(keys.up);
		await until(() => expect(lastFrame()).toContain('› [ ] Codex'));
		stdin.write(' ');
		await until(() => expect(lastFrame()).toContain('› [x] Codex'));
		stdin.write(keys.enter);
		await until(() => expect(lastFrame()).toContain('Start the daemon now'));
		expect(lastFrame()).toContain('watch: claude-code, codex');
		stdin.write('n');
		await until(() => expect(lastFrame()).toContain('Start it at login too? [y/N]'));
		stdin.write('y');
		await until(() => expect(f.started()).toBe(true));
		expect(f.calls).toEqual(['watch claude-code,codex of 3', 'capture']);
		f.progress({tool: 'claude-code', done: 3, total: 13});
		await until(() => expect(lastFrame()).toContain('capturing claude-code 3/13'));
		expect(lastFrame()).toContain('enabled: claude-code, codex');
		f.progress({tool: 'codex', done: 13, total: 13});
		await until(() => expect(lastFrame()).toContain('capturing codex 13/13'));
		f.finish();
		await until(() => expect(lastFrame()).toContain('done. Try:'));
		const frame = lastFrame()!;
		expect(frame).toContain('first capture: 13 new, 0 updated, 0 unchanged');
		expect(frame).toContain('wrote /h/.config/systemd/user/sfs-daemon.service');
		expect(frame).toMatch(/Start the daemon now .*\[Y\/n\] no/);
		expect(frame).toMatch(/Start it at login too\? \[y\/N\] yes/);
		expect(frame).not.toContain('capturing codex');
		// "no" to starting: the daemon is not started, but it is installed.
		expect(f.calls).toEqual(['watch claude-code,codex of 3', 'capture', 'install']);
		// onDone runs in an effect after the final frame is drawn: wait for it rather than race it.
		await until(() => expect(f.results).toEqual([{status: 'done', answers: {tools: ['claude-code', 'codex'], startDaemon: false, installAtLogin: true}}]));
	});

	test('Enter takes the defaults: start now yes, at login no', async () => {
		const f = fakes();
		const {stdin, lastFrame} = render(<InitWizard {...f.props} />);
		await until(() => expect(lastFrame()).toContain('[x] Claude Code'));
		stdin.write(keys.enter);
		await until(() => expect(lastFrame()).toContain('Start the daemon now'));
		stdin.write(keys.enter);
		await until(() => expect(lastFrame()).toContain('Start it at login too?'));
		stdin.write(keys.enter);
		await until(() => expect(f.started()).toBe(true));
		f.finish();
		await until(() => expect(f.results).toHaveLength(1));
		expect(f.calls).toEqual(['watch claude-code,gemini of 3', 'capture', 'start']);
		expect(f.results[0]).toEqual({status: 'done', answers: {tools: ['claude-code', 'gemini'], startDaemon: true, installAtLogin: false}});
		await until(() => expect(lastFrame()).toContain('daemon started (pid 42)'));
	});

	test('--no-daemon skips the daemon questions; --install answers the login one', async () => {
		const none = fakes({running: false, allowed: false, installFlag: false});
		const first = render(<InitWizard {...none.props} />);
		await until(() => expect(first.lastFrame()).toContain('[x] Claude Code'));
		first.stdin.write(keys.enter);
		await until(() => expect(none.started()).toBe(true));
		expect(first.lastFrame()).not.toContain('Start the daemon now');
		none.finish();
		await until(() => expect(none.results).toHaveLength(1));
		expect(none.calls).toEqual(['watch claude-code,gemini of 3', 'capture']);
		first.unmount();

		const install = fakes({running: true, allowed: true, installFlag: true});
		const second = render(<InitWizard {...install.props} />);
		await until(() => expect(second.lastFrame()).toContain('[x] Claude Code'));
		second.stdin.write(keys.enter);
		await until(() => expect(install.started()).toBe(true));
		install.finish();
		await until(() => expect(install.results).toHaveLength(1));
		// Running already: not started again; --install: installed without asking.
		expect(install.calls).toEqual(['watch claude-code,gemini of 3', 'capture', 'install']);
	});

	test('q cancels before anything is changed', async () => {
		const f = fakes();
		const {stdin, lastFrame} = render(<InitWizard {...f.props} />);
		await until(() => expect(lastFrame()).toContain('[x] Claude Code'));
		stdin.write('q');
		await until(() => expect(f.results).toEqual([{status: 'cancelled'}]));
		expect(f.calls).toEqual([]);
		expect(lastFrame()).toContain('nothing changed');
	});

	test('a failing step ends the wizard with the error', async () => {
		const f = fakes();
		f.props.startDaemon = async () => {
			throw new Error('socket in use');
		};

		const {stdin, lastFrame} = render(<InitWizard {...f.props} />);
		await until(() => expect(lastFrame()).toContain('[x] Claude Code'));
		stdin.write(keys.enter);
		await until(() => expect(lastFrame()).toContain('Start the daemon now'));
		stdin.write('y');
		await until(() => expect(lastFrame()).toContain('Start it at login too?'));
		stdin.write('n');
		await until(() => expect(f.started()).toBe(true));
		f.finish();
		await until(() => expect(lastFrame()).toContain('sfs: socket in use'));
		await until(() => expect(f.results[0]).toMatchObject({status: 'failed', error: 'socket in use'}));
	});
});
