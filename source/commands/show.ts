import type {CostReport, TokenCounts} from '../engine/insight/cost.js';
import type {ContentBlock, Manifest, Message} from '../engine/types.js';
import {SfsError} from '../engine/errors.js';
import {compactNumber, note, out, print, printable, printJson, relativeTime} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, numberFlag, parseArgs, readUsableSession, resolveSession, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs show <ref> [options]

		<ref> is a session id, an alias, the tool's own session id, or a unique id prefix.

		Options
		  --from <n>     First message to show (1-based position)
		  --to <n>       Last message to show (1-based position)
		  --no-tools     Leave out messages that only carry tool calls or results
		  --thinking     Show thinking blocks (hidden by default in text output)
		  --cost         Cost per model (sub-agents included, each API response counted once);
		                 models missing from the price table are listed as unpriced, with their tokens
		  --json         {"manifest": …, "messages": […]} exactly as stored (with --cost, also "cost")

		Examples
		  $ sfs show ses_3f2a --from 10 --to 20
		  $ sfs show my-alias --json | jq '.messages | length'
	`,
	flags: {
		from: {type: 'string'},
		to: {type: 'string'},
		tools: {type: 'boolean'},
		thinking: {type: 'boolean'},
		cost: {type: 'boolean'},
		json: {type: 'boolean'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('show', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('show', input, 1, 1, 'a session <ref>');
		const from = numberFlag('from', flags.from, {min: 1}) ?? 1;
		const to = numberFlag('to', flags.to, {min: 1});
		if (to !== undefined && to < from) throw new SfsError('USAGE', `show: --to ${to} is before --from ${from}`, {hint: 'see: sfs show --help'});
		const {manifest, messages, cost} = await withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			const session = await readUsableSession(engine, id);
			if (flags.cost !== true) return {...session, cost: undefined};
			const insight = await import('../engine/insight/session-insight.js');
			const {sessionCost} = await import('../engine/insight/cost.js');
			return {...session, cost: sessionCost([session, ...insight.loadSubagents(engine, id)], insight.configuredPrices(engine.env))};
		});
		// Filters drop whole messages, never blocks, so what is printed is still exactly as stored.
		const selected = messages
			.map((message, index) => ({message, position: index + 1}))
			.filter(({position}) => position >= from && (to === undefined || position <= to))
			.filter(({message}) => flags.tools !== false || !isToolTraffic(message));
		if (flags.json) {
			printJson({manifest, messages: selected.map(({message}) => message), ...(cost ? {cost} : {})});
			return 0;
		}

		printHeader(manifest, messages.length);
		if (cost) printCost(cost);
		for (const {message, position} of selected) printMessage(message, position, flags.thinking === true);
		if (from > messages.length && messages.length > 0) note(`sfs: no message #${from}: the session has ${messages.length} message(s)`);
		return 0;
	},
};

export default command;

/** A message that is only tool calls and results (or a tool-role message). */
export function isToolTraffic(message: Message): boolean {
	if (message.role === 'tool') return true;
	const blocks = message.content ?? [];
	return blocks.length > 0 && blocks.every(block => block.type === 'tool_use' || block.type === 'tool_result');
}

function printHeader(manifest: Manifest, count: number): void {
	const meta = manifest.metadata ?? {};
	print(out.bold(printable(manifest.title ?? '(untitled)')));
	const facts: Array<[string, string | undefined | null]> = [
		['id', manifest.session_id],
		['alias', typeof meta.alias === 'string' ? meta.alias : undefined],
		['tool', manifest.source.tool + (manifest.source.tool_version ? ` ${manifest.source.tool_version}` : '')],
		['native id', manifest.source.original_session_id],
		['model', manifest.model?.model_id],
		['cwd', typeof meta.cwd === 'string' ? meta.cwd : undefined],
		['created', `${manifest.created_at} (${relativeTime(manifest.created_at)})`],
		['updated', manifest.updated_at ? `${manifest.updated_at} (${relativeTime(manifest.updated_at)})` : undefined],
		['messages', String(count)],
		['tokens', `${compactNumber(manifest.stats?.total_input_tokens)} in, ${compactNumber(manifest.stats?.total_output_tokens)} out`],
		['tags', manifest.tags && manifest.tags.length > 0 ? manifest.tags.join(', ') : undefined],
		['parent', manifest.parent_session_id],
	];
	for (const [label, value] of facts) if (value) print(`${out.dim(label.padEnd(10))} ${printable(value)}`);
	print();
}

function printCost(cost: CostReport): void {
	const usd = (value: number | null) => (value === null ? 'unpriced' : `$${value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`);
	const tokens = (t: TokenCounts) => `${compactNumber(t.input)} in, ${compactNumber(t.output)} out, ${compactNumber(t.cache_read)} cache read, ${compactNumber(t.cache_write)} cache write`;
	if (cost.responses === 0) {
		print(`${out.dim('cost'.padEnd(10))} ${out.dim('no token usage recorded')}`);
		print();
		return;
	}

	print(`${out.dim('cost'.padEnd(10))} ${usd(cost.cost_usd)} ${out.dim(`(${cost.responses} API response(s))`)}`);
	for (const model of cost.models) print(`${' '.repeat(11)}${model.model}${model.priced_as === model.model ? '' : out.dim(` (as ${model.priced_as})`)}: ${usd(model.cost_usd)} · ${tokens(model.tokens)}`);
	for (const model of cost.unpriced_models) print(`${' '.repeat(11)}${out.warn(`${model.model}: unpriced`)} · ${tokens(model.tokens)}`);
	print();
}

function printMessage(message: Message, position: number, thinking: boolean): void {
	const flags = [message.is_meta ? 'meta' : '', message.is_sidechain ? 'sidechain' : ''].filter(Boolean).join(', ');
	print(out.accent(`── #${position} ${message.role}${flags ? ` (${flags})` : ''} · ${message.timestamp} · ${message.msg_id}`));
	for (const block of message.content ?? []) {
		const text = blockText(block, thinking);
		if (text !== undefined) print(text);
	}

	print();
}

function blockText(block: ContentBlock, thinking: boolean): string | undefined {
	const b = block as Record<string, unknown>;
	switch (block.type) {
		case 'text':
		case 'summary': {
			return printable(String(b.text ?? ''));
		}

		case 'thinking': {
			return thinking ? out.dim(`[thinking] ${b.redacted ? '(redacted)' : printable(String(b.text ?? ''))}`) : undefined;
		}

		case 'tool_use': {
			return out.warn(`→ ${String(b.name ?? '?')} ${clip(JSON.stringify(b.input ?? {}), 400)}`);
		}

		case 'tool_result': {
			const content = printable(String(b.content ?? ''));
			const lines = content.split('\n');
			const shown = lines.slice(0, 12).join('\n') + (lines.length > 12 ? `\n… (${lines.length - 12} more lines)` : '');
			return `${b.is_error ? out.danger('← error') : out.ok('←')} ${shown}`;
		}

		default: {
			return out.dim(`[${block.type}] ${clip(JSON.stringify(block), 200)}`);
		}
	}
}

function clip(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
