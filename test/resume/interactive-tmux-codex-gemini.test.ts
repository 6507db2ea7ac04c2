/**
 * The interactive resume commands of the Codex and Gemini writers (`codex resume <id>`, `gemini --resume <id>`)
 * launched in a real terminal (tmux, a private server): the real CLI shows the written conversation on screen,
 * takes a new prompt, and sends the earlier history with it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {codexWriter} from '../../source/adapters/codex-writer.js';
import {geminiWriter} from '../../source/adapters/gemini-writer.js';
import type {ResumeWriter} from '../../source/adapters/writer-types.js';
import {flattenConversation, type ModelEndpoint} from '../support/model-endpoint.js';
import {cliBinaryPath, createGitRepo, createToolHome, ensureClis} from '../support/real-clis.js';
import {adapterContext, expectationsFromManifest, loadRecordedSession, missingInOrder, startModelEndpoint} from '../support/resume-proof.js';
import {readableEntries} from '../support/resume-targets.js';

const socket = `sfs-resume-cg-${process.pid}`;
let endpoint: ModelEndpoint;

async function tmux(...args: string[]) {
	return execa('tmux', ['-L', socket, ...args], {reject: false, stdin: 'ignore'});
}

async function screen(name: string): Promise<string> {
	return (await tmux('capture-pane', '-p', '-J', '-t', name)).stdout;
}

async function waitForScreen(name: string, text: string, timeoutMs = 45_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		// eslint-disable-next-line no-await-in-loop
		last = await screen(name);
		if (last.includes(text)) return last;
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 500));
	}

	throw new Error(`"${text}" did not appear on screen; last screen:\n${last}`);
}

/** Types into the CLI's input once it takes keys (Gemini draws the history before its input is ready). */
async function typePrompt(name: string, text: string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		// eslint-disable-next-line no-await-in-loop
		await tmux('send-keys', '-t', name, '-l', text);
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 1000));
		// eslint-disable-next-line no-await-in-loop
		if ((await screen(name)).includes(text)) return;
	}

	throw new Error(`the input never showed "${text}"; last screen:\n${await screen(name)}`);
}

beforeAll(async () => {
	await ensureClis(['codex', 'gemini']);
	endpoint = await startModelEndpoint({script: [{match: 'sfs-tmux-check', text: 'Interactive resume works.'}]});
}, 600_000);

afterAll(async () => {
	await tmux('kill-server');
	await endpoint?.close();
});

const targets: Array<['codex' | 'gemini', ResumeWriter]> = [
	['codex', codexWriter],
	['gemini', geminiWriter],
];

describe('interactive resume in a terminal', () => {
	for (const [target, writer] of targets) {
		it(`${writer.resumeCommand('<id>', {}).join(' ')} shows and continues a Claude Code session`, async () => {
			const recorded = await loadRecordedSession('claude-code');
			expect(recorded).toBeDefined();
			const root = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-tmux-${target}-`));
			const cwd = await createGitRepo(path.join(root, 'work'), {'notes.txt': 'alpha\nbeta\n'});
			const home = await createToolHome(target, {endpointUrl: endpoint.url, root, trustedDirs: [cwd]});
			const written = await writer.write(recorded!.session, {cwd, now: new Date(), fromSessionId: 'sfs-test'}, adapterContext(home.home, home.env));
			const argv = writer.resumeCommand(written.nativeId, {});
			const env = Object.entries({...home.env, TERM: 'xterm-256color'}).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
			const started = await tmux('new-session', '-d', '-s', target, '-x', '200', '-y', '60', '-c', cwd, `env -i ${env.join(' ')} ${cliBinaryPath(target)} ${argv.slice(1).join(' ')}`);
			expect(started.exitCode, started.stderr).toBe(0);
			let passed = false;
			try {
				// The earlier conversation is on screen before anything is typed.
				const before = await waitForScreen(target, 'alpha comes first, then beta.');
				expect(before).toContain('Please show me what is in notes.txt.');
				expect(before).toContain('notes.txt lists two items: alpha and beta.');
				await typePrompt(target, 'And now [sfs-tmux-check]');
				await tmux('send-keys', '-t', target, 'Enter');
				await waitForScreen(target, 'Interactive resume works.');
				// The conversation request (side requests such as thread naming carry the prompt without the history).
				const requests = endpoint.conversationRequests().filter(candidate => JSON.stringify(candidate.body).includes('sfs-tmux-check'));
				expect(requests.length).toBeGreaterThan(0);
				const expectations = expectationsFromManifest(recorded!.manifest);
				const carried = requests.map(request => missingInOrder(readableEntries(request.protocol, flattenConversation(request.protocol, request.body)), expectations));
				expect(carried.some(missing => missing.length === 0), JSON.stringify(carried)).toBe(true);
				passed = true;
			} finally {
				await tmux('kill-session', '-t', target);
				if (passed) {
					// The CLI writes its last state as it exits after the hangup; then the run is removed (kept on failure).
					await new Promise(resolve => setTimeout(resolve, 2000));
					fs.rmSync(root, {recursive: true, force: true});
				}
			}
		}, 120_000);
	}
});
