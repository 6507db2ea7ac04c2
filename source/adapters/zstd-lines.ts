/**
 * The lines of a zstd-compressed JSONL file (Codex's `rollout-*.jsonl.zst`), split while decompressing.
 * Decompressing whole first let a few kilobytes of input inflate to gigabytes in memory, and a line past
 * the longest string V8 can hold made the read throw: here a line longer than MAX_LINE_BYTES is skipped
 * with a warning, as in plain JSONL files, and only the lines kept are held.
 */
import {Decompress} from 'fzstd';
import {type JsonlLine, MAX_LINE_BYTES} from './jsonl.js';

class LineSplitter {
	readonly lines: JsonlLine[] = [];
	readonly warnings: string[] = [];
	private pending: Uint8Array[] = [];
	private pendingBytes = 0;
	private oversized = false;
	private lineStart = 0;
	private position = 0;
	private lineNumber = 0;

	constructor(private readonly onLine?: (line: JsonlLine) => boolean) {}

	/** Returns false once `onLine` asked to stop. */
	push(chunk: Uint8Array): boolean {
		let from = 0;
		for (;;) {
			const newline = chunk.indexOf(10, from);
			if (newline === -1) {
				this.hold(chunk.subarray(from));
				this.position += chunk.length - from;
				return true;
			}

			this.hold(chunk.subarray(from, newline));
			this.position += newline - from + 1;
			if (!this.endLine()) return false;
			from = newline + 1;
		}
	}

	/** The last line, when the file does not end with a newline (a compressed file is complete). */
	finish(): void {
		if (this.pendingBytes > 0 || this.oversized) this.endLine();
	}

	private hold(piece: Uint8Array): void {
		if (this.oversized || piece.length === 0) return;
		this.pending.push(piece.slice());
		this.pendingBytes += piece.length;
		if (this.pendingBytes > MAX_LINE_BYTES) {
			this.oversized = true;
			this.pending = [];
		}
	}

	private endLine(): boolean {
		this.lineNumber++;
		let keepGoing = true;
		if (this.oversized) {
			this.warnings.push(`line ${this.lineNumber}: longer than ${MAX_LINE_BYTES / 1024 / 1024} MB, skipped`);
		} else {
			const text = Buffer.concat(this.pending).toString('utf8');
			if (text.trim().length > 0) {
				const line = {lineNumber: this.lineNumber, offset: this.lineStart, text};
				this.lines.push(line);
				if (this.onLine) keepGoing = this.onLine(line);
			}
		}

		this.pending = [];
		this.pendingBytes = 0;
		this.oversized = false;
		this.lineStart = this.position;
		return keepGoing;
	}
}

const STOP = Symbol('stop');

/**
 * Decompresses `data` line by line; `onLine` may return false to stop early (the rest is not decompressed).
 * Throws on data that is not valid zstd.
 */
export function zstdLines(data: Uint8Array, onLine?: (line: JsonlLine) => boolean): {lines: JsonlLine[]; warnings: string[]} {
	const splitter = new LineSplitter(onLine);
	const stream = new Decompress(chunk => {
		if (!splitter.push(chunk)) throw STOP;
	});
	try {
		stream.push(data, true);
		splitter.finish();
	} catch (error) {
		if (error !== STOP) throw error;
	}

	return {lines: splitter.lines, warnings: splitter.warnings};
}
