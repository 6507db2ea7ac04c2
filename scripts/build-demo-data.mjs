// Lays out the bundled demo data (`data/demo/home`) from the recorded real sessions and the public
// fixtures, as each tool keeps them under a home directory. `sfs --demo` copies it to a temp dir.
// Run: node scripts/build-demo-data.mjs
import fs from 'node:fs';
import path from 'node:path';

const out = 'data/demo/home';
fs.rmSync(out, {recursive: true, force: true});
const copy = (from, to) => {
	if (fs.existsSync(from)) fs.cpSync(from, path.join(out, to), {recursive: true});
};

copy('test/fixtures/recorded/claude-code/projects', '.claude/projects');
copy('test/fixtures/claude-code/projects', '.claude/projects');
copy('test/fixtures/recorded/codex/sessions', '.codex/sessions');
copy('test/fixtures/codex/sessions/2026/01', '.codex/sessions/2026/01');
copy('test/fixtures/recorded/gemini/tmp', '.gemini/tmp');
copy('test/fixtures/recorded/gemini/projects.json', '.gemini/projects.json');
copy('test/fixtures/recorded/copilot/session-state', '.copilot/session-state');
copy('test/fixtures/recorded/cline/sessions', '.cline/data/sessions');
fs.writeFileSync(
	path.join(out, '..', 'SOURCES.md'),
	'# Demo data\n\nBuilt by `node scripts/build-demo-data.mjs` from `test/fixtures/recorded/` (sessions the real CLIs wrote; see its SOURCES.md) and the public fixtures in `test/fixtures/claude-code/` and `test/fixtures/codex/` (see their SOURCES.md).\n',
);
console.log('demo data written to', out);
