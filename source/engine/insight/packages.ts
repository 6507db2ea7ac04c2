/**
 * Packages added by shell commands that succeeded: npm/pnpm/yarn/bun add|install <name>, pip/pip3/
 * python -m pip/uv pip install <name>, uv add, poetry add, cargo add, go get / go install.
 * A bare `npm install` (restoring a lockfile) adds nothing and is not listed.
 */
import {type ShellCommand, simpleCommands, words} from './tool-calls.js';

export type PackageAdded = {manager: string; name: string};

/** Flags that take a value, so the value is no package name. */
const VALUE_FLAGS = new Set(['-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--target', '-t', '--prefix', '--registry', '--filter', '-w', '--workspace', '--features', '-F', '--package', '-p', '--rename', '--path', '--git', '--branch', '--tag', '--rev', '--group', '-g', '--optional', '--python', '--cwd', '-C']);

function names(args: string[]): string[] {
	const out: string[] = [];
	for (let index = 0; index < args.length; index++) {
		const arg = args[index]!;
		if (arg.startsWith('-')) {
			if (VALUE_FLAGS.has(arg) && !arg.includes('=')) index++;
			continue;
		}

		out.push(arg);
	}

	return out;
}

/** `name@1.2`, `@scope/name@^1`, `requests==2.0`, `pkg[extra]>=1`, `github.com/x/y@latest` → the bare name. */
export function packageName(spec: string, manager: string): string | undefined {
	let name = spec.trim();
	if (!name || name === '.' || name.startsWith('./') || name.startsWith('/') || /\.(txt|toml|cfg|whl|tar\.gz|zip)$/.test(name)) return undefined;
	if (manager === 'pip' || manager === 'uv' || manager === 'poetry') name = name.split(/[=<>!~;\s[]/)[0]!;
	else if (name.startsWith('@')) name = `@${name.slice(1).split('@')[0]}`;
	else name = name.split('@')[0]!;
	return name || undefined;
}

function fromSimpleCommand(command: string): PackageAdded[] {
	const argv = words(command);
	let [head, ...rest] = argv;
	if (!head) return [];
	head = head.replace(/^.*\//, '');
	const verb = rest[0];
	const take = (manager: string, args: string[]) => names(args).flatMap(spec => {
		const name = packageName(spec, manager);
		return name ? [{manager, name}] : [];
	});

	if ((head === 'npm' || head === 'pnpm' || head === 'yarn' || head === 'bun') && verb && ['add', 'install', 'i', 'in', 'ins'].includes(verb)) {
		if (head === 'yarn' && verb !== 'add') return [];
		return take(head, rest.slice(1));
	}

	if (/^pip[\d.]*$/.test(head) && verb === 'install') return take('pip', rest.slice(1));
	if (/^python[\d.]*$/.test(head) && rest[0] === '-m' && /^pip[\d.]*$/.test(rest[1] ?? '') && rest[2] === 'install') return take('pip', rest.slice(3));
	if (head === 'uv' && verb === 'add') return take('uv', rest.slice(1));
	if (head === 'uv' && verb === 'pip' && rest[1] === 'install') return take('uv', rest.slice(2));
	if (head === 'poetry' && verb === 'add') return take('poetry', rest.slice(1));
	if (head === 'cargo' && verb === 'add') return take('cargo', rest.slice(1));
	if (head === 'go' && (verb === 'get' || verb === 'install')) return take('go', rest.slice(1));
	return [];
}

export function packagesAdded(commands: ShellCommand[]): PackageAdded[] {
	const seen = new Set<string>();
	const out: PackageAdded[] = [];
	for (const command of commands) {
		if (command.failed) continue;
		for (const part of simpleCommands(command.command)) {
			for (const added of fromSimpleCommand(part)) {
				const key = `${added.manager}\u0000${added.name}`;
				if (seen.has(key)) continue;
				seen.add(key);
				out.push(added);
			}
		}
	}

	return out;
}
