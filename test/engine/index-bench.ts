/**
 * A quick local measurement of the index (not a test): insert throughput against a JSON.parse
 * baseline over the same records, index size, and search latency.
 *
 *   npx tsx test/engine/index-bench.ts [messages=200000] [messagesPerSession=100]
 *
 * SFS_BENCH_KEEP=1 keeps the database (its path is printed) for timing whole search processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {SessionIndex} from '../../source/engine/index-db.js';
import type {Manifest, Message} from '../../source/engine/types.js';

const total = Number(process.argv[2] ?? 200_000);
const perSession = Number(process.argv[3] ?? 100);

let seed = 42;
function random(): number {
	seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
	return seed / 2_147_483_648;
}

// Long-tailed vocabulary: word i is drawn with probability ~ 1/(i+1).
const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'so', 'ru', 'vel', 'pi', 'dor', 'ex', 'qua', 'zin', 'bo', 'tra', 'ne'];
const vocabulary: string[] = [];
for (let i = 0; i < 50_000; i++) {
	let word = '';
	let n = i + 7;
	do {
		word += syllables[n % syllables.length];
		n = Math.floor(n / syllables.length);
	} while (n > 0);
	vocabulary.push(word);
}

const common = ['the', 'a', 'to', 'function', 'error', 'file', 'test', 'rate', 'limit', 'user', 'config', 'request'];
function word(): string {
	if (random() < 0.35) return common[Math.floor(random() * common.length)]!;
	const index = Math.floor(Math.exp(random() * Math.log(vocabulary.length))) - 1;
	return vocabulary[index]!;
}

function identifier(): string {
	const parts = [word(), word(), word()];
	return random() < 0.5
		? parts[0] + parts.slice(1).map(part => part[0]!.toUpperCase() + part.slice(1)).join('')
		: parts.join('_');
}

function sentence(words: number): string {
	const out: string[] = [];
	for (let i = 0; i < words; i++) {
		const r = random();
		if (r < 0.05) out.push(identifier());
		else if (r < 0.08) out.push(`src/${word()}/${word()}.ts`);
		else out.push(word());
	}

	return out.join(' ');
}

function makeMessage(sessionIndex: number, position: number): Message {
	const timestamp = new Date(Date.UTC(2026, 0, 1) + sessionIndex * 3_600_000 + position * 1000).toISOString();
	const msg_id = `m${sessionIndex}-${position}`;
	const kind = position % 4;
	if (kind === 1) return {msg_id, role: 'user', timestamp, content: [{type: 'text', text: sentence(20 + Math.floor(random() * 40))}]};
	if (kind === 2) {
		return {
			msg_id,
			role: 'assistant',
			timestamp,
			content: [
				{type: 'text', text: sentence(40 + Math.floor(random() * 120))},
				{type: 'tool_use', tool_use_id: `t${position}`, name: 'Bash', input: {command: `grep -rn ${identifier()} src/${word()}`}},
			],
		};
	}

	if (kind === 3) {
		const lines: string[] = [];
		const count = 5 + Math.floor(random() * 120);
		for (let i = 0; i < count; i++) lines.push(`src/${word()}/${word()}.ts:${i}: ${sentence(8)}`);
		return {msg_id, role: 'user', timestamp, content: [{type: 'tool_result', tool_use_id: `t${position - 1}`, content: lines.join('\n')}]};
	}

	return {msg_id, role: 'assistant', timestamp, content: [{type: 'thinking', text: sentence(30)}, {type: 'text', text: sentence(60)}]};
}

function manifestFor(sessionIndex: number, messages: number): Manifest {
	const created = new Date(Date.UTC(2026, 0, 1) + sessionIndex * 3_600_000).toISOString();
	return {
		sfs_version: '0.1.0',
		session_id: `ses_${sessionIndex.toString(16).padStart(16, '0')}`,
		title: sentence(6),
		created_at: created,
		updated_at: created,
		source: {tool: ['claude-code', 'codex', 'gemini'][sessionIndex % 3]!, original_session_id: `native-${sessionIndex}`},
		stats: {message_count: messages},
		metadata: {cwd: `/home/u/${word()}`},
	};
}

// Generated a batch at a time so that a million messages fit in memory. Per batch: serialise (not
// timed), JSON.parse every line (the baseline), then index the parsed messages.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-index-bench-'));
const dbPath = path.join(dir, 'index.db');
const index = SessionIndex.open(dbPath);
const batchSessions = 50;
let jsonBytes = 0;
let parseMs = 0;
let insertMs = 0;
// CPU time as well as wall time: on a loaded machine it is the steadier measure.
let parseCpuMs = 0;
let insertCpuMs = 0;
const cpuMs = (): number => {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
};
let parsed = 0;
let sessionCount = 0;
for (let first = 0; first * perSession < total; first += batchSessions) {
	const lines: string[][] = [];
	const manifests: Manifest[] = [];
	for (let s = first; s < first + batchSessions && s * perSession < total; s++) {
		const count = Math.min(perSession, total - s * perSession);
		lines.push(Array.from({length: count}, (_, i) => JSON.stringify(makeMessage(s, i + 1))));
		manifests.push(manifestFor(s, count));
	}

	let start = performance.now();
	let cpu = cpuMs();
	const batch = lines.map(sessionLines => sessionLines.map(line => JSON.parse(line) as Message));
	parseMs += performance.now() - start;
	parseCpuMs += cpuMs() - cpu;
	for (const sessionLines of lines) for (const line of sessionLines) jsonBytes += Buffer.byteLength(line) + 1;
	parsed += batch.reduce((sum, messages) => sum + messages.length, 0);
	start = performance.now();
	cpu = cpuMs();
	index.transaction(() => {
		for (const [i, manifest] of manifests.entries()) {
			index.upsertSession(manifest);
			index.addMessages(manifest.session_id, batch[i]!, 1);
		}
	});
	insertMs += performance.now() - start;
	insertCpuMs += cpuMs() - cpu;
	sessionCount += manifests.length;
}

let start = performance.now();
index.optimize();
index.checkpoint();
const optimizeMs = performance.now() - start;
const stats = index.stats();

const queries = [
	'function',
	'error file',
	'"rate limit"',
	'limit*',
	vocabulary[20_000]!,
	vocabulary[300]!,
	identifier(),
	`src/${vocabulary[3]}`,
	'handleRateLimit',
	'RateLimit',
	'C++ node:fs 50% NOT "unterminated',
];
index.close();

const reader = SessionIndex.open(dbPath, {readonly: true});
const timings: number[] = [];
const rows: string[] = [];
for (const query of queries) {
	const runs: number[] = [];
	let hits = 0;
	for (let i = 0; i < 5; i++) {
		const t = performance.now();
		hits = reader.search(query, {limit: 20}).length;
		runs.push(performance.now() - t);
	}

	runs.sort((a, b) => a - b);
	timings.push(...runs);
	rows.push(`  ${query.padEnd(40)} median ${runs[2]!.toFixed(1)} ms, max ${runs[4]!.toFixed(1)} ms, ${hits} hits`);
}

timings.sort((a, b) => a - b);
reader.close();
const mb = jsonBytes / 1e6;
console.log(`messages ${parsed} in ${sessionCount} sessions, ${mb.toFixed(1)} MB of JSONL`);
console.log(`JSON.parse baseline: ${parseMs.toFixed(0)} ms = ${(mb / (parseMs / 1000)).toFixed(1)} MB/s`);
console.log(
	`index insert: ${insertMs.toFixed(0)} ms = ${(total / (insertMs / 1000)).toFixed(0)} msg/s, ${(mb / (insertMs / 1000)).toFixed(1)} MB/s, ratio ${(parseMs / insertMs).toFixed(3)} x baseline; optimize+checkpoint ${optimizeMs.toFixed(0)} ms`,
);
console.log(
	`CPU time: parse ${parseCpuMs.toFixed(0)} ms, insert ${insertCpuMs.toFixed(0)} ms = ${(total / (insertCpuMs / 1000)).toFixed(0)} msg/s per core, ratio ${(parseCpuMs / insertCpuMs).toFixed(3)} x baseline`,
);
console.log(`index size: ${(stats.bytes / 1e6).toFixed(1)} MB = ${(stats.bytes / total).toFixed(0)} B/message, ${(stats.bytes / jsonBytes).toFixed(2)} x JSONL`);
console.log(`search (in-process, after open): p50 ${timings[Math.floor(timings.length / 2)]!.toFixed(1)} ms, p95 ${timings[Math.floor(timings.length * 0.95)]!.toFixed(1)} ms`);
console.log(rows.join('\n'));
if (process.env.SFS_BENCH_KEEP) console.log(`db kept: ${dbPath}`);
else fs.rmSync(dir, {recursive: true, force: true});
