/** Per-test clean-up for tests that make several sandboxes and servers: everything registered is undone after each test, newest first. */
import type {ResultPromise} from 'execa';
import {afterEach} from 'vitest';
import {type Sandbox, sandbox} from '../cli/run-sfs.js';
import type {StorageLocation} from '../sync/helpers.js';

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

/**
 * For tests that start `sfs server` children: after each test the children are sent `signal` and
 * awaited, then the sandboxes are removed, then the storage locations disposed.
 */
export function serverChildrenPerTest(signal: NodeJS.Signals): {box: () => Sandbox; children: ResultPromise[]; locations: StorageLocation[]} {
	const boxes: Sandbox[] = [];
	const children: ResultPromise[] = [];
	const locations: StorageLocation[] = [];
	afterEach(async () => {
		for (const child of children.splice(0)) {
			child.kill(signal);
			await child.catch(() => undefined);
		}

		for (const box of boxes.splice(0)) box.cleanup();
		for (const location of locations.splice(0)) await location.dispose();
	});
	function box(): Sandbox {
		const created = sandbox();
		boxes.push(created);
		return created;
	}

	return {box, children, locations};
}
