/**
 * The resume conformance suite (issue 4): for every source tool and every target tool, through the
 * built `sfs` binary as a user would run it:
 *   1. `sfs capture` the source session (sessions the real CLIs recorded, or public fixtures),
 *   2. `sfs resume <id> --in <target> --no-launch --json`,
 *   3. the real target CLI, non-interactively, on the written id in the printed cwd, against the
 *      loopback model endpoint,
 *   4. the request the endpoint receives must carry the earlier conversation in order (prompts,
 *      replies, tool commands and outputs).
 * Prints the source × target matrix; any failing cell fails the run (exit 1).
 * Run: npm run test:conformance   (or: npx tsx test/conformance/run.ts [--target codex] [--source amp])
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {loadWriter} from '../../source/adapters/writers.js';
import type {ResumeTarget, Session, ToolId} from '../../source/engine/types.js';
import {flattenConversation} from '../support/model-endpoint.js';
import {cliBinaryPath, createGitRepo, createToolHome, ensureClis, nativeRootOf, type ToolId as CliToolId} from '../support/real-clis.js';
import {
	expectationsFromManifest,
	expectationsFromSession,
	FIXTURE_TOOLS,
	installFixture,
	missingInOrder,
	RECORDED_TOOLS,
	recordedManifest,
	RESUME_PROMPT,
	RESUME_REPLY,
	startModelEndpoint,
} from '../support/resume-proof.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const fixtures = path.join(root, 'test', 'fixtures');
const TARGETS: ResumeTarget[] = ['claude-code', 'codex', 'gemini', 'copilot'];

type Cell = {source: ToolId; target: ResumeTarget; ok: boolean; detail: string; seconds: number};

function argValues(name: string): string[] {
	const values: string[] = [];
	for (const [at, arg] of process.argv.entries()) if (arg === `--${name}` && process.argv[at + 1]) values.push(process.argv[at + 1]!);
	return values;
}

async function sfs(args: string[], env: NodeJS.ProcessEnv, cwd = root) {
	return execa(process.execPath, [cli, ...args], {env, extendEnv: false, cwd, reject: false, timeout: 120_000});
}

function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return {PATH: process.env.PATH, LANG: 'C.UTF-8', NO_COLOR: '1', ...extra};
}

/** Lays out the source tool's native files under `home` and captures them with `sfs capture`; returns the session id to resume. */
async function captureSource(source: ToolId, home: string, sfsHome: string): Promise<{id: string; expectations: ReturnType<typeof expectationsFromSession>}> {
	const recorded = recordedManifest(source);
	if (recorded) fs.cpSync(path.join(fixtures, 'recorded', source), nativeRootOf(source as CliToolId, home), {recursive: true});
	else installFixture(source, home);
	const env = baseEnv({HOME: home, SFS_HOME: sfsHome});
	const captured = await sfs(['capture', '--json', '--tool', source], env);
	if (captured.exitCode !== 0) throw new Error(`sfs capture failed: ${captured.stderr}`);
	const listed = await sfs(['list', '--json', '--tool', source], env);
	const rows = JSON.parse(listed.stdout) as Array<{session_id: string; native_id: string | null; message_count: number}>;
	const row = recorded ? rows.find(candidate => candidate.native_id === recorded.sessionId) : rows.sort((a, b) => b.message_count - a.message_count)[0];
	if (!row) throw new Error(`no ${source} session captured (${rows.length} listed)`);
	if (recorded) return {id: row.session_id, expectations: expectationsFromManifest(recorded)};
	const shown = await sfs(['show', row.session_id, '--json'], env);
	const session = JSON.parse(shown.stdout) as Session;
	return {id: row.session_id, expectations: expectationsFromSession(session)};
}

