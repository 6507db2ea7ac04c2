/**
 * Rules and project context through a real server (each backend), between two machines of one
 * account and through an org: a pull never overwrites a local change silently, a push never replaces
 * a server version it has not seen, the project is keyed by its git remote else its directory name,
 * and nobody reads another account's or a foreign org's documents.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {setPolicy} from '../../source/engine/dlp/policy.js';
import {projectKey, readContext, writeContext} from '../../source/engine/project-context.js';
import {loadRules} from '../../source/engine/rules/canonical.js';
import {login, signup} from '../../source/sync/client.js';
import {pullDocument, pushDocument, serverProject} from '../../source/sync/doc-sync.js';
import {createOrg, inviteToOrg, joinOrg} from '../../source/sync/team-client.js';
import {BACKENDS, type BackendName, machine, raw, server, tempDir} from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function repo(parent: string, name: string, remote?: string): string {
	const dir = path.join(parent, name);
	fs.mkdirSync(dir, {recursive: true});
	if (remote !== undefined) {
		execFileSync('git', ['init', '-q', dir]);
		execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', remote]);
	}

	return dir;
}

function writeRules(dir: string, files: Record<string, string>, tools = ['codex', 'claude-code']): void {
	const rules = path.join(dir, '.sfs', 'rules');
	fs.mkdirSync(rules, {recursive: true});
	fs.writeFileSync(path.join(rules, 'config.json'), JSON.stringify({version: 1, tools}));
	for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(rules, name), text);
}

const ruleFile = (dir: string, name: string) => fs.readFileSync(path.join(dir, '.sfs', 'rules', name), 'utf8');

async function setup(backend: BackendName) {
	const srv = await server({backend, mail: false});
	cleanups.push(() => srv.close());
	const a = machine('a');
	const b = machine('b');
	const c = machine('c');
	cleanups.push(() => a.close(), () => b.close(), () => c.close());
	const alice = await signup(srv.url, 'alice@example.com', 'alice-password', a.env);
	const aliceOnB = await login(srv.url, 'alice@example.com', 'alice-password', b.env);
	const bob = await signup(srv.url, 'bob@example.com', 'bob-password', c.env);
	return {srv, a, b, c, alice, aliceOnB, bob};
}

describe.each(BACKENDS)('rules and project sync on $name', {timeout: 60_000}, ({name: backend, skip}) => {
	if (skip) {
		test.skip(`${backend}: ${skip}`, () => {});
		return;
	}

	test('rules: push, pull on another machine, conflicts refused both ways, --force resolves', async () => {
		const {a, b, alice, aliceOnB} = await setup(backend);
		const here = repo(a.root, 'widget', 'git@github.com:Acme/widget.git');
		const there = repo(b.root, 'elsewhere', 'https://github.com/Acme/widget');
		expect(serverProject(here)).toMatchObject({key: 'remote:github.com/Acme/widget', keyed_by: 'git remote'});
		expect(serverProject(there).key).toBe('remote:github.com/Acme/widget');
		writeRules(here, {'01-project.md': '# Widget\n\nUse tabs.\n', '02-tests.md': 'Run vitest.\n'});
		const pushed = await pushDocument(alice, 'rules', here, {env: a.env});
		expect(pushed).toMatchObject({kind: 'rules', project: 'remote:github.com/Acme/widget', keyed_by: 'git remote', org: null, changed: true});

		const pulled = await pullDocument(aliceOnB, 'rules', there, {env: b.env});
		expect(pulled).toMatchObject({changed: true, etag: pushed.etag});
		expect(pulled.written.sort()).toEqual([path.join('.sfs', 'rules', '01-project.md'), path.join('.sfs', 'rules', '02-tests.md'), path.join('.sfs', 'rules', 'config.json')]);
		expect(loadRules(there)!.hash).toBe(loadRules(here)!.hash);
		expect(loadRules(there)!.config.tools).toEqual(['claude-code', 'codex']);
		expect(await pullDocument(aliceOnB, 'rules', there, {env: b.env})).toMatchObject({changed: false, written: []});

		// Machine B changes the rules and pushes over the version it pulled.
		fs.writeFileSync(path.join(there, '.sfs', 'rules', '01-project.md'), '# Widget\n\nUse spaces.\n');
		fs.rmSync(path.join(there, '.sfs', 'rules', '02-tests.md'));
		const fromB = await pushDocument(aliceOnB, 'rules', there, {env: b.env});
		expect(fromB.changed).toBe(true);

		// Machine A changed its copy too: the pull refuses and leaves every local file as it was.
		fs.writeFileSync(path.join(here, '.sfs', 'rules', '01-project.md'), '# Widget\n\nUse tabs, always.\n');
		fs.writeFileSync(path.join(here, '.sfs', 'rules', 'notes.txt'), 'not a rule');
		await expect(pullDocument(alice, 'rules', here, {env: a.env})).rejects.toThrow(/local rules changed since the last sync and differ from the server's: not overwritten/);
		expect(ruleFile(here, '01-project.md')).toBe('# Widget\n\nUse tabs, always.\n');
		expect(ruleFile(here, '02-tests.md')).toBe('Run vitest.\n');
		// And a push from A would replace B's version it never saw: refused too.
		await expect(pushDocument(alice, 'rules', here, {env: a.env})).rejects.toThrow(/changed since this machine last synced them/);
		expect((await pullDocument(aliceOnB, 'rules', there, {env: b.env})).changed).toBe(false);

		// --force takes the server's set whole: B's text, its deleted file gone, other files kept.
		const forced = await pullDocument(alice, 'rules', here, {env: a.env, force: true});
		expect(forced).toMatchObject({changed: true, etag: fromB.etag});
		expect(ruleFile(here, '01-project.md')).toBe('# Widget\n\nUse spaces.\n');
		expect(fs.existsSync(path.join(here, '.sfs', 'rules', '02-tests.md'))).toBe(false);
		expect(ruleFile(here, 'notes.txt')).toBe('not a rule');
		expect(fs.readdirSync(path.join(here, '.sfs')).sort()).toEqual(['rules']);
		// Now in step with the server again: a local edit pushes cleanly; a forced push overwrites regardless.
		fs.writeFileSync(path.join(here, '.sfs', 'rules', '01-project.md'), '# Widget\n\nUse spaces (4).\n');
		expect((await pushDocument(alice, 'rules', here, {env: a.env})).changed).toBe(true);
		fs.writeFileSync(path.join(there, '.sfs', 'rules', '01-project.md'), '# Widget\n\nB again.\n');
		await expect(pushDocument(aliceOnB, 'rules', there, {env: b.env})).rejects.toMatchObject({code: 'CONFLICT', hint: 'sfs rules pull first (or push --force to replace them)'});
		expect((await pushDocument(aliceOnB, 'rules', there, {env: b.env, force: true})).changed).toBe(true);
		expect((await pullDocument(alice, 'rules', here, {env: a.env})).changed).toBe(true);
		expect(ruleFile(here, '01-project.md')).toBe('# Widget\n\nB again.\n');
	});

	test('project context: keyed by directory name without a remote; per user and per org; others see nothing', async () => {
		const {srv, a, b, c, alice, aliceOnB, bob} = await setup(backend);
		const here = repo(tempDir('x'), 'gadget');
		const there = repo(tempDir('y'), 'gadget');
		cleanups.push(() => fs.rmSync(path.dirname(here), {recursive: true, force: true}), () => fs.rmSync(path.dirname(there), {recursive: true, force: true}));
		expect(serverProject(here)).toMatchObject({key: 'dir:gadget', keyed_by: 'directory name'});
		await expect(pushDocument(alice, 'project', here, {env: a.env})).rejects.toThrow(/no context for this project/);
		writeContext(projectKey(here), '# Gadget\n\nShip by Friday.\n', a.env);
		await pushDocument(alice, 'project', here, {env: a.env});
		expect((await pullDocument(aliceOnB, 'project', there, {env: b.env})).changed).toBe(true);
		expect(readContext(projectKey(there), b.env).text).toBe('# Gadget\n\nShip by Friday.\n');

		// Both machines edit: B pushes first; A's pull refuses, A's text stays.
		writeContext(projectKey(there), '# Gadget\n\nShip by Monday.\n', b.env);
		await pushDocument(aliceOnB, 'project', there, {env: b.env});
		writeContext(projectKey(here), '# Gadget\n\nShip by Tuesday.\n', a.env);
		await expect(pullDocument(alice, 'project', here, {env: a.env})).rejects.toThrow(/local project context changed since the last sync/);
		expect(readContext(projectKey(here), a.env).text).toBe('# Gadget\n\nShip by Tuesday.\n');

		// bob's own scope is empty: alice's document is not his to read.
		const bobsRepo = repo(c.root, 'gadget');
		await expect(pullDocument(bob, 'project', bobsRepo, {env: c.env})).rejects.toThrow(/the server has no project context for dir:gadget/);
		const mine = await raw(srv.url, 'GET', '/api/v1/docs', {token: alice.token});
		expect(mine.json).toEqual([expect.objectContaining({kind: 'project', project: 'dir:gadget', updated_by: 'alice@example.com'})]);
		expect((await raw(srv.url, 'GET', '/api/v1/docs', {token: bob.token})).json).toEqual([]);
		// bob writing "the same" project writes his own copy, never alice's.
		writeContext(projectKey(bobsRepo), 'bob was here\n', c.env);
		await pushDocument(bob, 'project', bobsRepo, {env: c.env});
		expect((await pullDocument(aliceOnB, 'project', there, {env: b.env})).changed).toBe(false);
		expect(readContext(projectKey(there), b.env).text).toBe('# Gadget\n\nShip by Monday.\n');

		// Through an org: alice pushes the org's copy, bob (a member) pulls it; a non-member cannot.
		await createOrg(alice, 'acme');
		await expect(pushDocument(bob, 'project', bobsRepo, {env: c.env, org: 'acme'})).rejects.toThrow(/no org acme of yours/);
		await pushDocument(alice, 'project', here, {env: a.env, org: 'acme'});
		await joinOrg(bob, (await inviteToOrg(alice, 'acme', 'bob@example.com')).code!);
		// bob's local copy differs and was never synced with the org: refused, then taken with --force.
		await expect(pullDocument(bob, 'project', bobsRepo, {env: c.env, org: 'acme'})).rejects.toThrow(/not overwritten/);
		expect(await pullDocument(bob, 'project', bobsRepo, {env: c.env, org: 'acme', force: true})).toMatchObject({org: 'acme', changed: true});
		expect(readContext(projectKey(bobsRepo), c.env).text).toBe('# Gadget\n\nShip by Tuesday.\n');
		const orgDocs = await raw(srv.url, 'GET', '/api/v1/docs?org=acme', {token: bob.token});
		expect(orgDocs.json).toEqual([expect.objectContaining({kind: 'project', project: 'dir:gadget', org: 'acme', updated_by: 'alice@example.com'})]);
	});

	test('a secret in the project context or a rules file is stopped by the DLP gate (block) or sent redacted (redact); the local copy is kept', async () => {
		const {srv, a, alice} = await setup(backend);
		const here = repo(tempDir('s'), 'vault');
		cleanups.push(() => fs.rmSync(path.dirname(here), {recursive: true, force: true}));
		const secret = 'AKIAZ7Q4M2XW6RT3KD5P';
		const context = `# Vault\n\nDeploy with key ${secret}.\n`;
		writeContext(projectKey(here), context, a.env);
		writeRules(here, {'deploy.md': `# Deploy\n\nUse ${secret} for staging.\n`});

		// Default policy: secrets block. Nothing reaches the server.
		await expect(pushDocument(alice, 'project', here, {env: a.env, notify() {}})).rejects.toThrow(/^push blocked: the project context of dir:vault contains 1 secret/);
		await expect(pushDocument(alice, 'rules', here, {env: a.env, notify() {}})).rejects.toThrow(/^push blocked: the rules file deploy\.md of dir:vault contains 1 secret/);
		await expect(pullDocument(alice, 'project', here, {env: a.env})).rejects.toThrow(/the server has no project context/);
		await expect(pullDocument(alice, 'rules', here, {env: a.env})).rejects.toThrow(/the server has no rules/);

		// redact: a copy with placeholders goes out, and says so; the local documents are unchanged.
		setPolicy('secrets', 'redact', here, a.env);
		const notices: string[] = [];
		await pushDocument(alice, 'project', here, {env: a.env, notify: line => notices.push(line)});
		await pushDocument(alice, 'rules', here, {env: a.env, notify: line => notices.push(line)});
		expect(notices).toEqual([expect.stringMatching(/^dlp: redacted 1 secret\(s\) in the project context of dir:vault/), expect.stringMatching(/^dlp: redacted 1 secret\(s\) in the rules file deploy\.md/)]);
		const sent = await raw(srv.url, 'GET', `/api/v1/docs/project?project=${encodeURIComponent('dir:vault')}`, {token: alice.token});
		expect(sent.json.content).toBe('# Vault\n\nDeploy with key [REDACTED:aws-access-key].\n');
		const rules = await raw(srv.url, 'GET', `/api/v1/docs/rules?project=${encodeURIComponent('dir:vault')}`, {token: alice.token});
		expect(JSON.parse(rules.json.content).files).toEqual([{name: 'deploy.md', text: '# Deploy\n\nUse [REDACTED:aws-access-key] for staging.\n'}]);
		expect(readContext(projectKey(here), a.env).text).toBe(context);
		expect(ruleFile(here, 'deploy.md')).toContain(secret);
	});

	test('document endpoints: bad input is a clear 400, a stale If-Match is 412, the server stays up', async () => {
		const {srv, alice, bob} = await setup(backend);
		const put = (body: object, headers: Record<string, string> = {}, token = alice.token) => raw(srv.url, 'PUT', '/api/v1/docs/rules', {token, body, headers});
		const good = JSON.stringify({tools: ['codex'], files: [{name: '01-a.md', text: 'x'}]});
		expect((await put({project: 'nope', content: good})).status).toBe(400);
		expect((await put({project: 'dir:x', content: '{not json'})).status).toBe(400);
		expect((await put({project: 'dir:x', content: JSON.stringify({tools: ['vim'], files: []})})).json.error.message).toMatch(/unknown tool "vim"/);
		expect((await put({project: 'dir:x', content: JSON.stringify({tools: [], files: [{name: '../escape.md', text: 'x'}]})})).status).toBe(400);
		expect((await put({project: 'dir:x', content: JSON.stringify({tools: [], files: [{name: 'a.md', text: 'x'}, {name: 'a.md', text: 'y'}]})})).status).toBe(400);
		expect((await put({project: 'dir:x', content: 'x'.repeat(1024 * 1024 + 1)})).status).toBe(400);
		expect((await raw(srv.url, 'GET', '/api/v1/docs/secrets?project=dir:x', {token: alice.token})).status).toBe(404);

		const created = await put({project: 'dir:x', content: good}, {'if-none-match': '*'});
		expect(created.status).toBe(201);
		expect((await put({project: 'dir:x', content: good.replace('"x"', '"y"')}, {'if-none-match': '*'})).status).toBe(412);
		expect((await put({project: 'dir:x', content: good.replace('"x"', '"y"')}, {'if-match': '"0000"'})).status).toBe(412);
		const updated = await put({project: 'dir:x', content: good.replace('"x"', '"y"')}, {'if-match': `"${created.json.etag}"`});
		expect(updated.status).toBe(200);
		// bob's If-Match of alice's etag addresses his own (empty) scope: nothing of alice's changes.
		expect((await put({project: 'dir:x', content: good}, {'if-match': `"${updated.json.etag}"`}, bob.token)).status).toBe(412);
		const read = await raw(srv.url, 'GET', '/api/v1/docs/rules?project=dir:x', {token: alice.token});
		expect(read.json).toMatchObject({etag: updated.json.etag, content: good.replace('"x"', '"y"')});
		expect((await raw(srv.url, 'GET', '/api/v1/docs/rules?project=dir:x', {token: bob.token})).status).toBe(404);
		expect((await raw(srv.url, 'GET', '/api/v1/docs/rules?project=dir:x')).status).toBe(401);
		expect((await raw(srv.url, 'GET', '/api/v1/health')).status).toBe(200);
	});
});
