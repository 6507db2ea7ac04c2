/**
 * Offline handoff bundles: one JSON file carrying a session, its workspace state (git remote, branch,
 * commit, rules hash), a note and the sender, signed with the sender's ed25519 key.
 *
 *   {"format": "sfs-handoff-bundle", "version": 1,
 *    "signer": {"algorithm": "ed25519", "public_key": <raw key, base64>, "fingerprint": "SHA256:…"},
 *    "payload": <base64 of gzipped payload JSON>, "signature": <base64>}
 *
 * The signature covers `sfs-handoff-bundle/1\n` + the payload string exactly as stored, so nothing has to
 * be re-serialised to verify it; the payload names the signer's fingerprint too, binding the two.
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import {gunzipSync, gzipSync} from 'node:zlib';
import {SfsError} from '../engine/errors.js';
import type {Session} from '../engine/types.js';
import type {HandoffWorkspace} from '../server/storage.js';
import {fingerprintOf, signBytes, type SigningKey, verifyBytes} from './signing-key.js';

export const BUNDLE_FORMAT = 'sfs-handoff-bundle';
export const BUNDLE_VERSION = 1;
/** Bundles larger than this are refused before reading (a session of this size is not a handoff). */
export const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;
const MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;

export type BundlePayload = {
	bundle_id: string;
	created_at: string;
	sender: {email: string | null; fingerprint: string};
	message: string | null;
	workspace: HandoffWorkspace;
	session: Session;
};

export type BundleFile = {
	format: typeof BUNDLE_FORMAT;
	version: number;
	signer: {algorithm: 'ed25519'; public_key: string; fingerprint: string};
	payload: string;
	signature: string;
};

export type VerifiedBundle = {payload: BundlePayload; signer: {public_key: string; fingerprint: string}};

function signedBytes(payload: string): Buffer {
	return Buffer.from(`${BUNDLE_FORMAT}/${BUNDLE_VERSION}\n${payload}`, 'utf8');
}

export function newBundleId(): string {
	return `bnd_${randomBytes(8).toString('hex')}`;
}

/** The bundle's text (JSON, one line per field), signed with `key`. */
export function encodeBundle(payload: BundlePayload, key: SigningKey): string {
	if (payload.sender.fingerprint !== key.fingerprint) throw new Error('bundle sender fingerprint must be the signing key\'s');
	const encoded = gzipSync(Buffer.from(JSON.stringify(payload), 'utf8')).toString('base64');
	const file: BundleFile = {
		format: BUNDLE_FORMAT,
		version: BUNDLE_VERSION,
		signer: {algorithm: 'ed25519', public_key: key.public_key, fingerprint: key.fingerprint},
		payload: encoded,
		signature: signBytes(key, signedBytes(encoded)),
	};
	return `${JSON.stringify(file, null, 1)}\n`;
}

/** True when the file starts like a bundle (cheap sniff: the first 200 bytes). */
export function looksLikeBundle(file: string): boolean {
	let fd: number | undefined;
	try {
		if (!fs.statSync(file).isFile()) return false;
		fd = fs.openSync(file, 'r');
		const head = Buffer.alloc(200);
		const read = fs.readSync(fd, head, 0, head.length, 0);
		return /^\s*\{\s*"format"\s*:\s*"sfs-handoff-bundle"/.test(head.subarray(0, read).toString('utf8'));
	} catch {
		return false;
	} finally {
		if (fd !== undefined) fs.closeSync(fd);
	}
}

function tampered(file: string, why: string): SfsError {
	return new SfsError('INVALID_SESSION', `bundle ${file} does not verify: ${why}`, {hint: 'ask the sender for a fresh bundle; do not import this one'});
}

/** Reads and verifies a bundle; a changed, truncated or mis-signed file is refused with a one-line SfsError. */
export function readBundle(file: string): VerifiedBundle {
	let size: number;
	try {
		size = fs.statSync(file).size;
	} catch (error) {
		throw new SfsError('NOT_FOUND', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}

	if (size > MAX_BUNDLE_BYTES) throw new SfsError('INVALID_SESSION', `bundle ${file} is ${size} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`);
	let outer: Partial<BundleFile>;
	try {
		outer = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BundleFile>;
	} catch {
		throw tampered(file, 'it is not valid JSON (truncated or edited?)');
	}

	if (outer?.format !== BUNDLE_FORMAT) throw new SfsError('USAGE', `${file} is not an sfs handoff bundle`);
	if (outer.version !== BUNDLE_VERSION) throw new SfsError('UNSUPPORTED_VERSION', `bundle ${file} has version ${String(outer.version)}; this sfs reads version ${BUNDLE_VERSION}`, {hint: 'update sfs'});
	const {signer, payload, signature} = outer;
	if (signer?.algorithm !== 'ed25519' || typeof signer.public_key !== 'string' || typeof payload !== 'string' || typeof signature !== 'string') {
		throw tampered(file, 'its signer, payload or signature is missing');
	}

	if (!verifyBytes(signer.public_key, signedBytes(payload), signature)) throw tampered(file, 'the signature does not match the content (changed after it was signed)');
	const fingerprint = fingerprintOf(signer.public_key);
	let decoded: BundlePayload;
	try {
		decoded = JSON.parse(gunzipSync(Buffer.from(payload, 'base64'), {maxOutputLength: MAX_PAYLOAD_BYTES}).toString('utf8')) as BundlePayload;
	} catch {
		throw tampered(file, 'its signed payload cannot be read');
	}

	if (decoded?.sender?.fingerprint !== fingerprint) throw tampered(file, 'the payload names another signer than the key that signed it');
	if (!decoded.session?.manifest || !Array.isArray(decoded.session.messages)) throw tampered(file, 'the payload holds no session');
	return {payload: decoded, signer: {public_key: signer.public_key, fingerprint}};
}
