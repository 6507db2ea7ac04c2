import {errorLine, SfsError} from '../engine/errors.js';
import {note, print, printJson, warn} from '../output.js';
import type {Credentials} from '../sync/credentials.js';
import {type CommandModule, type CommandSpec, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs auth signup --url URL [--email E --password-stdin]
		  $ sfs auth login --url URL [--email E --password-stdin | --token T]
		  $ sfs auth logout
		  $ sfs auth status [--json]
		  $ sfs auth verify <token|link> [--url URL] [--json]
		  $ sfs auth verify --resend [--json]

		Accounts on an sfs server ("sfs server"). signup also logs in. The login (server URL and API
		token) is kept in credentials.json in the sfs config folder, readable by you only (0600).
		logout revokes the token on the server and forgets it here. status exits 1 when not logged in;
		it also shows this machine's bundle signing key (fingerprint and public key), logged in or not.
		When the server has email (SMTP), signup mails a verification link and the account may not
		push or pull until it is verified: open the link, or give it (or its vrf_ token) to verify;
		--resend asks for a new one. A server without email needs no verification.
		Over plain http to another machine the password and token cross the network unencrypted:
		put the server behind TLS (https) for a team.

		Options
		  --url URL          The server, e.g. http://127.0.0.1:8000
		  --email E          Your email
		  --password-stdin   Read the password from stdin (one line; for scripts)
		  --token T          Log in with an existing API token
		  --resend           verify: mail a new verification link
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
		resend: {type: 'boolean'},
		json: {type: 'boolean'},
	},
};

const ACTIONS = ['signup', 'login', 'logout', 'status', 'verify'];

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('auth', argv, spec);
		if (!parsed) return 0;
		const {input, flags} = parsed;
		const action = input[0];
		if (action === 'verify') return runVerify(input.slice(1), flags);
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

			let me: Awaited<ReturnType<typeof client.whoAmI>>;
			try {
				me = await client.whoAmI(credentials);
			} catch (error) {
				// The server is away or refused the token: the local key is still worth showing, and --json
				// still prints JSON (logged_in null: it could not be checked), the error going to stderr.
				if (flags.json) printJson({logged_in: null, url: credentials.url, email: credentials.email, token_id: credentials.token_id, error: errorLine(error), signing_key: signingKey});
				else print(signingKeyLine(signingKey ?? undefined));
				throw error;
			}

			const {verified, verification_required: verificationRequired} = me as {verified?: boolean; verification_required?: boolean};
			if (flags.json) printJson({logged_in: true, url: credentials.url, email: me.user.email, token_id: me.token_id, verified: verified === true, verification_required: verificationRequired === true, signing_key: signingKey});
			else print(`logged in to ${credentials.url} as ${me.user.email} (token ${me.token_id})${verificationRequired && !verified ? '; email not verified yet (sfs auth verify)' : ''}`);
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

		const verification = await verificationState(credentials);
		if (flags.json) printJson({url: credentials.url, email: credentials.email, token_id: credentials.token_id, verified: verification.verified, verification_required: verification.required});
		else print(`${action === 'signup' ? 'signed up and logged in' : 'logged in'} to ${credentials.url} as ${credentials.email}`);
		if (!flags.json && verification.required && !verification.verified) {
			note(`sfs: verify ${credentials.email} before pushing or pulling: open the link mailed to it, or sfs auth verify <token|link>`);
		}

		return 0;
	},
};

async function verificationState(credentials: Credentials): Promise<{verified: boolean; required: boolean}> {
	const {whoAmI} = await import('../sync/client.js');
	const me = (await whoAmI(credentials)) as {verified?: boolean; verification_required?: boolean};
	return {verified: me.verified === true, required: me.verification_required === true};
}

async function runVerify(args: string[], flags: Record<string, unknown>): Promise<number> {
	const store = await import('../sync/credentials.js');
	const team = await import('../sync/team-client.js');
	if (flags.resend) {
		if (args.length > 0) throw new SfsError('USAGE', 'auth verify: --resend takes no token');
		const answer = await team.resendVerification(store.requireCredentials());
		if (flags.json) printJson(answer);
		else if (answer.verified) print('your email is verified already');
		else if (answer.verification?.required === false) print(`the server has no email: verify with sfs auth verify ${answer.verification.token}`);
		else print(`a new verification link was ${answer.verification?.mailed ? 'mailed' : 'made, but mailing it failed (see the server log) '} to ${answer.verification?.sent_to ?? ''}`);
		return 0;
	}

	if (args.length !== 1) throw new SfsError('USAGE', 'auth verify: give the token (vrf_…) or the link', {hint: 'or --resend for a new one'});
	const url = (flags.url as string | undefined) ?? store.loadCredentials()?.url;
	const answer = await team.verifyEmail(args[0]!, url);
	if (flags.json) printJson(answer);
	else print(`verified ${answer.email ?? 'your email'} on ${answer.url}`);
	return 0;
}

async function readPassword(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
	if (!password) throw new SfsError('USAGE', 'no password on stdin');
	return password;
}

export default command;
