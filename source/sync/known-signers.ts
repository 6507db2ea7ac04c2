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

/** The known signers; `unreadable` when the file exists but is not a JSON object (then nothing is known). */
function readKnown(env: Env): {signers: Record<string, KnownSigner>; unreadable: boolean} {
	let text: string;
	try {
		text = fs.readFileSync(knownSignersPath(env), 'utf8');
	} catch {
		return {signers: {}, unreadable: false};
	}

	try {
		const value = JSON.parse(text) as unknown;
		if (value && typeof value === 'object' && !Array.isArray(value)) return {signers: value as Record<string, KnownSigner>, unreadable: false};
	} catch {}

	return {signers: {}, unreadable: true};
}

export function loadKnownSigners(env: Env = process.env): Record<string, KnownSigner> {
	return readKnown(env).signers;
}

/** What this machine knows of a signer, before recording it. */
export function checkSigner(fingerprint: string, email: string | null, env: Env = process.env): SignerCheck {
	if (signingKeyStatus(env)?.fingerprint === fingerprint) return {trust: 'own', first_seen: null, warnings: []};
	const {signers: known, unreadable} = readKnown(env);
	const warnings: string[] = [];
	if (unreadable) warnings.push(`${knownSignersPath(env)} is not valid JSON: no key counts as known; it is kept as ${path.basename(knownSignersPath(env))}.bad and a new list started`);
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
	const {signers: known, unreadable} = readKnown(env);
	if (unreadable) fs.renameSync(knownSignersPath(env), `${knownSignersPath(env)}.bad`);
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
