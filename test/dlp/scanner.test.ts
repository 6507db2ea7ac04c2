import {describe, expect, test} from 'vitest';
import {ALL_PATTERNS, matchText, placeholderFor, scanSession, scanText} from '../../source/engine/dlp/scanner.js';
import {SECRET_PATTERNS} from '../../source/engine/dlp/secret-patterns.js';
import {PERSONAL_PATTERNS} from '../../source/engine/dlp/personal-patterns.js';
import type {Session} from '../../source/engine/types.js';
import * as gen from './corpus.js';

gen.reseed();

/** A case: the text, and the exact sensitive value the pattern must find in it. */
type Positive = [text: string, value: string];
type Case = {positive: Positive[]; negative: string[]};

function inText(template: (value: string) => string, value: string): Positive {
	return [template(value), value];
}

const awsKey = `AKIA${gen.random(gen.UPPER_B32, 16)}`;
const awsSecret = gen.random(gen.B64, 40);
const ghp = `ghp_${gen.random(gen.ALNUM, 36)}`;
const stripe = `sk_live_${gen.random(gen.ALNUM, 24)}`;
const anthropic = `sk-ant-api03-${gen.random(gen.URLSAFE, 93)}AA`;
const openai = `sk-proj-${gen.random(gen.URLSAFE, 156)}`;
const pem = gen.pemBody();
const ssh = gen.opensshBody();
const token = gen.jwt();

