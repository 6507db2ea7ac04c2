/**
 * sfs benchmark: `npm run bench -- [--scale small|medium|large] [--out results.json] [--keep]`
 *
 * Generates a corpus of native sessions for all 8 tools in a temp HOME, then measures sfs against
 * baselines taken in the same run (so ratios hold on a noisy machine) and prints one table (goals from
 * issue 10, each marked met / missed / report / n/a). Rows whose feature has not landed print n/a.
 * It reports and never fails on a slow machine: the exit status is 0 whenever it could measure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {measureCapture} from './bench/capture-steps.js';
import {measureDaemon} from './bench/daemon-step.js';
import {measureFuzzy} from './bench/fuzzy-step.js';
import {benchEnv, generateCorpus, type Scale, SCALES} from './bench/generate.js';
import {measureResume} from './bench/resume-step.js';
import {printTable, row, type Row} from './bench/report.js';
import {measureSearch} from './bench/search-step.js';
import {measureTui} from './bench/tui-step.js';

const {values} = parseArgs({
	options: {
		scale: {type: 'string', default: 'small'},
		out: {type: 'string'},
		keep: {type: 'boolean', default: false},
		only: {type: 'string'},
	},
});
const scale = values.scale as Scale;
if (!(scale in SCALES)) {
	console.error(`bench: --scale must be one of ${Object.keys(SCALES).join(', ')}`);
	process.exit(2);
}

const repo = path.resolve(import.meta.dirname, '..');
const cli = path.join(repo, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
	console.error(`bench: ${cli} is missing; run npm run build (npm run bench does)`);
	process.exit(2);
}

const only = values.only ? new Set(values.only.split(',')) : undefined;
const wanted = (step: string) => !only || only.has(step);
const root = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-bench-${scale}-`));
const home = path.join(root, 'home');
const sfsHome = path.join(root, 'sfs');
const env = benchEnv(home, sfsHome);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const started = Date.now();

try {
	log(`scale ${scale} (${SCALES[scale].messages} messages in ${SCALES[scale].sessions} sessions) under ${root}; ${os.cpus().length} CPU(s), node ${process.version}`);
	let t = performance.now();
	// Both cores write the corpus at medium and large (the same corpus as one process would write).
	const corpus = await generateCorpus({home, scale, fixturesDir: path.join(repo, 'test', 'fixtures'), parallel: scale === 'medium' || scale === 'large' ? Math.min(2, os.cpus().length) : 1});
	const generateMs = performance.now() - t;
	log(`generated ${corpus.messages} messages, ${corpus.sessions} sessions, ${corpus.files.length} files, ${(corpus.nativeBytes / 1e6).toFixed(1)} MB in ${(generateMs / 1000).toFixed(1)} s`);

	const rows: Row[] = [];
	const results: Record<string, unknown> = {
		scale,
		machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${process.platform} ${os.release()}`},
		corpus: {sessions: corpus.sessions, messages: corpus.messages, files: corpus.files.length, native_bytes: corpus.nativeBytes, per_tool: corpus.perTool, generate_ms: Math.round(generateMs)},
	};

	const capture = await measureCapture({cli, env, corpus, sfsHome, log});
	rows.push(...capture.rows);
	results.capture = capture.results;

	// A step that fails prints a "failed" row; the others still run and the table is still printed.
	const step = async (name: string, what: string, goal: string, run: () => Promise<{rows: Row[]; results: unknown}>) => {
		if (!wanted(name)) return;
		try {
			const measured = await run();
			rows.push(...measured.rows);
			results[name] = measured.results;
		} catch (error) {
			const message = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
			log(`${name} failed: ${message}`);
			rows.push(row(what, `failed: ${message.slice(0, 120)}`, goal, 'missed'));
			results[name] = {error: message};
		}
	};

	await step('search', 'search latency (30 queries)', "p95 ≤ node -e '' + 50 ms at large", async () => measureSearch({cli, env, corpus, log}));
	await step('fuzzy', 'fuzzy filter, one keystroke', '< 16 ms', async () => measureFuzzy({env, log}));
	await step('tui', 'TUI first frame', '< 400 ms', async () => measureTui({cli, env, log}));
	await step('daemon', 'daemon: idle CPU / append→searchable p95', '< 1 % / < 3 s', async () => measureDaemon({repo, cli, env, corpus, scale, log}));
	await step('resume', 'resume', '< 500 ms', async () => measureResume({repo, root, log}));

	results.rows = rows;
	results.total_ms = Date.now() - started;
	printTable(rows, `sfs bench, scale ${scale}: ${corpus.messages.toLocaleString('en-US')} messages in ${corpus.sessions.toLocaleString('en-US')} sessions, ${(corpus.nativeBytes / 1e6).toFixed(0)} MB native; ${os.cpus().length} CPU(s); ${((Date.now() - started) / 1000).toFixed(0)} s`);
	if (values.out) {
		fs.writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
		log(`results written to ${values.out}`);
	}
} finally {
	if (values.keep) log(`kept ${root}`);
	else fs.rmSync(root, {recursive: true, force: true});
}
