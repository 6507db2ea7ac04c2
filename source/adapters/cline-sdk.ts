/**
 * The Cline CLI (and the SDK-based extension): `~/.cline/data/sessions/<id>/` with a manifest
 * `<id>.json` and the transcript `<id>.messages.json` ({messages: [...], system_prompt}), both
 * rewritten whole. Sub-agent transcripts sit beside them as `<agentId>.messages.json`.
 * Roots honour CLINE_SESSION_DATA_DIR, CLINE_DATA_DIR and CLINE_DIR, as the CLI does.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type {ContentBlock, FileCursor, Message} from '../engine/types.js';
import {listDir, readDirEntries, statInto} from './discover-fs.js';
import type {AdapterContext, FileStat, NativeSession, ReadRequest, ReadResult, SessionInfo} from './types.js';
import {convertContent, cwdFromEnvironmentDetails, isRecord, numberField, stringField, timeField, usageFromSdkMetrics} from './cline-content.js';
import {addStatCursors, tryReadJson} from './json-files.js';
import {stableHash} from './jsonl.js';
import {noteUnreadable, titleFrom} from './vscode-tasks.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

type Raw = Record<string, unknown>;

function nonEmpty(value: string | undefined): string | undefined {
	return value && value.trim().length > 0 ? value.trim() : undefined;
}

/** `~/.cline` (CLINE_DIR). */
export function clineDir(ctx: AdapterContext): string {
	return nonEmpty(ctx.env.CLINE_DIR) ?? path.join(ctx.home, '.cline');
}

/** `~/.cline/data` (CLINE_DATA_DIR): also the storage root of the pre-SDK standalone CLI/JetBrains (classic task folders). */
export function clineDataDir(ctx: AdapterContext): string {
	return nonEmpty(ctx.env.CLINE_DATA_DIR) ?? path.join(clineDir(ctx), 'data');
}

/** `~/.cline/data/sessions` (CLINE_SESSION_DATA_DIR). */
export function clineSessionsDir(ctx: AdapterContext): string {
	return nonEmpty(ctx.env.CLINE_SESSION_DATA_DIR) ?? path.join(clineDataDir(ctx), 'sessions');
}

const MESSAGES_SUFFIX = '.messages.json';

/** The newest mtime of `files`, recording each stat for capture in `stats`. */
function latestMtime(files: string[], stats: Record<string, FileStat>): number | undefined {
	let latest: number | undefined;
	for (const file of files) {
		// A file that vanished is left for read() to report.
		const stat = statInto(stats, file);
		if (stat) latest = Math.max(latest ?? 0, stat.mtimeMs);
	}

	return latest;
}

/** The session stored in one `sessions/<id>/` folder, with its sub-agent transcripts. Never throws. */
export async function sdkSessionsInDir(dir: string): Promise<NativeSession[]> {
	const id = path.basename(dir);
	const names = listDir(dir).map(entry => entry.name);
	const own = [`${id}${MESSAGES_SUFFIX}`, `${id}.json`, `${id}.compaction.json`].filter(name => names.includes(name));
	if (!own.some(name => name !== `${id}.compaction.json`)) return [];
	const files = own.map(name => path.join(dir, name));
	const stats: Record<string, FileStat> = {};
	const sessions: NativeSession[] = [{tool: 'cline', nativeId: id, files, growth: 'rewrite', mtimeMs: latestMtime(files, stats), stats}];
	for (const name of names) {
		if (!name.endsWith(MESSAGES_SUFFIX) || name === `${id}${MESSAGES_SUFFIX}`) continue;
		const stem = name.slice(0, -MESSAGES_SUFFIX.length);
		const isTeamTask = stem.includes('__');
		const file = path.join(dir, name);
		const agentStats: Record<string, FileStat> = {};
		sessions.push({
			tool: 'cline',
			nativeId: isTeamTask ? `${id}__teamtask__${stem}` : `${id}__${stem}`,
			files: [file],
			growth: 'rewrite',
			parentNativeId: id,
			agentId: isTeamTask ? stem.split('__')[0] : stem,
			mtimeMs: latestMtime([file], agentStats),
			stats: agentStats,
		});
	}

	return sessions;
}

