/**
 * 30 search queries drawn from the corpus itself: common and rare words, phrases, identifiers,
 * paths and prefixes. Each has the fixed string `grep` looks for in the native files.
 */
import type {Conversation} from './conversation.js';

export type BenchQuery = {kind: 'common word' | 'rare word' | 'phrase' | 'identifier' | 'path' | 'prefix'; query: string; grep: string};

function corpusText(conversation: Conversation): string[] {
	const texts: string[] = [];
	for (const turn of conversation.turns) {
		texts.push(turn.prompt, turn.answer);
		for (const step of turn.steps) texts.push(step.text, step.thinking, step.output);
	}

	return texts;
}

export function buildQueries(conversation: Conversation, vocabulary: string[]): BenchQuery[] {
	const rank = new Map(vocabulary.map((word, index) => [word, index]));
	const texts = corpusText(conversation);
	const words = new Set<string>();
	const identifiers = new Set<string>();
	const paths = new Set<string>();
	const phrases: string[] = [];
	for (const text of texts) {
		for (const match of text.matchAll(/`([A-Za-z][A-Za-z0-9_]+)`/g)) identifiers.add(match[1]!);
		for (const match of text.matchAll(/\bsrc\/[\w/]+\.\w+/g)) paths.add(match[0]);
		const plain = text.split(/\s+/).map(word => word.replace(/[.,]$/, ''));
		for (const word of plain) if (/^[a-z]+$/.test(word)) words.add(word);
		for (let i = 0; i + 1 < plain.length && phrases.length < 400; i += 7) {
			const [a, b] = [plain[i]!, plain[i + 1]!];
			if (/^[a-z]{3,}$/.test(a) && /^[a-z]{3,}$/.test(b)) phrases.push(`${a} ${b}`);
		}
	}

	const byRank = [...words].filter(word => rank.has(word) && word.length >= 3).sort((a, b) => rank.get(a)! - rank.get(b)!);
	const common = byRank.slice(0, 40).filter((_, i) => i % 8 === 0).slice(0, 5);
	const rare = byRank.slice(-60).filter((_, i) => i % 12 === 0).slice(0, 5);
	const pick = <T>(items: T[], count: number): T[] => {
		const step = Math.max(1, Math.floor(items.length / count));
		return items.filter((_, i) => i % step === 0).slice(0, count);
	};

	const identifierList = pick([...identifiers], 4);
	const camel = [...identifiers].find(identifier => /[a-z][A-Z][a-z]+[A-Z]/.test(identifier));
	// A camelCase tail ("RateLimit" of handleRateLimit) is found through the identifier-parts column.
	const camelTail = camel ? camel.replace(/^[a-z]+/, '') : identifierList[0]!;
	const queries: BenchQuery[] = [
		...common.map(word => ({kind: 'common word' as const, query: word, grep: word})),
		...rare.map(word => ({kind: 'rare word' as const, query: word, grep: word})),
		...pick(phrases, 5).map(phrase => ({kind: 'phrase' as const, query: `"${phrase}"`, grep: phrase})),
		...identifierList.map(identifier => ({kind: 'identifier' as const, query: identifier, grep: identifier})),
		{kind: 'identifier', query: camelTail, grep: camelTail},
		...pick([...paths], 5).map(file => ({kind: 'path' as const, query: file, grep: file})),
		...[common[0], common[2], rare[0], rare[2], identifierList[1]].map(word => {
			const prefix = (word ?? 'conf').slice(0, Math.max(3, Math.ceil((word ?? 'conf').length * 0.6)));
			return {kind: 'prefix' as const, query: `${prefix}*`, grep: prefix};
		}),
	];
	return queries;
}
