/** Per-test clean-up for tests that make several sandboxes and servers: everything registered is undone after each test, newest first. */
import {afterEach} from 'vitest';
import {type Sandbox, sandbox} from '../cli/run-sfs.js';

export function cleanupsPerTest(): {cleanups: Array<() => unknown>; box: () => Sandbox} {
	const cleanups: Array<() => unknown> = [];
	afterEach(async () => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
	});
	function box(): Sandbox {
		const created = sandbox();
		cleanups.push(() => created.cleanup());
		return created;
	}

	return {cleanups, box};
}

