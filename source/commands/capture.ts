import {isToolId, type ToolId} from '../engine/types.js';
import {SfsError} from '../engine/errors.js';
import {err, note, printJson, progressLine} from '../output.js';
import {type CommandModule, type CommandSpec, listFlag, parseArgs, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs capture [options]

		Scans every enabled tool's native store once and captures new and changed sessions
		(incrementally: unchanged files are not read). Returns when everything captured is searchable.

		Options
		  --tool <id>   Only these tools (repeat or comma-separate)
		  --json        {"new", "updated", "unchanged", "empty", "skipped": [{"path", "reason"}], "unknown_records", "duration_ms"}
		  --quiet       No progress or summary on stderr

		Exit status: 0 when the scan completed (even if some input was skipped), 1 if capture failed.

		Examples
		  $ sfs capture
		  $ sfs capture --tool claude-code,codex --json
	`,
	flags: {tool: {type: 'string', isMultiple: true}, json: {type: 'boolean'}, quiet: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('capture', argv, spec);
		if (!parsed) return 0;
		const tools = listFlag(parsed.flags.tool);
		for (const tool of tools ?? []) {
			if (!isToolId(tool)) throw new SfsError('USAGE', `unknown tool ${JSON.stringify(tool)}`, {hint: 'tools: claude-code, codex, gemini, copilot, cursor, amp, cline, roo-code'});
		}

		const quiet = parsed.flags.quiet === true;
		const progress = !quiet && process.stderr.isTTY ? progressLine() : undefined;
		const {runCapture} = await import('../engine/capture-run.js');
		const report = await withEngine(async engine => runCapture(engine, {tools: tools as ToolId[] | undefined, onProgress: progress ? update => progress.update(update.tool, update.done, update.total) : undefined}));
		progress?.done();
		if (parsed.flags.json) {
			printJson(report);
			return 0;
		}

		if (!quiet) {
			const empty = report.empty > 0 ? `, ${report.empty} with no messages yet (not stored)` : '';
			note(`captured: ${report.new} new, ${report.updated} updated, ${report.unchanged} unchanged${empty} in ${(report.duration_ms / 1000).toFixed(1)}s`);
			for (const skipped of report.skipped) note(`${err.warn('skipped')} ${skipped.path}: ${skipped.reason}`);
			if (report.warnings.length > 0) note(`${report.warnings.length} warning(s) while reading (bad or partial lines kept out); first: ${report.warnings[0]}`);
			for (const [tool, counts] of Object.entries(report.unknown_records)) {
				const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
				note(`${tool}: ${total} record(s) of unknown type kept as native records (${Object.keys(counts).join(', ')})`);
			}
		}

		return 0;
	},
};

export default command;
