/** Process timing helpers for the bench: wall time, peak RSS (via /usr/bin/time), percentiles. */
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ProcessRun = {ms: number; stdout: string; stderr: string; code: number | null; peakRssBytes: number | null; cpuMs: number | null};

const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command to completion; peak RSS and CPU time (user + system) when GNU time is there (its own overhead is under a millisecond). */
export async function runProcess(command: string, args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string; rss?: boolean} = {}): Promise<ProcessRun> {
	const rssFile = options.rss && GNU_TIME ? path.join(os.tmpdir(), `sfs-bench-rss-${process.pid}-${Date.now()}`) : undefined;
	const [file, argv] = rssFile ? [GNU_TIME!, ['-f', '%M %U %S', '-o', rssFile, command, ...args]] : [command, args];
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const child = spawn(file, argv, {env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe']});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', chunk => out.push(chunk as Buffer));
		child.stderr.on('data', chunk => err.push(chunk as Buffer));
		child.on('error', reject);
		child.on('close', code => {
			const ms = performance.now() - started;
			let peakRssBytes: number | null = null;
			let cpuMs: number | null = null;
			if (rssFile) {
				try {
					const [kb, user, system] = fs.readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
					if (Number.isFinite(kb)) peakRssBytes = kb! * 1024;
					if (Number.isFinite(user) && Number.isFinite(system)) cpuMs = (user! + system!) * 1000;
				} catch {}

				fs.rmSync(rssFile, {force: true});
			}

			resolve({ms, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, peakRssBytes, cpuMs});
		});
	});
}

export function runSync(command: string, args: string[], env?: NodeJS.ProcessEnv): {ms: number; status: number | null; stdout: string} {
	const started = performance.now();
	const result = spawnSync(command, args, {env, encoding: 'utf8', maxBuffer: 1 << 28});
	return {ms: performance.now() - started, status: result.status, stdout: result.stdout ?? ''};
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank]!;
}

export function cpuMs(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}
