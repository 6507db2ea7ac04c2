/**
 * The Handoff screen: the session in view, the server login (with the exact command to run when there
 * is none) and this machine's bundle signing key; `n` hands the session to a teammate by email, `b`
 * writes a signed offline bundle; the handoffs received, Enter pulls one and shows what differs here.
 * Keys and engine calls: handoff-controller.ts.
 */
import {Box, Text} from 'ink';
import type {DlpResult} from '../engine/handoff-actions.js';
import type {AppState} from './app-state.js';
import {columnWidth, fit, oneLine, plainText, relativeTime, wrapText} from './format.js';
import type {HandoffForm, HandoffState} from './handoff-state.js';
import {computeLayout} from './layout.js';
import {TextField} from './text-field.js';
import {theme} from './theme.js';

type Line = {text: string; color?: string; bold?: boolean; dim?: boolean; /** Wrapped (errors, commands to copy) rather than cut. */ wrap?: boolean};

/** Breaks at spaces where it can (a word longer than the width is cut); continuation lines are indented. */
function wordWrap(text: string, width: number): string[] {
	const lead = /^ */.exec(text)![0];
	const indent = `${lead}  `;
	const out: string[] = [];
	let line = lead;
	for (const word of text.slice(lead.length).split(' ')) {
		const candidate = line.trim() ? `${line} ${word}` : `${line}${word}`;
		if (columnWidth(candidate) <= width || !line.trim()) line = candidate;
		else {
			out.push(line);
			line = `${indent}${word}`;
		}
	}

	out.push(line);
	return out.flatMap(each => (columnWidth(each) > width ? wrapText(each, width) : [each]));
}

/** Lines marked `wrap` become as many lines as they need; the others are cut with an ellipsis when drawn. */
function wrapLines(lines: Line[], columns: number): Line[] {
	return lines.flatMap(line => (line.wrap && columnWidth(line.text) > columns ? wordWrap(line.text, columns).map(text => ({...line, text})) : [line]));
}

/** "in 6d" for a time ahead; "expired" once it passed. */
function ahead(iso: string): string {
	const left = Date.parse(iso) - Date.now();
	if (Number.isNaN(left)) return '';
	return left <= 0 ? 'expired' : `in ${relativeTime(new Date(Date.now() - left).toISOString()).replace('now', 'under a minute')}`;
}

function dlpLine(dlp: DlpResult): Line {
	if (dlp.action === 'pass') return {text: '  DLP: nothing sensitive found', color: theme.success};
	const text = dlp.notices.map(notice => notice.replace(/^dlp: /, '')).join('; ') || dlp.action;
	return {text: `  DLP (${dlp.action}): ${text}`, color: theme.warning, wrap: true};
}

/** Header lines: the session, the login, the signing key. */
function statusLines(state: HandoffState): Line[] {
	const lines: Line[] = [];
	lines.push({text: `Handoff${state.sessionName ? ` · ${state.sessionName}${state.sessionId && state.sessionId !== state.sessionName ? ` (${state.sessionId})` : ''}` : ' · no session selected'}`, color: theme.accent, bold: true});
	const {login} = state;
	if (login.status !== 'ready') {
		lines.push(login.status === 'error' ? {text: `Server: ${login.error}`, color: theme.danger, wrap: true} : {text: 'Server: checking the login…', color: theme.muted});
		return lines;
	}

	const {value} = login;
	if (!value.logged_in) {
		lines.push({text: 'Server: not logged in. To hand off by email, run in a shell:', color: theme.warning});
		lines.push({text: `  ${value.login_command}`, bold: true, wrap: true});
		lines.push({text: `  (a new account: ${value.signup_command}; a server of your own: sfs server; then r here)`, color: theme.muted, wrap: true});
	} else if (value.reachable) lines.push({text: `Server: ${value.url} · logged in as ${value.email}`, color: theme.success});
	else lines.push({text: `Server: ${value.url} · ${value.email} · not answering: ${value.error}`, color: theme.danger, wrap: true});
	const key = value.signing_key;
	lines.push(key ? {text: `Bundle key: ${key.fingerprint}`, color: theme.muted} : {text: 'Bundle key: none yet (made by the first bundle)', color: theme.muted});
	return lines;
}

