import {humanBytes, note, out, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs doctor [--fix] [--deep] [--json]

		Checks that sfs is healthy: the store is readable and private (0700/0600), the index is
		present, consistent with the store and has full-text search, the daemon runs and answers,
		each tool's store is found and watched, no tool setting will delete history, no records of
		unknown type piled up (format drift), no temp files were left behind, and disk space.

		Options
		  --fix    Repair what can be repaired (permissions, index rebuild, temp files, stale daemon files)
		  --deep   Also read every page of the index (SQLite's and FTS5's integrity checks; ~5 s per GB)
		  --json   {"ok": bool, "checks": [{"id", "title", "verdict": "ok|info|warn|fail", "detail", "hint"?, "fixed"?}]}

		Exit status: 0 when no check failed, 1 otherwise.

		Examples
		  $ sfs doctor
		  $ sfs doctor --fix
		  $ sfs doctor --deep
	`,
	flags: {fix: {type: 'boolean'}, deep: {type: 'boolean'}, json: {type: 'boolean'}},
};

const MARK = {ok: '✓', info: '·', warn: '!', fail: '✗'} as const;

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('doctor', argv, spec);
		if (!parsed) return 0;
		expectArgs('doctor', parsed.input, 0, 0, '');
		const {runDoctor} = await import('../engine/daemon/doctor.js');
		const checks = await runDoctor({
			env: process.env,
			fix: parsed.flags.fix === true,
			deep: parsed.flags.deep === true,
			onDeepCheck: bytes => note(`sfs doctor: reading every page of the index (${humanBytes(bytes)}) …`),
		});
		const ok = checks.every(check => check.verdict !== 'fail');
		if (parsed.flags.json) {
			printJson({ok, checks});
			return ok ? 0 : 1;
		}

		const paint = {ok: out.ok, info: out.dim, warn: out.warn, fail: out.danger};
		for (const check of checks) {
			print(`${paint[check.verdict](MARK[check.verdict])} ${check.title}: ${check.detail}`);
			if (check.fixed) print(`    ${out.ok('fixed:')} ${check.fixed}`);
			else if (check.hint && check.verdict !== 'ok') print(`    ${out.dim('→')} ${check.hint}`);
		}

		const counts = {fail: 0, warn: 0};
		for (const check of checks) if (check.verdict === 'fail' || check.verdict === 'warn') counts[check.verdict]++;
		print();
		print(ok ? `${counts.warn === 0 ? 'all good' : `${counts.warn} warning(s)`}` : `${counts.fail} problem(s)${parsed.flags.fix ? '' : ' (sfs doctor --fix repairs what it can)'}`);
		return ok ? 0 : 1;
	},
};

export default command;
