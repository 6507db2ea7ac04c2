import fs from 'node:fs';
import {loadConfig, saveConfig} from '../engine/config.js';
import {SfsError} from '../engine/errors.js';
import {isToolId, TOOL_IDS} from '../engine/types.js';
import {out, print, printJson, table, terminalWidth} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs watcher list [--json]
		  $ sfs watcher enable <tool> [--json]
		  $ sfs watcher disable <tool> [--json]

		Which sources capture scans (and the daemon watches). All 8 are on by default where their
		store exists.

		Options
		  --json   list: [{"tool", "name", "enabled", "store_found", "roots", "found"}];
		           enable/disable: {"tool", "enabled"}

		Examples
		  $ sfs watcher disable cursor
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('watcher', argv, spec);
		if (!parsed) return 0;
		const [action = 'list', tool] = parsed.input;
		const config = loadConfig();
		const disabled = new Set(config.watchers?.disabled ?? []);
		if (action === 'enable' || action === 'disable') {
			expectArgs('watcher', parsed.input, 2, 2, 'a tool id');
			if (!isToolId(tool!)) throw new SfsError('USAGE', `unknown tool ${JSON.stringify(tool)}`, {hint: `tools: ${TOOL_IDS.join(', ')}`});
			if (action === 'enable') disabled.delete(tool);
			else disabled.add(tool);
			saveConfig({...config, watchers: {...config.watchers, disabled: [...disabled].sort()}});
			if (parsed.flags.json) printJson({tool, enabled: action === 'enable'});
			else print(`${tool}: ${action}d`);
			return 0;
		}

		if (action !== 'list') throw new SfsError('USAGE', `watcher: unknown action ${JSON.stringify(action)}`, {hint: 'list, enable or disable'});
		const {loadAdapters, plainAdapterContext} = await import('../engine/capture-run.js');
		const context = plainAdapterContext(process.env);
		const rows = (await loadAdapters()).map(adapter => {
			const roots = adapter.roots(context);
			const found = roots.filter(root => fs.existsSync(root));
			return {tool: adapter.id, name: adapter.name, enabled: !disabled.has(adapter.id), store_found: found.length > 0, roots, found};
		});
		if (parsed.flags.json) {
			printJson(rows);
			return 0;
		}

		const lines = table(
			[{header: 'TOOL'}, {header: 'ENABLED'}, {header: 'STORE'}, {header: 'WHERE', flex: true}],
			rows.map(row => [row.tool, row.enabled ? 'yes' : 'no', row.store_found ? 'found' : 'none', (row.found[0] ?? row.roots[0] ?? '') + (row.roots.length > 1 ? ` (+${row.roots.length - 1} more)` : '')]),
			{width: terminalWidth(), paint: out},
		);
		for (const line of lines) print(line);
		return 0;
	},
};

export default command;
