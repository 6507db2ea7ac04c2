import {SfsError} from '../engine/errors.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';
import {COMMANDS} from './registry.js';

const SHELLS = ['bash', 'zsh', 'fish'];

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs completion bash|zsh|fish

		Prints a completion script for your shell (commands, flags, session ids). sfs never edits
		your shell's start-up files; add one line yourself:

		  bash  echo 'eval "$(sfs completion bash)"' >> ~/.bashrc
		  zsh   echo 'eval "$(sfs completion zsh)"' >> ~/.zshrc
		  fish  sfs completion fish > ~/.config/fish/completions/sfs.fish
	`,
	flags: {},
};

/** Commands whose first argument is a session <ref>. */
const REF_COMMANDS = ['show', 'alias', 'tag', 'fork', 'checkpoint', 'delete', 'export', 'resume'];

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('completion', argv, spec);
		if (!parsed) return 0;
		expectArgs('completion', parsed.input, 1, 1, 'a shell (bash, zsh or fish)');
		const shell = parsed.input[0]!;
		if (!SHELLS.includes(shell)) throw new SfsError('USAGE', `completion: unknown shell ${JSON.stringify(shell)}`, {hint: 'use bash, zsh or fish'});
		const commands = await commandFlags();
		const script = shell === 'bash' ? bash(commands) : shell === 'zsh' ? zsh(commands) : fish(commands);
		process.stdout.write(script);
		return 0;
	},
};

export default command;

type CommandInfo = {name: string; summary: string; flags: string[]};

export async function commandFlags(): Promise<CommandInfo[]> {
	const result: CommandInfo[] = [];
	for (const [name, entry] of Object.entries(COMMANDS)) {
		if (entry.hidden) continue;
		let flags: string[] = [];
		try {
			const module = await entry.load();
			const {help, flags: specFlags} = module.default.spec;
			flags = Object.entries(specFlags).map(([key, flag]) => completedFlag(key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`), flag.type, help));
		} catch {}

		result.push({name, summary: entry.summary, flags: [...flags, '--help']});
	}

	return result;
}

/**
 * A boolean flag that is on by default is documented, and only useful, as --no-<name> (show
 * --no-tools, resume --no-launch): complete it that way when the help text names only that form.
 */
function completedFlag(name: string, type: string, help: string): string {
	if (type !== 'boolean' || !help.includes(`--no-${name}`)) return `--${name}`;
	const positive = new RegExp(`(^|[^\\w-])--${name}(?![\\w-])`);
	return positive.test(help) ? `--${name}` : `--no-${name}`;
}

function bash(commands: CommandInfo[]): string {
	const cases = commands.map(c => `\t\t${c.name}) flags="${c.flags.join(' ')}" ;;`).join('\n');
	return `# sfs completion for bash: eval "$(sfs completion bash)"
_sfs() {
	local cur="\${COMP_WORDS[COMP_CWORD]}"
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "${commands.map(c => c.name).join(' ')} --help --version" -- "$cur"))
		return
	fi
	local flags=""
	case "\${COMP_WORDS[1]}" in
${cases}
	esac
	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
	elif [[ " ${REF_COMMANDS.join(' ')} " == *" \${COMP_WORDS[1]} "* ]]; then
		COMPREPLY=($(compgen -W "$(sfs list --ids 2>/dev/null)" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _sfs sfs
`;
}

function zsh(commands: CommandInfo[]): string {
	const described = commands.map(c => `\t\t'${c.name}:${c.summary.replace(/'/g, "'\\''")}'`).join('\n');
	const cases = commands.map(c => `\t\t${c.name}) compadd -- ${c.flags.join(' ')} ;;`).join('\n');
	return `#compdef sfs
# sfs completion for zsh: eval "$(sfs completion zsh)"
_sfs() {
	local -a commands
	commands=(
${described}
	)
	if (( CURRENT == 2 )); then
		_describe 'command' commands
		return
	fi
	if [[ $words[CURRENT] == -* ]]; then
		case $words[2] in
${cases}
		esac
	elif [[ " ${REF_COMMANDS.join(' ')} " == *" $words[2] "* ]]; then
		compadd -- \${(f)"$(sfs list --ids 2>/dev/null)"}
	else
		_files
	fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _sfs "$@"; else compdef _sfs sfs; fi
`;
}

function fish(commands: CommandInfo[]): string {
	const lines = ['# sfs completion for fish: sfs completion fish > ~/.config/fish/completions/sfs.fish', 'complete -c sfs -f'];
	for (const c of commands) lines.push(`complete -c sfs -n '__fish_use_subcommand' -a ${c.name} -d '${c.summary.replace(/'/g, "\\'")}'`);
	for (const c of commands) {
		for (const flag of c.flags) lines.push(`complete -c sfs -n '__fish_seen_subcommand_from ${c.name}' -l ${flag.slice(2)}`);
	}

	lines.push(`complete -c sfs -n '__fish_seen_subcommand_from ${REF_COMMANDS.join(' ')}' -a '(sfs list --ids 2>/dev/null)'`);
	lines.push(`complete -c sfs -n '__fish_seen_subcommand_from import' -F`);
	return `${lines.join('\n')}\n`;
}