const CASES: Record<string, Case> = {
	'aws-access-key': {
		positive: [inText(v => `export AWS_ACCESS_KEY_ID=${v}`, awsKey), inText(v => `"AccessKeyId": "${v}",`, `ASIA${gen.random(gen.UPPER_B32, 16)}`)],
		negative: ['AKIAIOSFODNN7EXAMPLE is the documented example', `AKIA${'A'.repeat(16)}`, `XAKIA${gen.random(gen.UPPER_B32, 16)}`],
	},
	'aws-secret-key': {
		positive: [inText(v => `aws_secret_access_key = ${v}`, awsSecret), inText(v => `AWS_SECRET_ACCESS_KEY="${v}"`, gen.random(gen.B64, 40))],
		negative: ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `sha = ${gen.random(gen.HEX, 40)}`, `some_value = ${gen.random(gen.B64, 40)}`],
	},
	'gcp-service-account-key': {
		positive: [inText(v => `{"type": "service_account", "project_id": "acme-prod", "private_key_id": "${v}",`, gen.random(gen.HEX, 40))],
		negative: ['"private_key_id": "0000000000000000000000000000000000000000"', `"key_id": "${gen.random(gen.HEX, 40)}"`],
	},
	'gcp-api-key': {
		positive: [inText(v => `const key = '${v}';`, `AIza${gen.random(gen.URLSAFE, 35)}`)],
		negative: ['AIzaSy-short', `AIza${'a'.repeat(35)}`],
	},
	'gcp-oauth-client-secret': {
		positive: [inText(v => `client_secret: ${v}`, `GOCSPX-${gen.random(gen.URLSAFE, 28)}`)],
		negative: ['GOCSPX-tooShort'],
	},
	'azure-storage-key': {
		positive: [inText(v => `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${v};EndpointSuffix=core.windows.net`, `${gen.random(gen.B64, 86)}==`)],
		negative: ['AccountKey=<your-account-key>;', `AccountKey=${'A'.repeat(86)}==`],
	},
	'azure-client-secret': {
		positive: [inText(v => `AZURE_CLIENT_SECRET=${v}`, `${gen.random(gen.ALNUM, 3)}8Q~${gen.random(gen.ALNUM, 20)}_${gen.random(gen.ALNUM, 13)}`)],
		negative: ['see Q~ notation', 'abc8Q~short'],
	},
	'azure-sas-token': {
		positive: [inText(v => `https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01T00:00:00Z&sig=${v}`, `${gen.random(gen.ALNUM, 40)}%3D`)],
		negative: ['https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&sig=short'],
	},
	'github-token': {
		positive: [inText(v => `git remote set-url origin https://${v}@github.com/acme/app.git`, ghp), inText(v => `GITHUB_TOKEN=${v}`, `ghs_${gen.random(gen.ALNUM, 36)}`)],
		negative: ['ghp_shorttoken', `ghp_${'x'.repeat(36)}`, 'the gh_pages branch'],
	},
	'github-fine-grained-token': {
		positive: [inText(v => `token: ${v}`, `github_pat_11${gen.random(gen.ALNUM, 20)}_${gen.random(gen.ALNUM, 59)}`)],
		negative: ['github_pat_tooshort'],
	},
	'gitlab-token': {
		positive: [inText(v => `PRIVATE-TOKEN: ${v}`, `glpat-${gen.random(gen.URLSAFE, 20)}`)],
		negative: ['glpat-xxxxxxxxxxxxxxxxxxxx', 'glpat-short'],
	},
	'slack-token': {
		positive: [inText(v => `SLACK_BOT_TOKEN=${v}`, `xoxb-${gen.digits(12)}-${gen.digits(13)}-${gen.random(gen.ALNUM, 24)}`)],
		negative: ['xoxb-your-token-here', 'xoxb-'],
	},
	'slack-webhook': {
		positive: [inText(v => `curl -X POST ${v} -d '{}'`, `https://hooks.slack.com/services/T${gen.random(gen.UPPER_B32, 8)}/B${gen.random(gen.UPPER_B32, 10)}/${gen.random(gen.ALNUM, 24)}`)],
		negative: ['https://hooks.slack.com/services/TXXX/BXXX/XXXX'],
	},
	'stripe-key': {
		positive: [inText(v => `Stripe.api_key = "${v}"`, stripe), inText(v => `STRIPE_SECRET=${v}`, `rk_test_${gen.random(gen.ALNUM, 99)}`)],
		negative: [`pk_live_${gen.random(gen.ALNUM, 24)} is publishable`, 'sk_test_xxxxxxxxxxxxxxxxxxxxxxxx'],
	},
	'anthropic-key': {
		positive: [inText(v => `ANTHROPIC_API_KEY=${v}`, anthropic)],
		negative: ['sk-ant-api03-...', 'the sk-ant- prefix'],
	},
	'openai-key': {
		positive: [inText(v => `OPENAI_API_KEY=${v}`, openai), inText(v => `key="${v}"`, `sk-${gen.random(gen.ALNUM, 20)}T3BlbkFJ${gen.random(gen.ALNUM, 20)}`)],
		negative: ['sk-proj-your-key-here', 'the task-proj-management sk-proj- prefix', 'sk-ant-api03-short'],
	},
	'npm-token': {
		positive: [inText(v => `//registry.npmjs.org/:_authToken=${v}`, `npm_${gen.random(gen.ALNUM, 36)}`)],
		negative: ['npm_config_registry=https://registry.npmjs.org', `npm_${'a'.repeat(36)}`],
	},
	'pypi-token': {
		positive: [inText(v => `password = ${v}`, `pypi-AgEIcHlwaS5vcmc${gen.random(gen.URLSAFE, 70)}`)],
		negative: ['pypi-AgEIcHlwaS5vcmc'],
	},
	'huggingface-token': {
		positive: [inText(v => `HF_TOKEN=${v}`, `hf_${gen.random(gen.ALNUM, 34)}`)],
		negative: ['hf_hub_download_function_for_models_x', 'hf_transfer'],
	},
	'sendgrid-key': {
		positive: [inText(v => `SENDGRID_API_KEY=${v}`, `SG.${gen.random(gen.URLSAFE, 22)}.${gen.random(gen.URLSAFE, 43)}`)],
		negative: ['SG.short.key'],
	},
	'digitalocean-token': {
		positive: [inText(v => `DO_TOKEN=${v}`, `dop_v1_${gen.random(gen.HEX, 64)}`)],
		negative: ['dop_v1_abc'],
	},
	'private-key': {
		positive: [
			inText(v => `-----BEGIN RSA PRIVATE KEY-----${v}-----END RSA PRIVATE KEY-----`, `\n${pem}\n`),
			inText(v => `cat key.pem\n-----BEGIN PRIVATE KEY-----${v}`, `\n${gen.pemBody(3)}\n(output truncated)`),
		],
		negative: ['-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----', 'grep -r "BEGIN PRIVATE KEY" .'],
	},
	'openssh-private-key': {
		positive: [inText(v => `-----BEGIN OPENSSH PRIVATE KEY-----${v}-----END OPENSSH PRIVATE KEY-----`, `\n${ssh}\n`)],
		negative: ['-----BEGIN OPENSSH PRIVATE KEY-----\n<key>\n-----END OPENSSH PRIVATE KEY-----', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH public key'],
	},
	jwt: {
		positive: [inText(v => `Cookie: session=${v}; Path=/`, token)],
		negative: ['eyJhbGciOiJIUzI1NiJ9', `eyJ${gen.random(gen.ALNUM, 20)}.eyJ${gen.random(gen.ALNUM, 20)}.${gen.random(gen.ALNUM, 20)}`],
	},
	'database-url': {
		positive: [
			inText(v => `DATABASE_URL=postgres://app:${v}@db.internal:5432/app`, 'Tr0ub4dor&3x'),
			inText(v => `mongodb+srv://admin:${v}@cluster0.abcde.mongodb.net/test`, gen.random(gen.ALNUM, 16)),
		],
		negative: ['postgres://user:password@localhost:5432/db', 'postgres://app:${DB_PASSWORD}@db:5432/app', 'postgres://localhost:5432/app', 'redis://:<password>@host:6379'],
	},
	'url-credentials': {
		positive: [inText(v => `pip install --index-url https://deploy:${v}@pypi.acme.io/simple pkg`, gen.random(gen.ALNUM, 18))],
		negative: ['https://user:password@example.com', 'https://github.com/acme/app', 'http://user:pass@host.com'],
	},
	'password-assignment': {
		positive: [inText(v => `mysql -u root --password=${v} app`, 'Zq8!vR2#pL9m'), inText(v => `DB_PASSWORD: "${v}"`, 'c0rrect-h0rse-Battery'), inText(v => `password = '${v}'`, 's3cr3tPa55w0rd')],
		negative: ['password = "changeme"', 'password: ${DB_PASSWORD}', 'password=process.env.DB_PASSWORD', 'const password = await prompt()', 'password_hash = bcrypt(password)', 'password: <your password>', 'password = "********"', 'forgot password? Reset it here'],
	},
	'api-key-assignment': {
		positive: [inText(v => `api_key: ${v}`, gen.random(gen.ALNUM, 32)), inText(v => `const CLIENT_SECRET = "${v}";`, gen.random(gen.URLSAFE, 40))],
		negative: ['api_key: YOUR_API_KEY_HERE', 'api_key = os.environ["API_KEY"]', 'apiKey: config.apiKey', 'secret_key_base = <%= ENV["SECRET"] %>', 'access_token = response.json()["access_token"]', 'api_key: aaaaaaaaaaaaaaaaaaaaaaaa'],
	},
	'bearer-token': {
		positive: [inText(v => `curl -H "Authorization: Bearer ${v}" https://api.acme.io`, gen.random(gen.URLSAFE, 40))],
		negative: ['Authorization: Bearer $TOKEN', 'Authorization: Bearer <token>', 'Authorization: Bearer ${{ secrets.TOKEN }}'],
	},
	email: {
		positive: [inText(v => `Contact: ${v} for the invoice`, 'maria.gonzalez@acme-corp.io'), inText(v => `git config user.email "${v}"`, 'j.smith+work@gmail.com'), inText(v => `escaped twice:\\n${v}`, 'li.wei@posteo.de')],
		negative: ['git@github.com:acme/app.git', 'Co-Authored-By: Claude <noreply@anthropic.com>', 'someone@example.com', 'npm i react@18.2.0', 'logo@2x.png', '12345+octocat@users.noreply.github.com', 'router = APIRouter()\\n\\n@router.post("/signup")'],
	},
	'phone-international': {
		positive: [inText(v => `call me on ${v} tomorrow`, '+44 20 7946 0958'), inText(v => `tel: ${v}`, '+49 30 12345678')],
		negative: ['version +1.2.3', 'offset +0100', 'diff: +12 -4 lines', '+1 to this idea'],
	},
	'phone-us': {
		positive: [inText(v => `Phone: ${v}`, '(415) 867-5309'), inText(v => `cell ${v}`, '212-867-4311')],
		negative: ['version 1.212.867.4311', 'port 8080-8081', 'call 555-0142', 'id 123-456-7890'],
	},
	'credit-card': {
		positive: [inText(v => `card ${v} exp 12/29`, gen.cardNumber('4')), inText(v => `amex: ${v}`, (() => { const n = gen.cardNumber('37', 15); return `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}`; })())],
		negative: ['order 4111111111111112', '1234567812345678', 'timestamp 1700000000000000', '4444444444444444'],
	},
	iban: {
		positive: [inText(v => `IBAN: ${v}`, gen.iban('DE', gen.digits(18))), inText(v => `pay to ${v}`, gen.iban('GB', `NWBK${gen.digits(14)}`))],
		negative: ['DE00123456781234567890', 'GB82 WEST 1234 5698 7654 33', 'XX12 3456 7890'],
	},
	'us-ssn': {
		positive: [inText(v => `SSN ${v}`, '536-22-4761'), inText(v => `ssn: ${v}`, '536 22 4761')],
		negative: ['000-12-3456', '666-12-3456', '123-45-6789', 'range 536 22 4761 items', 'phone 536-22-47612'],
	},
	'uk-nino': {
		positive: [inText(v => `NI number: ${v}`, 'JT 12 34 56 C'), inText(v => `nino=${v}`, 'AB123456C')],
		negative: ['GB123456A', 'ab123456c lowercase word', 'HASH AB123456C'],
	},
	'fr-nir': {
		positive: [inText(v => `numéro de sécurité sociale ${v}`, gen.nir())],
		negative: ['1 85 05 78 006 084 00', '2850578006084'],
	},
	'es-dni': {
		positive: [inText(v => `DNI ${v}`, gen.dni())],
		negative: ['12345678A', 'commit 87654321B'],
	},
	'it-codice-fiscale': {
		positive: [inText(v => `CF: ${v}`, gen.codiceFiscale())],
		negative: ['RSSMRA85T10A562X', 'ABCDEF12G34H567I'],
	},
	'nl-bsn': {
		positive: [inText(v => `BSN: ${v}`, gen.bsn())],
		negative: ['BSN: 123456789', 'order 111222333'],
	},
	'ca-sin': {
		positive: [inText(v => `SIN ${v}`, gen.sin())],
		negative: ['SIN 123 456 789', 'sin(x) = 046 454 287'],
	},
	'in-aadhaar': {
		positive: [inText(v => `Aadhaar ${v}`, gen.aadhaar())],
		negative: ['Aadhaar 2345 6789 0123', 'Aadhaar 1234 5678 9012', `order ${gen.aadhaar()}`],
	},
	'date-of-birth': {
		positive: [inText(v => `DOB: ${v}`, '1984-07-23'), inText(v => `date of birth ${v}`, '23/07/1984')],
		negative: ['created 1984-07-23', 'born to run'],
	},
	'passport-number': {
		positive: [inText(v => `passport no. ${v}`, 'X1234567'), inText(v => `Passport number: ${v}`, '533380006')],
		negative: ['passport photo requirements', 'passport: required'],
	},
};

