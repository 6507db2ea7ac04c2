import {note, print, printJson, warn} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, retryNotice, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs push <ref> [--org NAME] [--json] [--allow-secrets]

		Uploads a session to the sfs server you are logged in to (sfs auth login). Sessions are
		append-only: when the server has messages this machine lacks (pushed from elsewhere), both
		sides are kept and the merged session is pulled back here. The session passes the DLP gate
		first (sfs dlp policy show). Retries with backoff when the server is busy or unreachable.
		With --org, the session is also shared with that org (sfs org): its members see it in
		sfs list-remote and may pull it.

		Options
		  --json            Print {"session_id", "etag", "merged", "added", "message_count", "pulled"}
		  --allow-secrets   Send secrets unredacted this once, whatever the DLP policy says
		  --org NAME        Share the pushed session with this org (you must be a member)

		Examples
		  $ sfs push rate-limit-fix
	`,
	flags: {json: {type: 'boolean'}, allowSecrets: {type: 'boolean'}, org: {type: 'string'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('push', argv, spec);
		if (!parsed) return 0;
		expectArgs('push', parsed.input, 1, 1, 'a session <ref>');
		const {requireCredentials} = await import('../sync/credentials.js');
		const {dlpGate, pushSession} = await import('../sync/client.js');
		const credentials = requireCredentials();
		return withEngine(async engine => {
			const id = await resolveSession(engine, parsed.input[0]!);
			const result = await pushSession(engine, credentials, id, dlpGate({allowSecrets: parsed.flags.allowSecrets === true, notify: warn}), {
				onRetry: retryNotice('push'),
			});
			const org = parsed.flags.org as string | undefined;
			const shared = org ? await (await import('../sync/team-client.js')).shareWithOrg(credentials, org, id) : undefined;
			if (parsed.flags.json) printJson(shared ? {...result, org: shared.org} : result);
			else {
				print(`pushed ${id} to ${credentials.url} (${result.message_count} message(s), ${result.added} new)`);
				if (shared) print(`shared ${id} with ${shared.org}`);
				if (result.merged) note(`sfs: the server had changes from elsewhere: both sides kept; ${result.pulled} message(s) pulled here`);
			}

			return 0;
		});
	},
};

export default command;
