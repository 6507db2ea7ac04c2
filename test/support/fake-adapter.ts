/**
 * A minimal adapter over a toy JSONL format, for testing the capture engine's own semantics
 * (cursors, no-op rescans, revisions, crash recovery) independently of any real tool's format.
 * Lines: {"id": "...", "role": "user"|"assistant", "text": "...", "cwd"?: "..."}; a line
 * {"type": "weird"} is an unknown record.
 */
import fs from 'node:fs';
import path from 'node:path';
import {parseJsonLine, readJsonlFrom} from '../../source/adapters/jsonl.js';
import type {Adapter, NativeSession} from '../../source/adapters/types.js';
import type {Message} from '../../source/engine/types.js';

export function fakeRoot(home: string): string {
	return path.join(home, 'fake-tool');
}

export const fakeAdapter: Adapter & {reads: number} = {
	id: 'codex',
	name: 'Fake (codex id)',
	reads: 0,
	roots: context => [fakeRoot(context.home)],
	async discover(context) {
		const root = fakeRoot(context.home);
		let names: string[] = [];
		try {
			names = fs.readdirSync(root);
		} catch {
			return [];
		}

		return names
			.filter(name => name.endsWith('.jsonl') || name.endsWith('.json'))
			.map((name): NativeSession => ({
				tool: 'codex',
				nativeId: name.replace(/\.jsonl?$/, ''),
				files: [path.join(root, name)],
				growth: name.endsWith('.jsonl') ? 'append' : 'rewrite',
			}));
	},
	async read(request) {
		fakeAdapter.reads++;
		const file = request.session.files[0]!;
		const full = request.session.growth === 'rewrite';
		const read = await readJsonlFrom(file, full ? undefined : request.cursors?.[file]);
		const messages: Message[] = [];
		const unknownRecords: Record<string, number> = {};
		const warnings = [...read.warnings];
		let cwd: string | undefined;
		for (const line of read.lines) {
			const parsed = parseJsonLine(line);
			if (parsed.warning) {
				warnings.push(parsed.warning);
				continue;
			}

			const record = parsed.value as {id?: string; role?: 'user' | 'assistant'; text?: string; cwd?: string; type?: string};
			if (record.type) {
				unknownRecords[record.type] = (unknownRecords[record.type] ?? 0) + 1;
				messages.push({msg_id: `unknown-${line.offset}`, role: 'system', is_meta: true, timestamp: '2026-01-01T00:00:00.000Z', content: [{type: 'native_record', record}]});
				continue;
			}

			cwd = record.cwd ?? cwd;
			messages.push({
				msg_id: record.id!,
				role: record.role!,
				timestamp: '2026-01-01T00:00:00.000Z',
				content: [{type: 'text', text: record.text ?? ''}],
			});
		}

		return {
			mode: full || read.restarted ? 'full' : 'incremental',
			messages,
			info: {cwd, toolVersion: '1.0.0'},
			cursors: {[file]: read.cursor},
			warnings,
			unknownRecords,
			recordsParsed: read.lines.length,
		};
	},
};
