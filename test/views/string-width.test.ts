/**
 * The TUI bundle's string-width (source/views/string-width.ts) must answer exactly as string-width does:
 * every code point it counts is checked one by one, and mixed text (colours, wide and combining
 * characters, emoji) against the real function.
 */
import realStringWidth from 'string-width';
import {describe, expect, test} from 'vitest';
import stringWidth, {NARROW_RANGES} from '../../source/views/string-width.js';

const segmenter = new Intl.Segmenter();

describe('string-width fast path', () => {
	test('every code point it counts is one column wide and a grapheme of its own', () => {
		const wrong: string[] = [];
		for (const [from, to] of NARROW_RANGES) {
			for (let code = from; code <= to; code++) {
				const char = String.fromCodePoint(code);
				const alone = [...segmenter.segment(`a${char}${char}b`)].length === 4;
				if (realStringWidth(char) !== 1 || !alone || stringWidth(char) !== 1) wrong.push(code.toString(16));
			}
		}

		expect(wrong).toEqual([]);
	});

	test('the ranges are sorted and disjoint (the lookup stops at the first range above a code point)', () => {
		for (let index = 1; index < NARROW_RANGES.length; index++) {
			expect(NARROW_RANGES[index]![0]).toBeGreaterThan(NARROW_RANGES[index - 1]![1]);
		}
	});

	test('colours take no columns; anything it does not know goes to string-width', () => {
		const samples = [
			'',
			'plain ascii',
			'› ● capturing claude-code 12/40 · ⑂ fork └ child │ ◆ ▸ … ✗',
			'\u001B[2m│\u001B[22m \u001B[38;5;214mclaude\u001B[39m \u001B[7m› title\u001B[27m',
			'\u001B[1;31mbold red\u001B[0m',
			'日本語のタイトル',
			'emoji 🚀 and ❤️ and 👩‍💻',
			'e\u0301 combining, soft\u00ADhyphen, zero\u200Bwidth',
			'tab\there',
			'\u001B]8;;https://example.com\u0007link\u001B]8;;\u0007',
			'\u001B[unterminated',
			'\u001B',
			'⌚ ☕ ✅ ◽',
			'a\u0000b',
			'\uD83D lone surrogate',
		];
		for (const text of samples) expect(stringWidth(text), JSON.stringify(text)).toBe(realStringWidth(text));
	});

	test('random mixes of counted and other characters agree with string-width', () => {
		const pool = ['a', ' ', '│', '…', '›', '·', 'é', 'Ж', '→', '日', '🚀', '\u0301', '\u001B[31m', '\u001B[0m', '✗', '\u00AD', '\u200D', '❤', '\uFE0F'];
		let seed = 7;
		const next = () => {
			seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
			return seed;
		};

		for (let round = 0; round < 2000; round++) {
			let text = '';
			const length = next() % 12;
			for (let index = 0; index < length; index++) text += pool[next() % pool.length];
			expect(stringWidth(text), JSON.stringify(text)).toBe(realStringWidth(text));
		}
	});

	test('options go to string-width unchanged', () => {
		expect(stringWidth('\u001B[31mab\u001B[0m', {countAnsiEscapeCodes: true})).toBe(realStringWidth('\u001B[31mab\u001B[0m', {countAnsiEscapeCodes: true}));
		expect(stringWidth('±', {ambiguousIsNarrow: false})).toBe(realStringWidth('±', {ambiguousIsNarrow: false}));
	});
});
