/**
 * Capture: native stores → adapters → the store (append-only) → the index.
 *
 * Per native session the engine keeps cursors (size, mtime, inode, offset per file). A session whose
 * files are all as the cursors left them is not read at all (the no-op rescan parses nothing). Messages
 * are appended to the store before the manifest that records the new cursors, so a kill at any moment
 * loses nothing: the next capture re-reads from the old cursors and skips what was already appended.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {observeDiscoveryIn, type Observations, rememberListingsIn, statInto} from '../adapters/discover-fs.js';
import type {Adapter, AdapterContext, FileStat, NativeSession, ReadResult} from '../adapters/types.js';
import {CaptureIndexSink, oneLineError} from './capture-index.js';
import {DiscoveryJournals, tombstonesDigest} from './capture-journal.js';
import {CaptureStateRows, cursorStamps, ListingRows, parseStampRow, stampRow, statStamps} from './capture-state.js';
import type {Config} from './config.js';
import type {CapturedCosts} from './insight/cost-cache.js';
import {assertValid, firstViolation, prepareValidation, sessionIdForNative} from './format.js';
import type {SessionIndex} from './index-db.js';
import {loadWritten, type WrittenNative} from './lineage.js';
import {withLock} from './lock.js';
import {type Env, expandHome, homeDir, runDir} from './paths.js';
import {instructionArtifacts} from './rules/provenance.js';
import {addToStats, emptyStats, firstPrompt, oneLine} from './session-stats.js';
import type {Store} from './store.js';
import {type CaptureState, type FileCursor, type Manifest, type Message, SFS_VERSION, type ToolId} from './types.js';

export {oneLineError, reindexSession} from './capture-index.js';

export const CONVERTER_VERSION = '0.1.0';

export type CaptureProgress = {tool: ToolId; done: number; total: number; sessionId?: string};

export type CaptureReport = {
	new: number;
	updated: number;
	unchanged: number;
	skipped: Array<{path: string; reason: string}>;
	/** Records not understood in this run, per tool: `{"codex": {"0.146.0:some_type": 2}}`. */
	unknown_records: Record<string, Record<string, number>>;
	duration_ms: number;
	/** Native records parsed in this run (0 on a rescan of unchanged stores). */
	records_parsed: number;
	/** Sessions created or appended to in this run. */
	changed_sessions: string[];
	/** Warnings that did not stop a session from being captured (bad lines etc.), one line each. */
	warnings: string[];
	/** Native sessions read for the first time that hold no message yet: not stored until they do. */
	empty: number;
};

export type CaptureOptions = {
	env: Env;
	store: Store;
	index: SessionIndex;
	adapters: Adapter[];
	config: Config;
	/** Only these tools (default: every adapter given). */
	tools?: ToolId[];
	/** Only these native sessions (daemon: the files that changed). */
	only?: (session: NativeSession) => boolean;
	/** Capture exactly these native sessions instead of discovering (`sfs import --from <tool> <path>`). */
	natives?: NativeSession[];
	onProgress?: (progress: CaptureProgress) => void;
	now?: () => Date;
	/** Index writes move to a worker thread after this many messages (default INDEX_WORKER_AFTER; tests lower it). */
	indexWorkerAfter?: number;
	/**
	 * Skip discoveries whose journal holds (default true). A caller that keeps what the adapters' discoveries
	 * return (the daemon's DiscoverCache) passes false: a skipped discovery returns nothing to keep.
	 */
	journals?: boolean;
	/** How long to wait for another process's capture to end (default 120 s); then a LockBusyError. */
	lockWaitMs?: number;
};

type SessionCaptureState = {files: Record<string, FileCursor>; fingerprint?: string; state?: unknown; excluded?: boolean; indexBehind?: boolean};
/*
 * Per session, its files' stamps (and fingerprint) are kept in a meta row of their own (capture-state.ts),
 * read on every capture to find what changed. The adapter's own state is not kept there but only in the
 * session's manifest, read when the session is read again.
 */
/** The capture.exclude globs the last full scan applied. */
const EXCLUDE_KEY = 'capture:exclude';
const ADAPTER_CACHE_KEY = 'capture:adapter-cache';

export function captureLockPath(env: Env): string {
	return path.join(runDir(env), 'capture.lock');
}

