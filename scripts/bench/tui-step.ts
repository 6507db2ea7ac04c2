/**
 * TUI first frame and memory: the built `sfs` (no arguments) started in a detached tmux pane on a
 * private tmux server, the pane polled every ~10 ms. Measured from just before `tmux new-session` to
 * (1) the first non-blank screen and (2) the first screen showing a session row of the captured corpus.
 * The same is timed for `node -e` printing one line, so tmux's own start-up can be subtracted. Peak RSS
 * is VmHWM of the sfs process (the pane's process, via `exec`) after the list has loaded and 2 s idle.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import {mb, ms, naRow, row, type Row} from './report.js';

type Input = {cli: string; env: NodeJS.ProcessEnv; log: (line: string) => void};

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

function hasTmux(): boolean {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

async function firstScreens(socket: string, command: string, rowMarker: string | undefined, timeoutMs: number) {
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
	const started = performance.now();
	tmux('new-session', '-d', '-s', 'bench', '-x', '160', '-y', '45', command);
	let firstMs: number | undefined;
	let rowMs: number | undefined;
	while (performance.now() - started < timeoutMs) {
		let screen = '';
		try {
			screen = tmux('capture-pane', '-p', '-t', 'bench');
		} catch {
			break;
		}

		const now = performance.now() - started;
		if (firstMs === undefined && screen.trim().length > 0) firstMs = now;
		if (rowMarker && rowMs === undefined && screen.includes(rowMarker)) rowMs = now;
		if (firstMs !== undefined && (!rowMarker || rowMs !== undefined)) break;
		await sleep(10);
	}

	const pid = Number(tmux('list-panes', '-t', 'bench', '-F', '#{pane_pid}').trim());
	return {firstMs, rowMs, pid, tmux};
}

export async function measureTui({cli, env, log}: Input) {
	const what = ['TUI first frame', 'memory, TUI'];
	if (!hasTmux()) return {rows: [naRow(what[0]!, '< 400 ms', 'tmux not installed'), naRow(what[1]!, '< 150 MB', 'tmux not installed')], results: {}};
	const index = SessionIndex.open(indexPath(env), {readonly: true});
	const sessions = index.stats().sessions;
	const newest = index.listSessions({limit: 1})[0];
	index.close();
	// The list shows titles cut to the column width: look for the start of the newest one.
	const marker = newest?.title?.slice(0, 16);
	const socket = `sfs-bench-${process.pid}`;
	const envPrefix = ['HOME', 'SFS_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR']
		.filter(key => env[key])
		.map(key => `${key}=${quote(env[key]!)}`)
		.join(' ');
	try {
		const probe = await firstScreens(socket, `exec ${quote(process.execPath)} -e ${quote("console.log('ready'); setTimeout(() => {}, 60000)")}`, 'ready', 5000);
		probe.tmux('kill-session', '-t', 'bench');
		const run = await firstScreens(socket, `exec env TERM=xterm-256color ${envPrefix} ${quote(process.execPath)} ${quote(cli)}`, marker, 20_000);
		await sleep(2000);
		let peak: number | undefined;
		try {
			const status = fs.readFileSync(`/proc/${run.pid}/status`, 'utf8');
			const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
			if (kb) peak = Number(kb) * 1024;
		} catch {}

		try {
			run.tmux('send-keys', '-t', 'bench', 'q');
			await sleep(300);
		} catch {}

		log(`TUI (${sessions} sessions): first screen ${run.firstMs === undefined ? 'none' : ms(run.firstMs)}, rows ${run.rowMs === undefined ? 'none' : ms(run.rowMs)}; tmux + node -e probe ${probe.rowMs === undefined ? 'none' : ms(probe.rowMs)}; peak RSS ${peak === undefined ? 'n/a' : mb(peak)}`);
		const sessionsNote = sessions >= 10_000 ? `${sessions} sessions` : `${sessions} sessions (10,000 at large)`;
		const rows: Row[] = [
			run.rowMs === undefined
				? row(what[0]!, `no session row within 20 s (first screen ${run.firstMs === undefined ? 'none' : ms(run.firstMs)})`, '< 400 ms', 'missed')
				: row(
						what[0]!,
						`rows on screen ${ms(run.rowMs)} (first screen ${ms(run.firstMs!)}) from spawn in tmux, ${sessionsNote}; tmux + node -e printing a line: ${probe.rowMs === undefined ? 'n/a' : ms(probe.rowMs)}`,
						'< 400 ms',
						run.rowMs < 400 ? 'met' : 'missed',
					),
			peak === undefined ? naRow(what[1]!, '< 150 MB', 'no /proc') : row(what[1]!, `peak RSS ${mb(peak)}, ${sessionsNote}, list loaded + 2 s`, '< 150 MB at 10k sessions', peak < 150e6 ? 'met' : 'missed'),
		];
		return {rows, results: {sessions, first_screen_ms: run.firstMs, rows_ms: run.rowMs, probe_ms: probe.rowMs, peak_rss_bytes: peak}};
	} finally {
		try {
			execFileSync('tmux', ['-L', socket, 'kill-server'], {stdio: 'ignore'});
		} catch {}
	}
}
