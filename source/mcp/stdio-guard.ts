/**
 * stdout is the MCP JSON-RPC channel: one stray `console.log` or `process.stdout.write` (ours or a
 * dependency's) corrupts the stream and the client drops the connection. `claimStdout` runs before
 * anything else loads: it keeps the real stdout for the transport alone and sends everything else
 * that would write to stdout to stderr.
 */
import {Writable} from 'node:stream';

export function claimStdout(): Writable {
	const stdout = process.stdout;
	const realWrite = stdout.write.bind(stdout) as (chunk: unknown, encoding?: BufferEncoding, callback?: (error?: Error | null) => void) => boolean;
	const channel = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			if (realWrite(chunk)) callback();
			else stdout.once('drain', () => callback());
		},
	});
	// Anyone else writing to stdout (a dependency, a stray console.*) lands on stderr instead.
	stdout.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) =>
		(process.stderr.write as (...args: unknown[]) => boolean)(chunk, encoding, callback)) as typeof stdout.write;
	const toStderr = (...args: unknown[]) => console.error(...args);
	console.log = toStderr;
	console.info = toStderr;
	console.debug = toStderr;
	console.trace = toStderr;
	console.table = toStderr;
	console.dir = toStderr;
	return channel;
}
