/**
 * Passwords (scrypt, salted, parameters kept with the hash) and API tokens (`sfs_<token id>_<secret>`;
 * the server keeps the id and the SHA-256 of the secret, so a leaked database holds no usable token).
 */
import {createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual} from 'node:crypto';
import {promisify} from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, length: number, options: {N: number; r: number; p: number; maxmem: number}) => Promise<Buffer>;
const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await scrypt(password, salt, KEY_LENGTH, {N, r: R, p: P, maxmem: 64 * 1024 * 1024});
	return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, key] = stored.split('$');
	if (scheme !== 'scrypt' || !salt || !key) return false;
	const expected = Buffer.from(key, 'base64');
	const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024});
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function sha256Hex(text: string | Buffer): string {
	return createHash('sha256').update(text).digest('hex');
}

export type IssuedToken = {token_id: string; secret: string; token: string};

export function issueToken(): IssuedToken {
	const tokenId = `tok_${randomBytes(8).toString('hex')}`;
	const secret = randomBytes(24).toString('base64url');
	return {token_id: tokenId, secret, token: `sfs_${tokenId}_${secret}`};
}

/** Splits `sfs_<token id>_<secret>`; undefined when it has another shape. */
export function parseToken(token: string): {token_id: string; secret: string} | undefined {
	const match = /^sfs_(tok_[0-9a-f]{16})_([A-Za-z0-9_-]{16,128})$/.exec(token);
	return match ? {token_id: match[1]!, secret: match[2]!} : undefined;
}

export function secretMatches(secret: string, storedSha256: string): boolean {
	const actual = Buffer.from(sha256Hex(secret), 'hex');
	const expected = Buffer.from(storedSha256, 'hex');
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}