describe('scanner corpus', () => {
	test('at least 20 secret and 10 personal-data patterns, each with cases', () => {
		expect(SECRET_PATTERNS.length).toBeGreaterThanOrEqual(20);
		expect(PERSONAL_PATTERNS.length).toBeGreaterThanOrEqual(10);
		for (const pattern of ALL_PATTERNS) {
			expect(CASES[pattern.id], `cases for ${pattern.id}`).toBeDefined();
			expect(CASES[pattern.id]!.positive.length).toBeGreaterThan(0);
			expect(CASES[pattern.id]!.negative.length).toBeGreaterThan(0);
		}
	});

	for (const [id, {positive, negative}] of Object.entries(CASES)) {
		test(`${id}: finds every positive exactly`, () => {
			for (const [text, value] of positive) {
				const matches = matchText(text).filter(match => match.pattern === id);
				expect(matches.map(match => text.slice(match.start, match.end)), text).toEqual([value]);
			}
		});

		test(`${id}: no false positive on the negatives`, () => {
			for (const text of negative) expect(matchText(text).filter(match => match.pattern === id), text).toEqual([]);
		});
	}
});

describe('redaction and excerpts', () => {
	test('placeholders replace the value; the excerpt shows only a public prefix', () => {
		const text = `export AWS_ACCESS_KEY_ID=${awsKey} GH_TOKEN=${ghp}`;
		const scan = scanText(text, {msg_id: 'm1', location: 'messages[0].content[0].text'});
		expect(scan.redacted).toBe(`export AWS_ACCESS_KEY_ID=${placeholderFor('aws-access-key')} GH_TOKEN=${placeholderFor('github-token')}`);
		expect(scan.findings.map(f => [f.kind, f.pattern, f.msg_id])).toEqual([
			['secret', 'aws-access-key', 'm1'],
			['secret', 'github-token', 'm1'],
		]);
		for (const finding of scan.findings) {
			expect(finding.excerpt).not.toContain(awsKey);
			expect(finding.excerpt).not.toContain(awsKey.slice(4, 12));
			expect(finding.excerpt).not.toContain(ghp.slice(4, 12));
		}

		expect(scan.findings[0]!.excerpt).toContain('AKIA****');
		// The other secret in the context is shown as its placeholder.
		expect(scan.findings[1]!.excerpt).toContain('[REDACTED:aws-access-key]');
	});

	test('a secret wins over personal data in the same span (a URL password is not an email)', () => {
		const matches = matchText('postgres://app:Sup3rS3cret@db.acme-corp.io:5432/app');
		expect(matches.map(match => match.pattern)).toEqual(['database-url']);
	});

	test('a session is scanned everywhere: text, tool inputs, results, manifest; the redacted copy is new and the original untouched', () => {
		const session: Session = {
			manifest: {sfs_version: '0.1.0', session_id: 's1', created_at: '2026-01-01T00:00:00Z', source: {tool: 'claude-code'}, title: `deploy with ${stripe}`},
			messages: [
				{msg_id: 'u1', role: 'user', timestamp: '2026-01-01T00:00:01Z', content: [{type: 'text', text: `my key is ${anthropic}, mail maria.gonzalez@acme-corp.io`}]},
				{msg_id: 'a1', role: 'assistant', timestamp: '2026-01-01T00:00:02Z', content: [{type: 'tool_use', tool_use_id: 't1', name: 'Bash', input: {command: 'psql', env: {PGPASSWORD: 'v9Xq2LmT7zRk'}}}]},
				{msg_id: 'r1', role: 'tool', timestamp: '2026-01-01T00:00:03Z', content: [{type: 'tool_result', tool_use_id: 't1', content: `-----BEGIN OPENSSH PRIVATE KEY-----\n${ssh}\n-----END OPENSSH PRIVATE KEY-----`}]},
			],
		};
		const before = JSON.stringify(session);
		const scan = scanSession(session, {redactKinds: ['secret']});
		expect(JSON.stringify(session)).toBe(before);
		expect(scan.findings.map(f => [f.pattern, f.msg_id, f.location])).toEqual([
			['stripe-key', null, 'manifest.title'],
			['anthropic-key', 'u1', 'messages[0].content[0].text'],
			['email', 'u1', 'messages[0].content[0].text'],
			['secret-field', 'a1', 'messages[1].content[0].input.env.PGPASSWORD'],
			['openssh-private-key', 'r1', 'messages[2].content[0].content'],
		]);
		expect(scan.secrets).toBe(4);
		expect(scan.personal).toBe(1);
		const out = JSON.stringify(scan.redacted);
		for (const secret of [stripe, anthropic, 'v9Xq2LmT7zRk', ssh.slice(0, 40)]) expect(out).not.toContain(secret);
		expect(out).toContain('maria.gonzalez@acme-corp.io');
		expect(scan.redacted.manifest.title).toBe('deploy with [REDACTED:stripe-key]');
	});
});
