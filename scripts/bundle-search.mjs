// Writes dist/search-fast.cjs: `sfs search` (source/commands/search-fast.ts, the modules it imports and
// better-sqlite3's JavaScript) as one CommonJS file, which dist/cli.js requires before anything else.
// Why CommonJS: an ESM bundle still goes through Node's ESM loader and saved ~4 ms; one required file
// saves ~13 ms of CPU of every search (docs/performance.md). Only modules the search path imports
// statically (and time-spec.ts, for --since) are bundled; dynamic imports of other sfs modules (the
// engine that rebuilds a missing index) are never reached in the fast path: search-fast.ts hands any
// failure back to cli.tsx, which runs the ESM command. Without esbuild, or on any bundling error, no
// file is written and `sfs search` simply takes the usual path.
//
// Three files are written next to each other:
// - search-fast.bundle.cjs: the bundle itself;
// - search-fast.<hash>.cache: V8's code cache of it (bytecode of the functions a few warm-up searches
//   ran), made by running this script again as a child with `--warm-up`; <hash> is the bundle's, so a
//   cache can never be applied to other code than its own;
// - search-fast.cjs: a small loader that compiles the bundle with that cache (vm.Script cachedData) and
//   runs it as Node's CommonJS loader would. Node 20 has no compile cache of its own for required
//   files (module.enableCompileCache came in 22), and compiling the bundle and its functions lazily
//   was ~4 ms of each search. A cache V8 refuses (another Node version, other V8 flags) is ignored and
//   the bundle compiled as without one; no cache at all (the warm-up failed) works the same way.
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const sourceRoot = path.join(root, 'source');

if (process.argv[2] === '--warm-up') {
	await warmUp(process.argv[3], process.argv[4]);
	process.exit(0);
}

const outfile = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist', 'search-fast.cjs');
const outDir = path.dirname(outfile);
const base = path.basename(outfile, '.cjs');
const bundleName = `${base}.bundle.cjs`;
const bundleFile = path.join(outDir, bundleName);
/** Reached by dynamic import on the fast path, so bundled too. */
const bundledDynamic = new Set([path.join(sourceRoot, 'engine', 'time-spec.ts')]);

removeOutputs();

let esbuild;
try {
	esbuild = await import('esbuild');
} catch {
	console.error('bundle-search: esbuild is not installed; `sfs search` takes the usual (slower) path');
	process.exit(0);
}

const INDEX_DB = path.join(sourceRoot, 'engine', 'index-db.ts');
/** index-db.ts requires better-sqlite3 through createRequire (cheaper for ESM); here it is imported so that esbuild bundles it. */
const DRIVER_REQUIRE = "createRequire(import.meta.url)('better-sqlite3')";

const searchPath = {
	name: 'sfs-search-path',
	setup(build) {
		build.onResolve({filter: /^\.\.?\//}, args => {
			if (args.kind !== 'dynamic-import') return undefined;
			const absolute = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
			if (bundledDynamic.has(absolute)) return {path: absolute};
			// Left as an import() that the fast path never runs.
			return {path: args.path, external: true};
		});
		build.onLoad({filter: /index-db\.ts$/}, args => {
			if (args.path !== INDEX_DB) return undefined;
			const source = fs.readFileSync(args.path, 'utf8');
			if (!source.includes(DRIVER_REQUIRE)) throw new Error(`bundle-search: ${DRIVER_REQUIRE} is no longer in index-db.ts; update this script`);
			return {contents: `import __sfsDriver from 'better-sqlite3';\n${source.replace(DRIVER_REQUIRE, '__sfsDriver')}`, loader: 'ts'};
		});
	},
};

