/**
 * Counting by a key that comes from native data (a record type): `counts[key] ?? 0` reads
 * Object.prototype for "constructor" or "toString" (a record of that type turned the count into
 * "function Object() { [native code] }1"), and assigning "__proto__" drops the count.
 */
export function addCount(counts: Record<string, number>, key: string, n = 1): void {
	const current = Object.hasOwn(counts, key) ? counts[key]! : 0;
	if (key === '__proto__') Object.defineProperty(counts, key, {value: current + n, enumerable: true, writable: true, configurable: true});
	else counts[key] = current + n;
}
