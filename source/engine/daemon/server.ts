/**
 * The daemon's Unix socket server (mode 0600 in the 0700 run dir). Each connection sends requests
 * as JSON lines; a connection that subscribed also receives events.
 */
import fs from 'node:fs';
import net from 'node:net';
import {type DaemonEvent, type DaemonRequest, type DaemonResponse, lineReader} from './protocol.js';
import {errorLine} from '../errors.js';

export type RequestHandler = (request: DaemonRequest) => Promise<unknown>;

export class DaemonServer {
	private server: net.Server | undefined;
	private readonly subscribers = new Set<net.Socket>();
	private readonly sockets = new Set<net.Socket>();

	constructor(
		private readonly file: string,
		private readonly handle: RequestHandler,
	) {}

	async listen(): Promise<void> {
		fs.rmSync(this.file, {force: true}); // Only called once the pid file is ours: any socket here is stale.
		const server = net.createServer(socket => this.accept(socket));
		this.server = server;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			// Created 0600 from the start (umask), not chmod-ed after: no window where others can connect.
			const previous = process.umask(0o177);
			try {
				server.listen(this.file, () => {
					server.off('error', reject);
					resolve();
				});
			} finally {
				process.umask(previous);
			}
		});
		fs.chmodSync(this.file, 0o600);
	}

	broadcast(event: DaemonEvent): void {
		const line = `${JSON.stringify(event)}\n`;
		for (const socket of this.subscribers) socket.write(line);
	}

	get subscriberCount(): number {
		return this.subscribers.size;
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>(resolve => {
			if (!this.server) resolve();
			else this.server.close(() => resolve());
		});
		fs.rmSync(this.file, {force: true});
	}

	private accept(socket: net.Socket): void {
		this.sockets.add(socket);
		socket.on('close', () => {
			this.sockets.delete(socket);
			this.subscribers.delete(socket);
		});
		socket.on('error', () => socket.destroy());
		socket.on(
			'data',
			lineReader(line => {
				void this.answer(socket, line);
			}),
		);
	}

	private async answer(socket: net.Socket, line: string): Promise<void> {
		let request: DaemonRequest;
		try {
			request = JSON.parse(line) as DaemonRequest;
			if (!request || typeof request !== 'object' || typeof request.method !== 'string') throw new Error('not a request');
		} catch {
			this.send(socket, {id: 0, ok: false, error: 'invalid request: expected one JSON object per line'});
			return;
		}

		if (request.method === 'subscribe') {
			this.subscribers.add(socket);
			this.send(socket, {id: request.id, ok: true});
			return;
		}

		try {
			this.send(socket, {id: request.id, ok: true, result: await this.handle(request)});
		} catch (error) {
			this.send(socket, {id: request.id, ok: false, error: errorLine(error)});
		}
	}

	private send(socket: net.Socket, response: DaemonResponse): void {
		if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
	}
}
