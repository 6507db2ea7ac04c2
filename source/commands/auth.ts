import {SfsError} from '../engine/errors.js';
import {print, printJson, warn} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs auth signup --url URL [--email E --password-stdin]
		  $ sfs auth login --url URL [--email E --password-stdin | --token T]
		  $ sfs auth logout
		  $ sfs auth status [--json]

		Accounts on an sfs server ("sfs server"). signup also logs in. The login (server URL and API
		token) is kept in credentials.json in the sfs config folder, readable by you only (0600).
		logout revokes the token on the server and forgets it here. status exits 1 when not logged in;
		it also shows this machine's bundle signing key (fingerprint and public key), logged in or not.
		Over plain http to another machine the password and token cross the network unencrypted:
		put the server behind TLS (https) for a team.

		Options
		  --url URL          The server, e.g. http://127.0.0.1:8000
		  --email E          Your email
		  --password-stdin   Read the password from stdin (one line; for scripts)
		  --token T          Log in with an existing API token
		  --json             Print JSON

		Examples
		  $ echo "$PASSWORD" | sfs auth signup --url http://127.0.0.1:8000 --email me@example.com --password-stdin
		  $ sfs auth status
	`,
	flags: {
		url: {type: 'string'},
		email: {type: 'string'},
		passwordStdin: {type: 'boolean'},
		token: {type: 'string'},
		json: {type: 'boolean'},
	},
};

const ACTIONS = ['signup', 'login', 'logout', 'status'];

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('auth', argv, spec);
		if (!parsed) return 0;
		const {input, flags} = parsed;
		const action = input[0];
		if (!action || !ACTIONS.includes(action) || input.length > 1) {
			throw new SfsError('USAGE', `auth: ${action ? `unknown action ${JSON.stringify(input.join(' '))}` : 'missing an action'}`, {hint: `one of ${ACTIONS.join(', ')}`});
		}

		const client = await import('../sync/client.js');
		const store = await import('../sync/credentials.js');
		if (action === 'status') {
			const credentials = store.loadCredentials();
			const {signingKeyLine, signingKeyStatus} = await import('../sync/signing-key.js');
			const signingKey = signingKeyStatus() ?? null;
			if (!credentials) {
				if (flags.json) printJson({logged_in: false, signing_key: signingKey});
				else print('not logged in (sfs auth login --url URL)');
				if (!flags.json) print(signingKeyLine(signingKey ?? undefined));
				return 1;
			}

			const me = await client.whoAmI(credentials);
			if (flags.json) printJson({logged_in: true, url: credentials.url, email: me.user.email, token_id: me.token_id, signing_key: signingKey});
			else print(`logged in to ${credentials.url} as ${me.user.email} (token ${me.token_id})`);
			if (!flags.json) print(signingKeyLine(signingKey ?? undefined));
			return 0;
		}

		if (action === 'logout') {
			const credentials = store.loadCredentials();
			if (!credentials) {
				print('not logged in');
				return 0;
			}

			let revoked = false;
			try {
				revoked = await client.revoke(credentials);
			} finally {
				store.removeCredentials();
			}

			print(`logged out of ${credentials.url}${revoked ? ' (token revoked)' : ''}`);
			return 0;
		}

		const url = flags.url as string | undefined;
		if (!url) throw new SfsError('USAGE', `auth ${action}: --url is required`, {hint: 'e.g. --url http://127.0.0.1:8000'});
		const {normalizeUrl} = store;
		const target = new URL(normalizeUrl(url));
		if (target.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
			warn(`${target.host} is reached over plain http: the password and token are not encrypted (use https)`);
		}

		let credentials;
		if (action === 'login' && flags.token !== undefined) {
			credentials = await client.loginWithToken(url, String(flags.token));
		} else {
			const email = flags.email as string | undefined;
			if (!email) throw new SfsError('USAGE', `auth ${action}: --email is required`);
			if (!flags.passwordStdin) throw new SfsError('USAGE', `auth ${action}: give the password on stdin with --password-stdin`, {hint: 'passwords are never taken as arguments'});
			const password = await readPassword();
			credentials = action === 'signup' ? await client.signup(url, email, password) : await client.login(url, email, password);
		}

		if (flags.json) printJson({url: credentials.url, email: credentials.email, token_id: credentials.token_id});
		else print(`${action === 'signup' ? 'signed up and logged in' : 'logged in'} to ${credentials.url} as ${credentials.email}`);
		return 0;
	},
};

async function readPassword(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
	if (!password) throw new SfsError('USAGE', 'no password on stdin');
	return password;
}

export default command;
