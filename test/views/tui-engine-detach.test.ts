/**
 * A daemon that reports a change and goes away before the TUI's refresh of it ran (its events are
 * gathered for 100 ms): the views still hear of the change, though the TUI's own catch-up capture then
 * finds nothing new (the daemon had captured it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {type AttachedDaemon, createTuiEngine} from '../../source/engine/tui-engine.js';

let home: string | undefined;
let engine: Engine | undefined;
afterEach(() => {
	engine?.close();
	engine = undefined;
	if (home) fs.rmSync(home, {recursive: true, force: true});
	home = undefined;
});

function fakeDaemon() {
	const changed = new Set<() => void>();
	const detached = new Set<() => void>();
	const daemon: AttachedDaemon = {
		async requestCapture() {},
		onSessionsChanged(listener) {
			changed.add(listener);
			return () => changed.delete(listener);
		},
		onDetach(listener) {
			detached.add(listener);
		},
	};
	return {daemon, reportChange: () => changed.forEach(listener => listener()), die: () => detached.forEach(listener => listener())};
}

test('a change the daemon reported just before it died reaches the views', async () => {
	home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-detach-'));
	const env = {
		HOME: home,
		PATH: process.env.PATH,
		SFS_HOME: path.join(home, 'sfs'),
		XDG_CONFIG_HOME: path.join(home, 'config'),
		XDG_DATA_HOME: path.join(home, 'data'),
		XDG_STATE_HOME: path.join(home, 'state'),
		XDG_CACHE_HOME: path.join(home, 'cache'),
	};
	engine = openEngine({env});
	const fake = fakeDaemon();
	const tui = createTuiEngine(engine, {loadWriter: async () => Promise.reject(new Error('no writers')), captureInWorker: false, daemon: fake.daemon, autoAttach: false});
	try {
		let changes = 0;
		tui.onSessionsChanged(() => changes++);
		expect(tui.captureState()).toBe('attached');

		fake.reportChange();
		fake.die(); // within the 100 ms the TUI gathers events for
		await tui.capture(); // the catch-up capture in-process: nothing new here
		expect(tui.captureState()).toBe('idle');
		expect(tui.lastCaptureReport()).toMatchObject({new: 0, updated: 0});
		await new Promise(resolve => setTimeout(resolve, 300));
		expect(changes).toBeGreaterThan(0);
	} finally {
		tui.close();
	}
});