function outcomeLines(state: HandoffState): Line[] {
	const {outcome} = state;
	if (state.busy) return [{text: state.busy, color: theme.accent}];
	if (!outcome) return [];
	switch (outcome.kind) {
		case 'sent': {
			const {value} = outcome;
			return [
				{text: `✓ Handed off to ${value.to} as ${value.handoff_id} · expires ${value.expires_at} (${ahead(value.expires_at)})`, color: theme.success, bold: true},
				{text: `  url: ${value.url}`},
				{text: `  they run: sfs pull-handoff ${value.handoff_id}`},
				dlpLine(value.dlp),
			];
		}

		case 'bundle': {
			const {value} = outcome;
			return [
				{text: `✓ Wrote ${value.file}`, color: theme.success, bold: true},
				{text: `  signed by ${value.fingerprint}${value.sender ? ` (${value.sender})` : ''}`},
				{text: `  they run: sfs import ${value.file}`},
				dlpLine(value.dlp),
			];
		}

		case 'taken': {
			const {value} = outcome;
			const lines: Line[] = [
				{text: `✓ Pulled ${value.session_id} from ${value.from ?? 'unknown'} (${value.message_count} message(s), ${value.added} new)`, color: theme.success, bold: true},
			];
			if (value.message) lines.push({text: `  message: ${oneLine(value.message)}`});
			if (value.differences.length === 0) lines.push({text: `  workspace: same as the sender's (${value.folder})`, color: theme.success});
			for (const difference of value.differences) lines.push({text: `  differs: ${difference}`, color: theme.warning, wrap: true});
			lines.push({text: `  continue: sfs resume ${value.session_id} (or open it in Sessions and press l)`, color: theme.muted});
			return lines;
		}

		case 'failed': {
			const what = outcome.action === 'send' ? 'Handoff failed' : outcome.action === 'bundle' ? 'Bundle not written' : 'Pull failed';
			return [{text: `✗ ${what}: ${outcome.error}`, color: theme.danger, bold: true, wrap: true}];
		}
	}
}

function receivedLines(state: HandoffState, columns: number): Line[] {
	const {received, login} = state;
	if (login.status !== 'ready' || !login.value.logged_in) return [{text: 'Received: log in to see the handoffs sent to you.', color: theme.muted}];
	if (!login.value.reachable) return [];
	if (received.status === 'loading' && received.items.length === 0) return [{text: 'Received: loading…', color: theme.muted}];
	if (received.status === 'error') return [{text: `Received: ${received.error}`, color: theme.danger, wrap: true}];
	if (received.items.length === 0) return [{text: 'Received: no handoffs for you · r checks again', color: theme.muted}];
	const lines: Line[] = [{text: `Received (${received.items.length}) · Enter pulls the selected one · r checks again`, bold: true}];
	for (const [index, handoff] of received.items.entries()) {
		const mark = index === received.cursor ? '›' : ' ';
		const note = handoff.message ? `  “${oneLine(handoff.message)}”` : '';
		lines.push({text: fit(`${mark} ${handoff.handoff_id}  from ${handoff.from ?? 'unknown'}  ${handoff.session_id}${note}  expires ${ahead(handoff.expires_at)}`, columns), bold: index === received.cursor});
	}

	return lines;
}

const FIELD_LABELS = {to: 'To (email)', file: 'Bundle file', message: 'Message (optional)'} as const;

