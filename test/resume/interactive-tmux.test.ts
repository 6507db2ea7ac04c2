/**
 * The interactive resume command (`resumeCommand`) launched in a real terminal (tmux, a private server): the real
 * CLI shows the written conversation on screen, takes a new prompt, and sends the earlier history with it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {claudeCodeWriter} from '../../source/adapters/claude-code-writer.js';
import {copilotWriter} from '../../source/adapters/copilot-writer.js';
import type {ResumeWriter} from '../../source/adapters/writer-types.js';
import {flattenConversation, type ModelEndpoint} from '../support/model-endpoint.js';
import {cliBinaryPath, createGitRepo, createToolHome, ensureClis} from '../support/real-clis.js';
import {adapterContext, expectationsFromManifest, loadRecordedSession, missingInOrder, startModelEndpoint} from '../support/resume-proof.js';

const socket = `sfs-resume-${process.pid}`;
let endpoint: ModelEndpoint;

async function tmux(...args: string[]) {
	return execa('tmux', ['-L', socket, ...args], {reject: false, stdin: 'ignore'});
}

async function screen(name: string): Promise<string> {
	return (await tmux('capture-pane', '-p', '-t', name)).stdout;
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

beforeAll(async () => {
	await ensureClis(['claude-code', 'copilot']);
	endpoint = await startModelEndpoint({script: [{match: 'sfs-tmux-check', text: 'Interactive resume works.'}]});
}, 600_000);

afterAll(async () => {
	await tmux('kill-server');
	await endpoint?.close();
});

const targets: Array<['claude-code' | 'copilot', ResumeWriter]> = [
	['claude-code', claudeCodeWriter],
	['copilot', copilotWriter],
];

describe('interactive resume in a terminal', () => {
	for (const [target, writer] of targets) {
		it(`${writer.resumeCommand('<id>', {}).join(' ')} shows and continues a Codex session`, async () => {
			const recorded = await loadRecordedSession('codex');
			expect(recorded).toBeDefined();
			const root = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-tmux-${target}-`));
			const cwd = await createGitRepo(path.join(root, 'work'), {'notes.txt': 'alpha\nbeta\n'});
			const home = await createToolHome(target, {endpointUrl: endpoint.url, root, trustedDirs: [cwd]});
			const written = await writer.write(recorded!.session, {cwd, now: new Date(), fromSessionId: 'sfs-test'}, adapterContext(home.home, home.env));
			const argv = writer.resumeCommand(written.nativeId, {});
			const env = Object.entries({...home.env, TERM: 'xterm-256color'}).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
			const name = target.replace('-', '');
			const started = await tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '60', '-c', cwd, `env -i ${env.join(' ')} ${cliBinaryPath(target)} ${argv.slice(1).join(' ')}`);
			expect(started.exitCode, started.stderr).toBe(0);
			let passed = false;
			try {
				// The earlier conversation is on screen before anything is typed.
				const before = await waitForScreen(name, 'alpha comes first, then beta.');
				expect(before).toContain('Please show me what is in notes.txt.');
				await tmux('send-keys', '-t', name, '-l', 'And now? [sfs-tmux-check]');
				await new Promise(resolve => setTimeout(resolve, 300));
				await tmux('send-keys', '-t', name, 'Enter');
				await waitForScreen(name, 'Interactive resume works.');
				const request = endpoint.conversationRequests().findLast(candidate => JSON.stringify(candidate.body).includes('sfs-tmux-check'));
				expect(request).toBeDefined();
				expect(missingInOrder(flattenConversation(request!.protocol, request!.body), expectationsFromManifest(recorded!.manifest))).toEqual([]);
				passed = true;
			} finally {
				await tmux('kill-session', '-t', name);
				// The CLI may still flush its state for a moment after its terminal is gone.
				await new Promise(resolve => setTimeout(resolve, 1500));
				if (passed) fs.rmSync(root, {recursive: true, force: true, maxRetries: 3});
			}
		}, 120_000);
	}
});

describe('the picker of bare --resume', () => {
	it('claude --resume lists the written session under its title; copilot --resume opens it', async () => {
		const recorded = await loadRecordedSession('gemini');
		expect(recorded).toBeDefined();
		const session = {...recorded!.session, manifest: {...recorded!.session.manifest, title: 'Picked from the sfs picker test'}};
		for (const [target, writer] of targets) {
			const root = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-picker-${target}-`));
			const cwd = await createGitRepo(path.join(root, 'work'));
			const home = await createToolHome(target, {endpointUrl: endpoint.url, root, trustedDirs: [cwd]});
			await writer.write(session, {cwd, now: new Date(), fromSessionId: 'sfs-test'}, adapterContext(home.home, home.env));
			const env = Object.entries({...home.env, TERM: 'xterm-256color'}).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
			const name = `picker-${target.replace('-', '')}`;
			await tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '60', '-c', cwd, `env -i ${env.join(' ')} ${cliBinaryPath(target)} --resume`);
			let passed = false;
			try {
				// Claude shows a picker with the custom title; Copilot, with one session in this directory, opens it.
				await waitForScreen(name, target === 'claude-code' ? 'Picked from the sfs picker test' : 'alpha comes first, then beta.');
				passed = true;
			} finally {
				await tmux('kill-session', '-t', name);
				// The CLI may still flush its state for a moment after its terminal is gone.
				await new Promise(resolve => setTimeout(resolve, 1500));
				if (passed) fs.rmSync(root, {recursive: true, force: true, maxRetries: 3});
			}
		}
	}, 120_000);
});
