/**
 * The BUILT binary (`node dist/cli.js mcp serve`, build first) under the SDK's stdio client: the
 * server captures at start-up, answers tool calls, and writes nothing but JSON-RPC on stdout.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cliPath, type Sandbox, sandbox} from '../cli/run-sfs.js';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');
let box: Sandbox;

beforeAll(() => {
	box = sandbox();
	fs.cpSync(path.join(fixtures, 'codex', 'real-0.169.0-failing-command', 'sessions'), path.join(box.env.CODEX_HOME!, 'sessions'), {recursive: true});
});

afterAll(() => box?.cleanup());

type Result = {content: Array<{type: string; text: string}>; structuredContent?: Record<string, any>; isError?: boolean};

describe('sfs mcp serve over stdio', () => {
	test('a real SDK client lists tools and reads sessions captured at start-up; no protocol errors', async () => {
		const transport = new StdioClientTransport({command: process.execPath, args: [cliPath, 'mcp', 'serve'], env: box.env, cwd: box.root, stderr: 'pipe'});
		let stderr = '';
		transport.stderr?.on('data', chunk => {
			stderr += String(chunk);
		});
		const client = new Client({name: 'sfs-stdio-test', version: '1.0.0'});
		const errors: unknown[] = [];
		client.onerror = error => errors.push(error);
		await client.connect(transport);
		try {
			expect(client.getServerVersion()?.name).toBe('sfs');
			const {tools} = await client.listTools();
			expect(tools).toHaveLength(12);
			// The start-up capture runs in a worker; its sessions appear within moments.
			let sessions: any[] = [];
			for (let attempt = 0; attempt < 100 && sessions.length === 0; attempt++) {
				const result = (await client.callTool({name: 'list_recent_sessions', arguments: {}})) as Result;
				sessions = result.structuredContent!.sessions;
				if (sessions.length === 0) await new Promise(resolve => setTimeout(resolve, 100));
			}

			expect(sessions.length).toBe(1);
			expect(sessions[0].tool).toBe('codex');
			const found = (await client.callTool({name: 'search_sessions', arguments: {query: 'missing.txt'}})) as Result;
			expect(found.structuredContent!.results[0].session_id).toBe(sessions[0].session_id);
			const messages = (await client.callTool({name: 'get_session_messages', arguments: {session: sessions[0].session_id, max_chars: 1000}})) as Result;
			expect(messages.structuredContent!.chars).toBeLessThanOrEqual(1000);
			const invalid = (await client.callTool({name: 'get_session_messages', arguments: {session: 42}})) as Result;
			expect(invalid.isError).toBe(true);
		} finally {
			await client.close();
		}

		expect(errors).toEqual([]);
		expect(stderr).toMatch(/captured 1 new/);
	}, 60_000);

	test('the guard: stray console output and stdout writes go to stderr; only the claimed channel reaches stdout', async () => {
		const guard = path.join(path.dirname(cliPath), 'mcp', 'stdio-guard.js');
		const script = `const {claimStdout} = await import(${JSON.stringify(guard)});
const channel = claimStdout();
console.log('stray log'); console.info('stray info'); process.stdout.write('stray write\\n');
channel.write('{"jsonrpc":"2.0","id":1,"result":{}}\\n');`;
		const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
		});
		child.stderr.on('data', chunk => {
			stderr += String(chunk);
		});
		expect(await new Promise(resolve => child.on('exit', resolve))).toBe(0);
		expect(stdout).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');
		expect(stderr).toContain('stray log');
		expect(stderr).toContain('stray info');
		expect(stderr).toContain('stray write');
	});

	test('every line the server writes to stdout is a JSON-RPC message', async () => {
		const child = spawn(process.execPath, [cliPath, 'mcp', 'serve', '--no-capture'], {env: box.env, cwd: box.root, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', chunk => {
			stdout += String(chunk);
		});
		const requests = [
			{jsonrpc: '2.0', id: 1, method: 'initialize', params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'raw', version: '1'}}},
			{jsonrpc: '2.0', method: 'notifications/initialized'},
			{jsonrpc: '2.0', id: 2, method: 'tools/list'},
			{jsonrpc: '2.0', id: 3, method: 'tools/call', params: {name: 'search_sessions', arguments: {query: 'zzqqxxnothing'}}},
			{jsonrpc: '2.0', id: 4, method: 'tools/call', params: {name: 'get_session', arguments: {session: 'nope'}}},
			{jsonrpc: '2.0', id: 5, method: 'tools/call', params: {name: 'no_such_tool', arguments: {}}},
		];
		for (const request of requests) child.stdin.write(`${JSON.stringify(request)}\n`);
		const exited = new Promise<number | null>(resolve => child.on('exit', resolve));
		// Wait for the five answers, then close stdin: the server must exit on its own.
		for (let waited = 0; waited < 20_000 && stdout.split('\n').filter(Boolean).length < 5; waited += 50) await new Promise(resolve => setTimeout(resolve, 50));
		child.stdin.end();
		expect(await exited).toBe(0);
		const lines = stdout.split('\n').filter(line => line.length > 0);
		expect(lines.length).toBe(5);
		for (const line of lines) {
			const message = JSON.parse(line) as {jsonrpc: string; id: number};
			expect(message.jsonrpc).toBe('2.0');
		}

		const byId = new Map(lines.map(line => {
			const message = JSON.parse(line) as {id: number; result?: any; error?: any};
			return [message.id, message];
		}));
		expect(byId.get(3)!.result.structuredContent).toEqual({query: 'zzqqxxnothing', results: [], hint: expect.any(String)});
		expect(byId.get(4)!.result.isError).toBe(true);
		expect(byId.get(5)!.error ?? byId.get(5)!.result.isError).toBeTruthy();
	}, 60_000);
});
