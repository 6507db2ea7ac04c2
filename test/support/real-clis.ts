/**
 * The real coding-agent CLIs, pinned (test/support/cli-versions.json), installed into a cache directory outside
 * the project and run offline against the loopback model endpoint (test/support/model-endpoint.ts).
 *
 * What each CLI needs to run offline here (observed with the pinned versions; the only network is the npm registry):
 * - Claude Code: `ANTHROPIC_BASE_URL` + `ANTHROPIC_API_KEY`; `-p … --allowedTools Bash …` (as root it refuses
 *   `--dangerously-skip-permissions`); it probes `HEAD /api/hello` first, then streams `/v1/messages?beta=true`.
 *   `--output-format json` prints `session_id`. Sessions: `$CLAUDE_CONFIG_DIR/projects/<cwd with / and . → ->/<uuid>.jsonl`.
 * - Codex: ignores `OPENAI_BASE_URL`; needs `$CODEX_HOME/config.toml` with a stub `[model_providers.*]`
 *   (`wire_api = "responses"`). Reads stdin when it is not a TTY, so stdin must be closed. Warns (harmlessly) that
 *   it will not create helper binaries under /tmp. Sessions: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl`.
 * - Gemini CLI: `settings.json` `security.auth.selectedType = "gemini-api-key"`, `GEMINI_API_KEY`,
 *   `GOOGLE_GEMINI_BASE_URL`, `GEMINI_CLI_TRUST_WORKSPACE=true`, `--yolo`. Asks a JSON routing classifier first.
 *   Sessions: `~/.gemini/tmp/<project name>/chats/session-<date>-<id8>.jsonl` (project name from `~/.gemini/projects.json`).
 * - Copilot CLI: `COPILOT_OFFLINE=true` + `COPILOT_PROVIDER_*` (type anthropic → `/v1/messages`), `--allow-all-tools`.
 *   The npm loader only spawns a native binary that unpacks ~235 MB into `$XDG_CACHE_HOME/copilot/pkg` on first run,
 *   so that cache is shared (under the CLI cache dir) and the native binary is run directly.
 *   Sessions: `$COPILOT_HOME/session-state/<uuid>/events.jsonl` (+ `workspace.yaml`, index in `session-store.db`).
 * - Cline CLI: the provider `cline auth -p openai -k x -m gpt-4o -b <url>/v1` would save (`openai-compatible`) is
 *   written to `~/.cline/data/settings/providers.json` directly (the command idles ~6 s on telemetry DNS offline);
 *   `CLINE_SESSION_BACKEND_MODE=local`, else it starts a background hub daemon that outlives the run.
 *   `cline --id <id> "…"` always opens the TUI (needs a TTY and drops the prompt), so a non-interactive resume goes
 *   through ACP (`cline --acp`: initialize → session/load → session/prompt), which appends to the same session; ACP
 *   needs `CLINE_API_KEY`, `CLINE_PROVIDER`, `CLINE_MODEL`. Sessions: `~/.cline/data/sessions/<id>/<id>.json` (manifest)
 *   + `<id>.messages.json`, index in `~/.cline/data/db/sessions.db`.
 */
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {mkdtemp, mkdir, writeFile} from 'node:fs/promises';
import {homedir, tmpdir} from 'node:os';
import {dirname, join, relative, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';

export type ToolId = 'claude-code' | 'codex' | 'gemini' | 'copilot' | 'cline';
export const TOOL_IDS: readonly ToolId[] = ['claude-code', 'codex', 'gemini', 'copilot', 'cline'];

export type CliPin = {package: string; version: string; bin: string};

const here = dirname(fileURLToPath(import.meta.url));

export function cliPins(): Record<ToolId, CliPin> {
	return JSON.parse(readFileSync(join(here, 'cli-versions.json'), 'utf8')) as Record<ToolId, CliPin>;
}

/** `$SFS_TEST_CLI_CACHE`, default `~/.cache/sfs-test-clis` (outside the project: the CLIs weigh ~1.5 GB). */
export function cliCacheRoot(): string {
	return resolve(process.env.SFS_TEST_CLI_CACHE ?? join(homedir(), '.cache', 'sfs-test-clis'));
}

export function cliInstallDir(tool: ToolId): string {
	const pin = cliPins()[tool];
	return join(cliCacheRoot(), `${pin.package.replace('/', '+')}@${pin.version}`);
}

/** The executable to run: the platform binary where the npm shim would only spawn it (so timeouts kill the real process). */
export function cliBinaryPath(tool: ToolId): string {
	const bin = join(cliInstallDir(tool), 'node_modules', '.bin');
	if (tool === 'copilot') {
		const native = join(bin, `copilot-${process.platform}-${process.arch}`);
		if (existsSync(native)) {
			return native;
		}
	}

	return join(bin, cliPins()[tool].bin);
}

export function isCliInstalled(tool: ToolId): boolean {
	const dir = cliInstallDir(tool);
	return existsSync(join(dir, '.sfs-installed')) && existsSync(cliBinaryPath(tool));
}

/** Installs the pinned CLI into its cache dir unless it is already there. */
export async function installCli(tool: ToolId, log: (line: string) => void = () => {}): Promise<{dir: string; installed: boolean}> {
	const dir = cliInstallDir(tool);
	if (isCliInstalled(tool)) {
		return {dir, installed: false};
	}

	const pin = cliPins()[tool];
	mkdirSync(dir, {recursive: true});
	writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'sfs-test-cli', private: true}) + '\n');
	log(`installing ${pin.package}@${pin.version} into ${dir}`);
	// Install scripts must run: Claude Code and Cline link their native binaries in postinstall.
	await execa('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `${pin.package}@${pin.version}`], {cwd: dir, timeout: 600_000, stdin: 'ignore'});
	const version = await execa(cliBinaryPath(tool), ['--version'], {timeout: 60_000, reject: false, stdin: 'ignore', env: {HOME: join(dir, '.version-home')}});
	if (!`${version.stdout}${version.stderr}`.includes(pin.version)) {
		throw new Error(`${pin.package}@${pin.version} installed but --version printed: ${version.stdout}${version.stderr}`);
	}

	writeFileSync(join(dir, '.sfs-installed'), `${pin.version}\n`);
	return {dir, installed: true};
}

