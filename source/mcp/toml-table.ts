/**
 * Textual editing of one `[a.b]` table in a TOML file (Codex's config.toml), leaving every other
 * byte of the file as it was. No TOML library is installed, so this is a line scanner that knows
 * enough TOML to be safe: comments, basic and literal strings (also multi-line), and arrays or
 * inline tables spanning lines. What it cannot read is reported as malformed and not touched.
 */
import {SfsError} from '../engine/errors.js';

type Line = {text: string; kind: 'header' | 'key' | 'blank' | 'comment' | 'continuation'; table: string[]; key?: string[]};

const BARE = /^[A-Za-z0-9_-]+/;

/** Parses a dotted key (`a."b.c".d`) at the start of `text`; returns the parts and the rest. */
function readKey(text: string): {parts: string[]; rest: string} | undefined {
	const parts: string[] = [];
	let rest = text.trimStart();
	for (;;) {
		let part: string | undefined;
		if (rest.startsWith('"')) {
			const match = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
			if (!match) return undefined;
			try {
				part = JSON.parse(`"${match[1]}"`) as string;
			} catch {
				return undefined;
			}

			rest = rest.slice(match[0].length);
		} else if (rest.startsWith("'")) {
			const end = rest.indexOf("'", 1);
			if (end === -1) return undefined;
			part = rest.slice(1, end);
			rest = rest.slice(end + 1);
		} else {
			const match = BARE.exec(rest);
			if (!match) return undefined;
			part = match[0];
			rest = rest.slice(part.length);
		}

		parts.push(part);
		rest = rest.trimStart();
		if (!rest.startsWith('.')) return {parts, rest};
		rest = rest.slice(1).trimStart();
	}
}

/**
 * How a value continues past its line: the open multi-line string delimiter, and the bracket depth
 * of arrays / inline tables, after scanning `text` from the given state.
 */
function scanValue(text: string, state: {string?: '"""' | "'''"; depth: number}): {string?: '"""' | "'''"; depth: number} | undefined {
	let {string, depth} = state;
	let index = 0;
	while (index < text.length) {
		if (string) {
			const end = text.indexOf(string, index);
			if (end === -1) return {string, depth};
			// A basic multi-line string may escape the quote: skip an odd run of backslashes before it.
			if (string === '"""') {
				let slashes = 0;
				for (let at = end - 1; at >= index && text[at] === '\\'; at--) slashes++;
				if (slashes % 2 === 1) {
					index = end + 1;
					continue;
				}
			}

			index = end + 3;
			while (text[index] === string[0]) index++; // Up to two quotes may end the content.
			string = undefined;
			continue;
		}

		const char = text[index]!;
		if (char === '#') break;
		if (text.startsWith('"""', index) || text.startsWith("'''", index)) {
			string = text.slice(index, index + 3) as '"""' | "'''";
			index += 3;
			continue;
		}

		if (char === '"') {
			const match = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(index));
			if (!match) return undefined;
			index += match[0].length;
			continue;
		}

		if (char === "'") {
			const end = text.indexOf("'", index + 1);
			if (end === -1) return undefined;
			index = end + 1;
			continue;
		}

		if (char === '[' || char === '{') depth++;
		if (char === ']' || char === '}') depth--;
		if (depth < 0) return undefined;
		index++;
	}

	return {string, depth};
}

