/**
 * The daemon's socket protocol: JSON lines over a Unix socket.
 *   request:  {"id": 1, "method": "status" | "capture" | "subscribe" | "rebuild-index" | "stop", "params"?: {...}}
 *   response: {"id": 1, "ok": true, "result": ...} or {"id": 1, "ok": false, "error": "one line"}
 *   event:    {"event": "session-added" | "session-updated", "session_id": "..."} (after "subscribe"),
 *             {"event": "capture-done", "new": n, "updated": n, "duration_ms": n}, {"event": "index-rebuilt"}
 */
import {StringDecoder} from 'node:string_decoder';
import type {ToolId} from '../types.js';
import type {AutoSyncStatus} from './autosync.js';

export type DaemonMethod = 'status' | 'capture' | 'subscribe' | 'rebuild-index' | 'stop';

export type DaemonRequest = {id: number; method: DaemonMethod; params?: {tools?: ToolId[]}};

export type DaemonResponse = {id: number; ok: true; result?: unknown} | {id: number; ok: false; error: string};

export type DaemonEvent =
	| {event: 'session-added' | 'session-updated'; session_id: string}
	| {event: 'capture-done'; new: number; updated: number; duration_ms: number}
	| {event: 'index-rebuilt'; sessions: number};

export type CaptureSummary = {
	at: string;
	duration_ms: number;
	new: number;
	updated: number;
	unchanged: number;
	skipped: number;
	warnings: number;
	tools: ToolId[];
	/** 'full' (start-up, requested) or 'changes' (files that changed). */
	kind: 'full' | 'changes';
};

/** A capture that could not run and is tried again (`sfs daemon status`). */
export type CaptureWaiting = {
	/**
	 * 'capture-lock': another process (a TUI, `sfs capture`) holds capture.lock; 'error': the last try
	 * failed as a whole (the index busy, a store error); 'skipped': it ran but skipped sessions (a file
	 * vanished mid-read, the index busy for them), which are looked at again.
	 */
	reason: 'capture-lock' | 'error' | 'skipped';
	since: string;
	/** Tries that did not capture, so far. */
	attempts: number;
	/** When it is tried next (sooner when capture.lock is released); null while a try is under way. */
	next_try_at: string | null;
	/** The process holding capture.lock, when that is the reason. */
	holder_pid: number | null;
	message: string;
};

export type DaemonStatus = {
	pid: number;
	version: string;
	started_at: string;
	uptime_s: number;
	socket: string;
	log: string;
	data_dir: string;
	watched: Array<{tool: ToolId; root: string; exists: boolean; watching: boolean}>;
	sessions_captured: number;
	captures: number;
	capturing: boolean;
	/** Changes not captured yet: file events in their quiet period, or a capture waiting to be tried again. Absent from older daemons. */
	pending?: boolean;
	/** A capture waiting to be tried again, or null. Absent from older daemons. */
	waiting?: CaptureWaiting | null;
	last_capture: CaptureSummary | null;
	/** Autosync with the team server (sfs sync auto); absent from daemons older than it. */
	sync?: AutoSyncStatus | null;
	errors: {count: number; recent: Array<{at: string; message: string}>};
	memory: {rss: number; heap_used: number};
	cpu: {user_ms: number; system_ms: number};
};

/**
 * Splits a byte stream into lines, calling `onLine` with each complete one. A character split
 * between two chunks (a path like /home/zoë in a status answer) is decoded whole.
 */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer | string) => void {
	let buffered = '';
	const decoder = new StringDecoder('utf8');
	return chunk => {
		buffered += typeof chunk === 'string' ? chunk : decoder.write(chunk);
		let newline = buffered.indexOf('\n');
		while (newline !== -1) {
			const line = buffered.slice(0, newline).trim();
			buffered = buffered.slice(newline + 1);
			if (line) onLine(line);
			newline = buffered.indexOf('\n');
		}

		if (buffered.length > 1024 * 1024) buffered = ''; // A peer that never ends a line is not served.
	};
}
