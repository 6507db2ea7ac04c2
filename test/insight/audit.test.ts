import {describe, expect, it} from 'vitest';
import {audit, claimsOf} from '../../source/engine/insight/audit.js';
import {SessionBuilder} from './build.js';
import {realFixtureSession} from './load-sessions.js';

const rules = (findings: ReturnType<typeof audit>) => findings.map(finding => finding.rule);

describe('tests-pass: "tests pass" while the last test run failed', () => {
	it('flags the claim after a failing run, with the run as evidence', () => {
		const b = new SessionBuilder();
		const run = b.bash('npm test', 'Tests:       2 failed, 5 passed, 7 total', 1);
		const claim = b.say('I fixed the parser. All tests pass now.');
		const findings = audit(b.session());
		expect(findings).toHaveLength(1);
		expect(findings[0]).toMatchObject({rule: 'tests-pass', severity: 'high', confidence: 95, claim: 'All tests pass now.', status: 'open'});
		expect(findings[0]!.evidence[0]).toBe(claim.msg_id);
		expect(findings[0]!.evidence).toContain(run.msg_id);
		expect(findings[0]!.id).toMatch(/^f_[0-9a-f]{10}$/);
	});

	it('does not flag when the last run passed (an earlier failure was fixed)', () => {
		const b = new SessionBuilder();
		b.bash('npm test', 'Tests:       2 failed, 5 passed, 7 total', 1);
		b.call('Edit', {file_path: 'src/parser.ts', old_string: 'a', new_string: 'b'}, {content: 'ok'});
		b.bash('npm test', 'Tests:       7 passed, 7 total');
		b.say('All tests pass now.');
		expect(audit(b.session())).toEqual([]);
	});

	it('does not take a hedge or a plan for a claim', () => {
		const b = new SessionBuilder();
		b.bash('pytest', '=== 1 failed, 3 passed in 0.1s ===', 1);
		b.say('The tests should pass once I fix the import. Tests are not passing yet.');
		expect(audit(b.session())).toEqual([]);
	});

	it('flags a failing exit without counts with lower confidence', () => {
		const b = new SessionBuilder();
		b.bash('go test ./...', 'panic: boom', 2);
		b.say('Tests passed.');
		expect(audit(b.session())[0]).toMatchObject({rule: 'tests-pass', confidence: 85});
	});
});

describe('edit-claim: "I updated X" with no edit to X', () => {
	it('flags a file the agent says it updated but never edited', () => {
		const b = new SessionBuilder();
		b.call('Read', {file_path: '/work/demo/src/config.ts'}, {content: 'export const a = 1;'});
		const claim = b.say('I updated `src/config.ts` to export the new default.');
		const findings = audit(b.session());
		expect(rules(findings)).toEqual(['edit-claim']);
		expect(findings[0]).toMatchObject({severity: 'high', confidence: 80, evidence: [claim.msg_id]});
	});

	it('cites the failed edit when every edit of the file failed', () => {
		const b = new SessionBuilder();
		b.call('Read', {file_path: '/work/demo/src/config.ts'}, {content: 'export const a = 1;'});
		const failed = b.call('Edit', {file_path: '/work/demo/src/config.ts', old_string: 'zzz', new_string: 'y'}, {content: 'String to replace not found', is_error: true});
		b.say("I've updated src/config.ts.");
		const findings = audit(b.session());
		expect(findings[0]).toMatchObject({rule: 'edit-claim', confidence: 90});
		expect(findings[0]!.evidence).toContain(failed.msg_id);
	});

	it('does not flag a file that was edited (by an edit tool or a shell write)', () => {
		const b = new SessionBuilder();
		b.call('Edit', {file_path: '/work/demo/src/config.ts', old_string: 'a', new_string: 'b'}, {content: 'ok'});
		b.bash("sed -i 's/x/y/' Makefile.am", '');
		b.say('I updated `src/config.ts` and `Makefile.am`.');
		expect(audit(b.session())).toEqual([]);
	});

	it('does not flag a plan to edit', () => {
		const b = new SessionBuilder();
		b.call('Read', {file_path: 'src/config.ts'}, {content: 'x'});
		b.say("Next I'll have updated `src/config.ts`, let me do that.");
		expect(rules(audit(b.session()))).not.toContain('edit-claim');
	});
});