/** One capture pass over every enabled adapter (serialised with any other capture on this machine). */
export async function capture(options: CaptureOptions): Promise<CaptureReport> {
	return withLock(captureLockPath(options.env), async () => captureUnlocked(options), {what: 'another capture', waitMs: options.lockWaitMs});
}

async function captureUnlocked(options: CaptureOptions): Promise<CaptureReport> {
	const started = Date.now();
	const {env, store, index, config} = options;
	const now = options.now ?? (() => new Date());
	store.initOnce();

	const report: CaptureReport = {new: 0, updated: 0, unchanged: 0, skipped: [], unknown_records: {}, duration_ms: 0, records_parsed: 0, changed_sessions: [], warnings: [], empty: 0};
	// Read when the first session is compared (a capture whose every discovery was journaled compares none).
	let loadedStates: CaptureStateRows | undefined;
	const rows = () => (loadedStates ??= new CaptureStateRows(index));
	// An earlier layout is converted by the first capture that sees it, whatever else it does.
	if (CaptureStateRows.legacyPresent(index)) rows().loadAll();
	// Folder listings only matter to discovery (`sfs import` names its sessions itself).
	const listings = options.natives ? undefined : new ListingRows(index);
	// Journals of discoveries are kept and trusted only by captures that discover everything they find (not the daemon's `only`, not `sfs import`).
	const journals = options.natives || options.only || options.journals === false ? undefined : DiscoveryJournals.load(index);
	let journalsSpoiled = false;

	const adapterCache = (index.getMeta(ADAPTER_CACHE_KEY) as Record<string, unknown> | undefined) ?? {};
	let cacheDirty = false;
	const tombstoned = new Set<string>();
	for (const tombstone of store.tombstones()) {
		tombstoned.add(tombstone.session_id);
		if (tombstone.tool && tombstone.native_id) tombstoned.add(`${tombstone.tool}\u0000${tombstone.native_id}`);
	}

	const excludeGlobs = config.capture?.exclude ?? [];
	// Sessions left out by an exclude glob are looked at again once the globs change (a removed glob lets them in).
	const excludeChanged = JSON.stringify(index.getMeta(EXCLUDE_KEY) ?? []) !== JSON.stringify(excludeGlobs);
	// picomatch is loaded only when there are globs to match (a capture without them is most captures).
	const matcher = excludeGlobs.length > 0 ? (await import('picomatch')).default : undefined;
	const exclude = matcher ? excludeGlobs.map(glob => matcher(expandHome(glob, env), {dot: true})) : [];
	const isExcluded = (candidate: string | undefined) => Boolean(candidate && exclude.some(match => match(candidate) || match(`${candidate}/`)));
	const disabled = new Set(config.watchers?.disabled ?? []);
	const adapters = options.adapters.filter(adapter => !disabled.has(adapter.id) && (!options.tools || options.tools.includes(adapter.id)));
	const journalScope = {exclude: excludeGlobs, tombstones: tombstonesDigest(tombstoned)};
	const journaled: Array<{tool: ToolId; key: string; observed: Observations; natives: NativeSession[]; unchanged: number; warnings: readonly string[]; sameNatives: boolean}> = [];
	const subagentsSeen: Array<{parentId: string; agentId: string; sessionId: string}> = [];
	const written = loadWritten(env);
	const sink = new CaptureIndexSink(store, index, env, options.indexWorkerAfter);
	// Costs of the sessions this capture creates, priced while their messages are at hand (loaded with the first one).
	let costs: CapturedCosts | null | undefined;

	rememberListingsIn(listings);
	try {
		for (const adapter of adapters) {
			const context = adapterContext(env, now, adapterCache, adapter.id, () => {
				cacheDirty = true;
			});
			const journalKey = journals && DiscoveryJournals.covers(adapter.id) ? DiscoveryJournals.key(adapter, context, journalScope) : undefined;
			const checked = journalKey === undefined ? undefined : journals!.check(adapter.id, journalKey);
			if (checked && checked.changed.size === 0) {
				report.unchanged += checked.unchanged;
				for (const warning of checked.warnings) report.warnings.push(`${adapter.id}: ${warning}`);
				options.onProgress?.({tool: adapter.id, done: checked.unchanged, total: checked.unchanged});
				continue;
			}

			// Only files that grew since the journal (an append): the sessions holding them, as that discovery found them.
			const journaledNatives = checked ? journals!.natives(index, adapter.id) : undefined;
			const grown = journaledNatives && grownSessions(journaledNatives, checked!.changed);
			let natives: NativeSession[];
			let observed: Observations | undefined;
			let discoverWarnings: readonly string[];
			if (grown) {
				natives = grown;
				observed = checked!.observed;
				discoverWarnings = checked!.warnings;
			} else {
				journals?.drop(adapter.id);
				observed = journalKey === undefined ? undefined : {paths: [], stamps: [], trusted: true};
				observeDiscoveryIn(observed);
				try {
					natives = options.natives ? options.natives.filter(native => native.tool === adapter.id) : await adapter.discover(context);
				} catch (error) {
					report.skipped.push({path: adapter.roots(context).join(', '), reason: `discovery failed: ${oneLineError(error)}`});
					continue;
				} finally {
					observeDiscoveryIn(undefined);
				}

				discoverWarnings = options.natives ? [] : (adapter.lastDiscoverWarnings ?? []);
			}

			for (const warning of discoverWarnings) report.warnings.push(`${adapter.id}: ${warning}`);
			if (options.only) natives = natives.filter(options.only);
			const states = rows();
			// A discovery compares every session it found: one query for all rows beats one per session.
			if (!grown) states.loadAll();
			// Whether every session ends this run with its row as its files' stats give it (then the discovery is journaled).
			let settled = true;
			let countable = 0;
			let done = 0;
			for (const native of natives) {
				done++;
				const sessionId = sessionIdForNative(native.tool, native.nativeId);
				if (tombstoned.has(sessionId) || tombstoned.has(`${native.tool}\u0000${native.nativeId}`)) continue;
				countable++;
				// The common case: the saved row is the one these files' stats give (nothing to parse or compare further).
				const row = states.row(sessionId);
				const current = stampRow(native, statStamps(native, statOf));
				if (row === current) {
					report.unchanged++;
					continue;
				}

				const saved = row === undefined ? undefined : parseStampRow(row);
				let previous: SessionCaptureState | undefined = saved ?? stateFromManifest(store, index, sessionId);
				if (previous && !previous.indexBehind && !(previous.excluded && excludeChanged) && isUnchanged(native, previous)) {
					report.unchanged++;
					// Saved again as the stats give it (a row missing, converted from the old layout, or listing a vanished file), so the next run compares strings.
					if (!previous.excluded) states.set(sessionId, current);
					else if (row !== stampRow(native, statStamps(native, statOf), true)) settled = false;
					continue;
				}

				if (saved && !saved.excluded) {
					// The adapter state lives in the manifest; without it, read the session whole (known messages are skipped by id).
					// Its cursors too: written with the messages, they are never behind the saved ones (which a capture
					// killed before saving its state leaves behind: read from those, its messages would be appended twice).
					previous = stateFromManifest(store, index, sessionId);
				}

				if (isExcluded(native.files[0])) {
					states.set(sessionId, stampRow(native, statStamps(native, statOf), true));
					continue;
				}

				let read: ReadResult;
				try {
					read = await adapter.read({session: native, cursors: previous?.excluded ? undefined : previous?.files, state: previous?.state}, context);
				} catch (error) {
					report.skipped.push({path: native.files[0] ?? native.nativeId, reason: oneLineError(error)});
					settled = false;
					continue;
				}

				report.records_parsed += read.recordsParsed;
				for (const warning of read.warnings) report.warnings.push(`${native.tool} ${native.files[0]}: ${warning}`);
				countUnknown(report, adapter.id, read);
				if (isExcluded(read.info.cwd)) {
					const excludedRow = stampRow(native, cursorStamps(read.cursors), true);
					states.set(sessionId, excludedRow);
					if (excludedRow !== stampRow(native, statStamps(native, statOf), true)) settled = false;
					continue;
				}

				if (!previous && read.messages.length === 0 && !store.exists(sessionId)) {
					// Nothing to show (a file just created, or something that is no session at all): like an excluded
					// session it is not read again until its files change, and then read whole.
					report.empty++;
					const emptyRow = stampRow(native, cursorStamps(read.cursors), true);
					states.set(sessionId, emptyRow);
					if (emptyRow !== stampRow(native, statStamps(native, statOf), true)) settled = false;
					continue;
				}

				try {
					// Validators are loaded only once something is to be written (a no-op rescan never needs them).
					await prepareValidation();
					if (costs === undefined) costs = await capturedCosts(env, config);
					const outcome = commitRead(store, index, native, sessionId, read, now(), written.get(`${native.tool}\u0000${native.nativeId}`), sink, costs ?? undefined);
					if (outcome === 'new') report.new++;
					else if (outcome === 'updated') report.updated++;
					else report.unchanged++;
					if (outcome !== 'unchanged') report.changed_sessions.push(sessionId);
				} catch (error) {
					report.skipped.push({path: native.files[0] ?? native.nativeId, reason: oneLineError(error)});
					settled = false;
					continue;
				}

				const readRow = stampRow(native, cursorStamps(read.cursors));
				states.set(sessionId, readRow);
				// A file that changed between discovery and read: the next capture must look again.
				if (readRow !== current) settled = false;
				if (native.parentNativeId && native.agentId) {
					subagentsSeen.push({parentId: sessionIdForNative(native.tool, native.parentNativeId), agentId: native.agentId, sessionId});
				}

				options.onProgress?.({tool: adapter.id, done, total: natives.length, sessionId});
				// While the index worker catches up (a cold capture), this thread waits instead of piling messages up.
				await sink.settle();
			}

			options.onProgress?.({tool: adapter.id, done: natives.length, total: natives.length});
			if (grown) {
				// The sessions not looked at are the journal's unchanged ones.
				report.unchanged += checked!.unchanged - countable;
				if (settled) journaled.push({tool: adapter.id, key: journalKey!, observed: observed!, natives: journaledNatives!, unchanged: checked!.unchanged, warnings: discoverWarnings, sameNatives: true});
				else journals!.drop(adapter.id);
			} else if (observed && settled) {
				journaled.push({tool: adapter.id, key: journalKey!, observed, natives, unchanged: countable, warnings: discoverWarnings, sameNatives: false});
			}
		}
	} finally {
		rememberListingsIn(undefined);
		// Whatever reached the store is made searchable, even when the loop ends in an error.
		for (const failure of await sink.close()) {
			// Not saved as captured: the next capture finds the index behind the store and re-indexes it.
			rows().set(failure.sessionId, undefined);
			report.skipped.push({path: failure.sessionId, reason: failure.reason});
			journalsSpoiled = true;
		}
	}

	linkSubagents(store, index, subagentsSeen);
	costs?.save();
	if (journals && !journalsSpoiled) for (const entry of journaled) journals.record(entry.tool, entry.key, entry.observed, entry.natives, entry.unchanged, entry.warnings, entry.sameNatives);
	else if (journals) for (const entry of journaled) journals.drop(entry.tool);
	// Rows, journals and listings in one transaction: a journal is never saved without the rows it vouches for.
	const writes = [
		...(loadedStates?.takeWrites() ?? []),
		...(journals?.takeWrites() ?? []),
		// A scan of every source may forget the folders it did not meet.
		...(listings?.takeWrites(!options.tools, () => journals?.hitPaths() ?? []) ?? []),
	];
	if (writes.length > 0) index.setMetaRaw(writes);
	if (cacheDirty) index.setMeta(ADAPTER_CACHE_KEY, adapterCache);
	// Only a scan of everything has re-checked every excluded session against the new globs.
	if (excludeChanged && !options.only && !options.tools && !options.natives) index.setMeta(EXCLUDE_KEY, excludeGlobs);
	report.duration_ms = Date.now() - started;
	return report;
}

