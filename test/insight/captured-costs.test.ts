/**
 * Capture prices the sessions it creates while their messages are at hand: the first `sfs list --json`
 * after a capture reads no session's messages. Built binary, real recordings (`npm run build` first).
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {parseJson, type Sandbox, sandbox, sfs} from '../cli/run-sfs.js';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');
let box: Sandbox | undefined;
afterEach(() => box?.cleanup());

type Row = {session_id: string; tool: string; cost_usd: number | null; unpriced_models: unknown[]};
type CostCache = {table: string; sessions: Record<string, {bytes: number; micro_usd: number; priced: boolean}>};

test('capture fills the cost cache for the sessions it creates; list --json then prices them without reading their messages', async () => {
	box = sandbox();
	fs.cpSync(path.join(fixtures, 'recorded', 'claude-code', 'projects'), path.join(box.home, '.claude', 'projects'), {recursive: true});
	fs.cpSync(path.join(fixtures, 'codex', 'real-0.169.0-failing-command', 'sessions'), path.join(box.home, '.codex', 'sessions'), {recursive: true});
	const capture = await sfs(box, ['capture', '--quiet']);
	expect(capture.exitCode, capture.stderr).toBe(0);

	const cache = JSON.parse(fs.readFileSync(path.join(box.sfsHome, 'cache', 'insight-costs.json'), 'utf8')) as CostCache;
	const ids = fs.readdirSync(path.join(box.sfsHome, 'sessions')).filter(name => name.startsWith('ses_'));
	expect(ids.length).toBeGreaterThanOrEqual(2);
	expect(Object.keys(cache.sessions).sort()).toEqual(ids.sort());
	for (const id of ids) expect(cache.sessions[id]!.bytes).toBe(fs.statSync(path.join(box.sfsHome, 'sessions', id, 'messages.jsonl')).size);

	// Messages blanked out at the same size (the cache's key): a cost priced from them would come out null.
	const files = ids.map(id => path.join(box!.sfsHome, 'sessions', id, 'messages.jsonl'));
	const saved = files.map(file => fs.readFileSync(file));
	for (const [at, file] of files.entries()) fs.writeFileSync(file, `${' '.repeat(saved[at]!.length - 1)}\n`);
	let rows: Row[];
	try {
		rows = parseJson<Row[]>(await sfs(box, ['list', '--json']));
	} finally {
		for (const [at, file] of files.entries()) fs.writeFileSync(file, saved[at]!);
	}

	const byTool = Object.fromEntries(rows.map(row => [row.tool, [row.cost_usd, row.unpriced_models]]));
	// The same costs as priced from the messages (test/insight/cli.test.ts).
	expect(byTool).toEqual({'claude-code': [0.00243, []], codex: [0.00225, []]});
});
