// Replaces tsc's dist/tui.js with one bundled file: the TUI's views plus ink, react and the rest of
// their dependencies, React in its production build. Why: the unbundled TUI made Node's ESM loader
// open, resolve and compile ~530 modules before the first frame (415 of them are es-toolkit/compat,
// which ink imports for one `throttle`), about 70% of the start-up time; React's development build
// also doubled the reconciler's size. One file loads ~3 times faster (docs/performance.md, TUI rows).
// Engine modules stay outside the bundle (imported from dist/engine/… as before), so there is one copy
// of each. Without esbuild (a production install with no dev dependencies) tsc's output is kept.
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..');
const sourceRoot = path.join(root, 'source');
/** `node scripts/bundle-tui.mjs [outDir]`: a private build (side-by-side measurements) bundles into its own folder. */
const outDir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist');
/** Only these source files go into the bundle; every other source import stays a module of dist/. */
const bundled = [path.join(sourceRoot, 'views') + path.sep, path.join(sourceRoot, 'tui.tsx')];

let esbuild;
try {
	esbuild = await import('esbuild');
} catch {
	console.error('bundle-tui: esbuild is not installed; dist/tui.js stays unbundled (slower TUI start)');
	process.exit(0);
}

// Ink, cli-truncate and widest-line measure text with string-width, whose first non-ASCII character compiles
// Unicode-property regexes (30–45 ms of the first frame); source/views/string-width.ts answers the common
// one-column characters by counting and hands everything else to string-width. Only the top-level
// string-width is replaced (wrap-ansi's own older copy stays as it is).
const fastStringWidth = path.join(sourceRoot, 'views', 'string-width.ts');
const stringWidthSwap = {
	name: 'sfs-string-width',
	setup(build) {
		const resolve = (resolveDir, kind = 'import-statement') => build.resolve('string-width', {kind, resolveDir, pluginData: 'sfs-string-width'});
		let top;
		build.onResolve({filter: /^string-width$/}, async args => {
			if (args.importer === fastStringWidth || args.pluginData === 'sfs-string-width') return undefined;
			top ??= resolve(root);
			const [resolved, topLevel] = await Promise.all([resolve(args.resolveDir, args.kind), top]);
			return resolved.path === topLevel.path ? {path: fastStringWidth} : resolved;
		});
	},
};

const keepOutside = {
	name: 'sfs-keep-outside',
	setup(build) {
		// ink imports its devtools only when DEV=true; they need react-devtools-core and ws, which sfs does not ship.
		build.onResolve({filter: /^react-devtools-core$|\/devtools\.js$/}, () => ({path: 'devtools', namespace: 'sfs-stub'}));
		build.onLoad({filter: /.*/, namespace: 'sfs-stub'}, () => ({contents: 'export default {initialize() {}, connectToDevTools() {}};', loader: 'js'}));
		build.onResolve({filter: /^\.\.?\//}, args => {
			const absolute = path.resolve(args.resolveDir, args.path);
			if (!absolute.startsWith(sourceRoot + path.sep) || bundled.some(prefix => absolute === prefix || absolute.startsWith(prefix))) return undefined;
			const fromDist = path.relative(sourceRoot, absolute).split(path.sep).join('/');
			return {path: `./${fromDist}`, external: true};
		});
	},
};

await esbuild.build({
	entryPoints: [path.join(sourceRoot, 'tui.tsx')],
	outfile: path.join(outDir, 'tui.js'),
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	jsx: 'automatic',
	sourcemap: 'linked',
	// Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
	minifyWhitespace: true,
	minifySyntax: true,
	// React picks its production build at bundle time; NODE_ENV is never set at run time (G18: it would leak into launched tools).
	// yoga-layout's emscripten loader fetch()es its own base64 data: URL when `fetch` exists, and Node's
	// fetch loads undici (~25 ms before the first frame); without it the loader decodes the bytes itself.
	define: {'process.env.NODE_ENV': '"production"', fetch: 'undefined'},
	// execa loads only when a tool is launched; better-sqlite3 is native.
	external: ['execa', 'better-sqlite3'],
	// Some bundled CommonJS packages call require() for Node built-ins.
	banner: {js: "import {createRequire as __sfsCreateRequire} from 'node:module'; const require = __sfsCreateRequire(import.meta.url);"},
	plugins: [stringWidthSwap, keepOutside],
	logLevel: 'warning',
});
