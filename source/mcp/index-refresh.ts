/**
 * The server lives as long as the agent's session, while `sfs index rebuild` or the daemon may
 * replace index.db (a new file renamed over the old one). A connection to the old file would go on
 * reading the unlinked copy, so before each call the index is reopened when the file was replaced.
 */
import fs from 'node:fs';
import {SessionIndex} from '../engine/index-db.js';
import type {Engine} from '../engine/open-engine.js';
import {indexPath} from '../engine/paths.js';

function inodeOf(file: string): number | undefined {
	try {
		return fs.statSync(file).ino;
	} catch {
		return undefined;
	}
}

/** A check to run before each tool call: reopens `engine.index` when index.db is no longer the file it has open. */
export function indexRefresher(engine: Engine, log: (line: string) => void = () => {}): () => void {
	const file = indexPath(engine.env);
	let opened = inodeOf(file);
	return () => {
		const now = inodeOf(file);
		if (now === undefined || now === opened) return;
		try {
			const fresh = SessionIndex.open(file);
			engine.index.close();
			engine.index = fresh;
			opened = now;
		} catch (error) {
			log(`sfs mcp: the index was replaced but could not be reopened: ${error instanceof Error ? error.message : String(error)}`);
		}
	};
}