/**
 * The sessions of a journaled discovery that hold one of the `changed` files, with those files stat-ed
 * now; undefined when a change is not one of theirs or a session is fingerprinted (then discover again).
 */
function grownSessions(natives: NativeSession[], changed: Set<string>): NativeSession[] | undefined {
	const grown: NativeSession[] = [];
	const covered = new Set<string>();
	for (const native of natives) {
		if (!native.files.some(file => changed.has(file))) continue;
		if (native.fingerprint !== undefined) return undefined;
		const stats: Record<string, FileStat> = {};
		let mtimeMs: number | undefined;
		for (const file of native.files) {
			covered.add(file);
			const stat = statInto(stats, file);
			if (stat) mtimeMs = Math.max(mtimeMs ?? 0, stat.mtimeMs);
		}

		grown.push({...native, stats, ...(mtimeMs === undefined ? {} : {mtimeMs})});
	}

	for (const file of changed) if (!covered.has(file)) return undefined;
	return grown;
}

function adapterContext(env: Env, now: () => Date, cache: Record<string, unknown>, tool: string, onWrite: () => void): AdapterContext {
	return {
		env,
		home: homeDir(env),
		platform: process.platform,
		now,
		cache: {
			get: key => cache[`${tool}:${key}`],
			set(key, value) {
				cache[`${tool}:${key}`] = value;
				onWrite();
			},
		},
	};
}

