import {out, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs security scan [--json] [--no-audit]
		  $ sfs security fix [--json] [--no-audit]

		Checks what sfs keeps on this machine: permissions of the data and config directories
		(0700) and files (0600), tokens or API keys in config files other users can read (sfs's and
		the coding tools' auth files), a daemon socket open to other users, and "npm audit" of sfs's
		own dependencies (needs the network: offline it reports "could not run", not a pass).
		fix tightens the modes (chmod only); vulnerable dependencies are reported, not changed.
		Exit 1 when a check fails.

		Options
		  --json       {"checks": [{"id", "status", "issues", …}], "ok", "complete"}
		  --no-audit   Leave out npm audit

		Examples
		  $ sfs security scan
		  $ sfs security fix
	`,
	flags: {json: {type: 'boolean'}, audit: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('security', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('security', input, 1, 1, 'an action (scan, fix)');
		const action = input[0];
		if (action !== 'scan' && action !== 'fix') {
			const {SfsError} = await import('../engine/errors.js');
			throw new SfsError('USAGE', `security: unknown action ${JSON.stringify(action)} (scan, fix)`, {hint: 'see: sfs security --help'});
		}

		const {securityScan} = await import('../engine/dlp/security-scan.js');
		const report = await securityScan({fix: action === 'fix', audit: flags.audit !== false});
		if (flags.json) printJson(report);
		else {
			for (const check of report.checks) {
				const mark = check.status === 'pass' ? out.ok('pass') : check.status === 'fail' ? out.danger('FAIL') : out.warn('could not run');
				print(`${mark}  ${check.title}${check.detail ? `: ${check.detail}` : ''}`);
				for (const issue of check.issues) {
					const state = issue.fixed ? out.ok('fixed') : issue.fix ? `fix: ${issue.fix}` : '';
					print(`      ${issue.path ? `${issue.path}: ` : ''}${issue.problem}${state ? ` (${state})` : ''}`);
				}
			}
		}

		return report.ok ? 0 : 1;
	},
};

export default command;
