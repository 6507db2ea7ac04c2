import fs from 'node:fs';
import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {reconcileIndex} from '../engine/open-engine.js';
import {humanBytes, note, print, printable, printJson, relativeTime, table} from '../output.js';
import {assertCanConfirm, confirm, type CommandModule, type CommandSpec, parseArgs, timeFlag, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs storage                                     Disk usage per tool
		  $ sfs storage prune --older-than <time> [--dry-run] [--yes]

		prune deletes sessions not updated since <time> (ISO date or 90m, 12h, 7d, 2w), after
		listing them and asking (unless --yes). Deleted sessions leave tombstones, so capture does
		not bring them back. The tools' own files are never touched.

		Options
		  --older-than <time>   prune: sessions last updated before <time>
		  --dry-run             prune: list what would go, delete nothing
		  --yes                 prune: do not ask
		  --json                Machine-readable output

		Examples
		  $ sfs storage --json
		  $ sfs storage prune --older-than 90d --dry-run
	`,
	flags: {olderThan: {type: 'string'}, dryRun: {type: 'boolean'}, yes: {type: 'boolean', shortFlag: 'y'}, json: {type: 'boolean'}},
};

export type ToolUsage = {tool: string; sessions: number; messages: number; bytes: number};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('storage', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		if (input[0] === 'prune') {
			if (input.length > 1) throw new SfsError('USAGE', `storage prune: unexpected argument ${JSON.stringify(input[1])}`);
			return prune(flags);
		}

		if (input.length > 0) throw new SfsError('USAGE', `storage: unknown subcommand ${JSON.stringify(input[0])}`, {hint: 'see: sfs storage --help'});
		if (flags.olderThan !== undefined || flags.dryRun !== undefined) throw new SfsError('USAGE', '--older-than and --dry-run belong to "sfs storage prune"');
		const report = await withEngine(engine => {
			reconcileIndex(engine, engine.index.listSessions({includeSubagents: true}).map(row => row.session_id), note);
			const byTool = new Map<string, ToolUsage>();
			for (const row of engine.index.listSessions({includeSubagents: true})) {
				const usage = byTool.get(row.tool) ?? {tool: row.tool, sessions: 0, messages: 0, bytes: 0};
				usage.sessions++;
				usage.messages += row.message_count;
				usage.bytes += treeSize(path.join(engine.store.sessionsRoot, row.session_id));
				byTool.set(row.tool, usage);
			}

			const tools = [...byTool.values()].sort((a, b) => b.bytes - a.bytes);
			const indexBytes = engine.index.stats().bytes;
			const sessionsBytes = tools.reduce((sum, tool) => sum + tool.bytes, 0);
			return {data_dir: engine.store.dataRoot, tools, sessions_bytes: sessionsBytes, index_bytes: indexBytes, total_bytes: sessionsBytes + indexBytes};
		});
		if (flags.json) {
			printJson(report);
			return 0;
		}

		const rows = report.tools.map(tool => [tool.tool, String(tool.sessions), String(tool.messages), humanBytes(tool.bytes)]);
		rows.push(['index.db', '', '', humanBytes(report.index_bytes)], ['total', String(report.tools.reduce((n, t) => n + t.sessions, 0)), '', humanBytes(report.total_bytes)]);
		for (const line of table([{header: 'TOOL'}, {header: 'SESSIONS', align: 'right'}, {header: 'MESSAGES', align: 'right'}, {header: 'SIZE', align: 'right'}], rows)) print(line);
		note(`sfs: data in ${report.data_dir}`);
		return 0;
	},
};

export default command;

async function prune(flags: Record<string, unknown>): Promise<number> {
	const cutoff = await timeFlag('older-than', flags.olderThan);
	if (!cutoff) throw new SfsError('USAGE', 'storage prune: --older-than is required', {hint: 'e.g. sfs storage prune --older-than 90d --dry-run'});
	return withEngine(async engine => {
		const doomed = engine.index
			.listSessions({includeSubagents: true, sort: 'updated'})
			.filter(row => Date.parse(row.updated_at ?? row.created_at) < cutoff.getTime())
			.reverse();
		const listing = doomed.map(row => ({session_id: row.session_id, tool: row.tool, updated_at: row.updated_at, title: row.title}));
		if (doomed.length === 0) {
			if (flags.json) printJson({deleted: [], dry_run: flags.dryRun === true});
			else note(`sfs: no sessions last updated before ${cutoff.toISOString()}`);
			return 0;
		}

		if (flags.dryRun) {
			if (flags.json) printJson({deleted: [], would_delete: listing, dry_run: true});
			else {
				for (const row of doomed) print(`${row.session_id}\t${row.tool}\t${relativeTime(row.updated_at)}\t${printable(row.title ?? '').replace(/\s+/g, ' ')}`);
				note(`sfs: would delete ${doomed.length} session(s) (dry run; nothing deleted)`);
			}

			return 0;
		}

		assertCanConfirm(flags.yes === true);
		for (const row of doomed.slice(0, 20)) note(`  ${row.session_id}  ${row.tool}  ${relativeTime(row.updated_at)}  ${printable(row.title ?? '').replace(/\s+/g, ' ')}`);
		if (doomed.length > 20) note(`  … and ${doomed.length - 20} more`);
		if (!(await confirm(`Delete these ${doomed.length} session(s)?`, flags.yes === true))) {
			note('sfs: nothing deleted');
			return 1;
		}

		const deleted: string[] = [];
		for (const row of doomed) {
			engine.store.delete(row.session_id, {tool: row.tool, native_id: row.native_id});
			engine.index.removeSession(row.session_id);
			deleted.push(row.session_id);
		}

		if (flags.json) printJson({deleted, dry_run: false});
		else note(`sfs: deleted ${deleted.length} session(s)`);
		return 0;
	});
}

function treeSize(dir: string): number {
	let total = 0;
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, {withFileTypes: true});
	} catch {
		return 0;
	}

	for (const entry of entries) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += treeSize(full);
		else if (entry.isFile()) {
			try {
				total += fs.statSync(full).size;
			} catch {}
		}
	}

	return total;
}
