/**
 * Holds one session's lock across a slow read-modify-write of its manifest, as a capture committing
 * messages does: reads, says "locked", waits, writes a new title. Run by session-lock.test.ts.
 */
import {Store} from '../../source/engine/store.js';

const [sessionId, waitMs] = process.argv.slice(2);
const store = new Store(process.env);
store.withSessionLock(sessionId!, () => {
	const manifest = store.readManifest(sessionId!);
	process.stdout.write('locked\n');
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(waitMs));
	store.writeManifest(sessionId!, {...manifest, title: 'written by the holder'});
});
