/**
 * "did you mean" for an unknown command. It matched the first two letters only, so `sfs pul`
 * suggested push (an upload) and `sfs comp` config.
 */
import {expect, test} from 'vitest';
import {COMMANDS} from '../../source/commands/registry.js';
import {nearestCommand} from '../../source/commands/suggest.js';

const names = Object.keys(COMMANDS);

test('a command the word begins wins, the shortest first', () => {
	expect(nearestCommand('pul', names)).toBe('pull');
	expect(nearestCommand('pull-h', names)).toBe('pull-handoff');
	expect(nearestCommand('comp', names)).toBe('completion');
	expect(nearestCommand('expor', names)).toBe('export');
	expect(nearestCommand('list-r', names)).toBe('list-remote');
});

test('typos: one or two edits, a swap of neighbours counting as one', () => {
	expect(nearestCommand('serch', names)).toBe('search');
	expect(nearestCommand('lsit', names)).toBe('list');
	expect(nearestCommand('shwo', names)).toBe('show');
	expect(nearestCommand('dotcor', names)).toBe('doctor');
	expect(nearestCommand('sumary', names)).toBe('summary');
	expect(nearestCommand('chekpoint', names)).toBe('checkpoint');
});

test('nothing close: no suggestion', () => {
	expect(nearestCommand('xyz', names)).toBeUndefined();
	expect(nearestCommand('frobnicate', names)).toBeUndefined();
});

test('the built binary suggests it in its one-line error', async () => {
	const {sandbox, sfs} = await import('../cli/run-sfs.js');
	const box = sandbox();
	try {
		const run = await sfs(box, ['pul']);
		expect(run.exitCode).toBe(2);
		expect(run.stderr).toBe('sfs: unknown command "pul" (did you mean "sfs pull"? see: sfs --help)\n');
	} finally {
		box.cleanup();
	}
});
