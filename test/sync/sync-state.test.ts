/** The sync state file: the first version carried over, mode and watch list, a run's records written in batches. */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {BufferedEtagBook, knownEtag, loadState, rememberEtag, setMode, setWatched, statePath} from '../../source/sync/state.js';
import {tempDir} from './helpers.js';

const roots: string[] = [];
afterEach(() => {
	for (const root of roots.splice(0)) fs.rmSync(root, {recursive: true, force: true});
});

function env(): NodeJS.ProcessEnv {
	const root = tempDir('state');
	roots.push(root);
	return {HOME: root, SFS_HOME: path.join(root, 'sfs')};
}

describe('sync state', () => {
	test('an empty or unreadable file is an empty state; the first version ({url: {id: etag}}) is carried over', () => {
		const home = env();
		expect(loadState(home)).toEqual({version: 2, mode: 'off', watched: [], servers: {}});
		fs.mkdirSync(path.dirname(statePath(home)), {recursive: true});
		fs.writeFileSync(statePath(home), '{"http://a:1": {"ses_1": "e1"}, "http://b:2": {"ses_2": "e2"}}');
		expect(knownEtag('http://a:1', 'ses_1', home)).toBe('e1');
		expect(knownEtag('http://b:2', 'ses_2', home)).toBe('e2');
		rememberEtag('http://a:1', 'ses_3', 'e3', home, '4@2026-01-01');
		const state = loadState(home);
		expect(state.version).toBe(2);
		expect(state.servers['http://a:1']!.sessions).toMatchObject({ses_1: {etag: 'e1'}, ses_3: {etag: 'e3', local: '4@2026-01-01'}});
		fs.writeFileSync(statePath(home), '{not json');
		expect(loadState(home).servers).toEqual({});
	});

	test('mode and watch list survive each other and the records', () => {
		const home = env();
		setMode('selective', home);
		expect(setWatched('ses_a', true, home)).toBe(true);
		expect(setWatched('ses_a', true, home)).toBe(false);
		expect(setWatched('ses_b', true, home)).toBe(true);
		rememberEtag('http://a:1', 'ses_a', 'e', home);
		expect(setWatched('ses_a', false, home)).toBe(true);
		expect(loadState(home)).toMatchObject({mode: 'selective', watched: ['ses_b'], servers: {'http://a:1': {sessions: {ses_a: {etag: 'e'}}}}});
		expect(fs.statSync(statePath(home)).mode & 0o777).toBe(0o600);
	});

	test("a run's records are written in batches, and a flush writes the rest with the run's summary", () => {
		const home = env();
		setMode('all', home);
		const book = new BufferedEtagBook(home, loadState(home), {maxPending: 50, maxAgeMs: 60_000});
		for (let i = 0; i < 49; i++) book.remember('http://a:1', `ses_${i}`, `e${i}`, `1@t${i}`);
		expect(loadState(home).servers['http://a:1']).toBeUndefined();
		expect(book.known('http://a:1', 'ses_7')).toBe('e7');
		book.remember('http://a:1', 'ses_49', 'e49');
		expect(Object.keys(loadState(home).servers['http://a:1']!.sessions)).toHaveLength(50);
		book.remember('http://a:1', 'ses_50', 'e50');
		// Someone else changes the mode meanwhile: the flush keeps it.
		setMode('selective', home);
		book.flush(state => {
			state.servers['http://a:1']!.last_error = {at: 'now', message: 'x'};
		});
		const state = loadState(home);
		expect(Object.keys(state.servers['http://a:1']!.sessions)).toHaveLength(51);
		expect(state.mode).toBe('selective');
		expect(state.servers['http://a:1']!.last_error).toEqual({at: 'now', message: 'x'});
		expect(book.known('http://a:1', 'ses_50')).toBe('e50');
	});
});
