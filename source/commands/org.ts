import {SfsError} from '../engine/errors.js';
import {note, out, print, printJson, table} from '../output.js';
import {type CommandModule, type CommandSpec, numberFlag, parseArgs, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs org create NAME [--seats N]          A new org; you are its admin
		  $ sfs org list                              The orgs you are in, with your role
		  $ sfs org show [NAME]                       Seats, members (and, for admins, pending invites)
		  $ sfs org invite EMAIL [--org NAME] [--role admin|member]
		  $ sfs org remove EMAIL [--org NAME]        A member or a pending invite (your own email: leave)
		  $ sfs org seats N [--org NAME]              Change the number of seats (admins)
		  $ sfs org role EMAIL admin|member [--org NAME]
		                                              Make a member an admin, or a member again (admins)
		  $ sfs org join <invite>                     Accept an invite (its code inv_…, or the link)
		  $ sfs org share <ref> [--org NAME]          Share a pushed session with the org (sfs push it first)
		  $ sfs org unshare <ref> [--org NAME]

		Orgs on the sfs server you are logged in to (sfs auth login). An org has a fixed number of
		seats; members and pending invites each take one, and an invite or join past them is refused.
		Admins invite and remove, change the seats (never below the members and pending invites)
		and set roles (an org always keeps an admin). Members see the sessions shared with the org
		in "sfs list-remote" (OWNER is the teammate) and pull them with "sfs pull". When the server
		has email, the invite is mailed; otherwise its code is printed here and in the server log:
		pass it on yourself. Without --org, the org is the only one you are in (for invite, remove,
		seats and role: the only one you administer).

		Options
		  --seats N     create: how many seats (default 10)
		  --org NAME    Which org (when you are in more than one)
		  --role R      invite: admin or member (default member)
		  --json        Print JSON

		Examples
		  $ sfs org create acme --seats 5
		  $ sfs org invite bob@example.com
		  $ sfs org seats 8
		  $ sfs org role bob@example.com admin
		  $ sfs org join inv_0123456789abcdef0123456789abcdef
		  $ sfs push rate-limit-fix && sfs org share rate-limit-fix
	`,
	flags: {
		seats: {type: 'string'},
		org: {type: 'string'},
		role: {type: 'string', choices: ['admin', 'member']},
		json: {type: 'boolean'},
	},
};

type Flags = {seats?: string; org?: string; role?: string; json?: boolean};

const ACTIONS: Record<string, {args: [number, number, string]; flags: Array<keyof Flags>}> = {
	create: {args: [1, 1, 'an org NAME'], flags: ['seats', 'json']},
	list: {args: [0, 0, 'nothing'], flags: ['json']},
	show: {args: [0, 1, 'at most an org NAME'], flags: ['json']},
	invite: {args: [1, 1, 'an EMAIL'], flags: ['org', 'role', 'json']},
	remove: {args: [1, 1, 'an EMAIL'], flags: ['org', 'json']},
	seats: {args: [1, 1, 'a number of seats N'], flags: ['org', 'json']},
	role: {args: [2, 2, 'an EMAIL and a role (admin or member)'], flags: ['org', 'json']},
	join: {args: [1, 1, 'an <invite> (code or link)'], flags: ['json']},
	share: {args: [1, 1, 'a session <ref>'], flags: ['org', 'json']},
	unshare: {args: [1, 1, 'a session <ref>'], flags: ['org', 'json']},
};

const usage = (what: string) => new SfsError('USAGE', `org: ${what}`, {hint: 'see: sfs org --help'});

function seatsArgument(text: string): number {
	if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw usage(`seats takes a whole number of at least 1 (got ${JSON.stringify(text)})`);
	return Number(text);
}

function roleArgument(text: string): 'admin' | 'member' {
	const role = text.trim().toLowerCase();
	if (role !== 'admin' && role !== 'member') throw usage(`a role is admin or member (got ${JSON.stringify(text)})`);
	return role;
}

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('org', argv, spec);
		if (!parsed) return 0;
		const [action, ...args] = parsed.input;
		if (!action) throw usage(`missing an action (${Object.keys(ACTIONS).join(', ')})`);
		const entry = ACTIONS[action];
		if (!entry) throw usage(`unknown action ${JSON.stringify(action)} (${Object.keys(ACTIONS).join(', ')})`);
		const [min, max, what] = entry.args;
		if (args.length < min || args.length > max) throw usage(`${action} takes ${what}`);
		const flags = parsed.flags as Flags;
		for (const [name, value] of Object.entries(flags)) {
			if (value !== undefined && name !== 'help' && name !== 'color' && !entry.flags.includes(name as keyof Flags)) throw usage(`--${name} does not apply to "org ${action}"`);
		}

		const {requireCredentials} = await import('../sync/credentials.js');
		const team = await import('../sync/team-client.js');
		const credentials = requireCredentials();
		const json = flags.json === true;
		switch (action) {
			case 'create': {
				const created = await team.createOrg(credentials, args[0]!, numberFlag('seats', flags.seats, {min: 1}));
				if (json) printJson(created);
				else print(`created org ${created.name} (${created.seats} seat(s)); you are its admin: sfs org invite EMAIL`);
				return 0;
			}

			case 'list': {
				const orgs = await team.listOrgs(credentials);
				if (json) printJson(orgs);
				else if (orgs.length === 0) print('you are in no org (sfs org create NAME, or sfs org join <invite>)');
				else for (const line of table([{header: 'ORG'}, {header: 'ROLE'}, {header: 'MEMBERS', align: 'right'}, {header: 'SEATS', align: 'right'}], orgs.map(item => [item.name, item.role, String(item.members), String(item.seats)]), {paint: out})) print(line);
				return 0;
			}

			case 'show': {
				const details = await team.showOrg(credentials, await team.chooseOrg(credentials, args[0]));
				if (json) {
					printJson(details);
					return 0;
				}

				print(out.bold(`${details.name}  (${details.seats_used} of ${details.seats} seat(s) taken; you are ${details.role})`));
				for (const line of table([{header: 'MEMBER'}, {header: 'ROLE'}, {header: 'JOINED'}], details.members.map(item => [item.email, item.role, item.joined_at.slice(0, 10)]), {paint: out})) print(line);
				if (details.invites.length > 0) {
					print();
					for (const line of table([{header: 'INVITED'}, {header: 'ROLE'}, {header: 'EXPIRES'}], details.invites.map(item => [item.email, item.role, item.expires_at.slice(0, 10)]), {paint: out})) print(line);
				}

				return 0;
			}

			case 'invite': {
				const name = await team.chooseOrg(credentials, flags.org, true);
				const invite = await team.inviteToOrg(credentials, name, args[0]!, (flags.role as 'admin' | 'member' | undefined) ?? 'member');
				if (json) printJson(invite);
				else if (invite.code) {
					print(`invited ${invite.email} to ${invite.org} as ${invite.role}; the server has no email: send them this (expires ${invite.expires_at.slice(0, 10)}):`);
					print(`  sfs org join ${invite.code}`);
				} else print(`invited ${invite.email} to ${invite.org} as ${invite.role}; ${invite.mailed ? 'the invite was mailed' : 'mailing it failed (see the server log)'}`);
				return 0;
			}

			case 'remove': {
				const email = args[0]!.trim().toLowerCase();
				const name = await team.chooseOrg(credentials, flags.org, email !== credentials.email.toLowerCase());
				const removed = await team.removeFromOrg(credentials, name, email);
				if (json) printJson(removed);
				else print(removed.removed === 'member' ? `removed ${removed.email} from ${removed.org}` : `withdrew the invite of ${removed.email} to ${removed.org}`);
				return 0;
			}

			case 'seats': {
				const seats = seatsArgument(args[0]!);
				const name = await team.chooseOrg(credentials, flags.org, true);
				const changed = await team.setOrgSeats(credentials, name, seats);
				if (json) printJson(changed);
				else print(`${changed.name} now has ${changed.seats} seat(s) (${changed.seats_used} taken)`);
				return 0;
			}

			case 'role': {
				const email = args[0]!.trim().toLowerCase();
				const role = roleArgument(args[1]!);
				const name = await team.chooseOrg(credentials, flags.org, true);
				const changed = await team.setMemberRole(credentials, name, email, role);
				if (json) printJson(changed);
				else print(changed.changed ? `${changed.email} is now ${changed.role} of ${changed.org}` : `${changed.email} is ${changed.role} of ${changed.org} already`);
				return 0;
			}

			case 'join': {
				const joined = await team.joinOrg(credentials, args[0]!);
				if (json) printJson(joined);
				else print(`joined ${joined.org} as ${joined.role}; its shared sessions show in sfs list-remote`);
				return 0;
			}

			default: {
				const name = await team.chooseOrg(credentials, flags.org);
				return withEngine(async engine => {
					const id = await resolveSession(engine, args[0]!);
					const result = action === 'share' ? await team.shareWithOrg(credentials, name, id) : await team.unshareFromOrg(credentials, name, id);
					if (json) printJson(result);
					else if (action === 'share') print(`shared ${id} with ${name}: its members see it in sfs list-remote`);
					else print(`${id} is no longer shared with ${name}`);
					if (action === 'share' && !json) note('sfs: members see the version on the server; push again to share later messages');
					return 0;
				});
			}
		}
	},
};

export default command;
