/**
 * plainArgs (search.ts) parses the usual `sfs search [--json] <words…>` without node:util's parseArgs;
 * where it answers at all, it must answer as the general parser does.
 */
import {describe, expect, it} from 'vitest';
import {parseArgs} from '../../source/commands/common.js';
import searchCommand, {plainArgs} from '../../source/commands/search.js';

const ARGVS: string[][] = [
	['trakasoex'],
	['--json', 'trakasoex'],
	['trakasoex', '--json'],
	['--json', '"for user"'],
	['rate', 'limit*', '--json'],
	['--json', '--json', 'x'],
	['--json'],
	[],
	[''],
	['src/noop/the_the.yaml', '--json'],
	['ElseI*', 'the*'],
	['a-b', 'c--d', '--json'],
	['--limit', '5', 'x'],
	['--json', '--', '-x'],
	['-x'],
	['--tool', 'codex', '--json', 'x'],
	['--no-json', 'x'],
	['--json=true', 'x'],
	['-h'],
	['x', '--since', '7d'],
];

describe('plainArgs', () => {
	it.each(ARGVS.map(argv => [JSON.stringify(argv), argv] as const))('%s: as parseArgs, or left to it', (_name, argv) => {
		const plain = plainArgs(argv);
		if (plain === undefined) {
			expect(argv.some(token => token.startsWith('-') && token !== '--json')).toBe(true);
			return;
		}

		expect(plain).toEqual(parseArgs('search', argv, searchCommand.spec));
	});

	it('leaves every flag but --json, and --, to parseArgs', () => {
		for (const argv of [['--limit', '5', 'x'], ['--json', '--', '-x'], ['-h'], ['--no-json', 'x'], ['--tool=codex', 'x']]) expect(plainArgs(argv)).toBeUndefined();
		expect(plainArgs(['--json', 'a', 'b'])).toEqual({flags: {json: true}, input: ['a', 'b']});
	});
});
