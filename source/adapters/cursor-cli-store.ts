/**
 * The Cursor CLI's chat store (`~/.cursor/chats/<md5(cwd)>/<chatId>/store.db`): `meta['0']` is hex-encoded
 * JSON `{agentId, latestRootBlobId, name, mode, createdAt, lastUsedModel}`; `blobs` is a content-addressed
 * graph whose tree blobs are protobuf frames (field 1 = a message leaf id, field 2 = a subtree id, 32 bytes
 * each) and whose leaf blobs are JSON messages `{role, content: string | parts[]}`. Partially documented:
 * best effort, and whatever is not understood is kept.
 */
import type Database from 'better-sqlite3';
import type {ContentBlock, Message} from '../engine/types.js';
import {hasTable} from './cursor-snapshot.js';
import {flattenResult, isObject, isoFromMs, pruneEmpty, str, type Json} from './cursor-bubbles.js';
import {parseNativeJson} from './json-depth.js';
import {addCount} from './counts.js';
import {nativeString} from './native-text.js';

export type CliStoreRead = {meta?: Json; leaves: Array<{id: string; value: unknown}>; warnings: string[]};

const MAX_DEPTH = 64;

function readVarint(buffer: Buffer, start: number): {value: number; next: number} | undefined {
	let value = 0;
	let shift = 0;
	for (let index = start; index < buffer.length && shift < 53; index++) {
		const byte = buffer[index]!;
		value += (byte & 0x7f) * 2 ** shift;
		if ((byte & 0x80) === 0) return {value, next: index + 1};
		shift += 7;
	}

	return undefined;
}

/** The ordered (field, 32-byte id) references of a tree blob; undefined when it is not a tree. */
export function treeReferences(buffer: Buffer): Array<{field: number; id: string}> | undefined {
	const references: Array<{field: number; id: string}> = [];
	let offset = 0;
	while (offset < buffer.length) {
		const tag = readVarint(buffer, offset);
		if (!tag) return undefined;
		const field = Math.floor(tag.value / 8);
		const wire = tag.value % 8;
		offset = tag.next;
		if (wire === 0) {
			const skipped = readVarint(buffer, offset);
			if (!skipped) return undefined;
			offset = skipped.next;
		} else if (wire === 1) {
			offset += 8;
		} else if (wire === 5) {
			offset += 4;
		} else if (wire === 2) {
			const length = readVarint(buffer, offset);
			if (!length || length.next + length.value > buffer.length) return undefined;
			if ((field === 1 || field === 2) && length.value === 32) references.push({field, id: buffer.subarray(length.next, length.next + 32).toString('hex')});
			offset = length.next + length.value;
		} else {
			return undefined;
		}
	}

	return offset === buffer.length ? references : undefined;
}

