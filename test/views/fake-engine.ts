/**
 * A fake TuiEngine for view tests: in-memory rows and sessions, recorded calls, and hooks to emit
 * capture progress and "sessions changed" like the real engine would.
 */
import type {Message, ResumeTarget} from '../../source/engine/types.js';
import type {
	CaptureProgress,
	CaptureStatus,
	ExportFormat,
	FileDiff,
	LaunchSpec,
	ResumePlan,
	SearchHit,
	SearchOptions,
	SessionComparison,
	SessionDetail,
	SessionQuery,
	SessionRow,
	SourceLooked,
	TmuxKind,
	TuiEngine,
} from '../../source/views/engine-context.js';

const BASE = Date.parse('2026-11-25T12:00:00Z');
const TOOLS = ['claude-code', 'codex', 'gemini', 'copilot'];

/** Rows "session 001" … newest first (001 updated most recently), tools in rotation. */
export function makeRow(index: number, overrides: Partial<SessionRow> = {}): SessionRow {
	const n = String(index).padStart(3, '0');
	return {
		session_id: `sess-${n}`,
		alias: null,
		title: `session ${n}`,
		tool: TOOLS[(index - 1) % TOOLS.length]!,
		native_id: `native-${n}`,
		cwd: `/home/dev/project-${index % 3}`,
		model: 'model-x',
		created_at: new Date(BASE - index * 3_600_000).toISOString(),
		updated_at: new Date(BASE - index * 60_000).toISOString(),
		message_count: index * 2,
		input_tokens: index * 1000,
		output_tokens: index * 100,
		tags: [],
		parent_session_id: null,
		is_subagent: false,
		is_headless: false,
		first_prompt: `prompt number ${n}`,
		...overrides,
	};
}

export function makeRows(count: number): SessionRow[] {
	return Array.from({length: count}, (_, index) => makeRow(index + 1));
}

/** A small conversation: prompt, thinking + a Bash tool call, its result, an answer; then more turns. */
export function makeDetail(row: SessionRow, extraTurns = 0): SessionDetail {
	const t = (minute: number) => new Date(BASE + minute * 60_000).toISOString();
	const messages: Message[] = [
		{msg_id: 'm1', role: 'user', timestamp: t(0), content: [{type: 'text', text: `Please fix the flaky login test in ${row.title}`}]},
		{
			msg_id: 'm2',
			role: 'assistant',
			timestamp: t(1),
			model: 'claude-x',
			content: [
				{type: 'thinking', text: 'SECRET-THOUGHT: the test races the token refresh'},
				{type: 'text', text: 'Let me run the tests first.'},
				{type: 'tool_use', tool_use_id: 'tu1', name: 'Bash', input: {command: 'npm test -- login'}},
			],
		},
		{msg_id: 'm3', role: 'user', timestamp: t(2), content: [{type: 'tool_result', tool_use_id: 'tu1', content: 'FAIL login.test.ts\nTOOL-OUTPUT-LINE expected 200 got 401'}]},
		{msg_id: 'm4', role: 'assistant', timestamp: t(3), content: [{type: 'text', text: 'The login test fails because the token expires. I will patch the refresh.'}]},
	];
	for (let turn = 0; turn < extraTurns; turn++) {
		messages.push(
			{msg_id: `u${turn}`, role: 'user', timestamp: t(10 + turn * 2), content: [{type: 'text', text: `follow-up question ${turn}`}]},
			{msg_id: `a${turn}`, role: 'assistant', timestamp: t(11 + turn * 2), content: [{type: 'text', text: `answer ${turn}${turn % 5 === 4 ? ' mentions login again' : ''}`}]},
		);
	}

	return {
		manifest: {sfs_version: '0.1.0', session_id: row.session_id, title: row.title, created_at: row.created_at, updated_at: row.updated_at, source: {tool: row.tool}},
		messages,
	};
}

export type Call = {method: string; args: unknown[]};

export class FakeEngine implements TuiEngine {
	calls: Call[] = [];
	hits: SearchHit[] = [];
	files: FileDiff[] = [];
	sources: SourceLooked[] = [
		{tool: 'claude-code', path: '/home/dev/.claude/projects', exists: false, sessions: 0},
		{tool: 'codex', path: '/home/dev/.codex/sessions', exists: true, sessions: 0},
	];
	tmux = false;
	status: CaptureStatus;
	clipboard: boolean | undefined = undefined;
	private readonly progressListeners = new Set<(progress: CaptureProgress) => void>();
	private readonly changeListeners = new Set<() => void>();
	/** Extra turns per session detail (long sessions for paging tests). */
	extraTurns = 0;

	constructor(
		public rows: SessionRow[],
		options: {captureState?: CaptureStatus} = {},
	) {
		this.status = options.captureState ?? 'attached';
	}

	private record(method: string, ...args: unknown[]) {
		this.calls.push({method, args});
	}

	callsTo(method: string): Call[] {
		return this.calls.filter(call => call.method === method);
	}

	async listSessions(query?: SessionQuery) {
		this.record('listSessions', query);
		return [...this.rows];
	}

