import fs from 'node:fs';
import {SfsError} from '../engine/errors.js';
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
		const env = process.env;
		const ask = yes ? undefined : await questioner();
		try {
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
			const {loadConfig, saveConfig} = await import('../engine/config.js');
			const config = loadConfig(env);
			const disabled = new Set(config.watchers?.disabled ?? []);
			const enabling = withSessions.filter(item => disabled.has(item.tool));
			if (enabling.length > 0 && (yes || (await ask!(`Enable the watcher${enabling.length > 1 ? 's' : ''} for ${enabling.map(item => item.name).join(', ')}?`, true)))) {
				for (const item of enabling) disabled.delete(item.tool);
				saveConfig({...config, watchers: {...config.watchers, disabled: [...disabled].sort()}}, env);
				print(`enabled: ${enabling.map(item => item.tool).join(', ')}`);
			}

			// 3. First capture, here, with progress (a running daemon does it instead).
			const {daemonState, startDaemon} = await import('../engine/daemon/control.js');
			const state = await daemonState(env);
			if (state.state === 'running') {
				const {connectDaemon} = await import('../engine/daemon/client.js');
				const client = await connectDaemon(env);
				try {
					note('sfs: the daemon is running; asking it to capture');
					await client.request('capture', undefined, {timeoutMs: 60 * 60_000});
				} finally {
					client.close();
				}
			} else {
				await firstCapture();
			}

			// 4. The daemon.
			const wantDaemon = parsed.flags.daemon !== false && state.state !== 'running' && (yes || (await ask!('Start the daemon now (captures in the background as you work)?', true)));
			if (wantDaemon) {
				const started = await startDaemon(env);
				print(`daemon ${started.status === 'running' ? 'already running' : 'started'} (pid ${started.pid})`);
			}

			const wantInstall = parsed.flags.install === true || (!yes && parsed.flags.daemon !== false && (await ask!('Start it at login too?', false)));
			if (wantInstall) {
				const {installService} = await import('../engine/daemon/service.js');
				const result = installService(env);
				print(`wrote ${result.file}`);
				print(result.enabled ? `the daemon starts at login (${result.manager})` : (result.note ?? ''));
			}

			print();
			print('done. Try: sfs (browser), sfs list, sfs search <words>, sfs doctor');
			return 0;
		} finally {
			ask?.close();
		}
	},
};

export default command;

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

async function firstCapture(): Promise<void> {
	const {runCapture} = await import('../engine/capture-run.js');
	const {withEngine} = await import('./common.js');
	const tty = process.stderr.isTTY;
	let last = 0;
	const report = await withEngine(async engine =>
		runCapture(engine, {
			onProgress(progress) {
				if (!tty) return;
				const now = Date.now();
				if (now - last < 80 && progress.done !== progress.total) return;
				last = now;
				process.stderr.write(`\r\u001B[2Kcapturing ${progress.tool.padEnd(12)} ${progress.done}/${progress.total}`);
			},
		}),
	);
	if (tty) process.stderr.write('\r\u001B[2K');
	print(`first capture: ${report.new} new, ${report.updated} updated, ${report.unchanged} unchanged in ${(report.duration_ms / 1000).toFixed(1)}s`);
	if (report.skipped.length > 0) note(`sfs: ${report.skipped.length} skipped (first: ${report.skipped[0]!.path}: ${report.skipped[0]!.reason})`);
}

/** A yes/no question on the terminal (a simple readline flow, not an Ink wizard). */
async function questioner(): Promise<((question: string, fallback: boolean) => Promise<boolean>) & {close(): void}> {
	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stderr});
	const ask = async (question: string, fallback: boolean) => {
		const answer = (await rl.question(`${question} ${fallback ? '[Y/n]' : '[y/N]'} `)).trim();
		if (answer === '') return fallback;
		return /^y(es)?$/i.test(answer);
	};

	return Object.assign(ask, {close: () => rl.close()});
}