/** Classifies every line; throws USAGE-free IO errors for text it cannot read as TOML. */
export function scanToml(text: string, file: string): Line[] {
	const lines: Line[] = [];
	let table: string[] = [];
	let open: {string?: '"""' | "'''"; depth: number} = {depth: 0};
	const seen = new Set<string>();
	const bad = (number: number, why: string) =>
		new SfsError('INVALID_SESSION', `${file} is not valid TOML (line ${number}: ${why}); left as it was`, {hint: 'fix the file (or restore its backup) and run again'});
	for (const [at, text_] of text.split('\n').entries()) {
		const number = at + 1;
		if (open.string || open.depth > 0) {
			const next = scanValue(text_, open);
			if (!next) throw bad(number, 'unreadable value');
			open = next;
			lines.push({text: text_, kind: 'continuation', table});
			continue;
		}

		const trimmed = text_.trim();
		if (trimmed === '') {
			lines.push({text: text_, kind: 'blank', table});
			continue;
		}

		if (trimmed.startsWith('#')) {
			lines.push({text: text_, kind: 'comment', table});
			continue;
		}

		if (trimmed.startsWith('[')) {
			const isArray = trimmed.startsWith('[[');
			const key = readKey(trimmed.slice(isArray ? 2 : 1));
			const close = isArray ? ']]' : ']';
			if (!key || !key.rest.startsWith(close) || !/^\s*(#.*)?$/.test(key.rest.slice(close.length))) throw bad(number, 'unreadable table header');
			table = key.parts;
			const id = JSON.stringify(table);
			if (!isArray) {
				if (seen.has(id)) throw bad(number, `table [${table.join('.')}] defined twice`);
				seen.add(id);
			}

			lines.push({text: text_, kind: 'header', table});
			continue;
		}

		const key = readKey(trimmed);
		if (!key || !key.rest.startsWith('=')) throw bad(number, 'expected key = value');
		const value = key.rest.slice(1);
		if (value.trim() === '') throw bad(number, 'missing value');
		const next = scanValue(value, {depth: 0});
		if (!next) throw bad(number, 'unreadable value');
		open = next;
		lines.push({text: text_, kind: 'key', table, key: key.parts});
	}

	if (open.string) throw bad(lines.length, 'unterminated multi-line string');
	if (open.depth > 0) throw bad(lines.length, 'unterminated array or inline table');
	return lines;
}

const startsWith = (list: string[], prefix: string[]) => prefix.every((part, index) => list[index] === part);

/** Where `[path]` and its sub-tables are defined; throws when the table is defined in a way this editor does not rewrite. */
function locate(lines: Line[], tablePath: string[], file: string): {header: number; end: number} | undefined {
	let header = -1;
	for (const [index, line] of lines.entries()) {
		// `mcp_servers.sfs = {…}` or `sfs.command = …` under [mcp_servers]: valid TOML, but not ours to rewrite.
		if (line.kind === 'key' && line.key && startsWith([...line.table, ...line.key], tablePath) && line.table.length < tablePath.length) {
			throw new SfsError('CONFLICT', `${file} defines ${tablePath.join('.')} with dotted keys or an inline table; left as it was`, {
				hint: `replace it with a [${tablePath.join('.')}] table, or edit it by hand`,
			});
		}

		if (line.kind === 'header' && JSON.stringify(line.table) === JSON.stringify(tablePath)) header = index;
	}

	if (header === -1) return undefined;
	let end = header + 1;
	while (end < lines.length && !(lines[end]!.kind === 'header' && !startsWith(lines[end]!.table, tablePath))) end++;
	// Trailing blank lines and comments belong to whatever follows.
	while (end > header + 1 && (lines[end - 1]!.kind === 'blank' || lines[end - 1]!.kind === 'comment')) end--;
	return {header, end};
}

export function tomlString(value: string): string {
	return JSON.stringify(value);
}

export function tomlArray(values: string[]): string {
	return `[${values.map(value => tomlString(value)).join(', ')}]`;
}

/**
 * The file with `[tablePath]` holding `values` (TOML value texts by key; undefined removes the key):
 * those keys are set, the table's other keys and sub-tables kept. A missing table goes right after
 * its parent table when there is one (`[a.b.env]` after `[a.b]`), else at the end.
 */
export function upsertTomlTable(text: string, tablePath: string[], values: Record<string, string | undefined>, file: string): string {
	const lines = scanToml(text, file);
	const found = locate(lines, tablePath, file);
	const assignments = Object.entries(values).filter(([, value]) => value !== undefined).map(([key, value]) => `${key} = ${value}`);
	const header = `[${tablePath.join('.')}]`;
	if (!found) {
		const parent = tablePath.length > 1 ? locate(lines, tablePath.slice(0, -1), file) : undefined;
		if (parent) {
			const after = lines.slice(parent.end).map(line => line.text);
			const gap = after.length > 0 && after[0]!.trim() !== '' ? [''] : [];
			return [...lines.slice(0, parent.end).map(line => line.text), '', header, ...assignments, ...gap, ...after].join('\n');
		}

		const body = text.length === 0 ? '' : text.endsWith('\n\n') ? text : text.endsWith('\n') ? `${text}\n` : `${text}\n\n`;
		return `${body}${header}\n${assignments.join('\n')}\n`;
	}

	const kept: string[] = [];
	let dropping = false;
	for (let index = found.header + 1; index < found.end; index++) {
		const line = lines[index]!;
		if (line.kind === 'continuation') {
			if (!dropping) kept.push(line.text);
			continue;
		}

		dropping = line.kind === 'key' && line.table.length === tablePath.length && line.key!.length === 1 && Object.hasOwn(values, line.key![0]!);
		if (!dropping) kept.push(line.text);
	}

	const out = [
		...lines.slice(0, found.header + 1).map(line => line.text),
		...assignments,
		...kept,
		...lines.slice(found.end).map(line => line.text),
	];
	return out.join('\n');
}

/** The file without `[tablePath]` and its sub-tables (unchanged when it has none). */
export function removeTomlTable(text: string, tablePath: string[], file: string): string {
	const lines = scanToml(text, file);
	const found = locate(lines, tablePath, file);
	if (!found) return text;
	const before = lines.slice(0, found.header).map(line => line.text);
	const after = lines.slice(found.end).map(line => line.text);
	// Drop the blank line that separated the table from what came before, when what follows is blank too.
	while (before.length > 0 && before.at(-1)!.trim() === '' && (after.length === 0 || after[0]!.trim() === '')) before.pop();
	// Removed from the top of the file: no blank lines left in front of what follows.
	if (before.length === 0) while (after.length > 1 && after[0]!.trim() === '') after.shift();
	return [...before, ...after].join('\n');
}

/** The text of `key`'s value in `[tablePath]` (single-line values only), for reporting. */
export function readTomlTable(text: string, tablePath: string[], file: string): Record<string, string> | undefined {
	const lines = scanToml(text, file);
	const found = locate(lines, tablePath, file);
	if (!found) return undefined;
	const values: Record<string, string> = {};
	for (let index = found.header + 1; index < found.end; index++) {
		const line = lines[index]!;
		if (line.kind !== 'key' || line.table.length !== tablePath.length || line.key!.length !== 1) continue;
		const value = line.text.slice(line.text.indexOf('=') + 1).trim();
		const multiLine = lines[index + 1]?.kind === 'continuation';
		values[line.key![0]!] = multiLine ? `${value}…` : withoutComment(value);
	}

	return values;
}

/** A single-line value without its trailing comment (a `#` inside a string is the string's). */
function withoutComment(value: string): string {
	const string = /^(?:"(?!"")(?:[^"\\]|\\.)*"|'(?!'')[^']*')/.exec(value);
	return string ? string[0] : value.replace(/\s+#.*$/, '');
}

/** The string a one-line TOML string value holds (basic or literal); undefined for anything else. */
export function tomlStringValue(value: string): string | undefined {
	if (/^'[^'\n]*'$/.test(value)) return value.slice(1, -1);
	if (!/^"(?:[^"\\]|\\.)*"$/.test(value)) return undefined;
	// TOML's basic-string escapes are JSON's plus \e and \UXXXXXXXX.
	const json = value.replaceAll(/\\(\\|e|U([0-9A-Fa-f]{8}))/g, (whole, kind: string, code?: string) => {
		if (kind === '\\') return whole;
		if (kind === 'e') return '\\u001b';
		return JSON.stringify(String.fromCodePoint(Number.parseInt(code!, 16))).slice(1, -1);
	});
	try {
		return JSON.parse(json) as string;
	} catch {
		return undefined;
	}
}
