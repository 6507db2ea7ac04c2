/**
 * String(value) for a value from native JSON. JSON can hold {"toString": 1}: String() and template
 * literals then find no callable toString and throw, which made the whole session unreadable.
 */
export function nativeString(value: unknown): string {
	try {
		return String(value);
	} catch {
		return Array.isArray(value) ? '[array]' : '[object]';
	}
}