/** Lists the sessions under a `sessions/` folder. Never throws. */
export async function discoverSdkSessionsIn(sessionsDir: string, warnings: string[] = []): Promise<NativeSession[]> {
	const entries = readDirEntries(sessionsDir);
	if (!Array.isArray(entries)) {
		noteUnreadable(sessionsDir, entries, warnings);
		return [];
	}

	const sessions: NativeSession[] = [];
	for (const entry of entries) if (entry.isDirectory()) sessions.push(...(await sdkSessionsInDir(path.join(sessionsDir, entry.name))));
	return sessions;
}

/** Lists CLI sessions (and their sub-agent transcripts) under CLINE_SESSION_DATA_DIR or ~/.cline/data/sessions. */
export async function discoverSdkSessions(ctx: AdapterContext, warnings: string[] = []): Promise<NativeSession[]> {
	return discoverSdkSessionsIn(clineSessionsDir(ctx), warnings);
}

/** CLI sessions at a user-given path: `~/.cline`, its `data/`, `data/sessions/`, one session folder or a file in it. */
export async function sdkSessionsAt(target: string): Promise<NativeSession[]> {
	const stat = await fs.stat(target).catch(() => undefined);
	if (!stat) return [];
	const dir = stat.isDirectory() ? target : path.dirname(target);
	const own = await sdkSessionsInDir(dir);
	if (own.length > 0) return own;
	for (const sessionsDir of [dir, path.join(dir, 'sessions'), path.join(dir, 'data', 'sessions')]) {
		const found = await discoverSdkSessionsIn(sessionsDir);
		if (found.length > 0) return found;
	}

	return [];
}

const KNOWN_MESSAGE_FIELDS = ['id', 'role', 'content', 'ts', 'modelInfo', 'metrics', 'agent', 'sessionId'];

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

function msFrom(value: unknown): number | undefined {
	if (typeof value === 'number') return timeField(value);
	if (typeof value === 'string') {
		const ms = Date.parse(value);
		return Number.isNaN(ms) ? undefined : ms;
	}

	return undefined;
}

function latestIso(candidates: unknown[]): string | undefined {
	const times = candidates.map(candidate => msFrom(candidate)).filter((ms): ms is number => ms !== undefined);
	return times.length > 0 ? iso(Math.max(...times)) : undefined;
}

