/**
 * A private tmux server for end-to-end tests of the built `sfs` on a real terminal. Each test file
 * names its own socket (`tmux -L`), so a test never touches the user's tmux server or another file's.
 */
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {vi} from 'vitest';
import {shellQuote} from '../../source/engine/shell-quote.js';

export const hasTmux = (() => {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
})();

export const builtCli = path.resolve('dist/cli.js');

export type TmuxPane = {
	screen(): string;
	keys(...names: string[]): void;
	/** Waits until the screen holds `expected` (a text, or a test of the whole screen) and returns it. */
	waitFor(expected: string | ((text: string) => boolean), what?: string, timeout?: number): Promise<string>;
};

export type SfsRun = {
	/** The whole environment of sfs (it runs under `env -i`). */
	env: Record<string, string | undefined>;
	width?: number;
	height?: number;
	/** Shell lines before and after sfs (after: e.g. `echo "SFS-EXIT $?"`); the pane then stays a minute. */
	before?: string;
	after?: string;
};

export type TmuxServer = {
	run(...args: string[]): string;
	pane(target: string): TmuxPane;
	/** The built sfs in a new session named `target`, on a terminal of the given size. */
	startSfs(target: string, options: SfsRun): TmuxPane;
	/** Ends this socket's server (and only it). */
	kill(): void;
};

export function privateTmux(socket: string): TmuxServer {
	const run = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const pane = (target: string): TmuxPane => {
		const screen = () => run('capture-pane', '-p', '-t', target);
		return {
			screen,
			keys: (...names) => {
				run('send-keys', '-t', target, ...names);
			},
			async waitFor(expected, what, timeout = 30_000) {
				const test = typeof expected === 'string' ? (text: string) => text.includes(expected) : expected;
				let shown = '';
				await vi.waitFor(
					() => {
						shown = screen();
						if (!test(shown)) throw new Error(`waiting for ${what ?? JSON.stringify(expected)}; screen:\n${shown}`);
					},
					{timeout, interval: 150},
				);
				return shown;
			},
		};
	};

	return {
		run,
		pane,
		startSfs(target, {env, width = 120, height = 32, before, after}) {
			const exports = Object.entries(env)
				.filter((entry): entry is [string, string] => entry[1] !== undefined)
				.map(([name, value]) => `${name}=${shellQuote(value)}`)
				.join(' ');
			const command = `env -i ${exports} ${shellQuote(process.execPath)} ${shellQuote(builtCli)}`;
			run('new-session', '-d', '-s', target, '-x', String(width), '-y', String(height), [before, command].filter(Boolean).join(' && ') + `; ${after ?? 'true'}; sleep 60`);
			// tmux's default 500 ms escape-time would glue Esc to the next key (Alt+key); see README.
			run('set-option', '-s', 'escape-time', '10');
			return pane(target);
		},
		kill() {
			try {
				run('kill-server');
			} catch {}
		},
	};
}
