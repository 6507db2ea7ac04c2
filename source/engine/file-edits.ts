/**
 * File edits an agent made, recovered from its tool calls (Edit/Write/MultiEdit, apply_patch,
 * replace/write_file, str_replace_editor, write_to_file/replace_in_file, …) across tools.
 * Used by the TUI's Diff screen and by `sfs summary`.
 */
import {structuredPatch} from 'diff';
import type {Message, ToolResultBlock, ToolUseBlock} from './types.js';

export type FileEdit = {
	path: string;
	action: 'created' | 'edited' | 'deleted' | 'written';
	/** Unified diff body: "@@ … @@" headers and " ", "+", "-" lines. */
	unified: string;
	lines_added: number;
	lines_removed: number;
	msg_id: string;
	tool_use_id: string;
	tool: string;
	/** The call's result was an error: the edit probably did not happen. */
	failed: boolean;
};

type Input = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function pathOf(input: Input): string | undefined {
	return str(input.file_path) ?? str(input.path) ?? str(input.target_file) ?? str(input.filePath) ?? str(input.absolute_path) ?? str(input.filename);
}

/** Every file edit in the session, in order. */
export function extractFileEdits(messages: Message[]): FileEdit[] {
	const results = new Map<string, ToolResultBlock>();
	for (const message of messages) {
		for (const block of message.content) if (block.type === 'tool_result') results.set((block as ToolResultBlock).tool_use_id, block as ToolResultBlock);
	}

	const edits: FileEdit[] = [];
	for (const message of messages) {
		if (message.metadata?.copied_from) continue;
		for (const block of message.content) {
			if (block.type !== 'tool_use') continue;
			const call = block as ToolUseBlock;
			const result = results.get(call.tool_use_id);
			const failed = Boolean(result?.is_error) || (typeof result?.exit_code === 'number' && result.exit_code !== 0);
			for (const edit of editsOfCall(call)) edits.push({...edit, msg_id: message.msg_id, tool_use_id: call.tool_use_id, tool: call.name, failed});
		}
	}

	return edits;
}

type PartialEdit = Omit<FileEdit, 'msg_id' | 'tool_use_id' | 'tool' | 'failed'>;

function editsOfCall(call: ToolUseBlock): PartialEdit[] {
	const name = call.name.toLowerCase().replace(/^mcp__[^_]+__/, '');
	const input = (call.input ?? {}) as Input;
	const file = pathOf(input);
	switch (name) {
		case 'edit':
		case 'editor':
		case 'replace':
		case 'edit_file':
		case 'str_replace':
		case 'search_replace': {
			// `editor` with old_text/new_text: the Cline SDK's edit tool.
			const before = str(input.old_string) ?? str(input.old_str) ?? str(input.oldString) ?? str(input.old_text);
			const after = str(input.new_string) ?? str(input.new_str) ?? str(input.newString) ?? str(input.code_edit) ?? str(input.new_text);
			if (!file || after === undefined) return [];
			return [fromStrings(file, before ?? '', after, before === undefined ? 'written' : 'edited')];
		}

		case 'multiedit': {
			const list = Array.isArray(input.edits) ? (input.edits as Input[]) : [];
			if (!file || list.length === 0) return [];
			const parts = list.map(edit => fromStrings(file, str(edit.old_string) ?? '', str(edit.new_string) ?? '', 'edited'));
			return [merge(file, parts)];
		}

		case 'write':
		case 'write_file':
		case 'create':
		case 'create_file':
		case 'write_to_file': {
			const content = str(input.content) ?? str(input.file_text) ?? str(input.contents);
			if (!file || content === undefined) return [];
			return [fromStrings(file, '', content, name.startsWith('create') ? 'created' : 'written')];
		}

		case 'str_replace_editor':
		case 'str_replace_based_edit_tool': {
			const command = str(input.command);
			if (!file) return [];
			if (command === 'create') return [fromStrings(file, '', str(input.file_text) ?? '', 'created')];
			if (command === 'str_replace') return [fromStrings(file, str(input.old_str) ?? '', str(input.new_str) ?? '', 'edited')];
			if (command === 'insert') return [fromStrings(file, '', str(input.insert_text) ?? str(input.new_str) ?? '', 'edited')];
			return [];
		}

		case 'replace_in_file':
		case 'apply_diff': {
			const diffText = str(input.diff);
			if (!file || !diffText) return [];
			return [merge(file, searchReplaceBlocks(diffText).map(block => fromStrings(file, block.before, block.after, 'edited', block.startLine)))];
		}

		case 'apply_patch': {
			const patch = str(input.input) ?? str(input.patch) ?? str(input.patchText) ?? str(input.raw) ?? str((input as {command?: unknown}).command);
			return patch ? parseApplyPatch(patch) : [];
		}

		default: {
			return [];
		}
	}
}

