/**
 * Which native sessions a batch of file events concerns (the `only` filter of a capture). Generous on
 * purpose: a session is looked at when one of its files changed, when a file next to its files
 * changed (multi-file sessions, new files), or when a directory above it appeared or vanished.
 * Looking at an unchanged session costs a stat; missing a changed one would lose the append.
 */
import path from 'node:path';
import type {NativeSession} from '../../adapters/types.js';
import type {ChangeBatch} from './scheduler.js';

/** SQLite writes go to the -wal/-journal file first; they stand for the database itself. */
function mainFile(file: string): string {
	return file.replace(/-(wal|shm|journal)$/, '');
}

export function sessionFilter(batch: ChangeBatch): ((session: NativeSession) => boolean) | undefined {
	if (batch.full) return undefined;
	const files = new Set<string>();
	const parents = new Set<string>();
	// Paths that stand for everything below them: directories that appeared or vanished, and event
	// names that may be directories (a raw event does not say).
	const above = new Set<string>(batch.dirs);
	for (const file of batch.files) {
		const main = mainFile(file);
		files.add(main);
		parents.add(path.dirname(main));
		above.add(main);
	}

	const underChanged = (file: string) => {
		for (let current = path.dirname(file); ; current = path.dirname(current)) {
			if (above.has(current)) return true;
			if (path.dirname(current) === current) return false;
		}
	};

	return session => session.files.some(file => files.has(file) || parents.has(path.dirname(file)) || above.has(file) || underChanged(file));
}
