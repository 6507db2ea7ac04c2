/**
 * `sfs summary --narrative`: what happened, key decisions, outcome and open issues, written by the
 * configured LLM from the deterministic summary and a compact transcript.
 */
import type {Session} from '../types.js';
import {complete, extractJson, type LlmConfig, transcriptForLlm} from './llm.js';
import type {Narrative, StoredNarrative} from './session-meta.js';
import type {SessionSummary} from './summary.js';

const SYSTEM = `You summarise a coding agent's session for the developer who ran it. Use only what the transcript and the facts show; do not guess.
Answer with one JSON object and nothing else:
{"what_happened": "2-4 sentences", "key_decisions": ["…"], "outcome": "1-2 sentences: finished, partly done or failed, and how you know", "open_issues": ["…"]}`;

export async function writeNarrative(session: Pick<Session, 'messages'>, summary: SessionSummary, config: LlmConfig | undefined, env: NodeJS.ProcessEnv, now = new Date()): Promise<StoredNarrative> {
	const facts = JSON.stringify({...summary, files: summary.files.slice(0, 100), commands: summary.commands.slice(0, 100)});
	const prompt = `Facts derived from the tool calls:\n${facts}\n\nTranscript (<message id> role: content):\n${transcriptForLlm(session.messages as never)}`;
	const reply = await complete({system: SYSTEM, prompt, maxTokens: 1500}, config, env);
	return {
		narrative: asNarrative(extractJson(reply.text), reply.text),
		model: reply.model,
		provider: reply.provider,
		created_at: now.toISOString(),
		through_msg_id: session.messages.at(-1)?.msg_id ?? null,
	};
}

function asNarrative(value: unknown, text: string): Narrative {
	const object = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
	const list = (item: unknown) => (Array.isArray(item) ? item.map(String).filter(Boolean) : typeof item === 'string' && item ? [item] : []);
	if (typeof object.what_happened !== 'string') return {what_happened: text.trim(), key_decisions: [], outcome: '', open_issues: []};
	return {
		what_happened: object.what_happened,
		key_decisions: list(object.key_decisions),
		outcome: typeof object.outcome === 'string' ? object.outcome : '',
		open_issues: list(object.open_issues),
	};
}
