import {SfsError} from '../engine/errors.js';
import {note, print, printJson, warn} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, retryNotice, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs handoff <ref> --to EMAIL [--message TEXT] [--json] [--allow-secrets]
		  $ sfs handoff <ref> --bundle FILE [--message TEXT] [--from EMAIL] [--force] [--json] [--allow-secrets]

		Hands a session to a teammate through the sfs server: the session is pushed, then a handoff
		hnd_… is made carrying it with its workspace state (git remote, branch, commit) and the
		rules hash. The recipient takes it with "sfs pull-handoff hnd_…". Email is not configured
		on the server: give the recipient the id (the server also prints the link).

		With --bundle, no server is needed: the same handoff is written to FILE, signed with this
		machine's ed25519 key (made at first use; "sfs auth status" shows its fingerprint). The
		recipient takes it with "sfs import FILE", which verifies the signature and says who signed.

		Options
		  --to EMAIL        The recipient's account email (through the server)
		  --bundle FILE     Write a signed offline handoff file instead
		  --message TEXT    A note for the recipient
		  --from EMAIL      With --bundle: the sender email the bundle states (default: your login's,
		                    else git's user.email)
		  --force           With --bundle: replace FILE when it exists
		  --json            Print {"handoff_id", "url", "expires_at"}; with --bundle
		                    {"bundle", "bundle_id", "session_id", "fingerprint", "sender", "dlp"}
		  --allow-secrets   Send secrets unredacted this once, whatever the DLP policy says

		Examples
		  $ sfs handoff rate-limit-fix --to ana@example.com --message "tests still red"
		  $ sfs handoff rate-limit-fix --bundle ~/handoff.sfs-bundle --message "for the flight"
	`,
	flags: {
		to: {type: 'string'},
		bundle: {type: 'string'},
		message: {type: 'string'},
		from: {type: 'string'},
		force: {type: 'boolean'},
		json: {type: 'boolean'},
		allowSecrets: {type: 'boolean'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('handoff', argv, spec);
		if (!parsed) return 0;
		expectArgs('handoff', parsed.input, 1, 1, 'a session <ref>');
		const to = parsed.flags.to as string | undefined;
		const bundle = parsed.flags.bundle as string | undefined;
		if (to && bundle) throw new SfsError('USAGE', 'handoff: give --to EMAIL or --bundle FILE, not both', {hint: 'see: sfs handoff --help'});
		if (bundle !== undefined) return writeBundle(parsed.input[0]!, bundle, parsed.flags);
		if (parsed.flags.from !== undefined || parsed.flags.force) throw new SfsError('USAGE', 'handoff: --from and --force go with --bundle FILE');
		if (!to) throw new SfsError('USAGE', 'handoff: --to EMAIL (through the server) or --bundle FILE (offline) is required', {hint: 'see: sfs handoff --help'});
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
				onRetry: retryNotice('handoff'),
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

/** `sfs handoff <ref> --bundle FILE`: the signed offline handoff file. */
async function writeBundle(ref: string, file: string, flags: Record<string, unknown>): Promise<number> {
	if (!file) throw new SfsError('USAGE', 'handoff: --bundle needs a file name');
	const {makeBundle, writeBundleFile} = await import('../sync/bundle-transfer.js');
	return withEngine(async engine => {
		const id = await resolveSession(engine, ref);
		const made = await makeBundle(engine, id, {
			message: flags.message as string | undefined,
			senderEmail: flags.from as string | undefined,
			allowSecrets: flags.allowSecrets === true,
			notify: warn,
		});
		const written = writeBundleFile(file, made.text, {force: flags.force === true});
		if (flags.json) {
			printJson({bundle: written, bundle_id: made.bundle_id, session_id: id, fingerprint: made.fingerprint, sender: made.sender_email, dlp: made.dlp});
		} else {
			print(written);
			note(`sfs: wrote ${id} to ${written}, signed by ${made.fingerprint}${made.sender_email ? ` (${made.sender_email})` : ''}; the recipient runs: sfs import ${written}`);
		}

		return 0;
	});
}

export default command;