export async function ensureClis(tools: readonly ToolId[] = TOOL_IDS, log?: (line: string) => void): Promise<void> {
	for (const tool of tools) {
		// eslint-disable-next-line no-await-in-loop -- npm installs in the same cache would contend
		await installCli(tool, log);
	}
}

export type ToolHome = {
	tool: ToolId;
	/** Temp dir holding home/ (and whatever else the caller puts there). */
	root: string;
	/** The fake $HOME. */
	home: string;
	/** The tool's own root inside home: ~/.claude, ~/.codex, ~/.gemini, ~/.copilot, ~/.cline/data. */
	nativeRoot: string;
	/** Complete environment for the CLI (and for sfs when it must see the same home). */
	env: Record<string, string>;
	endpointUrl: string;
};

export type ToolHomeOptions = {
	endpointUrl: string;
	/** Where to create the home; default a fresh temp dir. Its `home/` subdir becomes $HOME. */
	root?: string;
	/** Folders to pre-trust (first-run prompts for interactive launches). */
	trustedDirs?: string[];
	/** Model name the CLI is told to use. */
	model?: string;
};

const DEFAULT_MODELS: Record<ToolId, string> = {
	'claude-code': 'claude-sonnet-4-5',
	codex: 'gpt-5.5',
	gemini: 'gemini-2.5-flash',
	copilot: 'claude-sonnet-4',
	cline: 'gpt-4o',
};

export function nativeRootOf(tool: ToolId, home: string): string {
	switch (tool) {
		case 'claude-code': {
			return join(home, '.claude');
		}

		case 'codex': {
			return join(home, '.codex');
		}

		case 'gemini': {
			return join(home, '.gemini');
		}

		case 'copilot': {
			return join(home, '.copilot');
		}

		case 'cline': {
			return join(home, '.cline', 'data');
		}
	}
}

