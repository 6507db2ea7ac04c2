/**
 * The managed block in a compiled file: everything between the two marker lines is sfs's, everything
 * outside is the user's and is never touched. The begin marker carries the hash of the block's content,
 * so a hand edit inside the markers can be told apart from rules that changed.
 */
import {sha256} from './canonical.js';

const BEGIN = '<!-- sfs:rules:begin';
const END = '<!-- sfs:rules:end -->';

export function blockHash(content: string): string {
	return sha256(content).slice(0, 16);
}

/** The block for `content` (which ends with a newline, or is empty). */
export function renderBlock(content: string): string {
	return `${BEGIN} sha256=${blockHash(content)} (managed by sfs: edit .sfs/rules/, then run sfs rules compile) -->\n${content}${END}\n`;
}

export type ParsedBlock =
	| {kind: 'none'}
	/** A begin marker without its end (or the reverse): not safe to rewrite. */
	| {kind: 'broken'}
	| {kind: 'block'; before: string; after: string; content: string; recordedHash: string | undefined};

export function parseBlock(text: string): ParsedBlock {
	const begin = findLine(text, BEGIN, 0);
	const endAnywhere = findLine(text, END, 0);
	if (begin === -1) return endAnywhere === -1 ? {kind: 'none'} : {kind: 'broken'};
	const beginLineEnd = text.indexOf('\n', begin);
	if (beginLineEnd === -1) return {kind: 'broken'};
	const end = findLine(text, END, beginLineEnd + 1);
	if (end === -1) return {kind: 'broken'};
	const endLineEnd = text.indexOf('\n', end);
	const beginLine = text.slice(begin, beginLineEnd);
	return {
		kind: 'block',
		before: text.slice(0, begin),
		after: endLineEnd === -1 ? '' : text.slice(endLineEnd + 1),
		content: text.slice(beginLineEnd + 1, end).replace(/\r\n/g, '\n'),
		recordedHash: /sha256=([0-9a-f]{8,64})/.exec(beginLine)?.[1],
	};
}

/** Index of the first line (at or after `from`) that starts with `prefix`, or -1. */
function findLine(text: string, prefix: string, from: number): number {
	let at = from;
	while (at <= text.length) {
		if (text.startsWith(prefix, at)) return at;
		const next = text.indexOf('\n', at);
		if (next === -1) return -1;
		at = next + 1;
	}

	return -1;
}
