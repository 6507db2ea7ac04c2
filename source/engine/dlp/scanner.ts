/**
 * The scanner: finds secrets and personal data in a string, or in every string of a session
 * (manifest, messages with tool inputs and results, workspace, tools), and says where. A finding
 * never carries the matched value: only its kind, pattern, place and a masked excerpt.
 */
import {isPlaceholder, looksRandom} from './checks.js';
import type {FindingKind, PatternSpec} from './pattern-types.js';
import {PERSONAL_PATTERNS} from './personal-patterns.js';
import {SECRET_KEY_NAME, SECRET_PATTERNS} from './secret-patterns.js';
import type {Message, Session} from '../types.js';

export type {FindingKind} from './pattern-types.js';

/** Bumped when patterns change, so stored findings are recomputed. */
export const SCANNER_VERSION = 1;

export const ALL_PATTERNS: PatternSpec[] = [...SECRET_PATTERNS, ...PERSONAL_PATTERNS];

/** A match inside one string: offsets of the sensitive part. */
export type TextMatch = {kind: FindingKind; pattern: string; start: number; end: number; reveal: number};

export type Finding = {
	kind: FindingKind;
	pattern: string;
	/** The message it is in; null for the manifest, workspace or tools. */
	msg_id: string | null;
	/** Where in the session, e.g. `messages[3].content[1].input.command` or `manifest.title`. */
	location: string;
	/** The surroundings with every sensitive value masked. */
	excerpt: string;
};

/** A key-value pair such as `{"password": "…"}` whose value matched no pattern is still a secret when it looks random. */
const SECRET_FIELD: PatternSpec = {id: 'secret-field', kind: 'secret', description: 'Random value under a secret-named key', regex: /(?<v>.+)/dgs};

export function placeholderFor(pattern: string): string {
	return `[REDACTED:${pattern}]`;
}

/** Every sensitive value in `text`, in order, without overlaps (secrets win over personal data, then the longer match). */
export function matchText(text: string, patterns: PatternSpec[] = ALL_PATTERNS): TextMatch[] {
	if (text.length < 6) return [];
	const lower = text.toLowerCase();
	const found: TextMatch[] = [];
	for (const pattern of patterns) {
		if (pattern.keywords && !pattern.keywords.some(word => lower.includes(word))) continue;
		pattern.regex.lastIndex = 0;
		for (let match = pattern.regex.exec(text); match; match = pattern.regex.exec(text)) {
			if (match[0].length === 0) {
				pattern.regex.lastIndex++;
				continue;
			}

			const span = match.indices?.groups?.v ?? match.indices?.[0];
			if (!span) continue;
			const [start, end] = span;
			if (end <= start) continue;
			const value = text.slice(start, end);
			if (pattern.validate && !pattern.validate(value, match, text)) continue;
			found.push({kind: pattern.kind, pattern: pattern.id, start, end, reveal: Math.min(pattern.reveal ?? 0, end - start)});
		}
	}

	return withoutOverlaps(found);
}

function withoutOverlaps(matches: TextMatch[]): TextMatch[] {
	const ranked = [...matches].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'secret' ? -1 : 1) || b.end - b.start - (a.end - a.start) || a.start - b.start);
	const kept: TextMatch[] = [];
	for (const match of ranked) if (!kept.some(other => match.start < other.end && other.start < match.end)) kept.push(match);
	return kept.sort((a, b) => a.start - b.start);
}

/** `text` with each match replaced by its typed placeholder. */
export function redactMatches(text: string, matches: TextMatch[]): string {
	let out = '';
	let at = 0;
	for (const match of matches) {
		out += text.slice(at, match.start) + placeholderFor(match.pattern);
		at = match.end;
	}

	return out + text.slice(at);
}

const EXCERPT_CONTEXT = 24;

/** A one-line excerpt around `matches[index]`: its public prefix and stars, the context redacted. */
export function maskedExcerpt(text: string, matches: TextMatch[], index: number): string {
	const match = matches[index]!;
	const left = redactWindow(text, matches, Math.max(0, match.start - EXCERPT_CONTEXT), match.start);
	const right = redactWindow(text, matches, match.end, Math.min(text.length, match.end + EXCERPT_CONTEXT));
	const masked = text.slice(match.start, match.start + match.reveal) + '*'.repeat(Math.min(12, Math.max(4, match.end - match.start - match.reveal)));
	const line = `${match.start - EXCERPT_CONTEXT > 0 ? '…' : ''}${left}${masked}${right}${match.end + EXCERPT_CONTEXT < text.length ? '…' : ''}`;
	return line.replaceAll(/\s+/g, ' ');
}

/** text[from, to) with any match that touches the window replaced by its placeholder. */
function redactWindow(text: string, matches: TextMatch[], from: number, to: number): string {
	let out = '';
	let at = from;
	for (const match of matches) {
		if (match.end <= from || match.start >= to) continue;
		if (match.start > at) out += text.slice(at, match.start);
		out += placeholderFor(match.pattern);
		at = Math.max(at, match.end);
	}

	return at < to ? out + text.slice(at, to) : out;
}

export type TextScan = {matches: TextMatch[]; findings: Finding[]; redacted: string};

