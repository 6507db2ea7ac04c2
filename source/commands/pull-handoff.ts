import {note, print, printJson, warn} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, retryNotice, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs pull-handoff <hnd_id> [--json]
		  $ sfs pull-handoff            (lists the handoffs waiting for you)

		Takes a session handed to you ("sfs handoff … --to <your email>") into this machine's store,
		and says what differs here from the sender's workspace: git remote, branch, commit and rules
		hash of the session's folder (or of the current folder when that folder is not here).
		Then continue it with "sfs resume <session_id>". Once taken, it leaves the list of handoffs
		waiting for you; pulling it again by id still works until it expires. A handoff that came as a
		signed bundle file ("sfs handoff <ref> --bundle FILE") is taken with "sfs import FILE" instead.

		Options
		  --json   Print the handoff, the session id, the list of differences and whether
		           the server was told it was taken

		Examples
		  $ sfs pull-handoff hnd_0123456789abcdef
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('pull-handoff', argv, spec);
		if (!parsed) return 0;
		expectArgs('pull-handoff', parsed.input, 0, 1, 'a handoff id (hnd_…)');
		const {requireCredentials} = await import('../sync/credentials.js');
		const {listHandoffs, pullHandoff} = await import('../sync/client.js');
		const credentials = requireCredentials();
		if (parsed.input.length === 0) {
			const waiting = (await listHandoffs(credentials, {onRetry: retryNotice('pull-handoff')})).filter(handoff => !handoff.taken_at && Date.parse(handoff.expires_at) >= Date.now());
			if (parsed.flags.json) printJson(waiting);
			else if (waiting.length === 0) print('no handoffs for you');
			else for (const handoff of waiting) print(`${handoff.handoff_id}  from ${handoff.from ?? 'unknown'}  ${handoff.session_id}${handoff.message ? `  "${handoff.message}"` : ''}`);
			return 0;
		}

		return withEngine(async engine => {
			const result = await pullHandoff(engine, credentials, parsed.input[0]!, process.cwd(), {
				onRetry: retryNotice('pull-handoff'),
			});
			if (result.confirmation.state === 'failed') warn(`the server was not told the handoff was taken (${result.confirmation.error}): it stays in your list until it expires`);
			if (parsed.flags.json) {
				printJson({
					handoff: result.handoff,
					session_id: result.session_id,
					created: result.created,
					added: result.added,
					message_count: result.message_count,
					folder: result.folder,
					differences: result.differences,
					taken: result.confirmation.state,
				});
				return 0;
			}

			print(`${result.session_id} from ${result.handoff.from ?? 'unknown'} (${result.message_count} message(s))`);
			if (result.handoff.message) print(`message: ${result.handoff.message}`);
			if (result.differences.length === 0) print(`workspace: same as the sender's (${result.folder})`);
			else for (const line of result.differences) print(`differs: ${line}`);
			note(`sfs: continue with: sfs resume ${result.session_id}`);
			return 0;
		});
	},
};

export default command;
