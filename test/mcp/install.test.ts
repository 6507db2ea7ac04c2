/**
 * `sfs mcp install|uninstall` for every tool's own config format, against temp homes: fresh file,
 * existing file with other servers and keys, stale sfs entry, malformed file, idempotence, uninstall.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {type Change, install, toolsFor, uninstall} from '../../source/mcp/install.js';
import {type InstallTool, type Place, TARGETS} from '../../source/mcp/install-targets.js';

const SERVER = {command: '/opt/node/bin/node', args: ['/opt/sfs/dist/cli.js', 'mcp', 'serve']};
const OLD_SERVER = {command: '/usr/local/bin/node', args: ['/old/sfs/dist/cli.js', 'mcp', 'serve']};
const NOW = new Date('2026-11-25T17:00:00Z');

let root: string;
let place: Place;

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-mcp-install-'));
	const home = path.join(root, 'home');
	fs.mkdirSync(home);
	const project = path.join(root, 'project');
	fs.mkdirSync(project);
	place = {
		cwd: project,
		platform: 'linux',
		env: {HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex'), COPILOT_HOME: path.join(home, '.copilot'), GEMINI_CLI_HOME: home},
	};
});

afterEach(() => fs.rmSync(root, {recursive: true, force: true}));

const run = (tool: InstallTool, options: {server?: typeof SERVER; scope?: 'user' | 'project'; now?: Date} = {}) =>
	install([tool], {scope: options.scope ?? 'user', place, server: options.server ?? SERVER, now: options.now ?? NOW});
const remove = (tool: InstallTool, scope: 'user' | 'project' = 'user') => uninstall([tool], {scope, place, now: new Date('2026-11-25T18:00:00Z')});
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
const fileOf = (tool: InstallTool, scope: 'user' | 'project' = 'user') => TARGETS[tool].files(scope, place)[0]!;
const backups = (file: string) => fs.readdirSync(path.dirname(file)).filter(name => name.startsWith(`${path.basename(file)}.sfs-backup-`));

/** Where each JSON tool keeps its servers, and the entry it expects. */
const JSON_TOOLS: Array<{tool: InstallTool; key: string; entry: Record<string, unknown>; file: (home: string) => string}> = [
	{tool: 'claude-code', key: 'mcpServers', entry: {type: 'stdio', ...SERVER, env: {}}, file: home => path.join(home, '.claude', '.claude.json')},
	{tool: 'gemini', key: 'mcpServers', entry: {...SERVER}, file: home => path.join(home, '.gemini', 'settings.json')},
	{tool: 'copilot', key: 'mcpServers', entry: {type: 'local', ...SERVER, tools: ['*']}, file: home => path.join(home, '.copilot', 'mcp-config.json')},
	{tool: 'cursor', key: 'mcpServers', entry: {...SERVER}, file: home => path.join(home, '.cursor', 'mcp.json')},
	{tool: 'amp', key: 'amp.mcpServers', entry: {...SERVER}, file: home => path.join(home, '.config', 'amp', 'settings.json')},
	{tool: 'cline', key: 'mcpServers', entry: {...SERVER, disabled: false}, file: home => path.join(home, '.config', 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json')},
	{tool: 'roo-code', key: 'mcpServers', entry: {...SERVER, disabled: false}, file: home => path.join(home, '.config', 'Code', 'User', 'globalStorage', 'rooveterinaryinc.roo-cline', 'settings', 'mcp_settings.json')},
];

describe.each(JSON_TOOLS.map(spec => [spec.tool, spec] as const))('%s (JSON)', (tool, spec) => {
	test('the file is where the tool reads it', () => {
		expect(fileOf(tool)).toBe(spec.file(place.env.HOME!));
	});

	test('fresh: creates the file with only the sfs entry, private, no backup', () => {
		const [change] = run(tool);
		expect(change).toEqual({tool, file: spec.file(place.env.HOME!), action: 'added', pinned: {}});
		expect(readJson(change!.file)).toEqual({[spec.key]: {sfs: spec.entry}});
		expect(fs.statSync(change!.file).mode & 0o777).toBe(0o600);
	});

	test('existing: other servers and keys kept, indentation kept, backup of the original', () => {
		const file = fileOf(tool);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const original = {theme: 'dark', [spec.key]: {github: {command: 'gh-mcp', args: ['--x']}}, nested: {keep: [1, 2, 3]}};
		const text = `${JSON.stringify(original, null, '\t')}\n`;
		fs.writeFileSync(file, text, {mode: 0o644});
		const [change] = run(tool);
		expect(change!.action).toBe('added');
		expect(fs.readFileSync(change!.backup!, 'utf8')).toBe(text);
		const after = readJson(file);
		expect(after).toEqual({...original, [spec.key]: {...(original[spec.key] as object), sfs: spec.entry}});
		expect(fs.readFileSync(file, 'utf8')).toContain('\n\t"theme"');
		expect(fs.statSync(file).mode & 0o777).toBe(0o644);
	});

	test('idempotent: a second run changes nothing and makes no backup', () => {
		run(tool);
		const file = fileOf(tool);
		const before = fs.readFileSync(file, 'utf8');
		const mtime = fs.statSync(file).mtimeMs;
		expect(run(tool, {now: new Date('2026-11-25T17:05:00Z')})).toEqual([{tool, file, action: 'unchanged', pinned: {}}]);
		expect(fs.readFileSync(file, 'utf8')).toBe(before);
		expect(fs.statSync(file).mtimeMs).toBe(mtime);
		expect(backups(file)).toEqual([]);
	});

	test('stale: an sfs entry with old paths is repaired; keys the user added to it are kept', () => {
		run(tool, {server: OLD_SERVER});
		const file = fileOf(tool);
		const data = readJson(file);
		data[spec.key].sfs.env = {SFS_DEBUG: '1'};
		data[spec.key].other = {command: 'x'};
		fs.writeFileSync(file, JSON.stringify(data));
		const [change] = run(tool);
		expect(change!.action).toBe('repaired');
		expect(change!.backup).toBeDefined();
		const after = readJson(file);
		expect(after[spec.key].sfs).toEqual({...spec.entry, env: {SFS_DEBUG: '1'}});
		expect(after[spec.key].other).toEqual({command: 'x'});
		expect(run(tool)[0]!.action).toBe('unchanged');
	});

	test('malformed: reported, the file left byte for byte, no backup', () => {
		const file = fileOf(tool);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		for (const bad of ['{"mcpServers": {', '[1, 2]', `{"${spec.key}": [1]}`]) {
			fs.writeFileSync(file, bad);
			const [change] = run(tool);
			expect(change!.action).toBe('failed');
			expect(change!.error).toMatch(/left as it was/);
			expect(fs.readFileSync(file, 'utf8')).toBe(bad);
			expect(backups(file)).toEqual([]);
			expect(remove(tool)[0]!.action).toBe('failed');
			expect(fs.readFileSync(file, 'utf8')).toBe(bad);
		}
	});

	test('uninstall: removes only the sfs entry (with a backup); a second uninstall finds nothing', () => {
		const file = fileOf(tool);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, JSON.stringify({keep: true, [spec.key]: {github: {command: 'gh'}}}));
		run(tool);
		const [change] = remove(tool);
		expect(change!.action).toBe('removed');
		expect(readJson(change!.backup!)[spec.key].sfs).toEqual(spec.entry);
		expect(readJson(file)).toEqual({keep: true, [spec.key]: {github: {command: 'gh'}}});
		expect(remove(tool)[0]!.action).toBe('absent');
	});
});

describe.each(JSON_TOOLS.map(spec => [spec.tool, spec] as const))('%s (JSON): the store pinned in the entry', (tool, spec) => {
	const withEnv = (env: Record<string, string>) => ({...spec.entry, env});

	test('a custom store is pinned in env; a second run changes nothing', () => {
		const store = path.join(root, 'my store');
		place.env.SFS_HOME = store;
		const [change] = run(tool);
		expect(change).toMatchObject({action: 'added', pinned: {SFS_HOME: store}});
		expect(readJson(change!.file)[spec.key].sfs).toEqual(withEnv({SFS_HOME: store}));
		expect(run(tool, {now: new Date('2026-11-25T17:05:00Z')})[0]!.action).toBe('unchanged');
		expect(backups(change!.file)).toEqual([]);
	});

	test('XDG dirs moved: both pinned', () => {
		place.env.XDG_DATA_HOME = '/xdg/data';
		place.env.XDG_CONFIG_HOME = '/xdg/config';
		const [change] = run(tool);
		expect(change!.pinned).toEqual({XDG_DATA_HOME: '/xdg/data', XDG_CONFIG_HOME: '/xdg/config'});
		expect(readJson(change!.file)[spec.key].sfs.env).toEqual({XDG_DATA_HOME: '/xdg/data', XDG_CONFIG_HOME: '/xdg/config'});
	});

	test('an entry without the store, or with another, is stale; the user\'s own env kept; a default shell unpins', () => {
		run(tool);
		const file = fileOf(tool);
		const data = readJson(file);
		data[spec.key].sfs.env = {SFS_DEBUG: '1'};
		fs.writeFileSync(file, JSON.stringify(data));
		place.env.SFS_HOME = '/stores/old';
		expect(run(tool)[0]!.action).toBe('repaired');
		expect(readJson(file)[spec.key].sfs).toEqual(withEnv({SFS_DEBUG: '1', SFS_HOME: '/stores/old'}));
		place.env.SFS_HOME = '/stores/new';
		const [moved] = run(tool, {now: new Date('2026-11-25T17:10:00Z')});
		expect(moved!.action).toBe('repaired');
		expect(readJson(moved!.backup!)[spec.key].sfs.env).toEqual({SFS_DEBUG: '1', SFS_HOME: '/stores/old'});
		expect(readJson(file)[spec.key].sfs).toEqual(withEnv({SFS_DEBUG: '1', SFS_HOME: '/stores/new'}));
		expect(run(tool)[0]!.action).toBe('unchanged');
		delete place.env.SFS_HOME;
		expect(run(tool, {now: new Date('2026-11-25T17:20:00Z')})[0]!.action).toBe('repaired');
		expect(readJson(file)[spec.key].sfs).toEqual(withEnv({SFS_DEBUG: '1'}));
		// What an earlier install pinned, and nothing of the user's: the entry goes back to its default shape.
		const pinnedOnly = readJson(file);
		pinnedOnly[spec.key].sfs.env = {SFS_HOME: '/stores/new', CODEX_HOME: '/old-codex'};
		fs.writeFileSync(file, JSON.stringify(pinnedOnly));
		expect(run(tool, {now: new Date('2026-11-25T17:30:00Z')})[0]!.action).toBe('repaired');
		expect(readJson(file)[spec.key].sfs).toEqual(spec.entry);
		expect(run(tool)[0]!.action).toBe('unchanged');
	});

	test('uninstall removes a pinned entry whole', () => {
		place.env.SFS_HOME = '/stores/mine';
		run(tool);
		expect(remove(tool)[0]!.action).toBe('removed');
		expect(readJson(fileOf(tool))[spec.key]).toEqual({});
	});
});

describe('paths per scope and environment', () => {
	test('project scope writes the project files; Cline has none', () => {
		const project = place.cwd;
		expect(run('claude-code', {scope: 'project'})[0]!.file).toBe(path.join(project, '.mcp.json'));
		expect(run('gemini', {scope: 'project'})[0]!.file).toBe(path.join(project, '.gemini', 'settings.json'));
		expect(run('cursor', {scope: 'project'})[0]!.file).toBe(path.join(project, '.cursor', 'mcp.json'));
		expect(run('amp', {scope: 'project'})[0]!.file).toBe(path.join(project, '.amp', 'settings.json'));
		expect(run('roo-code', {scope: 'project'})[0]!.file).toBe(path.join(project, '.roo', 'mcp.json'));
		expect(run('codex', {scope: 'project'})[0]!.file).toBe(path.join(project, '.codex', 'config.toml'));
		// Copilot CLI reads the same .mcp.json as Claude Code, and the same entry: the second tool finds it right.
		expect(run('copilot', {scope: 'project'})).toEqual([{tool: 'copilot', file: path.join(project, '.mcp.json'), action: 'unchanged', pinned: {}}]);
		expect(() => run('cline', {scope: 'project'})).toThrow(/Cline has no project-scope/);
		const all = install(toolsFor('all'), {scope: 'project', place, server: SERVER});
		expect(all.filter(change => change.action === 'failed').map(change => change.tool)).toEqual(['cline']);
	});

	test('project scope with a custom store: Claude Code and Copilot still agree on the shared .mcp.json entry', () => {
		place.env.SFS_HOME = '/stores/mine';
		expect(run('claude-code', {scope: 'project'})[0]!.action).toBe('added');
		expect(run('copilot', {scope: 'project'})[0]!.action).toBe('unchanged');
		expect(readJson(path.join(place.cwd, '.mcp.json')).mcpServers.sfs).toEqual({type: 'stdio', ...SERVER, env: {SFS_HOME: '/stores/mine'}});
	});

	test('without CLAUDE_CONFIG_DIR Claude Code user scope is ~/.claude.json', () => {
		delete place.env.CLAUDE_CONFIG_DIR;
		expect(fileOf('claude-code')).toBe(path.join(place.env.HOME!, '.claude.json'));
	});

	test('Cline and Roo Code: every editor that has the extension; the Cline CLI when installed', () => {
		const config = place.env.XDG_CONFIG_HOME!;
		for (const editor of ['Cursor', 'VSCodium']) fs.mkdirSync(path.join(config, editor, 'User', 'globalStorage', 'saoudrizwan.claude-dev'), {recursive: true});
		fs.mkdirSync(path.join(place.env.HOME!, '.cline', 'data'), {recursive: true});
		const changes = run('cline');
		expect(changes.map(change => change.file)).toEqual([
			path.join(config, 'VSCodium', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
			path.join(config, 'Cursor', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
			path.join(place.env.HOME!, '.cline', 'data', 'settings', 'cline_mcp_settings.json'),
		]);
		for (const change of changes) expect(readJson(change.file).mcpServers.sfs).toEqual({...SERVER, disabled: false});
	});

	test('Amp: settings.jsonc when only that exists (comments make it malformed for a JSON writer: left alone)', () => {
		const dir = path.join(place.env.XDG_CONFIG_HOME!, 'amp');
		fs.mkdirSync(dir, {recursive: true});
		fs.writeFileSync(path.join(dir, 'settings.jsonc'), '{\n  // mine\n  "amp.notifications.enabled": false\n}\n');
		const [change] = run('amp');
		expect(change!.file).toBe(path.join(dir, 'settings.jsonc'));
		expect(change!.action).toBe('failed');
		expect(change!.error).toMatch(/has comments, and rewriting it would drop them; left as it was \(add under "amp\.mcpServers": "sfs": \{"command":"\/opt\/node\/bin\/node"/);
		expect(fs.readFileSync(path.join(dir, 'settings.jsonc'), 'utf8')).toContain('// mine');
		fs.writeFileSync(path.join(dir, 'settings.jsonc'), '{"amp.notifications.enabled": false}');
		expect(run('amp')[0]!.action).toBe('added');
		expect(readJson(path.join(dir, 'settings.jsonc'))).toEqual({'amp.notifications.enabled': false, 'amp.mcpServers': {sfs: SERVER}});
	});

	test('--for parsing', () => {
		expect(toolsFor('all')).toHaveLength(8);
		expect(toolsFor('codex, cursor')).toEqual(['codex', 'cursor']);
		expect(() => toolsFor('vim')).toThrow(/unknown tool "vim"/);
	});

	test('a symlinked config stays a link; the target is updated', () => {
		const real = path.join(root, 'dotfiles', 'mcp.json');
		fs.mkdirSync(path.dirname(real), {recursive: true});
		fs.writeFileSync(real, '{"mcpServers": {}}');
		const link = fileOf('cursor');
		fs.mkdirSync(path.dirname(link), {recursive: true});
		fs.symlinkSync(real, link);
		expect(run('cursor')[0]!.action).toBe('added');
		expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
		expect(readJson(real).mcpServers.sfs).toEqual(SERVER);
	});
});

describe('codex (TOML)', () => {
	const file = () => fileOf('codex');
	const write = (text: string) => {
		fs.mkdirSync(path.dirname(file()), {recursive: true});
		fs.writeFileSync(file(), text);
	};

	const read = () => fs.readFileSync(file(), 'utf8');
	const BLOCK = '[mcp_servers.sfs]\ncommand = "/opt/node/bin/node"\nargs = ["/opt/sfs/dist/cli.js", "mcp", "serve"]\n';

	test('fresh', () => {
		expect(run('codex')).toEqual([{tool: 'codex', file: file(), action: 'added', pinned: {}}]);
		expect(read()).toBe(BLOCK);
	});

	test('existing: the rest of the file is kept byte for byte; uninstall restores it exactly', () => {
		const original = [
			'# my codex config',
			'model = "gpt-5.5"',
			'notify = ["bash", "-c", "echo [done]"]',
			'',
			'[mcp_servers.github]',
			'command = "gh-mcp"',
			'args = [',
			'  "--read-only",',
			'  "[mcp_servers.sfs]",',
			']',
			'',
			'[profiles.fast]',
			'model = "gpt-5-mini"',
			'instructions = """',
			'[mcp_servers.sfs]',
			'not a table: inside a string',
			'"""',
			'',
		].join('\n');
		write(original);
		const [change] = run('codex');
		expect(change!.action).toBe('added');
		expect(fs.readFileSync(change!.backup!, 'utf8')).toBe(original);
		expect(read()).toBe(`${original}\n${BLOCK}`);
		expect(run('codex')[0]!.action).toBe('unchanged');
		expect(backups(file())).toHaveLength(1);
		expect(remove('codex')[0]!.action).toBe('removed');
		expect(read()).toBe(original);
	});

	test('stale: command and args replaced in place; other keys and sub-tables of the entry kept', () => {
		write(['[mcp_servers.sfs]', 'args = [', '  "/old/sfs/dist/cli.js",', '  "mcp",', '  "serve",', ']', 'command = "/usr/local/bin/node"', 'startup_timeout_sec = 20', '', '[mcp_servers.sfs.env]', 'SFS_DEBUG = "1"', '', '[tui]', 'theme = "x"', ''].join('\n'));
		const [change] = run('codex');
		expect(change!.action).toBe('repaired');
		expect(read()).toBe(['[mcp_servers.sfs]', 'command = "/opt/node/bin/node"', 'args = ["/opt/sfs/dist/cli.js", "mcp", "serve"]', 'startup_timeout_sec = 20', '', '[mcp_servers.sfs.env]', 'SFS_DEBUG = "1"', '', '[tui]', 'theme = "x"', ''].join('\n'));
		expect(run('codex')[0]!.action).toBe('unchanged');
		remove('codex');
		expect(read()).toBe('[tui]\ntheme = "x"\n');
	});

	test('quoted table names are the same table', () => {
		write('[mcp_servers."sfs"]\ncommand = "/old"\n');
		expect(run('codex')[0]!.action).toBe('repaired');
		expect(read()).toBe('[mcp_servers."sfs"]\ncommand = "/opt/node/bin/node"\nargs = ["/opt/sfs/dist/cli.js", "mcp", "serve"]\n');
	});

	test('malformed or unsupported forms: reported, file untouched, no backup', () => {
		const cases: Array<[string, RegExp]> = [
			['model = "x"\nthis is not toml\n', /line 2: expected key = value/],
			['description = """never closed\n', /unterminated multi-line string/],
			['args = [\n"a",\n', /unterminated array/],
			['[mcp_servers.sfs]\ncommand = "a"\n[mcp_servers.sfs]\ncommand = "b"\n', /defined twice/],
			['[mcp_servers\ncommand = "a"\n', /unreadable table header/],
			['mcp_servers.sfs = {command = "/old"}\n', /dotted keys or an inline table/],
			['[mcp_servers]\nsfs = {command = "/old"}\n', /dotted keys or an inline table/],
			['key = "unterminated\n', /unreadable value/],
		];
		for (const [text, why] of cases) {
			write(text);
			const [change] = run('codex');
			expect(change!.action, text).toBe('failed');
			expect(change!.error, text).toMatch(why);
			expect(read()).toBe(text);
			expect(backups(file())).toEqual([]);
		}
	});

	const ENV_BLOCK = (env: Record<string, string>) => `\n[mcp_servers.sfs.env]\n${Object.entries(env).map(([name, value]) => `${name} = ${JSON.stringify(value)}`).join('\n')}\n`;

	test('a custom store: pinned in [mcp_servers.sfs.env] (as `codex mcp add --env` writes it); idempotent; uninstall removes it all', () => {
		place.env.SFS_HOME = '/stores/mine';
		place.env.CODEX_HOME = path.join(root, 'codex home');
		write('model = "gpt-5.5"\n');
		const [change] = run('codex');
		expect(change).toMatchObject({action: 'added', pinned: {SFS_HOME: '/stores/mine', CODEX_HOME: path.join(root, 'codex home')}});
		expect(read()).toBe(`model = "gpt-5.5"\n\n${BLOCK}${ENV_BLOCK({SFS_HOME: '/stores/mine', CODEX_HOME: path.join(root, 'codex home')})}`);
		expect(run('codex')[0]!.action).toBe('unchanged');
		expect(remove('codex')[0]!.action).toBe('removed');
		expect(read()).toBe('model = "gpt-5.5"\n');
	});

	test('an entry without env gets its table right after it, before the next table', () => {
		write(`${BLOCK}startup_timeout_sec = 20\n\n# the UI\n[tui]\ntheme = "x"\n`);
		place.env.XDG_DATA_HOME = '/xdg/data';
		place.env.XDG_CONFIG_HOME = '/xdg/config';
		expect(run('codex')[0]!.action).toBe('repaired');
		expect(read()).toBe(`${BLOCK}startup_timeout_sec = 20\n${ENV_BLOCK({XDG_CONFIG_HOME: '/xdg/config', XDG_DATA_HOME: '/xdg/data'})}\n# the UI\n[tui]\ntheme = "x"\n`);
		expect(run('codex')[0]!.action).toBe('unchanged');
	});

	test('another store is repaired, the user\'s variables kept; a default shell unpins, dropping a table left empty', () => {
		write(`${BLOCK}\n[mcp_servers.sfs.env]\nSFS_DEBUG = "1"\nSFS_HOME = "/stores/old" # moved since\n\n[tui]\ntheme = "x"\n`);
		place.env.SFS_HOME = '/stores/new';
		const [change] = run('codex');
		expect(change!.action).toBe('repaired');
		expect(fs.readFileSync(change!.backup!, 'utf8')).toContain('SFS_HOME = "/stores/old"');
		expect(read()).toBe(`${BLOCK}\n[mcp_servers.sfs.env]\nSFS_HOME = "/stores/new"\nSFS_DEBUG = "1"\n\n[tui]\ntheme = "x"\n`);
		expect(run('codex')[0]!.action).toBe('unchanged');
		delete place.env.SFS_HOME;
		expect(run('codex')[0]!.action).toBe('repaired');
		expect(read()).toBe(`${BLOCK}\n[mcp_servers.sfs.env]\nSFS_DEBUG = "1"\n\n[tui]\ntheme = "x"\n`);
		write(`${BLOCK}\n[mcp_servers.sfs.env]\nSFS_HOME = "/stores/old"\n\n[tui]\ntheme = "x"\n`);
		expect(run('codex')[0]!.action).toBe('repaired');
		expect(read()).toBe(`${BLOCK}\n[tui]\ntheme = "x"\n`);
	});

	test('a pinned value already right in another TOML spelling is left alone; paths with # and quotes round-trip', () => {
		place.env.SFS_HOME = '/stores/mine';
		const literal = `${BLOCK}\n[mcp_servers.sfs.env]\nSFS_HOME = '/stores/mine'\n`;
		write(literal);
		expect(run('codex')[0]!.action).toBe('unchanged');
		expect(read()).toBe(literal);
		fs.rmSync(file());
		place.env.SFS_HOME = '/stores/a #1 "quoted" \\ dir';
		expect(run('codex')[0]!.action).toBe('added');
		expect(read()).toContain('SFS_HOME = "/stores/a #1 \\"quoted\\" \\\\ dir"');
		expect(run('codex')[0]!.action).toBe('unchanged');
	});

	test('an inline env table is not rewritten: reported, file untouched', () => {
		const text = `[mcp_servers.sfs]\ncommand = "/old"\nenv = { SFS_HOME = "/stores/old" }\n`;
		write(text);
		place.env.SFS_HOME = '/stores/new';
		const [change] = run('codex');
		expect(change!.action).toBe('failed');
		expect(change!.error).toMatch(/mcp_servers\.sfs\.env with dotted keys or an inline table; left as it was/);
		expect(read()).toBe(text);
		expect(backups(file())).toEqual([]);
	});

	test('an inline env of the user\'s own (Codex\'s docs write env = {…}) does not fail a default install, which pins nothing', () => {
		const text = `[mcp_servers.sfs]\ncommand = "/old"\nargs = ["/old/cli.js", "mcp", "serve"]\nenv = { API_KEY = "x" }\n`;
		write(text);
		const [change] = run('codex');
		expect(change!.action).toBe('repaired');
		expect(read()).toBe(`[mcp_servers.sfs]\ncommand = "/opt/node/bin/node"\nargs = ["/opt/sfs/dist/cli.js", "mcp", "serve"]\nenv = { API_KEY = "x" }\n`);
		expect(run('codex')[0]!.action).toBe('unchanged');
		// An inline env naming a variable install owns may pin another store: still refused, untouched.
		const stale = `${BLOCK}env = { SFS_HOME = "/stores/old" }\n`;
		write(stale);
		expect(run('codex')[0]!.action).toBe('failed');
		expect(read()).toBe(stale);
	});

	test('TOML escapes in paths', () => {
		run('codex', {server: {command: 'C:\\Program Files\\node.exe', args: ['/a "quoted"/cli.js', 'mcp', 'serve']}});
		expect(read()).toContain('command = "C:\\\\Program Files\\\\node.exe"');
		expect(read()).toContain('args = ["/a \\"quoted\\"/cli.js", "mcp", "serve"]');
	});
});

test('install --for all touches every tool once (two per editor extension when installed)', () => {
	const changes: Change[] = install(toolsFor('all'), {scope: 'user', place, server: SERVER});
	expect(changes.map(change => [change.tool, change.action])).toEqual(toolsFor('all').map(tool => [tool, 'added']));
	expect(install(toolsFor('all'), {scope: 'user', place, server: SERVER}).every(change => change.action === 'unchanged')).toBe(true);
	expect(uninstall(toolsFor('all'), {scope: 'user', place}).every(change => change.action === 'removed')).toBe(true);
});
