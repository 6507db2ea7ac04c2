/**
 * The benchmark corpus: native stores for all 8 tools under a temp HOME, with long-tailed session sizes
 * (a few messages to thousands) and text drawn from the fixture sessions' vocabulary plus a made-up tail.
 * Every session has its own seeded random stream, so sessions can be written by several processes at
 * once (both cores at medium and large) and the corpus is the same either way.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {buildConversation, type Conversation} from './conversation.js';
import {BENCH_TOOLS, type BenchTool, NATIVE_WRITERS, claudeSessionFile} from './native-writers.js';
import {buildVocabulary, fixtureWords, seeded, TextSource} from './text.js';

export type Scale = 'tiny' | 'small' | 'medium' | 'large';

export const SCALES: Record<Scale, {messages: number; sessions: number; largest: number}> = {
	tiny: {messages: 400, sessions: 24, largest: 60},
	small: {messages: 10_000, sessions: 200, largest: 1500},
	medium: {messages: 200_000, sessions: 2000, largest: 4000},
	large: {messages: 1_000_000, sessions: 10_000, largest: 5000},
};

/** Share of sessions per tool (the JSONL tools are the common ones in practice). */
const TOOL_WEIGHTS: Record<BenchTool, number> = {'claude-code': 0.34, codex: 0.22, gemini: 0.1, copilot: 0.1, cursor: 0.06, amp: 0.06, cline: 0.06, 'roo-code': 0.06};
const DEFAULT_SEED = 20_261_125;
const BASE_MS = Date.UTC(2026, 0, 1);

export type ToolCounts = Record<BenchTool, {sessions: number; messages: number}>;

export type Corpus = {
	home: string;
	scale: Scale;
	sessions: number;
	/** Canonical messages the generator wrote (what capture should find). */
	messages: number;
	files: string[];
	nativeBytes: number;
	perTool: ToolCounts;
	/** The largest Claude Code session (for the incremental-append measurement and the queries). */
	largest: {file: string; conversation: Conversation};
	/** Words of the vocabulary by frequency rank (for queries: rank 0 is the most common). */
	vocabulary: string[];
};

/** What every session will be: its size and its tool (drawn up front from the main seed). */
export type Plan = {scale: Scale; seed: number; home: string; fixturesDir: string; sizes: number[]; tools: BenchTool[]};

/** Session sizes: log-normal weights scaled to the total, clamped to [3, largest]. */
function sessionSizes(random: () => number, count: number, total: number, largest: number): number[] {
	const weights = Array.from({length: count}, () => {
		const u = Math.max(1e-9, random());
		const v = random();
		const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
		return Math.exp(1.4 * normal);
	});
	const sum = weights.reduce((a, b) => a + b, 0);
	const sizes = weights.map(weight => Math.min(largest, Math.max(3, Math.round((weight / sum) * (total - largest)))));
	sizes[0] = largest;
	return sizes;
}

function toolFor(random: () => number): BenchTool {
	let r = random();
	for (const tool of BENCH_TOOLS) {
		r -= TOOL_WEIGHTS[tool];
		if (r <= 0) return tool;
	}

	return 'claude-code';
}

export function makePlan(options: {home: string; scale: Scale; fixturesDir: string; seed?: number}): Plan {
	const seed = options.seed ?? DEFAULT_SEED;
	const config = SCALES[options.scale];
	const random = seeded(seed);
	const sizes = sessionSizes(random, config.sessions, config.messages, config.largest);
	// The first eight sessions cover every tool once (session 0, the largest, is Claude Code's).
	const tools = sizes.map((_, i) => (i < BENCH_TOOLS.length ? BENCH_TOOLS[i]! : toolFor(random)));
	return {scale: options.scale, seed, home: options.home, fixturesDir: options.fixturesDir, sizes, tools};
}

function planVocabulary(plan: Plan): string[] {
	return buildVocabulary(fixtureWords(plan.fixturesDir));
}

function conversationOf(plan: Plan, vocabulary: string[], i: number): Conversation {
	const text = new TextSource(seeded(plan.seed ^ Math.imul(i + 1, 0x9e_37_79_b1)), vocabulary);
	return buildConversation(text, `${plan.scale}:${i}`, plan.sizes[i]!, BASE_MS + i * 3_600_000);
}

