/**
 * What every command module shares: argument parsing (per command, unknown flags refused with
 * one line and exit 2), opening the engine with its notices on stderr, `<ref>` resolution, and the
 * confirmation prompt of destructive commands.
 */
import {parseArgs as nodeParseArgs} from 'node:util';
import {SfsError} from '../engine/errors.js';
import type {Engine} from '../engine/open-engine.js';
import {note} from '../output.js';

export type FlagType = 'string' | 'boolean' | 'number';
export type FlagSpec = {type: FlagType; shortFlag?: string; isMultiple?: boolean; choices?: string[]; default?: unknown};
export type Flags = Record<string, FlagSpec>;

export type CommandSpec = {
	/** The full help text printed by `sfs <name> --help` (Usage, Options, Examples). */
	help: string;
	flags: Flags;
};

export type Parsed = {input: string[]; flags: Record<string, unknown>};

/** A command module's default export. Returns the exit code; throws SfsError for failures. */
export type CommandModule = {
	spec: CommandSpec;
	run(argv: string[]): Promise<number>;
};

const HELP_FLAG: FlagSpec = {type: 'boolean', shortFlag: 'h'};
/** Accepted by every command as `--no-color` (cli.tsx has already turned it into NO_COLOR). */
const COLOR_FLAG: FlagSpec = {type: 'boolean'};

function kebab(key: string): string {
	return key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}

/**
 * Refuses flags the command does not declare, with one line (meow's own report is two lines).
 * Walks argv the way meow will read it: values of string/number flags are skipped, `--` ends flags.
 */
export function checkUnknownFlags(argv: string[], flags: Flags, command: string): void {
	const long = new Map<string, FlagSpec>();
	const short = new Map<string, FlagSpec>();
	for (const [key, spec] of Object.entries({...flags, help: HELP_FLAG, color: COLOR_FLAG})) {
		long.set(kebab(key), spec);
		if (spec.shortFlag) short.set(spec.shortFlag, spec);
	}

	const unknown = (flag: string) =>
		new SfsError('USAGE', `unknown flag ${flag} for "sfs ${command}"`, {hint: `see: sfs ${command} --help`});
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') return;
		if (token.startsWith('--')) {
			const [rawName, value] = splitOnce(token.slice(2));
			let spec = long.get(rawName);
			if (!spec && rawName.startsWith('no-')) {
				const negated = long.get(rawName.slice(3));
				if (negated?.type === 'boolean') spec = negated;
			}

			if (!spec) throw unknown(`--${rawName}`);
			if (spec.type !== 'boolean' && value === undefined) index++;
			continue;
		}

		if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) {
			const letters = token.slice(1);
			for (const [at, letter] of [...letters].entries()) {
				const spec = short.get(letter);
				if (!spec) throw unknown(`-${letter}`);
				if (spec.type !== 'boolean') {
					if (at === letters.length - 1) index++;
					break;
				}
			}
		}
	}
}

function splitOnce(text: string): [string, string | undefined] {
	const at = text.indexOf('=');
	return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Parses a command's argv. Prints the help and returns undefined on -h/--help (the caller exits 0).
 * Unknown flags, missing values and bad choices throw USAGE (exit 2), each as one line.
 *
 * Built on node:util parseArgs rather than meow: importing meow 14 (it bundles yargs-parser,
 * read-package-up and normalize-package-data) costs ~50 ms per run on a 2-core machine, the whole
 * start-up budget of `sfs search`. The conventions are meow's: -h on every command, kebab-case
 * flags read as camelCase keys, `--no-<flag>` for booleans, exit 2 on usage errors.
 */
export function parseArgs(command: string, argv: string[], spec: CommandSpec): Parsed | undefined {
	checkUnknownFlags(argv, spec.flags, command);
	const options: Record<string, {type: 'string' | 'boolean'; short?: string; multiple?: boolean}> = {};
	for (const [key, flag] of Object.entries({...spec.flags, help: HELP_FLAG, color: COLOR_FLAG})) {
		options[kebab(key)] = {
			type: flag.type === 'boolean' ? 'boolean' : 'string',
			...(flag.shortFlag ? {short: flag.shortFlag} : {}),
			...(flag.isMultiple ? {multiple: true} : {}),
		};
	}

	let parsed: {values: Record<string, unknown>; positionals: string[]};
	try {
		parsed = nodeParseArgs({args: argv, options, allowPositionals: true, allowNegative: true, strict: true}) as typeof parsed;
	} catch (error) {
		const message = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!.replace(/^Option '([^']+)' argument missing$/, '$1 needs a value');
		throw new SfsError('USAGE', `${command}: ${message}`, {hint: `see: sfs ${command} --help`});
	}

	const flags: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(parsed.values)) flags[name.replace(/-([a-z])/g, (_all, letter: string) => letter.toUpperCase())] = value;
	if (flags.help) {
		printHelp(spec.help);
		return undefined;
	}

	for (const [key, flag] of Object.entries(spec.flags)) {
		const value = flags[key];
		if (flag.choices && value !== undefined) {
			for (const item of Array.isArray(value) ? value : [value]) {
				if (!flag.choices.includes(String(item))) {
					throw new SfsError('USAGE', `${command}: --${kebab(key)} must be one of ${flag.choices.join(', ')}`, {hint: `got ${JSON.stringify(item)}`});
				}
			}
		}
	}

	return {input: parsed.positionals, flags};
}

