/**
 * The TUI lifecycle: alternate screen, render, and the launcher loop (style §1 "Lifecycle", G3/G4/G15).
 * This is the only place that calls Ink's render(). The integrator's cli.tsx calls runTui(engine, …)
 * after checking for a TTY (G8) and mapping NO_COLOR to FORCE_COLOR=0 before Ink is imported (G17).
 */
import process from 'node:process';
import {render} from 'ink';
import {initialAppState} from './views/app-state.js';
import {App} from './views/app.js';
import {FIRST_ROWS, type TuiResult} from './views/controller.js';
import type {LaunchSpec, TuiEngine} from './views/engine-context.js';
import {Store} from './views/store.js';

export type RunTuiOptions = {
	/** Show the demo badge (the engine is already over the demo data dir). */
	demo?: boolean;
	/** Streams (tests); default the process's. */
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	/** Runs a launch request; resolves with the exit code. Default: execa with stdio 'inherit' (G15). */
	launch?: (spec: LaunchSpec) => Promise<{exitCode?: number; error?: string}>;
	/** Install SIGINT/SIGTERM/SIGHUP and crash handlers (default true; tests turn it off). */
	handleSignals?: boolean;
};

/** Enter the alternate screen. */
const ENTER_ALT = '\u001B[?1049h';
/** Show the cursor (G16: in tmux cursor visibility is independent of the alt screen), then leave the alternate screen. */
const LEAVE_ALT = '\u001B[?25h\u001B[?1049l';
/**
 * Modes a tool may leave on when it exits (ccmanager's list): kitty keyboard flags off, modifyOtherKeys
 * reset, focus reporting off, bracketed paste off, mouse tracking off, autowrap on, attributes reset, cursor shown.
 */
export const RESET_TERMINAL_MODES = '\u001B[=0;1u\u001B[>4;0m\u001B[?1004l\u001B[?2004l\u001B[?1000l\u001B[?1002l\u001B[?1003l\u001B[?1006l\u001B[?7h\u001B[0m\u001B[?25h';

/** True when the TUI can run here (G8): both ends are terminals. Otherwise print `sfs list` and a hint. */
export function canRunTui(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): boolean {
	return stdin.isTTY === true && stdout.isTTY === true;
}

/** Idempotent enter/leave (G3: leaving twice restores the saved cursor twice and overwrites output). */
export function createAltScreen(stdout: {write: (data: string) => unknown}) {
	let inAlt = false;
	return {
		enter() {
			if (!inAlt) {
				stdout.write(ENTER_ALT);
				inAlt = true;
			}
		},
		leave() {
			if (inAlt) {
				stdout.write(LEAVE_ALT);
				inAlt = false;
			}
		},
		get active() {
			return inAlt;
		},
	};
}

/**
 * Stop this process reading the terminal while a child owns it; returns the function that resumes.
 * Ink's unmount removes its listener, but the stream's libuv handle keeps polling fd 0, so keys typed
 * for the child could be read by Node (seen in tmux: the main thread parked in n_tty_read, the exited
 * child left unreaped, the TUI never came back). readStop() ends the polling. Reading must be started
 * again by hand afterwards: the stream still counts its read as in flight, so the next Ink mount's
 * 'readable' listener alone would never restart it, and Ink would exit on 'beforeExit'.
 */
export function releaseStdin(stdin: NodeJS.ReadStream): () => void {
	if (stdin.isTTY) {
		stdin.setRawMode?.(false);
	}

	stdin.pause();
	const handle = (stdin as unknown as {_handle?: {reading?: boolean; readStop?: () => number; readStart?: () => number}})._handle;
	if (!handle?.readStop || !handle.readStart || handle.reading !== true) {
		return () => undefined;
	}

	handle.reading = false;
	handle.readStop();
	return () => {
		handle.reading = true;
		handle.readStart!();
	};
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * While Ink draws the alternate screen, any other write to the terminal (an engine notice on stderr, a
 * stray console.log) scrolls it and throws Ink's cursor math off by a line: stale rows stay on screen
 * (seen with `sfs --demo`). patchConsole: false (G18) leaves those writes alone, so divert them here:
 * their first line goes to the status bar instead. Returns the function that restores the originals.
 */
export function divertStrayOutput(stderr: NodeJS.WriteStream, report: (line: string) => void): () => void {
	const originalWrite = stderr.write;
	const originalConsole = CONSOLE_METHODS.map(method => console[method]);
	const take = (text: string) => {
		const line = text.split('\n').map(part => part.trim()).find(Boolean);
		if (line) {
			queueMicrotask(() => {
				report(line);
			}); // never dispatch in the middle of a React render
		}
	};

	stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
		take(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
		const callback = rest.find(argument => typeof argument === 'function') as (() => void) | undefined;
		callback?.();
		return true;
	}) as typeof stderr.write;
	for (const method of CONSOLE_METHODS) {
		console[method] = (...args: unknown[]) => {
			take(args.map(argument => (argument instanceof Error ? argument.message : String(argument))).join(' '));
		};
	}

	return () => {
		stderr.write = originalWrite;
		CONSOLE_METHODS.forEach((method, index) => {
			console[method] = originalConsole[index]!;
		});
	};
}

