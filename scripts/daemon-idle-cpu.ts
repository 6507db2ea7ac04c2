/**
 * Idle CPU of the daemon (on demand): N Claude Code sessions on disk (default 10,000), the daemon
 * started on them and left alone for S seconds (default 60). Then the append-to-visible latency:
 * one line appended to a native session at a time, timed until the index finds it (polled every
 * 5 ms through a read-only connection, as `sfs search` would). Prints one JSON object and exits 1
 * when the daemon used 1 % of a CPU or more, or an append took 3 s or more to become searchable.
 *
 *   npm run build && npx tsx scripts/daemon-idle-cpu.ts [--sessions 10000] [--seconds 60] [--keep]
 *
 * CPU time comes from /proc/<pid>/stat (Linux) or, elsewhere, from the daemon's own status.
 */
import {execFileSync} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {parseArgs} from 'node:util';

const {values} = parseArgs({
	options: {sessions: {type: 'string', default: '10000'}, seconds: {type: 'string', default: '60'}, appends: {type: 'string', default: '20'}, keep: {type: 'boolean', default: false}},
});
const appends = Number(values.appends);
const sessions = Number(values.sessions);
const seconds = Number(values.seconds);
const cli = path.resolve(import.meta.dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-idle-'));
const home = path.join(root, 'home');
const env: NodeJS.ProcessEnv = {
	PATH: process.env.PATH,
	HOME: home,
	SFS_HOME: path.join(root, 'sfs'),
	XDG_DATA_HOME: path.join(home, '.local', 'share'),
	XDG_CONFIG_HOME: path.join(home, '.config'),
	XDG_STATE_HOME: path.join(home, '.local', 'state'),
	XDG_CACHE_HOME: path.join(home, '.cache'),
	CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
	CODEX_HOME: path.join(home, '.codex'),
	COPILOT_HOME: path.join(home, '.copilot'),
	GEMINI_CLI_HOME: home,
};

const sfs = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});

function line(sessionId: string, type: 'user' | 'assistant', text: string, parent: string | null, uuid: string): string {
	const message = type === 'user' ? {role: 'user', content: text} : {model: 'claude-opus-4-6', id: `msg_${uuid.slice(0, 8)}`, type: 'message', role: 'assistant', content: [{type: 'text', text}]};
	return JSON.stringify({parentUuid: parent, isSidechain: false, type, message, uuid, timestamp: '2026-01-01T00:00:00.000Z', cwd: `/work/p${sessionId.slice(0, 2)}`, sessionId, version: '2.1.86'});
}

function writeSessions(): void {
	for (let index = 0; index < sessions; index++) {
		const dir = path.join(home, '.claude', 'projects', `-work-project-${index % 100}`);
		if (index < 100) fs.mkdirSync(dir, {recursive: true});
		const id = randomUUID();
		const user = randomUUID();
		fs.writeFileSync(path.join(dir, `${id}.jsonl`), `${line(id, 'user', `question ${index}`, null, user)}\n${line(id, 'assistant', `answer ${index}`, user, randomUUID())}\n`);
	}
}

type Status = {running: boolean; pid: number; captures: number; capturing: boolean; memory: {rss: number}; cpu: {user_ms: number; system_ms: number}; watched: Array<{watching: boolean}>};

function status(): Status {
	try {
		return JSON.parse(sfs('daemon', 'status', '--json')) as Status;
	} catch (error) {
		return JSON.parse(String((error as {stdout?: string}).stdout ?? '{"running":false}')) as Status;
	}
}

function cpuMs(pid: number, fallback: () => number): number {
	try {
		const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		const ticksPerSecond = 100; // USER_HZ is 100 on every Linux build Node supports.
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
	} catch {
		return fallback();
	}
}

const setupStarted = Date.now();
writeSessions();
sfs('daemon', 'start');
let current = status();
const waitStarted = Date.now();
while (!(current.running && current.captures > 0 && !current.capturing)) {
	if (Date.now() - waitStarted > 30 * 60_000) throw new Error('the daemon did not finish its first capture in 30 minutes');
	await sleep(500);
	current = status();
}

const startupMs = Date.now() - setupStarted;
// Let the start-up capture's aftermath (GC, WAL checkpoint) settle before measuring.
await sleep(2000);
const {pid} = current;
const viaStatus = () => {
	const cpu = status().cpu;
	return cpu.user_ms + cpu.system_ms;
};

const before = cpuMs(pid, viaStatus);
const measuredFrom = Date.now();
await sleep(seconds * 1000);
const after = cpuMs(pid, viaStatus);
const elapsed = Date.now() - measuredFrom;

// Append-to-visible latency.
const {SessionIndex} = (await import(path.resolve(import.meta.dirname, '..', 'dist', 'engine', 'index-db.js'))) as typeof import('../source/engine/index-db.js');
const latencies: number[] = [];
const target = (() => {
	const dir = path.join(home, '.claude', 'projects', '-work-project-0');
	return path.join(dir, fs.readdirSync(dir).find(name => name.endsWith('.jsonl'))!);
})();
const targetId = path.basename(target, '.jsonl');
for (let index = 0; index < appends; index++) {
	const word = `latencyprobe${index}x${Date.now().toString(36)}`;
	const appendedAt = performance.now();
	fs.appendFileSync(target, `${line(targetId, 'user', `find ${word} please`, null, randomUUID())}\n`);
	for (;;) {
		const index = SessionIndex.open(env.SFS_HOME + '/index.db', {readonly: true});
		const found = index.search(word, {limit: 1}).length > 0;
		index.close();
		if (found) break;
		if (performance.now() - appendedAt > 10_000) break;
		await sleep(5);
	}

	latencies.push(performance.now() - appendedAt);
	await sleep(300); // Separate appends, as a person's turns are.
}

latencies.sort((a, b) => a - b);
const percentile = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
const final = status();
const stopStarted = Date.now();
sfs('daemon', 'stop');
const stopMs = Date.now() - stopStarted;
const cpuPercent = ((after - before) / elapsed) * 100;
const result = {
	sessions,
	idle_seconds: Math.round(elapsed / 1000),
	cpu_ms: Math.round(after - before),
	cpu_percent: Number(cpuPercent.toFixed(3)),
	rss_mb: Math.round(final.memory.rss / 1024 / 1024),
	watched_roots: final.watched.filter(root => root.watching).length,
	append_to_visible_ms: latencies.length > 0 ? {median: percentile(50), p95: percentile(95), max: Math.round(latencies.at(-1)!)} : null,
	startup_ms: startupMs,
	stop_ms: stopMs,
	ok: cpuPercent < 1 && (latencies.at(-1) ?? 0) < 3000,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
if (!values.keep) fs.rmSync(root, {recursive: true, force: true});
else process.stderr.write(`kept ${root}\n`);
process.exitCode = result.ok ? 0 : 1;
