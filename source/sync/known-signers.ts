/**
 * Keys that signed bundles imported here (trust on first use): `known-signers.json` in the sfs config dir,
 * fingerprint → public key, the emails its bundles stated, first and last seen. The first bundle from a key
 * says "first seen"; later ones "known"; this machine's own key "this machine's key".
 */
import fs from 'node:fs';
import path from 'node:path';
import {writeJsonAtomic} from '../engine/fs-atomic.js';
import {configDir, type Env} from '../engine/paths.js';
import {signingKeyStatus} from './signing-key.js';

export type KnownSigner = {public_key: string; emails: string[]; first_seen: string; last_seen: string};
export type SignerTrust = 'first-seen' | 'known' | 'own';
export type SignerCheck = {trust: SignerTrust; first_seen: string | null; warnings: string[]};

export function knownSignersPath(env: Env = process.env): string {
	return path.join(configDir(env), 'known-signers.json');
}

export function loadKnownSigners(env: Env = process.env): Record<string, KnownSigner> {
	try {
		const value = JSON.parse(fs.readFileSync(knownSignersPath(env), 'utf8')) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, KnownSigner>) : {};
	} catch {
		return {};
	}
}

/** What this machine knows of a signer, before recording it. */
export function checkSigner(fingerprint: string, email: string | null, env: Env = process.env): SignerCheck {
	if (signingKeyStatus(env)?.fingerprint === fingerprint) return {trust: 'own', first_seen: null, warnings: []};
	const known = loadKnownSigners(env);
	const warnings: string[] = [];
	if (email) {
		for (const [other, signer] of Object.entries(known)) {
			if (other !== fingerprint && signer.emails.includes(email)) warnings.push(`${email} signed earlier bundles with another key ${other}: check with them that this key is theirs`);
		}
	}

	const entry = known[fingerprint];
	return entry ? {trust: 'known', first_seen: entry.first_seen, warnings} : {trust: 'first-seen', first_seen: null, warnings};
}

/** Remembers the signer (and the email it stated). */
export function recordSigner(fingerprint: string, publicKey: string, email: string | null, env: Env = process.env, now = new Date()): void {
	if (signingKeyStatus(env)?.fingerprint === fingerprint) return;
	const known = loadKnownSigners(env);
	const at = now.toISOString();
	const entry = known[fingerprint] ?? {public_key: publicKey, emails: [], first_seen: at, last_seen: at};
	if (email && !entry.emails.includes(email)) entry.emails.push(email);
	entry.last_seen = at;
	known[fingerprint] = entry;
	writeJsonAtomic(knownSignersPath(env), known, {durable: true});
}

export function trustWords(trust: SignerTrust): string {
	return trust === 'own' ? "this machine's key" : trust === 'known' ? 'known' : 'first seen';
}
