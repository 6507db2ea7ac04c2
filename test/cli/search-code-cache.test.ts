/**
 * scripts/bundle-search.mjs writes the search bundle, V8's code cache of it (made by warm-up searches)
 * and a loader that runs the bundle with that cache. The loader must answer exactly as the bundle does
 * without a cache, and a cache V8 refuses, a missing one or another build's must change nothing but speed.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {repoRoot, type Sandbox, sandboxWithExamples, sfs} from './run-sfs.js';

let box: Sandbox;
let outDir: string;
const script = path.join(repoRoot, 'scripts', 'bundle-search.mjs');

beforeAll(async () => {
	box = await sandboxWithExamples();
	// Inside the repository, so that the bundle finds better-sqlite3 as dist/ does; the warm-up builds its
	// index with the tsc output next to the loader (engine/index-db.js).
	outDir = fs.mkdtempSync(path.join(repoRoot, '.build-test-search-cache-'));
	fs.symlinkSync(path.join(repoRoot, 'dist', 'engine'), path.join(outDir, 'engine'));
	const bundled = await execa(process.execPath, [script, path.join(outDir, 'search-fast.cjs')], {reject: false});
	if (bundled.exitCode !== 0 || bundled.stderr) throw new Error(`bundle-search: ${bundled.stderr}`);
}, 120_000);

afterAll(() => {
	box.cleanup();
	fs.rmSync(outDir, {recursive: true, force: true});
});

function cacheFiles(): string[] {
	return fs.readdirSync(outDir).filter(name => name.endsWith('.cache'));
}

/** `sfs search --json <query>` through the loader in outDir: the answer and whether V8 refused the cache. */
async function searchThroughLoader(query: string): Promise<{stdout: string; cacheRejected: boolean | undefined}> {
	const code = `const loader = require(${JSON.stringify(path.join(outDir, 'search-fast.cjs'))});
		process.stderr.write(JSON.stringify({cacheRejected: loader.cacheRejected}));
		loader.runSearchFast(['--json', ${JSON.stringify(query)}]).then(code => { process.exitCode = code ?? 99; });`;
	const run = await execa(process.execPath, ['-e', code], {env: box.env, extendEnv: false, reject: false, stripFinalNewline: false});
	expect(run.exitCode, String(run.stderr)).toBe(0);
	return {stdout: String(run.stdout), cacheRejected: (JSON.parse(String(run.stderr)) as {cacheRejected?: boolean}).cacheRejected};
}

describe('the search bundle with its code cache', () => {
	it('names the cache after the bundle it was made from', () => {
		const bundle = fs.readFileSync(path.join(outDir, 'search-fast.bundle.cjs'), 'utf8');
		const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
		expect(cacheFiles()).toEqual([`search-fast.${hash}.cache`]);
		expect(fs.statSync(path.join(outDir, cacheFiles()[0]!)).size).toBeGreaterThan(10_000);
		expect(fs.readFileSync(path.join(outDir, 'search-fast.cjs'), 'utf8')).toContain(`search-fast.${hash}.cache`);
	});

	it('is accepted by V8 and answers as the built sfs does', async () => {
		for (const query of ['email', 'e*', '"rate limit"']) {
			const through = await searchThroughLoader(query);
			expect(through.cacheRejected).toBe(false);
			const direct = await sfs(box, ['search', '--json', query]);
			expect(direct.exitCode, direct.stderr).toBe(0);
			expect(through.stdout).toBe(direct.stdout);
		}

		expect(JSON.parse((await searchThroughLoader('email')).stdout)).not.toHaveLength(0);
	});

	it('answers the same with a cache V8 refuses, and with none', async () => {
		const cache = path.join(outDir, cacheFiles()[0]!);
		const good = fs.readFileSync(cache);
		const expected = (await searchThroughLoader('e*')).stdout;
		try {
			fs.writeFileSync(cache, Buffer.alloc(good.length, 7));
			const refused = await searchThroughLoader('e*');
			expect(refused.cacheRejected).toBe(true);
			expect(refused.stdout).toBe(expected);
			fs.rmSync(cache);
			const none = await searchThroughLoader('e*');
			expect(none.cacheRejected).toBeUndefined();
			expect(none.stdout).toBe(expected);
		} finally {
			fs.writeFileSync(cache, good);
		}
	});

	it('leaves no cache of an earlier bundle behind when it is run again', async () => {
		const stale = path.join(outDir, 'search-fast.0123456789abcdef.cache');
		fs.writeFileSync(stale, 'stale');
		const bundled = await execa(process.execPath, [script, path.join(outDir, 'search-fast.cjs')], {reject: false});
		expect(bundled.stderr).toBe('');
		expect(fs.existsSync(stale)).toBe(false);
		expect(cacheFiles()).toHaveLength(1);
	}, 120_000);
});
