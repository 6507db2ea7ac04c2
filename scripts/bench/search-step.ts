/**
 * Search latency of the whole `node dist/cli.js search --json` process against a bare `node -e ''`
 * in the same run, and `grep -rlF` over the native files for the same strings. Each query (and a
 * bare node beside it) runs RUNS times, interleaved, and counts with its median: one run per query
 * made the p95 a measure of the shared machine's load spikes rather than of sfs.
 */
import type {Corpus} from './generate.js';
import {percentile, runProcess} from './measure.js';
import {buildQueries} from './queries.js';
import {ms, row, type Row} from './report.js';

const RUNS = 3;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

type Input = {cli: string; env: NodeJS.ProcessEnv; corpus: Corpus; log: (line: string) => void};

export async function measureSearch({cli, env, corpus, log}: Input) {
	const queries = buildQueries(corpus.largest.conversation, corpus.vocabulary);
	const node: number[] = [];
	const search: number[] = [];
	const grep: number[] = [];
	const perQuery: Array<{kind: string; query: string; ms: number; hits: number; grep_ms: number; grep_files: number}> = [];
	// Warm the page cache and the module cache once, as a user's second search would find them.
	await runProcess(process.execPath, ['-e', '']);
	await runProcess(process.execPath, [cli, 'search', '--json', queries[0]!.query], {env});
	for (const query of queries) {
		const nodeRuns: number[] = [];
		const searchRuns: number[] = [];
		let stdout = '';
		for (let attempt = 0; attempt < RUNS; attempt++) {
			nodeRuns.push((await runProcess(process.execPath, ['-e', ''])).ms);
			const run = await runProcess(process.execPath, [cli, 'search', '--json', query.query], {env});
			if (run.code !== 0) throw new Error(`sfs search ${query.query} exited ${run.code}: ${run.stderr.trim()}`);
			searchRuns.push(run.ms);
			stdout = run.stdout;
		}

		const hits = (JSON.parse(stdout) as unknown[]).length;
		node.push(median(nodeRuns));
		search.push(median(searchRuns));
		const g = await runProcess('grep', ['-rlF', '--', query.grep, env.HOME!]);
		grep.push(g.ms);
		perQuery.push({kind: query.kind, query: query.query, ms: median(searchRuns), hits, grep_ms: g.ms, grep_files: g.stdout.split('\n').filter(Boolean).length});
	}

	const p = (values: number[], q: number) => percentile(values, q);
	const overhead95 = p(search, 95) - p(node, 95);
	const zero = perQuery.filter(q => q.hits === 0).length;
	log(`search: p50 ${ms(p(search, 50))} p95 ${ms(p(search, 95))}; node -e '' p50 ${ms(p(node, 50))} p95 ${ms(p(node, 95))}; grep -rlF p50 ${ms(p(grep, 50))}; ${zero} of ${queries.length} queries without hits`);
	const rows: Row[] = [
		row(
			`search latency (30 queries, median of ${RUNS} runs each)`,
			`sfs search --json p50 ${ms(p(search, 50))} / p95 ${ms(p(search, 95))}; node -e '' p50 ${ms(p(node, 50))} / p95 ${ms(p(node, 95))} → p95 +${ms(overhead95)}; ${zero} of ${queries.length} found nothing (grep found ${perQuery.filter(q => q.hits === 0 && q.grep_files > 0).length} of those)`,
			"p95 ≤ node -e '' + 50 ms at large",
			overhead95 <= 50 ? 'met' : 'missed',
		),
		row('grep -rlF, same strings', `p50 ${ms(p(grep, 50))} / p95 ${ms(p(grep, 95))} (grep p50 / sfs p50 = ${(p(grep, 50) / p(search, 50)).toFixed(2)})`, 'report', 'report'),
	];
	return {
		rows,
		results: {
			search_p50_ms: p(search, 50),
			search_p95_ms: p(search, 95),
			node_p50_ms: p(node, 50),
			node_p95_ms: p(node, 95),
			grep_p50_ms: p(grep, 50),
			grep_p95_ms: p(grep, 95),
			queries: perQuery,
		},
	};
}