try {
	await esbuild.build({
		entryPoints: [path.join(sourceRoot, 'commands', 'search-fast.ts')],
		outfile: bundleFile,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		// Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
		minifyWhitespace: true,
		minifySyntax: true,
		// `bindings` is better-sqlite3's fallback addon lookup; index-db.ts passes the addon's path instead.
		external: ['bindings'],
		// import.meta does not exist in CommonJS: index-db.ts uses it to find better-sqlite3's addon.
		define: {'import.meta.url': '__sfsImportMetaUrl', 'import.meta.resolve': '__sfsImportMetaResolve'},
		banner: {js: bannerSource()},
		plugins: [searchPath],
		logLevel: 'warning',
	});
	const code = fs.readFileSync(bundleFile, 'utf8');
	// The loader compiles the bundle as a script, which has no module loader for import().
	if (/\bimport\(/.test(code)) throw new Error('the bundle holds an import(), which the loader cannot run; bundle that module too');
	const cacheName = `${base}.${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cache`;
	fs.writeFileSync(outfile, loaderSource(bundleName, cacheName));
	makeCodeCache(path.join(outDir, cacheName));
} catch (error) {
	console.error(`bundle-search: ${error instanceof Error ? error.message : String(error)}; \`sfs search\` takes the usual (slower) path`);
	removeOutputs();
}

/**
 * import.meta for the CommonJS bundle. index-db.ts resolves better-sqlite3 to find its addon; where the
 * package sits where it sat at build time relative to the bundle (this repository, a global install),
 * its main file is taken from there after one existsSync instead of require.resolve's walk (~0.5 ms).
 */
function bannerSource() {
	let driverMain = '';
	try {
		driverMain = path.relative(outDir, createRequire(path.join(root, 'package.json')).resolve('better-sqlite3'));
	} catch {}

	return [
		"const __sfsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
		`const __sfsDriverMain = require('node:path').join(__dirname, ${JSON.stringify(driverMain)});`,
		"const __sfsImportMetaResolve = specifier => require('node:url').pathToFileURL(",
		`${JSON.stringify(driverMain)} && specifier === 'better-sqlite3' && require('node:fs').existsSync(__sfsDriverMain) ? __sfsDriverMain : require.resolve(specifier)).href;`,
	].join(' ');
}

/** What an earlier run wrote (a stale cache included). */
function removeOutputs() {
	fs.rmSync(outfile, {force: true});
	fs.rmSync(bundleFile, {force: true});
	let names = [];
	try {
		names = fs.readdirSync(outDir);
	} catch {}

	for (const name of names) if (name.startsWith(`${base}.`) && name.endsWith('.cache')) fs.rmSync(path.join(outDir, name), {force: true});
}

/**
 * dist/search-fast.cjs. It must stay in step with what Node's CommonJS loader does for a required file:
 * the same wrapper arguments, `this` = exports, the bundle's own file name (stack traces, __filename).
 */
function loaderSource(bundle, cache) {
	return `'use strict';
// Written by scripts/bundle-search.mjs: runs ${bundle} (\`sfs search\`) compiled with V8's code cache of
// it, ${cache}, when that cache is there and V8 accepts it; else compiled as Node would.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const file = path.join(__dirname, ${JSON.stringify(bundle)});
let cachedData;
try {
	cachedData = fs.readFileSync(path.join(__dirname, ${JSON.stringify(cache)}));
} catch {}
const script = new vm.Script(\`(function (exports, require, module, __filename, __dirname) {\${fs.readFileSync(file, 'utf8')}\\n})\`, {filename: file, cachedData});
const bundle = {exports: {}};
script.runInThisContext().call(bundle.exports, bundle.exports, require, bundle, file, __dirname);
module.exports = {
	runSearchFast: bundle.exports.runSearchFast,
	/** For scripts/bundle-search.mjs: the code cache of the bundle as it has been run so far. */
	codeCache: () => script.createCachedData(),
	/** Whether V8 refused the cache (tests). */
	cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected === true,
};
`;
}

/** Runs the warm-up in a child (its own V8, without this script's modules), which writes the cache. */
function makeCodeCache(cacheFile) {
	const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--warm-up', outfile, cacheFile], {
		// V8 accepts a cache only under the flags it was made with: make it under none, as `sfs` runs.
		env: {...process.env, NODE_OPTIONS: ''},
		// A pipe, as `sfs search --json` usually writes into (search.ts writeStdout); the answers are dropped.
		stdio: ['ignore', 'pipe', 'pipe'],
		maxBuffer: 64 * 1024 * 1024,
		encoding: 'utf8',
		timeout: 60_000,
	});
	if (run.status !== 0 || !fs.existsSync(cacheFile)) {
		fs.rmSync(cacheFile, {force: true});
		console.error(`bundle-search: no code cache for the search bundle (${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}); \`sfs search\` compiles it at each start`);
	}
}

/**
 * In the child: a throwaway index with a few sessions, searched the ways `sfs search` searches (plain
 * and rare words, phrases, prefixes, camelCase, paths, non-ASCII text), then the cache written. It is
 * built with the tsc output next to the bundle (engine/index-db.js); without it, only the bundle's top
 * level is cached.
 */
async function warmUp(loaderFile, cacheFile) {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-search-warm-up-'));
	try {
		process.env.SFS_HOME = home;
		const indexModule = path.join(path.dirname(loaderFile), 'engine', 'index-db.js');
		const searches = fs.existsSync(indexModule) ? await buildWarmUpIndex(indexModule, path.join(home, 'index.db')) : [];
		const loader = createRequire(loaderFile)(loaderFile);
		for (const argv of searches) {
			const code = await loader.runSearchFast(argv);
			if (code !== 0) throw new Error(`warm-up search ${JSON.stringify(argv)} gave ${String(code)}`);
		}

		fs.writeFileSync(cacheFile, loader.codeCache());
	} finally {
		fs.rmSync(home, {recursive: true, force: true});
	}
}

async function buildWarmUpIndex(indexModule, file) {
	const {SessionIndex} = await import(pathToFileURL(indexModule).href);
	const texts = [
		'The rate limiter in src/api/users.ts calls handleRateLimit when the quota is gone.',
		'Then there is the theme: café, naïve, Über — all folded; “quotes” and … ellipses.',
		'You could configure your layout with getYourName() or XMLHttpRequest, else if ElseItem.',
		`A long tool output: ${'the quick brown fox jumps over the lazy dog, '.repeat(60)}end.`,
		'Nothing else here but a rare word: zorblatnik.',
	];
	const index = SessionIndex.open(file);
	try {
		index.transaction(() => {
			for (let session = 0; session < 3; session++) {
				const id = `ses_warmup${String(session).padStart(8, '0')}`;
				const time = new Date(Date.UTC(2026, 0, 1 + session)).toISOString();
				index.upsertSession({
					sfs_version: '0.1.0',
					session_id: id,
					title: `warm-up ${session}`,
					created_at: time,
					updated_at: time,
					source: {tool: session === 1 ? 'codex' : 'claude-code', original_session_id: id},
					stats: {message_count: texts.length, total_input_tokens: 0, total_output_tokens: 0},
				});
				index.addMessages(
					id,
					texts.map((text, at) => ({msg_id: `${id}-${at}`, role: at % 2 ? 'assistant' : 'user', timestamp: time, content: [{type: 'text', text}]})),
					1,
				);
			}
		});
	} finally {
		index.close();
	}

	const queries = ['the', 'zorblatnik', '"rate limit"', 'handleRateLimit', 'src/api/users.ts', 'cafe', 'the*', 'you*', 'ElseI*', 'zorb*', 'rate the*', 'quick fox'];
	return [...queries.map(query => ['--json', query]), ['--json', '--limit', '5', '--tool', 'codex', '--since', '2025-01-01', 'the']];
}
