import fs from 'node:fs';
import {expect, test} from 'vitest';
import {generatedSections} from '../scripts/readme-sections.js';

test('README key reference and command list are generated from the keymap and the command registry', async () => {
	const readme = fs.readFileSync('README.md', 'utf8');
	const sections = await generatedSections();
	for (const name of ['keys', 'commands']) {
		const match = new RegExp(`<!-- sfs:${name}:start -->\\n([\\s\\S]*?)<!-- sfs:${name}:end -->`).exec(readme);
		expect(match, `README has the ${name} markers`).not.toBeNull();
		expect(match![1]!.trimEnd(), `README ${name} section is current (npm run readme)`).toBe(sections[name]!.trimEnd());
	}
});
