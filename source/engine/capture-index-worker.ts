/**
 * The index writer thread of a large capture (see capture-index.ts): applies the operations capture
 * hands over, in order, on its own index connection, and reports what is settled.
 */
import {parentPort, workerData} from 'node:worker_threads';
import {BatchedIndexWriter, type IndexOp, type IndexWorkerData, type IndexWorkerReply, weightOf} from './capture-index.js';
import {SessionIndex} from './index-db.js';
import {Store} from './store.js';
import {errorLine} from './errors.js';

/**
 * This connection's page cache, in KiB (the index's default is 32 MB per connection). Its writes append
 * (rowid-ordered rows, new FTS5 segments) and rarely re-read a page, while every MB of cache is a MB of a
 * cold capture's peak RSS, on top of the capture thread's own connection.
 */
const WORKER_CACHE_KIB = 4096;

function main(port: NonNullable<typeof parentPort>): void {
	const {env, dbPath} = workerData as IndexWorkerData;
	const reply = (message: IndexWorkerReply) => port.postMessage(message);
	const index = SessionIndex.open(dbPath, {cacheKib: WORKER_CACHE_KIB});
	const writer = new BatchedIndexWriter(
		new Store(env),
		index,
		ops => reply({type: 'committed', ops}),
		failure => reply({type: 'failed', ...failure}),
	);
	port.on('message', (op: IndexOp | {op: 'close'}) => {
		if (op.op === 'close') {
			writer.commit();
			index.close();
			reply({type: 'closed'});
			port.close();
			return;
		}

		try {
			writer.apply(op);
		} catch (error) {
			reply({type: 'failed', sessionId: op.sessionId, reason: `index: ${errorLine(error)}`});
		}

		reply({type: 'applied', weight: weightOf(op)});
	});
}

if (parentPort) main(parentPort);