/** Writes sessions [from, to) of a plan; returns the files written (used in-process and by generate-part.ts). */
export function writeSessions(plan: Plan, from: number, to: number, vocabulary = planVocabulary(plan)): string[] {
	const files: string[] = [];
	for (let i = from; i < to; i++) files.push(...NATIVE_WRITERS[plan.tools[i]!](plan.home, conversationOf(plan, vocabulary, i)));
	return files;
}

async function writeInParallel(plan: Plan, parts: number): Promise<string[]> {
	const planFile = path.join(os.tmpdir(), `sfs-bench-plan-${process.pid}.json`);
	fs.writeFileSync(planFile, JSON.stringify(plan));
	const worker = path.join(import.meta.dirname, 'generate-part.ts');
	const step = Math.ceil(plan.sizes.length / parts);
	try {
		const outputs = await Promise.all(
			Array.from({length: parts}, (_, part) => {
				const from = part * step;
				const to = Math.min(plan.sizes.length, from + step);
				return new Promise<string[]>((resolve, reject) => {
					const child = spawn(process.execPath, ['--import', 'tsx', worker, planFile, String(from), String(to)], {stdio: ['ignore', 'pipe', 'inherit']});
					const chunks: Buffer[] = [];
					child.stdout.on('data', chunk => chunks.push(chunk as Buffer));
					child.on('error', reject);
					child.on('close', code => (code === 0 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[]) : reject(new Error(`generate-part exited ${code}`))));
				});
			}),
		);
		return outputs.flat();
	} finally {
		fs.rmSync(planFile, {force: true});
	}
}

export type GenerateOptions = {home: string; scale: Scale; fixturesDir: string; seed?: number; parallel?: number};

/** Writes the corpus (in `parallel` processes when given and > 1). */
export async function generateCorpus(options: GenerateOptions): Promise<Corpus> {
	const plan = makePlan(options);
	fs.mkdirSync(plan.home, {recursive: true});
	const vocabulary = planVocabulary(plan);
	const parts = options.parallel ?? 1;
	const files = parts > 1 ? await writeInParallel(plan, parts) : writeSessions(plan, 0, plan.sizes.length, vocabulary);
	return describeCorpus(plan, vocabulary, files);
}

/** The same corpus, written in this process (tests). */
export function generateCorpusSync(options: GenerateOptions): Corpus {
	const plan = makePlan(options);
	fs.mkdirSync(plan.home, {recursive: true});
	const vocabulary = planVocabulary(plan);
	return describeCorpus(plan, vocabulary, writeSessions(plan, 0, plan.sizes.length, vocabulary));
}

function describeCorpus(plan: Plan, vocabulary: string[], files: string[]): Corpus {
	const perTool = Object.fromEntries(BENCH_TOOLS.map(tool => [tool, {sessions: 0, messages: 0}])) as ToolCounts;
	let messages = 0;
	for (const [i, tool] of plan.tools.entries()) {
		const count = plannedMessages(plan.sizes[i]!);
		perTool[tool].sessions++;
		perTool[tool].messages += count;
		messages += count;
	}

	let nativeBytes = 0;
	for (const file of files) nativeBytes += fs.statSync(file).size;
	const largest = conversationOf(plan, vocabulary, 0);
	return {
		home: plan.home,
		scale: plan.scale,
		sessions: plan.sizes.length,
		messages,
		files,
		nativeBytes,
		perTool,
		largest: {file: claudeSessionFile(plan.home, largest), conversation: largest},
		vocabulary,
	};
}

/** What buildConversation makes of a size: turns hold an even number of messages, so an odd size gets one more. */
function plannedMessages(size: number): number {
	return size % 2 === 0 ? size : size + 1;
}

/** The environment that points every tool at the corpus HOME only, and sfs at its own store (outside HOME, so grep sees native files only). */
export function benchEnv(home: string, sfsHome?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, HOME: home, USERPROFILE: home};
	for (const key of ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'COPILOT_HOME', 'GEMINI_CLI_HOME', 'CLINE_DIR', 'CLINE_DATA_DIR', 'CLINE_SESSION_DATA_DIR', 'SFS_HOME', 'APPDATA']) delete env[key];
	if (sfsHome) env.SFS_HOME = sfsHome;
	env.XDG_CONFIG_HOME = path.join(home, '.config');
	env.XDG_DATA_HOME = path.join(home, '.local', 'share');
	env.XDG_STATE_HOME = path.join(home, '.local', 'state');
	env.XDG_CACHE_HOME = path.join(home, '.cache');
	env.XDG_RUNTIME_DIR = path.join(home, '.run');
	return env;
}
