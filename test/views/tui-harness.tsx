/**
 * Runs the real runTui over the fake engine in a real terminal, for the tmux end-to-end test.
 * The "resume" launches `sh` (a stand-in for an AI CLI) that reads one line from the terminal.
 * Env: HARNESS_PID_FILE (write our pid there), HARNESS_ROWS (session count).
 */
import {writeFileSync} from 'node:fs';
import process from 'node:process';
import {runTui} from '../../source/tui.js';
import {FakeEngine, makeRows} from './fake-engine.js';

if (process.env.HARNESS_PID_FILE) {
	writeFileSync(process.env.HARNESS_PID_FILE, String(process.pid));
}

const engine = new FakeEngine(makeRows(Number(process.env.HARNESS_ROWS ?? 40)));
engine.prepareLaunch = async () => ({command: 'sh', args: ['-c', 'echo CHILD-RAN; read line; echo "child got $line"'], cwd: process.cwd()});
const code = await runTui(engine, {});
process.stdout.write(`HARNESS-EXIT ${code}\n`);
process.exit(code);
