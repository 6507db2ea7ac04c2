/**
 * Native JSON nested deeper than any tool writes is cut before it reaches the engine. JSON.parse takes
 * any depth, but JSON.stringify and structuredClone overflow the stack at a few thousand levels: one
 * such record (a hostile or corrupted line) made capture skip its whole session, on every run.
 */

/** Deeper objects and arrays are replaced by CUT_MARKER (real records nest a few tens of levels). */
export const MAX_JSON_DEPTH = 200;
export const CUT_MARKER = `[sfs: nested deeper than ${MAX_JSON_DEPTH} levels, cut]`;

/** Replaces, in place, every object or array below MAX_JSON_DEPTH by CUT_MARKER; returns how many were cut. */
export function cutDeepNesting(value: unknown): number {
	return cutBelow(value, 0);
}

function cutBelow(value: unknown, depth: number): number {
	let cut = 0;
	const deeper = depth + 1 < MAX_JSON_DEPTH;
	if (Array.isArray(value)) {
		for (let index = 0; index < value.length; index++) {
			const child: unknown = value[index];
			if (typeof child !== 'object' || child === null) continue;
			if (deeper) cut += cutBelow(child, depth + 1);
			else {
				value[index] = CUT_MARKER;
				cut++;
			}
		}
	} else if (typeof value === 'object' && value !== null) {
		const record = value as Record<string, unknown>;
		for (const key in record) {
			const child = record[key];
			if (typeof child !== 'object' || child === null) continue;
			if (deeper) cut += cutBelow(child, depth + 1);
			else {
				record[key] = CUT_MARKER;
				cut++;
			}
		}
	}

	return cut;
}

/** JSON.parse for native data (throws as JSON.parse does), with deep nesting cut. */
export function parseNativeJson(text: string): unknown {
	const value: unknown = JSON.parse(text);
	cutDeepNesting(value);
	return value;
}

/** The one-line warning for a value that had parts cut (`where`: "line 12", a file name). */
export function cutWarning(where: string, cut: number): string {
	return `${where}: nested deeper than ${MAX_JSON_DEPTH} levels, ${cut} part(s) cut`;
}
