#!/usr/bin/env node
/**
 * The `sfs` entry. Kept tiny on purpose: it reads the command name from argv by hand and imports only
 * that command's module (see commands/registry.ts), so scriptable commands never load ink or react
 * and start fast. Only Node built-ins are imported statically here; everything else is dynamic so
 * that the colour environment below is settled before any module that reads it is evaluated.
 */
// Built-ins come from process.getBuiltinModule, not `import`: an ESM import of node:fs makes Node
// build its module namespace, which loads the fs stream classes and so Node's stream modules (~2 ms).
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

// `--no-color` works on every command; turn it into NO_COLOR before output.ts decides on colours.
const separator = process.argv.indexOf('--');
if (process.argv.slice(2, separator === -1 ? undefined : separator).includes('--no-color')) process.env.NO_COLOR = '1';
// G17: chalk/supports-color ignore NO_COLOR; translate it before anything colour-aware loads.
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';

const ROOT_HELP = (commands: Array<[string, string]>) => `
  sfs: a terminal-first session manager for AI coding agents

  Usage
    $ sfs                     Open the session browser (needs a terminal; otherwise lists sessions)
    $ sfs <command> [options]

  Commands
${commands.map(([name, summary]) => `    ${name.padEnd(12)} ${summary}`).join('\n')}

  Options
    -h, --help       Show help (also: sfs <command> --help, sfs help <command>)
    -v, --version    Show the version
    --demo           Open the session browser on demo data
    --no-color       No colours (NO_COLOR is honoured too)

  Exit status: 0 ok, 1 failure (including "not found"), 2 usage error.
  Set SFS_DEBUG=1 to see stack traces.

  Examples
    $ sfs list --since 7d
    $ sfs search handleRateLimit
    $ sfs show <ref> --json
`;

function packageVersion(): string {
	try {
		const file = path.join(path.dirname(process.getBuiltinModule('node:url').fileURLToPath(import.meta.url)), '..', 'package.json');
		return (JSON.parse(fs.readFileSync(file, 'utf8')) as {version?: string}).version ?? '0.0.0';
	} catch {
		return '0.0.0';
	}
}

/** Commands whose work is read-only, so that a damaged index can be rebuilt and the command re-run. */
const RETRY_ON_DAMAGED_INDEX = new Set(['list', 'show', 'search', 'export', 'storage']);

async function main(argv: string[]): Promise<number> {
	const {SfsError} = await import('./engine/errors.js');
	const {COMMANDS} = await import('./commands/registry.js');
	let demo = false;
	let index = 0;
	// Root flags come before the command name.
	for (; index < argv.length; index++) {
		const token = argv[index]!;
		if (!token.startsWith('-')) break;
		if (token === '-h' || token === '--help') {
			process.stdout.write(ROOT_HELP(Object.entries(COMMANDS).filter(([, entry]) => !entry.hidden).map(([name, entry]) => [name, entry.summary])));
			return 0;
		}

		if (token === '-v' || token === '--version') {
			process.stdout.write(`${packageVersion()}\n`);
			return 0;
		}

		if (token === '--demo') demo = true;
		else if (token === '--no-color') {
			process.env.FORCE_COLOR = '0';
			process.env.NO_COLOR = '1';
		} else throw new SfsError('USAGE', `unknown flag ${token}`, {hint: 'see: sfs --help'});
	}

	const name = argv[index];
	const rest = argv.slice(index + 1);
	// A bare `sfs` has no flags to parse: skipping meow there saves ~25 ms of the TUI's first frame.
	if (name === undefined) return openBrowser(argv.length === 0 ? false : await rootFlags(argv, demo));
	if (name === 'help') {
		// `sfs help` and `sfs help <command>`, as git and npm have it.
		const topic = rest[0];
		if (topic !== undefined && Object.hasOwn(COMMANDS, topic)) return (await COMMANDS[topic]!.load()).default.run(['--help']);
		if (topic !== undefined) throw new SfsError('USAGE', `no help for ${JSON.stringify(topic)}: not a command`, {hint: 'see: sfs --help'});
		return main(['--help']);
	}

	const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
	if (!entry) {
		const {nearestCommand} = await import('./commands/suggest.js');
		const near = nearestCommand(name, Object.keys(COMMANDS).filter(candidate => !COMMANDS[candidate]!.hidden));
		throw new SfsError('USAGE', `unknown command ${JSON.stringify(name)}`, {hint: near ? `did you mean "sfs ${near}"? see: sfs --help` : 'see: sfs --help'});
	}

	const module = (await entry.load()).default;
	try {
		return await module.run(rest);
	} catch (error) {
		if (!(error instanceof SfsError && error.code === 'DB' && RETRY_ON_DAMAGED_INDEX.has(name))) throw error;
		// The store is the truth: rebuild the derived index and try once more.
		const {note} = await import('./output.js');
		const {openEngine, rebuildEngineIndex} = await import('./engine/open-engine.js');
		note(`sfs: the index failed (${error.message}); rebuilding it from the store`);
		const engine = openEngine({onNotice: note});
		try {
			rebuildEngineIndex(engine, note);
		} finally {
			engine.close();
		}

		return module.run(rest);
	}
}

/**
 * The root invocation (`sfs`, `sfs --demo`) is parsed with meow: it opens the TUI, which loads far
 * more than meow, so meow's start-up cost does not matter there. Subcommands use the lighter
 * parseArgs in commands/common.ts to keep `sfs search` within its start-up budget.
 */
