/**
 * The benchmark corpus: native stores for all 8 tools under a temp HOME, with long-tailed session sizes
 * (a few messages to thousands) and text drawn from the fixture sessions' vocabulary plus a made-up tail.
 */
import fs from 'node:fs';
import path from 'node:path';
import {buildConversation, type Conversation} from './conversation.js';
import {BENCH_TOOLS, type BenchTool, NATIVE_WRITERS, claudeSessionFile} from './native-writers.js';
import {fixtureWords, seeded, TextSource} from './text.js';

export type Scale = 'tiny' | 'small' | 'medium' | 'large';

export const SCALES: Record<Scale, {messages: number; sessions: number; largest: number}> = {
	tiny: {messages: 400, sessions: 24, largest: 60},
	small: {messages: 10_000, sessions: 200, largest: 1500},
	medium: {messages: 200_000, sessions: 2000, largest: 4000},
	large: {messages: 1_000_000, sessions: 10_000, largest: 5000},
};

/** Share of sessions per tool (the JSONL tools are the common ones in practice). */
const TOOL_WEIGHTS: Record<BenchTool, number> = {'claude-code': 0.34, codex: 0.22, gemini: 0.1, copilot: 0.1, cursor: 0.06, amp: 0.06, cline: 0.06, 'roo-code': 0.06};

export type Corpus = {
	home: string;
	scale: Scale;
	sessions: number;
	/** Canonical messages the generator wrote (what capture should find). */
	messages: number;
	files: string[];
	nativeBytes: number;
	perTool: Record<BenchTool, {sessions: number; messages: number}>;
	/** The largest Claude Code session (for the incremental-append measurement). */
	largest: {file: string; conversation: Conversation};
	/** Words of the vocabulary by frequency rank (for queries: rank 0 is the most common). */
	vocabulary: string[];
};

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

export type GenerateOptions = {home: string; scale: Scale; fixturesDir: string; seed?: number; onProgress?: (done: number, total: number) => void};

export function generateCorpus(options: GenerateOptions): Corpus {
	const {home, scale} = options;
	const config = SCALES[scale];
	const random = seeded(options.seed ?? 20_261_125);
	const text = new TextSource(random, fixtureWords(options.fixturesDir));
	const sizes = sessionSizes(random, config.sessions, config.messages, config.largest);
	const perTool = Object.fromEntries(BENCH_TOOLS.map(tool => [tool, {sessions: 0, messages: 0}])) as Corpus['perTool'];
	const files: string[] = [];
	let messages = 0;
	let largest: Corpus['largest'] | undefined;
	const baseMs = Date.UTC(2026, 0, 1);
	fs.mkdirSync(home, {recursive: true});
	for (const [i, size] of sizes.entries()) {
		// The first eight sessions cover every tool once (session 0, the largest, is Claude Code's).
		const tool: BenchTool = i < BENCH_TOOLS.length ? BENCH_TOOLS[i]! : toolFor(random);
		const conversation = buildConversation(text, `${scale}:${i}`, size, baseMs + i * 3_600_000);
		files.push(...NATIVE_WRITERS[tool](home, conversation));
		if (i === 0) largest = {file: claudeSessionFile(home, conversation), conversation};
		perTool[tool].sessions++;
		perTool[tool].messages += conversation.messages;
		messages += conversation.messages;
		if (i % 100 === 0) options.onProgress?.(i, sizes.length);
	}

	let nativeBytes = 0;
	for (const file of files) nativeBytes += fs.statSync(file).size;
	return {home, scale, sessions: sizes.length, messages, files, nativeBytes, perTool, largest: largest!, vocabulary: text.vocabulary};
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
