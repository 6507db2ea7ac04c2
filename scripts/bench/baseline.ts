/**
 * The physical-limit baseline, in the same run as the capture it is compared with: one thread reads
 * every native file and JSON.parse-s every record (each line of a .jsonl, each whole .json), nothing else.
 */
import fs from 'node:fs';

export type Baseline = {ms: number; cpuMs: number; bytes: number; records: number};

export function parseBaseline(files: string[]): Baseline {
	const started = performance.now();
	const cpuBefore = process.cpuUsage();
	let bytes = 0;
	let records = 0;
	for (const file of files) {
		const text = fs.readFileSync(file, 'utf8');
		bytes += Buffer.byteLength(text);
		if (file.endsWith('.jsonl')) {
			let start = 0;
			while (start < text.length) {
				let end = text.indexOf('\n', start);
				if (end === -1) end = text.length;
				if (end > start) {
					JSON.parse(text.slice(start, end));
					records++;
				}

				start = end + 1;
			}
		} else {
			JSON.parse(text);
			records++;
		}
	}

	const cpu = process.cpuUsage(cpuBefore);
	return {ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, bytes, records};
}
