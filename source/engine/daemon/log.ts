/**
 * The daemon's log: one line per event, appended to `logs/daemon.log`, rotated by size
 * (daemon.log → daemon.log.1 → … → daemon.log.<keep>). Synchronous appends: the daemon logs only
 * on events, and a line must survive a kill right after it.
 */
import fs from 'node:fs';
import path from 'node:path';
import {ensureDir} from '../fs-atomic.js';
import {FILE_MODE} from '../paths.js';

export type LogLevel = 'info' | 'warn' | 'error';

export type DaemonLog = {
	write(level: LogLevel, message: string): void;
	readonly file: string;
};

export function openRotatingLog(file: string, options: {maxBytes?: number; keep?: number; echo?: (line: string) => void} = {}): DaemonLog {
	const maxBytes = options.maxBytes ?? 1024 * 1024;
	const keep = options.keep ?? 3;
	ensureDir(path.dirname(file));
	let size = sizeOf(file);

	const rotate = () => {
		for (let index = keep - 1; index >= 1; index--) {
			const from = `${file}.${index}`;
			if (fs.existsSync(from)) fs.renameSync(from, `${file}.${index + 1}`);
		}

		if (fs.existsSync(file)) fs.renameSync(file, `${file}.1`);
		size = 0;
	};

	return {
		file,
		write(level, message) {
			const line = `${new Date().toISOString()} ${level.padEnd(5)} ${message.replace(/\n/g, ' ')}\n`;
			try {
				if (size + line.length > maxBytes && size > 0) rotate();
				fs.appendFileSync(file, line, {mode: FILE_MODE});
				size += Buffer.byteLength(line);
			} catch {
				// A full disk must not stop capture; the status still reports errors.
			}

			options.echo?.(line);
		},
	};
}

function sizeOf(file: string): number {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}