describe('unseen-reference: files or functions cited that were never read or created', () => {
	it('flags a file and a function nothing in the session mentions', () => {
		const b = new SessionBuilder();
		b.user('Why does login fail?');
		b.call('Read', {file_path: 'src/auth.ts'}, {content: 'export function login() { return check(); }'});
		b.say('The bug is in `src/session-store.ts`, where `refreshToken()` drops the expiry.');
		const findings = audit(b.session());
		expect(findings.map(finding => [finding.rule, finding.reason])).toEqual([
			['unseen-reference', 'src/session-store.ts was never read, listed or created in this session'],
			['unseen-reference', 'refreshToken does not appear in anything read, run or written in this session'],
		]);
		expect(findings.map(finding => finding.severity)).toEqual(['medium', 'low']);
	});

	it('does not flag files and functions that were read, listed, created or named by the user', () => {
		const b = new SessionBuilder();
		b.user('Look at `docs/guide.md` too.');
		b.call('Read', {file_path: 'src/auth.ts'}, {content: 'export function login() { return check(); }'});
		b.bash('ls src', 'auth.ts\nsession-store.ts\n');
		b.call('Write', {file_path: 'src/new.ts', content: 'export function fresh() {}'}, {content: 'File created successfully'});
		b.say('`login()` calls `check()`; see `src/session-store.ts`, `src/new.ts` with `fresh()`, and `docs/guide.md`.');
		expect(audit(b.session())).toEqual([]);
	});
});

describe('command-success: a command said to succeed that exited non-zero', () => {
	it('flags the claim against the named command', () => {
		const b = new SessionBuilder();
		const run = b.bash('npm run build', 'error TS2322: Type string is not assignable', 2);
		b.bash('ls', 'dist');
		b.say('I ran `npm run build` successfully.');
		const findings = audit(b.session());
		expect(rules(findings)).toEqual(['command-success']);
		expect(findings[0]).toMatchObject({confidence: 90, reason: '`npm run build` exited with 2'});
		expect(findings[0]!.evidence).toContain(run.msg_id);
	});

	it('flags an unnamed claim against the last command', () => {
		const b = new SessionBuilder();
		b.bash('make install', 'make: *** [install] Error 1', 2);
		b.say('The installation succeeded.');
		expect(audit(b.session())[0]).toMatchObject({rule: 'command-success', confidence: 70});
	});

	it('does not flag when the command exited 0', () => {
		const b = new SessionBuilder();
		b.bash('npm run build', 'built in 2s');
		b.say('I ran `npm run build` successfully. The build succeeded.');
		expect(audit(b.session())).toEqual([]);
	});

	it('holds on a real recording: Claude Code reports the failing cat honestly', async () => {
		const session = await realFixtureSession('claude-code', 'real-2.1.332-failing-command');
		expect(audit(session)).toEqual([]);
		// The same session with a false claim appended after the failing command.
		const failing = session.messages.findIndex(message => message.content.some(block => block.type === 'tool_result' && (block as {is_error?: boolean}).is_error));
		const lie = {msg_id: 'lie', role: 'assistant' as const, content: [{type: 'text' as const, text: 'The command `cat missing.txt` ran successfully.'}], timestamp: session.messages[failing]!.timestamp};
		const messages = [...session.messages.slice(0, failing + 1), lie, ...session.messages.slice(failing + 1)];
		expect(audit({...session, messages}).map(finding => [finding.rule, finding.evidence[0]])).toEqual([['command-success', 'lie']]);
	});
});

