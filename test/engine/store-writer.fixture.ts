/**
 * A writer for the kill -9 test: appends, rewrites manifests, creates, forks and checkpoints in a
 * loop until it is killed. Run as: node --import tsx store-writer.fixture.ts <SFS_HOME>
 */
import {newSessionId} from '../../source/engine/format.js';
import {statsFor} from '../../source/engine/session-stats.js';
import {Store} from '../../source/engine/store.js';
import type {Manifest, Message} from '../../source/engine/types.js';

const store = new Store({SFS_HOME: process.argv[2]});
store.init();

function message(n: number): Message {
	return {
		msg_id: `m-${process.pid}-${n}`,
		role: n % 2 === 0 ? 'user' : 'assistant',
		content: [{type: 'text', text: `message ${n} ${'x'.repeat(n % 4000)}`}],
		timestamp: new Date().toISOString(),
		usage: n % 2 === 0 ? null : {input_tokens: n, output_tokens: 1},
	};
}

function manifest(id: string): Manifest {
	const now = new Date().toISOString();
	return {sfs_version: '0.1.0', session_id: id, title: `writer ${id}`, tags: [], created_at: now, updated_at: now, source: {tool: 'claude-code'}, stats: statsFor([])};
}

let n = 0;
process.stdout.write('ready\n');
for (;;) {
	n++;
	const ids = store.listIds();
	if (ids.length < 3 || n % 50 === 0) {
		const id = newSessionId();
		store.createSession({manifest: manifest(id), messages: [message(n)]});
		continue;
	}

	const id = ids[n % ids.length]!;
	const current = store.readManifest(id);
	const batch = Array.from({length: 1 + (n % 5)}, (_, index) => message(n * 10 + index));
	if (n % 7 === 0) store.updateManifest(id, m => ({...m, tags: [`t${n % 3}`], title: `renamed ${n}`}));
	else if (n % 41 === 0) store.fork(id);
	else if (n % 43 === 0) store.checkpoint(id, `cp${process.pid}-${n}`);
	else store.appendMessages(id, batch, {...current, updated_at: new Date().toISOString(), stats: {...current.stats, message_count: (current.stats?.message_count ?? 0) + batch.length}});
}
