/** Prints one frame of the Sessions screen with colours on (run by colours.test.ts with FORCE_COLOR set). */
import process from 'node:process';
import {render} from 'ink-testing-library';
import {createElement} from 'react';
import {App} from '../../source/views/app.js';
import {FakeEngine, makeRows} from './fake-engine.js';

// createElement, not JSX: tsx applies the project's react-jsx setting only to files under source/.
const app = render(createElement(App, {engine: new FakeEngine(makeRows(4)), size: {columns: 120, rows: 20}}));
for (let attempt = 0; attempt < 100 && !app.lastFrame()?.includes('session 004'); attempt++) {
	await new Promise(resolve => setTimeout(resolve, 20)); // eslint-disable-line no-await-in-loop
}

process.stdout.write(app.lastFrame() ?? '');
app.unmount();
process.exit(0);
