/** The bench table: one row per measurement, each with its goal and whether it was met. */
export type Status = 'met' | 'missed' | 'report' | 'n/a';
export type Row = {what: string; measured: string; goal: string; status: Status};

export function row(what: string, measured: string, goal: string, status: Status): Row {
	return {what, measured, goal, status};
}

export function naRow(what: string, goal: string, why: string): Row {
	return {what, measured: `n/a (${why})`, goal, status: 'n/a'};
}

export const ms = (value: number): string => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

export function printTable(rows: Row[], title: string): void {
	const headers = ['what', 'measured', 'goal', 'status'];
	const cells = rows.map(r => [r.what, r.measured, r.goal, r.status]);
	const widths = headers.map((header, i) => Math.max(header.length, ...cells.map(cell => cell[i]!.length)));
	const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
	console.log(`\n${title}\n`);
	console.log(line(headers));
	console.log(`|${widths.map(width => '-'.repeat(width + 2)).join('|')}|`);
	for (const cell of cells) console.log(line(cell));
	console.log('');
}
