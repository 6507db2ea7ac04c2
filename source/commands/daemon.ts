import fs from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import type {DaemonStatus} from '../engine/daemon/protocol.js';
import {SfsError} from '../engine/errors.js';
import {humanBytes, note, print, printJson, relativeTime} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs daemon start            Start capturing in the background (detached)
		  $ sfs daemon stop             Stop it
		  $ sfs daemon restart          Stop, then start
		  $ sfs daemon status [--json]  Uptime, watched sources, sessions captured, last capture, errors, memory
		  $ sfs daemon logs [-f]        Print the daemon's log (-f: keep following it)
		  $ sfs daemon run              Run in the foreground (for service managers and debugging)
		  $ sfs daemon install          Start it at login (systemd user unit on Linux, launchd agent on macOS)
		  $ sfs daemon uninstall        Remove that unit or agent
		  $ sfs daemon rebuild-index    Rebuild the index from the store (the daemon keeps running)

		The daemon watches every enabled source (see: sfs watcher list) and captures what changed
		within about two seconds. The TUI attaches to it and updates live.

		Options
		  --json         Machine-readable output (status, start, stop, install)
		  -f, --follow   logs: keep printing new lines
		  -n, --lines    logs: how many lines to print first (default 50)

		Exit status: status exits 1 when the daemon is not running.

		Examples
		  $ sfs daemon start
		  $ sfs daemon status --json
		  $ sfs daemon logs -f
	`,
	flags: {json: {type: 'boolean'}, follow: {type: 'boolean', shortFlag: 'f'}, lines: {type: 'string', shortFlag: 'n'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('daemon', argv, spec);
		if (!parsed) return 0;
		const [action] = parsed.input;
		const json = parsed.flags.json === true;
		const env = process.env;
		if (action === undefined) throw new SfsError('USAGE', 'daemon: missing action', {hint: 'start, stop, restart, status, logs, run, install, uninstall or rebuild-index'});
		expectArgs('daemon', parsed.input, 1, 1, 'an action');
		switch (action) {
			case 'start': {
				const {startDaemon} = await import('../engine/daemon/control.js');
				const result = await startDaemon(env);
				if (json) printJson(result);
				else {
					for (const file of result.cleaned) note(`sfs: removed a stale ${file.endsWith('.sock') ? 'socket' : 'pid file'} (${file})`);
					note(result.status === 'running' ? `sfs: the daemon is already running (pid ${result.pid})` : `sfs: daemon started (pid ${result.pid})`);
				}

				return 0;
			}

			case 'stop': {
				const {stopDaemon} = await import('../engine/daemon/control.js');
				const result = await stopDaemon(env, {onWaiting: stopWaitingNote});
				if (json) printJson(result);
				else note(result.status === 'stopped' ? `sfs: daemon stopped (pid ${result.pid})` : `sfs: the daemon is not running${result.cleaned.length > 0 ? ' (stale files removed)' : ''}`);
				return 0;
			}

			case 'restart': {
				const {startDaemon, stopDaemon} = await import('../engine/daemon/control.js');
				await stopDaemon(env, {onWaiting: stopWaitingNote});
				const result = await startDaemon(env);
				if (json) printJson(result);
				else note(`sfs: daemon restarted (pid ${result.pid})`);
				return 0;
			}

			case 'status': {
				return showStatus(json);
			}

			case 'logs': {
				return showLogs(parsed.flags.follow === true, parsed.flags.lines);
			}

			case 'run': {
				const {runDaemon} = await import('../engine/daemon/run.js');
				const echo = process.stderr.isTTY ? (line: string) => process.stderr.write(line) : undefined;
				return runDaemon({env, echo});
			}

			case 'install': {
				const {installService} = await import('../engine/daemon/service.js');
				const result = installService(env);
				if (json) printJson(result);
				else {
					print(`wrote ${result.file}`);
					note(result.enabled ? `sfs: the daemon now starts at login (${result.manager})` : `sfs: ${result.note}`);
				}

				return 0;
			}

			case 'uninstall': {
				const {uninstallService} = await import('../engine/daemon/service.js');
				const result = uninstallService(env);
				if (json) printJson(result);
				else note(result.removed ? `sfs: removed ${result.file}` : `sfs: nothing to remove (${result.file} does not exist)`);
				return 0;
			}

			case 'rebuild-index': {
				const {daemonState} = await import('../engine/daemon/control.js');
				const state = await daemonState(env);
				const started = Date.now();
				let sessions: number;
				if (state.state === 'running') {
					const {connectDaemon} = await import('../engine/daemon/client.js');
					const client = await connectDaemon(env);
					try {
						sessions = (await client.request<{sessions: number}>('rebuild-index', undefined, {timeoutMs: 30 * 60_000})).sessions;
					} finally {
						client.close();
					}
				} else {
					const {withEngine} = await import('./common.js');
					const {rebuildEngineIndex} = await import('../engine/open-engine.js');
					sessions = await withEngine(engine => rebuildEngineIndex(engine, note));
				}

				const result = {sessions, duration_ms: Date.now() - started, by: state.state === 'running' ? 'daemon' : 'in-process'};
				if (json) printJson(result);
				else note(`sfs: indexed ${sessions} session(s) in ${result.duration_ms} ms${state.state === 'running' ? ' (by the daemon)' : ''}`);
				return 0;
			}

			default: {
				throw new SfsError('USAGE', `daemon: unknown action ${JSON.stringify(action)}`, {hint: 'start, stop, restart, status, logs, run, install, uninstall or rebuild-index'});
			}
		}
	},
};

export default command;

async function showStatus(json: boolean): Promise<number> {
	const {daemonState} = await import('../engine/daemon/control.js');
	const state = await daemonState(process.env);
	if (json) {
		printJson(state.state === 'running' ? {running: true, ...state.status} : {running: false, state: state.state, ...('pid' in state ? {pid: state.pid} : {})});
		return state.state === 'running' ? 0 : 1;
	}

	if (state.state !== 'running') {
		if (state.state === 'stopped') print('daemon    not running (start it: sfs daemon start)');
		else if (state.state === 'stale') print(`daemon    not running; stale ${state.pid ? `pid file (pid ${state.pid})` : 'socket'} left behind (sfs daemon start cleans it)`);
		else print(`daemon    pid ${state.pid} is alive but does not answer (try: sfs daemon restart)`);
		return 1;
	}

	const {status} = state;
	const watching = status.watched.filter(root => root.watching);
	const tools = [...new Set(watching.map(root => root.tool))];
	print(`daemon    running, pid ${status.pid}, up ${formatDuration(status.uptime_s)}`);
	print(`watching  ${tools.length > 0 ? tools.join(', ') : 'nothing yet'} (${watching.length} director${watching.length === 1 ? 'y' : 'ies'}; ${status.watched.length - watching.length} root(s) not present, waited for)`);
	print(`captured  ${status.sessions_captured} session change(s) in ${status.captures} capture(s)${status.capturing ? ', capturing now' : ''}`);
	if (status.waiting) print(`waiting   ${describeWaiting(status.waiting)}`);
	const last = status.last_capture;
	print(`last      ${last ? `${relativeTime(last.at)}: ${last.new} new, ${last.updated} updated in ${last.duration_ms} ms` : 'none yet'}`);
	if (status.sync) print(`sync      ${describeSync(status.sync)}`);
	print(`errors    ${status.errors.count}${status.errors.recent.length > 0 ? ` (last: ${status.errors.recent.at(-1)!.message})` : ''}`);
	print(`memory    ${humanBytes(status.memory.rss)} resident`);
	print(`log       ${status.log}`);
	return 0;
}

function describeWaiting(waiting: NonNullable<DaemonStatus['waiting']>): string {
	const secondsFrom = (iso: string) => Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000));
	const next = waiting.next_try_at ? `next try in ${formatDuration(secondsFrom(waiting.next_try_at))}` : 'trying now';
	const since = formatDuration(Math.max(0, Math.round((Date.now() - Date.parse(waiting.since)) / 1000)));
	if (waiting.reason === 'capture-lock') {
		return `a capture waits for another one (pid ${waiting.holder_pid ?? '?'}) for ${since}; it runs when that ends (${next})`;
	}

	if (waiting.reason === 'skipped') return `${waiting.message}; looked at again (${waiting.attempts} tr${waiting.attempts === 1 ? 'y' : 'ies'} in ${since}, ${next})`;
	return `a capture failed ${waiting.attempts} time(s) in ${since} (${waiting.message}); ${next}`;
}

function describeSync(sync: NonNullable<DaemonStatus['sync']>): string {
	if (sync.mode === 'off') return 'off (sfs sync auto --mode all|selective)';
	const last = sync.last_sync;
	const done = last ? `last ${relativeTime(last.finished_at)}: ${last.pushed} pushed, ${last.pulled} pulled, ${last.merged} merged, ${last.failed} failed` : 'not synced yet';
	return `${sync.mode} with ${sync.server ?? 'no server (sfs auth login)'}; ${done}${sync.last_error ? `; error: ${sync.last_error.message}` : ''}`;
}

function formatDuration(seconds: number): string {
	if (seconds < 60) return `${seconds}s`;
	if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
	return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

async function showLogs(follow: boolean, linesFlag: unknown): Promise<number> {
	const {numberFlag} = await import('./common.js');
	const {logFilePath} = await import('../engine/daemon/files.js');
	const file = logFilePath(process.env);
	const count = numberFlag('lines', linesFlag) ?? 50;
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		if (!follow) {
			note(`sfs: no daemon log yet (${file})`);
			return 0;
		}
	}

	const lines = text.split('\n').filter(Boolean);
	for (const line of lines.slice(-count)) print(line);
	if (!follow) return 0;
	// Follow by polling the size: this is an interactive command, not the daemon, and it survives rotation.
	let offset = Buffer.byteLength(text);
	for (;;) {
		await sleep(500);
		let size: number;
		try {
			size = fs.statSync(file).size;
		} catch {
			continue;
		}

		if (size < offset) offset = 0; // Rotated.
		if (size === offset) continue;
		const fd = fs.openSync(file, 'r');
		try {
			const buffer = Buffer.alloc(size - offset);
			fs.readSync(fd, buffer, 0, buffer.length, offset);
			process.stdout.write(buffer.toString('utf8'));
			offset = size;
		} finally {
			fs.closeSync(fd);
		}
	}
}

function stopWaitingNote(pid: number, timeoutMs: number): void {
	note(`sfs: the daemon (pid ${pid}) has not stopped yet (finishing its work?); it is killed if it is still running after ${Math.round(timeoutMs / 1000)} s`);
}
