/**
 * Realistic-looking text for the benchmark corpus: words taken from the fixture sessions plus a long
 * tail of made-up words (drawn with a Zipf-like law), code identifiers, paths, commands and tool output.
 * Deterministic: the same seed gives the same corpus.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Random = () => number;

/** mulberry32: a small, fast, seedable generator. */
export function seeded(seed: number): Random {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

const FALLBACK_WORDS =
	'the a to of and in is it for that this with file test error function run value return config user request build change fix add remove update check type module import export package server client cache index search query session message output input read write path directory command failing passing expected received line column'.split(' ');

/** Words found in the fixture sessions (lower-case, 3..20 letters), most frequent first. */
export function fixtureWords(fixturesDir: string): string[] {
	const counts = new Map<string, number>();
	const visit = (dir: string, depth: number): void => {
		if (depth > 8) return;
		let entries: fs.Dirent[];
		try {
			entries = fs.readdirSync(dir, {withFileTypes: true});
		} catch {
			return;
		}

		for (const entry of entries) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) visit(full, depth + 1);
			else if (/\.(jsonl?|md)$/.test(entry.name)) {
				let text: string;
				try {
					text = fs.readFileSync(full, 'utf8').slice(0, 400_000);
				} catch {
					continue;
				}

				for (const match of text.matchAll(/(?<![\\\w])[a-z][a-z]{2,19}(?![\w])/g)) counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
			}
		}
	};

	visit(fixturesDir, 0);
	const words = [...counts.entries()].filter(([, count]) => count >= 2).sort((a, b) => b[1] - a[1]).map(([word]) => word);
	return words.length >= 50 ? words : FALLBACK_WORDS;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'an', 'so', 'ru', 'vel', 'pi', 'dor', 'ex', 'qua', 'zin', 'bo', 'tra', 'ne', 'gul', 'fen'];
const EXTENSIONS = ['ts', 'tsx', 'js', 'py', 'go', 'rs', 'md', 'json', 'yaml', 'sh'];
const COMMANDS = ['npm test', 'npx vitest run', 'git status', 'git diff --stat', 'ls -la', 'cat', 'rg -n', 'grep -rn', 'sed -n 1,80p', 'cargo test', 'go test ./...', 'pytest -q'];

/** Real words first (they are the frequent ones), then a made-up long tail of syllable words. */
export function buildVocabulary(fixtureVocabulary: string[], tailSize = 60_000): string[] {
	const tail: string[] = [];
	for (let i = 0; i < tailSize; i++) {
		let word = '';
		let n = i + 11;
		do {
			word += SYLLABLES[n % SYLLABLES.length];
			n = Math.floor(n / SYLLABLES.length);
		} while (n > 0);
		tail.push(word);
	}

	return [...new Set([...fixtureVocabulary.slice(0, 3000), ...tail])];
}

export class TextSource {
	constructor(
		private readonly random: Random,
		readonly vocabulary: string[],
	) {}

	/** Word i is drawn with probability ~ 1/(i+1) (Zipf, s = 1). */
	word(): string {
		const index = Math.floor(Math.exp(this.random() * Math.log(this.vocabulary.length + 1))) - 1;
		return this.vocabulary[Math.min(index, this.vocabulary.length - 1)]!;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.random() * items.length)]!;
	}

	int(min: number, max: number): number {
		return min + Math.floor(this.random() * (max - min + 1));
	}

	identifier(): string {
		const parts = [this.word(), this.word(), this.word()].slice(0, this.int(2, 3));
		const style = this.random();
		if (style < 0.5) return parts[0] + parts.slice(1).map(part => part[0]!.toUpperCase() + part.slice(1)).join('');
		if (style < 0.8) return parts.join('_');
		return parts.map(part => part[0]!.toUpperCase() + part.slice(1)).join('');
	}

	filePath(): string {
		const depth = this.int(1, 3);
		const dirs = Array.from({length: depth}, () => this.word());
		return `src/${dirs.join('/')}/${this.identifier()}.${this.pick(EXTENSIONS)}`;
	}

	sentence(words: number): string {
		const out: string[] = [];
		for (let i = 0; i < words; i++) {
			const r = this.random();
			if (r < 0.05) out.push(`\`${this.identifier()}\``);
			else if (r < 0.08) out.push(this.filePath());
			else out.push(this.word());
		}

		const text = out.join(' ');
		return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
	}

	paragraph(minWords: number, maxWords: number): string {
		let remaining = this.int(minWords, maxWords);
		const sentences: string[] = [];
		while (remaining > 0) {
			const length = Math.min(remaining, this.int(6, 22));
			sentences.push(this.sentence(length));
			remaining -= length;
		}

		return sentences.join(' ');
	}

	command(): string {
		const base = this.pick(COMMANDS);
		return base === 'cat' || base.startsWith('sed') ? `${base} ${this.filePath()}` : base.startsWith('rg') || base.startsWith('grep') ? `${base} ${this.identifier()} src/` : base;
	}

	/** Tool output: test runs, grep hits, file listings, stack traces, source excerpts. */
	toolOutput(): string {
		const lines: string[] = [];
		const kind = this.int(0, 4);
		const count = Math.floor(Math.exp(this.random() * Math.log(120))) + 2;
		for (let i = 0; i < count; i++) {
			if (kind === 0) lines.push(`${this.filePath()}:${this.int(1, 900)}: ${this.sentence(this.int(3, 10))}`);
			else if (kind === 1) lines.push(`${this.random() < 0.9 ? ' ✓' : ' ✗'} ${this.word()} ${this.sentence(this.int(3, 8))} (${this.int(1, 300)} ms)`);
			else if (kind === 2) lines.push(`-rw-r--r-- 1 dev dev ${this.int(100, 99_999)} Nov ${this.int(1, 28)} 10:${String(this.int(0, 59)).padStart(2, '0')} ${this.identifier()}.${this.pick(EXTENSIONS)}`);
			else if (kind === 3) lines.push(i === 0 ? `Error: ${this.sentence(this.int(4, 9))}` : `    at ${this.identifier()} (${this.filePath()}:${this.int(1, 400)}:${this.int(1, 80)})`);
			else lines.push(`${'  '.repeat(this.int(0, 3))}const ${this.identifier()} = ${this.identifier()}(${this.word()}, '${this.word()}');`);
		}

		return lines.join('\n');
	}
}