/** Builds a temp HOME with the tool's config seeded for offline, prompt-free runs against `endpointUrl`. */
export async function createToolHome(tool: ToolId, options: ToolHomeOptions): Promise<ToolHome> {
	const root = options.root ?? await mkdtemp(join(tmpdir(), `sfs-${tool}-`));
	const home = join(root, 'home');
	const nativeRoot = nativeRootOf(tool, home);
	await mkdir(nativeRoot, {recursive: true});
	const model = options.model ?? DEFAULT_MODELS[tool];
	const trusted = options.trustedDirs ?? [];
	const url = options.endpointUrl.replace(/\/$/, '');
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
		HOME: home,
		USER: process.env.USER ?? 'root',
		LANG: 'C.UTF-8',
		TERM: 'dumb',
		NO_COLOR: '1',
		TMPDIR: process.env.TMPDIR ?? tmpdir(),
		XDG_CONFIG_HOME: join(home, '.config'),
		XDG_DATA_HOME: join(home, '.local', 'share'),
		XDG_STATE_HOME: join(home, '.local', 'state'),
		XDG_CACHE_HOME: join(home, '.cache'),
		GIT_CONFIG_NOSYSTEM: '1',
	};

	switch (tool) {
		case 'claude-code': {
			Object.assign(env, {
				CLAUDE_CONFIG_DIR: nativeRoot,
				ANTHROPIC_BASE_URL: url,
				ANTHROPIC_API_KEY: 'x',
				ANTHROPIC_MODEL: model,
				CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
				DISABLE_AUTOUPDATER: '1',
				DISABLE_TELEMETRY: '1',
			});
			// With CLAUDE_CONFIG_DIR set, the global config lives at $CLAUDE_CONFIG_DIR/.claude.json.
			const state = {
				hasCompletedOnboarding: true,
				theme: 'dark',
				customApiKeyResponses: {approved: ['x'], rejected: []},
				projects: Object.fromEntries(trusted.map(dir => [dir, {hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: []}])),
			};
			await writeFile(join(nativeRoot, '.claude.json'), JSON.stringify(state, null, 2));
			await writeFile(join(home, '.claude.json'), JSON.stringify(state, null, 2));
			break;
		}

		case 'codex': {
			Object.assign(env, {CODEX_HOME: nativeRoot, SFS_STUB_API_KEY: 'x'});
			const projects = trusted.map(dir => `\n[projects.${JSON.stringify(dir)}]\ntrust_level = "trusted"\n`).join('');
			await writeFile(join(nativeRoot, 'config.toml'), [
				`model = ${JSON.stringify(model)}`,
				'model_provider = "stub"',
				'check_for_update_on_startup = false',
				'',
				'[model_providers.stub]',
				'name = "stub"',
				`base_url = ${JSON.stringify(`${url}/v1`)}`,
				'env_key = "SFS_STUB_API_KEY"',
				'wire_api = "responses"',
				'',
				'[analytics]',
				'enabled = false',
				'',
				// What the interactive TUI records once its first-run nudges (screen reader, "Meet GPT-6 Sol"
				// model availability / migration prompt) are answered with "use existing model".
				'[tui]',
				'screen_reader_detection_done = true',
				'',
				'[tui.model_availability_nux]',
				'"gpt-6.1-sol" = 1',
				'',
				'[notice.model_migrations]',
				`${JSON.stringify(model)} = "gpt-6-sol"`,
				projects,
			].join('\n'));
			break;
		}

		case 'gemini': {
			Object.assign(env, {
				GEMINI_API_KEY: 'x',
				GOOGLE_GEMINI_BASE_URL: url,
				GEMINI_CLI_TRUST_WORKSPACE: 'true',
				GEMINI_MODEL: model,
				GEMINI_CLI_HOME: home,
			});
			await writeFile(join(nativeRoot, 'settings.json'), JSON.stringify({
				security: {auth: {selectedType: 'gemini-api-key'}, folderTrust: {enabled: false}},
				general: {disableAutoUpdate: true, disableUpdateNag: true},
				privacy: {usageStatisticsEnabled: false},
				telemetry: {enabled: false},
				ui: {hideTips: true, hideBanner: true},
			}, null, 2));
			if (trusted.length > 0) {
				await writeFile(join(nativeRoot, 'trustedFolders.json'), JSON.stringify(Object.fromEntries(trusted.map(dir => [dir, 'TRUST_FOLDER'])), null, 2));
			}

			break;
		}

		case 'copilot': {
			const sharedCache = join(cliCacheRoot(), 'xdg-cache-copilot');
			await mkdir(sharedCache, {recursive: true});
			Object.assign(env, {
				COPILOT_HOME: nativeRoot,
				COPILOT_OFFLINE: 'true',
				COPILOT_PROVIDER_BASE_URL: url,
				COPILOT_PROVIDER_TYPE: 'anthropic',
				COPILOT_PROVIDER_API_KEY: 'x',
				COPILOT_MODEL: model,
				COPILOT_AUTO_UPDATE: 'false',
				XDG_CACHE_HOME: sharedCache,
			});
			await writeFile(join(nativeRoot, 'config.json'), JSON.stringify({trusted_folders: trusted, banner: 'never'}, null, 2));
			break;
		}

		case 'cline': {
			Object.assign(env, {
				CLINE_SESSION_BACKEND_MODE: 'local',
				CLINE_NO_AUTO_UPDATE: '1',
				// Read by `cline --acp` (the non-interactive resume path) instead of an OAuth sign-in.
				CLINE_API_KEY: 'x',
				CLINE_PROVIDER: 'openai-compatible',
				CLINE_MODEL: model,
			});
			// Exactly what `cline auth -p openai -k x -m <model> -b <url>/v1` writes (3.0.65); written directly because
			// that command spends ~6 s waiting on its telemetry exporter's DNS lookup (otel.cline.bot) when offline.
			await mkdir(join(nativeRoot, 'settings'), {recursive: true});
			await writeFile(join(nativeRoot, 'settings', 'providers.json'), JSON.stringify({
				version: 1,
				lastUsedProvider: 'openai-compatible',
				modes: {},
				providers: {
					'openai-compatible': {
						settings: {provider: 'openai-compatible', apiKey: 'x', model, baseUrl: `${url}/v1`},
						updatedAt: new Date().toISOString(),
						tokenSource: 'manual',
					},
				},
			}, null, 2));
			break;
		}
	}

	return {tool, root, home, nativeRoot, env, endpointUrl: url};
}

