/**
 * The Resume screen while a plan is being made (the engine makes it off the main thread: keys keep
 * working, stale answers are dropped, errors show as one line) and its folder field (resume in another
 * folder, as `sfs resume --cwd`; asked for when the session's folder is gone).
 */
import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, test, vi} from 'vitest';
import type {ResumePlan} from '../../source/views/engine-context.js';
import {FakeEngine, makeRows} from './fake-engine.js';
import {keys, renderApp} from './helpers.js';

afterEach(cleanup);

const ctrlU = '\u0015';

async function ready(engine: FakeEngine) {
	const app = renderApp(engine, {columns: 120, rows: 30});
	await vi.waitFor(() => expect(app.frame()).toContain('session 001'));
	return app;
}

/** Plans that stay pending until the test answers them (as a busy worker would). */
function holdPlans(engine: FakeEngine) {
	const made = engine.planResume.bind(engine);
	const held: Array<{args: Parameters<FakeEngine['planResume']>; answer: () => void; fail: (error: Error) => void}> = [];
	engine.planResume = async (...args) => {
		engine.calls.push({method: 'planResume', args});
		return new Promise<ResumePlan>((resolve, reject) => {
			held.push({args, answer: () => void made(...args).then(resolve), fail: reject});
		});
	};

	return held;
}

describe('Resume screen: planning', () => {
	test('keys are handled while a plan is pending; an answer for a target the cursor has left is dropped; Esc leaves', async () => {
		const engine = new FakeEngine(makeRows(2));
		const held = holdPlans(engine);
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(held).toHaveLength(1));
		expect(app.frame()).toContain('Planning…');
		expect(held[0]!.args.slice(0, 2)).toEqual(['sess-001', 'claude-code']);

		// The first plan is still pending: the cursor moves all the same, and the next target is planned.
		app.stdin.write('j');
		await vi.waitFor(() => expect(app.frame()).toMatch(/› codex/));
		await vi.waitFor(() => expect(held).toHaveLength(2));
		expect(held[1]!.args[1]).toBe('codex');

		// The claude-code answer arrives after the cursor left it: not shown. (f opens the folder field: a
		// frame drawn after that answer was handled.)
		held[0]!.answer();
		await new Promise(resolve => {
			setImmediate(resolve);
		});
		app.stdin.write('f');
		await vi.waitFor(() => expect(app.frame()).toContain('Enter accept'));
		expect(app.frame()).toContain('Planning…');
		expect(app.frame()).not.toContain('claude --resume');
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('(f to change)'));

		// Esc leaves the screen while the codex plan is still being made.
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('Enter open'));
		held[1]!.answer();
		app.stdin.write('l');
		await vi.waitFor(() => expect(held).toHaveLength(3));
		held[2]!.answer();
		await vi.waitFor(() => expect(app.frame()).toContain('$ codex --resume native-for-codex'));
	});

	test('an error from the worker shows as one line on the screen', async () => {
		const engine = new FakeEngine(makeRows(2));
		const held = holdPlans(engine);
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(held).toHaveLength(1));
		held[0]!.fail(Object.assign(new Error('the session\'s directory /x no longer exists\nsecond line'), {hint: 'give another folder'}));
		await vi.waitFor(() => expect(app.frame()).toContain('Cannot resume there: the session\'s directory /x no longer exists (give another folder)'));
		expect(app.frame()).not.toContain('second line');
		expect(app.frame()).not.toContain('Planning…');
	});
});

