/**
 * Maps keyed by strings from native data (record types, message and tool call ids).
 *
 * Counting by a key that comes from native data (a record type): `counts[key] ?? 0` reads
 * Object.prototype for "constructor" or "toString" (a record of that type turned the count into
 * "function Object() { [native code] }1"), and assigning "__proto__" drops the count.
 */
export function addCount(counts: Record<string, number>, key: string, n = 1): void {
	const current = Object.hasOwn(counts, key) ? counts[key]! : 0;
	if (key === '__proto__') Object.defineProperty(counts, key, {value: current + n, enumerable: true, writable: true, configurable: true});
	else counts[key] = current + n;
}

/**
 * An object without a prototype, for a map keyed by native ids: in a plain object, id "constructor"
 * finds Object.prototype's and id "__proto__" cannot be stored. `from` is copied (a map restored from JSON).
 */
export function dictionary<T>(from?: Record<string, T>): Record<string, T> {
	return Object.assign(Object.create(null) as Record<string, T>, from);
}
