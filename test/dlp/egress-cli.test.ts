/**
 * The gate through the built binary: `sfs dlp scan`, every export format and resume into another
 * tool, each under block, redact and warn (and --allow-secrets). Run `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import {afterEach, describe, expect, test} from 'vitest';
import {expectOneLineError, parseJson, type Sandbox, sandbox, sfs, specExamples} from '../cli/run-sfs.js';
import {type Leaky, writeLeakySession} from './leaky-session.js';

const boxes: Sandbox[] = [];
afterEach(() => {
	for (const box of boxes.splice(0)) box.cleanup();
});

async function leakyBox(tool = 'cursor'): Promise<{box: Sandbox; leak: Leaky}> {
	const box = sandbox();
	boxes.push(box);
	const leak = writeLeakySession(box.root, {tool});
	const run = await sfs(box, ['import', leak.dir]);
	if (run.exitCode !== 0) throw new Error(run.stderr);
	return {box, leak};
}

async function setPolicy(box: Sandbox, which: string, action: string, scope = '--global'): Promise<void> {
	const run = await sfs(box, ['dlp', 'policy', 'set', which, action, ...scope.split(' ')]);
	expect(run.exitCode, run.stderr).toBe(0);
}

function expectNoSecret(text: string, leak: Leaky): void {
	for (const [name, secret] of Object.entries(leak.secrets)) expect(text.includes(secret), `${name} leaked`).toBe(false);
}

/** `except`: secrets the target format has no place for (Claude's Write tool has no `password` field). */
function expectAllSecrets(text: string, leak: Leaky, except: string[] = []): void {
	for (const [name, secret] of Object.entries(leak.secrets)) if (!except.includes(name)) expect(text.includes(secret), `${name} missing`).toBe(true);
}

/** Every file of a .tar.gz: path → text. */
async function archiveFiles(file: string, box: Sandbox): Promise<Record<string, string>> {
	const dir = fs.mkdtempSync(path.join(box.root, 'unpacked-'));
	await tar.x({file, cwd: dir});
	const files: Record<string, string> = {};
	for (const name of fs.readdirSync(dir, {recursive: true}).map(String)) {
		if (fs.statSync(path.join(dir, name)).isFile()) files[name] = fs.readFileSync(path.join(dir, name), 'utf8');
	}

	return files;
}

async function archiveText(file: string, box: Sandbox): Promise<string> {
	return Object.values(await archiveFiles(file, box)).join('\n');
}

function storeText(box: Sandbox, leak: Leaky): string {
	return fs.readFileSync(path.join(box.sfsHome, 'sessions', leak.id, 'messages.jsonl'), 'utf8');
}