async function launchWithExeca(spec: LaunchSpec): Promise<{exitCode?: number; error?: string}> {
	// G15: Ink is unmounted and releaseStdin() ran, so the child alone reads the terminal.
	const {execa} = await import('execa'); // loaded on the first launch, not before the first frame
	const result = await execa(spec.command, spec.args, {cwd: spec.cwd, stdio: 'inherit', reject: false, env: spec.env});
	if (result.failed && result.exitCode === undefined) {
		return {error: `could not start ${spec.command}: ${(result as {code?: string}).code ?? result.shortMessage}`};
	}

	return {exitCode: result.exitCode};
}

/**
 * The first screenful of rows, read before the first render so the first frame already shows them (the
 * controller reads the rest right after). An error here is left for the controller to report.
 */
async function loadFirstRows(engine: TuiEngine, store: Store): Promise<void> {
	const {sessions} = store.getState();
	const limit = Math.max(FIRST_ROWS, sessions.pageSize * 2);
	try {
		const rows = await engine.listSessions({limit});
		store.dispatch({type: 'sessions/loaded', rows, partial: rows.length >= limit});
	} catch {}
}

/**
 * Run the full-screen TUI until the user quits. A launch request leaves the TUI, runs the tool in this
 * terminal, resets what it left on, and comes back where it was (same store). Resolves with the exit code.
 */
export async function runTui(engine: TuiEngine, options: RunTuiOptions = {}): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	const launch = options.launch ?? launchWithExeca;
	const alt = createAltScreen(stdout);
	const size = {columns: stdout.columns || 80, rows: stdout.rows || 24};
	const store = new Store(initialAppState(size, {demo: options.demo, capture: engine.captureState()}));
	let firstMount = true;

	const cleanups: Array<() => void> = [];
	let childRunning = false;
	let restoreOutput: () => void = () => undefined;
	if (options.handleSignals !== false) {
		// 'exit' alone misses signals (G3): each signal leaves the alt screen, then exits 128+n.
		const onExit = () => {
			alt.leave();
		};

		process.on('exit', onExit);
		cleanups.push(() => process.off('exit', onExit));
		for (const [signal, code] of [
			['SIGINT', 130],
			['SIGTERM', 143],
			['SIGHUP', 129],
		] as const) {
			const handler = () => {
				// Ctrl+C in a launched tool reaches the whole foreground group; it is the tool's to handle.
				if (signal === 'SIGINT' && childRunning) return;
				alt.leave();
				process.exit(code);
			};

			process.on(signal, handler);
			cleanups.push(() => process.off(signal, handler));
		}

		const onCrash = (error: unknown) => {
			restoreOutput();
			alt.leave(); // G4: print after leaving, or the message is lost with the alt buffer
			stderr.write(`sfs: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			process.exit(1);
		};

		process.on('uncaughtException', onCrash);
		process.on('unhandledRejection', onCrash);
		cleanups.push(() => {
			process.off('uncaughtException', onCrash);
			process.off('unhandledRejection', onCrash);
		});
	}

	try {
		for (;;) {
			alt.enter(); // before render (G3), so the first frame lands in the alt screen
			restoreOutput = divertStrayOutput(stderr, line => {
				store.dispatch({type: 'status/error', error: line});
			});
			if (firstMount) {
				firstMount = false;
				await loadFirstRows(engine, store);
			}

			let result: TuiResult | undefined;
			const app = render(<App engine={engine} store={store} demo={options.demo} />, {
				stdin,
				stdout,
				stderr,
				// Not incrementalRendering (G2): in Ink 6.8 it draws every frame after the first one row low when
				// the frame ends in a newline, which every frame shorter than the terminal does (our rows-1 root,
				// G1): log-update moves cursorUp(lines - 1) from the row below the block, so row 1 keeps stale
				// text and the last line scrolls the screen (seen in tmux with `sfs --demo`). Full redraws
				// inside synchronized-output markers are correct.
				incrementalRendering: false,
				patchConsole: false, // G18: console writes from the engine must not re-render the screen
				exitOnCtrlC: false, // Ctrl+C goes through the keymap like q
			});
			try {
				result = (await app.waitUntilExit()) as TuiResult | undefined;
			} catch (error) {
				restoreOutput();
				alt.leave();
				stderr.write(`sfs: ${error instanceof Error ? error.message : String(error)}\n`);
				return 1;
			}

			restoreOutput();

			if (result?.type !== 'launch') {
				alt.leave();
				return 0;
			}

			alt.leave();
			const reclaimStdin = releaseStdin(stdin);
			let outcome: {exitCode?: number; error?: string};
			childRunning = true;
			try {
				outcome = await launch(result.spec);
			} finally {
				childRunning = false;
				reclaimStdin();
			}

			stdout.write(RESET_TERMINAL_MODES);
			store.dispatch({type: 'resume/launching', launching: false});
			if (outcome.error) {
				store.dispatch({type: 'status/error', error: outcome.error});
			} else {
				store.dispatch({type: 'status/message', message: `Back from ${result.spec.command} (exit ${outcome.exitCode ?? 0})`});
			}
		}
	} finally {
		restoreOutput();
		alt.leave();
		for (const cleanup of cleanups) {
			cleanup();
		}
	}
}
