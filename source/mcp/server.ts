/**
 * The sfs MCP server: the tools, their input schemas (zod) and descriptions an agent can act on.
 * Read-only except `add_knowledge`. Transport-agnostic: serve.ts connects it to stdio, tests to an
 * in-memory pair.
 */
import {McpServer} from '@modelcontextprotocol/sdk/server/mcp.js';
import {z} from 'zod';
import {TOOL_IDS} from '../engine/types.js';
import {MAX_BUDGET} from './bounded.js';
import {addKnowledge, getAuditReport, getProjectContext, getRules, getSessionSummary, insightSummary, searchProjectKnowledge} from './feature-tools.js';
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {gateOutgoing} from './egress.js';
import {errorResult, okResult} from './result.js';
import {
	findRelatedSessions,
	getFileHistory,
	getSession,
	getSessionMessages,
	listRecentSessions,
	loadSession,
	searchSessions,
	type ToolContext,
} from './session-tools.js';

export const SERVER_NAME = 'sfs';

const tool = z.enum(TOOL_IDS).describe('Only sessions of this coding agent');
const since = z.string().min(1).describe('Only from this time on: an ISO date (2026-03-20) or a duration back from now (90m, 12h, 7d, 2w)');
const session = z.string().min(1).describe('A session id, alias, the tool\'s own session id, or a unique id prefix (as returned by the other tools)');
const project = z.string().min(1).describe('Project directory (default: the directory this server was started in)');
const maxChars = z.number().int().min(500).max(MAX_BUDGET).optional().describe(`Character budget of the result (default 20000, at most ${MAX_BUDGET})`);

