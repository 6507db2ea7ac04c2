/**
 * The cost column of `sfs summary --since/--today` (per project and day, and the total). A project
 * whose only model is missing from the price table printed "unpriced + unpriced: unknown"; one with
 * no token usage at all printed "unpriced", as if a price were missing.
 */
import {expect, test} from 'vitest';
import {periodCost} from '../../source/commands/summary.js';

const plain = (text: string) => text;

test('nothing priced, a model missing from the table: named once', () => {
	expect(periodCost(null, [{model: 'unknown'}], 26, plain)).toBe('unpriced: unknown');
	expect(periodCost(null, [{model: 'a'}, {model: 'b'}], 10, plain)).toBe('unpriced: a, b');
});

test('no tokens recorded at all: said so', () => {
	expect(periodCost(null, [], 0, plain)).toBe('no usage recorded');
});

test('a priced part keeps its amount, with any unpriced models after it', () => {
	expect(periodCost(0.0075, [], 1100, plain)).toBe('$0.0075');
	expect(periodCost(0.13, [{model: 'mystery'}], 79_000, plain)).toBe('$0.13 + unpriced: mystery');
	expect(periodCost(null, [], 500, plain)).toBe('unpriced');
});
