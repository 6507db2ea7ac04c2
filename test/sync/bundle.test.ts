/**
 * Offline handoff bundles: the signing key (made once, 0600), a bundle made on one machine and taken on
 * another (session, message, sender, workspace differences), trust on first use, the DLP gate, and every
 * way a bundle can be spoiled (edited payload, swapped key, forged signature, truncation) refused.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {setPolicy} from '../../source/engine/dlp/policy.js';
import {encodeBundle, looksLikeBundle, readBundle} from '../../source/sync/bundle.js';
import {importBundle, makeBundle, writeBundleFile} from '../../source/sync/bundle-transfer.js';
import {knownSignersPath, loadKnownSigners} from '../../source/sync/known-signers.js';
import {fingerprintOf, loadOrCreateSigningKey, signingKeyLine, signingKeyPath, signingKeyStatus} from '../../source/sync/signing-key.js';
import * as gen from '../dlp/corpus.js';
import {type Machine, machine, message, session, tempDir} from './helpers.js';

const machines: Machine[] = [];
const dirs: string[] = [];
afterEach(() => {
	for (const each of machines.splice(0)) each.close();
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function box(name: string): Machine {
	const made = machine(name);
	machines.push(made);
	return made;
}

function scratch(): string {
	const dir = tempDir('bundle-files');
	dirs.push(dir);
	return dir;
}

const quiet = () => {};

function withSession(m: Machine, id = 'ses_00000000000000b1', extra: Parameters<typeof session>[2] = {}) {
	m.engine.store.createSession(session(id, [message('b-1', 'make the build green'), message('b-2', 'half way: lint passes')], {metadata: {cwd: m.root}, ...extra}));
	return id;
}

async function bundleFile(m: Machine, id: string, options: Partial<Parameters<typeof makeBundle>[2]> = {}): Promise<string> {
	const made = await makeBundle(m.engine, id, {notify: quiet, ...options});
	return writeBundleFile(path.join(scratch(), 'handoff.sfs-bundle'), made.text);
}

describe('signing key', () => {
	test('made at first use with mode 0600, the same key afterwards; status shows only the public half', () => {
		const m = box('key');
		expect(signingKeyStatus(m.env)).toBeUndefined();
		expect(signingKeyLine(undefined)).toContain('none yet');
		const first = loadOrCreateSigningKey(m.env);
		expect(fs.statSync(signingKeyPath(m.env)).mode & 0o777).toBe(0o600);
		expect(first.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
		expect(Buffer.from(first.public_key, 'base64')).toHaveLength(32);
		expect(fingerprintOf(first.public_key)).toBe(first.fingerprint);
		const again = loadOrCreateSigningKey(m.env);
		expect(again.fingerprint).toBe(first.fingerprint);
		expect(signingKeyStatus(m.env)).toEqual({fingerprint: first.fingerprint, public_key: first.public_key});
		expect(signingKeyLine(signingKeyStatus(m.env))).toBe(`bundle signing key: ${first.fingerprint} (ed25519 ${first.public_key})`);
		// No temp files are left behind next to the key.
		expect(fs.readdirSync(path.dirname(signingKeyPath(m.env))).filter(name => name.includes('signing-key'))).toEqual(['signing-key.pem']);
	});

	test('processes that make the key at the same moment all end up with the one key', async () => {
		const m = box('race');
		const {execa} = await import('execa');
		const script = `import {loadOrCreateSigningKey} from ${JSON.stringify(path.resolve('source/sync/signing-key.ts'))}; console.log(loadOrCreateSigningKey(process.env).fingerprint);`;
		const runs = await Promise.all(Array.from({length: 4}, async () => execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env: {...m.env, PATH: process.env.PATH}, extendEnv: false})));
		const printed = new Set(runs.map(run => run.stdout.trim()));
		expect(printed.size).toBe(1);
		expect([...printed][0]).toBe(signingKeyStatus(m.env)!.fingerprint);
		expect(fs.readdirSync(path.dirname(signingKeyPath(m.env))).filter(name => name.includes('signing-key'))).toEqual(['signing-key.pem']);
	}, 60_000);

	test('a key file that is not a key is a one-line error, not a crash', () => {
		const m = box('badkey');
		fs.mkdirSync(path.dirname(signingKeyPath(m.env)), {recursive: true});
		fs.writeFileSync(signingKeyPath(m.env), 'not a key');
		expect(() => loadOrCreateSigningKey(m.env)).toThrow(/is not a private key/);
	});
});

describe('make and take a bundle', () => {
	test('the session, message and sender arrive; the signer is first seen, then known', async () => {
		const a = box('a');
		const b = box('b');
		const id = withSession(a);
		const made = await makeBundle(a.engine, id, {message: 'lint passes, tests next', senderEmail: 'ana@example.com', notify: quiet});
		const file = writeBundleFile(path.join(scratch(), 'h.sfs-bundle'), made.text);
		expect(looksLikeBundle(file)).toBe(true);
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		const key = signingKeyStatus(a.env)!;
		expect(made.fingerprint).toBe(key.fingerprint);

		const taken = await importBundle(b.engine, file, b.root);
		expect(taken).toMatchObject({session_id: id, created: true, added: 2, message_count: 2, message: 'lint passes, tests next'});
		expect(taken.signer).toMatchObject({fingerprint: key.fingerprint, email: 'ana@example.com', trust: 'first-seen'});
		expect(b.engine.store.readSession(id).messages.map(m => m.msg_id)).toEqual(['b-1', 'b-2']);
		expect(b.engine.index.getSession(id)?.session_id).toBe(id);
		expect(b.engine.index.search('lint passes').map(hit => hit.session_id)).toContain(id);
		expect(loadKnownSigners(b.env)[key.fingerprint]).toMatchObject({public_key: key.public_key, emails: ['ana@example.com']});

		// The same bundle again: nothing new, the signer is known now.
		const again = await importBundle(b.engine, file, b.root);
		expect(again).toMatchObject({created: false, added: 0, message_count: 2});
		expect(again.signer.trust).toBe('known');
		expect(again.signer.first_seen).toBe(loadKnownSigners(b.env)[key.fingerprint]!.first_seen);

		// On the sending machine its own key is recognised.
		expect((await importBundle(a.engine, file, a.root)).signer.trust).toBe('own');
	});

	test('a newer bundle of a session adds only the messages missing here; local ones are kept', async () => {
		const a = box('a');
		const b = box('b');
		const id = withSession(a);
		await importBundle(b.engine, await bundleFile(a, id), b.root);
		b.engine.store.appendMessages(id, [message('b-local', 'only on b')], b.engine.store.readManifest(id));
		a.engine.store.appendMessages(id, [message('b-3', 'tests green now')], a.engine.store.readManifest(id));
		const taken = await importBundle(b.engine, await bundleFile(a, id), b.root);
		expect(taken).toMatchObject({created: false, added: 1, message_count: 4});
		expect(b.engine.store.readSession(id).messages.map(m => m.msg_id)).toEqual(['b-1', 'b-2', 'b-local', 'b-3']);
	});

	test('says what differs on the receiving machine (git commit moved on)', async () => {
		const a = box('a');
		const b = box('b');
		const repo = path.join(a.root, 'repo');
		fs.mkdirSync(repo);
		const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {encoding: 'utf8'}).trim();
		git('init', '-q', '-b', 'main');
		fs.writeFileSync(path.join(repo, 'a.txt'), '1\n');
		git('add', 'a.txt');
		git('commit', '-q', '-m', 'one');
		const sent = git('rev-parse', 'HEAD');
		const id = withSession(a, 'ses_00000000000000b2', {metadata: {cwd: repo}});
		const file = await bundleFile(a, id);
		fs.writeFileSync(path.join(repo, 'b.txt'), '2\n');
		git('add', 'b.txt');
		git('commit', '-q', '-m', 'two');
		const taken = await importBundle(b.engine, file, b.root);
		expect(taken.workspace).toMatchObject({cwd: repo, git_branch: 'main', git_commit: sent});
		expect(taken.folder).toBe(repo);
		expect(taken.differences).toEqual([`git commit: sender ${sent}, here ${git('rev-parse', 'HEAD')}`]);
	});

	test('an email seen before with another key is pointed out', async () => {
		const a = box('a');
		const mallory = box('m');
		const b = box('b');
		await importBundle(b.engine, await bundleFile(a, withSession(a), {senderEmail: 'ana@example.com'}), b.root);
		const forged = await importBundle(b.engine, await bundleFile(mallory, withSession(mallory, 'ses_00000000000000b3'), {senderEmail: 'ana@example.com'}), b.root);
		expect(forged.signer.trust).toBe('first-seen');
		expect(forged.warnings).toEqual([`ana@example.com signed earlier bundles with another key ${signingKeyStatus(a.env)!.fingerprint}: check with them that this key is theirs`]);
	});

	test('a spoiled known-signers file is set aside with a warning, not silently overwritten', async () => {
		const a = box('a');
		const b = box('b');
		fs.mkdirSync(path.dirname(knownSignersPath(b.env)), {recursive: true});
		fs.writeFileSync(knownSignersPath(b.env), '{"SHA256:x": {"public_key": ');
		const taken = await importBundle(b.engine, await bundleFile(a, withSession(a)), b.root);
		expect(taken.signer.trust).toBe('first-seen');
		expect(taken.warnings).toEqual([`${knownSignersPath(b.env)} is not valid JSON: no key counts as known; it is kept as known-signers.json.bad and a new list started`]);
		expect(fs.readFileSync(`${knownSignersPath(b.env)}.bad`, 'utf8')).toBe('{"SHA256:x": {"public_key": ');
		expect(Object.keys(loadKnownSigners(b.env))).toEqual([taken.signer.fingerprint]);
	});

	test('an existing file is not replaced unless forced', async () => {
		const a = box('a');
		const made = await makeBundle(a.engine, withSession(a), {notify: quiet});
		const file = path.join(scratch(), 'x.sfs-bundle');
		fs.writeFileSync(file, 'keep me');
		expect(() => writeBundleFile(file, made.text)).toThrow(/exists already/);
		expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
		writeBundleFile(file, made.text, {force: true});
		expect(readBundle(file).payload.session.manifest.session_id).toBe('ses_00000000000000b1');
	});
});

describe('the DLP gate applies to bundles', () => {
	test('a secret blocks the bundle by default; under redact the bundle holds placeholders', async () => {
		const a = box('a');
		const b = box('b');
		const token = `ghp_${gen.random(gen.ALNUM, 36)}`;
		a.engine.store.createSession(session('ses_00000000000000d1', [message('d-1', `use ${token} for the API`)], {metadata: {cwd: a.root}}));
		await expect(makeBundle(a.engine, 'ses_00000000000000d1', {notify: quiet})).rejects.toThrow(/^bundle blocked: session ses_00000000000000d1 contains 1 secret/);
		setPolicy('secrets', 'redact', null, a.env);
		const notices: string[] = [];
		const made = await makeBundle(a.engine, 'ses_00000000000000d1', {notify: line => notices.push(line), message: `token is ${token}`});
		expect(made.dlp).toBe('redact');
		expect(notices.join('\n')).toMatch(/redacted 1 secret/);
		expect(made.text).not.toContain(token);
		const file = writeBundleFile(path.join(scratch(), 'd.sfs-bundle'), made.text);
		const taken = await importBundle(b.engine, file, b.root);
		expect(taken.message).toContain('[REDACTED:');
		expect(JSON.stringify(b.engine.store.readSession('ses_00000000000000d1').messages)).toContain('[REDACTED:');
		expect(JSON.stringify(b.engine.store.readSession('ses_00000000000000d1').messages)).not.toContain(token);
		// The sender's own copy keeps its text.
		expect(JSON.stringify(a.engine.store.readSession('ses_00000000000000d1').messages)).toContain(token);
	});
});

describe('a spoiled bundle is refused', () => {
	async function original() {
		const a = box('a');
		const b = box('b');
		const file = await bundleFile(a, withSession(a), {senderEmail: 'ana@example.com'});
		return {a, b, file, json: JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>};
	}

	async function refused(b: Machine, file: string, pattern: RegExp) {
		await expect(importBundle(b.engine, file, b.root)).rejects.toThrow(pattern);
		expect(b.engine.store.exists('ses_00000000000000b1')).toBe(false);
		expect(fs.existsSync(knownSignersPath(b.env))).toBe(false);
	}

	test('one changed character of the payload', async () => {
		const {b, file, json} = await original();
		const flip = json.payload[100] === 'A' ? 'B' : 'A';
		json.payload = `${json.payload.slice(0, 100)}${flip}${json.payload.slice(101)}`;
		fs.writeFileSync(file, JSON.stringify(json));
		await refused(b, file, /does not verify: the signature does not match the content/);
	});

	test('a payload re-signed by another key that keeps the sender fingerprint', async () => {
		const {b, file} = await original();
		const mallory = box('mallory');
		const attacker = loadOrCreateSigningKey(mallory.env);
		const {payload} = readBundle(file);
		payload.message = 'trust me';
		// encodeBundle refuses a payload naming another signer; forge the file by hand.
		const honest = JSON.parse(encodeBundle({...payload, sender: {...payload.sender, fingerprint: attacker.fingerprint}}, attacker)) as Record<string, any>;
		const forgedPayload = JSON.parse(JSON.stringify(honest));
		const {gzipSync} = await import('node:zlib');
		const {signBytes} = await import('../../source/sync/signing-key.js');
		forgedPayload.payload = gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');
		forgedPayload.signature = signBytes(attacker, Buffer.from(`sfs-handoff-bundle/1\n${forgedPayload.payload}`));
		fs.writeFileSync(file, JSON.stringify(forgedPayload));
		await refused(b, file, /names another signer than the key that signed it/);
	});

	test('the signer key swapped for another', async () => {
		const {b, file, json} = await original();
		json.signer.public_key = loadOrCreateSigningKey(box('other').env).public_key;
		fs.writeFileSync(file, JSON.stringify(json));
		await refused(b, file, /the signature does not match/);
	});

	test('a truncated file, a missing signature, another format', async () => {
		const {b, file, json} = await original();
		const text = fs.readFileSync(file, 'utf8');
		fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
		await refused(b, file, /not valid JSON \(truncated or edited\?\)/);
		delete json.signature;
		fs.writeFileSync(file, JSON.stringify(json));
		await refused(b, file, /signer, payload or signature is missing/);
		fs.writeFileSync(file, JSON.stringify({...json, version: 9}));
		await refused(b, file, /version 9/);
	});
});
