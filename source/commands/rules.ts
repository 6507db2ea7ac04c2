import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {note, out, print, printJson, table, warn} from '../output.js';
import {assertEditorCanRun, type CommandModule, type CommandSpec, listFlag, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs rules init [--tools all|<ids>] [--yes]   Set up .sfs/rules/, seeded from the instruction files found
		  $ sfs rules edit                               Open the canonical rules in $EDITOR
		  $ sfs rules show [--diff] [--json]             The rules, each target's state, what compile would change
		  $ sfs rules compile [--check] [--dry-run] [--force]
		  $ sfs rules push [--org NAME] [--force] [--json]   Send the canonical rules to the sfs server
		  $ sfs rules pull [--org NAME] [--force] [--json]   Take the server's rules into .sfs/rules/

		One set of project rules (.sfs/rules/*.md, committed with the code) compiled into the file each
		tool reads: AGENTS.md (Codex, Amp), CLAUDE.md, GEMINI.md, .github/copilot-instructions.md,
		.cursor/rules/sfs.mdc, .clinerules/sfs.md, .roo/rules/sfs.md. The rules go inside managed
		markers; text outside them is yours and is never touched. Tools that read AGENTS.md themselves
		get a pointer to it, Claude Code and Gemini CLI an import, so no agent reads the rules twice.

		push and pull go through the sfs server you are logged in to (sfs auth login), as yours or, with
		--org, your org's. The server knows the project by its git remote (origin, else the first
		remote), else by the name of its directory. pull replaces .sfs/rules/ as a whole (then run
		sfs rules compile); it refuses when your local rules changed since the last push/pull and differ
		from the server's, and push refuses when the server's changed since then: --force overrides.

		Tools: claude-code, codex, gemini, copilot, cursor, cline, roo-code, amp

		Options
		  --tools    init: the target tools, comma-separated, or all (asked when omitted on a terminal)
		  --yes      init: do not ask before taking over existing files (their content is kept in a .bak)
		  --check    compile: write nothing; exit 1 if a managed file is missing or stale (for CI and hooks)
		  --dry-run  compile: show what would be written
		  --force    compile: also take over files without sfs markers (keeping a .bak);
		             push/pull: replace the other side even when both changed
		  --org NAME push/pull: the org's rules instead of yours
		  --diff     show: print the diff of each target against the file on disk
		  --json     Machine-readable output

		Examples
		  $ sfs rules init --tools claude-code,codex,gemini --yes
		  $ sfs rules compile --check || echo "run: sfs rules compile"
	`,
	flags: {
		tools: {type: 'string'},
		yes: {type: 'boolean', shortFlag: 'y'},
		check: {type: 'boolean'},
		dryRun: {type: 'boolean'},
		force: {type: 'boolean'},
		diff: {type: 'boolean'},
		json: {type: 'boolean'},
		org: {type: 'string'},
	},
};

type Flags = {tools?: string; yes?: boolean; check?: boolean; dryRun?: boolean; force?: boolean; diff?: boolean; json?: boolean; org?: string};

const usage = (what: string) => new SfsError('USAGE', `rules: ${what}`, {hint: 'see: sfs rules --help'});

const ACTIONS: Record<string, {flags: Array<keyof Flags>; run: (flags: Flags, cwd: string) => Promise<number>}> = {
	init: {flags: ['tools', 'yes', 'json'], run: runInit},
	edit: {flags: [], run: runEdit},
	show: {flags: ['diff', 'json'], run: runShow},
	compile: {flags: ['check', 'dryRun', 'force', 'json'], run: runCompile},
	push: {flags: ['org', 'force', 'json'], run: async (flags, cwd) => runSync('push', flags, cwd)},
	pull: {flags: ['org', 'force', 'json'], run: async (flags, cwd) => runSync('pull', flags, cwd)},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('rules', argv, spec);
		if (!parsed) return 0;
		const [action, extra] = parsed.input;
		if (!action) throw usage('missing an action (init, edit, show, compile, push, pull)');
		const entry = ACTIONS[action];
		if (!entry) throw usage(`unknown action ${JSON.stringify(action)} (init, edit, show, compile, push, pull)`);
		if (extra !== undefined) throw usage(`unexpected argument ${JSON.stringify(extra)}`);
		const flags = parsed.flags as Flags;
		for (const [name, value] of Object.entries(flags)) {
			if (value !== undefined && name !== 'help' && name !== 'color' && !entry.flags.includes(name as keyof Flags)) {
				throw usage(`--${name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)} does not apply to "rules ${action}"`);
			}
		}

		return entry.run(flags, process.cwd());
	},
};

async function runInit(flags: Flags, cwd: string): Promise<number> {
	const {repoRoot} = await import('../engine/rules/canonical.js');
	const {applyInit, detectedTools, findInstructionFiles, planInit} = await import('../engine/rules/seed.js');
	const root = repoRoot(cwd);
	const found = findInstructionFiles(root);
	const tools = flags.tools === undefined ? await askTools(detectedTools(found)) : await parseTools(flags.tools);
	const plan = planInit(root, tools);
	for (const seed of plan.seeds) note(`sfs: rules/${seed.name} ${seed.from.length > 0 ? `from ${seed.from.join(', ')}` : '(starter)'}`);
	for (const file of plan.takeOver) note(`sfs: ${file} becomes managed (previous content kept in a .bak)`);
	for (const file of plan.retire) note(`sfs: ${file} is folded into the rules (moved to a .bak)`);
	for (const file of plan.leftInPlace) note(`sfs: ${file} left in place (its tool is not a target)`);
	if (plan.takeOver.length + plan.retire.length > 0 && !(await confirmInit(flags.yes === true, plan.takeOver.length + plan.retire.length))) {
		note('sfs: nothing changed');
		return 1;
	}

	const result = applyInit(plan);
	for (const warning of result.compile.warnings) warn(warning);
	if (flags.json) {
		printJson({root, tools: plan.tools, rules: plan.seeds.map(seed => seed.name), written: result.compile.written, backups: [...result.compile.backups, ...result.retired.map(item => item.backup)]});
	} else {
		for (const file of result.compile.written) print(file);
		note(`sfs: rules set up in ${path.join(root, '.sfs', 'rules')} for ${plan.tools.join(', ')}; commit .sfs/rules with the code`);
	}

	return 0;
}

async function parseTools(value: string) {
	const {isRulesTool, RULES_TOOLS} = await import('../engine/rules/tools.js');
	const ids = listFlag(value) ?? [];
	if (ids.length === 1 && ids[0] === 'all') return [...RULES_TOOLS];
	const unknown = ids.filter(id => !isRulesTool(id));
	if (unknown.length > 0 || ids.length === 0) {
		throw new SfsError('USAGE', `rules init: unknown tool ${JSON.stringify(unknown[0] ?? value)}`, {hint: `--tools all, or some of ${RULES_TOOLS.join(',')}`});
	}

	return ids.filter(isRulesTool);
}

async function askTools(detected: string[]) {
	if (!process.stdin.isTTY) throw new SfsError('USAGE', 'rules init: which tools? stdin is not a terminal to ask on', {hint: `pass --tools all or --tools ${detected.join(',') || 'claude-code,codex'}`});
	const {RULES_TOOLS} = await import('../engine/rules/tools.js');
	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		for (const [at, tool] of RULES_TOOLS.entries()) process.stderr.write(`  ${at + 1}. ${tool}${detected.includes(tool) ? '  (found its files)' : ''}\n`);
		const fallback = detected.length > 0 ? detected.join(',') : 'all';
		const answer = (await rl.question(`Target tools (numbers or ids, comma-separated; all) [${fallback}]: `)).trim() || fallback;
		const ids = answer.split(/[\s,]+/).filter(Boolean).map(item => (/^\d+$/.test(item) ? (RULES_TOOLS[Number(item) - 1] ?? item) : item));
		return parseTools(ids.join(','));
	} finally {
		rl.close();
	}
}

async function confirmInit(yes: boolean, count: number): Promise<boolean> {
	if (yes) return true;
	if (!process.stdin.isTTY) throw new SfsError('USAGE', `rules init would take over ${count} existing file(s): stdin is not a terminal to ask on`, {hint: 'pass --yes (their content is kept in a .bak)'});
	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		return /^y(es)?$/i.test((await rl.question('Go ahead? [y/N] ')).trim());
	} finally {
		rl.close();
	}
}

async function requireRules(cwd: string) {
	const {loadRules, repoRoot} = await import('../engine/rules/canonical.js');
	const root = repoRoot(cwd);
	const rules = loadRules(root);
	if (!rules) throw new SfsError('NOT_FOUND', `no canonical rules in ${root}`, {hint: 'set them up: sfs rules init'});
	return rules;
}

async function runEdit(_flags: Flags, cwd: string): Promise<number> {
	const rules = await requireRules(cwd);
	const {rulesDir} = await import('../engine/rules/canonical.js');
	const {openInEditor} = await import('../engine/rules/editor.js');
	const dir = rulesDir(rules.root);
	const files = rules.files.length > 0 ? rules.files.map(file => path.join(dir, file.name)) : [path.join(dir, '01-project.md')];
	assertEditorCanRun(files);
	openInEditor(files);
	const {rulesStatus} = await import('../engine/rules/status.js');
	const status = rulesStatus(cwd);
	if (status.check.exitCode === 1) note(`sfs: ${status.check.stale.join(', ')} out of date: run sfs rules compile`);
	else note('sfs: compiled files are up to date');
	return 0;
}

async function runShow(flags: Flags, cwd: string): Promise<number> {
	const {rulesStatus} = await import('../engine/rules/status.js');
	const status = rulesStatus(cwd);
	if (!status.configured || !status.rules) throw new SfsError('NOT_FOUND', `no canonical rules in ${status.root}`, {hint: 'set them up: sfs rules init'});
	const {rules} = status;
	if (flags.json) {
		printJson({
			root: status.root,
			tools: rules.config.tools,
			rules_hash: rules.hash,
			files: rules.files.map(file => file.name),
			body: rules.body,
			targets: status.targets.map(target => ({file: target.file, tools: target.tools, mode: target.mode, state: target.state, warning: target.warning ?? null, diff: target.diff})),
			check: status.check,
		});
		return 0;
	}

	print(out.bold(`Rules (.sfs/rules: ${rules.files.map(file => file.name).join(', ') || 'no files'}; sha256 ${rules.hash.slice(0, 12)})`));
	print(rules.body.trimEnd() || out.dim('(empty)'));
	print();
	const mode = ({mode}: (typeof status.targets)[number]) =>
		mode.kind === 'full' ? 'full' : mode.kind === 'copy' ? `copy of ${mode.of}` : mode.kind === 'import' ? `import ${mode.from}` : `points to ${mode.to}`;
	for (const line of table([{header: 'TARGET'}, {header: 'TOOLS'}, {header: 'CARRIES'}, {header: 'STATE'}], status.targets.map(target => [target.file, target.tools.join(','), mode(target), target.state]), {paint: out})) print(line);
	if (flags.diff) for (const target of status.targets) if (target.diff) print(`\n${target.diff.trimEnd()}`);
	for (const warning of status.check.warnings) warn(warning);
	return 0;
}

async function runCompile(flags: Flags, cwd: string): Promise<number> {
	if (flags.check) {
		const {rulesStatus} = await import('../engine/rules/status.js');
		const status = rulesStatus(cwd);
		if (!status.configured) {
			warn(`no canonical rules in ${status.root}: nothing to check`);
			return 0;
		}

		for (const warning of status.check.warnings) warn(warning);
		if (flags.json) printJson({ok: status.check.exitCode === 0, stale: status.check.stale, warnings: status.check.warnings});
		for (const target of status.targets) if (target.state !== 'ok' && !target.warning) note(`sfs: ${target.file} is ${target.state}`);
		if (status.check.exitCode === 1) note('sfs: rules are out of date (run: sfs rules compile)');
		return status.check.exitCode;
	}

	const rules = await requireRules(cwd);
	const {compileRules} = await import('../engine/rules/compile.js');
	const result = compileRules(rules, {dryRun: flags.dryRun === true, force: flags.force === true});
	for (const warning of result.warnings) warn(warning);
	if (flags.json) {
		printJson({dry_run: flags.dryRun === true, written: result.written, backups: result.backups, warnings: result.warnings});
		return 0;
	}

	for (const file of result.written) print(file);
	for (const backup of result.backups) note(`sfs: kept the previous content in ${backup}`);
	note(result.written.length === 0 ? 'sfs: everything is up to date' : `sfs: ${flags.dryRun ? 'would write' : 'wrote'} ${result.written.length} file(s)`);
	return 0;
}

async function runSync(direction: 'push' | 'pull', flags: Flags, cwd: string): Promise<number> {
	const {requireCredentials} = await import('../sync/credentials.js');
	const {pullDocument, pushDocument} = await import('../sync/doc-sync.js');
	const credentials = requireCredentials();
	const options = {org: flags.org, force: flags.force === true};
	const result = direction === 'push' ? await pushDocument(credentials, 'rules', cwd, options) : await pullDocument(credentials, 'rules', cwd, options);
	if (flags.json) {
		printJson(result);
		return 0;
	}

	const where = `${result.org ? `${result.org} on ` : ''}${credentials.url}`;
	if (!result.changed) print(`rules of ${result.project} already in sync with ${where}`);
	else if (direction === 'push') print(`pushed the rules of ${result.project} to ${where}`);
	else {
		print(`pulled the rules of ${result.project} from ${where}`);
		note('sfs: run sfs rules compile to update each tool\'s instructions file');
	}

	return 0;
}

export default command;