describe('Resume screen: folder', () => {
	test('the session\'s folder is gone: the field opens, a folder that does not exist is refused, an existing one is planned and launched in', async () => {
		const engine = new FakeEngine(makeRows(2));
		engine.goneFolders.set('sess-001', '/home/dev/old-checkout');
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('The session\'s folder /home/dev/old-checkout no longer exists: type another and press Enter'));
		expect(app.frame()).toContain(`Folder: ${process.cwd()}`); // the field starts with the TUI's own folder
		expect(engine.callsTo('planResume')).toEqual([]);

		app.stdin.write(ctrlU);
		app.stdin.write('nowhere');
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('/home/dev/nowhere is not a folder'));
		expect(engine.callsTo('checkFolder').at(-1)!.args).toEqual(['nowhere']);
		expect(engine.callsTo('planResume')).toEqual([]);

		// Editing clears the refusal; an existing folder is taken and planned there.
		app.stdin.write(ctrlU);
		await vi.waitFor(() => expect(app.frame()).not.toContain('is not a folder'));
		app.stdin.write('elsewhere\r');
		await vi.waitFor(() => expect(app.frame()).toContain('(in /home/dev/elsewhere)'));
		expect(engine.callsTo('planResume').at(-1)!.args).toEqual(['sess-001', 'claude-code', undefined, '/home/dev/elsewhere']);
		expect(app.frame()).toContain('Folder: /home/dev/elsewhere (f to change)');
		expect(app.frame()).not.toContain('no longer exists');

		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.exits).toHaveLength(1));
		expect(engine.callsTo('prepareLaunch')[0]!.args).toEqual(['sess-001', 'claude-code', undefined, '/home/dev/elsewhere']);
		expect(app.exits[0]).toMatchObject({type: 'launch', sessionId: 'sess-001', target: 'claude-code', spec: {cwd: '/home/dev/elsewhere'}});
	});

	test('folder gone and the field cancelled: nothing is planned, and a launch asks for the folder instead of failing', async () => {
		const engine = new FakeEngine(makeRows(2));
		engine.goneFolders.set('sess-001', null);
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('The session recorded no folder: type another and press Enter'));
		app.stdin.write(keys.esc);
		await vi.waitFor(() => expect(app.frame()).toContain('The session recorded no folder: press f to give another'));
		expect(app.frame()).toContain('Folder: (none yet)');
		app.stdin.write('j'); // another target: still nothing to plan without a folder
		await vi.waitFor(() => expect(app.frame()).toMatch(/› codex/));
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(app.frame()).toContain('The session\'s folder is gone: give the folder to resume in first'));
		expect(engine.callsTo('prepareLaunch')).toEqual([]);
		expect(engine.callsTo('planResume')).toEqual([]);
		app.stdin.write(ctrlU);
		app.stdin.write(keys.enter); // empty: refused, the session has no folder of its own
		await vi.waitFor(() => expect(app.frame()).toContain('type the folder to resume in'));
		app.stdin.write('/home/dev/elsewhere\r');
		await vi.waitFor(() => expect(app.frame()).toContain('$ codex --resume native-for-codex'));
		expect(engine.callsTo('planResume')[0]!.args).toEqual(['sess-001', 'codex', undefined, '/home/dev/elsewhere']);
	});

	test('f gives another folder at any time; a late plan for the old folder is dropped; an empty field goes back to the session\'s own', async () => {
		const engine = new FakeEngine(makeRows(2));
		const held = holdPlans(engine);
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(held).toHaveLength(1));
		expect(engine.callsTo('sessionFolder')[0]!.args).toEqual(['sess-001']);
		expect(app.frame()).not.toContain('no longer exists');

		// The plan in the session's own folder is still pending when another folder is given.
		app.stdin.write('f');
		await vi.waitFor(() => expect(app.frame()).toContain('Enter accept'));
		app.stdin.write(ctrlU);
		app.stdin.write('/home/dev/elsewhere\r');
		await vi.waitFor(() => expect(held).toHaveLength(2));
		expect(held[1]!.args).toEqual(['sess-001', 'claude-code', undefined, '/home/dev/elsewhere']);
		held[0]!.answer();
		await new Promise(resolve => {
			setImmediate(resolve);
		});
		app.stdin.write('m'); // a frame drawn after the late answer was handled
		await vi.waitFor(() => expect(app.frame()).toContain('Enter accept'));
		expect(app.frame()).toContain('Planning…');
		expect(app.frame()).not.toContain('(in /home/dev/project)');
		app.stdin.write(keys.esc); // leaving the model field asks for the plan again
		await vi.waitFor(() => expect(held).toHaveLength(3));
		held[2]!.answer();
		await vi.waitFor(() => expect(app.frame()).toContain('(in /home/dev/elsewhere)'));

		app.stdin.write('f');
		await vi.waitFor(() => expect(app.frame()).toContain('Folder: /home/dev/elsewhere'));
		await vi.waitFor(() => expect(app.frame()).toContain('Enter accept'));
		app.stdin.write(ctrlU);
		app.stdin.write(keys.enter);
		await vi.waitFor(() => expect(held).toHaveLength(4));
		expect(held[3]!.args).toEqual(['sess-001', 'claude-code', undefined, undefined]);
		held[3]!.answer();
		await vi.waitFor(() => expect(app.frame()).toContain('(in /home/dev/project)'));
	});

	test('f is in the Resume screen\'s help', async () => {
		const engine = new FakeEngine(makeRows(1));
		const app = await ready(engine);
		app.stdin.write('l');
		await vi.waitFor(() => expect(app.frame()).toContain('(in /home/dev/project)'));
		app.stdin.write('?');
		await vi.waitFor(() => expect(app.frame()).toContain('Resume in another folder (as sfs resume --cwd'));
	});
});
