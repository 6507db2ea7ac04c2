/**
 * Whether a native timestamp can be kept as it is: an RFC 3339 date-time whose fields are in range.
 * A pattern alone let "2026-13-45T99:99:99Z" or "2026-02-30T10:00:00Z" through, and the message then
 * failed the schema's date-time check (capture kept it only as an invalid native record).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isIsoTimestamp(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	const match = RFC3339.exec(value);
	if (!match) return false;
	const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
	if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return false;
	return match[9] === undefined || (Number(match[9]) <= 23 && Number(match[10]) <= 59);
}
