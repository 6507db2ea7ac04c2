/**
 * Keeps index.db's write lock (BEGIN EXCLUSIVE) until a line arrives on stdin, as a long writer in
 * another process would: the daemon's index writes time out as SQLITE_BUSY meanwhile. Run by
 * capture-wait.test.ts.
 */
import Database from 'better-sqlite3';
import {indexPath} from '../../source/engine/paths.js';
import {untilStdinLine} from './until-stdin-line.js';

const db = new Database(indexPath(process.env), {fileMustExist: true});
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\n');
await untilStdinLine();
db.exec('COMMIT');
db.close();
process.stdout.write('released\n');