export function createMcpServer(context: ToolContext, version = '0.0.0'): McpServer {
	const server = new McpServer({name: SERVER_NAME, version}, {instructions: 'Past coding-agent sessions (Claude Code, Codex, Gemini CLI, Copilot CLI, Cursor, Amp, Cline, Roo Code) captured by sfs: search them, read them in bounded pages, and see which sessions touched a file.'});
	const readOnly = {readOnlyHint: true, openWorldHint: false} as const;
	const log = context.log ?? ((line: string) => process.stderr.write(`${line}\n`));
	/** Every handler: failures become isError results, and successful results pass the DLP gate. */
	const handle = <A>(tool: string, handler: (args: A) => Promise<CallToolResult> | CallToolResult) => async (args: A): Promise<CallToolResult> => {
		try {
			context.beforeCall?.();
			return await gateOutgoing(tool, await handler(args), {env: context.engine.env, cwd: context.cwd, log});
		} catch (error) {
			return errorResult(error);
		}
	};


	server.registerTool('search_sessions', {
		title: 'Search past sessions',
		description: 'Full-text search over every captured coding-agent session (all tools). Words are ANDed; "a phrase" in quotes; a trailing * for a prefix; identifiers and paths (handleRateLimit, src/api/users.ts) match as typed. Returns matching sessions, best first, with up to 3 snippets each and their message positions; open one with get_session_messages.',
		inputSchema: {
			query: z.string().min(1).describe('What to look for, e.g. "rate limit" retry* or src/api/users.ts'),
			tool: tool.optional(),
			since: since.optional(),
			limit: z.number().int().min(1).max(50).default(10).describe('At most this many sessions'),
		},
		annotations: readOnly,
	}, handle('search_sessions', async args => okResult('search_sessions', searchSessions(context, args))));

	server.registerTool('get_session', {
		title: 'Session details',
		description: 'Metadata of one session (tool, project directory, model, dates, token stats, first prompt) plus an overview: messages per role, tool calls, files edited, the last assistant answer; and the sfs summary when available. No message bodies: read those with get_session_messages.',
		inputSchema: {session},
		annotations: readOnly,
	}, handle('get_session', async args => {
		const session = loadSession(context, args.session);
		let summary: unknown;
		let source = 'unavailable';
		try {
			summary = await insightSummary(context, session);
			if (summary !== undefined) source = 'sfs summary';
		} catch (error) {
			// The metadata is still worth returning when the summary cannot be made.
			source = `summary failed: ${error instanceof Error ? error.message : String(error)}`;
		}

		return okResult('get_session', getSession(context, session, {summary: summary ?? null, source}));
	}));

	server.registerTool('get_session_messages', {
		title: 'Read session messages',
		description: 'Messages of one session as text, in order, numbered from 1 (position). Choose a range (from/to), roles, whether tool output and thinking are included; the result stops at max_chars and returns next_cursor to continue exactly where it stopped (pass it back with the same session). Tool calls always appear as one line with their input; tool output only with include_tool_output.',
		inputSchema: {
			session,
			from: z.number().int().min(1).optional().describe('First message position (1-based, default 1)'),
			to: z.number().int().min(1).optional().describe('Last message position (inclusive, default the last)'),
			roles: z.array(z.enum(['user', 'assistant', 'system', 'developer', 'tool'])).optional().describe('Only messages of these roles'),
			include_tool_output: z.boolean().default(false).describe('Include tool results (each cut to 4000 chars)'),
			include_thinking: z.boolean().default(false).describe('Include the model\'s thinking blocks'),
			max_chars: maxChars,
			cursor: z.string().min(1).optional().describe('next_cursor from a previous call, to continue'),
		},
		annotations: readOnly,
	}, handle('get_session_messages', async args => okResult('get_session_messages', getSessionMessages(context, args))));

	server.registerTool('list_recent_sessions', {
		title: 'Recent sessions',
		description: 'The most recently active sessions, newest first, optionally for one tool, one project directory (substring of the path) or since a time. Sub-agent transcripts are left out unless asked for.',
		inputSchema: {
			tool: tool.optional(),
			project: z.string().min(1).optional().describe('Substring of the project directory, e.g. the repo name'),
			since: since.optional(),
			limit: z.number().int().min(1).max(100).default(20),
			include_subagents: z.boolean().default(false),
		},
		annotations: readOnly,
	}, handle('list_recent_sessions', async args => okResult('list_recent_sessions', listRecentSessions(context, args))));

	server.registerTool('find_related_sessions', {
		title: 'Related sessions',
		description: 'Sessions related to exactly one of: a file path (sessions that edited it first, then ones that mention it), a query (full-text), or a session (sessions that edited the same files, its parent and children, the same project). Each with the reason it is related.',
		inputSchema: {
			file_path: z.string().min(1).optional().describe('A file path, absolute or relative to the project (src/api/users.ts)'),
			query: z.string().min(1).optional(),
			session: session.optional(),
			limit: z.number().int().min(1).max(50).default(10),
		},
		annotations: readOnly,
	}, handle('find_related_sessions', async args => okResult('find_related_sessions', findRelatedSessions(context, args))));

	server.registerTool('get_file_history', {
		title: 'File history across sessions',
		description: 'Every captured session that edited a file (by any tool), newest first, with each edit: action, lines added/removed, whether the call failed, and the diff (cut to 3000 chars each). Pages by sessions within max_chars; continue with next_cursor.',
		inputSchema: {
			path: z.string().min(1).describe('The file, absolute or relative to the project (a bare file name matches that name anywhere)'),
			limit: z.number().int().min(1).max(50).default(10).describe('At most this many sessions per page'),
			max_chars: maxChars,
			cursor: z.string().min(1).optional(),
		},
		annotations: readOnly,
	}, handle('get_file_history', async args => okResult('get_file_history', getFileHistory(context, args))));

	server.registerTool('get_session_summary', {
		title: 'Session summary',
		description: 'What a session did, from its tool calls: files read/created/edited/deleted, commands with exit status, test runs, packages added, errors, duration, tokens and cost (sfs summary).',
		inputSchema: {session},
		annotations: readOnly,
	}, handle('get_session_summary', async args => getSessionSummary(context, args)));

	server.registerTool('get_audit_report', {
		title: 'Audit a session',
		description: 'Checks the agent\'s claims in a session against the evidence in it (tests said to pass that failed, files said to be updated that were never edited, …): findings with rule, severity, confidence and evidence message ids (sfs audit).',
		inputSchema: {session},
		annotations: readOnly,
	}, handle('get_audit_report', async args => getAuditReport(context, args)));

	server.registerTool('get_rules', {
		title: 'Project rules for a tool',
		description: 'The project\'s canonical rules (from .sfs/rules, shared by every coding agent on the repo) and the file they are compiled into for the given tool.',
		inputSchema: {tool: z.enum(TOOL_IDS).describe('The coding agent the rules are for'), project: project.optional(), max_chars: maxChars},
		annotations: readOnly,
	}, handle('get_rules', async args => getRules(context, args)));

	server.registerTool('get_project_context', {
		title: 'Project context',
		description: 'The project\'s shared context document (architecture notes, conventions, decisions) kept by sfs for this repository.',
		inputSchema: {project: project.optional(), max_chars: maxChars},
		annotations: readOnly,
	}, handle('get_project_context', async args => getProjectContext(context, args)));

	server.registerTool('search_project_knowledge', {
		title: 'Search project knowledge',
		description: 'Sections of the project context document that match the query words, best first.',
		inputSchema: {query: z.string().min(1), project: project.optional(), limit: z.number().int().min(1).max(20).default(5)},
		annotations: readOnly,
	}, handle('search_project_knowledge', async args => searchProjectKnowledge(context, args)));

	server.registerTool('add_knowledge', {
		title: 'Add to project knowledge',
		description: 'Appends a note (Markdown) to the project context document, for later sessions and other agents: a decision, a gotcha, how something was solved. Write only what is worth keeping.',
		inputSchema: {note: z.string().min(1).max(10_000).describe('The note, in Markdown'), project: project.optional()},
		annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false},
	}, handle('add_knowledge', async args => addKnowledge(context, args)));

	return server;
}
