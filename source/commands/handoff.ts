import {SfsError} from '../engine/errors.js';
import {note, print, printJson, warn} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs handoff <ref> --to EMAIL [--message TEXT] [--json] [--allow-secrets]

		Hands a session to a teammate through the sfs server: the session is pushed, then a handoff
		hnd_… is made carrying it with its workspace state (git remote, branch, commit) and the
		rules hash. The recipient takes it with "sfs pull-handoff hnd_…". Email is not configured
		on the server: give the recipient the id (the server also prints the link).

		Options
		  --to EMAIL        The recipient's account email
		  --message TEXT    A note for the recipient
		  --json            Print {"handoff_id", "url", "expires_at"}
		  --allow-secrets   Send secrets unredacted this once, whatever the DLP policy says

		Examples
		  $ sfs handoff rate-limit-fix --to ana@example.com --message "tests still red"
	`,
	flags: {to: {type: 'string'}, message: {type: 'string'}, json: {type: 'boolean'}, allowSecrets: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('handoff', argv, spec);
		if (!parsed) return 0;
		expectArgs('handoff', parsed.input, 1, 1, 'a session <ref>');
		const to = parsed.flags.to as string | undefined;
		if (!to) throw new SfsError('USAGE', 'handoff: --to EMAIL is required', {hint: 'see: sfs handoff --help'});
		const {requireCredentials} = await import('../sync/credentials.js');
		const {createHandoff, dlpGate} = await import('../sync/client.js');
		const {enforce, gateText} = await import('../engine/dlp/gate.js');
		const credentials = requireCredentials();
		const allowSecrets = parsed.flags.allowSecrets === true;
		let message = parsed.flags.message as string | undefined;
		if (message !== undefined) {
			const gated = gateText(message, {egress: 'handoff', what: 'the handoff message', allowSecrets});
			enforce(gated, warn);
			message = gated.text;
		}

		return withEngine(async engine => {
			const id = await resolveSession(engine, parsed.input[0]!);
			const result = await createHandoff(engine, credentials, id, to, message, dlpGate({allowSecrets, notify: warn}), {
				onRetry: (reason, wait) => note(`sfs: handoff: ${reason}; retrying in ${Math.round(wait / 100) / 10}s`),
			});
			if (parsed.flags.json) printJson({handoff_id: result.handoff_id, url: result.url, expires_at: result.expires_at});
			else {
				print(result.handoff_id);
				note(`sfs: handed ${id} to ${to}; they run: sfs pull-handoff ${result.handoff_id} (expires ${result.expires_at})`);
			}

			return 0;
		});
	},
};

export default command;
