/**
 * Keeps index.db's write lock (BEGIN EXCLUSIVE) until a line arrives on stdin, as a long writer in
 * another process would: the daemon's index writes time out as SQLITE_BUSY meanwhile. Run by
 * capture-wait.test.ts.
 */
import readline from 'node:readline';
import Database from 'better-sqlite3';
import {indexPath} from '../../source/engine/paths.js';

const db = new Database(indexPath(process.env), {fileMustExist: true});
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\n');
const lines = readline.createInterface({input: process.stdin});
await new Promise<void>(resolve => {
	lines.once('line', () => resolve());
	lines.once('close', () => resolve());
});
lines.close();
db.exec('COMMIT');
db.close();
process.stdout.write('released\n');