async function runCell(source: ToolId, target: ResumeTarget, endpoint: Awaited<ReturnType<typeof startModelEndpoint>>): Promise<Cell> {
	const started = Date.now();
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-conf-${source}-${target}-`));
	const done = (ok: boolean, detail: string): Cell => ({source, target, ok, detail, seconds: (Date.now() - started) / 1000});
	try {
		const sfsHome = path.join(scratch, 'sfs');
		const {id, expectations} = await captureSource(source, path.join(scratch, 'source-home'), sfsHome);
		const cwd = await createGitRepo(path.join(scratch, 'work', 'demo-repo'), {'README.md': '# demo\n', 'notes.txt': 'alpha\nbeta\n'});
		const home = await createToolHome(target as CliToolId, {endpointUrl: endpoint.url, root: path.join(scratch, 'target'), trustedDirs: [cwd]});
		const env = baseEnv({...home.env, SFS_HOME: sfsHome});
		const resumed = await sfs(['resume', id, '--in', target, '--no-launch', '--json', '--cwd', cwd], env);
		if (resumed.exitCode !== 0) return done(false, `sfs resume exited ${resumed.exitCode}: ${resumed.stderr.trim().split('\n')[0]}`);
		const plan = JSON.parse(resumed.stdout) as {native_id: string; cwd: string; command: string[]; report: Record<string, unknown>};
		const writer = await loadWriter(target);
		const argv = writer.headlessResumeCommand(plan.native_id, RESUME_PROMPT, {});
		endpoint.setScript([{match: 'sfs-resume-check', text: RESUME_REPLY}]);
		endpoint.clearRequests();
		const run = await execa(cliBinaryPath(target as CliToolId), argv.slice(1), {
			cwd: plan.cwd,
			env: home.env,
			extendEnv: false,
			stdin: 'ignore',
			timeout: 120_000,
			forceKillAfterDelay: 2000,
			reject: false,
		});
		const request = endpoint
			.conversationRequests()
			.findLast(candidate => flattenConversation(candidate.protocol, candidate.body).some(entry => entry.role === 'user' && entry.text.includes('sfs-resume-check')));
		if (!request) return done(false, `the target sent no request with the new prompt (exit ${run.exitCode}; ${String(run.stderr).trim().split('\n').at(-1) ?? ''})`);
		const missing = missingInOrder(flattenConversation(request.protocol, request.body), expectations);
		if (missing.length > 0) return done(false, `history missing from the request: ${missing.slice(0, 3).join('; ')}`);
		return done(true, `${expectations.length} facts in order; report ${JSON.stringify(plan.report)}`);
	} catch (error) {
		return done(false, error instanceof Error ? error.message.split('\n')[0]! : String(error));
	} finally {
		fs.rmSync(scratch, {recursive: true, force: true});
	}
}

async function main(): Promise<number> {
	if (!fs.existsSync(cli)) {
		console.error('conformance: dist/cli.js is missing (run npm run build)');
		return 1;
	}

	const targets = argValues('target').length > 0 ? (argValues('target') as ResumeTarget[]) : TARGETS;
	const sources = argValues('source').length > 0 ? (argValues('source') as ToolId[]) : [...RECORDED_TOOLS, ...FIXTURE_TOOLS];
	const available: ResumeTarget[] = [];
	for (const target of targets) {
		try {
			await loadWriter(target);
			available.push(target);
		} catch (error) {
			console.log(`conformance: no writer for ${target} yet (${error instanceof Error ? error.message : String(error)}): its column is reported as failing`);
		}
	}

	await ensureClis(available as CliToolId[], line => console.log(line));
	const endpoint = await startModelEndpoint();
	const cells: Cell[] = [];
	try {
		for (const target of targets) {
			for (const source of sources) {
				const cell = available.includes(target) ? await runCell(source, target, endpoint) : {source, target, ok: false, detail: 'writer not available', seconds: 0};
				cells.push(cell);
				console.log(`${cell.ok ? 'pass' : 'FAIL'}  ${source.padEnd(12)} → ${target.padEnd(12)} ${cell.seconds.toFixed(1)}s  ${cell.detail}`);
			}
		}
	} finally {
		await endpoint.close();
	}

	console.log(`\nsource \\ target  ${targets.map(target => target.padEnd(12)).join('')}`);
	for (const source of sources) {
		const row = targets.map(target => (cells.find(cell => cell.source === source && cell.target === target)?.ok ? 'pass' : 'FAIL').padEnd(12));
		console.log(`${source.padEnd(16)} ${row.join('')}`);
	}

	const failed = cells.filter(cell => !cell.ok).length;
	console.log(`\n${cells.length - failed} passed, ${failed} failed`);
	return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
