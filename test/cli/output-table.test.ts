/**
 * Human tables on a terminal: the flex column (list's TITLE) is cut to the terminal width. A cell may
 * carry colour (list's dim " (headless)" and " [tags]"), and the cut must neither split nor leave
 * open an SGR sequence (the colour would bleed into every following row), nor count it as width.
 */
import {expect, test} from 'vitest';
import {palette, table, truncate, visibleLength} from '../../source/output.js';

const colour = palette(true);
// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[0-9;]*m/g;

test('truncate cuts plain text to the width with an ellipsis, as before', () => {
	expect(truncate('abcdefghij', 5)).toBe('abcd…');
	expect(truncate('abc', 5)).toBe('abc');
	expect(truncate('abcdef', 1)).toBe('a');
});

test('truncate counts only visible characters and closes a colour it cut', () => {
	const cell = `foo${colour.dim(' [alpha, beta, gamma]')}`;
	const cut = truncate(cell, 10);
	expect(visibleLength(cut)).toBe(10);
	expect(cut.replace(SGR, '')).toBe('foo [alph…');
	// Every sequence is whole, and the line ends reset.
	expect(cut.replace(SGR, '')).not.toContain('\u001B');
	expect(cut.endsWith('\u001B[0m')).toBe(true);
});

test('a table row whose coloured suffix is cut keeps its width and leaves no colour open', () => {
	const rows = [
		['ses_1', `Give me a tour of the repository${colour.dim(' (headless)')}`],
		['ses_2', `foo${colour.dim(' [alpha, beta, gamma, delta]')}`],
	];
	const lines = table([{header: 'ID'}, {header: 'TITLE', flex: true}], rows, {width: 20, paint: colour});
	for (const line of lines.slice(1)) {
		expect(visibleLength(line)).toBe(20);
		const opened = line.match(SGR) ?? [];
		// The last sequence of the line is a reset or a close of what it opened (22 = dim off).
		if (opened.length > 0) expect(['\u001B[0m', '\u001B[22m']).toContain(opened.at(-1));
	}

	expect(lines[2]!.replace(SGR, '')).toBe('ses_2  foo [alpha, …');
});

test('compactNumber never shows a rounded-up value in the smaller unit (1000k, 10.0k)', async () => {
	const {compactNumber} = await import('../../source/output.js');
	expect(compactNumber(999)).toBe('999');
	expect(compactNumber(1500)).toBe('1.5k');
	expect(compactNumber(9949)).toBe('9.9k');
	expect(compactNumber(9999)).toBe('10k');
	expect(compactNumber(12_345)).toBe('12k');
	expect(compactNumber(999_499)).toBe('999k');
	expect(compactNumber(999_999)).toBe('1.0M');
	expect(compactNumber(4_200_000)).toBe('4.2M');
});

test('humanBytes never prints 1024 of a unit', async () => {
	const {humanBytes} = await import('../../source/output.js');
	expect(humanBytes(1023)).toBe('1023 B');
	expect(humanBytes(1536)).toBe('1.5 KiB');
	expect(humanBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
	expect(humanBytes(1023 * 1024)).toBe('1023 KiB');
	expect(humanBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
});
