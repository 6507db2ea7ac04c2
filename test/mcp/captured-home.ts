/**
 * A temp HOME holding native sessions copied from test/fixtures (Claude Code, Codex, Gemini CLI and
 * Copilot CLI; recorded real runs included) plus one generated large Claude Code session, captured into a temp SFS_HOME
 * with the engine's own capture. Nothing touches the real home.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {runCapture} from '../../source/engine/capture-run.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');

export const BIG_SESSION_NATIVE_ID = '99990000-0000-4000-8000-00000000b16e';
export const BIG_CWD = '/work/bigapp';
/** The file the generated session edits three times. */
export const BIG_EDITED_FILE = 'src/api/rateLimiter.ts';
export const BIG_TOOL_OUTPUT_CHARS = 5 * 1024 * 1024;

export type CapturedHome = {root: string; env: NodeJS.ProcessEnv; engine: Engine; cleanup(): void};

/** The environment of a temp HOME at `<root>/home` with its store at `<root>/sfs`: every place sfs and the tools look is inside. */
export function homeEnv(root: string): NodeJS.ProcessEnv {
	const home = path.join(root, 'home');
	return {
		HOME: home,
		SFS_HOME: path.join(root, 'sfs'),
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_DATA_HOME: path.join(home, '.local', 'share'),
		XDG_STATE_HOME: path.join(home, '.local', 'state'),
		XDG_CACHE_HOME: path.join(home, '.cache'),
		CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
		CODEX_HOME: path.join(home, '.codex'),
		COPILOT_HOME: path.join(home, '.copilot'),
		GEMINI_CLI_HOME: home,
	};
}

function copyInto(source: string, target: string): void {
	fs.mkdirSync(target, {recursive: true});
	fs.cpSync(source, target, {recursive: true});
}

