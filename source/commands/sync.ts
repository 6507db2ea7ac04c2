import {SfsError} from '../engine/errors.js';
import {note, print, printJson, relativeTime, warn} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, numberFlag, parseArgs, retryNotice, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs sync [--json] [--concurrency N]        Push what changed here, pull what changed on the server
		  $ sfs sync auto [--mode off|all|selective]   Show or set autosync (the daemon syncs when it is not off)
		  $ sfs sync watch <ref>                       Push this session in selective mode
		  $ sfs sync unwatch <ref>                     Stop pushing it
		  $ sfs sync status [--json] [--offline]       Mode, server, last sync, pending pushes and pulls, last error

		Syncs with the sfs server you are logged in to (sfs auth login), both ways. Pushed: the local
		sessions the mode selects ("all": every session; "selective", or "off" for a manual sync: the
		watched ones) that changed since they were last synced here. Pulled: every session of yours on
		the server that is missing here or changed there. Sessions are append-only: a session changed on
		both sides keeps both sides' messages (ETags detect the conflict; nothing is dropped or
		doubled). Pushed sessions pass the DLP gate (sfs dlp policy show); one refused for good
		(blocked, too large) is not sent again until it changes. A session deleted here is not pulled
		back (sfs pull <id> does). Sessions teammates shared with your orgs are not synced (take one
		with sfs pull; it stays theirs, sync never pushes it as yours). A sync killed midway is finished
		by the next one. Progress goes to stderr.

		Options
		  --json            sync: {"server", "mode", "pushed", "pulled", "merged", "unchanged", "failed",
		                    "skipped", "failures": [{"session_id", "direction", "reason"}], ...}
		  --concurrency N   Transfers at once (default 4)
		  --mode            auto: off, all or selective
		  --offline         status: do not ask the server (pending pulls unknown)

		Exit status: sync exits 1 when a session failed (the others are synced).

		Examples
		  $ sfs sync auto --mode selective
		  $ sfs sync watch rate-limit-fix
		  $ sfs sync
		  $ sfs sync status
	`,
	flags: {json: {type: 'boolean'}, concurrency: {type: 'string'}, mode: {type: 'string', choices: ['off', 'all', 'selective']}, offline: {type: 'boolean'}},
};

const ACTIONS = 'auto, watch, unwatch or status (or nothing, to sync)';

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('sync', argv, spec);
		if (!parsed) return 0;
		const [action] = parsed.input;
		const json = parsed.flags.json === true;
		switch (action) {
			case undefined: {
				if (parsed.flags.mode !== undefined) throw new SfsError('USAGE', 'sync: --mode goes with "sfs sync auto"', {hint: 'sfs sync auto --mode off|all|selective'});
				return syncNow(json, numberFlag('concurrency', parsed.flags.concurrency, {min: 1}));
			}

			case 'auto': {
				expectArgs('sync auto', parsed.input, 1, 1, 'nothing');
				const {loadState, setMode} = await import('../sync/state.js');
				const mode = parsed.flags.mode as 'off' | 'all' | 'selective' | undefined;
				if (mode) setMode(mode);
				const state = loadState();
				const {daemonState} = await import('../engine/daemon/control.js');
				const daemon = state.mode === 'off' ? undefined : (await daemonState(process.env)).state;
				if (json) printJson({mode: state.mode, watched: state.watched.length, daemon_running: daemon === undefined ? null : daemon === 'running'});
				else {
					print(`autosync ${state.mode}${describeMode(state.mode, state.watched.length)}`);
					if (daemon !== undefined && daemon !== 'running') note('sfs: the daemon is not running; autosync runs in it (sfs daemon start)');
				}

				return 0;
			}

			case 'watch':
			case 'unwatch': {
				expectArgs(`sync ${action}`, parsed.input, 2, 2, 'a session <ref>');
				return watch(action === 'watch', parsed.input[1]!, json);
			}

			case 'status': {
				expectArgs('sync status', parsed.input, 1, 1, 'nothing');
				return status(json, parsed.flags.offline === true);
			}

			default: {
				throw new SfsError('USAGE', `sync: unknown action ${JSON.stringify(action)}`, {hint: ACTIONS});
			}
		}
	},
};

export default command;

function describeMode(mode: string, watched: number): string {
	if (mode === 'all') return ': the daemon pushes every session and pulls yours from the server';
	if (mode === 'selective') return `: the daemon pushes ${watched} watched session(s) (sfs sync watch <ref>) and pulls yours from the server`;
	return ': the daemon does not sync (sfs sync still does, pushing watched sessions)';
}

async function syncNow(json: boolean, concurrency: number | undefined): Promise<number> {
	const {requireCredentials} = await import('../sync/credentials.js');
	const {dlpGate} = await import('../sync/client.js');
	const {runSync} = await import('../sync/sync-run.js');
	const credentials = requireCredentials();
	const report = await withEngine(async engine =>
		runSync({
			engine,
			credentials,
			gate: dlpGate({notify: warn}),
			concurrency,
			by: 'cli',
			onWait: pid => note(`sfs: sync: waiting for the sync already running (pid ${pid})`),
			request: {onRetry: retryNotice('sync')},
			progress(event) {
				if (event.kind === 'plan') {
					note(`sfs: sync with ${credentials.url}: ${event.push} to push, ${event.pull} to pull, ${event.unchanged} unchanged${event.skipped > 0 ? `, ${event.skipped} skipped` : ''}`);
					return;
				}

				const where = `[${event.done}/${event.total}]`;
				if (event.outcome === 'failed') note(`sfs: sync: ${where} ${event.direction} ${event.session_id} failed: ${event.detail}`);
				else note(`sfs: sync: ${where} ${event.outcome} ${event.session_id} (${event.detail})`);
			},
		}),
	);
	if (json) printJson(report);
	else {
		for (const skip of report.skips) note(`sfs: sync: skipped ${skip.session_id}: ${skip.reason}`);
		print(`synced with ${report.server}: ${report.pushed} pushed, ${report.pulled} pulled, ${report.merged} merged, ${report.unchanged} unchanged, ${report.failed} failed${report.skipped > 0 ? `, ${report.skipped} skipped` : ''}`);
	}

	return report.failed > 0 ? 1 : 0;
}

async function watch(on: boolean, ref: string, json: boolean): Promise<number> {
	const {loadState, setWatched} = await import('../sync/state.js');
	const id = await withEngine(async engine => {
		try {
			return await resolveSession(engine, ref);
		} catch (error) {
			// A watched session deleted here can still be unwatched by its id.
			if (!on && loadState().watched.includes(ref)) return ref;
			throw error;
		}
	});
	const changed = setWatched(id, on);
	const state = loadState();
	if (json) printJson({session_id: id, watched: on, changed, mode: state.mode});
	else {
		print(`${on ? (changed ? 'watching' : 'already watching') : changed ? 'stopped watching' : 'was not watching'} ${id}`);
		if (on && state.mode !== 'selective') note(`sfs: autosync is ${state.mode}; watched sessions are what it pushes in selective mode (sfs sync auto --mode selective)`);
	}

	return 0;
}

async function status(json: boolean, offline: boolean): Promise<number> {
	const {loadCredentials} = await import('../sync/credentials.js');
	const {loadState} = await import('../sync/state.js');
	const {syncStatus} = await import('../sync/sync-status.js');
	const credentials = loadCredentials();
	const result = await withEngine(async engine => syncStatus(engine, loadState(), credentials, {offline}));
	if (json) {
		printJson(result);
		return 0;
	}

	print(`mode      ${result.mode}${describeMode(result.mode, result.watched.length)}`);
	print(`server    ${result.server ?? 'not logged in (sfs auth login --url URL)'}`);
	const last = result.last_sync;
	print(`last      ${last ? `${relativeTime(last.finished_at)} by ${last.by}: ${last.pushed} pushed, ${last.pulled} pulled, ${last.merged} merged, ${last.unchanged} unchanged, ${last.failed} failed` : 'never'}`);
	print(`pending   ${result.pending_pushes ?? '?'} to push, ${result.pending_pulls ?? '?'} to pull${result.server_error ? ` (${serverNote(result.server_error)})` : ''}`);
	print(`watched   ${result.watched.length > 0 ? result.watched.join(', ') : 'none'}`);
	print(`error     ${result.last_error ? `${relativeTime(result.last_error.at)}: ${result.last_error.message}` : 'none'}`);
	return 0;
}

/** The server's own errors already start with "server:" ("server: this token is not valid …"): say it once. */
export function serverNote(error: string): string {
	return `server: ${error.replace(/^server:\s*/i, '')}`;
}