/**
 * The cursors a session's manifest recorded, when the capture state in the index lacks them (a capture
 * killed before it saved its state). When the index does not hold all of the session's messages (a kill
 * during an index batch leaves the store ahead of the index), the session is read again from these
 * cursors (nothing new) so that commitRead re-indexes it from the store.
 */
function stateFromManifest(store: Store, index: SessionIndex, sessionId: string): SessionCaptureState | undefined {
	if (!store.exists(sessionId)) return undefined;
	try {
		const manifest = store.readManifest(sessionId);
		const capture = manifest.metadata?.capture;
		if (!capture) return undefined;
		const indexBehind = index.getSession(sessionId)?.message_count !== (manifest.stats?.message_count ?? 0);
		return {files: capture.files, fingerprint: (capture as {fingerprint?: string}).fingerprint, state: capture.adapter_state, ...(indexBehind ? {indexBehind} : {})};
	} catch {
		return undefined;
	}
}

function isUnchanged(native: NativeSession, previous: SessionCaptureState): boolean {
	if (native.fingerprint !== undefined) return native.fingerprint === previous.fingerprint;
	let anyPresent = false;
	for (const file of native.files) {
		// Discovery's own stat when it took one: a file is stat-ed once per capture.
		const stat = native.stats?.[file] ?? statOf(file);
		if (!stat) continue; // A vanished native file: keep what we captured.
		anyPresent = true;
		const cursor = previous.files[file];
		if (!cursor || cursor.size !== stat.size || cursor.mtime_ms !== stat.mtimeMs || cursor.ino !== stat.ino) return false;
	}

	return anyPresent || native.files.length === 0;
}

