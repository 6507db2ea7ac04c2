import {SfsError} from '../engine/errors.js';
import {configPath} from '../engine/paths.js';
import {note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs config show             The whole configuration (JSON)
		  $ sfs config get <key>        One value (dotted key, e.g. capture.exclude)
		  $ sfs config set <key> <value>
		  $ sfs config path             Where the configuration file is

		Lists (capture.exclude, watchers.disabled) take a comma-separated list or a JSON array.
		resume.default_target (claude-code, codex, gemini or copilot): where a session of a capture-only
		source (Cursor, Amp, Cline, Roo Code) resumes when sfs resume gets no --in.

		Options
		  --json   get: print the value as JSON even when it is a string

		Examples
		  $ sfs config set capture.exclude '~/secret/**,/tmp/**'
		  $ sfs config get capture.exclude
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('config', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		const {getKey, KNOWN_KEYS, loadConfig, saveConfig, setKey} = await import('../engine/config.js');
		const [action, key, value, extra] = input;
		const usage = (what: string) => new SfsError('USAGE', `config: ${what}`, {hint: 'see: sfs config --help'});
		switch (action) {
			case undefined:
			case 'show': {
				if (key) throw usage(`unexpected argument ${JSON.stringify(key)}`);
				printJson(loadConfig());
				return 0;
			}

			case 'path': {
				print(configPath());
				return 0;
			}

			case 'get': {
				if (!key) throw usage('missing a <key>');
				if (value) throw usage(`unexpected argument ${JSON.stringify(value)}`);
				const found = getKey(loadConfig(), key);
				if (found === undefined && !KNOWN_KEYS[key]) {
					// The same answer as set gives: a typo is a usage error (2), not "not set" (1).
					throw new SfsError('USAGE', `unknown config key: ${key}`, {hint: `known keys: ${Object.keys(KNOWN_KEYS).join(', ')}`});
				}

				if (found === undefined) throw new SfsError('NOT_FOUND', `config key ${key} is not set`, {hint: `set it: sfs config set ${key} <value>`});

				if (typeof found === 'string' && !flags.json) print(found);
				else printJson(found);
				return 0;
			}

			case 'set': {
				if (!key || value === undefined) throw usage(key ? 'missing a <value>' : 'missing a <key> and <value>');
				if (extra !== undefined) throw usage(`unexpected argument ${JSON.stringify(extra)} (quote values with spaces)`);
				const next = setKey(loadConfig(), key, value);
				saveConfig(next);
				note(`sfs: ${key} = ${JSON.stringify(getKey(next, key))}`);
				return 0;
			}

			default: {
				throw usage(`unknown action ${JSON.stringify(action)} (show, get, set, path)`);
			}
		}
	},
};

export default command;