export function printHelp(help: string): void {
	const lines = help.replace(/^\n+|\s+$/g, '').split('\n');
	const indent = Math.min(...lines.filter(line => line.trim()).map(line => /^[\t ]*/.exec(line)![0].length));
	process.stdout.write(`\n${lines.map(line => `  ${line.slice(indent)}`.trimEnd()).join('\n')}\n\n`);
}

/** Exactly `min..max` positional arguments, else a usage error naming what is wanted. */
export function expectArgs(command: string, input: string[], min: number, max: number, what: string): void {
	if (input.length < min) throw new SfsError('USAGE', `${command}: missing ${what}`, {hint: `see: sfs ${command} --help`});
	if (input.length > max) {
		throw new SfsError('USAGE', `${command}: unexpected argument ${JSON.stringify(input[max])}`, {hint: `see: sfs ${command} --help`});
	}
}

/** Opens the store and index for one command, reporting index repairs on stderr; always closes. */
export async function withEngine<T>(fn: (engine: Engine) => Promise<T> | T): Promise<T> {
	const {openEngine} = await import('../engine/open-engine.js');
	const engine = openEngine({onNotice: note});
	try {
		return await fn(engine);
	} finally {
		engine.close();
	}
}

export async function resolveSession(engine: Engine, ref: string): Promise<string> {
	const {resolveRef} = await import('../engine/refs.js');
	return resolveRef(ref, engine.index, {existsInStore: id => isPlausibleId(id) && engine.store.exists(id)});
}

/** A session read whole for showing or exporting; a manifest the commands cannot use is refused with why. */
export async function readUsableSession(engine: Engine, id: string) {
	const {manifestProblem} = await import('../engine/open-engine.js');
	const session = engine.store.readSession(id);
	const problem = manifestProblem(session.manifest, id);
	if (problem) throw new SfsError('INVALID_SESSION', `session ${id}: ${problem}`, {hint: `fix or remove ${engine.store.dir(id)}`});
	if (session.badLines.length > 0) note(`sfs: warning: ${session.badLines.length} unreadable line(s) in messages.jsonl skipped (line ${session.badLines[0]})`);
	return session;
}

function isPlausibleId(id: string): boolean {
	return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes('..');
}

/** A comma-separated and/or repeated string flag as a list. */
export function listFlag(value: unknown): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	const values = (Array.isArray(value) ? value : [value]).flatMap(item => String(item).split(',')).map(item => item.trim()).filter(Boolean);
	return values.length > 0 ? values : undefined;
}

/** What a command says on stderr while it retries a request to the sync server. */
export function retryNotice(command: string): (reason: string, waitMs: number) => void {
	return (reason, waitMs) => note(`sfs: ${command}: ${reason}; retrying in ${Math.round(waitMs / 100) / 10}s`);
}

export function numberFlag(name: string, value: unknown, {min = 0, max}: {min?: number; max?: number} = {}): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (!Number.isFinite(number) || number < min || (max !== undefined && number > max) || !Number.isInteger(number)) {
		const range = max === undefined ? (min > 0 ? ` of at least ${min}` : '') : ` from ${min} to ${max}`;
		throw new SfsError('USAGE', `--${name} takes a whole number${range}`, {hint: `got ${JSON.stringify(value)}`});
	}

	return number;
}

export async function timeFlag(name: string, value: unknown): Promise<Date | undefined> {
	if (value === undefined || value === '') return undefined;
	const {parseTimeSpec} = await import('../engine/time-spec.js');
	return parseTimeSpec(String(value), new Date(), `--${name}`);
}

/** Call before printing a preview: without --yes and without a terminal, refuse up front. */
export function assertCanConfirm(yes: boolean): void {
	if (!yes && !process.stdin.isTTY) {
		throw new SfsError('USAGE', 'refusing to delete without confirmation: stdin is not a terminal', {hint: 'pass --yes to confirm, or --dry-run where offered to preview'});
	}
}

/**
 * Asks before a destructive step. `--yes` skips the question; without a terminal to ask on, the
 * command refuses rather than guess.
 */
export async function confirm(question: string, yes: boolean): Promise<boolean> {
	if (yes) return true;
	assertCanConfirm(yes);

	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await rl.question(`${question} [y/N] `);
		return /^y(es)?$/i.test(answer.trim());
	} finally {
		rl.close();
	}
}

/**
 * Before `rules edit` / `project edit`: with neither $VISUAL nor $EDITOR set the editor is vi, which
 * needs a terminal; without one it draws escape codes into the pipe and fails. A set editor is
 * trusted (`code --wait` needs no terminal).
 */
export function assertEditorCanRun(files: string[], env: NodeJS.ProcessEnv = process.env): void {
	if (env.VISUAL || env.EDITOR) return;
	if (process.stdin.isTTY && process.stdout.isTTY) return;
	throw new SfsError('USAGE', 'no terminal to run the default editor (vi) in', {hint: `set $EDITOR (e.g. EDITOR='code --wait'), or edit ${files.join(', ')} directly`});
}