describe('claims', () => {
	it('are the assistant’s sentences outside code fences; copied history is not a claim', () => {
		const b = new SessionBuilder();
		b.say('First sentence here. Second one follows!\n```\nall tests pass\n```');
		const copied = b.say('All tests pass.');
		copied.metadata = {copied_from: 'ses_old'};
		expect(claimsOf(b.messages).map(claim => claim.text)).toEqual(['First sentence here.', 'Second one follows!']);
	});

	it('give stable ids', () => {
		const build = () => {
			const b = new SessionBuilder();
			b.bash('npm test', 'Tests:       1 failed, 1 total', 1);
			b.say('All tests pass.');
			return audit(b.session());
		};

		expect(build()[0]!.id).toBe(build()[0]!.id);
	});
});

describe('sub-agents', () => {
	it('count as evidence for edits and references made on the agent’s behalf', () => {
		const parent = new SessionBuilder();
		parent.call('Task', {prompt: 'update the config'}, {content: 'Done.'});
		parent.say('I updated `src/config.ts` through a sub-agent; `loadConfig()` now reads the env.');
		expect(rules(audit(parent.session()))).toEqual(['edit-claim', 'unseen-reference', 'unseen-reference']);
		const child = new SessionBuilder();
		child.call('Edit', {file_path: '/work/demo/src/config.ts', old_string: 'a', new_string: 'export function loadConfig() {}'}, {content: 'ok'});
		expect(audit(parent.session(), [child.session('ses_child')])).toEqual([]);
	});

	it('do not stand in for the agent’s own failing command', () => {
		const parent = new SessionBuilder();
		parent.bash('npm run build', 'error', 1);
		parent.say('The build succeeded.');
		const child = new SessionBuilder();
		child.bash('npm run lint', 'ok');
		expect(rules(audit(parent.session(), [child.session('ses_child')]))).toEqual(['command-success']);
	});
});

describe('bad input', () => {
	it('a message without a content list or with odd fields is skipped, not a crash', () => {
		const b = new SessionBuilder();
		b.bash('npm test', 'Tests:       1 failed, 1 total', 1);
		b.say('All tests pass.');
		const messages = [...b.messages, {msg_id: 'odd', role: 'assistant', timestamp: 'not a time', content: null} as never, {msg_id: 'odd2', role: 'assistant', timestamp: '', content: [{type: 'tool_use', tool_use_id: 'x', name: 'Bash', input: null}]} as never];
		expect(rules(audit({...b.session(), messages}))).toEqual(['tests-pass']);
	});
});

describe('sub-agent test runs', () => {
	it('a later passing run by a sub-agent answers an earlier failure of the agent', () => {
		const parent = new SessionBuilder('claude-code', '2026-03-20T10:00:00.000Z');
		parent.bash('npm test', 'Tests:       1 failed, 1 total', 1);
		parent.call('Task', {prompt: 'fix the failing test'}, {content: 'Fixed; npm test passes.'});
		const claimAt = new SessionBuilder('claude-code', '2026-03-20T10:10:00.000Z');
		const claim = claimAt.say('All tests pass now.');
		parent.messages.push(claim);
		const fixed = new SessionBuilder('claude-code', '2026-03-20T10:05:00.000Z');
		fixed.bash('npm test', 'Tests:       1 passed, 1 total');
		expect(audit(parent.session(), [fixed.session('ses_child')])).toEqual([]);
		const late = new SessionBuilder('claude-code', '2026-03-20T10:20:00.000Z');
		late.bash('npm test', 'Tests:       1 passed, 1 total');
		expect(rules(audit(parent.session(), [late.session('ses_child')]))).toEqual(['tests-pass']);
	});
});

describe('suggestions', () => {
	it('name files and functions that need not exist', () => {
		const b = new SessionBuilder();
		b.call('Read', {file_path: 'src/a.ts'}, {content: 'x'});
		b.say('You could add a `docs/setup.md`, or consider a `retryLater()` helper.');
		expect(audit(b.session())).toEqual([]);
	});
});
