// Writes dist/search-fast.cjs: `sfs search` (source/commands/search-fast.ts, the modules it imports and
// better-sqlite3's JavaScript) as one CommonJS file, which dist/cli.js requires before anything else.
// Why CommonJS: an ESM bundle still goes through Node's ESM loader and saved ~4 ms; one required file
// saves ~13 ms of CPU of every search (docs/performance.md). Only modules the search path imports
// statically (and time-spec.ts, for --since) are bundled; dynamic imports of other sfs modules (the
// engine that rebuilds a missing index) are never reached in the fast path: search-fast.ts hands any
// failure back to cli.tsx, which runs the ESM command. Without esbuild, or on any bundling error, no
// file is written and `sfs search` simply takes the usual path.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..');
const sourceRoot = path.join(root, 'source');
const outfile = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist', 'search-fast.cjs');
/** Reached by dynamic import on the fast path, so bundled too. */
const bundledDynamic = new Set([path.join(sourceRoot, 'engine', 'time-spec.ts')]);

let esbuild;
try {
	esbuild = await import('esbuild');
} catch {
	console.error('bundle-search: esbuild is not installed; `sfs search` takes the usual (slower) path');
	fs.rmSync(outfile, {force: true});
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
		outfile,
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
		banner: {
			js: "const __sfsImportMetaUrl = require('node:url').pathToFileURL(__filename).href; const __sfsImportMetaResolve = specifier => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
		},
		plugins: [searchPath],
		logLevel: 'warning',
	});
} catch (error) {
	console.error(`bundle-search: ${error instanceof Error ? error.message : String(error)}; \`sfs search\` takes the usual (slower) path`);
	fs.rmSync(outfile, {force: true});
}
