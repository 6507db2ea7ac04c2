/**
 * The semantic palette. Only the 16 basic ANSI colour names, so that 16-colour terminals look right;
 * with NO_COLOR (mapped to FORCE_COLOR=0 by the CLI, G17) every distinction still reads from text:
 * the selected row is `inverse`, roles and badges carry words, not only colours.
 */
export const theme = {
	accent: 'cyan',
	muted: 'gray',
	danger: 'red',
	warning: 'yellow',
	success: 'green',
	user: 'green',
	assistant: 'cyan',
	tool: 'yellow',
	thinking: 'magenta',
	system: 'blue',
	diffAdd: 'green',
	diffRemove: 'red',
	diffHunk: 'cyan',
	match: 'yellow',
} as const;

/** One badge colour and a short label per tool. */
export const TOOL_BADGES: Record<string, {label: string; color: string}> = {
	'claude-code': {label: 'claude', color: 'magenta'},
	codex: {label: 'codex', color: 'green'},
	gemini: {label: 'gemini', color: 'blue'},
	copilot: {label: 'copilot', color: 'cyan'},
	cursor: {label: 'cursor', color: 'white'},
	amp: {label: 'amp', color: 'yellow'},
	cline: {label: 'cline', color: 'red'},
	'roo-code': {label: 'roo', color: 'greenBright'},
};

/** Badges are padded to one width so columns line up. */
export const BADGE_WIDTH = 7;

export function toolBadge(tool: string): {label: string; color: string} {
	return TOOL_BADGES[tool] ?? {label: tool.slice(0, BADGE_WIDTH), color: 'white'};
}
