/**
 * Colours, asserted once in a child process (the vitest env pins FORCE_COLOR=0, and chalk reads it at import).
 * Badges are coloured per tool, only the 16 basic ANSI colours are used, and FORCE_COLOR=0 gives plain text.
 */
import path from 'node:path';
import {execa} from 'execa';
import {expect, test} from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

async function frame(forceColor: string): Promise<string> {
	const {stdout} = await execa('./node_modules/.bin/tsx', ['test/views/colour-frame.ts'], {cwd: root, env: {FORCE_COLOR: forceColor, CI: 'false'}});
	return stdout;
}

test('tool badges have their own colours, from the 16-colour palette only', async () => {
	const coloured = await frame('3');
	expect(coloured).toContain('\u001B[35mclaude'); // magenta
	expect(coloured).toContain('\u001B[32mcodex'); // green
	expect(coloured).toContain('\u001B[34mgemini'); // blue
	expect(coloured).toContain('\u001B[7m'); // the selected row is inverse, readable without colour
	expect(coloured).not.toMatch(/\u001B\[(?:38|48);[25];/); // no 256-colour or truecolor sequences
});

test('FORCE_COLOR=0 (what the CLI sets for NO_COLOR) gives plain text', async () => {
	const plain = await frame('0');
	expect(plain).toContain('› claude  session 001');
	expect(plain).not.toContain('\u001B[');
});
