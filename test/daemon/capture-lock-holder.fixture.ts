/**
 * Holds capture.lock the way a long capture does (a TUI or `sfs capture` doing a cold capture of a
 * large store): takes it with the engine's own lock, says "locked", and keeps it until a line arrives
 * on stdin. Run by capture-wait.test.ts.
 */
import readline from 'node:readline';
import {captureLockPath} from '../../source/engine/capture.js';
import {withLock} from '../../source/engine/lock.js';

await withLock(captureLockPath(process.env), async () => {
	process.stdout.write('locked\n');
	const lines = readline.createInterface({input: process.stdin});
	await new Promise<void>(resolve => {
		lines.once('line', () => resolve());
		lines.once('close', () => resolve());
	});
	lines.close();
});
process.stdout.write('released\n');