function decodeMeta(value: unknown): Json | undefined {
	const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : undefined;
	if (!text) return undefined;
	for (const candidate of [/^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex').toString('utf8') : undefined, text]) {
		if (!candidate) continue;
		try {
			const parsed = parseNativeJson(candidate);
			if (isObject(parsed)) return parsed;
		} catch {}
	}

	return undefined;
}

function parseLeaf(data: Buffer): unknown {
	try {
		return parseNativeJson(data.toString('utf8'));
	} catch {
		return undefined;
	}
}

export function isCliStore(db: Database.Database): boolean {
	return hasTable(db, 'meta') && hasTable(db, 'blobs');
}

export function readCliStore(db: Database.Database): CliStoreRead {
	const warnings: string[] = [];
	if (!hasTable(db, 'meta')) return {leaves: [], warnings: ['no meta table']};
	const row = db.prepare("SELECT value FROM meta WHERE key = '0'").get() as {value: unknown} | undefined;
	const meta = row ? decodeMeta(row.value) : undefined;
	if (!meta) return {leaves: [], warnings: ["meta['0'] missing or not JSON"]};
	const root = str(meta.latestRootBlobId);
	if (!root || !hasTable(db, 'blobs')) return {meta, leaves: [], warnings};

	const getBlob = db.prepare('SELECT data FROM blobs WHERE id = ?');
	const blob = (id: string): Buffer | undefined => {
		const found = (getBlob.get(id) ?? getBlob.get(Buffer.from(id, 'hex'))) as {data: unknown} | undefined;
		if (!found) return undefined;
		return Buffer.isBuffer(found.data) ? found.data : typeof found.data === 'string' ? Buffer.from(found.data, 'utf8') : undefined;
	};

	const leaves: Array<{id: string; value: unknown}> = [];
	const visited = new Set<string>();
	let missing = 0;
	const walk = (id: string, depth: number, asLeaf: boolean) => {
		if (visited.has(id) || depth > MAX_DEPTH) return;
		visited.add(id);
		const data = blob(id);
		if (!data) {
			missing++;
			return;
		}

		const references = asLeaf ? undefined : treeReferences(data);
		if (references && references.length > 0) {
			for (const reference of references) walk(reference.id, depth + 1, reference.field === 1);
			return;
		}

		leaves.push({id, value: parseLeaf(data) ?? {undecodable_blob: data.toString('base64')}});
	};

	walk(root, 0, false);
	if (missing > 0) warnings.push(`${missing} referenced blob(s) missing`);
	return {meta, leaves, warnings};
}

const ROLES = new Set(['user', 'assistant', 'system', 'tool']);

function mapPart(part: unknown): ContentBlock {
	if (typeof part === 'string') return {type: 'text', text: part};
	if (!isObject(part) || typeof part.type !== 'string') return {type: 'invalid_block', block: part};
	switch (part.type) {
		case 'text': {
			if (typeof part.text === 'string') return {type: 'text', text: part.text};
			break;
		}

		case 'reasoning': {
			if (typeof part.text === 'string') return {type: 'thinking', text: part.text, signature: str(part.signature) ?? null};
			break;
		}

		case 'tool-call': {
			const id = str(part.toolCallId);
			const name = str(part.toolName);
			if (id && name) return {type: 'tool_use', tool_use_id: id, name, input: isObject(part.args) ? part.args : isObject(part.input) ? part.input : {}};
			break;
		}

		case 'tool-result': {
			const id = str(part.toolCallId);
			if (id) return {type: 'tool_result', tool_use_id: id, content: flattenResult(part.result ?? part.output), is_error: part.isError === true};
			break;
		}

		default: {
			if (!['thinking', 'tool_use', 'tool_result', 'image', 'summary'].includes(part.type)) return {...part} as ContentBlock;
		}
	}

	return {type: 'invalid_block', block: part};
}

export function mapCliLeaves(leaves: Array<{id: string; value: unknown}>, meta: Json | undefined, fallbackTime: string): {messages: Message[]; unknownRecords: Record<string, number>} {
	const timestamp = isoFromMs(meta?.createdAt) ?? fallbackTime;
	const messages: Message[] = [];
	const unknownRecords: Record<string, number> = {};
	let previous: string | undefined;
	let turnId: string | undefined;
	for (const leaf of leaves) {
		const value = leaf.value;
		const role = isObject(value) && typeof value.role === 'string' && ROLES.has(value.role) ? (value.role as Message['role']) : undefined;
		let message: Message;
		if (!isObject(value) || !role || (typeof value.content !== 'string' && !Array.isArray(value.content))) {
			const kind = isObject(value) ? `blob:${nativeString(value.role ?? value.type ?? 'no-role')}` : 'blob:not-json';
			addCount(unknownRecords, kind);
			message = {msg_id: leaf.id, role: 'system', is_meta: true, content: [{type: 'native_record', record: value}], timestamp};
		} else {
			const content = typeof value.content === 'string' ? [{type: 'text', text: value.content} as ContentBlock] : value.content.map(part => mapPart(part));
			if (content.length === 0) content.push({type: 'native_record', record: value});
			message = {msg_id: leaf.id, role, content, timestamp, metadata: {timestamp_estimated: true}};
			if (role === 'system') message.is_meta = true;
			if (role === 'user' && content.some(block => block.type === 'text')) turnId = leaf.id;
			if (role === 'assistant' && str(meta?.lastUsedModel)) message.model = meta!.lastUsedModel as string;
			const native = pruneEmpty(value, ['role', 'content']);
			if (native) message.metadata!.native = native;
		}

		message.parent_msg_id = previous ?? null;
		if (turnId) message.turn_id = turnId;
		previous = leaf.id;
		messages.push(message);
	}

	return {messages, unknownRecords};
}
