/** A long-lived server sees an index rebuilt by another process (a new index.db renamed over the old one). */
import type {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {openEngine, rebuildEngineIndex} from '../../source/engine/open-engine.js';
import {indexRefresher} from '../../source/mcp/index-refresh.js';
import {BIG_SESSION_NATIVE_ID, type CapturedHome, capturedHome} from './captured-home.js';
import {connectedClient} from './connected-client.js';

let home: CapturedHome;
beforeAll(async () => {
	home = await capturedHome();
}, 120_000);
afterAll(() => home?.cleanup());

async function connect(beforeCall?: () => void): Promise<Client> {
	return connectedClient({engine: home.engine, beforeCall});
}

async function listedIds(client: Client): Promise<string[]> {
	const result = (await client.callTool({name: 'list_recent_sessions', arguments: {limit: 100}})) as unknown as {structuredContent: {sessions: Array<{session_id: string}>}};
	return result.structuredContent.sessions.map(row => row.session_id);
}

test('after another process deletes a session and rebuilds the index, the next call sees it gone', async () => {
	const bigId = home.engine.index.findByNativeId(BIG_SESSION_NATIVE_ID)[0]!;
	const client = await connect(indexRefresher(home.engine));
	expect(await listedIds(client)).toContain(bigId);
	const before = home.engine.index;

	const other = openEngine({env: home.env});
	other.store.delete(bigId);
	rebuildEngineIndex(other);
	other.close();
	// Without the refresh the open connection still reads the replaced (unlinked) file.
	expect(before.listSessions({}).map(row => row.session_id)).toContain(bigId);

	const after = await listedIds(client);
	expect(after).not.toContain(bigId);
	expect(after.length).toBeGreaterThan(0);
	expect(home.engine.index).not.toBe(before);
	expect(before.isOpen).toBe(false);
	await client.close();
});
