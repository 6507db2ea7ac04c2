/** A captured-looking session full of generated secrets and personal data, written as an `.sfs` directory to import. */
import fs from 'node:fs';
import path from 'node:path';
import * as gen from './corpus.js';

export type Leaky = {id: string; dir: string; cwd: string; secrets: Record<string, string>; personal: Record<string, string>};

export function writeLeakySession(root: string, options: {id?: string; cwd?: string; tool?: string} = {}): Leaky {
	gen.reseed(0x1234abcd);
	const id = options.id ?? '7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
	const cwd = options.cwd ?? path.join(root, 'project');
	fs.mkdirSync(cwd, {recursive: true});
	const secrets = {
		aws: `AKIA${gen.random(gen.UPPER_B32, 16)}`,
		github: `ghp_${gen.random(gen.ALNUM, 36)}`,
		stripe: `sk_live_${gen.random(gen.ALNUM, 24)}`,
		dbPassword: `Pg${gen.random(gen.ALNUM, 14)}`,
		toolPassword: `Tp${gen.random(gen.ALNUM, 12)}`,
	};
	const personal = {email: 'maria.gonzalez@acme-corp.io', card: gen.cardNumber('4')};
	const t = (second: number) => `2026-05-01T10:00:${String(second).padStart(2, '0')}.000Z`;
	const messages = [
		{msg_id: 'msg-u1', role: 'user', timestamp: t(0), content: [{type: 'text', text: `Deploy with AWS_ACCESS_KEY_ID=${secrets.aws} and tell ${personal.email}`}]},
		{
			msg_id: 'msg-a1',
			role: 'assistant',
			timestamp: t(1),
			model: 'claude-sonnet-4-6',
			content: [
				{type: 'text', text: 'Checking the database first.'},
				{type: 'tool_use', tool_use_id: 'toolu_01', name: 'Bash', input: {command: `psql postgres://app:${secrets.dbPassword}@db.internal:5432/app -c 'select 1'`, description: 'query'}},
			],
		},
		{msg_id: 'msg-t1', role: 'user', timestamp: t(2), content: [{type: 'tool_result', tool_use_id: 'toolu_01', content: ` ?column?\n----------\n        1\n(1 row)\nGITHUB_TOKEN=${secrets.github}`}]},
		{msg_id: 'msg-a2', role: 'assistant', timestamp: t(3), model: 'claude-sonnet-4-6', content: [{type: 'tool_use', tool_use_id: 'toolu_02', name: 'Write', input: {file_path: `${cwd}/.env`, content: `STRIPE_KEY=${secrets.stripe}\n`, password: secrets.toolPassword}}]},
		{msg_id: 'msg-t2', role: 'user', timestamp: t(4), content: [{type: 'tool_result', tool_use_id: 'toolu_02', content: 'File written'}]},
		{msg_id: 'msg-a3', role: 'assistant', timestamp: t(5), model: 'claude-sonnet-4-6', content: [{type: 'text', text: `Done. The test card ${personal.card} is on file.`}], stop_reason: 'end_turn'},
	];
	const manifest = {
		sfs_version: '0.1.0',
		session_id: id,
		title: 'Deploy the billing service',
		tags: [],
		created_at: t(0),
		updated_at: t(5),
		source: {tool: options.tool ?? 'claude-code', tool_version: '2.1.59', original_session_id: null, original_path: null, interface: 'cli'},
		model: {provider: 'anthropic', model_id: 'claude-sonnet-4-6'},
		stats: {message_count: messages.length, turn_count: 1, tool_use_count: 2},
		metadata: {cwd},
	};
	const dir = path.join(root, 'leaky', id);
	fs.mkdirSync(dir, {recursive: true});
	fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
	fs.writeFileSync(path.join(dir, 'messages.jsonl'), messages.map(message => `${JSON.stringify(message)}\n`).join(''));
	return {id, dir, cwd, secrets, personal};
}
