/**
 * Making and taking offline handoff bundles: the session passes the DLP gate (egress "bundle") and is
 * signed with this machine's key; on the receiving side the signature is verified, the signer checked
 * against the known keys, the session written (created, or gaining the messages it lacks) and the
 * workspace compared with this machine's.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {writeFileAtomic} from '../engine/fs-atomic.js';
import type {Engine} from '../engine/open-engine.js';
import type {Session} from '../engine/types.js';
import type {HandoffWorkspace} from '../server/storage.js';
import {type BundlePayload, encodeBundle, newBundleId, readBundle} from './bundle.js';
import {loadCredentials} from './credentials.js';
import {checkSigner, recordSigner, type SignerTrust} from './known-signers.js';
import {loadOrCreateSigningKey} from './signing-key.js';
import {storeIncoming, withoutLocalState} from './store-incoming.js';
import {senderWorkspace, workspaceDifferences} from './workspace-state.js';

export type MakeBundleOptions = {
	message?: string;
	/** The sender's email as stated in the bundle; default: the logged-in account's, else git's user.email. */
	senderEmail?: string;
	allowSecrets?: boolean;
	/** DLP notices (what was redacted, the --allow-secrets warning). */
	notify: (line: string) => void;
	/** False where there is no --allow-secrets to suggest (the TUI). */
	canOverride?: boolean;
};

export type MadeBundle = {
	text: string;
	bundle_id: string;
	session_id: string;
	fingerprint: string;
	sender_email: string | null;
	workspace: HandoffWorkspace;
	/** What the DLP gate did: pass (nothing found), warn, or redact. */
	dlp: 'pass' | 'warn' | 'redact';
};

function gitEmail(cwd: string | null | undefined): string | null {
	try {
		const out = execFileSync('git', ['config', '--get', 'user.email'], {cwd: cwd && fs.existsSync(cwd) ? cwd : undefined, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000}).trim();
		return out || null;
	} catch {
		return null;
	}
}

/** Builds the signed bundle text for a stored session; throws SfsError('BLOCKED') when the DLP policy blocks it. */
export async function makeBundle(engine: Engine, sessionId: string, options: MakeBundleOptions): Promise<MadeBundle> {
	const {enforce, gateSession, gateText} = await import('../engine/dlp/gate.js');
	const read = engine.store.readSession(sessionId);
	const local: Session = {manifest: read.manifest, messages: read.messages, workspace: read.workspace, tools: read.tools};
	const allowSecrets = options.allowSecrets === true;
	const gated = gateSession(local, {egress: 'bundle', allowSecrets, env: engine.env});
	enforce(gated, options.notify, {canOverride: options.canOverride});
	let dlp: MadeBundle['dlp'] = gated.action === 'block' ? 'pass' : gated.action;
	let message = options.message ?? null;
	if (message !== null) {
		const note = gateText(message, {egress: 'bundle', what: 'the bundle message', allowSecrets, env: engine.env});
		enforce(note, options.notify, {canOverride: options.canOverride});
		message = note.text;
		if (note.action === 'redact' || (note.action === 'warn' && dlp === 'pass')) dlp = note.action;
	}

	const workspace = senderWorkspace({...local, messages: []});
	const key = loadOrCreateSigningKey(engine.env);
	const senderEmail = options.senderEmail ?? loadCredentials(engine.env)?.email ?? gitEmail(workspace.cwd);
	const payload: BundlePayload = {
		bundle_id: newBundleId(),
		created_at: new Date().toISOString(),
		sender: {email: senderEmail ?? null, fingerprint: key.fingerprint},
		message,
		workspace,
		session: withoutLocalState(gated.session),
	};
	return {
		text: encodeBundle(payload, key),
		bundle_id: payload.bundle_id,
		session_id: sessionId,
		fingerprint: key.fingerprint,
		sender_email: payload.sender.email,
		workspace,
		dlp,
	};
}

/** Writes the bundle (atomically, 0600); an existing file is kept unless `force`. */
export function writeBundleFile(file: string, text: string, options: {force?: boolean} = {}): string {
	const target = path.resolve(file);
	if (!options.force && fs.existsSync(target)) throw new SfsError('CONFLICT', `${target} exists already`, {hint: 'choose another name, or add --force to replace it'});
	writeFileAtomic(target, text, {durable: true});
	return target;
}

export type ImportedBundle = {
	bundle_id: string;
	session_id: string;
	created: boolean;
	added: number;
	message_count: number;
	created_at: string;
	message: string | null;
	signer: {fingerprint: string; public_key: string; email: string | null; trust: SignerTrust; first_seen: string | null};
	workspace: HandoffWorkspace;
	folder: string;
	differences: string[];
	/** Trust warnings (e.g. the stated email signed before with another key). */
	warnings: string[];
};

/** Verifies a bundle and takes its session into the store; `here` is the folder compared when the sender's is not on this machine. */
export async function importBundle(engine: Engine, file: string, here: string): Promise<ImportedBundle> {
	const {payload, signer} = readBundle(file);
	const email = typeof payload.sender.email === 'string' ? payload.sender.email : null;
	const check = checkSigner(signer.fingerprint, email, engine.env);
	const written = await storeIncoming(engine, payload.session, 'bundled');
	recordSigner(signer.fingerprint, signer.public_key, email, engine.env);
	const {folder, differences} = workspaceDifferences(payload.workspace ?? {}, here);
	return {
		bundle_id: payload.bundle_id,
		session_id: payload.session.manifest.session_id,
		...written,
		created_at: payload.created_at,
		message: typeof payload.message === 'string' ? payload.message : null,
		signer: {fingerprint: signer.fingerprint, public_key: signer.public_key, email, trust: check.trust, first_seen: check.first_seen},
		workspace: payload.workspace ?? {},
		folder,
		differences,
		warnings: check.warnings,
	};
}
