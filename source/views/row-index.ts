import type {SessionRow} from './engine-context.js';

const cache = new WeakMap<readonly SessionRow[], Map<string, SessionRow>>();

/** id → row, built once per row list, so screens look rows up without scanning 10,000 of them per render. */
export function rowById(rows: readonly SessionRow[], sessionId: string | undefined): SessionRow | undefined {
	if (!sessionId) {
		return undefined;
	}

	let index = cache.get(rows);
	if (!index) {
		index = new Map(rows.map(row => [row.session_id, row]));
		cache.set(rows, index);
	}

	return index.get(sessionId);
}