/** Creates a git repo with one commit (Cline checkpoints and Copilot/Claude git context want a HEAD). */
export async function createGitRepo(dir: string, files: Record<string, string> = {'README.md': '# demo\n'}): Promise<string> {
	await mkdir(dir, {recursive: true});
	for (const [name, content] of Object.entries(files)) {
		// eslint-disable-next-line no-await-in-loop
		await mkdir(dirname(join(dir, name)), {recursive: true});
		// eslint-disable-next-line no-await-in-loop
		await writeFile(join(dir, name), content);
	}

	const git = async (...args: string[]) => execa('git', ['-c', 'user.name=sfs', '-c', 'user.email=sfs@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {cwd: dir, stdin: 'ignore', env: {GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z'}});
	await git('init', '-q');
	await git('add', '-A');
	await git('commit', '-q', '-m', 'init');
	return dir;
}

export type RunOptions = {
	home: ToolHome;
	cwd: string;
	prompt: string;
	/** Native session id to resume (continue) instead of starting a new session. */
	resumeId?: string;
	timeoutMs?: number;
};

export type RunResult = {
	tool: ToolId;
	command: string[];
	exitCode: number | undefined;
	timedOut: boolean;
	stdout: string;
	stderr: string;
	/** The native session the run wrote to (the resumed id, or the one that appeared). */
	sessionId: string | undefined;
	durationMs: number;
};

const DEFAULT_TIMEOUT = 120_000;

