import {EventEmitter} from 'node:events';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {createAltScreen, RESET_TERMINAL_MODES, runTui} from '../../source/tui.js';
import type {LaunchSpec} from '../../source/views/engine-context.js';
import {FakeEngine, makeRows} from './fake-engine.js';

const ENTER_ALT = '\u001B[?1049h';
const LEAVE_ALT = '\u001B[?1049l';

class FakeStdout extends EventEmitter {
	isTTY = true;
	columns = 110;
	rows = 26;
	output = '';
	write = (data: string) => {
		this.output += data;
		return true;
	};
}

class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	rawMode: boolean[] = [];
	send(data: string) {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}

	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setRawMode(mode: boolean) {
		this.rawMode.push(mode);
	}

	setEncoding() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

function streams() {
	const stdout = new FakeStdout();
	const stderr = new FakeStdout();
	const stdin = new FakeStdin();
	return {stdout, stderr, stdin, io: {stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream}};
}

/** Keys are sent only once the screen shows `text` (Ink reads stdin after mounting). */
async function until(stdout: FakeStdout, text: string, from = 0) {
	await vi.waitFor(() => expect(stdout.output.slice(from)).toContain(text));
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe('runTui', () => {
	test('enters the alternate screen before the first frame and leaves it once on quit', async () => {
		const {stdout, stdin, io} = streams();
		const done = runTui(new FakeEngine(makeRows(3)), {...io, handleSignals: false});
		await until(stdout, 'session 003');
		expect(stdout.output.startsWith(ENTER_ALT)).toBe(true);
		stdin.send('q');
		await expect(done).resolves.toBe(0);
		expect(stdout.output.split(ENTER_ALT)).toHaveLength(2);
		expect(stdout.output.split(LEAVE_ALT)).toHaveLength(2);
		expect(stdout.output.indexOf(LEAVE_ALT)).toBeGreaterThan(stdout.output.lastIndexOf('session 003'));
		expect(stdout.output).toContain('\u001B[?25h'); // cursor shown again (G16)
	});

	test('a launch leaves the TUI, runs the tool, resets terminal modes and comes back where it was', async () => {
		const {stdout, stdin, io} = streams();
		const launched: Array<{spec: LaunchSpec; altActive: boolean}> = [];
		const done = runTui(new FakeEngine(makeRows(3)), {
			...io,
			handleSignals: false,
			async launch(spec) {
				// The TUI must have left the alternate screen before the tool runs.
				launched.push({spec, altActive: stdout.output.lastIndexOf(ENTER_ALT) > stdout.output.lastIndexOf(LEAVE_ALT)});
				return {exitCode: 3};
			},
		});
		await until(stdout, 'session 003');
		stdin.send('j');
		await until(stdout, 'session 002  ');
		stdin.send('l');
		await until(stdout, 'messages kept');
		stdin.send('\r');
		await vi.waitFor(() => expect(launched).toHaveLength(1));
		expect(launched[0]).toEqual({spec: {command: 'claude', args: ['--resume', 'native-for-claude-code'], cwd: '/home/dev/project'}, altActive: false});
		await until(stdout, RESET_TERMINAL_MODES);
		const mark = stdout.output.indexOf(RESET_TERMINAL_MODES);
		expect(stdout.output.slice(0, mark)).toContain(LEAVE_ALT);
		await until(stdout, 'Back from claude (exit 3)', mark);
		// Same screen and session as before the launch.
		expect(stdout.output.slice(mark)).toContain('Resume');
		expect(stdout.output.slice(mark)).toContain('session 002');
		stdin.send('q');
		await until(stdout, 'Enter open', mark);
		stdin.send('q');
		await expect(done).resolves.toBe(0);
		expect(stdout.output.split(ENTER_ALT)).toHaveLength(3);
		expect(stdout.output.split(LEAVE_ALT)).toHaveLength(3);
	});

	test('a tool that cannot start is reported in the status bar', async () => {
		const {stdout, stdin, io} = streams();
		const done = runTui(new FakeEngine(makeRows(1)), {...io, handleSignals: false, launch: async () => ({error: 'could not start claude: ENOENT'})});
		await until(stdout, 'session 001');
		stdin.send('l');
		await until(stdout, 'messages kept');
		stdin.send('\r');
		await until(stdout, '✗ could not start claude: ENOENT');
		stdin.send('\u0003');
		await expect(done).resolves.toBe(0);
	});

	test('a render crash leaves the alternate screen first, then prints the error', async () => {
		const {stdout, stderr, stdin, io} = streams();
		const engine = new FakeEngine(makeRows(1));
		engine.inTmux = () => {
			throw new Error('engine exploded');
		};

		vi.spyOn(console, 'error').mockImplementation(() => undefined); // React logs the error too
		const done = runTui(engine, {...io, handleSignals: false});
		await until(stdout, 'session 001');
		stdin.send('l'); // the Resume screen asks inTmux() while rendering
		const code = await done;
		expect(code).toBe(1);
		expect(stderr.output).toContain('sfs: engine exploded');
		expect(stdout.output.split(LEAVE_ALT)).toHaveLength(2);
	});

	test('stray writes while the TUI is up go to the status bar, not over the screen', async () => {
		const {stdout, stderr, stdin, io} = streams();
		const engine = new FakeEngine(makeRows(2));
		const list = engine.listSessions.bind(engine);
		engine.listSessions = async query => {
			console.log('a stray log line');
			stderr.write('sfs: capture worker is missing from the build\n');
			return list(query);
		};

		const originalLog = console.log;
		const done = runTui(engine, {...io, handleSignals: false});
		await until(stdout, '✗ sfs: capture worker is missing from the build');
		expect(stdout.output).not.toContain('a stray log line\n');
		expect(stderr.output).toBe('');
		stdin.send('q');
		await expect(done).resolves.toBe(0);
		expect(console.log).toBe(originalLog);
		stderr.write('after\n');
		expect(stderr.output).toBe('after\n');
	});

	test('enter/leave are idempotent', () => {
		const out = {data: '', write(text: string) { this.data += text; }};
		const alt = createAltScreen(out);
		alt.enter();
		alt.enter();
		alt.leave();
		alt.leave();
		expect(out.data).toBe(`${ENTER_ALT}\u001B[?25h${LEAVE_ALT}`);
	});
});
