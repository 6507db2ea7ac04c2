/** The real TuiEngine's fork comparison when one side has been deleted since the fork was made. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {SessionBuilder} from '../insight/build.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

test('comparing a fork with its deleted parent says the parent is gone (it showed "0 messages in common")', async () => {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-compare-'));
	const engine = openEngine({env: {HOME: home, SFS_HOME: path.join(home, 'sfs'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config')}});
	cleanups.push(() => {
		engine.close();
		fs.rmSync(home, {recursive: true, force: true});
	});
	const builder = new SessionBuilder();
	builder.user('first');
	builder.user('second');
	const session = builder.session('ses_parent', 'claude-sonnet-4-5');
	engine.store.createSession(session);
	engine.index.upsertSession(session.manifest);
	engine.index.addMessages('ses_parent', session.messages, 1);
	const tui = createTuiEngine(engine, {loadWriter: async () => Promise.reject(new Error('no writers here')), captureInWorker: false, autoAttach: false});
	cleanups.unshift(() => tui.stopBackground());

	const forkId = await tui.fork('ses_parent');
	const before = await tui.compareSessions('ses_parent', forkId);
	expect([before.common, before.added.length, before.removed.length]).toEqual([2, 0, 0]);

	await tui.deleteSession('ses_parent');
	await expect(tui.compareSessions('ses_parent', forkId)).rejects.toThrow('session ses_parent (the one it was forked from) is no longer in the store');
});