function argsFor(tool: ToolId, prompt: string, resumeId?: string): string[] {
	switch (tool) {
		case 'claude-code': {
			return ['-p', ...(resumeId ? ['--resume', resumeId] : []), prompt, '--allowedTools', 'Bash', 'Read', 'Write', 'Edit', '--output-format', 'json'];
		}

		case 'codex': {
			return ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', ...(resumeId ? ['resume', resumeId] : []), prompt];
		}

		case 'gemini': {
			return [...(resumeId ? ['--resume', resumeId] : []), '-p', prompt, '--yolo'];
		}

		case 'copilot': {
			return [...(resumeId ? ['--resume', resumeId] : []), '-p', prompt, '--allow-all-tools'];
		}

		case 'cline': {
			// Cline takes a prompt without whitespace for an unknown subcommand (and reads piped stdin only from a FIFO).
			return [/\s/.test(prompt) ? prompt : `${prompt} `];
		}
	}
}

/**
 * argv (binary first) for an interactive launch, e.g. in tmux with `home.env` and TERM set. Verified with the seeded
 * homes (trusted cwd): Claude Code, Gemini, Copilot and Codex open straight on their prompt. Codex needs `--no-daemon`,
 * else the TUI starts a managed app-server daemon (under $CODEX_HOME/packages/app-server-daemon) that outlives it; and
 * it takes typed text followed at once by Enter as a paste, so send Enter as a separate key.
 */
export function interactiveCommand(tool: ToolId, resumeId?: string): string[] {
	const bin = cliBinaryPath(tool);
	switch (tool) {
		case 'claude-code': {
			return [bin, ...(resumeId ? ['--resume', resumeId] : [])];
		}

		case 'codex': {
			return [bin, '--no-daemon', ...(resumeId ? ['resume', resumeId] : [])];
		}

		case 'gemini': {
			return [bin, ...(resumeId ? ['--resume', resumeId] : [])];
		}

		case 'copilot': {
			return [bin, ...(resumeId ? ['--resume', resumeId] : [])];
		}

		case 'cline': {
			return [bin, ...(resumeId ? ['--id', resumeId] : [])];
		}
	}
}

/** Runs one non-interactive turn of a real CLI (new session, or `resumeId` continued). */
export async function runTool(tool: ToolId, options: RunOptions): Promise<RunResult> {
	if (tool === 'cline' && options.resumeId) {
		return resumeClineViaAcp(options as RunOptions & {resumeId: string});
	}

	const before = new Set(listNativeSessionIds(tool, options.home.home));
	const command = [cliBinaryPath(tool), ...argsFor(tool, options.prompt, options.resumeId)];
	const started = Date.now();
	const result = await execa(command[0], command.slice(1), {
		cwd: options.cwd,
		env: options.home.env,
		extendEnv: false,
		stdin: 'ignore',
		timeout: options.timeoutMs ?? DEFAULT_TIMEOUT,
		forceKillAfterDelay: 2000,
		reject: false,
		stripFinalNewline: true,
	});
	const after = listNativeSessionIds(tool, options.home.home);
	const created = after.filter(id => !before.has(id));
	return {
		tool,
		command,
		exitCode: result.exitCode,
		timedOut: result.timedOut,
		stdout: String(result.stdout ?? ''),
		stderr: String(result.stderr ?? ''),
		sessionId: options.resumeId ?? (created.length === 1 ? created[0] : claudeSessionIdFromJson(tool, String(result.stdout ?? ''))),
		durationMs: Date.now() - started,
	};
}

function claudeSessionIdFromJson(tool: ToolId, stdout: string): string | undefined {
	if (tool !== 'claude-code') {
		return undefined;
	}

	try {
		const parsed = JSON.parse(stdout) as {session_id?: string};
		return parsed.session_id;
	} catch {
		return undefined;
	}
}

export const runClaude = async (options: RunOptions) => runTool('claude-code', options);
export const runCodex = async (options: RunOptions) => runTool('codex', options);
export const runGemini = async (options: RunOptions) => runTool('gemini', options);
export const runCopilot = async (options: RunOptions) => runTool('copilot', options);
export const runCline = async (options: RunOptions) => runTool('cline', options);

