/**
 * Where a store's indexed tokens come from (user and assistant text, thinking, tool input, tool output,
 * identifier parts), over a sample of its sessions: the numbers behind "what the index holds" in
 * docs/performance.md. Tokens are counted as runs of Unicode letters and digits, as FTS5's tokenizer
 * splits them. Usage: SFS_HOME=<store> npx tsx scripts/index-token-sources.ts [--sample N] (default 1,000 sessions).
 */
import fs from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {blockIndexText, identifierParts, messageIndexText} from '../source/engine/index-text.js';
import {sessionsDir as sessionsDirOf} from '../source/engine/paths.js';
import type {Message} from '../source/engine/types.js';

const SHORTER_TOOL_OUTPUT = 512;
const {values} = parseArgs({options: {sample: {type: 'string', default: '1000'}}});
const sessionsDir = sessionsDirOf(process.env);
const ids = fs.readdirSync(sessionsDir).sort();
const step = Math.max(1, Math.floor(ids.length / Number(values.sample)));
const tokens = new Map<string, number>();
const count = (text: string) => text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
const add = (source: string, text: string) => tokens.set(source, (tokens.get(source) ?? 0) + count(text));
let messages = 0;

for (let i = 0; i < ids.length; i += step) {
	const file = path.join(sessionsDir, ids[i]!, 'messages.jsonl');
	if (!fs.existsSync(file)) continue;
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		if (!line) continue;
		const message = JSON.parse(line) as Message;
		messages++;
		if (message.metadata?.copied_from) continue;
		for (const block of Array.isArray(message.content) ? message.content : []) {
			const text = blockIndexText(block);
			if (!text) continue;
			add(block.type === 'text' ? `${message.role} text` : block.type, text);
			if (block.type === 'tool_result') add(`(tool_result after its first ${SHORTER_TOOL_OUTPUT} chars)`, text.slice(SHORTER_TOOL_OUTPUT));
		}

		add('identifier parts', identifierParts(messageIndexText(message)));
	}
}

const total = [...tokens].filter(([source]) => !source.startsWith('(')).reduce((sum, [, n]) => sum + n, 0);
console.log(`${messages} messages in ${Math.ceil(ids.length / step)} of ${ids.length} sessions; ${total} indexed tokens`);
for (const [source, n] of [...tokens].sort((a, b) => b[1] - a[1])) {
	console.log(`${source.padEnd(40)} ${String(n).padStart(10)} ${((100 * n) / total).toFixed(1).padStart(5)} %`);
}
