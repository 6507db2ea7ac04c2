import {note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, retryNotice, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs pull <session_id> [--json]

		Downloads a session from the sfs server into this machine's store. A session already here
		gains the messages it lacks; nothing local is dropped. Resume it with "sfs resume".

		Options
		  --json   Print {"session_id", "etag", "created", "added", "message_count"}

		Examples
		  $ sfs list-remote
		  $ sfs pull ses_0123456789abcdef
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('pull', argv, spec);
		if (!parsed) return 0;
		expectArgs('pull', parsed.input, 1, 1, 'a <session_id>');
		const {requireCredentials} = await import('../sync/credentials.js');
		const {pullSession} = await import('../sync/client.js');
		const credentials = requireCredentials();
		return withEngine(async engine => {
			const result = await pullSession(engine, credentials, parsed.input[0]!, {onRetry: retryNotice('pull')});
			if (parsed.flags.json) printJson(result);
			else print(`${result.created ? 'pulled' : 'updated'} ${result.session_id} (${result.message_count} message(s), ${result.added} new)`);
			return 0;
		});
	},
};

export default command;