/**
 * Continues the native session `id` with one more prompt, non-interactively:
 * `claude -p --resume <id>`, `codex exec resume <id>`, `gemini --resume <id> -p`, `copilot --resume <id> -p`,
 * Cline through ACP session/load + session/prompt.
 */
export async function resumeTool(tool: ToolId, options: {home: ToolHome; cwd: string; id: string; prompt: string; timeoutMs?: number}): Promise<RunResult> {
	return runTool(tool, {home: options.home, cwd: options.cwd, prompt: options.prompt, resumeId: options.id, timeoutMs: options.timeoutMs});
}

/** `cline --id` insists on a TTY, so resume over the Agent Client Protocol (JSON-RPC lines on stdio). */
async function resumeClineViaAcp(options: RunOptions & {resumeId: string}): Promise<RunResult> {
	const command = [cliBinaryPath('cline'), '--acp', '--auto-approve', 'true'];
	const started = Date.now();
	const child = spawn(command[0], command.slice(1), {cwd: options.cwd, env: options.home.env, stdio: ['pipe', 'pipe', 'pipe']});
	let stderr = '';
	const transcript: string[] = [];
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	let nextId = 1;
	const pending = new Map<number, {resolve: (value: unknown) => void; reject: (error: Error) => void}>();
	const send = (message: Record<string, unknown>) => {
		child.stdin.write(JSON.stringify({jsonrpc: '2.0', ...message}) + '\n');
	};

	const request = async (method: string, params: unknown) => new Promise<unknown>((resolvePromise, rejectPromise) => {
		const id = nextId++;
		pending.set(id, {resolve: resolvePromise, reject: rejectPromise});
		send({id, method, params});
	});
	createInterface({input: child.stdout}).on('line', line => {
		let message: {id?: number; method?: string; params?: any; result?: unknown; error?: {message?: string}};
		try {
			message = JSON.parse(line) as typeof message;
		} catch {
			return;
		}

		if (message.method === undefined && message.id !== undefined && pending.has(message.id)) {
			const waiter = pending.get(message.id)!;
			pending.delete(message.id);
			if (message.error) {
				waiter.reject(new Error(message.error.message ?? JSON.stringify(message.error)));
			} else {
				waiter.resolve(message.result);
			}

			return;
		}

		if (message.method === 'session/update') {
			const update = message.params?.update as {sessionUpdate?: string; content?: {text?: string}} | undefined;
			if (update?.content?.text) {
				transcript.push(`${update.sessionUpdate}: ${update.content.text}`);
			}
		} else if (message.method === 'session/request_permission' && message.id !== undefined) {
			const choices = (message.params?.options ?? []) as Array<{optionId: string; kind?: string}>;
			const allow = choices.find(option => option.kind?.startsWith('allow')) ?? choices[0];
			send({id: message.id, result: {outcome: allow ? {outcome: 'selected', optionId: allow.optionId} : {outcome: 'cancelled'}}});
		} else if (message.method !== undefined && message.id !== undefined) {
			send({id: message.id, error: {code: -32_601, message: `unsupported: ${message.method}`}});
		}
	});
	const exited = new Promise<number | undefined>(resolveExit => {
		child.once('exit', code => {
			resolveExit(code ?? undefined);
			for (const waiter of pending.values()) {
				waiter.reject(new Error(`cline --acp exited (${code}) before answering`));
			}
		});
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGKILL');
	}, options.timeoutMs ?? DEFAULT_TIMEOUT);
	let exitCode: number | undefined = 0;
	try {
		await request('initialize', {protocolVersion: 1, clientCapabilities: {fs: {readTextFile: false, writeTextFile: false}, terminal: false}});
		await request('session/load', {sessionId: options.resumeId, cwd: options.cwd, mcpServers: []});
		transcript.length = 0; // Drop the replayed history; keep this turn's output only.
		const result = await request('session/prompt', {sessionId: options.resumeId, prompt: [{type: 'text', text: options.prompt}]}) as {stopReason?: string};
		transcript.push(`stopReason: ${result?.stopReason ?? '?'}`);
	} catch (error) {
		exitCode = 1;
		stderr += `\n${String(error)}`;
	} finally {
		clearTimeout(timer);
		child.stdin.end();
		child.kill('SIGTERM');
		const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
		await exited;
		clearTimeout(killTimer);
	}

	return {tool: 'cline', command, exitCode: timedOut ? undefined : exitCode, timedOut, stdout: transcript.join('\n'), stderr, sessionId: options.resumeId, durationMs: Date.now() - started};
}

