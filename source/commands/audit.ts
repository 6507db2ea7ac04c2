import {SfsError} from '../engine/errors.js';
import type {Finding} from '../engine/insight/audit.js';
import {out, print, printable, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, readUsableSession, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs audit <ref> [--json] [--judge]
		  $ sfs audit <ref> --dismiss <id> | --confirm <id>

		Checks the agent's claims against the evidence in the session itself:
		  tests-pass         "tests pass" while the last test run before it failed
		  edit-claim         "I updated X" with no successful edit of X
		  unseen-reference   a file or function cited that was never read, listed or created
		  command-success    a command said to succeed that exited non-zero

		Options
		  --json            {"findings": [{id, rule, severity, confidence, claim, evidence, status, reason}]}
		  --judge           Also ask the configured LLM (llm.provider, llm.base_url, llm.model, SFS_LLM_API_KEY);
		                    its findings are stored with the session and shown from then on
		  --dismiss <id>    Mark a finding as not a problem (stored with the session)
		  --confirm <id>    Mark a finding as a real problem

		Examples
		  $ sfs audit ses_3f2a
		  $ sfs audit ses_3f2a --json | jq '.findings[] | select(.status == "open")'
		  $ sfs audit ses_3f2a --dismiss f_1a2b3c4d5e
	`,
	flags: {
		json: {type: 'boolean'},
		judge: {type: 'boolean'},
		dismiss: {type: 'string'},
		confirm: {type: 'string'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('audit', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('audit', input, 1, 1, 'a session <ref>');
		const dismiss = flags.dismiss as string | undefined;
		const confirm = flags.confirm as string | undefined;
		if (dismiss !== undefined && confirm !== undefined) throw new SfsError('USAGE', 'audit: --dismiss and --confirm go one at a time', {hint: 'see: sfs audit --help'});
		const verdictId = dismiss ?? confirm;
		const result = await withEngine(async engine => {
			const {audit} = await import('../engine/insight/audit.js');
			const meta = await import('../engine/insight/session-meta.js');
			const id = await resolveSession(engine, input[0]!);
			const session = await readUsableSession(engine, id);
			const stored = meta.readAuditMeta(engine.store, id);
			if (flags.judge) {
				const {loadConfig} = await import('../engine/config.js');
				const {judge} = await import('../engine/insight/judge.js');
				const judged = await judge(session, loadConfig(engine.env).llm, engine.env);
				stored.judge = {model: judged.model, provider: judged.provider, created_at: new Date().toISOString(), findings: judged.findings};
				meta.writeAuditMeta(engine.store, id, stored);
			}

			const {loadSubagents} = await import('../engine/insight/session-insight.js');
			const findings = [...audit(session, loadSubagents(engine, id)), ...(stored.judge?.findings ?? [])];
			if (verdictId !== undefined) {
				const finding = findings.find(item => item.id === verdictId);
				if (!finding) throw new SfsError('NOT_FOUND', `no finding ${verdictId} in session ${id}`, {hint: `see: sfs audit ${input[0]}`});
				stored.verdicts[verdictId] = {status: dismiss === undefined ? 'confirmed' : 'dismissed', at: new Date().toISOString()};
				meta.writeAuditMeta(engine.store, id, stored);
			}

			return {id, findings: meta.withVerdicts(findings, stored)};
		});
		if (verdictId !== undefined) {
			const finding = result.findings.find(item => item.id === verdictId)!;
			if (flags.json) printJson({finding});
			else print(`${finding.id}: ${finding.status}`);
			return 0;
		}

		if (flags.json) printJson({findings: result.findings});
		else printFindings(result.id, result.findings);
		return 0;
	},
};

export default command;

function printFindings(id: string, findings: Finding[]): void {
	if (findings.length === 0) {
		print(out.ok(`no findings: every checked claim in ${id} matches the evidence`));
		return;
	}

	for (const finding of findings) {
		const severity = finding.severity === 'high' ? out.danger(finding.severity) : finding.severity === 'medium' ? out.warn(finding.severity) : out.dim(finding.severity);
		print(`${out.accent(finding.id)}  ${severity} ${finding.confidence}%  ${finding.rule}  ${finding.status === 'open' ? finding.status : out.dim(finding.status)}`);
		print(`  claim:    ${printable(finding.claim)}`);
		print(`  why:      ${printable(finding.reason)}`);
		print(`  evidence: ${finding.evidence.join(', ')}`);
		print();
	}

	const open = findings.filter(finding => finding.status === 'open').length;
	print(out.dim(`${findings.length} finding(s), ${open} open; dismiss with: sfs audit ${id} --dismiss <id>`));
}
