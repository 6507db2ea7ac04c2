/** The real TuiEngine's insight, DLP and rules members over a temp store and a temp git repository. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {type Engine, openEngine} from '../../source/engine/open-engine.js';
import {createTuiEngine} from '../../source/engine/tui-engine.js';
import {SessionBuilder} from '../insight/build.js';
import {tempRepo} from '../rules/helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

const noWriters = async () => {
	throw new Error('no writers in this test');
};

function setup(): {engine: Engine; tui: ReturnType<typeof createTuiEngine>; home: string} {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-tui-insight-'));
	const env = {HOME: home, SFS_HOME: path.join(home, 'sfs'), XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), EDITOR: 'nano -w'};
	const engine = openEngine({env});
	cleanups.push(() => {
		engine.close();
		fs.rmSync(home, {recursive: true, force: true});
	});
	return {engine, tui: createTuiEngine(engine, {loadWriter: noWriters, captureInWorker: false, autoAttach: false}), home};
}

function store(engine: Engine, id: string, build: (b: SessionBuilder) => void, model = 'claude-sonnet-4-5') {
	const b = new SessionBuilder();
	build(b);
	const session = b.session(id, model);
	engine.store.createSession(session);
	engine.index.upsertSession(session.manifest);
	engine.index.addMessages(id, session.messages, 1);
}

test('sessionInsight, sessionFindings and sessionCosts read the stored session', async () => {
	const {engine, tui} = setup();
	store(engine, 'ses_a', b => {
		b.user('deploy with GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789');
		b.bash('npm test', 'Tests  3 passed (3)');
		b.bash('false', 'boom', 2);
		b.usage('claude-sonnet-4-5', {input_tokens: 1000, output_tokens: 100}, {api_message_id: 'msg_A'});
	});
	store(engine, 'ses_b', b => {
		b.user('hello');
		b.usage('model-nobody-prices', {input_tokens: 10, output_tokens: 1}, {api_message_id: 'msg_B'});
	}, 'model-nobody-prices');

	const insight = await tui.sessionInsight!('ses_a');
	expect(insight.summary.commands).toEqual([
		{command: 'npm test', exit_code: 0},
		{command: 'false', exit_code: 2},
	]);
	expect(insight.summary.tokens.total).toBe(1100);
	expect(insight.summary.cost_usd).toBeGreaterThan(0);
	expect(insight.narrative).toBeNull();

	const findings = await tui.sessionFindings!('ses_a');
	expect(findings.secrets).toBe(1);
	expect(findings.findings[0]!.pattern).toBe('github-token');
	expect(JSON.stringify(findings)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');

	const costs = await tui.sessionCosts!(['ses_a', 'ses_b']);
	expect(costs.ses_a).toBe(insight.summary.cost_usd);
	expect(costs.ses_b).toBeNull();
	await expect(tui.sessionInsight!('ses_missing')).rejects.toThrow();
});

test('rulesStatus, compileRules and rulesEditLaunch work on the repository around cwd', async () => {
	const {tui} = setup();
	const repo = tempRepo({'.sfs/rules/config.json': '{"version": 1, "tools": ["claude-code", "codex"]}', '.sfs/rules/00-style.md': '# Style\n\nUse tabs.\n'});
	cleanups.push(repo.cleanup);
	fs.mkdirSync(path.join(repo.root, 'src'));

	const before = await tui.rulesStatus!(path.join(repo.root, 'src'));
	expect(before.configured).toBe(true);
	expect(before.root).toBe(repo.root);
	expect(before.files.map(file => file.name)).toEqual(['00-style.md']);
	expect(before.check.exitCode).toBe(1);
	const agents = before.targets.find(target => target.file === 'AGENTS.md')!;
	expect(agents.state).toBe('missing');
	expect(agents.diff).toContain('+Use tabs.');

	const written = await tui.compileRules!(repo.root);
	expect(written).toContain('AGENTS.md');
	expect(repo.read('AGENTS.md')).toContain('Use tabs.');
	const after = await tui.rulesStatus!(repo.root);
	expect(after.check.exitCode).toBe(0);
	expect(after.targets.every(target => target.state === 'ok' && target.diff === '')).toBe(true);
	expect(after.targets.find(target => target.file === 'AGENTS.md')!.expected).toBe(repo.read('AGENTS.md'));

	const spec = await tui.rulesEditLaunch!(repo.root);
	expect(spec).toEqual({command: 'nano', args: ['-w', path.join(repo.root, '.sfs', 'rules', '00-style.md')], cwd: repo.root});

	const bare = tempRepo();
	cleanups.push(bare.cleanup);
	expect((await tui.rulesStatus!(bare.root)).configured).toBe(false);
	await expect(tui.compileRules!(bare.root)).rejects.toThrow(/no sfs rules/);
});

test('sessionCosts prices more sessions than one batch', async () => {
	const {engine, tui} = setup();
	const ids: string[] = [];
	for (let index = 0; index < 130; index++) {
		const id = `ses_${String(index).padStart(3, '0')}`;
		ids.push(id);
		store(engine, id, b => {
			b.user(`task ${index}`);
			b.usage('claude-sonnet-4-5', {input_tokens: 1_000_000, output_tokens: 0}, {api_message_id: `msg_${index}`});
		});
	}

	const costs = await tui.sessionCosts!(ids);
	expect(Object.keys(costs)).toHaveLength(130);
	const values = new Set(Object.values(costs));
	expect(values.size).toBe(1); // same usage, same price
	expect([...values][0]).toBeGreaterThan(0);
});
