// Marks the built entry executable so `node dist/cli.js` and a linked `sfs` both work.
import {chmodSync, existsSync} from 'node:fs';

if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);

// The schema validators as plain functions, so a capture's first write does not compile them (scripts/build-validators.mjs).
await import('./build-validators.mjs');

// The TUI as one bundled file, so its first frame does not wait on ~530 module loads (scripts/bundle-tui.mjs).
await import('./bundle-tui.mjs');

// `sfs search` as one CommonJS file, which cli.js runs before loading anything else (scripts/bundle-search.mjs).
await import('./bundle-search.mjs');
