/**
 * The daemon (source/engine/daemon/): idle CPU and append-to-searchable latency, measured by
 * scripts/daemon-idle-cpu.ts (its own Claude Code sessions in its own temp HOME; the daemon started,
 * left alone, then lines appended one at a time and timed until a read-only index finds them).
 * 60 s idle at medium and large; 15 s at small (CI), said so in the row.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Scale} from './generate.js';
import {runProcess} from './measure.js';
import {ms, naRow, row, type Row} from './report.js';

type Input = {repo: string; scale: Scale; log: (line: string) => void};
type Result = {sessions: number; idle_seconds: number; cpu_percent: number; rss_mb: number; append_to_visible_ms: {median: number; p95: number; max: number} | null};

export async function measureDaemon({repo, scale, log}: Input) {
	const what = 'daemon: idle CPU / append→searchable p95';
	if (!fs.existsSync(path.join(repo, 'source', 'engine', 'daemon')) || !fs.existsSync(path.join(repo, 'scripts', 'daemon-idle-cpu.ts'))) {
		return {rows: [naRow(what, '< 1 % / < 3 s', 'no daemon yet')], results: {}};
	}

	const seconds = scale === 'small' || scale === 'tiny' ? 15 : 60;
	const sessions = scale === 'large' ? 10_000 : scale === 'medium' ? 2000 : 200;
	const run = await runProcess(process.execPath, [path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(repo, 'scripts', 'daemon-idle-cpu.ts'), '--sessions', String(sessions), '--seconds', String(seconds)], {
		cwd: repo,
		env: {...process.env},
	});
	const lastLine = run.stdout.trim().split('\n').at(-1) ?? '';
	let result: Result;
	try {
		result = JSON.parse(lastLine) as Result;
	} catch {
		log(`daemon: measurement failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-2).join(' / ')}`);
		return {rows: [row(what, `measurement failed (exit ${run.code})`, '< 1 % / < 3 s', 'missed')], results: {error: run.stderr.slice(-2000)}};
	}

	const p95 = result.append_to_visible_ms?.p95;
	log(`daemon: idle CPU ${result.cpu_percent} % over ${result.idle_seconds} s with ${result.sessions} sessions, append→searchable p95 ${p95 ?? 'n/a'} ms, RSS ${result.rss_mb} MB`);
	const rows: Row[] = [
		row(
			what,
			`${result.cpu_percent.toFixed(2)} % of a CPU over ${result.idle_seconds} s (${result.sessions} sessions, RSS ${result.rss_mb} MB); p95 ${p95 === undefined ? 'n/a' : ms(p95)}`,
			'< 1 % / < 3 s',
			result.cpu_percent < 1 && p95 !== undefined && p95 < 3000 ? 'met' : 'missed',
		),
	];
	return {rows, results: result};
}
