/**
 * Talking to a running daemon: connect to its socket, send requests, receive events. Every call
 * has a timeout, so a hung or stale daemon never hangs the CLI or the TUI.
 */
import net from 'node:net';
import {SfsError} from '../errors.js';
import type {Env} from '../paths.js';
import {socketPath} from './files.js';
import {type DaemonEvent, type DaemonMethod, type DaemonRequest, type DaemonResponse, type DaemonStatus, lineReader} from './protocol.js';

export type DaemonClient = {
	request<T = unknown>(method: DaemonMethod, params?: DaemonRequest['params'], options?: {timeoutMs?: number}): Promise<T>;
	/** Receive session-added/updated events; returns the unsubscribe function. */
	subscribe(listener: (event: DaemonEvent) => void): Promise<() => void>;
	onClose(listener: () => void): void;
	/** Do not keep the process alive for this connection. */
	unref(): void;
	close(): void;
};

export async function connectDaemon(env: Env, options: {timeoutMs?: number} = {}): Promise<DaemonClient> {
	const file = socketPath(env);
	const socket = await new Promise<net.Socket>((resolve, reject) => {
		const connection = net.createConnection(file);
		const timer = setTimeout(() => {
			connection.destroy();
			reject(new SfsError('NOT_AVAILABLE', 'the daemon did not answer', {hint: 'see: sfs daemon status'}));
		}, options.timeoutMs ?? 1000);
		connection.once('connect', () => {
			clearTimeout(timer);
			resolve(connection);
		});
		connection.once('error', error => {
			clearTimeout(timer);
			reject(new SfsError('NOT_AVAILABLE', `the daemon is not running (${(error as NodeJS.ErrnoException).code ?? error.message})`, {hint: 'start it: sfs daemon start'}));
		});
	});

	let nextId = 1;
	const pending = new Map<number, {resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout}>();
	const listeners = new Set<(event: DaemonEvent) => void>();
	const closeListeners = new Set<() => void>();
	socket.on(
		'data',
		lineReader(line => {
			let message: DaemonResponse | DaemonEvent;
			try {
				message = JSON.parse(line) as DaemonResponse | DaemonEvent;
			} catch {
				return;
			}

			if ('event' in message) {
				for (const listener of listeners) listener(message);
				return;
			}

			const waiting = pending.get(message.id);
			if (!waiting) return;
			pending.delete(message.id);
			clearTimeout(waiting.timer);
			if (message.ok) waiting.resolve(message.result);
			else waiting.reject(new SfsError('IO', `daemon: ${message.error}`));
		}),
	);
	socket.on('error', () => socket.destroy());
	socket.on('close', () => {
		for (const waiting of pending.values()) {
			clearTimeout(waiting.timer);
			waiting.reject(new SfsError('NOT_AVAILABLE', 'the daemon closed the connection'));
		}

		pending.clear();
		for (const listener of closeListeners) listener();
	});

	const request = async <T>(method: DaemonMethod, params?: DaemonRequest['params'], requestOptions: {timeoutMs?: number} = {}): Promise<T> => {
		const id = nextId++;
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				pending.delete(id);
				reject(new SfsError('NOT_AVAILABLE', `the daemon did not answer "${method}" in time`, {hint: 'see: sfs daemon status; sfs daemon restart'}));
			}, requestOptions.timeoutMs ?? 5000);
			pending.set(id, {resolve: resolve as (value: unknown) => void, reject, timer});
			socket.write(`${JSON.stringify({id, method, ...(params ? {params} : {})} satisfies DaemonRequest)}\n`);
		});
	};

	return {
		request,
		async subscribe(listener) {
			if (listeners.size === 0) await request('subscribe');
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		onClose(listener) {
			closeListeners.add(listener);
		},
		unref() {
			socket.unref();
		},
		close() {
			socket.destroy();
		},
	};
}

/** The daemon's status, or undefined when none answers (within `timeoutMs`). */
export async function queryStatus(env: Env, timeoutMs = 2000): Promise<DaemonStatus | undefined> {
	let client: DaemonClient | undefined;
	try {
		client = await connectDaemon(env, {timeoutMs});
		return await client.request<DaemonStatus>('status', undefined, {timeoutMs});
	} catch {
		return undefined;
	} finally {
		client?.close();
	}
}