/** Reads one CLI session (or sub-agent transcript). Throws only when none of its files can be read. */
export async function readSdkSession(request: ReadRequest, ctx: AdapterContext): Promise<ReadResult> {
	const {session} = request;
	const messagesPath = session.files.find(file => file.endsWith(MESSAGES_SUFFIX));
	const dir = path.dirname(session.files[0]);
	const rootId = session.parentNativeId ?? session.nativeId;
	const manifestPath = path.join(dir, `${rootId}.json`);
	const cursors: Record<string, FileCursor> = {};
	const warnings: string[] = [];
	const unknownRecords: Record<string, number> = {};
	const count = (kind: string, n = 1) => {
		addCount(unknownRecords, kind, n);
	};

	const readFile = async (filePath: string, required: boolean) => {
		const read = await tryReadJson(filePath);
		if (read.cursor) cursors[filePath] = read.cursor;
		if (read.warning) warnings.push(read.warning);
		else if (read.missing && required) warnings.push(`${path.basename(filePath)}: missing`);
		return read.value;
	};

	// A sub-agent's files belong to its own session; its parent's manifest is only read for context.
	const manifestValue = await readFile(manifestPath, !session.parentNativeId);
	if (session.parentNativeId) delete cursors[manifestPath];
	const transcriptValue = messagesPath ? await readFile(messagesPath, true) : undefined;
	const manifest = isRecord(manifestValue) ? manifestValue : undefined;
	const transcript = isRecord(transcriptValue) ? transcriptValue : Array.isArray(transcriptValue) ? {messages: transcriptValue} : undefined;
	if (transcriptValue !== undefined && !transcript) warnings.push(`${path.basename(messagesPath!)}: not a transcript object, skipped`);
	if (!manifest && !transcript) throw new Error(`cline session ${session.nativeId}: nothing readable (${warnings.join('; ') || 'no files'})`);

	const rawMessages = Array.isArray(transcript?.messages) ? transcript.messages : [];
	if (transcript && !Array.isArray(transcript.messages)) warnings.push(`${path.basename(messagesPath!)}: no messages array`);
	const metadataOfManifest = isRecord(manifest?.metadata) ? manifest.metadata : {};
	const startMs = msFrom(manifest?.started_at) ?? msFrom(transcript?.updated_at) ?? session.mtimeMs ?? ctx.now().getTime();
	const agentId = session.agentId ?? (stringField(transcript?.agent) !== 'lead' ? stringField(transcript?.agent) : undefined);

	const messages: Message[] = [];
	let previousMs = startMs;
	const systemPrompt = stringField(transcript?.system_prompt);
	if (systemPrompt) {
		messages.push({
			// One id per session: a rewritten prompt reaches the engine as a revision of it, not as another prompt.
			msg_id: stableHash('cline', session.nativeId, 'system_prompt'),
			role: 'system',
			content: [{type: 'text', text: systemPrompt}],
			timestamp: iso(startMs),
			is_meta: true,
			metadata: {kind: 'system_prompt', timestamp_inferred: true},
		});
	}

	const seenIds = new Set<string>();
	let firstUserText: string | undefined;
	for (const [index, raw] of rawMessages.entries()) {
		const nativeId = isRecord(raw) ? stringField(raw.id) : undefined;
		const fallbackId = stableHash('cline', session.nativeId, index, isRecord(raw) ? nativeString(raw.role) : typeof raw, JSON.stringify(isRecord(raw) ? raw.content ?? raw : raw) ?? '');
		const msgId = nativeId && !seenIds.has(nativeId) ? nativeId : fallbackId;
		seenIds.add(msgId);
		const ts = isRecord(raw) ? timeField(raw.ts) : undefined;
		const ms = ts ?? previousMs;
		previousMs = ms;

		if (!isRecord(raw) || (raw.role !== 'user' && raw.role !== 'assistant') || (typeof raw.content !== 'string' && !Array.isArray(raw.content))) {
			const kind = !isRecord(raw) ? 'record:non-object' : raw.role !== 'user' && raw.role !== 'assistant' ? `role:${nativeString(raw.role)}` : 'content:' + typeof raw.content;
			count(kind);
			messages.push({msg_id: msgId, role: 'system', is_meta: true, content: [{type: 'native_record', record: raw}], timestamp: iso(ms)});
			continue;
		}

		const converted = convertContent(raw.content);
		for (const [kind, n] of Object.entries(converted.unknown)) count(kind, n);
		const content: ContentBlock[] = converted.blocks.length > 0 ? converted.blocks : [{type: 'text', text: ''}];
		const message: Message = {msg_id: msgId, role: raw.role, content, timestamp: iso(ms)};
		const metadata: Raw = {...converted.metadata};
		if (nativeId) metadata.native_id = nativeId;
		if (ts === undefined) metadata.timestamp_inferred = true;
		if (raw.role === 'user' && firstUserText === undefined && converted.text.length > 0) firstUserText = converted.text;
		// The CLI wraps what the user typed in <user_input mode="act|plan|yolo">; the text stays as the model saw it.
		const userMode = raw.role === 'user' ? /<user_input\b[^>]*\bmode="([a-z]+)"/.exec(converted.text)?.[1] : undefined;
		if (userMode) metadata.mode = userMode;

		const modelInfo = isRecord(raw.modelInfo) ? raw.modelInfo : undefined;
		if (stringField(modelInfo?.id)) message.model = stringField(modelInfo!.id);
		if (stringField(modelInfo?.provider)) message.provider = stringField(modelInfo!.provider);
		if (stringField(modelInfo?.family)) metadata.model_family = modelInfo!.family;
		const metrics = isRecord(raw.metrics) ? raw.metrics : undefined;
		if (metrics) {
			const usage = usageFromSdkMetrics(metrics);
			if (usage) message.usage = usage;
			if (numberField(metrics.cost) !== undefined) metadata.cost_usd = metrics.cost;
		}

		if (agentId) {
			message.agent_id = agentId;
			message.is_sidechain = true;
		}

		const extra: Raw = {};
		for (const [key, value] of Object.entries(raw)) if (!KNOWN_MESSAGE_FIELDS.includes(key)) extra[key] = value;
		if (stringField(raw.agent) && raw.agent !== 'lead') extra.agent = raw.agent;
		if (Object.keys(extra).length > 0) metadata.native_fields = extra;
		if (Object.keys(metadata).length > 0) message.metadata = metadata;
		messages.push(message);
	}

	const lastModel = [...messages].reverse().find(message => message.model);
	const manifestTitle = session.parentNativeId ? undefined : stringField(metadataOfManifest.title) ?? stringField(manifest?.prompt);
	const mode = stringField(metadataOfManifest.mode);
	const extra: Raw = {};
	for (const key of ['status', 'exit_code', 'source', 'team_name', 'workspace_root', 'pid', 'ended_at']) if (manifest?.[key] !== undefined) extra[key] = manifest[key];
	if (mode) extra.mode = mode;
	if (isRecord(metadataOfManifest.fork)) extra.fork = metadataOfManifest.fork;
	// Seen in CLI 3.0.65: session totals and the shadow-git checkpoint refs.
	for (const key of ['usage', 'aggregateUsage', 'totalCost', 'checkpoint']) if (metadataOfManifest[key] !== undefined) extra[key] = metadataOfManifest[key];
	const origin = isRecord(transcript?.origin) ? transcript.origin : isRecord(metadataOfManifest.sessionHistoryOrigin) ? metadataOfManifest.sessionHistoryOrigin : undefined;
	if (origin) extra.origin = origin;
	const git = isRecord(metadataOfManifest.git) ? metadataOfManifest.git : undefined;
	if (manifest && manifest.version !== 1) warnings.push(`${path.basename(manifestPath)}: manifest version ${nativeString(manifest.version)} not seen before, read as version 1`);

	const info: SessionInfo = {
		title: titleFrom(manifestTitle ?? firstUserText?.replace(/<\/?user_input[^>]*>/g, '')),
		cwd: stringField(manifest?.cwd) ?? stringField(manifest?.workspace_root) ?? cwdFromEnvironmentDetails(firstUserText ?? ''),
		model: stringField(manifest?.model) ?? lastModel?.model ?? undefined,
		provider: stringField(manifest?.provider) ?? lastModel?.provider ?? undefined,
		toolVersion: stringField(origin?.version),
		gitBranch: stringField(git?.branch),
		createdAt: manifest?.started_at ? iso(msFrom(manifest.started_at) ?? startMs) : messages[0]?.timestamp,
		updatedAt: latestIso([messages.at(-1)?.timestamp, manifest?.ended_at, transcript?.updated_at]),
		interface: stringField(manifest?.source) === 'vscode' ? 'extension' : 'cli',
		...(manifest?.interactive === false ? {headless: true} : {}),
		...(Object.keys(extra).length > 0 ? {extra} : {}),
	};

	const toolsUsed = [...new Set(messages.flatMap(message => message.content.filter(block => block.type === 'tool_use').map(block => String((block as {name: string}).name))))];
	await addStatCursors(session.files, cursors);
	return {
		mode: 'full',
		messages,
		info,
		cursors,
		...(info.cwd ? {workspace: {root_path: info.cwd}} : {}),
		...(toolsUsed.length > 0 ? {tools: {tools_used: toolsUsed}} : {}),
		warnings,
		unknownRecords,
		recordsParsed: rawMessages.length + (manifest ? 1 : 0),
	};
}
