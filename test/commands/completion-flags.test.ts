/**
 * The flags shell completion offers are the ones each command documents. A boolean that is on by
 * default is documented and useful only as --no-<name> (show --no-tools, resume --no-launch,
 * list --no-headless): completion offered the bare --tools/--launch/--headless, which do nothing.
 */
import {expect, test} from 'vitest';
import {checkUnknownFlags} from '../../source/commands/common.js';
import {commandFlags} from '../../source/commands/completion.js';
import {COMMANDS} from '../../source/commands/registry.js';

test('on-by-default booleans complete as --no-<name>', async () => {
	const flags = new Map((await commandFlags()).map(info => [info.name, info.flags]));
	expect(flags.get('show')).toContain('--no-tools');
	expect(flags.get('show')).not.toContain('--tools');
	expect(flags.get('export')).toContain('--no-tools');
	expect(flags.get('resume')).toContain('--no-launch');
	expect(flags.get('resume')).not.toContain('--launch');
	expect(flags.get('list')).toContain('--no-headless');
	expect(flags.get('mcp')).toContain('--no-capture');
	// A documented positive boolean stays as it is.
	expect(flags.get('show')).toContain('--thinking');
	expect(flags.get('list')).toContain('--subagents');
});

test('every completed flag is named in its command\'s help and accepted by its parser', async () => {
	for (const info of await commandFlags()) {
		const {spec} = (await COMMANDS[info.name]!.load()).default;
		for (const flag of info.flags) {
			if (flag === '--help') continue;
			expect(spec.help, `sfs ${info.name} ${flag}`).toMatch(new RegExp(`(^|[^\\w-])${flag}(?![\\w-])`));
			expect(() => checkUnknownFlags([flag, 'value'], spec.flags, info.name)).not.toThrow();
		}
	}
});
