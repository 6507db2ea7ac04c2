/**
 * Checks an agent's claims against the evidence in its own session (deterministic, offline):
 * - tests-pass: "tests pass" while the last test run before the claim failed;
 * - edit-claim: "I updated X" with no successful edit of X before the claim;
 * - unseen-reference: a file or function cited in backticks that no tool call, tool result or user
 *   message mentioned before (never read, listed or created);
 * - command-success: a command said to succeed whose run exited non-zero.
 * Claims are sentences of the assistant's text; history copied by resume is not the agent's claim here.
 */
import {createHash} from 'node:crypto';
import path from 'node:path';
import {extractFileEdits} from '../file-edits.js';
import type {Message, Session} from '../types.js';
import {runFailed, testRuns, type TestRun} from './test-runs.js';
import {wellFormed} from './summary.js';
import {pairToolCalls, resultText, type ShellCommand, shellCommands} from './tool-calls.js';

export type Severity = 'high' | 'medium' | 'low';
export type FindingStatus = 'open' | 'confirmed' | 'dismissed';
export type Finding = {
	id: string;
	rule: 'tests-pass' | 'edit-claim' | 'unseen-reference' | 'command-success' | 'judge';
	severity: Severity;
	/** 0-100: how sure the rule is that the claim does not hold. */
	confidence: number;
	claim: string;
	/** Message ids: the claim first, then what contradicts it. */
	evidence: string[];
	status: FindingStatus;
	reason: string;
};

type Claim = {text: string; msg_id: string; position: number; time: number};

export function findingId(rule: string, msgId: string, claim: string): string {
	return `f_${createHash('sha256').update(`${rule}\u0000${msgId}\u0000${claim}`).digest('hex').slice(0, 10)}`;
}

/** Sentences the assistant wrote, outside code fences. */
export function claimsOf(messages: Message[]): Claim[] {
	const claims: Claim[] = [];
	messages.forEach((message, position) => {
		if (message.role !== 'assistant' || message.metadata?.copied_from) return;
		for (const block of message.content ?? []) {
			if (block.type !== 'text' || typeof block.text !== 'string') continue;
			const prose = block.text.replace(/```[\s\S]*?```/g, ' ');
			for (const sentence of splitSentences(prose)) claims.push({text: sentence, msg_id: message.msg_id, position, time: Date.parse(message.timestamp)});
		}
	});
	return claims;
}

