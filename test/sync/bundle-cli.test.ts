/**
 * The built `sfs` with offline handoff bundles, two sandboxes as two machines and no server:
 * `sfs handoff <ref> --bundle FILE`, `sfs auth status` showing the key, `sfs import FILE` verifying it
 * and saying who signed, a tampered copy refused with one line, and the usage errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {credentialsPath, saveCredentials} from '../../source/sync/credentials.js';
import {expectOneLineError, parseJson, type Sandbox, sandbox, sfs, specExamples} from '../cli/run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const boxes: Sandbox[] = [];
afterEach(() => {
	for (const box of boxes.splice(0)) box.cleanup();
});

function box(): Sandbox {
	const made = sandbox();
	boxes.push(made);
	return made;
}

describe('sfs handoff --bundle and sfs import of a bundle', {timeout: 120_000}, () => {
	test('write, show the key, import on another machine with the signer first seen then known', async () => {
		const a = box();
		const b = box();
		expect((await sfs(a, ['import', specExamples])).exitCode).toBe(0);

		const before = await sfs(a, ['auth', 'status']);
		expect(before.exitCode).toBe(1);
		expect(before.stdout).toContain('not logged in');
		expect(before.stdout).toContain('bundle signing key: none yet');

		const file = path.join(a.root, 'handoff.sfs-bundle');
		const made = parseJson<{bundle: string; session_id: string; fingerprint: string; sender: string; dlp: string}>(
			await sfs(a, ['handoff', 'b2c3', '--bundle', file, '--message', 'validation half done', '--from', 'ana@example.com', '--json']),
		);
		expect(made).toMatchObject({bundle: file, session_id: COMPLETE, sender: 'ana@example.com'});
		expect(made.fingerprint).toMatch(/^SHA256:/);
		expect(fs.statSync(path.join(a.sfsHome, 'signing-key.pem')).mode & 0o777).toBe(0o600);

		const status = await sfs(a, ['auth', 'status']);
		expect(status.stdout).toMatch(new RegExp(`bundle signing key: ${made.fingerprint.replaceAll('+', '\\+')} \\(ed25519 [A-Za-z0-9+/=]{44}\\)`));
		const statusJson = parseJson<{logged_in: boolean; signing_key: {fingerprint: string; public_key: string}}>(await sfs(a, ['auth', 'status', '--json']));
		expect(statusJson.logged_in).toBe(false);
		expect(statusJson.signing_key.fingerprint).toBe(made.fingerprint);

		// Logged in to a server that is away: one error line, and the local key is still shown.
		saveCredentials({url: 'http://127.0.0.1:9', email: 'ana@example.com', token: 'sfs_tok_x.secret', token_id: 'tok_x'}, a.env);
		const away = await sfs(a, ['auth', 'status']);
		expect(away.exitCode).toBe(1);
		expectOneLineError(away, /127\.0\.0\.1:9/);
		expect(away.stdout).toContain(`bundle signing key: ${made.fingerprint}`);
		// --json still prints JSON on stdout (it printed nothing): the login could not be checked.
		const awayJson = await sfs(a, ['auth', 'status', '--json']);
		expect(awayJson.exitCode).toBe(1);
		expect(parseJson(awayJson)).toMatchObject({logged_in: null, url: 'http://127.0.0.1:9', email: 'ana@example.com', error: expect.stringMatching(/127\.0\.0\.1:9/), signing_key: expect.objectContaining({fingerprint: made.fingerprint})});
		fs.rmSync(credentialsPath(a.env));

		// Writing over the file needs --force.
		const again = await sfs(a, ['handoff', 'b2c3', '--bundle', file]);
		expect(again.exitCode).toBe(1);
		expectOneLineError(again, /exists already/);

		const copy = path.join(b.root, 'received.sfs-bundle');
		fs.copyFileSync(file, copy);
		const taken = await sfs(b, ['import', copy]);
		expect(taken.exitCode, taken.stderr).toBe(0);
		expect(taken.stdout).toContain(`${COMPLETE} from ana@example.com (8 message(s), 8 new)`);
		expect(taken.stdout).toContain(`signed by ${made.fingerprint} (first seen); the sender says they are ana@example.com`);
		expect(taken.stdout).toContain('message: validation half done');
		expect(taken.stdout).toMatch(/^(workspace: same as the sender's|differs: )/m);
		expect(taken.stderr).toContain(`continue with: sfs resume ${COMPLETE}`);
		const shownA = parseJson<{messages: unknown[]}>(await sfs(a, ['show', COMPLETE, '--json']));
		const shownB = parseJson<{messages: unknown[]}>(await sfs(b, ['show', COMPLETE, '--json']));
		expect(shownB.messages).toEqual(shownA.messages);

		const second = parseJson<{imported: string[]; skipped: Array<{session_id: string; reason: string}>; signer: {trust: string; fingerprint: string; email: string}; added: number; message: string; differences: string[]}>(
			await sfs(b, ['import', copy, '--json']),
		);
		// Taken before with nothing new: reported under skipped, as a directory or archive import reports it.
		expect(second).toMatchObject({imported: [], skipped: [{session_id: COMPLETE, reason: 'already in the store'}], added: 0, message: 'validation half done', signer: {trust: 'known', fingerprint: made.fingerprint, email: 'ana@example.com'}});
		expect(Array.isArray(second.differences)).toBe(true);
		expect((await sfs(b, ['import', copy])).stdout).toContain(`signed by ${made.fingerprint} (known)`);
	});

	test('a tampered bundle is refused with one line and exit 1; nothing is imported', async () => {
		const a = box();
		const b = box();
		expect((await sfs(a, ['import', specExamples])).exitCode).toBe(0);
		const file = path.join(a.root, 'h.sfs-bundle');
		expect((await sfs(a, ['handoff', 'b2c3', '--bundle', file])).exitCode).toBe(0);
		const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {payload: string};
		const at = Math.floor(json.payload.length / 2);
		json.payload = `${json.payload.slice(0, at)}${json.payload[at] === 'x' ? 'y' : 'x'}${json.payload.slice(at + 1)}`;
		const bad = path.join(b.root, 'bad.sfs-bundle');
		fs.writeFileSync(bad, JSON.stringify(json));
		const refused = await sfs(b, ['import', bad]);
		expect(refused.exitCode).toBe(1);
		expectOneLineError(refused, /^sfs: bundle .* does not verify: the signature does not match the content/);
		expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
		expect(parseJson<unknown[]>(await sfs(b, ['list', '--json']))).toEqual([]);
	});

	test('usage: --to and --bundle together, --from without --bundle, neither', async () => {
		const a = box();
		const both = await sfs(a, ['handoff', 'x', '--to', 'ben@example.com', '--bundle', 'f']);
		expect(both.exitCode).toBe(2);
		expectOneLineError(both, /give --to EMAIL or --bundle FILE, not both/);
		expect((await sfs(a, ['handoff', 'x', '--to', 'ben@example.com', '--from', 'a@example.com'])).exitCode).toBe(2);
		const neither = await sfs(a, ['handoff', 'x']);
		expect(neither.exitCode).toBe(2);
		expectOneLineError(neither, /--to EMAIL .* or --bundle FILE .* is required/);
	});
});
