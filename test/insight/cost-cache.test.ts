/**
 * The cost cache over a real temp store and index: priced once per messages.jsonl size, parsed once
 * per process while the file is as this process left it, and read again once another writer replaced it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test, vi} from 'vitest';
import {costsForRows} from '../../source/engine/insight/cost-cache.js';
import {shippedPrices} from '../../source/engine/insight/prices.js';
import {openEngine} from '../../source/engine/open-engine.js';
import {SessionBuilder} from './build.js';

const roots: string[] = [];
afterEach(() => {
	vi.restoreAllMocks();
	for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

test('batches of rows parse the cache file once; a file rewritten by another process is read again', () => {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-cost-cache-'));
	roots.push(root);
	const engine = openEngine({env: {HOME: root, SFS_HOME: path.join(root, 'sfs')}});
	try {
		for (const [id, tokens] of [['ses_a', 1000], ['ses_b', 2000], ['ses_c', 3000]] as const) {
			const b = new SessionBuilder();
			b.usage('claude-sonnet-4-5', {input_tokens: tokens, output_tokens: 0}, {api_message_id: `msg_${id}`});
			const session = b.session(id);
			engine.store.createSession(session);
			engine.index.upsertSession(session.manifest);
		}

		const table = shippedPrices();
		const rows = engine.index.listSessions({includeSubagents: true});
		const file = path.join(root, 'sfs', 'cache', 'insight-costs.json');
		const first = costsForRows(engine, rows, table);
		expect(Object.fromEntries([...first].map(([id, cost]) => [id, cost.cost_usd]))).toEqual({ses_a: 0.003, ses_b: 0.006, ses_c: 0.009});

		const reads = vi.spyOn(fs, 'readFileSync');
		const cacheReads = () => reads.mock.calls.filter(([target]) => target === file).length;
		for (const row of rows) expect(costsForRows(engine, [row], table).get(row.session_id)?.cost_usd).toBeGreaterThan(0);
		expect(cacheReads()).toBe(0);

		// Another process rewrites the cache (a made-up price): read again, and its entries are used.
		const cache = JSON.parse(fs.readFileSync(file, 'utf8')) as {sessions: Record<string, {micro_usd: number}>};
		cache.sessions.ses_a!.micro_usd = 42;
		fs.writeFileSync(`${file}.tmp`, JSON.stringify(cache));
		fs.renameSync(`${file}.tmp`, file);
		const before = cacheReads();
		expect(costsForRows(engine, rows.filter(row => row.session_id === 'ses_a'), table).get('ses_a')?.cost_usd).toBe(0.000042);
		expect(cacheReads()).toBe(before + 1);
	} finally {
		engine.close();
	}
});