/** A Claude Code transcript: a long user prompt, 3 Edit calls on one file, a 5 MB tool result, 40 short turns. */
function writeBigClaudeSession(claudeDir: string): void {
	const dir = path.join(claudeDir, 'projects', '-work-bigapp');
	fs.mkdirSync(dir, {recursive: true});
	const lines: string[] = [];
	let parent: string | null = null;
	let n = 0;
	const time = (i: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, i)).toISOString();
	const push = (type: 'user' | 'assistant', content: unknown) => {
		n++;
		const uuid = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
		const message = type === 'user' ? {role: 'user', content} : {id: `msg_${n}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content, stop_reason: 'end_turn', usage: {input_tokens: 10, output_tokens: 5}};
		lines.push(JSON.stringify({parentUuid: parent, isSidechain: false, userType: 'external', cwd: BIG_CWD, sessionId: BIG_SESSION_NATIVE_ID, version: '2.1.332', gitBranch: 'main', type, message, uuid, timestamp: time(n)}));
		parent = uuid;
	};

	push('user', `Please fix the token bucket in ${BIG_EDITED_FILE}. ${'Context paragraph about the rate limiter. '.repeat(200)}`);
	for (let edit = 1; edit <= 3; edit++) {
		const id = `toolu_edit_${edit}`;
		push('assistant', [{type: 'text', text: `Editing ${BIG_EDITED_FILE}, step ${edit}.`}, {type: 'tool_use', id, name: 'Edit', input: {file_path: `${BIG_CWD}/${BIG_EDITED_FILE}`, old_string: `const refill = ${edit};`, new_string: `const refill = ${edit + 1};\nconst burst = ${edit * 10};`}}]);
		push('user', [{type: 'tool_result', tool_use_id: id, content: `The file ${BIG_EDITED_FILE} has been updated.`}]);
	}

	push('assistant', [{type: 'tool_use', id: 'toolu_bash_big', name: 'Bash', input: {command: 'cat huge.log'}}]);
	push('user', [{type: 'tool_result', tool_use_id: 'toolu_bash_big', content: 'x'.repeat(BIG_TOOL_OUTPUT_CHARS)}]);
	for (let turn = 1; turn <= 40; turn++) {
		push('user', `Question ${turn} about zebrafish throttling`);
		push('assistant', [{type: 'text', text: `Answer ${turn}: ${'the bucket refills steadily. '.repeat(20)}`}]);
	}

	fs.writeFileSync(path.join(dir, `${BIG_SESSION_NATIVE_ID}.jsonl`), `${lines.join('\n')}\n`);
}

export const CLAIM_SESSION_NATIVE_ID = '99990000-0000-4000-8000-0000000c1a1e';
export const CLAIM_CWD = '/work/claims';
/** An AWS access key id in the claim session's prompt (made up, but shaped like a real one). */
export const SECRET = 'AKIAZ7Q4M2XW6RT3KD5P';

/** A short Claude Code session: a prompt holding a secret, and an assistant claim of an edit that never happened. */
function writeClaimSession(claudeDir: string): void {
	const dir = path.join(claudeDir, 'projects', '-work-claims');
	fs.mkdirSync(dir, {recursive: true});
	const base = {isSidechain: false, userType: 'external', cwd: CLAIM_CWD, sessionId: CLAIM_SESSION_NATIVE_ID, version: '2.1.332'};
	const lines = [
		{...base, parentUuid: null, type: 'user', uuid: '10000000-0000-4000-8000-000000000001', timestamp: '2026-11-21T09:00:00.000Z', message: {role: 'user', content: `Deploy with key ${SECRET} and add retries to the client.`}},
		{...base, parentUuid: '10000000-0000-4000-8000-000000000001', type: 'assistant', uuid: '10000000-0000-4000-8000-000000000002', timestamp: '2026-11-21T09:00:05.000Z', message: {id: 'msg_c1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'text', text: 'I updated `src/api/ghost.ts` to add retries.'}], stop_reason: 'end_turn', usage: {input_tokens: 10, output_tokens: 5}}},
	];
	fs.writeFileSync(path.join(dir, `${CLAIM_SESSION_NATIVE_ID}.jsonl`), `${lines.map(line => JSON.stringify(line)).join('\n')}\n`);
}

export async function capturedHome(options: {claimSession?: boolean} = {}): Promise<CapturedHome> {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-mcp-'));
	const home = path.join(root, 'home');
	const env = homeEnv(root);
	const claude = path.join(home, '.claude');
	copyInto(path.join(fixtures, 'claude-code', 'projects'), path.join(claude, 'projects'));
	copyInto(path.join(fixtures, 'claude-code', 'real-2.1.332-failing-command', 'projects'), path.join(claude, 'projects'));
	copyInto(path.join(fixtures, 'claude-code', 'real-2.1.332-interactive-rewind', 'projects'), path.join(claude, 'projects'));
	copyInto(path.join(fixtures, 'recorded', 'claude-code', 'projects'), path.join(claude, 'projects'));
	copyInto(path.join(fixtures, 'codex', 'sessions'), path.join(home, '.codex', 'sessions'));
	copyInto(path.join(fixtures, 'recorded', 'codex', 'sessions'), path.join(home, '.codex', 'sessions'));
	copyInto(path.join(fixtures, 'codex', 'real-0.169.0-failing-command', 'sessions'), path.join(home, '.codex', 'sessions'));
	copyInto(path.join(fixtures, 'codex', 'real-0.169.0-interactive-rewind', 'sessions'), path.join(home, '.codex', 'sessions'));
	copyInto(path.join(fixtures, 'gemini', 'tmp'), path.join(home, '.gemini', 'tmp'));
	copyInto(path.join(fixtures, 'copilot', 'session-state'), path.join(home, '.copilot', 'session-state'));
	writeBigClaudeSession(claude);
	if (options.claimSession) writeClaimSession(claude);
	const engine = openEngine({env});
	await runCapture(engine, {tools: ['claude-code', 'codex', 'gemini', 'copilot']});
	return {root, env, engine, cleanup: () => {
		engine.close();
		fs.rmSync(root, {recursive: true, force: true});
	}};
}