/** `startLine`: where `before` starts in the file, when the tool says (Roo's `:start_line:`), so hunks show the file's line numbers. */
function fromStrings(file: string, before: string, after: string, action: PartialEdit['action'], startLine = 1): PartialEdit {
	const patch = structuredPatch(file, file, before, after, '', '', {context: 3});
	const shift = startLine - 1;
	let added = 0;
	let removed = 0;
	const lines: string[] = [];
	for (const hunk of patch.hunks) {
		lines.push(`@@ -${hunk.oldStart + shift},${hunk.oldLines} +${hunk.newStart + shift},${hunk.newLines} @@`);
		for (const line of hunk.lines) {
			if (line.startsWith('\\')) continue;
			if (line.startsWith('+')) added++;
			else if (line.startsWith('-')) removed++;
			lines.push(line);
		}
	}

	return {path: file, action, unified: lines.join('\n'), lines_added: added, lines_removed: removed};
}

function merge(file: string, parts: PartialEdit[]): PartialEdit {
	return {
		path: file,
		action: 'edited',
		unified: parts.map(part => part.unified).filter(Boolean).join('\n'),
		lines_added: parts.reduce((sum, part) => sum + part.lines_added, 0),
		lines_removed: parts.reduce((sum, part) => sum + part.lines_removed, 0),
	};
}

type SearchReplaceBlock = {before: string; after: string; startLine?: number};

/**
 * Cline/Roo `<<<<<<< SEARCH … ======= … >>>>>>> REPLACE` blocks (newer Cline: `------- SEARCH … +++++++ REPLACE`).
 * Roo opens a search part with `:start_line:N` (and `:end_line:N`) and a `-------` line: a header, not text of the file.
 */
function searchReplaceBlocks(text: string): SearchReplaceBlock[] {
	const blocks: SearchReplaceBlock[] = [];
	const pattern = /(?:<{3,}|-{3,})\s*SEARCH\s*\n([\s\S]*?)\n?={3,}\s*\n([\s\S]*?)\n?(?:>{3,}|\+{3,})\s*REPLACE/g;
	const rooHeader = /^(?::start_line:\s*(\d+)[ \t]*\n)?(?::end_line:\s*\d+[ \t]*\n)?/;
	for (const match of text.matchAll(pattern)) {
		let before = match[1] ?? '';
		const header = rooHeader.exec(before);
		let startLine: number | undefined;
		if (header && header[0]) {
			startLine = header[1] ? Number(header[1]) : undefined;
			before = before.slice(header[0].length).replace(/^-{3,}[ \t]*(?:\n|$)/, '');
		}

		blocks.push({before, after: match[2] ?? '', ...(startLine && startLine > 0 ? {startLine} : {})});
	}

	return blocks;
}

/** Codex/Amp `*** Begin Patch` format: Add File / Update File / Delete File sections. */
export function parseApplyPatch(patch: string): PartialEdit[] {
	const edits: PartialEdit[] = [];
	let current: PartialEdit | undefined;
	const lines: string[] = [];
	const flush = () => {
		if (current) {
			current.unified = lines.join('\n');
			edits.push(current);
		}

		lines.length = 0;
	};

	for (const line of patch.split('\n')) {
		const header = /^\*\*\* (Add|Update|Delete) File: (.+)$/.exec(line);
		if (header) {
			flush();
			const action = header[1] === 'Add' ? 'created' : header[1] === 'Delete' ? 'deleted' : 'edited';
			current = {path: header[2]!.trim(), action, unified: '', lines_added: 0, lines_removed: 0};
			continue;
		}

		if (!current || line.startsWith('*** ')) {
			if (current && line.startsWith('*** Move to: ')) current.path = line.slice('*** Move to: '.length).trim();
			continue;
		}

		if (line.startsWith('@@')) lines.push(line);
		else if (line.startsWith('+')) {
			current.lines_added++;
			lines.push(line);
		} else if (line.startsWith('-')) {
			current.lines_removed++;
			lines.push(line);
		} else if (line.startsWith(' ')) lines.push(line);
	}

	flush();
	return edits;
}