/** Scans one string; findings get `location` and `msg_id` as given. */
export function scanText(text: string, where: {msg_id?: string | null; location?: string} = {}, patterns?: PatternSpec[]): TextScan {
	const matches = matchText(text, patterns);
	const findings = matches.map((match, index) => ({
		kind: match.kind,
		pattern: match.pattern,
		msg_id: where.msg_id ?? null,
		location: where.location ?? 'text',
		excerpt: maskedExcerpt(text, matches, index),
	}));
	return {matches, findings, redacted: matches.length > 0 ? redactMatches(text, matches) : text};
}

type Visit = (text: string, location: string, key: string | undefined) => string;

/** Copies `value`, passing every string (not keys) through `visit`; unchanged subtrees are shared. */
function mapStrings(value: unknown, location: string, key: string | undefined, visit: Visit): unknown {
	if (typeof value === 'string') return visit(value, location, key);
	if (Array.isArray(value)) {
		let changed = false;
		const out = value.map((item, index) => {
			const next = mapStrings(item, `${location}[${index}]`, key, visit);
			if (next !== item) changed = true;
			return next;
		});
		return changed ? out : value;
	}

	if (value && typeof value === 'object') {
		let changed = false;
		const out: Record<string, unknown> = {};
		for (const [name, item] of Object.entries(value)) {
			const next = mapStrings(item, /^[A-Za-z_$][\w$]*$/.test(name) ? `${location}.${name}` : `${location}[${JSON.stringify(name)}]`, name, visit);
			if (next !== item) changed = true;
			out[name] = next;
		}

		return changed ? out : value;
	}

	return value;
}

/** Scans a string that sits under `key`: a random value under a secret-named key is a finding even when no pattern matched it. */
function scanField(text: string, key: string | undefined, where: {msg_id: string | null; location: string}): TextScan {
	const scan = scanText(text, where);
	if (scan.matches.length > 0 || !key || !SECRET_KEY_NAME.test(key)) return scan;
	const value = text.trim();
	if (value.length > 256 || /\s/.test(value) || isPlaceholder(value) || !looksRandom(value, {minLength: 12, minEntropy: 3.3, minClasses: 2})) return scan;
	const start = text.indexOf(value);
	const match: TextMatch = {kind: SECRET_FIELD.kind, pattern: SECRET_FIELD.id, start, end: start + value.length, reveal: 0};
	return {matches: [match], findings: [{kind: match.kind, pattern: match.pattern, ...where, excerpt: `${key}: ${maskedExcerpt(text, [match], 0)}`}], redacted: redactMatches(text, [match])};
}

export type SessionScan = {findings: Finding[]; secrets: number; personal: number};

/** What a session holds that `kinds` care about, and (when `redactKinds` is given) a copy with those kinds redacted. */
export function scanSession(session: Session, options: {redactKinds?: FindingKind[]} = {}): SessionScan & {redacted: Session} {
	const findings: Finding[] = [];
	const redactKinds = new Set(options.redactKinds ?? []);
	const visitor =
		(msgId: string | null): Visit =>
		(text, location, key) => {
			const scan = scanField(text, key, {msg_id: msgId, location});
			if (scan.findings.length === 0) return text;
			findings.push(...scan.findings);
			if (redactKinds.size === 0) return text;
			const chosen = scan.matches.filter(match => redactKinds.has(match.kind));
			return chosen.length > 0 ? redactMatches(text, chosen) : text;
		};

	const manifest = mapStrings(session.manifest, 'manifest', undefined, visitor(null)) as Session['manifest'];
	const messages = session.messages.map((message, index) => mapStrings(message, `messages[${index}]`, undefined, visitor(messageId(message))) as Message);
	const workspace = session.workspace === undefined ? undefined : (mapStrings(session.workspace, 'workspace', undefined, visitor(null)) as Session['workspace']);
	const tools = session.tools === undefined ? undefined : (mapStrings(session.tools, 'tools', undefined, visitor(null)) as Session['tools']);
	const redacted: Session = {...session, manifest, messages};
	if (workspace !== undefined) redacted.workspace = workspace;
	if (tools !== undefined) redacted.tools = tools;
	return {findings, secrets: findings.filter(f => f.kind === 'secret').length, personal: findings.filter(f => f.kind === 'personal').length, redacted};
}

/** Scans any JSON value (a native record, a config file); `location` names its root. */
export function scanValue(value: unknown, location = '$', msgId: string | null = null): Finding[] {
	const findings: Finding[] = [];
	mapStrings(value, location, undefined, (text, where, key) => {
		findings.push(...scanField(text, key, {msg_id: msgId, location: where}).findings);
		return text;
	});
	return findings;
}

/** Scans messages alone (a checkpoint's copy), with the same locations as in the session. */
export function scanMessages(messages: Message[], redactKinds: FindingKind[] = []): {findings: Finding[]; messages: Message[]} {
	const scan = scanSession({manifest: {} as Session['manifest'], messages}, {redactKinds});
	return {findings: scan.findings, messages: scan.redacted.messages};
}

function messageId(message: Message): string | null {
	return typeof message?.msg_id === 'string' ? message.msg_id : null;
}