function FormBox({form, width, busy}: {form: HandoffForm; width: number; busy: boolean}) {
	const first = form.kind === 'send' ? ('to' as const) : ('file' as const);
	const firstInput = form.kind === 'send' ? form.to : form.file;
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.accent} width={width} flexShrink={0}>
			<Text bold wrap="truncate">{form.kind === 'send' ? 'Hand this session to a teammate (through the server)' : 'Write a signed bundle file (offline handoff)'}</Text>
			<Text wrap="truncate">
				{fit(`${FIELD_LABELS[first]}:`, 20, true)}
				<TextField state={firstInput} focused={form.field === first} placeholder={first === 'to' ? 'ana@example.com' : 'handoff.sfs-bundle'} />
			</Text>
			<Text wrap="truncate">
				{fit(`${FIELD_LABELS.message}:`, 20, true)}
				<TextField state={form.message} focused={form.field === 'message'} placeholder={form.field === 'message' ? 'what they should know' : ''} />
			</Text>
			{form.error ? <Text color={theme.danger}>{form.error}</Text> : null}
			<Text color={theme.muted}>{busy ? 'Working…' : form.field === 'message' ? 'Enter sends · Esc cancels' : 'Enter next · Esc cancels'}</Text>
		</Box>
	);
}

function Lines({lines}: {lines: Line[]}) {
	return (
		<>
			{lines.map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={line.color} bold={line.bold} dimColor={line.dim}>
					{plainText(line.text) || ' '}
				</Text>
			))}
		</>
	);
}

export function HandoffScreen({state, handoff}: {state: AppState; handoff: HandoffState}) {
	const {columns} = state.size;
	const rows = computeLayout(state.size).bodyRows;
	let head = wrapLines(statusLines(handoff), columns);
	const actions: Line[] = handoff.sessionId
		? [
				{text: '  n  hand this session to a teammate by email (through the server)'},
				{text: '  b  write a signed bundle file (offline, no server needed)'},
			]
		: [{text: '  No session selected: pick one in Sessions (1), then press 4.', color: theme.muted}];
	const outcome = wrapLines(outcomeLines(handoff), columns);
	const formRows = handoff.form ? 6 + (handoff.form.error ? 1 : 0) : 0; // the box: two borders, title, two fields, hint
	const received = wrapLines(receivedLines(handoff, columns), columns);
	// A short terminal: the login/key lines give way first (the form, the outcome and the list are what the keys act on).
	const headRoom = rows - (1 + actions.length + 1 + formRows + (outcome.length > 0 ? outcome.length + 1 : 0) + Math.min(received.length, 2));
	if (head.length > headRoom) {
		head = headRoom >= 2 ? [...head.slice(0, headRoom - 1), {text: '  … (a taller terminal shows the rest)', color: theme.muted}] : head.slice(0, Math.max(1, headRoom));
	}

	const used = head.length + 1 + actions.length + 1 + formRows + (outcome.length > 0 ? outcome.length + 1 : 0);
	// The received list takes what is left; the selected entry stays in view.
	const room = Math.max(1, rows - used);
	let shown = received;
	if (received.length > room) {
		const title = received[0]!;
		const items = received.slice(1);
		const visible = Math.max(1, room - 1);
		const start = Math.min(Math.max(0, handoff.received.cursor - visible + 1), Math.max(0, items.length - visible));
		shown = [title, ...items.slice(start, start + visible)];
	}

	return (
		<Box flexDirection="column" width={columns} height={rows} overflow="hidden">
			{/* flexShrink 0: anything still taller than the box is clipped at the bottom; shrinking would draw lines over each other. */}
			<Box flexDirection="column" flexShrink={0}>
			<Lines lines={head} />
			<Text> </Text>
			<Lines lines={actions} />
			{handoff.form ? <FormBox form={handoff.form} width={Math.min(90, columns)} busy={handoff.busy !== undefined} /> : null}
			<Text> </Text>
			{outcome.length > 0 ? (
				<>
					<Lines lines={outcome} />
					<Text> </Text>
				</>
			) : null}
			<Lines lines={shown} />
			</Box>
		</Box>
	);
}