	async getSession(sessionId: string) {
		this.record('getSession', sessionId);
		const row = this.rows.find(candidate => candidate.session_id === sessionId);
		if (!row) {
			throw new Error(`no session ${sessionId}`);
		}

		return makeDetail(row, this.extraTurns);
	}

	async search(query: string, options?: SearchOptions) {
		this.record('search', query, options);
		return this.hits.filter(hit => hit.snippet.toLowerCase().replaceAll(/[\u0001\u0002]/g, '').includes(query.toLowerCase()));
	}

	captureState() {
		return this.status;
	}

	async capture() {
		this.record('capture');
		this.emitProgress({state: 'capturing', done: 1, total: 4, sessionsChanged: 0, warnings: 0, currentTool: 'codex'});
	}

	onCaptureProgress(listener: (progress: CaptureProgress) => void) {
		this.progressListeners.add(listener);
		return () => {
			this.progressListeners.delete(listener);
		};
	}

	onSessionsChanged(listener: () => void) {
		this.changeListeners.add(listener);
		return () => {
			this.changeListeners.delete(listener);
		};
	}

	emitProgress(progress: CaptureProgress) {
		for (const listener of this.progressListeners) {
			listener(progress);
		}
	}

	emitSessionsChanged() {
		for (const listener of this.changeListeners) {
			listener();
		}
	}

	// A folder given on the Resume screen (as --cwd) is recorded as a 4th argument, only when there is one.
	async planResume(sessionId: string, target: ResumeTarget, model?: string, cwd?: string): Promise<ResumePlan> {
		this.record('planResume', sessionId, target, model, ...(cwd ? [cwd] : []));
		return {
			report: {messages_kept: 3, messages_converted: 1, messages_dropped: target === 'gemini' ? 2 : 0, tool_calls_mapped: 1, thinking: target === 'claude-code' ? 'kept' : 'dropped', images_kept: 0, turns_trimmed: 0},
			command: [target === 'claude-code' ? 'claude' : target, '--resume', `native-for-${target}`],
			cwd: cwd ?? '/home/dev/project',
			warnings: target === 'gemini' ? ['2 tool results are too large for gemini'] : [],
		};
	}

	async prepareLaunch(sessionId: string, target: ResumeTarget, model?: string, cwd?: string): Promise<LaunchSpec> {
		this.record('prepareLaunch', sessionId, target, model, ...(cwd ? [cwd] : []));
		return {command: target === 'claude-code' ? 'claude' : target, args: ['--resume', `native-for-${target}`, ...(model ? ['--model', model] : [])], cwd: cwd ?? '/home/dev/project'};
	}

	/** Sessions whose folder is gone: the recorded path (null: none recorded). */
	goneFolders = new Map<string, string | null>();
	/** Folders that exist for checkFolder; relative names are taken under /home/dev. */
	existingFolders = new Set<string>(['/home/dev/elsewhere']);

	async sessionFolder(sessionId: string) {
		this.record('sessionFolder', sessionId);
		if (this.goneFolders.has(sessionId)) return {path: this.goneFolders.get(sessionId)!, exists: false};
		return {path: this.rows.find(row => row.session_id === sessionId)?.cwd ?? null, exists: true};
	}

	async checkFolder(folder: string) {
		this.record('checkFolder', folder);
		const absolute = folder.startsWith('/') ? folder : `/home/dev/${folder}`;
		return {path: absolute, exists: this.existingFolders.has(absolute)};
	}

	inTmux() {
		return this.tmux;
	}

	async openInTmux(kind: TmuxKind, spec: LaunchSpec) {
		this.record('openInTmux', kind, spec);
	}

	async setAlias(sessionId: string, alias: string | null) {
		this.record('setAlias', sessionId, alias);
		this.rows = this.rows.map(row => (row.session_id === sessionId ? {...row, alias} : row));
	}

	async setTags(sessionId: string, tags: string[]) {
		this.record('setTags', sessionId, tags);
		this.rows = this.rows.map(row => (row.session_id === sessionId ? {...row, tags} : row));
	}

	async fork(sessionId: string, atMsgId?: string) {
		this.record('fork', sessionId, atMsgId);
		return `${sessionId}-fork`;
	}

	async checkpoint(sessionId: string, name: string) {
		this.record('checkpoint', sessionId, name);
		return `${sessionId}-cp`;
	}

	async exportSession(sessionId: string, format: ExportFormat, path: string) {
		this.record('exportSession', sessionId, format, path);
		return path;
	}

	async deleteSession(sessionId: string) {
		this.record('deleteSession', sessionId);
		this.rows = this.rows.filter(row => row.session_id !== sessionId);
	}

	async diff(sessionId: string) {
		this.record('diff', sessionId);
		return this.files;
	}

	async compareSessions(a: string, b: string): Promise<SessionComparison> {
		this.record('compareSessions', a, b);
		return {a, b, common: 4, added: [{msg_id: 'x1', role: 'user', timestamp: new Date(BASE).toISOString(), preview: 'ADDED-IN-FORK try another approach'}], removed: []};
	}

	async sourcesLooked() {
		this.record('sourcesLooked');
		return this.sources;
	}

	async copyToClipboard(text: string) {
		this.record('copyToClipboard', text);
		return this.clipboard ?? false;
	}
}