function statOf(file: string): FileStat | undefined {
	try {
		return fs.statSync(file);
	} catch {
		return undefined;
	}
}

function countUnknown(report: CaptureReport, tool: string, read: ReadResult): void {
	const entries = Object.entries(read.unknownRecords);
	if (entries.length === 0) return;
	const version = read.info.toolVersion ?? 'unknown';
	const bucket = (report.unknown_records[tool] ??= {});
	for (const [type, count] of entries) bucket[`${version}:${type}`] = (bucket[`${version}:${type}`] ?? 0) + count;
}

export function messageHash(message: Message): string {
	return createHash('sha256').update(message.role).update('\u0000').update(JSON.stringify(message.content)).digest('hex').slice(0, 12);
}

/**
 * Writes what one read produced to the store, and hands its index writes to `sink`. Returns whether the session is new, got messages, or only moved its cursors.
 */
export function commitRead(
	store: Store,
	index: SessionIndex,
	native: NativeSession,
	sessionId: string,
	read: ReadResult,
	now: Date,
	written: WrittenNative | undefined,
	sink: CaptureIndexSink,
	costs?: CapturedCosts,
): 'new' | 'updated' | 'unchanged' {
	// A session not in the store yet has nothing to alias or tag, and its creation is a rename that
	// fails when it exists: no lock (saves a lock file per session of a cold capture).
	if (!store.exists(sessionId)) return commitReadLocked(store, index, sink, native, sessionId, read, now, written, costs);
	// Under the session's lock: `sfs alias`/`tag` in another process must not land between this
	// read of the manifest and the write below (either change would be lost).
	return store.withSessionLock(sessionId, () => commitReadLocked(store, index, sink, native, sessionId, read, now, written, costs));
}

