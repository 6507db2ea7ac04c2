/**
 * `<ref>` resolution, the same everywhere: an exact session id, else an alias, else the source tool's
 * own (native) id, else a unique prefix of a session id. An ambiguous match is an error listing the
 * candidates; nothing matching is NOT_FOUND.
 */
import {SfsError} from './errors.js';

/** What resolution needs from the index (SessionIndex satisfies it). */
export type RefLookup = {
	getSession(id: string): unknown;
	findByAlias(alias: string): string[];
	findByNativeId(nativeId: string): string[];
	findByIdPrefix(prefix: string): string[];
};

export type ResolveOptions = {
	/** Checked when the index does not know the id (e.g. a session the index missed). */
	existsInStore?: (id: string) => boolean;
};

export function resolveRef(ref: string, lookup: RefLookup, options: ResolveOptions = {}): string {
	const wanted = ref.trim();
	if (!wanted) throw new SfsError('USAGE', 'empty session reference', {hint: 'give a session id, alias, native id or id prefix'});
	if (lookup.getSession(wanted) || options.existsInStore?.(wanted)) return wanted;
	for (const [kind, candidates] of [
		['alias', lookup.findByAlias(wanted)],
		['native id', lookup.findByNativeId(wanted)],
		['id prefix', lookup.findByIdPrefix(wanted)],
	] as const) {
		const unique = [...new Set(candidates)];
		if (unique.length === 1) return unique[0]!;
		if (unique.length > 1) {
			throw new SfsError('AMBIGUOUS', `${JSON.stringify(wanted)} matches ${unique.length} sessions by ${kind}`, {
				hint: 'give more of the id, or use one of the ids below',
				details: unique.slice(0, 20).concat(unique.length > 20 ? [`… and ${unique.length - 20} more`] : []),
			});
		}
	}

	throw new SfsError('NOT_FOUND', `no session matches ${JSON.stringify(wanted)}`, {hint: 'see: sfs list'});
}
