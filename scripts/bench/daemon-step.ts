import {naRow, type Row} from './report.js';
export async function measureDaemon(_: {repo: string; scale: string; log: (line: string) => void}) {
	const rows: Row[] = [naRow('daemon', '< 1 % / < 3 s', 'not measured yet')];
	return {rows, results: {}};
}