function safeReaddir(dir: string): string[] {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
}

function walkFiles(dir: string): string[] {
	const out: string[] = [];
	for (const name of safeReaddir(dir)) {
		const full = join(dir, name);
		try {
			if (statSync(full).isDirectory()) {
				out.push(...walkFiles(full));
			} else {
				out.push(full);
			}
		} catch {}
	}

	return out;
}

const UUID = /[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}/;

/** Native session ids present under a home (how each tool names its sessions on disk). */
export function listNativeSessionIds(tool: ToolId, home: string): string[] {
	const root = nativeRootOf(tool, home);
	switch (tool) {
		case 'claude-code': {
			return safeReaddir(join(root, 'projects')).flatMap(project => safeReaddir(join(root, 'projects', project)).filter(name => name.endsWith('.jsonl')).map(name => name.slice(0, -'.jsonl'.length)));
		}

		case 'codex': {
			return walkFiles(join(root, 'sessions')).map(file => /rollout-.*?([\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12})\.jsonl$/.exec(file)?.[1]).filter((id): id is string => Boolean(id));
		}

		case 'gemini': {
			return walkFiles(join(root, 'tmp')).filter(file => /\/chats\/session-[^/]+\.jsonl?$/.test(file)).map(file => geminiSessionId(file)).filter((id): id is string => Boolean(id));
		}

		case 'copilot': {
			return safeReaddir(join(root, 'session-state')).filter(name => UUID.test(name) && existsSync(join(root, 'session-state', name, 'events.jsonl')));
		}

		case 'cline': {
			return safeReaddir(join(root, 'sessions')).filter(name => existsSync(join(root, 'sessions', name, `${name}.json`)));
		}
	}
}

function geminiSessionId(file: string): string | undefined {
	try {
		const firstLine = readFileSync(file, 'utf8').split('\n', 1)[0];
		const parsed = JSON.parse(firstLine) as {sessionId?: string};
		return parsed.sessionId;
	} catch {
		return undefined;
	}
}

/** The native files that make up session `id`, as absolute paths (locks and caches left out). */
export function nativeSessionFiles(tool: ToolId, home: string, id: string): string[] {
	const root = nativeRootOf(tool, home);
	switch (tool) {
		case 'claude-code': {
			return walkFiles(join(root, 'projects')).filter(file => file.endsWith(`/${id}.jsonl`) || file.includes(`/${id}/`));
		}

		case 'codex': {
			return walkFiles(join(root, 'sessions')).filter(file => file.endsWith(`${id}.jsonl`));
		}

		case 'gemini': {
			const chats = walkFiles(join(root, 'tmp')).filter(file => /\/chats\/session-[^/]+\.jsonl?$/.test(file) && geminiSessionId(file) === id);
			const extra = [join(root, 'projects.json')].filter(file => existsSync(file));
			const markers = chats.map(file => join(dirname(dirname(file)), '.project_root')).filter(file => existsSync(file));
			return [...new Set([...chats, ...markers, ...extra])];
		}

		case 'copilot': {
			return walkFiles(join(root, 'session-state', id)).filter(file => !file.endsWith('.lock') && !file.includes('/rewind-file-snapshots/'));
		}

		case 'cline': {
			return walkFiles(join(root, 'sessions', id));
		}
	}
}

/** Path of a native file relative to the tool's root (the layout kept in test/fixtures/recorded/<tool>/). */
export function relativeToNativeRoot(tool: ToolId, home: string, file: string): string {
	return relative(nativeRootOf(tool, home), file);
}
