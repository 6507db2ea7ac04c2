/**
 * Holds capture.lock the way a long capture does (a TUI or `sfs capture` doing a cold capture of a
 * large store): takes it with the engine's own lock, says "locked", and keeps it until a line arrives
 * on stdin. Run by capture-wait.test.ts.
 */
import {captureLockPath} from '../../source/engine/capture.js';
import {withLock} from '../../source/engine/lock.js';
import {untilStdinLine} from './until-stdin-line.js';

await withLock(captureLockPath(process.env), async () => {
	process.stdout.write('locked\n');
	await untilStdinLine();
});
process.stdout.write('released\n');