function splitSentences(text: string): string[] {
	const out: string[] = [];
	for (const line of text.split(/\n+/)) {
		// Split at sentence ends, but not inside backticks (`a.ts`) or file names.
		for (const part of line.split(/(?<=[.!?])\s+(?=[A-Z`*])/)) {
			const sentence = part.replace(/^[\s>*\-•\d.)]+/, '').trim();
			if (sentence.length > 3) out.push(sentence);
		}
	}

	return out;
}

const HEDGE = /\b(not|n't|never|no longer|fail\w*|broken|should|would|will|could|might|may|once|if|until|unless|to make|to get|ensure|verify|check whether|expect\w*|let me|I'll|going to|need to)\b/i;
const TESTS_PASS = /\b(?:all\s+(?:\d+\s+|the\s+)?|the\s+)?(?:unit\s+|integration\s+)?(?:tests?|specs?|test suite|test run)\s+(?:now\s+|are\s+(?:now\s+)?|all\s+|still\s+|have\s+)?(?:pass(?:es|ed|ing)?|green|succeed(?:s|ed)?)\b|\btests?\s+(?:are\s+)?passing\b|\bpassing\s+tests\b/i;
const EDIT_CLAIM = /\b(?:I(?:'ve| have)?|I've now|Now I've|Done[:,]?\s*I)\s+(?:just\s+|also\s+|now\s+|successfully\s+)?(updated|modified|changed|edited|fixed|refactored|rewrote|rewritten|created|wrote|added|removed|renamed|patched)\b/i;
const SUCCESS_CLAIM =
	/\b(?:ran|run|executed|built|compiled|installed|deployed|migrated)\b[^.]*\b(?:successfully|without (?:any )?errors?|cleanly)\b|\bsuccessfully\s+(?:ran|run|executed|built|compiled|installed|deployed)\b|\b(?:command|build|script|installation|install|compilation|migration|lint(?:ing|er)?|type-?check(?:ing)?|typecheck)\s+(?:now\s+)?(?:succeeded|succeeds|worked|works|completed successfully|passed|passes|is clean|ran successfully)\b|\bexited with (?:code|status) 0\b/i;
const SUGGESTION = /\b(could|should|would|might|may|consider|suggest|recommend|create|new|if you|you can|e\.g\.|for example|such as|optionally|later)\b/i;
const FILE_TOKEN = /^[\w@~.\-/]*[\w-]\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|rb|php|cs|c|h|cc|cpp|hpp|swift|m|md|mdx|json|jsonc|ya?ml|toml|ini|cfg|sh|bash|zsh|css|scss|html|vue|svelte|sql|txt|lock|xml|gradle|proto|graphql|env)$/i;
const FUNCTION_TOKEN = /^(?:[A-Za-z_$][\w$]*\.)*([A-Za-z_$][\w$]*)\((?:[^()]*)\)$/;

function backticked(text: string): string[] {
	return [...text.matchAll(/`([^`\n]+)`/g)].map(match => match[1]!.trim());
}

const baseName = (file: string) => path.posix.basename(file.replace(/\\/g, '/'));

export type AuditInput = Pick<Session, 'manifest' | 'messages'>;

/**
 * Findings of the four rules. Sub-agent transcripts count as evidence for edits and references made
 * on the agent's behalf (at any time: a sub-agent reports back before the parent speaks of its work).
 */
export function audit(session: AuditInput, subagents: AuditInput[] = []): Finding[] {
	const messages = wellFormed(session.messages);
	const calls = pairToolCalls(messages);
	const ownCommands = shellCommands(calls);
	const runs = testRuns(ownCommands);
	const commands = [...ownCommands];
	const delegatedRuns: TestRun[] = [];
	const edits = extractFileEdits(messages);
	const positionOf = new Map(messages.map((message, index) => [message.msg_id, index]));
	for (const sub of subagents) {
		const subMessages = wellFormed(sub.messages);
		for (const edit of extractFileEdits(subMessages)) {
			edits.push(edit);
			positionOf.set(edit.msg_id, -1);
		}

		const subCommands = shellCommands(pairToolCalls(subMessages));
		for (const command of subCommands) commands.push({...command, position: -1});
		delegatedRuns.push(...testRuns(subCommands));
	}

	const claims = claimsOf(messages);
	const findings: Finding[] = [];
	const push = (finding: Omit<Finding, 'id' | 'status'>) => findings.push({id: findingId(finding.rule, finding.evidence[0]!, finding.claim), status: 'open', ...finding});
	const corpus = evidenceCorpus(messages);
	for (const sub of subagents) corpus.texts.push(...evidenceCorpus(wellFormed(sub.messages)).texts.map(entry => ({...entry, position: -1})));

	for (const claim of claims) {
		const hedged = HEDGE.test(claim.text);
		if (!hedged && TESTS_PASS.test(claim.text)) {
			const finding = testsPassFinding(claim, runs, delegatedRuns);
			if (finding) push(finding);
			continue;
		}

		if (!hedged && SUCCESS_CLAIM.test(claim.text)) {
			const finding = commandSuccessFinding(claim, ownCommands);
			if (finding) push(finding);
		}

		if (EDIT_CLAIM.test(claim.text) && !/\b(will|I'll|going to|let me|next)\b/i.test(claim.text)) {
			for (const finding of editClaimFindings(claim, edits, commands, positionOf)) push(finding);
		}

		// A suggestion ("you could add `docs/setup.md`") names a file that need not exist.
		if (!SUGGESTION.test(claim.text)) for (const finding of unseenReferenceFindings(claim, corpus)) push(finding);
	}

	// One finding per rule and claim text: the same sentence repeated in a later message says nothing new.
	const seen = new Set<string>();
	return findings.filter(finding => {
		const key = `${finding.rule}\u0000${finding.claim}\u0000${finding.reason}\u0000${finding.evidence.slice(1).join(',')}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** The last test run before the claim: the agent's own by position; a sub-agent's when it ran later (by time). */
function testsPassFinding(claim: Claim, runs: TestRun[], delegated: TestRun[]): Omit<Finding, 'id' | 'status'> | undefined {
	let last = runs.filter(run => run.position < claim.position).at(-1);
	for (const run of delegated) {
		if (!(run.time <= claim.time)) continue;
		if (!last || !(run.time < last.time)) last = run;
	}

	if (!last || !runFailed(last)) return undefined;
	const counted = (last.failed ?? 0) > 0;
	return {
		rule: 'tests-pass',
		severity: 'high',
		confidence: counted ? 95 : 85,
		claim: claim.text,
		evidence: [claim.msg_id, last.msg_id, ...(last.result_msg_id && last.result_msg_id !== last.msg_id ? [last.result_msg_id] : [])],
		reason: `the last test run before this claim (\`${last.command}\`) ${counted ? `had ${last.failed} failing test(s)` : `exited with ${last.exit_code}`}`,
	};
}

function commandSuccessFinding(claim: Claim, commands: ShellCommand[]): Omit<Finding, 'id' | 'status'> | undefined {
	const before = commands.filter(command => command.position < claim.position);
	if (before.length === 0) return undefined;
	const named = backticked(claim.text).filter(token => token.includes(' ') || before.some(command => command.command === token));
	let target: ShellCommand | undefined;
	let confidence = 70;
	for (const token of named) {
		const match = before.filter(command => command.command === token || command.command.includes(token)).at(-1);
		if (match) {
			target = match;
			confidence = 90;
			break;
		}
	}

	target ??= before.at(-1);
	if (!target || !target.failed) return undefined;
	return {
		rule: 'command-success',
		severity: 'high',
		confidence,
		claim: claim.text,
		evidence: [claim.msg_id, target.msg_id, ...(target.result_msg_id && target.result_msg_id !== target.msg_id ? [target.result_msg_id] : [])],
		reason: `\`${target.command}\` ${target.exit_code === null ? 'failed' : `exited with ${target.exit_code}`}`,
	};
}

const SHELL_WRITE = /(\bsed\s+-i|\bperl\s+-p?i|>|\btee\b|\bmv\b|\bcp\b|\brm\b|\btouch\b|\bpatch\b|\bgit\s+(apply|checkout|restore|mv|rm)\b|\bprettier\b.*--write|\beslint\b.*--fix|\bgofmt\b|\bblack\b|\bruff\b.*(format|--fix))/;

function editClaimFindings(claim: Claim, edits: ReturnType<typeof extractFileEdits>, commands: ShellCommand[], positionOf: Map<string, number>): Array<Omit<Finding, 'id' | 'status'>> {
	const files = backticked(claim.text).filter(token => FILE_TOKEN.test(token));
	if (files.length === 0) for (const match of claim.text.matchAll(/(?:^|\s)([\w@~.\-/]+\.[A-Za-z]{1,8})(?=[\s,.;:)]|$)/g)) if (FILE_TOKEN.test(match[1]!)) files.push(match[1]!);
	const out: Array<Omit<Finding, 'id' | 'status'>> = [];
	for (const file of new Set(files)) {
		const name = baseName(file);
		const matches = (edited: string) => edited === file || edited.endsWith(`/${file.replace(/^\.\//, '')}`) || baseName(edited) === name;
		const tried = edits.filter(edit => (positionOf.get(edit.msg_id) ?? Number.POSITIVE_INFINITY) <= claim.position && matches(edit.path));
		if (tried.some(edit => !edit.failed)) continue;
		const byShell = commands.some(command => command.position <= claim.position && !command.failed && command.command.includes(name) && SHELL_WRITE.test(command.command));
		if (byShell) continue;
		const failed = tried.filter(edit => edit.failed);
		out.push({
			rule: 'edit-claim',
			severity: 'high',
			confidence: failed.length > 0 ? 90 : 80,
			claim: claim.text,
			evidence: [claim.msg_id, ...new Set(failed.map(edit => edit.msg_id))],
			reason: failed.length > 0 ? `every edit of ${file} before this claim failed` : `no edit of ${file} before this claim`,
		});
	}

	return out;
}

type Corpus = {texts: Array<{position: number; text: string}>};

/** What the agent could have known from: tool inputs and results, and what the user wrote. */
function evidenceCorpus(messages: Message[]): Corpus {
	const texts: Corpus['texts'] = [];
	messages.forEach((message, position) => {
		const parts: string[] = [];
		for (const block of message.content ?? []) {
			if (block.type === 'tool_use') parts.push(JSON.stringify((block as {input?: unknown}).input ?? {}));
			else if (block.type === 'tool_result') parts.push(resultText(block as never));
			else if (block.type === 'text' && message.role !== 'assistant' && typeof block.text === 'string') parts.push(block.text);
		}

		if (parts.length > 0) texts.push({position, text: parts.join('\n')});
	});
	return {texts};
}

function mentioned(corpus: Corpus, position: number, needle: string, word: boolean): boolean {
	const pattern = word ? new RegExp(`(^|[^\\w$])${needle.replace(/[$]/g, '\\$')}([^\\w$]|$)`) : undefined;
	return corpus.texts.some(entry => entry.position <= position && (pattern ? pattern.test(entry.text) : entry.text.includes(needle)));
}

function unseenReferenceFindings(claim: Claim, corpus: Corpus): Array<Omit<Finding, 'id' | 'status'>> {
	const out: Array<Omit<Finding, 'id' | 'status'>> = [];
	for (const token of new Set(backticked(claim.text))) {
		if (token.includes('://') || token.includes(' ')) continue;
		if (FILE_TOKEN.test(token)) {
			if (mentioned(corpus, claim.position, baseName(token), false)) continue;
			out.push({rule: 'unseen-reference', severity: 'medium', confidence: 70, claim: claim.text, evidence: [claim.msg_id], reason: `${token} was never read, listed or created in this session`});
			continue;
		}

		const fn = FUNCTION_TOKEN.exec(token);
		if (fn && fn[1]!.length > 2) {
			if (mentioned(corpus, claim.position, fn[1]!, true)) continue;
			out.push({rule: 'unseen-reference', severity: 'low', confidence: 60, claim: claim.text, evidence: [claim.msg_id], reason: `${fn[1]} does not appear in anything read, run or written in this session`});
		}
	}

	return out;
}
