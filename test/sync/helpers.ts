/** Sessions, temp homes and an in-process server on 127.0.0.1 for the sync tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openEngine, type Engine} from '../../source/engine/open-engine.js';
import type {Message, Session} from '../../source/engine/types.js';
import {type RunningServer, type ServerOptions, startServer} from '../../source/server/app.js';
import {SqliteStorage} from '../../source/server/sqlite-storage.js';

export function tempDir(prefix: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), `sfs-sync-${prefix}-`));
}

export function message(id: string, text: string, at = '2026-03-20T14:00:00.000Z'): Message {
	return {msg_id: id, role: 'user', content: [{type: 'text', text}], timestamp: at};
}

export function session(id: string, messages: Message[], extra: Partial<Session['manifest']> = {}): Session {
	return {
		manifest: {sfs_version: '0.1.0', session_id: id, title: `title of ${id}`, created_at: '2026-03-20T14:00:00.000Z', updated_at: '2026-03-20T14:00:00.000Z', source: {tool: 'claude-code'}, ...extra},
		messages,
	};
}

/** A "machine": its own HOME/SFS_HOME and an open engine over it. */
export type Machine = {root: string; env: NodeJS.ProcessEnv; engine: Engine; close(): void};

export function machine(name: string): Machine {
	const root = tempDir(name);
	const env: NodeJS.ProcessEnv = {HOME: path.join(root, 'home'), SFS_HOME: path.join(root, 'sfs'), PATH: process.env.PATH};
	fs.mkdirSync(env.HOME!, {recursive: true});
	const engine = openEngine({env});
	return {
		root,
		env,
		engine,
		close() {
			engine.close();
			fs.rmSync(root, {recursive: true, force: true});
		},
	};
}

export async function server(options: Partial<ServerOptions> = {}): Promise<RunningServer & {data: string}> {
	const data = tempDir('server');
	const running = await startServer({storage: new SqliteStorage(data), host: '127.0.0.1', port: 0, ...options});
	return {
		...running,
		data,
		async close() {
			await running.close();
			fs.rmSync(data, {recursive: true, force: true});
		},
	};
}

/** One raw request (no retries), for the server's own answers. */
export async function raw(url: string, method: string, route: string, options: {token?: string; body?: string | object; headers?: Record<string, string>} = {}) {
	const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const response = await fetch(`${url}${route}`, {
		method,
		headers: {...(body === undefined ? {} : {'content-type': 'application/json'}), ...(options.token ? {authorization: `Bearer ${options.token}`} : {}), ...options.headers},
		body,
		signal: AbortSignal.timeout(30_000),
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = text;
	}

	return {status: response.status, headers: response.headers, json: json as any};
}
