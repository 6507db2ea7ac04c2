/**
 * `sfs mcp serve`: the MCP server over stdio. stdout carries JSON-RPC only: the console is guarded
 * before anything else loads, diagnostics go to stderr, nothing renders or prints banners.
 */
import {claimStdout} from './stdio-guard.js';

export type ServeOptions = {
	/** Capture new native sessions once at start-up, in a worker thread (default true). */
	capture?: boolean;
	version?: string;
};

export async function serveStdio(options: ServeOptions = {}): Promise<void> {
	const channel = claimStdout();
	const log = (line: string) => process.stderr.write(`${line}\n`);
	const [{StdioServerTransport}, {openEngine}, {createMcpServer}, {indexRefresher}] = await Promise.all([
		import('@modelcontextprotocol/sdk/server/stdio.js'),
		import('../engine/open-engine.js'),
		import('./server.js'),
		import('./index-refresh.js'),
	]);
	const engine = openEngine({onNotice: log});
	const server = createMcpServer({engine, log, beforeCall: indexRefresher(engine, log)}, options.version);
	const transport = new StdioServerTransport(process.stdin, channel);
	const closed = new Promise<void>(resolve => {
		server.server.onclose = resolve;
	});
	await server.connect(transport);
	// The SDK's stdio transport does not end on EOF; the client closing our stdin is the end of the session.
	process.stdin.once('end', () => void server.close());
	process.stdin.once('close', () => void server.close());
	if (options.capture !== false) captureInBackground(engine.env, log);
	try {
		await closed;
	} finally {
		engine.close();
	}
}

/**
 * One capture pass in a worker, so that sessions from the last minutes are searchable without a
 * daemon. The worker's own stdout is piped to stderr: it must never reach the JSON-RPC channel.
 */
function captureInBackground(env: NodeJS.ProcessEnv, log: (line: string) => void): void {
	void (async () => {
		const [{Worker}, fs] = await Promise.all([import('node:worker_threads'), import('node:fs')]);
		const workerFile = new URL('../engine/capture-worker.js', import.meta.url);
		if (!fs.existsSync(workerFile)) return; // Running from source (tests): no built worker.
		const worker = new Worker(workerFile, {workerData: {env: {...env}}, stdout: true, stderr: true});
		worker.stdout.pipe(process.stderr);
		worker.stderr.pipe(process.stderr);
		worker.on('message', (message: {type: string; report?: {new?: number; updated?: number}; message?: string}) => {
			if (message.type === 'done') log(`sfs mcp: captured ${message.report?.new ?? 0} new and ${message.report?.updated ?? 0} updated session(s)`);
			if (message.type === 'error') log(`sfs mcp: capture failed: ${message.message}`);
		});
		worker.on('error', error => log(`sfs mcp: capture failed: ${error.message}`));
		worker.unref();
	})().catch((error: unknown) => log(`sfs mcp: capture not started: ${error instanceof Error ? error.message : String(error)}`));
}
