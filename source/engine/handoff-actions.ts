/**
 * What the TUI's Handoff screen asks of the engine: the login state (with the exact command to log in
 * when there is none), creating a handoff through the server, the handoffs received, pulling one (with
 * what differs here) and writing a signed offline bundle. Every call passes the same DLP gate as the CLI
 * and reports what it did; a block rejects with the gate's one-line SfsError.
 */
import path from 'node:path';
import type {HandoffInfo, OutgoingGate} from '../sync/client.js';
import type {PublicKeyInfo} from '../sync/signing-key.js';
import {errorLine, SfsError} from './errors.js';
import type {Engine} from './open-engine.js';

/** What the DLP gate did to what went out. */
export type DlpResult = {action: 'pass' | 'warn' | 'redact'; notices: string[]};

export type HandoffLogin = {
	logged_in: boolean;
	url: string | null;
	email: string | null;
	/** Whether the server answered (null when not logged in). */
	reachable: boolean | null;
	/** Why the server did not answer, one line. */
	error: string | null;
	/** The command that logs in (shown when not logged in). */
	login_command: string;
	/** The command that makes an account on that server. */
	signup_command: string;
	signing_key: PublicKeyInfo | null;
};

export type HandoffSent = {handoff_id: string; url: string; expires_at: string; to: string; session_id: string; dlp: DlpResult};
export type HandoffTaken = {
	handoff_id: string;
	session_id: string;
	from: string | null;
	message: string | null;
	message_count: number;
	added: number;
	created: boolean;
	folder: string;
	differences: string[];
	/** True when the server still lists it as waiting (it lacks taken handoffs, or telling it failed). */
	still_waiting?: boolean;
};
export type BundleWritten = {file: string; bundle_id: string; session_id: string; fingerprint: string; sender: string | null; dlp: DlpResult};
export type {HandoffInfo};

/** The Handoff screen's part of the TUI engine (views/engine-context.ts TuiEngine & HandoffEngine). */
export interface HandoffEngine {
	handoffLogin(): Promise<HandoffLogin>;
	sendHandoff(sessionId: string, to: string, message?: string): Promise<HandoffSent>;
	receivedHandoffs(): Promise<HandoffInfo[]>;
	takeHandoff(handoffId: string): Promise<HandoffTaken>;
	/** A relative `file` is taken from the folder the TUI runs in. */
	writeHandoffBundle(sessionId: string, file: string, message?: string): Promise<BundleWritten>;
}

/** `sfs server` listens here by default. */
const DEFAULT_SERVER = 'http://127.0.0.1:8000';
/** The TUI asks the server with few retries: a person is waiting. */
const QUICK = {attempts: 2, timeoutMs: 15_000};

function dlpResult(action: string, notices: string[]): DlpResult {
	return {action: action === 'redact' || action === 'warn' ? action : 'pass', notices};
}

export type HandoffActionsOptions = {
	/** The folder compared when the sender's is not here, and where relative bundle names go (default: the current folder). */
	here?: () => string;
	/** Told when a pulled handoff added or changed a session (the TUI reloads its list). */
	onSessionsChanged?: () => void;
};

export function handoffActions(engine: Engine, options: HandoffActionsOptions = {}): HandoffEngine {
	const env = engine.env;
	const here = options.here ?? (() => process.cwd());
	const credentials = async () => (await import('../sync/credentials.js')).requireCredentials(env);

	return {
		async handoffLogin() {
			const [{loadCredentials}, {whoAmI}, {signingKeyStatus}, {loadState}] = await Promise.all([
				import('../sync/credentials.js'),
				import('../sync/client.js'),
				import('../sync/signing-key.js'),
				import('../sync/state.js'),
			]);
			const signing_key = signingKeyStatus(env) ?? null;
			const saved = loadCredentials(env);
			// Not logged in: suggest the server this machine synced with last, else sfs server's default.
			const url = saved?.url ?? Object.keys(loadState(env).servers).at(-1) ?? DEFAULT_SERVER;
			const email = saved?.email ?? 'you@example.com';
			const base = {
				url: saved?.url ?? null,
				email: saved?.email ?? null,
				login_command: `sfs auth login --url ${url} --email ${email} --password-stdin`,
				signup_command: `sfs auth signup --url ${url} --email ${email} --password-stdin`,
				signing_key,
			};
			if (!saved) return {...base, logged_in: false, reachable: null, error: null};
			try {
				const me = await whoAmI(saved);
				return {...base, email: me.user.email, logged_in: true, reachable: true, error: null};
			} catch (error) {
				return {...base, logged_in: true, reachable: false, error: errorLine(error)};
			}
		},

		async sendHandoff(sessionId, to, message) {
			const recipient = to.trim();
			if (!/^[^\s@]+@[^\s@]+$/.test(recipient)) throw new SfsError('USAGE', `not an email address: ${JSON.stringify(recipient)}`);
			const [{createHandoff}, {enforce, gateSession, gateText}] = await Promise.all([import('../sync/client.js'), import('./dlp/gate.js')]);
			const login = await credentials();
			const notices: string[] = [];
			let action = 'pass';
			let note = message?.trim() ? message.trim() : undefined;
			if (note !== undefined) {
				const gated = gateText(note, {egress: 'handoff', what: 'the handoff message', env});
				enforce(gated, line => notices.push(line), {canOverride: false});
				note = gated.text;
				action = gated.action;
			}

			const gate: OutgoingGate = session => {
				const outcome = gateSession(session, {egress: 'handoff', env});
				enforce(outcome, line => notices.push(line), {canOverride: false});
				if (outcome.action !== 'pass' && action !== 'redact') action = outcome.action;
				return outcome.session;
			};

			const sent = await createHandoff(engine, login, sessionId, recipient, note, gate, {attempts: 3});
			return {handoff_id: sent.handoff_id, url: sent.url, expires_at: sent.expires_at, to: recipient, session_id: sessionId, dlp: dlpResult(action, notices)};
		},

		async receivedHandoffs() {
			const {listHandoffs} = await import('../sync/client.js');
			const waiting = await listHandoffs(await credentials(), QUICK);
			return waiting.filter(handoff => Date.parse(handoff.expires_at) >= Date.now());
		},

		async takeHandoff(handoffId) {
			const {pullHandoff} = await import('../sync/client.js');
			const taken = await pullHandoff(engine, await credentials(), handoffId, here(), {attempts: 3});
			if (taken.created || taken.added > 0) options.onSessionsChanged?.();
			return {
				handoff_id: handoffId,
				session_id: taken.session_id,
				from: taken.handoff.from,
				message: taken.handoff.message,
				message_count: taken.message_count,
				added: taken.added,
				created: taken.created,
				folder: taken.folder,
				differences: taken.differences,
				still_waiting: taken.confirmation.state !== 'taken',
			};
		},

		async writeHandoffBundle(sessionId, file, message) {
			const {makeBundle, writeBundleFile} = await import('../sync/bundle-transfer.js');
			const notices: string[] = [];
			const made = await makeBundle(engine, sessionId, {message: message?.trim() ? message.trim() : undefined, notify: line => notices.push(line), canOverride: false});
			const written = writeBundleFile(path.resolve(here(), file.trim()), made.text);
			return {file: written, bundle_id: made.bundle_id, session_id: sessionId, fingerprint: made.fingerprint, sender: made.sender_email, dlp: dlpResult(made.dlp, notices)};
		},
	};
}
