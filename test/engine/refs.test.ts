import {describe, expect, test} from 'vitest';
import {SfsError} from '../../source/engine/errors.js';
import {type RefLookup, resolveRef} from '../../source/engine/refs.js';

type Row = {id: string; alias?: string; native?: string};

function lookup(rows: Row[]): RefLookup {
	return {
		getSession: id => rows.find(row => row.id === id),
		findByAlias: alias => rows.filter(row => row.alias === alias).map(row => row.id),
		findByNativeId: native => rows.filter(row => row.native === native).map(row => row.id),
		findByIdPrefix: prefix => rows.filter(row => row.id.startsWith(prefix)).map(row => row.id),
	};
}

const rows: Row[] = [
	{id: 'ses_aaaa000000000001', alias: 'fix', native: 'n-1'},
	{id: 'ses_aaaa000000000002', native: 'n-2'},
	{id: 'ses_bbbb000000000003', alias: 'ses_aaaa000000000002'},
	{id: 'fix-me', native: 'fix'},
];

function failure(fn: () => unknown): SfsError {
	try {
		fn();
	} catch (error) {
		if (error instanceof SfsError) return error;
		throw error;
	}

	throw new Error('expected an SfsError');
}

describe('resolveRef', () => {
	test('an exact id wins over an alias that looks the same', () => {
		expect(resolveRef('ses_aaaa000000000002', lookup(rows))).toBe('ses_aaaa000000000002');
	});

	test('an alias wins over a native id and a prefix', () => {
		expect(resolveRef('fix', lookup(rows))).toBe('ses_aaaa000000000001');
	});

	test('a native id resolves when no alias matches', () => {
		expect(resolveRef('n-2', lookup(rows))).toBe('ses_aaaa000000000002');
	});

	test('a unique prefix resolves', () => {
		expect(resolveRef('ses_bb', lookup(rows))).toBe('ses_bbbb000000000003');
	});

	test('an ambiguous prefix is an AMBIGUOUS error listing the candidates', () => {
		const error = failure(() => resolveRef('ses_aaaa', lookup(rows)));
		expect(error.code).toBe('AMBIGUOUS');
		expect(error.details).toEqual(['ses_aaaa000000000001', 'ses_aaaa000000000002']);
	});

	test('no match is NOT_FOUND; an empty ref is a usage error', () => {
		expect(failure(() => resolveRef('zzz', lookup(rows))).code).toBe('NOT_FOUND');
		expect(failure(() => resolveRef('  ', lookup(rows))).code).toBe('USAGE');
	});

	test('a session only the store knows resolves by exact id', () => {
		expect(resolveRef('ses_cccc000000000009', lookup(rows), {existsInStore: id => id === 'ses_cccc000000000009'})).toBe('ses_cccc000000000009');
	});
});
