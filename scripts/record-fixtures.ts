/**
 * Records real native sessions from the pinned CLIs into test/fixtures/recorded/<tool>/.
 *
 *   npx tsx scripts/record-fixtures.ts                 # all five
 *   npx tsx scripts/record-fixtures.ts claude-code codex
 *   npx tsx scripts/record-fixtures.ts --out=/tmp/rerecord codex   # somewhere else (to compare with the committed ones)
 *
 * Per tool: a fixed temp dir (`$TMPDIR/sfs-record-<tool>/`, wiped first, so paths are the same on every re-record)
 * holding a git repo (cwd) and a seeded HOME; turn 1 asks for a shell command (scripted thinking + text + the tool's
 * own shell tool call + a follow-up after the result), turn 2 resumes the same native session non-interactively.
 * The tool's native files are copied keeping their layout relative to the tool's root, plus manifest.json with the
 * facts adapter tests check message by message.
 */
import {cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {flattenConversation, startModelEndpoint, type RecordedRequest, type ScriptStep} from '../test/support/model-endpoint.js';
import {
	cliPins, createGitRepo, createToolHome, installCli, nativeRootOf, nativeSessionFiles, relativeToNativeRoot, resumeTool, runTool, TOOL_IDS, type RunResult, type ToolId,
} from '../test/support/real-clis.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outOption = process.argv.slice(2).find(argument => argument.startsWith('--out='));
const fixturesRoot = outOption ? resolve(outOption.slice('--out='.length)) : join(projectRoot, 'test', 'fixtures', 'recorded');

const REPO_FILES = {'README.md': '# demo-repo\n\nA tiny repository used to record sfs fixtures.\n', 'notes.txt': 'alpha\nbeta\n'};
const TOOL_OUTPUT = 'alpha\nbeta\n';

const TURN_1: Required<ScriptStep> & {prompt: string} = {
	match: 'sfs-fixture-turn-1',
	prompt: 'Please show me what is in notes.txt. [sfs-fixture-turn-1]',
	thinking: 'The user wants the contents of notes.txt, so I will print it with cat.',
	text: 'I will print notes.txt.',
	command: 'cat notes.txt',
	followUp: 'notes.txt lists two items: alpha and beta.',
};

const TURN_2: ScriptStep & {prompt: string; thinking: string; text: string} = {
	match: 'sfs-fixture-turn-2',
	prompt: 'Which item comes first? [sfs-fixture-turn-2]',
	thinking: 'The file listed alpha before beta.',
	text: 'alpha comes first, then beta.',
};

const SQLITE_INDEXES: Partial<Record<ToolId, string[]>> = {
	// Session indexes the CLIs keep next to the files (copied as single-file snapshots, WAL folded in).
	copilot: ['session-store.db'],
	cline: ['db/sessions.db'],
};

const SECRET_PATTERNS = [/sk-[A-Za-z\d_-]{20,}/, /sk-ant-[A-Za-z\d_-]{10,}/, /gh[pousr]_[A-Za-z\d]{20,}/, /AIza[\w-]{30,}/, /xox[abp]-[\w-]{10,}/];

async function recordTool(tool: ToolId): Promise<void> {
	const pin = cliPins()[tool];
	await installCli(tool, line => {
		console.log(`  ${line}`);
	});
	const root = join(tmpdir(), `sfs-record-${tool}`);
	rmSync(root, {recursive: true, force: true});
	mkdirSync(root, {recursive: true});
	const endpoint = await startModelEndpoint({script: [TURN_1, TURN_2]});
	try {
		const cwd = await createGitRepo(join(root, 'demo-repo'), REPO_FILES);
		const home = await createToolHome(tool, {endpointUrl: endpoint.url, root, trustedDirs: [cwd]});
		const first = await runTool(tool, {home, cwd, prompt: TURN_1.prompt});
		assertRun(first, 'turn 1');
		const sessionId = first.sessionId!;
		const second = await resumeTool(tool, {home, cwd, id: sessionId, prompt: TURN_2.prompt});
		assertRun(second, 'turn 2');

		const facts = collectFacts(endpoint.requests);
		const outDir = join(fixturesRoot, tool);
		rmSync(outDir, {recursive: true, force: true});
		const files: string[] = [];
		for (const file of nativeSessionFiles(tool, home.home, sessionId)) {
			const relativePath = relativeToNativeRoot(tool, home.home, file);
			mkdirSync(dirname(join(outDir, relativePath)), {recursive: true});
			cpSync(file, join(outDir, relativePath));
			files.push(relativePath);
		}

		for (const relativePath of SQLITE_INDEXES[tool] ?? []) {
			const source = join(nativeRootOf(tool, home.home), relativePath);
			if (existsSync(source)) {
				mkdirSync(dirname(join(outDir, relativePath)), {recursive: true});
				const database = new Database(source, {readonly: true});
				database.exec(`VACUUM INTO '${join(outDir, relativePath).replaceAll('\'', '\'\'')}'`);
				database.close();
				files.push(relativePath);
			}
		}

		if (files.length === 0) {
			throw new Error(`no native files found for session ${sessionId}`);
		}

		const manifest = {
			tool,
			package: pin.package,
			cliVersion: pin.version,
			recordedAt: new Date().toISOString(),
			recordedWith: 'npx tsx scripts/record-fixtures.ts ' + tool,
			sessionId,
			cwd,
			home: home.home,
			nativeRoot: relativeToHome(nativeRootOf(tool, home.home), home.home),
			files: files.sort(),
			model: facts.model,
			commands: [first.command, second.command].map(command => [pin.bin, ...command.slice(1)]),
			turns: [
				{
					prompt: TURN_1.prompt,
					thinking: TURN_1.thinking,
					text: TURN_1.text,
					toolCall: {...facts.toolCall, command: TURN_1.command},
					toolOutput: TOOL_OUTPUT,
					toolResultSeenByModel: facts.toolResultSeenByModel,
					followUp: TURN_1.followUp,
				},
				{prompt: TURN_2.prompt, thinking: TURN_2.thinking, text: TURN_2.text},
			],
			resumeCarriedHistory: facts.resumeCarriedHistory,
			notes: NOTES[tool],
		};
		writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
		scanForSecrets(outDir, files);
		console.log(`${tool}: session ${sessionId}, ${files.length} file(s) → ${outDir} (${first.durationMs} ms + ${second.durationMs} ms)`);
	} finally {
		await endpoint.close();
	}
}

const NOTES: Record<ToolId, string> = {
	'claude-code': 'claude -p, then claude -p --resume <id>: both turns land in the same <id>.jsonl.',
	codex: 'codex exec, then codex exec resume <id>: both turns land in the same rollout file. Model provider "stub" (config.toml).',
	gemini: 'gemini -p --yolo, then gemini --resume <id> -p: turn 2 is appended to the first chats/session-*.jsonl; the resume run may also leave a second session-<date>-<id8>.jsonl with the same sessionId holding only the header and the session context (when the minute changed between runs). GEMINI_MODEL is set, so the CLI skips its JSON routing classifier. Tool call ids are minted by the CLI.',
	copilot: 'copilot -p --allow-all-tools, then copilot --resume <id> -p: same session-state/<id>/events.jsonl. session-store.db is a VACUUM INTO snapshot.',
	cline: 'cline "<prompt>" (CLINE_SESSION_BACKEND_MODE=local), then turn 2 through `cline --acp` session/load + session/prompt (cline --id needs a TTY). db/sessions.db is a VACUUM INTO snapshot.',
};

function assertRun(result: RunResult, label: string): void {
	if (result.exitCode !== 0 || result.timedOut || !result.sessionId) {
		throw new Error(`${result.tool} ${label} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}, session ${result.sessionId ?? '?'}):\n${result.command.join(' ')}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`);
	}
}

function collectFacts(requests: RecordedRequest[]) {
	const stepRequest = requests.find(request => request.replyKind === 'step' && request.step?.match === TURN_1.match && request.reply?.toolCall);
	const followUpRequest = requests.find(request => request.replyKind === 'follow-up' && request.step?.match === TURN_1.match);
	const resumedRequest = requests.find(request => request.replyKind === 'step' && request.step?.match === TURN_2.match);
	if (!stepRequest?.reply?.toolCall || !followUpRequest || !resumedRequest) {
		throw new Error(`the endpoint did not see the scripted flow: ${requests.map(request => `${request.method} ${request.path} ${request.replyKind}`).join('; ')}`);
	}

	const toolResult = flattenConversation(followUpRequest.protocol, followUpRequest.body).findLast(entry => entry.kind === 'tool_result');
	const history = flattenConversation(resumedRequest.protocol, resumedRequest.body);
	const historyText = history.map(entry => entry.text).join('\n');
	const resumeCarriedHistory = [TURN_1.prompt, TURN_1.followUp, TURN_1.command, 'beta'].every(fact => historyText.includes(fact));
	if (!resumeCarriedHistory) {
		throw new Error('the resumed request did not carry turn 1 (prompt, tool call, tool output, follow-up)');
	}

	const body = stepRequest.body as {model?: unknown};
	const model = typeof body.model === 'string' ? body.model : /models\/([^:]+):/.exec(stepRequest.path)?.[1];
	const {id, name, args} = stepRequest.reply.toolCall;
	// Gemini function calls carry no id on the wire: the CLI mints its own, so the stub's id is not in the files.
	const callId = stepRequest.protocol === 'gemini' ? null : id;
	return {model, toolCall: {id: callId, name, input: args}, toolResultSeenByModel: toolResult?.text, resumeCarriedHistory};
}

function relativeToHome(path: string, home: string): string {
	return path.startsWith(home) ? `~${path.slice(home.length)}` : path;
}

function scanForSecrets(outDir: string, files: string[]): void {
	for (const file of [...files, 'manifest.json']) {
		const text = readFileSync(join(outDir, file)).toString('latin1');
		for (const pattern of SECRET_PATTERNS) {
			const match = pattern.exec(text);
			if (match) {
				throw new Error(`possible secret in ${file}: ${match[0].slice(0, 12)}…`);
			}
		}
	}
}

const requested = process.argv.slice(2).filter(argument => !argument.startsWith('--out='));
const tools = requested.length > 0 ? requested : [...TOOL_IDS];
const unknown = tools.filter(tool => !TOOL_IDS.includes(tool as ToolId));
if (unknown.length > 0) {
	console.error(`unknown tool(s): ${unknown.join(', ')} (known: ${TOOL_IDS.join(', ')})`);
	process.exit(2);
}

let failures = 0;
for (const tool of tools as ToolId[]) {
	try {
		// eslint-disable-next-line no-await-in-loop -- one CLI at a time keeps the recordings independent
		await recordTool(tool);
	} catch (error) {
		failures++;
		console.error(`${tool}: FAILED\n${error instanceof Error ? error.message : String(error)}`);
	}
}

process.exit(failures > 0 ? 1 : 0);
