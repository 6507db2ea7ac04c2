/** A path or word as one POSIX shell argument: as it is when it is plain, else in single quotes. */
export function shellQuote(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", String.raw`'\''`)}'`;
}