function commitReadLocked(
	store: Store,
	index: SessionIndex,
	sink: CaptureIndexSink,
	native: NativeSession,
	sessionId: string,
	read: ReadResult,
	now: Date,
	written?: WrittenNative,
	costs?: CapturedCosts,
): 'new' | 'updated' | 'unchanged' {
	const exists = store.exists(sessionId);
	let manifest: Manifest | undefined = exists ? store.readManifest(sessionId) : undefined;
	const known: Known = new Map();
	let position = manifest?.stats?.message_count ?? 0;
	// How many messages the index holds for this session (read before anything below is handed to the sink).
	let indexed = manifest ? index.getSession(sessionId)?.message_count : undefined;
	if (manifest) {
		const capture = manifest.metadata?.capture;
		if (read.mode === 'full') {
			for (const message of store.readMessages(sessionId).messages) known.set(message.msg_id, message);
		} else {
			// Lines appended by a capture killed before its manifest update: do not append them twice.
			const recorded = capture?.messages_bytes ?? store.messagesSize(sessionId);
			const extra = store.readMessagesAfter(sessionId, recorded).messages;
			for (const message of extra) known.set(message.msg_id, message);
			if (extra.length > 0) {
				manifest = {...manifest, stats: addToStats(manifest.stats ?? emptyStats(), extra)};
				sink.apply({op: 'add', sessionId, messages: extra, start: position + 1});
				if (indexed !== undefined) indexed += extra.length;
				position += extra.length;
			}
		}
	}

	if (manifest && indexed !== (manifest.stats?.message_count ?? 0)) {
		// The index fell behind the store (a kill between the manifest commit and the index update): re-index this session.
		sink.apply({op: 'reindex', sessionId});
	}

	const fresh = markCopies(selectNew(read.messages, known).map(message => validOrWrapped(message)), position, written);
	const next = buildManifest(manifest, native, sessionId, read, fresh, now);
	if (written) {
		next.parent_session_id = written.from_session_id;
		// Headless is inferred from prompts the tool logged (Gemini's logs.json). History sfs wrote was never
		// typed into the tool, so until a prompt of the tool's own arrives the inference says nothing.
		const typed = fresh.some(message => message.role === 'user' && !message.metadata?.copied_from);
		const {headless: inferred, ...metadata} = next.metadata ?? {};
		const headless = typed ? inferred : manifest?.metadata?.headless;
		next.metadata = {...metadata, ...(headless === undefined ? {} : {headless}), written_by_sfs: {from_session_id: written.from_session_id, through_msg_id: written.through_msg_id, target: written.tool}};
	}

	// Every session sfs writes follows the schema: a manifest the schema refuses is reported as skipped, never stored.
	assertValid('manifest', next, `captured ${native.tool} session ${native.nativeId}`);
	if (!manifest) {
		const workspace = workspaceFrom(read);
		if (workspace) assertValid('workspace', workspace, `captured ${native.tool} session ${native.nativeId}`);
		if (read.tools) assertValid('tools', read.tools, `captured ${native.tool} session ${native.nativeId}`);
		store.createSession({manifest: next, messages: fresh, workspace, tools: read.tools});
		costs?.add(next, fresh, store.messagesSize(sessionId));
	} else {
		const committed = store.appendMessages(sessionId, fresh, next);
		if (read.info.cwd && read.info.cwd !== manifest.metadata?.cwd) {
			const workspace = workspaceFrom(read);
			if (workspace) store.writeWorkspace(sessionId, workspace);
		}

		Object.assign(next, committed);
	}

	sink.apply({op: 'write', sessionId, manifest: next, messages: fresh, start: position + 1});
	if (!manifest) return 'new';
	return fresh.length > 0 ? 'updated' : 'unchanged';
}

/**
 * In a native session sfs wrote itself, the first messages are copies of the session it came from:
 * mark them, so search and cost count that history once (in the original).
 */
function markCopies(messages: Message[], position: number, written: WrittenNative | undefined): Message[] {
	if (!written || position >= written.copied_messages) return messages;
	return messages.map((message, offset) =>
		position + offset < written.copied_messages ? {...message, metadata: {...message.metadata, copied_from: written.from_session_id}} : message,
	);
}

/** Messages already stored (or selected) by id: the message itself, or its content hash once computed. */
type Known = Map<string, Message | string>;

/**
 * New messages of a read: unknown ids are new; a known id whose content changed (a rewritten native
 * session) becomes a revision appended after the original, never a rewrite of it. Content is hashed
 * only when an id is met twice (hashing every message of a cold capture cost seconds).
 */
