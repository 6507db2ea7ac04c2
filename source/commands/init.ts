import fs from 'node:fs';
import {SfsError} from '../engine/errors.js';
import type {CaptureProgress} from '../engine/capture.js';
import type {ToolId} from '../engine/types.js';
import {note, out, print, table, terminalWidth} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs init [--yes] [--install] [--no-daemon]

		Sets sfs up: finds which of the 8 tools are installed and have sessions, enables their
		watchers, offers to start the daemon (and to start it at login), and runs a first capture
		with progress.

		Options
		  --yes         Do not ask: enable what is found, start the daemon, capture
		  --install     Also start the daemon at login (systemd user unit / launchd agent)
		  --no-daemon   Do not start the daemon (capture once, in this process)

		Examples
		  $ sfs init
		  $ sfs init --yes --install
	`,
	flags: {yes: {type: 'boolean'}, install: {type: 'boolean'}, daemon: {type: 'boolean', default: true}},
};

type Detected = {tool: ToolId; name: string; found: string[]; sessions: number};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('init', argv, spec);
		if (!parsed) return 0;
		expectArgs('init', parsed.input, 0, 0, '');
		const yes = parsed.flags.yes === true;
		if (!yes && !process.stdin.isTTY) throw new SfsError('USAGE', 'sfs init asks questions, but stdin is not a terminal', {hint: 'pass --yes to accept the defaults'});
		if (!yes && !process.stdout.isTTY) throw new SfsError('USAGE', 'sfs init asks questions, but stdout is not a terminal', {hint: 'pass --yes to accept the defaults'});
		const env = process.env;
		return yes ? runUnattended(env, parsed.flags) : runWizard(env, parsed.flags);
	},
};

export default command;

type InitFlags = Record<string, unknown>;

/** `sfs init --yes`: enable what is found, capture, start the daemon; no questions. */
async function runUnattended(env: NodeJS.ProcessEnv, flags: InitFlags): Promise<number> {
	// 1. Detect.
	const detected = await detect(env);
	const lines = table(
		[{header: 'TOOL'}, {header: 'SESSIONS', align: 'right'}, {header: 'STORE', flex: true}],
		detected.map(item => [item.name, item.found.length > 0 ? String(item.sessions) : '-', item.found[0] ?? out.dim('not found')]),
		{width: terminalWidth(), paint: out},
	);
	for (const line of lines) print(line);
	const withSessions = detected.filter(item => item.found.length > 0);
	print();
	print(withSessions.length > 0 ? `found ${withSessions.map(item => item.name).join(', ')}` : 'no tool stores found yet (sfs will pick them up once the tools are used)');

	// 2. Watchers on for what is installed.
	const enabled = await setWatchers(env, withSessions.map(item => item.tool), []);
	if (enabled.length > 0) print(`enabled: ${enabled.join(', ')}`);

	// 3. First capture, here, with progress (a running daemon does it instead).
	const {daemonState, startDaemon} = await import('../engine/daemon/control.js');
	const state = await daemonState(env);
	if (state.state === 'running') {
		note('sfs: the daemon is running; asking it to capture');
		await captureByDaemon(env);
	} else {
		const summary = await firstCapture(stderrProgress());
		if (process.stderr.isTTY) process.stderr.write('\r\u001B[2K');
		print(summary);
	}

	// 4. The daemon.
	if (flags.daemon !== false && state.state !== 'running') print(startedLine(await startDaemon(env)));
	if (flags.install === true) for (const line of await installLines(env)) print(line);

	print();
	print('done. Try: sfs (browser), sfs list, sfs search <words>, sfs doctor');
	return 0;
}

/** `sfs init` on a terminal: the Ink wizard (loaded only here, so other commands never load Ink). */
async function runWizard(env: NodeJS.ProcessEnv, flags: InitFlags): Promise<number> {
	const {daemonState, startDaemon} = await import('../engine/daemon/control.js');
	const running = (await daemonState(env)).state === 'running';
	const {runInitWizard} = await import('../views/init-wizard.js');
	const result = await runInitWizard({
		detect: async () => detect(env),
		daemon: {running, allowed: flags.daemon !== false, installFlag: flags.install === true},
		async applyWatchers(selected, detected) {
			const found = new Set(detected.filter(item => item.found.length > 0).map(item => item.tool));
			const off = detected.filter(item => found.has(item.tool) && !selected.includes(item.tool)).map(item => item.tool);
			const enabled = await setWatchers(env, selected, off);
			return enabled.length > 0 ? `enabled: ${enabled.join(', ')}` : undefined;
		},
		async capture(onProgress) {
			if (!running) return firstCapture(onProgress);
			await captureByDaemon(env);
			return 'the daemon is running: it captured';
		},
		startDaemon: async () => startedLine(await startDaemon(env)),
		installDaemon: async () => installLines(env),
	});
	if (result.status === 'cancelled') {
		note('sfs: init cancelled');
		return 1;
	}

	if (result.status === 'failed') {
		note(`sfs: init failed: ${result.error}`);
		return 1;
	}

	return 0;
}


async function detect(env: NodeJS.ProcessEnv): Promise<Detected[]> {
	const {loadAdapters, plainAdapterContext} = await import('../engine/capture-run.js');
	const context = plainAdapterContext(env);
	const detected: Detected[] = [];
	for (const adapter of await loadAdapters()) {
		const found = adapter.roots(context).filter(root => fs.existsSync(root));
		let sessions = 0;
		if (found.length > 0) {
			try {
				sessions = (await adapter.discover(context)).length;
			} catch {}
		}

		detected.push({tool: adapter.id, name: adapter.name, found, sessions});
	}

	return detected;
}

/** Removes `on` from the disabled watchers and adds `off`; returns the tools newly enabled. */
async function setWatchers(env: NodeJS.ProcessEnv, on: ToolId[], off: ToolId[]): Promise<ToolId[]> {
	const {loadConfig, saveConfig} = await import('../engine/config.js');
	const config = loadConfig(env);
	const disabled = new Set(config.watchers?.disabled ?? []);
	const enabling = on.filter(tool => disabled.has(tool));
	const disabling = off.filter(tool => !disabled.has(tool));
	if (enabling.length === 0 && disabling.length === 0) return [];
	for (const tool of enabling) disabled.delete(tool);
	for (const tool of disabling) disabled.add(tool);
	saveConfig({...config, watchers: {...config.watchers, disabled: [...disabled].sort()}}, env);
	return enabling;
}

async function captureByDaemon(env: NodeJS.ProcessEnv): Promise<void> {
	const {connectDaemon} = await import('../engine/daemon/client.js');
	const client = await connectDaemon(env);
	try {
		await client.request('capture', undefined, {timeoutMs: 60 * 60_000});
	} finally {
		client.close();
	}
}

function startedLine(started: {status: string; pid: number}): string {
	return `daemon ${started.status === 'running' ? 'already running' : 'started'} (pid ${started.pid})`;
}

async function installLines(env: NodeJS.ProcessEnv): Promise<string[]> {
	const {installService} = await import('../engine/daemon/service.js');
	const result = installService(env);
	return [`wrote ${result.file}`, result.enabled ? `the daemon starts at login (${result.manager})` : (result.note ?? '')];
}

/** Progress on stderr as one rewritten line (only on a terminal). */
function stderrProgress(): (progress: CaptureProgress) => void {
	const tty = process.stderr.isTTY;
	let last = 0;
	return progress => {
		if (!tty) return;
		const now = Date.now();
		if (now - last < 80 && progress.done !== progress.total) return;
		last = now;
		process.stderr.write(`\r\u001B[2Kcapturing ${progress.tool.padEnd(12)} ${progress.done}/${progress.total}`);
	};
}

/** Captures in this process; returns the summary line (the skipped count goes to stderr). */
async function firstCapture(onProgress: (progress: CaptureProgress) => void): Promise<string> {
	const {runCapture} = await import('../engine/capture-run.js');
	const {withEngine} = await import('./common.js');
	const report = await withEngine(async engine => runCapture(engine, {onProgress}));
	if (report.skipped.length > 0) note(`sfs: ${report.skipped.length} skipped (first: ${report.skipped[0]!.path}: ${report.skipped[0]!.reason})`);
	return `first capture: ${report.new} new, ${report.updated} updated, ${report.unchanged} unchanged in ${(report.duration_ms / 1000).toFixed(1)}s`;
}
