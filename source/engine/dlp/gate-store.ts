/**
 * The gate for exports that pack session directories (an `.sfs` archive, a whole-store backup): every
 * session and its checkpoints pass `gateSession`. When something must be redacted, the redacted
 * copies are written to a private scratch store inside the data dir and the archive is packed from
 * there (sessions with nothing to redact are linked, not copied); the real store is never touched.
 * Call `cleanup()` when the archive is written.
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {writeJsonAtomic} from '../fs-atomic.js';
import {DIR_MODE, FILE_MODE} from '../paths.js';
import {CHECKPOINTS, MANIFEST, MESSAGES, parseMessages, Store} from '../store.js';
import type {Manifest, Session} from '../types.js';
import {type GateContext, type GateOutcome, gateSession, type SessionGateOutcome, summarize} from './gate.js';

export type GatedStore = {
	/** The store to pack from: the real one, or a scratch copy holding the redacted sessions. */
	store: Store;
	/** The combined decision (block when any session is blocked). */
	outcome: GateOutcome;
	cleanup(): void;
};

type Checkpoint = {name: string; manifest: Manifest; messages: Session['messages']};

function readCheckpoints(store: Store, id: string): Checkpoint[] {
	const root = path.join(store.dir(id), CHECKPOINTS);
	let names: string[];
	try {
		names = fs.readdirSync(root).filter(name => !name.startsWith('.'));
	} catch {
		return [];
	}

	const out: Checkpoint[] = [];
	for (const name of names.sort()) {
		try {
			const manifest = JSON.parse(fs.readFileSync(path.join(root, name, MANIFEST), 'utf8')) as Manifest;
			const {messages} = parseMessages(fs.readFileSync(path.join(root, name, MESSAGES)));
			out.push({name, manifest, messages});
		} catch {
			// An unreadable checkpoint is left to the archive's own validation.
		}
	}

	return out;
}

/**
 * Sessions are gated one at a time and only their decisions are kept (a backup of a million messages
 * must not hold them all): a session that needs redacting is written to the scratch store at once.
 */
export function gateStoredSessions(store: Store, ids: string[], context: GateContext, onProgress?: (done: number, total: number) => void): GatedStore {
	const outcomes: GateOutcome[] = [];
	const linked: string[] = [];
	let blocked = false;
	let scratch: {store: Store; cleanup(): void} | undefined;
	try {
		for (const [at, id] of ids.entries()) {
			onProgress?.(at, ids.length);
			let session: Session;
			try {
				const read = store.readSession(id);
				session = {manifest: read.manifest, messages: read.messages, workspace: read.workspace, tools: read.tools};
			} catch {
				continue; // The exporter validates and reports unreadable sessions itself.
			}

			const outcome = gateSession(session, {...context, what: `session ${id}`});
			const checkpoints = readCheckpoints(store, id).map(checkpoint => ({
				checkpoint,
				outcome: gateSession({manifest: checkpoint.manifest, messages: checkpoint.messages, workspace: session.workspace}, {...context, cwd: context.cwd ?? outcome.policy.project ?? undefined, what: `session ${id} checkpoint ${checkpoint.name}`}),
			}));
			for (const {session: _copy, ...decision} of [outcome, ...checkpoints.map(entry => entry.outcome)]) {
				outcomes.push(decision);
				if (decision.action === 'block') blocked = true;
			}

			if (outcome.redacted.length === 0 && checkpoints.every(entry => entry.outcome.redacted.length === 0)) {
				linked.push(id);
				continue;
			}

			// Once anything is blocked nothing goes out: no more copies.
			if (blocked) continue;
			scratch ??= scratchStore(store);
			writeRedacted(scratch.store, id, outcome, checkpoints);
		}

		const outcome = combine(outcomes, context);
		if (!scratch || outcome.action === 'block') {
			scratch?.cleanup();
			return {store, outcome, cleanup() {}};
		}

		// Nothing to change: the packer follows a link to the stored session instead of a copy.
		for (const id of linked) fs.symlinkSync(store.dir(id), scratch.store.dir(id));
		return {store: scratch.store, outcome, cleanup: scratch.cleanup};
	} catch (error) {
		scratch?.cleanup();
		throw error;
	}
}

function scratchStore(store: Store): {store: Store; cleanup(): void} {
	const scratchRoot = path.join(store.dataRoot, `.dlp-export-${process.pid}-${randomBytes(4).toString('hex')}`);
	fs.mkdirSync(scratchRoot, {mode: DIR_MODE});
	const cleanup = () => fs.rmSync(scratchRoot, {recursive: true, force: true});
	try {
		const scratch = new Store({SFS_HOME: scratchRoot});
		scratch.init();
		return {store: scratch, cleanup};
	} catch (error) {
		cleanup();
		throw error;
	}
}

function writeRedacted(scratch: Store, id: string, outcome: SessionGateOutcome, checkpoints: Array<{checkpoint: Checkpoint; outcome: SessionGateOutcome}>): void {
	scratch.createSession(structuredClone(outcome.session));
	for (const {checkpoint, outcome: checkpointOutcome} of checkpoints) {
		const dir = path.join(scratch.dir(id), CHECKPOINTS, checkpoint.name);
		fs.mkdirSync(dir, {recursive: true, mode: DIR_MODE});
		const redacted = checkpointOutcome.session;
		fs.writeFileSync(path.join(dir, MESSAGES), redacted.messages.map(message => `${JSON.stringify(message)}\n`).join(''), {mode: FILE_MODE});
		writeJsonAtomic(path.join(dir, MANIFEST), redacted.manifest);
	}
}

/** One decision over many: blocked when any is, with every blocked finding; notices merged. */
function combine(outcomes: GateOutcome[], context: GateContext): GateOutcome {
	const policy = outcomes[0]?.policy ?? {secrets: 'block' as const, personal: 'warn' as const, project: null, sources: {secrets: 'default' as const, personal: 'default' as const}};
	const blocked = outcomes.filter(outcome => outcome.action === 'block');
	if (blocked.length > 0) {
		const findings = blocked.flatMap(outcome => outcome.findings.filter(finding => outcome.policy[finding.kind === 'secret' ? 'secrets' : 'personal'] === 'block'));
		const message =
			blocked.length === 1
				? blocked[0]!.message!
				: `${context.egress} blocked: ${blocked.length} session(s) or checkpoints contain what the DLP policy blocks (${summarize(findings)})`;
		return {action: 'block', findings, redacted: [], notices: [], message, policy: {...blocked[0]!.policy}, cwd: blocked[0]!.cwd};
	}

	const findings = outcomes.flatMap(outcome => outcome.findings);
	const redacted = [...new Set(outcomes.flatMap(outcome => outcome.redacted))];
	const notices = outcomes.flatMap(outcome => outcome.notices);
	const shown = notices.length > 10 ? [...notices.slice(0, 10), `… and ${notices.length - 10} more DLP notice(s)`] : notices;
	const action = redacted.length > 0 ? 'redact' : findings.length > 0 ? 'warn' : 'pass';
	return {action, findings, redacted, notices: shown, policy, cwd: outcomes[0]?.cwd ?? null};
}
