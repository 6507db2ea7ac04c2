/**
 * A long agent run (thousands of tool calls) has a summary far over the result budget: the summary
 * and audit tools cut its lists, keeping its shape (lists stay lists, tokens and cost stay there),
 * instead of handing the agent a cut JSON text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {runCapture} from '../../source/engine/capture-run.js';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {homeEnv} from './captured-home.js';
import {connectedClient} from './connected-client.js';

const NATIVE_ID = '88880000-0000-4000-8000-000000000001';
const COMMANDS = 1500;

type Result = {content: Array<{type: string; text: string}>; structuredContent?: Record<string, any>; isError?: boolean};

let root: string;
let engine: Engine;
let client: Client;

/** A Claude Code transcript: COMMANDS failing `npm test` runs, each followed by a claim that the tests pass. */
function writeLongRun(projects: string): void {
	const dir = path.join(projects, '-work-many');
	fs.mkdirSync(dir, {recursive: true});
	const base = {isSidechain: false, userType: 'external', cwd: '/work/many', sessionId: NATIVE_ID, version: '2.1.332'};
	const lines: string[] = [];
	let parent: string | null = null;
	const push = (type: 'user' | 'assistant', message: unknown) => {
		const uuid = `88880000-0000-4000-8000-${String(lines.length + 1).padStart(12, '0')}`;
		lines.push(JSON.stringify({...base, parentUuid: parent, type, uuid, timestamp: new Date(Date.UTC(2026, 10, 20, 10, 0, lines.length)).toISOString(), message}));
		parent = uuid;
	};

	const assistant = (content: unknown[]) => ({id: `msg_${lines.length}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content, stop_reason: 'end_turn', usage: {input_tokens: 3, output_tokens: 2}});
	push('user', {role: 'user', content: 'Make the whole test suite pass.'});
	for (let index = 0; index < COMMANDS; index++) {
		const id = `toolu_${index}`;
		push('assistant', assistant([{type: 'tool_use', id, name: 'Bash', input: {command: `npm test -- suite${index}.test.ts --reporter verbose ${'--flag '.repeat(20)}`}}]));
		push('user', {role: 'user', content: [{type: 'tool_result', tool_use_id: id, content: `FAIL suite${index}.test.ts\nError: expected 1 to be 2`, is_error: true}]});
		push('assistant', assistant([{type: 'text', text: `All tests pass now (suite ${index}).`}]));
	}

	fs.writeFileSync(path.join(dir, `${NATIVE_ID}.jsonl`), `${lines.join('\n')}\n`);
}

async function call(name: string, args: Record<string, unknown>): Promise<Result> {
	return (await client.callTool({name, arguments: args})) as Result;
}

beforeAll(async () => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-mcp-bounded-'));
	const home = path.join(root, 'home');
	const env = homeEnv(root);
	writeLongRun(path.join(home, '.claude', 'projects'));
	engine = openEngine({env});
	await runCapture(engine, {tools: ['claude-code']});
	client = await connectedClient({engine, cwd: root, log() {}});
}, 120_000);

afterAll(async () => {
	await client?.close();
	engine?.close();
	fs.rmSync(root, {recursive: true, force: true});
});

test('get_session_summary of a long run keeps the summary an object: lists cut (with how many were left out), tokens kept', async () => {
	const result = await call('get_session_summary', {session: NATIVE_ID});
	expect(result.isError).toBeFalsy();
	const {summary} = result.structuredContent!;
	expect(summary.text).toBeUndefined();
	expect(Array.isArray(summary.commands)).toBe(true);
	expect(summary.commands.length).toBeGreaterThan(0);
	expect(summary.commands[0].command).toContain('npm test -- suite0.test.ts');
	expect(summary.commands.length + summary.commands_omitted).toBe(COMMANDS);
	expect(summary.tokens.total).toBeGreaterThan(0);
	expect(JSON.stringify(summary).length).toBeLessThanOrEqual(40_000);
	expect(result.content[0]!.text.length).toBeLessThan(60_000);
});

test('get_session carries the shortened summary as an object too', async () => {
	const result = await call('get_session', {session: NATIVE_ID});
	expect(result.isError).toBeFalsy();
	const {summary} = result.structuredContent!;
	expect(Array.isArray(summary.commands)).toBe(true);
	expect(summary.tokens.total).toBeGreaterThan(0);
	expect(JSON.stringify(summary).length).toBeLessThanOrEqual(20_000);
});
