import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {note, out, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs dlp scan <ref> [--json]        Secrets and personal data in one session
		  $ sfs dlp scan --all [--json]        … in every session
		  $ sfs dlp policy show [--json]       The policy here (this project) and every stored setting
		  $ sfs dlp policy set <secrets|personal> <block|redact|warn> [--global | --project DIR] [--json]

		Every way out of the machine (export, resume into another tool, MCP results) passes the DLP
		gate. block stops the operation and lists the findings; redact sends a copy with
		[REDACTED:<kind>] placeholders (the local session is never changed); warn sends it as is and
		says so. Defaults: block secrets, warn on personal data. "policy set" applies to the project of
		the current directory (its git root) unless --global or --project is given.

		Findings show kind, pattern, message id and a masked excerpt, never the value itself.

		Options
		  --all            scan: every session
		  --kind <k>       scan: only secret or personal findings
		  --json           Machine-readable output
		  --global         policy set: the default for every project
		  --project <dir>  policy set: for the project at DIR

		Examples
		  $ sfs dlp scan rate-limit-fix
		  $ sfs dlp scan --all --kind secret --json
		  $ sfs dlp policy set secrets redact
	`,
	flags: {
		all: {type: 'boolean'},
		kind: {type: 'string', choices: ['secret', 'personal']},
		json: {type: 'boolean'},
		global: {type: 'boolean'},
		project: {type: 'string'},
	},
};

const usage = (what: string) => new SfsError('USAGE', `dlp: ${what}`, {hint: 'see: sfs dlp --help'});

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('dlp', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		const [action, ...rest] = input;
		if (action === 'scan') return scan(rest, flags);
		if (action === 'policy') return policy(rest, flags);
		throw usage(action === undefined ? 'missing an action (scan, policy)' : `unknown action ${JSON.stringify(action)} (scan, policy)`);
	},
};

export default command;

async function scan(input: string[], flags: Record<string, unknown>): Promise<number> {
	if (flags.all ? input.length > 0 : input.length !== 1) {
		throw usage(flags.all ? 'scan --all takes no <ref>' : input.length === 0 ? 'scan: missing a session <ref> (or --all)' : `unexpected argument ${JSON.stringify(input[1])}`);
	}

	const {FindingsDb, sessionFindings} = await import('../engine/dlp/findings-db.js');
	const kind = flags.kind as 'secret' | 'personal' | undefined;
	const results = await withEngine(async engine => {
		const db = FindingsDb.open(engine);
		try {
			const ids = flags.all ? engine.store.listIds() : [await resolveSession(engine, input[0]!)];
			if (flags.all) {
				try {
					db?.prune(new Set(ids));
				} catch {
					// A busy index keeps a few stale rows until the next --all; they are never shown (only scanned ids are).
				}
			}
			const found = [];
			for (const id of ids) {
				try {
					found.push(sessionFindings(engine, id, db));
				} catch (error) {
					note(`sfs: skipped session ${id}: ${error instanceof Error ? error.message : String(error)}`);
				}
			}

			return found;
		} finally {
			db?.close();
		}
	});

	const shown = results.map(result => {
		const findings = kind ? result.findings.filter(finding => finding.kind === kind) : result.findings;
		return {session_id: result.session_id, secrets: result.secrets, personal: result.personal, findings};
	});
	if (flags.json) {
		if (flags.all) {
			printJson({
				sessions_scanned: shown.length,
				secrets: shown.reduce((sum, item) => sum + item.secrets, 0),
				personal: shown.reduce((sum, item) => sum + item.personal, 0),
				sessions: shown.filter(item => item.findings.length > 0),
			});
		} else printJson(shown[0]);
		return 0;
	}

	for (const item of shown) {
		if (item.findings.length === 0) continue;
		print(out.bold(`${item.session_id}  ${item.secrets} secret(s), ${item.personal} personal data item(s)`));
		for (const finding of item.findings) {
			const label = finding.kind === 'secret' ? out.danger('secret  ') : out.warn('personal');
			print(`  ${label}  ${finding.pattern.padEnd(26)} ${(finding.msg_id ?? finding.location).padEnd(38)} ${finding.excerpt}`);
		}
	}

	const secrets = shown.reduce((sum, item) => sum + item.secrets, 0);
	const personal = shown.reduce((sum, item) => sum + item.personal, 0);
	note(`sfs: scanned ${shown.length} session(s): ${secrets} secret(s), ${personal} personal data item(s)`);
	return 0;
}

async function policy(input: string[], flags: Record<string, unknown>): Promise<number> {
	const {projectRoot, resolvePolicy, setPolicy, storedPolicies} = await import('../engine/dlp/policy.js');
	const [action, which, value, extra] = input;
	if (action === undefined || action === 'show') {
		if (which !== undefined) throw usage(`unexpected argument ${JSON.stringify(which)}`);
		const here = resolvePolicy(process.cwd());
		const stored = storedPolicies();
		if (flags.json) {
			printJson({effective: here, stored});
			return 0;
		}

		print(`here (${here.project ?? 'no project setting'}):`);
		print(`  secrets   ${here.secrets.padEnd(7)} (${here.sources.secrets})`);
		print(`  personal  ${here.personal.padEnd(7)} (${here.sources.personal})`);
		print(`global: secrets ${stored.global.secrets ?? 'block (default)'}, personal ${stored.global.personal ?? 'warn (default)'}`);
		for (const [root, setting] of Object.entries(stored.projects)) {
			print(`project ${root}: ${Object.entries(setting).map(([key, action]) => `${key} ${action}`).join(', ') || '(nothing set)'}`);
		}

		return 0;
	}

	if (action !== 'set') throw usage(`unknown policy action ${JSON.stringify(action)} (show, set)`);
	if (which !== 'secrets' && which !== 'personal') throw usage('policy set: first say secrets or personal');
	if (value === undefined) throw usage('policy set: missing block, redact or warn');
	if (extra !== undefined) throw usage(`unexpected argument ${JSON.stringify(extra)}`);
	if (flags.global && flags.project) throw usage('--global and --project exclude each other');
	const project = flags.global ? null : path.resolve(typeof flags.project === 'string' ? flags.project : projectRoot(process.cwd()));
	const root = setPolicy(which, value, project);
	if (flags.json) printJson({kind: which, action: value, project: root ?? null});
	else note(`sfs: dlp ${which} = ${value} ${root ? `for project ${root}` : 'globally'}`);
	return 0;
}
