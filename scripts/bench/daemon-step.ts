/**
 * The daemon (source/engine/daemon/) on the bench's own corpus, already captured: `sfs daemon start`,
 * its start-up capture awaited (`sfs daemon status --json`), then its CPU time from /proc/<pid>/stat
 * over 60 s idle (15 s at small), then 20 single Claude Code records appended one at a time to the
 * largest session, each timed until a read-only index connection finds its unique word (polled every
 * 5 ms, as `sfs search` would see it). Like scripts/daemon-idle-cpu.ts, on the bench corpus.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {SessionIndex} from '../../source/engine/index-db.js';
import {indexPath} from '../../source/engine/paths.js';
import type {Corpus, Scale} from './generate.js';
import {percentile} from './measure.js';
import {ms, naRow, row, type Row} from './report.js';

type Input = {repo: string; cli: string; env: NodeJS.ProcessEnv; corpus: Corpus; scale: Scale; log: (line: string) => void};
type Status = {running: boolean; pid: number; captures: number; capturing: boolean; memory: {rss: number}; cpu: {user_ms: number; system_ms: number}};

const APPENDS = 20;

function cpuMsOf(pid: number): number | undefined {
	try {
		const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux.
	} catch {
		return undefined;
	}
}

export async function measureDaemon({repo, cli, env, corpus, scale, log}: Input) {
	const what = 'daemon: idle CPU / append→searchable p95';
	if (!fs.existsSync(path.join(repo, 'source', 'engine', 'daemon'))) return {rows: [naRow(what, '< 1 % / < 3 s', 'no daemon yet')], results: {}};
	const sfs = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	const status = (): Status => {
		try {
			return JSON.parse(sfs('daemon', 'status', '--json')) as Status;
		} catch (error) {
			return JSON.parse(String((error as {stdout?: string}).stdout || '{"running":false}')) as Status;
		}
	};

	const seconds = scale === 'small' || scale === 'tiny' ? 15 : 60;
	sfs('daemon', 'start');
	try {
		let current = status();
		const waitStarted = Date.now();
		while (!(current.running && current.captures > 0 && !current.capturing)) {
			if (Date.now() - waitStarted > 120_000) throw new Error('the daemon did not finish its start-up capture in 2 minutes');
			await sleep(250);
			current = status();
		}

		await sleep(2000); // Let the start-up capture's aftermath (GC, WAL checkpoint) settle.
		const {pid} = current;
		const viaStatus = () => {
			const {cpu} = status();
			return cpu.user_ms + cpu.system_ms;
		};

		const before = cpuMsOf(pid) ?? viaStatus();
		const from = Date.now();
		await sleep(seconds * 1000);
		const after = cpuMsOf(pid) ?? viaStatus();
		const cpuPercent = ((after - before) / (Date.now() - from)) * 100;

		const file = corpus.largest.file;
		const last = JSON.parse(fs.readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
		let parent = last.uuid as string;
		const latencies: number[] = [];
		for (let i = 0; i < APPENDS; i++) {
			const word = `daemonprobe${i}x${Date.now().toString(36)}`;
			const uuid = `dae00000-0000-4000-8000-${String(i).padStart(12, '0')}`;
			const record = {...last, parentUuid: parent, uuid, type: 'user', message: {role: 'user', content: `please find ${word}`}, timestamp: new Date().toISOString()};
			delete (record as {requestId?: unknown}).requestId;
			parent = uuid;
			const appendedAt = performance.now();
			fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
			for (;;) {
				const index = SessionIndex.open(indexPath(env), {readonly: true});
				const found = index.search(word, {limit: 1}).length > 0;
				index.close();
				if (found || performance.now() - appendedAt > 10_000) break;
				await sleep(5);
			}

			latencies.push(performance.now() - appendedAt);
			await sleep(300); // Separate appends, as a person's turns are.
		}

		const p95 = percentile(latencies, 95);
		const rss = status().memory?.rss ?? 0;
		log(`daemon: idle CPU ${cpuPercent.toFixed(3)} % over ${seconds} s with ${corpus.sessions} sessions, append→searchable p50 ${ms(percentile(latencies, 50))} p95 ${ms(p95)}, RSS ${(rss / 1e6).toFixed(0)} MB`);
		const rows: Row[] = [
			row(
				what,
				`${cpuPercent.toFixed(2)} % of a CPU over ${seconds} s (${corpus.sessions} sessions, RSS ${(rss / 1e6).toFixed(0)} MB); append→searchable p50 ${ms(percentile(latencies, 50))} / p95 ${ms(p95)}`,
				'< 1 % / < 3 s',
				cpuPercent < 1 && p95 < 3000 ? 'met' : 'missed',
			),
		];
		return {rows, results: {sessions: corpus.sessions, idle_seconds: seconds, cpu_percent: cpuPercent, rss_bytes: rss, append_p50_ms: percentile(latencies, 50), append_p95_ms: p95, latencies}};
	} finally {
		try {
			sfs('daemon', 'stop');
		} catch {}
	}
}
