/**
 * Regenerates the generated parts of README.md: the command list (from the command registry), the
 * key reference (from the TUI keymap, the same table the in-app help uses) and the screen capture
 * (docs/screen.txt, made by scripts/capture-screen.sh in real tmux).
 * Run: npm run readme    Check only (exit 1 when stale): npx tsx scripts/readme.ts --check
 */
import fs from 'node:fs';
import {generatedSections} from './readme-sections.js';

const check = process.argv.includes('--check');
const readme = fs.readFileSync('README.md', 'utf8');
let next = readme;
for (const [name, body] of Object.entries(await generatedSections())) {
	const pattern = new RegExp(`(<!-- sfs:${name}:start -->\\n)[\\s\\S]*?(<!-- sfs:${name}:end -->)`);
	next = next.replace(pattern, (_all, start: string, end: string) => `${start}${body.trimEnd()}\n${end}`);
}

if (check) {
	if (next !== readme) {
		console.error('README.md is out of date: run npm run readme');
		process.exit(1);
	}
} else {
	fs.writeFileSync('README.md', next);
}
