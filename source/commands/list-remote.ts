import {out, print, printable, printJson, relativeTime, table, terminalWidth} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, retryNotice} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs list-remote [--json]

		Lists your sessions on the sfs server you are logged in to, then the sessions teammates
		shared with your orgs (sfs org; OWNER is the teammate). "sfs pull <session_id>" takes either.

		Options
		  --json   An array of {"session_id", "title", "tool", "updated_at", "owner"}

		Examples
		  $ sfs list-remote --json
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('list-remote', argv, spec);
		if (!parsed) return 0;
		expectArgs('list-remote', parsed.input, 0, 0, 'nothing');
		const {requireCredentials} = await import('../sync/credentials.js');
		const {listRemote} = await import('../sync/client.js');
		const credentials = requireCredentials();
		const sessions = await listRemote(credentials, {onRetry: retryNotice('list-remote')});
		if (parsed.flags.json) {
			printJson(sessions.map(({session_id, title, tool, updated_at, owner, message_count}) => ({session_id, title, tool, updated_at, owner, message_count})));
			return 0;
		}

		if (sessions.length === 0) {
			print('no sessions on the server yet (sfs push <ref>)');
			return 0;
		}

		const shared = sessions.some(session => session.owner !== credentials.email);
		const rows = sessions.map(session => [session.session_id, session.tool, relativeTime(session.updated_at), String(session.message_count), ...(shared ? [session.owner === credentials.email ? 'you' : session.owner] : []), printable(session.title ?? '').replace(/\s+/g, ' ')]);
		const columns = [{header: 'ID'}, {header: 'TOOL'}, {header: 'UPDATED'}, {header: 'MSGS', align: 'right' as const}, ...(shared ? [{header: 'OWNER'}] : []), {header: 'TITLE', flex: true}];
		for (const line of table(columns, rows, {width: terminalWidth(), paint: out})) print(line);
		return 0;
	},
};

export default command;
