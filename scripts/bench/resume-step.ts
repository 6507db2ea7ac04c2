import {naRow, type Row} from './report.js';
export async function measureResume(_: {repo: string; env: NodeJS.ProcessEnv; log: (line: string) => void}) {
	const rows: Row[] = [naRow('resume', '< 500 ms', 'not measured yet')];
	return {rows, results: {}};
}
