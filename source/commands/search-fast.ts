/**
 * `sfs search` in one CommonJS file: scripts/bundle-search.mjs bundles this module, what it imports
 * and better-sqlite3's JavaScript into dist/search-fast.cjs, which cli.tsx requires before loading
 * anything else. Why: Node's ESM loader resolves, reads and links each of the ~14 modules of the
 * search path on its own, and better-sqlite3 is 13 more CommonJS files; one required file saves
 * ~13 ms of CPU of every `sfs search` (docs/performance.md).
 *
 * It handles the common case only, an index that opens read-only. Anything else (no index, a damaged
 * or busy one, a usage error, any failure at all) gives undefined, and cli.tsx then runs the command
 * the usual way, which reports the error or rebuilds the index. Output is printed only once the
 * search has succeeded, so a fallback never repeats it.
 */
import {SessionIndex} from '../engine/index-db.js';
import {indexPath} from '../engine/paths.js';
import {type IndexOpener, runSearch} from './search.js';

export async function runSearchFast(argv: string[]): Promise<number | undefined> {
	try {
		return await runSearch(argv, readonlyIndex);
	} catch {
		return undefined;
	}
}

const readonlyIndex: IndexOpener = async fn => {
	const index = SessionIndex.open(indexPath(), {readonly: true});
	try {
		return fn(index);
	} finally {
		index.close();
	}
};