describe('sfs dlp scan', () => {
	test('lists kind, pattern, msg_id and a masked excerpt, never the secret', async () => {
		const {box, leak} = await leakyBox();
		const run = await sfs(box, ['dlp', 'scan', leak.id, '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		const result = parseJson<{session_id: string; secrets: number; personal: number; findings: Array<{kind: string; pattern: string; msg_id: string | null; excerpt: string; location: string}>}>(run);
		expect(result.session_id).toBe(leak.id);
		expect(result.findings.map(finding => [finding.kind, finding.pattern, finding.msg_id])).toEqual([
			['secret', 'aws-access-key', 'msg-u1'],
			['personal', 'email', 'msg-u1'],
			['secret', 'database-url', 'msg-a1'],
			['secret', 'github-token', 'msg-t1'],
			['secret', 'stripe-key', 'msg-a2'],
			['secret', 'secret-field', 'msg-a2'],
			['personal', 'credit-card', 'msg-a3'],
		]);
		expect(result.findings[0]!.excerpt).toContain('AWS_ACCESS_KEY_ID=AKIA****');
		expect(result.findings[5]!.location).toBe('messages[3].content[0].input.password');
		expectNoSecret(run.stdout + run.stderr, leak);
		expect(run.stdout).not.toContain(leak.personal.email);
		expect(run.stdout).not.toContain(leak.personal.card);

		const text = await sfs(box, ['dlp', 'scan', leak.id]);
		expect(text.stdout).toMatch(/secret\s+aws-access-key\s+msg-u1/);
		expectNoSecret(text.stdout, leak);
	});

	test('--all covers every session; --kind filters', async () => {
		const {box, leak} = await leakyBox();
		const all = parseJson<{sessions_scanned: number; secrets: number; personal: number; sessions: Array<{session_id: string; findings: Array<{kind: string}>}>}>(await sfs(box, ['dlp', 'scan', '--all', '--json', '--kind', 'personal']));
		expect(all.sessions_scanned).toBe(1);
		expect(all.secrets).toBe(5);
		expect(all.sessions[0]!.session_id).toBe(leak.id);
		expect(all.sessions[0]!.findings.map(finding => finding.kind)).toEqual(['personal', 'personal']);
	});

	test('a missing ref is a usage error', async () => {
		const {box} = await leakyBox();
		const run = await sfs(box, ['dlp', 'scan']);
		expect(run.exitCode).toBe(2);
		expectOneLineError(run, /missing a session <ref>/);
	});
});

describe('sfs dlp policy', () => {
	test('show reports the effective policy and where it comes from; set stores per project by default', async () => {
		const {box, leak} = await leakyBox();
		let shown = parseJson<{effective: {secrets: string; personal: string}}>(await sfs(box, ['dlp', 'policy', 'show', '--json']));
		expect(shown.effective).toMatchObject({secrets: 'block', personal: 'warn'});
		const set = await sfs(box, ['dlp', 'policy', 'set', 'secrets', 'redact'], {cwd: leak.cwd});
		expect(set.stderr).toContain(`sfs: dlp secrets = redact for project ${leak.cwd}`);
		shown = parseJson(await sfs(box, ['dlp', 'policy', 'show', '--json'], {cwd: leak.cwd}));
		expect(shown.effective).toMatchObject({secrets: 'redact', personal: 'warn', project: leak.cwd});
		shown = parseJson(await sfs(box, ['dlp', 'policy', 'show', '--json'], {cwd: box.root}));
		expect(shown.effective).toMatchObject({secrets: 'block'});
		const bad = await sfs(box, ['dlp', 'policy', 'set', 'secrets', 'allow']);
		expect(bad.exitCode).toBe(2);
	});
});

describe('export through the gate', () => {
	test.each(['md', 'json'])('%s: blocked by default (exit 1, findings listed, nothing on stdout)', async format => {
		const {box, leak} = await leakyBox();
		const run = await sfs(box, ['export', leak.id, '--format', format]);
		expect(run.exitCode).toBe(1);
		expect(run.stdout).toBe('');
		expectOneLineError(run, /^sfs: export blocked: session .* contains 5 secret\(s\) \(aws-access-key ×1, database-url ×1, github-token ×1, stripe-key ×1, secret-field ×1\)/);
		expect(run.stderr).toContain('  secret github-token msg msg-t1: ');
		expectNoSecret(run.stderr, leak);
	});

	test.each(['md', 'json'])('%s under redact: placeholders out, the store untouched; personal data warned about', async format => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'redact');
		const before = storeText(box, leak);
		const run = await sfs(box, ['export', leak.id, '--format', format]);
		expect(run.exitCode, run.stderr).toBe(0);
		expectNoSecret(run.stdout, leak);
		for (const kind of ['aws-access-key', 'database-url', 'github-token', 'stripe-key', 'secret-field']) expect(run.stdout).toContain(`[REDACTED:${kind}]`);
		expect(run.stdout).toContain(leak.personal.email);
		expect(run.stderr).toContain('dlp: redacted 5 secret(s)');
		expect(run.stderr).toContain('went out with 2 personal data item(s) (email ×1, credit-card ×1; policy: warn)');
		expect(storeText(box, leak)).toBe(before);
		expectAllSecrets(before, leak);
	});

	test('personal data redacted too when the policy says so', async () => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'redact');
		await setPolicy(box, 'personal', 'redact');
		const run = await sfs(box, ['export', leak.id]);
		expect(run.stdout).toContain('tell [REDACTED:email]');
		expect(run.stdout).toContain('test card [REDACTED:credit-card]');
	});

	test('warn: the export goes out as is and says what went out', async () => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'warn');
		const run = await sfs(box, ['export', leak.id, '--format', 'json']);
		expect(run.exitCode).toBe(0);
		expectAllSecrets(run.stdout, leak);
		expect(run.stderr).toMatch(/went out with 5 secret\(s\) .*policy: warn/);
	});

	test('--allow-secrets overrides a block for one export, loudly; the next one is blocked again', async () => {
		const {box, leak} = await leakyBox();
		const run = await sfs(box, ['export', leak.id, '--allow-secrets']);
		expect(run.exitCode).toBe(0);
		expectAllSecrets(run.stdout, leak);
		expect(run.stderr).toMatch(/--allow-secrets: session .* goes out UNREDACTED with 5 secret\(s\) and 2 personal data item\(s\)/);
		expect((await sfs(box, ['export', leak.id])).exitCode).toBe(1);
	});

	test('the project policy of the session\'s directory applies', async () => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'redact', `--project ${leak.cwd}`);
		const run = await sfs(box, ['export', leak.id]);
		expect(run.exitCode, run.stderr).toBe(0);
		expectNoSecret(run.stdout, leak);
	});

	test('-o FILE under redact writes the redacted copy', async () => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'redact');
		const file = path.join(box.root, 'out.md');
		expect((await sfs(box, ['export', leak.id, '-o', file])).exitCode).toBe(0);
		const text = fs.readFileSync(file, 'utf8');
		expectNoSecret(text, leak);
		expect(text).toContain('[REDACTED:stripe-key]');
	});

	test('.sfs archive: blocked, then redacted (checkpoints too) and importable elsewhere', async () => {
		const {box, leak} = await leakyBox();
		expect((await sfs(box, ['checkpoint', leak.id, 'before-deploy'])).exitCode).toBe(0);
		const out = path.join(box.root, 'out');
		fs.mkdirSync(out);
		const blocked = await sfs(box, ['export', leak.id, '--format', 'sfs', '-o', out]);
		expect(blocked.exitCode).toBe(1);
		expect(fs.readdirSync(out)).toEqual([]);

		await setPolicy(box, 'secrets', 'redact');
		const run = await sfs(box, ['export', leak.id, '--format', 'sfs', '-o', out, '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		const file = parseJson<{path: string}>(run).path;
		const files = await archiveFiles(file, box);
		const checkpoint = files[path.join(leak.id, 'checkpoints', 'before-deploy', 'messages.jsonl')];
		expect(checkpoint).toContain('[REDACTED:aws-access-key]');
		const text = Object.values(files).join('\n');
		expectNoSecret(text, leak);
		expect(text).toContain('[REDACTED:aws-access-key]');
		expect(fs.readdirSync(box.sfsHome).filter(name => name.startsWith('.dlp-export-'))).toEqual([]);

		const other = sandbox();
		boxes.push(other);
		const imported = await sfs(other, ['import', file]);
		expect(imported.exitCode, imported.stderr).toBe(0);
		expectNoSecret(fs.readFileSync(path.join(other.sfsHome, 'sessions', leak.id, 'messages.jsonl'), 'utf8'), leak);
	});

	test('--all backup: blocked by one leaky session, redacted under redact, clean sessions packed as they are', async () => {
		const {box, leak} = await leakyBox();
		expect((await sfs(box, ['import', specExamples])).exitCode).toBe(0);
		const clean = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
		const backup = path.join(box.root, 'backup.tar.gz');
		const blocked = await sfs(box, ['export', '--all', '-o', backup]);
		expect(blocked.exitCode).toBe(1);
		expect(fs.existsSync(backup)).toBe(false);
		expect(fs.readdirSync(box.sfsHome).filter(name => name.startsWith('.dlp-export-'))).toEqual([]);
		await setPolicy(box, 'secrets', 'redact');
		const run = await sfs(box, ['export', '--all', '-o', backup, '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		expect(parseJson<{sessions: string[]}>(run).sessions).toContain(leak.id);
		expect(parseJson<{sessions: string[]}>(run).sessions).toContain(clean);
		const files = await archiveFiles(backup, box);
		expect(files[path.join('sessions', clean, 'messages.jsonl')]).toBe(fs.readFileSync(path.join(box.sfsHome, 'sessions', clean, 'messages.jsonl'), 'utf8'));
		const text = Object.values(files).join('\n');
		expectNoSecret(text, leak);
		expect(text).toContain('[REDACTED:github-token]');
		expectAllSecrets(storeText(box, leak), leak);
		expect(fs.readdirSync(box.sfsHome).filter(name => name.startsWith('.dlp-export-'))).toEqual([]);
	});

	test('native tool format: blocked, then redacted in the written native files', async () => {
		const {box, leak} = await leakyBox();
		const out = path.join(box.root, 'native');
		const blocked = await sfs(box, ['export', leak.id, '--format', 'claude-code', '-o', out]);
		expect(blocked.exitCode).toBe(1);
		expectOneLineError(blocked, /export blocked/);
		await setPolicy(box, 'secrets', 'redact');
		const run = await sfs(box, ['export', leak.id, '--format', 'claude-code', '-o', out]);
		expect(run.exitCode, run.stderr).toBe(0);
		const files = run.stdout.trim().split('\n');
		expect(files.length).toBeGreaterThan(0);
		const text = files.map(file => fs.readFileSync(file, 'utf8')).join('\n');
		expectNoSecret(text, leak);
		expect(text).toContain('[REDACTED:database-url]');
	});
});

describe('resume into another tool through the gate', () => {
	const resume = (box: Sandbox, leak: Leaky, extra: string[] = []) => sfs(box, ['resume', leak.id, '--in', 'claude-code', '--no-launch', '--json', ...extra]);

	test('block: nothing written into the tool, exit 1', async () => {
		const {box, leak} = await leakyBox();
		const run = await resume(box, leak);
		expect(run.exitCode).toBe(1);
		expectOneLineError(run, /^sfs: resume blocked: session .* \(into claude-code\) contains 5 secret\(s\)/);
		expect(fs.existsSync(path.join(box.home, '.claude', 'projects'))).toBe(false);
	});

	test('redact: the written native session holds the redacted copy', async () => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'redact');
		const run = await resume(box, leak);
		expect(run.exitCode, run.stderr).toBe(0);
		const plan = parseJson<{native_path: string; warnings: string[]}>(run);
		const text = fs.readFileSync(plan.native_path, 'utf8');
		expectNoSecret(text, leak);
		expect(text).toContain('[REDACTED:aws-access-key]');
		expect(text).toContain(leak.personal.email);
		expect(plan.warnings[0]).toMatch(/^dlp: redacted 5 secret\(s\) in session .* \(into claude-code\)/);
		expectAllSecrets(storeText(box, leak), leak);
	});

	test('warn: written as is, with the warning in the plan', async () => {
		const {box, leak} = await leakyBox();
		await setPolicy(box, 'secrets', 'warn');
		const plan = parseJson<{native_path: string; warnings: string[]}>(await resume(box, leak));
		expectAllSecrets(fs.readFileSync(plan.native_path, 'utf8'), leak, ['toolPassword']);
		expect(plan.warnings.some(line => /went out with 5 secret\(s\)/.test(line))).toBe(true);
	});

	test('--allow-secrets: written as is, loudly', async () => {
		const {box, leak} = await leakyBox();
		const run = await resume(box, leak, ['--allow-secrets']);
		expect(run.exitCode, run.stderr).toBe(0);
		const plan = parseJson<{native_path: string; warnings: string[]}>(run);
		expectAllSecrets(fs.readFileSync(plan.native_path, 'utf8'), leak, ['toolPassword']);
		expect(plan.warnings[0]).toMatch(/^--allow-secrets: .* UNREDACTED/);
	});

	test('resuming in the session\'s own tool is not an egress: no gate', async () => {
		const {box, leak} = await leakyBox('claude-code');
		const run = await resume(box, leak);
		expect(run.exitCode, run.stderr).toBe(0);
		expect(parseJson<{warnings: string[]}>(run).warnings.filter(line => line.startsWith('dlp:'))).toEqual([]);
	});
});
