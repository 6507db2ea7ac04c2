/**
 * Native sessions that sfs itself wrote (resume, export into a tool's store). When capture meets one
 * again, it links it to the session it came from and marks the copied history, so search and cost
 * do not count that history twice. Kept in the store's data dir (it is truth, not index).
 */
import fs from 'node:fs';
import path from 'node:path';
import {appendLines, ensureDir} from './fs-atomic.js';
import {dataDir, type Env} from './paths.js';

export type WrittenNative = {
	tool: string;
	native_id: string;
	from_session_id: string;
	/** The last message of the source session that was copied. */
	through_msg_id: string | null;
	/** How many messages capture will read back from the written part (they are copies). */
	copied_messages: number;
	written_at: string;
};

function registryPath(env: Env): string {
	return path.join(dataDir(env), 'written-natives.jsonl');
}

export function recordWritten(env: Env, entry: WrittenNative): void {
	ensureDir(dataDir(env));
	appendLines(registryPath(env), [JSON.stringify(entry)]);
}

/** Every written native session, keyed `<tool>\0<native id>`. */
export function loadWritten(env: Env): Map<string, WrittenNative> {
	const result = new Map<string, WrittenNative>();
	let text: string;
	try {
		text = fs.readFileSync(registryPath(env), 'utf8');
	} catch {
		return result;
	}

	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		try {
			const entry = JSON.parse(line) as WrittenNative;
			result.set(`${entry.tool}\u0000${entry.native_id}`, entry);
		} catch {
			// A torn last line of a killed writer is not a committed entry.
		}
	}

	return result;
}
