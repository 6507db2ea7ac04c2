/**
 * Session text is untrusted: tool output carries colour codes (npm test), and any escape sequence can
 * move the cursor, retitle the window or write the clipboard. Human output (list, search, show,
 * summary) prints it without escape sequences or control characters (a search snippet cut between a
 * colour's start and end left the terminal coloured); --json keeps the text exactly as stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs} from './run-sfs.js';

const ESC = '\u001B';
const NATIVE = '88888888-aaaa-4bbb-8ccc-dddddddddd02';
let box: Sandbox;
const AUDITED = '77777777-aaaa-4bbb-8ccc-dddddddddd03';
let id: string;
let auditedId: string;

function record(type: string, uuid: string, parent: string | null, message: unknown, time: string) {
	return JSON.stringify({parentUuid: parent, isSidechain: false, type, message, uuid, timestamp: time, cwd: '/tmp', sessionId: NATIVE, version: '2.1.86'});
}

beforeAll(async () => {
	box = sandbox();
	const dir = path.join(box.home, '.claude', 'projects', '-tmp');
	fs.mkdirSync(dir, {recursive: true});
	const lines = [
		record('user', 'u1', null, {role: 'user', content: `run the tests ${ESC}]0;owned${String.fromCharCode(7)}please ${ESC}[31mnow${ESC}[0m`}, '2026-03-21T10:00:00.000Z'),
		record('assistant', 'a1', 'u1', {role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {command: 'npm test'}}]}, '2026-03-21T10:00:01.000Z'),
		record('user', 'r1', 'a1', {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: `before ${ESC}[32m PASS zebrafish ${ESC}[0m and ${ESC}[1;31m FAIL quokka ${ESC}[2J${ESC}[0m after\r\n`}]}, '2026-03-21T10:00:02.000Z'),
	];
	fs.writeFileSync(path.join(dir, `${NATIVE}.jsonl`), `${lines.join('\n')}\n`);
	// A claim the audit flags (the command failed), carrying escape codes into the finding's text.
	const claim = (type: string, uuid: string, parent: string | null, message: unknown, time: string) => record(type, uuid, parent, message, time).replace(NATIVE, AUDITED);
	const audited = [
		claim('user', 'v1', null, {role: 'user', content: 'build it'}, '2026-03-22T10:00:00.000Z'),
		claim('assistant', 'v2', 'v1', {role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'tool_use', id: 't1', name: 'Bash', input: {command: 'make build'}}]}, '2026-03-22T10:00:01.000Z'),
		claim('user', 'v3', 'v2', {role: 'user', content: [{type: 'tool_result', tool_use_id: 't1', is_error: true, content: 'Exit code 2\nmake: *** error'}]}, '2026-03-22T10:00:02.000Z'),
		claim('assistant', 'v4', 'v3', {role: 'assistant', model: 'claude-sonnet-4-5', content: [{type: 'text', text: `The command make build ran successfully ${ESC}[31mdone${ESC}]0;x${String.fromCharCode(7)}`}]}, '2026-03-22T10:00:03.000Z'),
	];
	fs.writeFileSync(path.join(dir, `${AUDITED}.jsonl`), `${audited.join('\n')}\n`);
	const capture = await sfs(box, ['capture']);
	if (capture.exitCode !== 0) throw new Error(capture.stderr);
	const rows = parseJson<Array<{session_id: string; native_id: string}>>(await sfs(box, ['list', '--json']));
	id = rows.find(row => row.native_id === NATIVE)!.session_id;
	auditedId = rows.find(row => row.native_id === AUDITED)!.session_id;
});

afterAll(() => box.cleanup());

test.each([
	['list', () => ['list']],
	['list --plain', () => ['list', '--plain']],
	['search', () => ['search', 'quokka']],
	['show', () => ['show', id]],
	['summary', () => ['summary', id]],
	['audit', () => ['audit', auditedId]],
])('%s prints no escape sequence or control character from the session', async (_name, args) => {
	const run = await sfs(box, args());
	expect(run.exitCode).toBe(0);
	expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
});

test('the text itself survives: search and show still print the words', async () => {
	expect((await sfs(box, ['search', 'quokka'])).stdout).toContain('FAIL quokka');
	const shown = (await sfs(box, ['show', id])).stdout;
	expect(shown).toContain('PASS zebrafish');
	expect(shown).toContain('run the tests please now');
});

test('the audit finding still quotes the claim', async () => {
	expect((await sfs(box, ['audit', auditedId])).stdout).toContain('claim:    The command make build ran successfully done');
});

test('--json keeps the stored text exactly', async () => {
	const shown = parseJson<{messages: Array<{content: Array<{type: string; content?: string}>}>}>(await sfs(box, ['show', id, '--json']));
	const result = shown.messages.flatMap(message => message.content).find(block => block.type === 'tool_result');
	expect(result?.content).toContain(`${ESC}[1;31m FAIL quokka`);
});

test('storage prune --dry-run lists titles without control characters', async () => {
	const run = await sfs(box, ['storage', 'prune', '--older-than', '2099-01-01', '--dry-run']);
	expect(run.exitCode).toBe(0);
	expect(run.stdout).toContain('run the tests please now');
	expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
});

test('delete names the session without its control characters', async () => {
	const fork = parseJson<{session_id: string}>(await sfs(box, ['fork', id, '--json']));
	const run = await sfs(box, ['delete', fork.session_id, '--yes']);
	expect(run.exitCode).toBe(0);
	expect(run.stderr).toContain('"run the tests please now (fork)"');
	expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
});
