import {describe, expect, test} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import {parseDuration, parseTimeSpec} from '../../source/engine/time-spec.js';

const now = new Date('2026-03-20T12:00:00.000Z');

describe('parseTimeSpec', () => {
	test.each([
		['90m', '2026-03-20T10:30:00.000Z'],
		['12h', '2026-03-20T00:00:00.000Z'],
		['7d', '2026-03-13T12:00:00.000Z'],
		['2w', '2026-03-06T12:00:00.000Z'],
		['30s', '2026-03-20T11:59:30.000Z'],
		['1.5h', '2026-03-20T10:30:00.000Z'],
	])('a duration %s counts back from now', (spec, expected) => {
		expect(parseTimeSpec(spec, now).toISOString()).toBe(expected);
	});

	test.each([
		['2026-03-01', '2026-03-01T00:00:00.000Z'],
		['2026-03-01T14:05:00Z', '2026-03-01T14:05:00.000Z'],
		['2026-03-01T14:05:00+02:00', '2026-03-01T12:05:00.000Z'],
		['2026-03-01 14:05:00Z', '2026-03-01T14:05:00.000Z'],
	])('an ISO time %s is read as given (a bare date is midnight UTC)', (spec, expected) => {
		expect(parseTimeSpec(spec, now).toISOString()).toBe(expected);
	});

	test.each(['yesterday', '7', '7x', '-7d', '2026-13-45', '', 'd7'])('%j is a usage error naming the flag', spec => {
		let caught: unknown;
		try {
			parseTimeSpec(spec, now, '--since');
		} catch (error) {
			caught = error;
		}

		expect(caught).toBeInstanceOf(SfsError);
		expect((caught as SfsError).code).toBe('USAGE');
		expect((caught as SfsError).message).toContain('--since');
	});

	test('parseDuration returns milliseconds or undefined', () => {
		expect(parseDuration('2w')).toBe(14 * 86_400_000);
		expect(parseDuration('90M')).toBe(90 * 60_000);
		expect(parseDuration('2026-01-01')).toBeUndefined();
	});
});
