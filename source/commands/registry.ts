/**
 * The command table: name → one-line summary and a lazy import of its module, so running one command
 * loads only that command's code (no ink/react outside the TUI). Adding a command is one line here
 * plus its module in this folder (default export: CommandModule from ./common.js).
 */
import type {CommandModule} from './common.js';

export type CommandEntry = {summary: string; load: () => Promise<{default: CommandModule}>; hidden?: boolean};

export const COMMANDS: Record<string, CommandEntry> = {
	capture: {summary: 'Scan every enabled tool once and capture new or changed sessions', load: async () => import('./capture.js')},
	watcher: {summary: 'List, enable or disable the sources capture scans', load: async () => import('./watcher.js')},
	resume: {summary: 'Continue a session in Claude Code, Codex, Gemini CLI or Copilot CLI', load: async () => import('./resume.js')},
	list: {summary: 'List sessions (filters, sort, --json)', load: async () => import('./list.js')},
	show: {summary: 'Show a session: header and messages', load: async () => import('./show.js')},
	search: {summary: 'Full-text search over every message', load: async () => import('./search.js')},
	summary: {summary: 'What a session did: files, commands, tests, packages, errors, tokens, cost; --today/--since', load: async () => import('./summary.js')},
	audit: {summary: "Check an agent's claims against the session's evidence", load: async () => import('./audit.js')},
	alias: {summary: 'Show or set a session alias', load: async () => import('./alias.js')},
	tag: {summary: 'Add (+x) or remove (-y) tags', load: async () => import('./tag.js')},
	fork: {summary: 'Fork a session into a new one (optionally at a message)', load: async () => import('./fork.js')},
	checkpoint: {summary: 'Save, list and restore named checkpoints', load: async () => import('./checkpoint.js')},
	delete: {summary: 'Delete a session from sfs (with confirmation)', load: async () => import('./delete.js')},
	export: {summary: 'Export a session as md, json or .sfs archive; --all for a backup', load: async () => import('./export.js')},
	import: {summary: 'Import an .sfs directory, archive or backup', load: async () => import('./import.js')},
	storage: {summary: 'Disk usage per tool; prune old sessions', load: async () => import('./storage.js')},
	rules: {summary: 'One set of project rules compiled into every tool\'s instructions file', load: async () => import('./rules.js')},
	project: {summary: 'The project context document of this repository', load: async () => import('./project.js')},
	dlp: {summary: 'Scan sessions for secrets and personal data; the egress policy (block, redact, warn)', load: async () => import('./dlp.js')},
	security: {summary: 'Check permissions, exposed tokens, the socket and npm audit; fix tightens modes', load: async () => import('./security.js')},
	config: {summary: 'Show, get or set configuration', load: async () => import('./config.js')},
	index: {summary: 'Rebuild the search index from the store', load: async () => import('./index-command.js')},
	daemon: {summary: 'Capture in the background: start, stop, status, logs, install', load: async () => import('./daemon.js')},
	doctor: {summary: 'Check the store, index, daemon and sources; --fix repairs', load: async () => import('./doctor.js')},
	init: {summary: 'Set up: detect tools, enable watchers, start the daemon, first capture', load: async () => import('./init.js')},
	mcp: {summary: 'MCP server for agents (serve), and install it into their configs', load: async () => import('./mcp.js')},
	server: {summary: 'Run the team sync server (HTTP JSON API, SQLite)', load: async () => import('./server.js')},
	auth: {summary: 'Sign up, log in or out of an sfs server; status', load: async () => import('./auth.js')},
	push: {summary: 'Upload a session to the sfs server', load: async () => import('./push.js')},
	pull: {summary: 'Download a session from the sfs server', load: async () => import('./pull.js')},
	sync: {summary: 'Sync with the sfs server both ways; autosync mode, watched sessions, status', load: async () => import('./sync.js')},
	'list-remote': {summary: 'List your sessions on the sfs server', load: async () => import('./list-remote.js')},
	handoff: {summary: 'Hand a session to a teammate through the sfs server, or as a signed --bundle file', load: async () => import('./handoff.js')},
	org: {summary: 'Orgs on the sfs server: create, invite, join, seats, roles; share sessions with a team', load: async () => import('./org.js')},
	'pull-handoff': {summary: 'Take a session handed to you; shows what differs here', load: async () => import('./pull-handoff.js')},
	completion: {summary: 'Print a shell completion script (bash, zsh, fish)', load: async () => import('./completion.js')},
};