function selectNew(messages: Message[], known: Known): Message[] {
	const fresh: Message[] = [];
	for (const message of messages) {
		const seen = known.get(message.msg_id);
		if (seen === undefined) {
			known.set(message.msg_id, message);
			fresh.push(message);
			continue;
		}

		const hash = messageHash(message);
		if ((typeof seen === 'string' ? seen : messageHash(seen)) === hash) continue;
		const revisionId = `${message.msg_id}~${hash.slice(0, 8)}`;
		if (known.has(revisionId)) continue;
		known.set(revisionId, hash);
		fresh.push({...message, msg_id: revisionId, metadata: {...message.metadata, revision_of: message.msg_id}});
	}

	return fresh;
}

/** A message the schema refuses is kept whole inside a native_record rather than stored invalid or dropped. */
function validOrWrapped(message: Message): Message {
	const violation = firstViolation('message', message);
	if (!violation) return message;
	return {
		msg_id: String(message.msg_id ?? createHash('sha256').update(JSON.stringify(message)).digest('hex').slice(0, 24)),
		role: 'system',
		is_meta: true,
		timestamp: validTimestamp(message.timestamp) ?? new Date(0).toISOString(),
		content: [{type: 'native_record', record: message}],
		metadata: {invalid_reason: violation},
	};
}

