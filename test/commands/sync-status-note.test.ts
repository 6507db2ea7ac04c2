import {expect, test} from 'vitest';
import {serverNote} from '../../source/commands/sync.js';

test('sync status names the server once, whether or not the error already starts with "server:"', () => {
	expect(serverNote('server: this token is not valid (log in again)')).toBe('server: this token is not valid (log in again)');
	expect(serverNote('cannot reach the sfs server at http://127.0.0.1:9')).toBe('server: cannot reach the sfs server at http://127.0.0.1:9');
});
