import {SfsError} from '../engine/errors.js';
import {isToolId, TOOL_IDS} from '../engine/types.js';
import type {ListSort, SessionRow} from '../engine/index-db.js';
import {reconcileIndex} from '../engine/open-engine.js';
import {compactNumber, note, out, print, printable, printJson, relativeTime, table, terminalWidth} from '../output.js';
import {type CommandModule, type CommandSpec, listFlag, numberFlag, parseArgs, timeFlag, withEngine} from './common.js';

const SORTS = ['updated', 'created', 'messages', 'tokens'];

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs list [options]

		Options
		  --tool <id>        Only sessions of these tools (repeat or comma-separate)
		  --project <text>   Only sessions whose working directory contains <text>
		  --since <time>     Updated at or after <time> (ISO date or 90m, 12h, 7d, 2w)
		  --until <time>     Created at or before <time>
		  --tag <tag>        Only sessions with this tag
		  --sort <key>       updated, created, messages or tokens (default: updated)
		  --limit <n>        At most <n> sessions
		  --subagents        Include sub-agent transcripts
		  --no-headless      Hide headless runs (claude -p, codex exec, gemini -p, copilot -p); shown by default
		  --json             A JSON array of sessions ([] when none), each with cost_usd (null when
		                     nothing could be priced) and unpriced_models (models missing from the price table)
		  --plain            One tab-separated line per session (id, alias, tool, updated, title)
		  --ids              Session ids only, one per line

		Examples
		  $ sfs list --tool claude-code --since 7d
		  $ sfs list --json | jq '.[0].session_id'
	`,
	flags: {
		tool: {type: 'string', isMultiple: true},
		project: {type: 'string'},
		since: {type: 'string'},
		until: {type: 'string'},
		tag: {type: 'string'},
		sort: {type: 'string', choices: SORTS},
		limit: {type: 'string'},
		subagents: {type: 'boolean'},
		headless: {type: 'boolean'},
		json: {type: 'boolean'},
		plain: {type: 'boolean'},
		ids: {type: 'boolean'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('list', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		if (input.length > 0) throw new SfsError('USAGE', `list: unexpected argument ${JSON.stringify(input[0])}`, {hint: 'see: sfs list --help'});
		const filter = {
			tools: listFlag(flags.tool),
			project: flags.project as string | undefined,
			since: await timeFlag('since', flags.since),
			until: await timeFlag('until', flags.until),
			tag: flags.tag as string | undefined,
			sort: (flags.sort as ListSort | undefined) ?? 'updated',
			limit: numberFlag('limit', flags.limit, {min: 1}),
			includeSubagents: flags.subagents === true,
			headless: flags.headless === false ? ('exclude' as const) : ('include' as const),
		};
		const {rows, costs} = await withEngine(async engine => {
			// The store is the truth: index what it holds that the index lacks, report what is broken.
			reconcileIndex(engine, engine.index.listSessions({includeSubagents: true}).map(row => row.session_id), note);
			const listed = engine.index.listSessions(filter);
			if (!flags.json) return {rows: listed, costs: undefined};
			const {costsForRows} = await import('../engine/insight/cost-cache.js');
			const {configuredPrices} = await import('../engine/insight/session-insight.js');
			return {rows: listed, costs: costsForRows(engine, listed, configuredPrices(engine.env))};
		});
		if (flags.json) printJson(rows.map(row => ({...row, cost_usd: costs?.get(row.session_id)?.cost_usd ?? null, unpriced_models: costs?.get(row.session_id)?.unpriced_models ?? []})));
		else if (flags.ids) for (const row of rows) print(row.session_id);
		else if (flags.plain) for (const row of rows) print([row.session_id, row.alias ?? '', row.tool, row.updated_at, oneLine(row.title ?? row.first_prompt ?? '')].join('\t'));
		else if (rows.length === 0) note(emptyNote(filter));
		else printHuman(rows);
		return 0;
	},
};

export default command;

type ListFilter = {tools?: string[]; project?: string; since?: Date; until?: Date; tag?: string; headless: 'include' | 'exclude'};

/** Why nothing was listed: an empty store, or filters that matched nothing (naming a --tool no tool is called). */
function emptyNote(filter: ListFilter): string {
	const filtered = filter.tools !== undefined || filter.project !== undefined || filter.since !== undefined || filter.until !== undefined || filter.tag !== undefined || filter.headless === 'exclude';
	if (!filtered) return 'sfs: no sessions yet (capture them with `sfs capture`, or bring some in with `sfs import <path>`)';
	const unknown = (filter.tools ?? []).find(tool => !isToolId(tool));
	if (unknown !== undefined) return `sfs: no sessions match these filters (no tool is called ${JSON.stringify(unknown)}; tools: ${TOOL_IDS.join(', ')})`;
	return 'sfs: no sessions match these filters (see all: sfs list)';
}

function printHuman(rows: SessionRow[]): void {
	const now = Date.now();
	const lines = table(
		[{header: 'ID'}, {header: 'ALIAS'}, {header: 'TOOL'}, {header: 'UPDATED'}, {header: 'MSGS', align: 'right'}, {header: 'TOKENS', align: 'right'}, {header: 'TITLE', flex: true}],
		rows.map(row => [
			out.accent(row.session_id),
			row.alias ?? '',
			row.tool,
			relativeTime(row.updated_at, now),
			String(row.message_count),
			compactNumber(row.input_tokens + row.output_tokens),
			oneLine(row.title ?? row.first_prompt ?? '') + (row.is_headless ? out.dim(' (headless)') : '') + (row.tags.length > 0 ? out.dim(` [${row.tags.join(', ')}]`) : ''),
		]),
		{width: terminalWidth(), paint: out},
	);
	for (const line of lines) print(line);
}

function oneLine(text: string): string {
	return printable(text).replace(/\s+/g, ' ').trim();
}
