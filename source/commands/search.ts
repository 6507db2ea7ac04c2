import {SfsError} from '../engine/errors.js';
import {isToolId, TOOL_IDS} from '../engine/types.js';
import type {SearchHit, SessionIndex, SessionRow} from '../engine/index-db.js';
import {note, out, plainSnippet, print, printable, relativeTime, renderSnippet} from '../output.js';
import {type CommandModule, type CommandSpec, listFlag, numberFlag, parseArgs, timeFlag, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs search "<query>" [options]

		Words are ANDed; "a phrase" in quotes; a trailing * for a prefix (limit*);
		identifiers and paths (handleRateLimit, src/api/users.ts) are found as typed.
		Chinese, Japanese, Korean and Thai words are found inside sentences too
		(slower on a large store: those messages are read, not looked up).

		Options
		  --tool <id>      Only sessions of these tools (repeat or comma-separate)
		  --since <time>   Only messages at or after <time> (ISO date or 90m, 12h, 7d, 2w)
		  --limit <n>      At most <n> hits (default 20)
		  --json           A JSON array of hits, best first

		Examples
		  $ sfs search handleRateLimit
		  $ sfs search '"rate limit" retry*' --since 2w --json
	`,
	flags: {
		tool: {type: 'string', isMultiple: true},
		since: {type: 'string'},
		limit: {type: 'string'},
		json: {type: 'boolean'},
	},
};

const command: CommandModule = {spec, run: argv => runSearch(argv, withIndex)};

export default command;

/** Runs `fn` on the index: how it is opened is the caller's (see withIndex; search-fast.ts). */
export type IndexOpener = <T>(fn: (index: SessionIndex) => T) => Promise<T>;

/** `sfs search <argv>`: parses, searches the index `open` gives, prints; the exit code. */
export async function runSearch(argv: string[], open: IndexOpener): Promise<number> {
	const parsed = plainArgs(argv) ?? parseArgs('search', argv, spec);
	if (!parsed) return 0;
	const {flags, input} = parsed;
	const query = input.join(' ').trim();
	if (!query) throw new SfsError('USAGE', 'search: missing a query', {hint: 'e.g. sfs search "rate limit"'});
	const options = {tools: listFlag(flags.tool), since: await timeFlag('since', flags.since), limit: numberFlag('limit', flags.limit, {min: 1}) ?? 20};
	const {hits, sessions} = await open(index => {
		const hits = index.search(query, options);
		const sessions = new Map<string, SessionRow | undefined>();
		if (!flags.json) for (const hit of hits) if (!sessions.has(hit.session_id)) sessions.set(hit.session_id, index.getSession(hit.session_id));
		return {hits, sessions};
	});
	if (flags.json) {
		const rows = hits.map(hit => ({
			session_id: hit.session_id,
			msg_id: hit.msg_id,
			role: hit.role,
			snippet: plainSnippet(hit.snippet),
			score: hit.score,
			position: hit.position,
			timestamp: hit.timestamp,
		}));
		writeStdout(`${JSON.stringify(rows, null, 2)}\n`);
		return 0;
	}

	if (hits.length === 0) {
		const unknownTool = options.tools?.find(tool => !isToolId(tool));
		note(`sfs: no matches for ${JSON.stringify(query)}${unknownTool === undefined ? '' : ` (no tool is called ${JSON.stringify(unknownTool)}; tools: ${TOOL_IDS.join(', ')})`}`);
		return 0;
	}

	printGrouped(hits, sessions);
	return 0;
}

/**
 * `sfs search [--json] <words…>`, the usual call, parsed here: words and `--json` only. Anything else
 * (another flag, `--`, a word starting with `-`) gives undefined and goes through parseArgs, whose
 * answer this equals where it answers (test/commands/search-args.test.ts). Node's parseArgs module is
 * compiled on first use, ~1 ms of a search process.
 */
export function plainArgs(argv: string[]): {flags: Record<string, unknown>; input: string[]} | undefined {
	const input: string[] = [];
	let json = false;
	for (const token of argv) {
		if (token === '--json') json = true;
		else if (token.startsWith('-')) return undefined;
		else input.push(token);
	}

	return {flags: json ? {json: true} : {}, input};
}

/**
 * The JSON answer, written straight to the file descriptor when stdout is a pipe, a socket (what
 * Node's child_process gives a child) or a file: setting up `process.stdout` for those loads Node's
 * net and stream modules, ~4 ms of a ~25 ms search process over `node -e ''`. A terminal keeps the
 * stream. A reader that went away (`sfs search --json x | head -1`) is no error, as for the stream
 * in cli.tsx.
 */
function writeStdout(text: string): void {
	const {fstatSync, writeSync} = process.getBuiltinModule('node:fs');
	// (node:tty's isatty would load net, and the stream modules with it.)
	let direct = false;
	try {
		const stat = fstatSync(1);
		direct = stat.isFIFO() || stat.isSocket() || stat.isFile();
	} catch {}

	if (!direct) {
		process.stdout.write(text);
		return;
	}

	const bytes = Buffer.from(text);
	for (let at = 0; at < bytes.length; ) {
		try {
			at += writeSync(1, bytes, at);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'EPIPE') return;
			// A non-blocking pipe that is full: wait a moment for the reader.
			if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
			else throw error;
		}
	}
}

/**
 * Searching only reads the index, so it is opened read-only, without the store (whose set-up reads
 * the directory of every session). An index that cannot be opened so (missing, damaged, another
 * schema version) is opened the usual way, which rebuilds it from the store.
 */
async function withIndex<T>(fn: (index: SessionIndex) => T): Promise<T> {
	const [{SessionIndex}, {indexPath}] = await Promise.all([import('../engine/index-db.js'), import('../engine/paths.js')]);
	let index: SessionIndex | undefined;
	try {
		index = SessionIndex.open(indexPath(), {readonly: true});
	} catch {
		return withEngine(engine => fn(engine.index));
	}

	try {
		return fn(index);
	} finally {
		index.close();
	}
}

/** Hits grouped by session, sessions in the order of their best hit. */
function printGrouped(hits: SearchHit[], sessions: Map<string, SessionRow | undefined>): void {
	const groups = new Map<string, SearchHit[]>();
	for (const hit of hits) {
		const group = groups.get(hit.session_id) ?? [];
		group.push(hit);
		groups.set(hit.session_id, group);
	}

	for (const [sessionId, group] of groups) {
		const row = sessions.get(sessionId);
		const title = row?.title ?? row?.first_prompt ?? '(untitled)';
		const facts = [row?.alias, row?.tool, row ? relativeTime(row.updated_at) : undefined].filter(Boolean).join(' · ');
		print(`${out.accent(sessionId)}  ${out.bold(printable(title).replace(/\s+/g, ' ').slice(0, 100))}${facts ? out.dim(`  ${facts}`) : ''}`);
		for (const hit of group) {
			print(`  ${out.dim(`#${hit.position} ${hit.role}:`)} ${renderSnippet(printable(hit.snippet).replace(/\s+/g, ' '), out.match)}`);
		}

		print();
	}
}
