/** Feature modules are probed at run time: a missing module is "not there" (the tool answers "not available yet"). */
import {expect, test} from 'vitest';
import {loadOptionalModule} from '../../source/mcp/optional-modules.js';
import {notAvailable} from '../../source/mcp/result.js';

test('a missing module is undefined; a present one is its exports', async () => {
	expect(await loadOptionalModule('../engine/no-such-feature.js')).toBeUndefined();
	const present = await loadOptionalModule('../engine/refs.js');
	expect(typeof present?.resolveRef).toBe('function');
});

test('"not available yet" is a tool error naming the feature', () => {
	expect(notAvailable('get_rules', 'rules (sfs rules)')).toEqual({
		content: [{type: 'text', text: 'get_rules: not available yet: this build of sfs has no rules (sfs rules).'}],
		isError: true,
	});
});
