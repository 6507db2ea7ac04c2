import {render} from 'ink-testing-library';
import {createElement} from 'react';
import {App} from '../../source/views/app.js';
import {FakeEngine, makeRows} from './fake-engine.js';
const n = Number(process.argv[2]);
const engine = new FakeEngine(makeRows(n));
const app = render(createElement(App, {engine, size: {columns: 120, rows: 40}}));
while (!app.lastFrame()?.includes('session 001')) await new Promise(r => setTimeout(r, 1));
for (let i = 0; i < 3; i++) {
  const before = app.frames.length;
  const t2 = performance.now();
  app.stdin.write(i % 2 ? 'k' : 'j');
  while (app.frames.length === before) await new Promise(r => setImmediate(r));
  console.log(n, 'key ->', (performance.now() - t2).toFixed(1), 'ms');
}
app.unmount(); process.exit(0);
