/**
 * Two processes editing one manifest (the daemon committing captured messages, `sfs alias` from the
 * CLI) take the session's lock, so neither overwrites the other's change.
 */
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {Store} from '../../source/engine/store.js';
import {installFixture, type Sandbox, sandbox, sessionIds, sfs, waitFor} from './helpers.js';

let box: Sandbox;

beforeEach(() => {
	box = sandbox();
});

afterEach(() => {
	box.cleanup();
});

test('an alias set while another process holds the session for a read-modify-write is kept, and so is that write', async () => {
	installFixture(box);
	expect((await sfs(box, ['capture', '--quiet'])).exitCode).toBe(0);
	const [id] = sessionIds(box);
	const holder = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'session-lock-holder.fixture.ts'), id!, '800'], {env: box.env, reject: false});
	let output = '';
	holder.stdout!.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	await waitFor('the holder to take the lock', () => (output.includes('locked') ? true : undefined), 20_000);

	const store = new Store(box.env);
	const started = Date.now();
	store.updateManifest(id!, manifest => ({...manifest, metadata: {...manifest.metadata, alias: 'kept-alias'}}));
	// It waited for the holder instead of writing over (or under) its change.
	expect(Date.now() - started).toBeGreaterThan(200);
	expect((await holder).exitCode).toBe(0);

	const manifest = store.readManifest(id!);
	expect(manifest.title).toBe('written by the holder');
	expect(manifest.metadata?.alias).toBe('kept-alias');
});

test('a lock left by a killed process is taken over', async () => {
	installFixture(box);
	expect((await sfs(box, ['capture', '--quiet'])).exitCode).toBe(0);
	const [id] = sessionIds(box);
	const holder = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'session-lock-holder.fixture.ts'), id!, '60000'], {env: box.env, reject: false});
	let output = '';
	holder.stdout!.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	await waitFor('the holder to take the lock', () => (output.includes('locked') ? true : undefined), 20_000);
	holder.kill('SIGKILL');
	await holder;
	const store = new Store(box.env);
	const next = store.updateManifest(id!, manifest => ({...manifest, metadata: {...manifest.metadata, alias: 'after-kill'}}));
	expect(next.metadata?.alias).toBe('after-kill');
	expect(store.readManifest(id!).metadata?.alias).toBe('after-kill');
});
