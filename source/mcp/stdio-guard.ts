/**
 * stdout is the MCP JSON-RPC channel: one stray `console.log` (ours or a dependency's) corrupts the
 * stream and the client drops the connection. Imported first by `sfs mcp serve`, this sends every
 * console method that would write to stdout to stderr instead.
 */
const toStderr = (...args: unknown[]): void => {
	console.error(...args);
};

export function guardStdout(): void {
	console.log = toStderr;
	console.info = toStderr;
	console.debug = toStderr;
	console.trace = toStderr;
	console.dir = (value: unknown) => {
		process.stderr.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
	};
	console.table = toStderr;
}
