import {describe, expect, test} from 'vitest';
import {extractFileEdits} from '../../source/engine/file-edits.js';
import type {Message} from '../../source/engine/types.js';

const at = '2026-01-01T00:00:00.000Z';
const call = (id: string, name: string, input: Record<string, unknown>): Message => ({msg_id: `m-${id}`, role: 'assistant', timestamp: at, content: [{type: 'tool_use', tool_use_id: id, name, input}]});
const result = (id: string, isError = false): Message => ({msg_id: `r-${id}`, role: 'tool', timestamp: at, content: [{type: 'tool_result', tool_use_id: id, content: isError ? 'failed' : 'ok', is_error: isError}]});

describe('extractFileEdits', () => {
	test('Claude Edit, MultiEdit and Write', () => {
		const edits = extractFileEdits([
			call('1', 'Edit', {file_path: 'src/a.ts', old_string: 'const a = 1;\n', new_string: 'const a = 2;\nconst b = 3;\n'}),
			result('1'),
			call('2', 'MultiEdit', {file_path: 'src/b.ts', edits: [{old_string: 'x', new_string: 'y'}, {old_string: 'p\nq', new_string: 'p'}]}),
			call('3', 'Write', {file_path: 'README.md', content: 'one\ntwo\n'}),
			result('3', true),
		]);
		expect(edits.map(edit => [edit.path, edit.action, edit.lines_added, edit.lines_removed, edit.failed])).toEqual([
			['src/a.ts', 'edited', 2, 1, false],
			['src/b.ts', 'edited', 2, 3, false],
			['README.md', 'written', 2, 0, true],
		]);
		expect(edits[0]!.unified).toContain('-const a = 1;');
		expect(edits[0]!.unified).toContain('+const b = 3;');
	});

	test("Roo apply_diff: the :start_line:/:end_line: header and its ------- line are not file text; hunks carry the file's line numbers", () => {
		const diff = ['<<<<<<< SEARCH', ':start_line:3', ':end_line:3', '-------', 'export function fmtDate(d: Date) {', '=======', 'export function formatDate(d: Date) {', '>>>>>>> REPLACE'].join('\n');
		const [edit] = extractFileEdits([call('r1', 'apply_diff', {path: 'src/utils.ts', diff})]);
		expect(edit!.unified.split('\n')).toEqual(['@@ -3,1 +3,1 @@', '-export function fmtDate(d: Date) {', '+export function formatDate(d: Date) {']);
		expect([edit!.lines_added, edit!.lines_removed]).toEqual([1, 1]);

		// Without a header a leading ------- line is the file's own text (a Markdown rule), kept as such.
		const [plain] = extractFileEdits([call('r2', 'apply_diff', {path: 'notes.md', diff: '<<<<<<< SEARCH\n-------\nold\n=======\nnew\n>>>>>>> REPLACE'})]);
		expect(plain!.unified).toContain('--------');
		expect(plain!.lines_removed).toBe(2);
	});

	test('Codex apply_patch with add, update and delete sections', () => {
		const patch = ['*** Begin Patch', '*** Add File: hello.txt', '+hi', '+there', '*** Update File: src/x.py', '@@ def f():', '-    return 1', '+    return 2', '*** Delete File: old.txt', '*** End Patch'].join('\n');
		const edits = extractFileEdits([call('p', 'apply_patch', {input: patch})]);
		expect(edits.map(edit => [edit.path, edit.action, edit.lines_added, edit.lines_removed])).toEqual([
			['hello.txt', 'created', 2, 0],
			['src/x.py', 'edited', 1, 1],
			['old.txt', 'deleted', 0, 0],
		]);
	});

	test('Gemini replace/write_file, Copilot str_replace_editor, Cline replace_in_file; unrelated tools ignored', () => {
		const edits = extractFileEdits([
			call('g1', 'replace', {file_path: '/w/a.go', old_string: 'a', new_string: 'b'}),
			call('g2', 'write_file', {file_path: '/w/new.go', content: 'package main\n'}),
			call('c1', 'str_replace_editor', {command: 'create', path: 'n.txt', file_text: 'x\ny\n'}),
			call('k1', 'replace_in_file', {path: 'k.js', diff: '<<<<<<< SEARCH\nold()\n=======\nnew()\n>>>>>>> REPLACE'}),
			call('b1', 'Bash', {command: 'ls'}),
		]);
		expect(edits.map(edit => [edit.path, edit.action, edit.lines_added, edit.lines_removed])).toEqual([
			['/w/a.go', 'edited', 1, 1],
			['/w/new.go', 'written', 1, 0],
			['n.txt', 'created', 2, 0],
			['k.js', 'edited', 1, 1],
		]);
	});
});
