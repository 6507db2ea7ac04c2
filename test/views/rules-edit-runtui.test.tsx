/** Rules `e` through the real runTui: leave the TUI, run the editor, come back to a reloaded Rules screen. */
import {EventEmitter} from 'node:events';
import {expect, test, vi} from 'vitest';
import {runTui} from '../../source/tui.js';
import type {LaunchSpec, RulesView} from '../../source/views/engine-context.js';
import {FakeEngine, makeRows} from './fake-engine.js';

class FakeStdout extends EventEmitter {
	isTTY = true;
	columns = 110;
	rows = 26;
	output = '';
	write = (data: string) => {
		this.output += data;
		return true;
	};
}

class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	send(data: string) {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}

	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setRawMode() {}
	setEncoding() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

test('e runs the editor outside the TUI, then the Rules screen comes back with the rules read again', async () => {
	const stdout = new FakeStdout();
	const stdin = new FakeStdin();
	let edited = false;
	const engine = new FakeEngine(makeRows(1));
	const calls: string[] = [];
	const view = (): RulesView => ({
		root: '/home/dev/project-1',
		configured: true,
		files: [{name: edited ? '00-new.md' : '00-old.md', text: ''}],
		targets: [],
		check: {exitCode: 0, stale: [], warnings: []},
	});
	Object.assign(engine, {
		rulesStatus: async (cwd: string) => {
			calls.push(cwd);
			return view();
		},
		rulesEditLaunch: async (cwd: string): Promise<LaunchSpec> => ({command: 'nano', args: ['rules.md'], cwd}),
	});
	const launched: LaunchSpec[] = [];
	const done = runTui(engine, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new FakeStdout() as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		handleSignals: false,
		async launch(spec) {
			launched.push(spec);
			edited = true;
			return {exitCode: 0};
		},
	});
	await vi.waitFor(() => expect(stdout.output).toContain('session 001'));
	stdin.send('3');
	await vi.waitFor(() => expect(stdout.output).toContain('canonical rules: 00-old.md'));
	stdin.send('e');
	await vi.waitFor(() => expect(launched).toEqual([{command: 'nano', args: ['rules.md'], cwd: '/home/dev/project-1'}]));
	// Both appear only after the editor ran (the view reads 00-new.md once `edited` is set), so the whole output can be searched:
	// taking a mark here raced with a fast re-render.
	await vi.waitFor(() => expect(stdout.output).toContain('canonical rules: 00-new.md'));
	await vi.waitFor(() => expect(stdout.output).toContain('Back from nano (exit 0)'));
	expect(calls).toEqual(['/home/dev/project-1', '/home/dev/project-1']);
	stdin.send('\u0003');
	await expect(done).resolves.toBe(0);
});
