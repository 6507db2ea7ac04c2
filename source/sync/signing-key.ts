/**
 * This machine's ed25519 signing key for offline handoff bundles: `signing-key.pem` (PKCS#8) in the sfs
 * config dir, mode 0600, made at first use. Creation is atomic and race-free: the key is written to a
 * private temp file and hard-linked into place, so two processes starting at once end up with one key.
 */
import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {ensureDir, tempPathFor} from '../engine/fs-atomic.js';
import {configDir, type Env, FILE_MODE} from '../engine/paths.js';

export type PublicKeyInfo = {
	/** `SHA256:` + unpadded base64 of the SHA-256 of the raw 32-byte public key (like ssh-keygen -l). */
	fingerprint: string;
	/** The raw 32-byte public key, base64. */
	public_key: string;
};

export type SigningKey = PublicKeyInfo & {privateKey: KeyObject};

export function signingKeyPath(env: Env = process.env): string {
	return path.join(configDir(env), 'signing-key.pem');
}

/** The raw 32 bytes of an ed25519 public key (the tail of its SPKI DER). */
function rawPublicKey(key: KeyObject): Buffer {
	const der = key.export({type: 'spki', format: 'der'});
	return der.subarray(der.length - 32);
}

export function fingerprintOf(rawPublicKeyBase64: string): string {
	return `SHA256:${createHash('sha256').update(Buffer.from(rawPublicKeyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

function infoOf(privateKey: KeyObject): SigningKey {
	const publicKey = rawPublicKey(createPublicKey(privateKey)).toString('base64');
	return {privateKey, public_key: publicKey, fingerprint: fingerprintOf(publicKey)};
}

function readKey(file: string): SigningKey | undefined {
	let pem: string;
	try {
		pem = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new SfsError('IO', `cannot read the signing key ${file}: ${(error as Error).message}`);
	}

	let privateKey: KeyObject;
	try {
		privateKey = createPrivateKey(pem);
	} catch {
		throw new SfsError('IO', `${file} is not a private key`, {hint: 'move it away; a new key is made at the next sfs handoff --bundle'});
	}

	if (privateKey.asymmetricKeyType !== 'ed25519') throw new SfsError('IO', `${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not ed25519`);
	return infoOf(privateKey);
}

/** The public half of this machine's key, or undefined when none was made yet (nothing is created). */
export function signingKeyStatus(env: Env = process.env): PublicKeyInfo | undefined {
	const key = readKey(signingKeyPath(env));
	return key ? {fingerprint: key.fingerprint, public_key: key.public_key} : undefined;
}

/** One line for `sfs auth status`. */
export function signingKeyLine(status: PublicKeyInfo | undefined): string {
	return status
		? `bundle signing key: ${status.fingerprint} (ed25519 ${status.public_key})`
		: 'bundle signing key: none yet (made by the first "sfs handoff <ref> --bundle FILE")';
}

/** This machine's key, made now when there is none. */
export function loadOrCreateSigningKey(env: Env = process.env): SigningKey {
	const file = signingKeyPath(env);
	const existing = readKey(file);
	if (existing) return existing;
	ensureDir(path.dirname(file));
	const {privateKey} = generateKeyPairSync('ed25519');
	const temp = tempPathFor(file);
	fs.writeFileSync(temp, privateKey.export({type: 'pkcs8', format: 'pem'}), {mode: FILE_MODE, flag: 'wx'});
	try {
		fs.linkSync(temp, file);
	} catch (error) {
		// Another process made the key first: use that one.
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	} finally {
		fs.rmSync(temp, {force: true});
	}

	return readKey(file)!;
}

export function signBytes(key: SigningKey, data: Buffer): string {
	return sign(null, data, key.privateKey).toString('base64');
}

/** True when `signature` (base64) is a valid ed25519 signature of `data` by the raw public key (base64). */
export function verifyBytes(rawPublicKeyBase64: string, data: Buffer, signature: string): boolean {
	const raw = Buffer.from(rawPublicKeyBase64, 'base64');
	if (raw.length !== 32) return false;
	// SPKI DER for ed25519 is a fixed 12-byte prefix followed by the raw key.
	const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
	try {
		const publicKey = createPublicKey({key: der, format: 'der', type: 'spki'});
		return verify(null, data, publicKey, Buffer.from(signature, 'base64'));
	} catch {
		return false;
	}
}
