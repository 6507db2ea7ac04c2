import {naRow, type Row} from './report.js';
export async function measureTui(_: {cli: string; env: NodeJS.ProcessEnv; log: (line: string) => void}) {
	const rows: Row[] = [naRow('TUI first frame', '< 400 ms', 'not measured yet'), naRow('memory, TUI', '< 150 MB', 'not measured yet')];
	return {rows, results: {}};
}
