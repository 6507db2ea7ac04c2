import fs from 'node:fs';
import {COMMANDS} from '../source/commands/registry.js';
import {renderKeyReference} from '../source/views/keymap.js';

export async function generatedSections(): Promise<Record<string, string>> {
	const commands = Object.entries(COMMANDS)
		.filter(([, entry]) => !entry.hidden)
		.map(([name, entry]) => `| \`sfs ${name}\` | ${entry.summary} |`);
	const screen = fs.existsSync('docs/screen.txt') ? fs.readFileSync('docs/screen.txt', 'utf8').trimEnd() : '(run scripts/capture-screen.sh)';
	return {
		commands: ['| command | what it does |', '|---|---|', ...commands].join('\n'),
		keys: renderKeyReference(),
		screen: `\`sfs --demo\` in a 120×32 terminal (captured with tmux by \`scripts/capture-screen.sh\`):\n\n\`\`\`text\n${screen}\n\`\`\``,
	};
}
