/**
 * `sfs daemon start` where the daemon cannot write its files: the detached daemon's stderr goes
 * nowhere, so start itself says what is wrong (not "exited at start, see <a log that was never written>").
 * Build first (`npm run build`).
 */
import fs from 'node:fs';
import path from 'node:path';
import {expect, test} from 'vitest';
import {expectOneLineError} from '../cli/run-sfs.js';
import {installFixture, type Sandbox, sandboxPerTest, sfs} from './helpers.js';

let box: Sandbox;
sandboxPerTest(created => {
	box = created;
});

for (const dir of ['run', 'logs']) {
	test(`a file where the ${dir} dir belongs: start fails with one line naming it, and no daemon is left running`, async () => {
		installFixture(box);
		fs.mkdirSync(box.sfsHome, {recursive: true});
		const inTheWay = path.join(box.sfsHome, dir);
		fs.writeFileSync(inTheWay, 'not a directory\n');

		const started = await sfs(box, ['daemon', 'start']);
		expect(started.exitCode).toBe(1);
		expectOneLineError(started, new RegExp(`the daemon cannot write to ${inTheWay.replaceAll('/', '\\/')}: `));
		expect(started.stderr).not.toContain('daemon.log');

		const status = await sfs(box, ['daemon', 'status', '--json']);
		expect(status.exitCode).toBe(1);
		expect(JSON.parse(status.stdout)).toMatchObject({running: false});
		expect(fs.readFileSync(inTheWay, 'utf8')).toBe('not a directory\n');
	});
}
