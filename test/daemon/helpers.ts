/**
 * Real daemons on temp homes: a sandbox (HOME, SFS_HOME, XDG_* in a temp dir), Claude Code native
 * sessions written like the real tool (one JSON object per line, appended), and polling helpers.
 */
import {randomUUID} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, beforeEach} from 'vitest';
import {type Run, repoRoot, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

export {type Run, type Sandbox, sandbox, sfs};

export const claudeFixture = path.join(repoRoot, 'test', 'fixtures', 'claude-code', 'projects', '-home-me-ht-unleash', 'cfbdefef-46d0-438f-bafc-c75f200bc243.jsonl');
export const FIXTURE_NATIVE_ID = 'cfbdefef-46d0-438f-bafc-c75f200bc243';
/** The fixture's last record, so appended lines continue its chain. */
export const FIXTURE_LAST_UUID = '908790bb-432e-4989-aae1-85cae627aae4';

export function projectsDir(box: Sandbox): string {
	return path.join(box.home, '.claude', 'projects');
}

/** Copies the 10-turn Claude Code fixture into the sandbox's ~/.claude/projects; returns its path. */
export function installFixture(box: Sandbox): string {
	const dir = path.join(projectsDir(box), '-home-me-ht-unleash');
	fs.mkdirSync(dir, {recursive: true});
	const file = path.join(dir, `${FIXTURE_NATIVE_ID}.jsonl`);
	fs.copyFileSync(claudeFixture, file);
	return file;
}

export function userLine(sessionId: string, text: string, parentUuid: string | null = null, uuid = randomUUID()): string {
	return JSON.stringify({
		parentUuid,
		isSidechain: false,
		type: 'user',
		message: {role: 'user', content: text},
		uuid,
		timestamp: new Date().toISOString(),
		userType: 'external',
		cwd: '/home/me/ht/unleash',
		sessionId,
		version: '2.1.86',
	});
}

/** Appends a user message to a native session the way Claude Code does (one whole line per write). */
export function appendUser(file: string, text: string, sessionId = FIXTURE_NATIVE_ID): string {
	const uuid = randomUUID();
	fs.appendFileSync(file, `${userLine(sessionId, text, null, uuid)}\n`);
	return uuid;
}

/** A small native session with `turns` user/assistant pairs; returns its path. */
export function writeSession(dir: string, sessionId = randomUUID(), turns = 1): string {
	fs.mkdirSync(dir, {recursive: true});
	const lines: string[] = [];
	let parent: string | null = null;
	for (let turn = 0; turn < turns; turn++) {
		const user = randomUUID();
		lines.push(userLine(sessionId, `question ${turn} of ${sessionId}`, parent, user));
		const assistant = randomUUID();
		lines.push(
			JSON.stringify({
				parentUuid: user,
				isSidechain: false,
				type: 'assistant',
				message: {model: 'claude-opus-4-6', id: `msg_${assistant.slice(0, 8)}`, type: 'message', role: 'assistant', content: [{type: 'text', text: `answer ${turn}`}], usage: {input_tokens: 10, output_tokens: 5}},
				uuid: assistant,
				timestamp: new Date().toISOString(),
				userType: 'external',
				cwd: '/home/me/ht/unleash',
				sessionId,
				version: '2.1.86',
			}),
		);
		parent = assistant;
	}

	const file = path.join(dir, `${sessionId}.jsonl`);
	fs.writeFileSync(file, `${lines.join('\n')}\n`);
	return file;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

export type StatusJson = {
	running: boolean;
	state?: string;
	pid: number;
	captures: number;
	capturing: boolean;
	sessions_captured: number;
	last_capture: {new: number; updated: number; kind: string} | null;
	watched: Array<{tool: string; root: string; exists: boolean; watching: boolean}>;
	errors: {count: number; recent: Array<{message: string}>};
	memory: {rss: number};
	uptime_s: number;
};

export async function status(box: Sandbox): Promise<StatusJson> {
	const run = await sfs(box, ['daemon', 'status', '--json']);
	return JSON.parse(run.stdout) as StatusJson;
}

/** Waits until the daemon has finished its start-up capture and is idle. */
export async function waitIdle(box: Sandbox, timeoutMs = 30_000): Promise<StatusJson> {
	return waitFor('the daemon to be idle after a capture', async () => {
		const current = await status(box);
		return current.running && current.captures > 0 && !current.capturing ? current : undefined;
	}, timeoutMs, 100);
}

export function stored(box: Sandbox, sessionId: string): Array<{msg_id: string; content: Array<{type: string; text?: string}>}> {
	const file = path.join(box.sfsHome, 'sessions', sessionId, 'messages.jsonl');
	if (!fs.existsSync(file)) return [];
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line) as {msg_id: string; content: Array<{type: string; text?: string}>});
}

export function sessionIds(box: Sandbox): string[] {
	try {
		return fs.readdirSync(path.join(box.sfsHome, 'sessions')).filter(name => !name.startsWith('.'));
	} catch {
		return [];
	}
}

/** The user-visible text of every stored message. */
export function texts(box: Sandbox, sessionId: string): string[] {
	return stored(box, sessionId).map(message => message.content.map(block => block.text ?? '').join(''));
}

export function cpuTicks(pid: number): number {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	// utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based; here offset by the two cut off).
	return Number(fields[11]) + Number(fields[12]);
}

export async function stopQuietly(box: Sandbox): Promise<void> {
	await sfs(box, ['daemon', 'stop']).catch(() => undefined);
}

/**
 * A fresh sandbox before each test, its daemon stopped and its files removed after; `use` receives
 * each new sandbox (tests keep it in their own `let box`).
 */
export function sandboxPerTest(use: (box: Sandbox) => void): void {
	let current: Sandbox;
	beforeEach(() => {
		current = sandbox();
		use(current);
	});
	afterEach(async () => {
		await stopQuietly(current);
		current.cleanup();
	});
}

/** Kills the daemon with SIGKILL (no clean-up of its pid file or socket) and waits until the process is gone. */
export async function killHard(pid: number): Promise<void> {
	process.kill(pid, 'SIGKILL');
	await waitFor('the daemon to die', () => {
		try {
			process.kill(pid, 0);
			return undefined;
		} catch {
			return true;
		}
	});
}