function validTimestamp(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const time = Date.parse(value);
	return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function buildManifest(previous: Manifest | undefined, native: NativeSession, sessionId: string, read: ReadResult, fresh: Message[], now: Date): Manifest {
	const {info} = read;
	const firstTime = fresh.find(message => validTimestamp(message.timestamp))?.timestamp;
	const lastTime = [...fresh].reverse().find(message => validTimestamp(message.timestamp))?.timestamp;
	const created = previous?.created_at ?? info.createdAt ?? firstTime ?? now.toISOString();
	const updatedCandidates = [previous?.updated_at, info.updatedAt, lastTime].filter((value): value is string => Boolean(value && validTimestamp(value)));
	const updated = updatedCandidates.sort().at(-1) ?? created;
	const previousMeta = previous?.metadata ?? {};
	const prompt = previousMeta.first_prompt ?? firstPrompt(fresh);
	const unknown = {...previousMeta.unknown_records};
	const version = info.toolVersion ?? previous?.source.tool_version ?? 'unknown';
	for (const [type, count] of Object.entries(read.unknownRecords)) {
		const key = `${native.tool}@${version}:${type}`;
		unknown[key] = (unknown[key] ?? 0) + count;
	}

	const capture: CaptureState & {fingerprint?: string} = {
		files: read.cursors,
		messages_bytes: previousMeta.capture?.messages_bytes ?? 0,
		adapter_state: read.state,
		captured_at: now.toISOString(),
		...(native.fingerprint === undefined ? {} : {fingerprint: native.fingerprint}),
	};
	const stats = addToStats(previous?.stats ?? emptyStats(), fresh);
	stats.duration_ms = Math.max(0, Date.parse(updated) - Date.parse(created)) || 0;
	const model = info.model ?? previous?.model?.model_id ?? fresh.find(message => message.model)?.model ?? undefined;
	// What guided the agent: the instruction files in its workspace, recorded once, when the session is first captured.
	const provenance = previous ? undefined : instructionArtifacts(info.cwd);

	const metadata: Manifest['metadata'] = {
		...previousMeta,
		...(info.cwd ? {cwd: info.cwd} : {}),
		...(info.gitBranch ? {git_branch: info.gitBranch} : {}),
		...(info.headless === undefined ? {} : {headless: info.headless}),
		...(info.reasoningEffort && !SCHEMA_EFFORTS.has(info.reasoningEffort) ? {reasoning_effort: info.reasoningEffort} : {}),
		...(prompt ? {first_prompt: prompt} : {}),
		...(Object.keys(unknown).length > 0 ? {unknown_records: unknown} : {}),
		...(info.extra ? {native: {...(previousMeta.native as object | undefined), ...info.extra}} : {}),
		...(native.parentNativeId && native.agentId ? {subagent: {parent_native_id: native.parentNativeId, agent_id: native.agentId}} : {}),
		...provenance,
		capture,
	};

	return {
		...previous,
		sfs_version: SFS_VERSION,
		session_id: sessionId,
		title: info.title ? oneLine(info.title, 200) : (previous?.title ?? (prompt ? oneLine(prompt, 80) : null)),
		tags: previous?.tags ?? [],
		created_at: created,
		updated_at: updated,
		source: {
			tool: native.tool,
			tool_version: info.toolVersion ?? previous?.source.tool_version ?? null,
			sfs_converter_version: CONVERTER_VERSION,
			original_session_id: native.nativeId,
			original_path: native.files[0] ?? null,
			interface: info.interface ?? previous?.source.interface ?? 'cli',
		},
		model: model ? modelInfo(model, info.provider ?? previous?.model?.provider ?? undefined, info.reasoningEffort ?? previous?.model?.reasoning_effort ?? undefined) : null,
		stats,
		parent_session_id: native.parentNativeId ? sessionIdForNative(native.tool, native.parentNativeId) : (previous?.parent_session_id ?? null),
		checkpoint_count: previous?.checkpoint_count ?? 0,
		metadata,
	};
}

/** The schema's reasoning_effort is low|medium|high|null; another level (e.g. `xhigh`) goes to metadata.reasoning_effort. */
const SCHEMA_EFFORTS = new Set(['low', 'medium', 'high']);

/** The schema's `provider` is a string when present: an unknown provider is left out, not null. */
function modelInfo(modelId: string, provider: string | null | undefined, effort: string | null | undefined): NonNullable<Manifest['model']> {
	return {
		...(provider ? {provider} : {}),
		model_id: modelId,
		reasoning_effort: (effort && SCHEMA_EFFORTS.has(effort) ? effort : null) as NonNullable<Manifest['model']>['reasoning_effort'],
	};
}

function workspaceFrom(read: ReadResult) {
	const cwd = read.info.cwd ?? read.workspace?.root_path;
	if (!cwd) return undefined;
	const git = read.info.gitBranch || read.info.gitCommit || read.info.gitRemote
		? {branch: read.info.gitBranch ?? null, commit_sha: read.info.gitCommit ?? null, remote_url: read.info.gitRemote ?? null}
		: read.workspace?.git;
	return {...read.workspace, root_path: cwd, ...(git ? {git} : {})};
}

/** Records sub-agent transcripts in their parent's `sub_agents` list once both are captured. */
function linkSubagents(store: Store, index: SessionIndex, seen: Array<{parentId: string; agentId: string; sessionId: string}>): void {
	const byParent = new Map<string, Array<{agentId: string; sessionId: string}>>();
	for (const entry of seen) {
		const list = byParent.get(entry.parentId) ?? [];
		list.push(entry);
		byParent.set(entry.parentId, list);
	}

	for (const [parentId, children] of byParent) {
		if (!store.exists(parentId)) continue;
		try {
			store.withSessionLock(parentId, () => linkChildren(store, index, parentId, children));
		} catch {
			// Linking is a convenience; the sessions themselves are captured either way.
		}
	}
}

function linkChildren(store: Store, index: SessionIndex, parentId: string, children: Array<{agentId: string; sessionId: string}>): void {
	const manifest = store.readManifest(parentId);
	const agents = [...(manifest.sub_agents ?? [])];
	let changed = false;
	for (const child of children) {
		const childManifest = store.readManifest(child.sessionId);
		const entry = {agent_id: child.agentId, model: childManifest.model?.model_id ?? null, message_count: childManifest.stats?.message_count ?? 0};
		const at = agents.findIndex(agent => agent.agent_id === child.agentId);
		if (at === -1) agents.push(entry);
		else if (JSON.stringify(agents[at]) !== JSON.stringify(entry)) agents[at] = entry;
		else continue;
		changed = true;
	}

	if (changed) {
		const next = {...manifest, sub_agents: agents};
		store.writeManifest(parentId, next);
		index.upsertSession(next);
	}
}

export const _forTests = {isUnchanged, selectNew, hostname: os.hostname};

/** Null when the price table cannot be had (a broken `prices` setting): costs are then priced when listed. */
async function capturedCosts(env: Env, config: Config): Promise<CapturedCosts | null> {
	try {
		const [{CapturedCosts}, {priceTable}] = await Promise.all([import('./insight/cost-cache.js'), import('./insight/prices.js')]);
		return new CapturedCosts(env, priceTable(config.prices));
	} catch {
		return null;
	}
}