async function rootFlags(argv: string[], demo: boolean): Promise<boolean> {
	const {default: meow} = await import('meow');
	const cli = meow({
		importMeta: import.meta,
		argv,
		autoHelp: false,
		autoVersion: false,
		allowUnknownFlags: true,
		flags: {demo: {type: 'boolean', default: false}, color: {type: 'boolean', default: true}},
	});
	return demo || cli.flags.demo;
}

/** `sfs` alone: the TUI on a terminal, else the list (plus a hint on stderr). */
async function openBrowser(demo: boolean): Promise<number> {
	const {note} = await import('./output.js');
	let cleanup: (() => void) | undefined;
	if (demo) {
		// A throwaway HOME and data dir with the bundled sample sessions; the user's data is not touched.
		const {prepareDemoEnv} = await import('./engine/demo.js');
		const prepared = prepareDemoEnv();
		Object.assign(process.env, prepared.env);
		cleanup = prepared.cleanup;
	}

	try {
		if (process.stdin.isTTY && process.stdout.isTTY) {
			const tui = await loadTuiInteractive();
			if (tui) {
				const [{openEngine}, {createTuiEngine}, {loadWriter}] = await Promise.all([
					import('./engine/open-engine.js'),
					import('./engine/tui-engine.js'),
					import('./adapters/writers.js'),
				]);
				// The background capture worker sweeps orphan temp files; the first frame need not wait on it.
				const engine = openEngine({onNotice: note, sweepOrphanTemps: false});
				// Loading the TUI has grown V8's young generation to a few MiB: keep it there (see holdYoungGeneration).
				const {holdYoungGeneration} = await import('./engine/tui-worker-client.js');
				holdYoungGeneration();
				const tuiEngine = createTuiEngine(engine, {loadWriter});
				try {
					return await tui.runTui(tuiEngine, {demo});
				} finally {
					tuiEngine.close(); // no daemon looked for, or attached to, once the engine is closed
					engine.close();
				}
			}
		}

		const {COMMANDS} = await import('./commands/registry.js');
		if (demo) await (await COMMANDS.capture!.load()).default.run(['--quiet']);
		const code = await (await COMMANDS.list!.load()).default.run([]);
		if (!process.stdout.isTTY) note('sfs: not a terminal, so printed `sfs list` (run `sfs` in a terminal for the browser; `sfs --help` for commands)');
		return code;
	} finally {
		cleanup?.();
	}
}

type TuiModule = {runTui(engine: unknown, options: {demo: boolean}): Promise<number>};

/**
 * Ink decides once, when it loads, that CI=true means "no terminal" and then draws nothing until
 * exit. On a real terminal that is wrong (a shell with CI exported, or the bench under .ci/run), so the
 * TUI loads with those variables hidden; they are put back at once for the tools it launches.
 */
async function loadTuiInteractive(): Promise<TuiModule | undefined> {
	const hidden = ['CI', 'CONTINUOUS_INTEGRATION'].filter(key => key in process.env).map(key => [key, process.env[key]] as const);
	for (const [key] of hidden) delete process.env[key];
	try {
		return await loadTui();
	} finally {
		for (const [key, value] of hidden) process.env[key] = value;
	}
}

/** The TUI module, or undefined while it is not built (then `sfs` falls back to the list). */
async function loadTui(): Promise<TuiModule | undefined> {
	const specifier = './tui.js'; // A variable, so the compiler does not require the module to exist yet.
	try {
		return (await import(specifier)) as TuiModule;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('tui.js')) return undefined;
		throw error;
	}
}

// `sfs search --json` into a pipe never sets up process.stdout (search.ts writeStdout handles EPIPE itself); reading it here would.
if (!(process.argv[2] === 'search' && process.argv.includes('--json'))) {
	process.stdout.on('error', error => {
		// `sfs list | head`: the reader went away; that is not a failure of ours.
		if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
		throw error;
	});
	// `sfs capture 2>&1 | head -1`: notes and progress to a reader that went away are dropped; the
	// command still finishes and exits with its own status (an unhandled EPIPE made it exit 1).
	process.stderr.on('error', error => {
		if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
	});
}

/**
 * `sfs search …` first tries dist/search-fast.cjs (scripts/bundle-search.mjs): the search path as one
 * CommonJS file, ~13 ms less start-up than its ESM modules. Undefined when that file is not there (a
 * run from source, a build without esbuild) or when it hands the command back (see search-fast.ts).
 */
async function fastSearch(argv: string[]): Promise<number | undefined> {
	if (argv[0] !== 'search') return undefined;
	let fast: {runSearchFast(argv: string[]): Promise<number | undefined>};
	try {
		fast = process.getBuiltinModule('node:module').createRequire(import.meta.url)('./search-fast.cjs') as typeof fast;
	} catch {
		return undefined;
	}

	return fast.runSearchFast(argv.slice(1));
}

try {
	process.exitCode = (await fastSearch(process.argv.slice(2))) ?? (await main(process.argv.slice(2)));
} catch (error) {
	const [{printError}, {exitCodeFor}] = await Promise.all([import('./output.js'), import('./engine/errors.js')]);
	printError(error);
	process.exitCode = exitCodeFor(error);
}
